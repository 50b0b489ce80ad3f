import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { BulwarkError } from '../../core/errors.js';
import { auditStatus } from './control.js';
import { auditdArgs, type AuditdFiles, writeAuditdConfig } from './daemon-config.js';
import type { UndoStep } from './kernel-settings.js';

// Bulwark's own auditd: a child process in the foreground with a private configuration,
// registered as the kernel's audit daemon. It dies with the agent (parent-death signal via
// setpriv) rather than hold the kernel's audit pid.

const AUDITD_EXIT: Record<number, string> = {
  1: 'initialisation failed (netlink, pid file, plugins, or another audit daemon)',
  2: 'invalid command line',
  4: 'insufficient privilege',
  6: 'configuration file error',
};

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it holds; fails (IO) on timeout or as soon as `abort` gives a reason. */
export async function waitUntil(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
  abort?: () => string | undefined,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const why = abort?.();
    if (why) throw new BulwarkError('IO', what, why);
    if (await check()) return;
    if (Date.now() > end) throw new BulwarkError('IO', what, `not ready after ${timeoutMs} ms`);
    await sleep(25);
  }
}

function exitText(exit: { code: number | null; signal: NodeJS.Signals | null }): string {
  return `${exit.signal ?? `code ${exit.code}`}${exit.code !== null && AUDITD_EXIT[exit.code] ? `: ${AUDITD_EXIT[exit.code]}` : ''}`;
}

export interface DaemonOptions {
  dir: string;
  socket: boolean;
  logFormat: 'RAW' | 'ENRICHED';
  /** Turn auditing on (-s enable) as it starts. */
  enable: boolean;
  /** The auditd binary (default: auditd under setpriv where there is one). */
  auditd?: string;
  ctl: string;
  startTimeoutMs: number;
  /** It exited while nobody was stopping it. */
  onUnexpectedExit(reason: string): void;
}

/** One run of our auditd. */
export class AuditDaemon {
  private child?: ChildProcess;
  private exit?: { code: number | null; signal: NodeJS.Signals | null };
  private exited: Promise<void> = Promise.resolve();
  private readonly stderr: string[] = [];
  private args: string[] = [];
  stopping = false;

  constructor(private readonly o: DaemonOptions) {}

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  /** Gone (its socket's last records are still to be read). */
  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  /** Why it is gone, with its stderr; undefined while it runs. */
  died(): string | undefined {
    return this.exit
      ? `auditd ${this.args.join(' ')} exited (${exitText(this.exit)}) ${this.stderr.join('').trim()}`.trim()
      : undefined;
  }

  /** Writes its configuration, starts it and waits until the kernel knows it as the audit daemon. */
  async start(): Promise<AuditdFiles> {
    const files = await writeAuditdConfig(this.o.dir, { socket: this.o.socket, logFormat: this.o.logFormat });
    // our private log from an earlier run was read then, or is stale: a new daemon starts a new log
    await Promise.all(['', '.1', '.2'].map((n) => rm(`${files.logFile}${n}`, { force: true })));
    const args = auditdArgs(files.etcDir, this.o.enable);
    this.args = args;
    const [cmd, ...cmdArgs] =
      !this.o.auditd && SETPRIV !== undefined
        ? [SETPRIV, '--pdeathsig', 'TERM', '--', 'auditd', ...args]
        : [this.o.auditd ?? 'auditd', ...args];
    const child = spawn(cmd!, cmdArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        if (!this.stopping) this.o.onUnexpectedExit(`exited unexpectedly (${exitText(this.exit)}); starting it again`);
        resolve();
      });
      child.once('error', (e) => {
        this.exit = { code: -1, signal: null };
        this.stderr.push(e.message);
        resolve();
      });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (this.stderr.join('').length < 4096) this.stderr.push(chunk.toString('utf8'));
    });
    await waitUntil(
      'auditd',
      this.o.startTimeoutMs,
      async () => (await auditStatus(this.o.ctl)).pid === child.pid,
      () => this.died(),
    );
    return files;
  }

  /** Stopping it, as an undo step: SIGTERM, then SIGKILL if it lingers. */
  undoStep(): UndoStep {
    return {
      name: 'auditd',
      run: async () => {
        if (this.exit || !this.child) return;
        this.child.kill('SIGTERM');
        await Promise.race([this.exited, sleep(5000)]);
        if (!this.exit) {
          this.child.kill('SIGKILL');
          await Promise.race([this.exited, sleep(2000)]);
        }
      },
      sync: () => {
        if (!this.exit) this.child?.kill('SIGTERM');
      },
    };
  }
}
