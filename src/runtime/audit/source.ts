import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BulwarkError, messageOf } from '../../core/errors.js';
import { auditctlOk, type AuditStatus, auditStatus } from './control.js';
import { AuditDaemon, waitUntil } from './daemon.js';
import { runningDaemonOutputs } from './daemon-config.js';
import { type AuditActivity, interpretEvent } from './interpret.js';
import { applyKernelSettings, UndoStack, undoEnable } from './kernel-settings.js';
import { type AssemblerStats, AuditEventAssembler, type AuditEvent } from './records.js';
import { RecordReader } from './reader.js';
import type { AuditRule, InstallResult } from './rules.js';

// Kernel audit events into Node: the daemon (daemon.ts, or a running one attached to), the
// record reader (reader.ts) and the kernel settings with their undo (kernel-settings.ts),
// composed here.
//
// Only one process can hold the kernel's audit netlink socket. When none does, we run our
// own auditd in the foreground with a private configuration (dir/etc): its built-in af_unix
// dispatcher plugin writes every record, as text, to a unix socket in dir, which we read;
// it also keeps a small rotated log in dir/log, which we tail instead if the socket cannot
// be used. When an auditd is already running (someone else's), we attach to it without
// touching it: we tail its log file, or, if it writes none, read its af_unix socket.
// Either way we add our keyed rules (and only remove those), raise the kernel backlog, and
// watch the kernel's lost-event counter. Before returning we make sure records flow: we send
// a marker message (`auditctl -m`) and wait until it comes back through the chosen path.

export type AuditSourceMode = 'daemon-socket' | 'daemon-log' | 'attach-log' | 'attach-socket';

export interface AuditSourceOptions {
  /** A private working directory (created 0700): our auditd's config, socket and log. */
  dir: string;
  /** Every interpreted activity, with the audit event it came from. */
  onEvent: (activity: AuditActivity, event: AuditEvent) => void;
  /** Trouble after the start (daemon died, socket closed, callback threw, events lost). */
  onError: (err: Error) => void;
  /** Every audit event, interpreted or not. */
  onAuditEvent?: (event: AuditEvent) => void;
  /** Every line as read, before parsing (for forwarding or capture). */
  onLine?: (line: string) => void;
  /** The kernel's lost counter went up by `lost` (`total` since the start). */
  onLost?: (lost: number, total: number) => void;
  /** Rules to install; default bulwarkRules(); false installs none. */
  rules?: readonly AuditRule[] | false;
  /** Kernel backlog to ensure (auditctl -b), raised only. Default 8192. */
  backlogLimit?: number;
  /** Kernel rate limit in messages/s (auditctl -r); untouched unless given. */
  rateLimit?: number;
  /** With our own auditd: read its socket (default, log as fallback) or only its log. */
  transport?: 'auto' | 'socket' | 'log';
  /** How often a log is read for new records (default 25 ms). */
  logPollMs?: number;
  /** Our auditd's record format: RAW (default) or ENRICHED (adds interpreted fields after 0x1d). */
  logFormat?: 'RAW' | 'ENRICHED';
  /** Where a running auditd's configuration is read from. Default /etc/audit. */
  systemConfigDir?: string;
  auditd?: string;
  auditctl?: string;
  /** How often the kernel status (lost counter) is read; 0 never. Default 5000 ms. */
  statsIntervalMs?: number;
  startTimeoutMs?: number;
  /** Close an event this long after its first record when its end never comes. Default 1000 ms. */
  eventTimeoutMs?: number;
}

export interface AuditSourceStats extends AssemblerStats {
  mode: AuditSourceMode;
  /** Our auditd's pid, or the running one we attached to. */
  daemonPid: number;
  /** Times our auditd died and was started again. */
  daemonRestarts: number;
  activities: number;
  callbackErrors: number;
  /** Events the kernel dropped since the start, and since boot. */
  kernelLost: number;
  kernelLostTotal: number;
  backlog: number;
  backlogLimit: number;
  rules?: InstallResult;
}

export interface AuditSource {
  readonly mode: AuditSourceMode;
  stats(): AuditSourceStats;
  /** Reads the kernel status now (and reports newly lost events). */
  refreshStats(): Promise<AuditSourceStats>;
  /** Reads what the log holds now, without waiting for the next poll (no-op for a socket). */
  catchUp(): Promise<void>;
  /** Removes our rules, restores the kernel settings we changed, stops our auditd; idempotent. */
  stop(): Promise<void>;
}

/** Running (not gone, not a zombie nobody reaped). */
async function alive(pid: number): Promise<boolean> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return status !== '' && !/^State:\s+[ZX]/m.test(status);
}

/** One audit source from start to stop. */
class Source {
  readonly counters = { activities: 0, callbackErrors: 0, daemonRestarts: 0 };
  readonly undo = new UndoStack();
  readonly reader: RecordReader;
  readonly assembler: AuditEventAssembler;
  readonly ctl: string;
  readonly startTimeout: number;
  status: AuditStatus;
  lostSeen: number;
  ruleResult?: InstallResult;
  mode: AuditSourceMode = 'daemon-socket';
  daemonPid = 0;
  daemon?: AuditDaemon;
  stopping = false;
  private lastRestart = 0;

  constructor(
    readonly opts: AuditSourceOptions,
    readonly before: AuditStatus,
  ) {
    this.ctl = opts.auditctl ?? 'auditctl';
    this.startTimeout = opts.startTimeoutMs ?? 10_000;
    this.status = before;
    this.lostSeen = before.lost;
    this.assembler = new AuditEventAssembler({
      onEvent: (ev) => this.deliver(ev),
      timeoutMs: opts.eventTimeoutMs ?? 1000,
    });
    this.reader = new RecordReader({
      ctl: this.ctl,
      ...(opts.logPollMs ? { logPollMs: opts.logPollMs } : {}),
      onLine: opts.onLine ? (line) => this.guarded(() => opts.onLine!(line)) : undefined,
      onRecord: (line) => this.assembler.pushLine(line),
      onError: (e) => this.reportError(e),
    });
  }

  reportError(e: unknown): void {
    try {
      this.opts.onError(e instanceof Error ? e : new Error(String(e)));
    } catch {
      this.counters.callbackErrors++;
    }
  }

  private guarded(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.counters.callbackErrors++;
      this.reportError(e);
    }
  }

  private deliver(ev: AuditEvent): void {
    try {
      this.opts.onAuditEvent?.(ev);
      for (const activity of interpretEvent(ev)) {
        this.counters.activities++;
        this.opts.onEvent(activity, ev);
      }
    } catch (e) {
      this.counters.callbackErrors++;
      this.reportError(new BulwarkError('IO', 'audit event handler', messageOf(e), { cause: e }));
    }
  }

  /** Our own auditd, read through its socket (log as fallback) or its log. */
  async startDaemon(): Promise<void> {
    const { opts } = this;
    const wantSocket = opts.transport !== 'log';
    const socketFits = Buffer.byteLength(join(opts.dir, 'events.sock')) < 100; // sun_path is 108 bytes
    const daemon = new AuditDaemon({
      dir: opts.dir,
      socket: wantSocket && socketFits,
      logFormat: opts.logFormat ?? 'RAW',
      enable: this.before.enabled === 0,
      ctl: this.ctl,
      startTimeoutMs: this.startTimeout,
      ...(opts.auditd ? { auditd: opts.auditd } : {}),
      onUnexpectedExit: (reason) => {
        if (this.stopping) return;
        this.reportError(new BulwarkError('IO', 'auditd', reason));
        this.restartDaemon();
      },
    });
    this.daemon = daemon;
    this.undo.push(daemon.undoStep());
    const files = await daemon.start();
    this.daemonPid = daemon.pid;
    if (wantSocket && socketFits) {
      try {
        await waitUntil(
          files.socketPath,
          2000,
          async () => existsSync(files.socketPath),
          () => daemon.died(),
        );
        await this.reader.readSocket(files.socketPath);
        await this.reader.sync(files.socketPath, Math.min(this.startTimeout, 3000));
        this.mode = 'daemon-socket';
        return;
      } catch (e) {
        if (opts.transport === 'socket') throw e;
        this.reportError(
          new BulwarkError(
            'IO',
            files.socketPath,
            `af_unix plugin unusable, reading the log instead: ${messageOf(e)}`,
            { cause: e },
          ),
        );
        await this.closeSocket();
        this.reader.reset();
      }
    }
    await this.reader.readLog(files.logFile, false);
    await this.reader.sync(files.logFile, this.startTimeout);
    this.mode = 'daemon-log';
  }

  /** When our auditd has exited, its socket ends after the last records: they are read first. */
  closeSocket(): Promise<void> {
    return this.reader.closeSocket(this.daemon?.hasExited ?? false);
  }

  /** Our auditd died (killed, crashed): another starts, at most once every 5 s. Kernel rules stay loaded. */
  private restartDaemon(): void {
    const wait = Math.max(0, this.lastRestart + 5000 - Date.now());
    setTimeout(() => {
      if (this.stopping) return;
      this.lastRestart = Date.now();
      void (async () => {
        await this.closeSocket();
        await this.reader.stopLog();
        this.reader.reset();
        await this.startDaemon();
        this.counters.daemonRestarts++;
      })().catch((e: unknown) =>
        this.reportError(new BulwarkError('IO', 'auditd', `cannot start it again: ${messageOf(e)}`, { cause: e })),
      );
    }, wait).unref();
  }

  /** Someone else's auditd: its log, or else its af_unix socket, read without touching it. */
  async attach(): Promise<void> {
    const { before } = this;
    const configDir = this.opts.systemConfigDir ?? '/etc/audit';
    const running = await runningDaemonOutputs(configDir, before.pid);
    this.daemonPid = before.pid;
    const comm = (await readFile(`/proc/${before.pid}/comm`, 'utf8').catch(() => '?')).trim();
    const who = `audit daemon pid ${before.pid} (${comm})`;
    try {
      if (running.logFile) {
        await this.reader.readLog(running.logFile, true);
        await this.reader.sync(running.logFile, this.startTimeout);
        this.mode = 'attach-log';
      } else if (running.socketPath) {
        await this.reader.readSocket(running.socketPath);
        // The af_unix plugin serves one reader; if another has it, nothing comes.
        await this.reader.sync(running.socketPath, Math.min(this.startTimeout, 3000));
        this.mode = 'attach-socket';
      } else {
        throw new BulwarkError(
          'IO',
          who,
          `its configuration (${configDir}) has no log and no af_unix plugin to read from`,
        );
      }
    } catch (e) {
      if (e instanceof BulwarkError && e.input === who) throw e;
      throw new BulwarkError('IO', who, `cannot read its records (configuration ${configDir}): ${messageOf(e)}`, {
        cause: e,
      });
    }
  }

  /** A daemon to read from, then the kernel settings (unless locked). */
  async start(): Promise<void> {
    const { before } = this;
    undoEnable(before, this.ctl, this.undo);
    // a registered daemon that is gone (its owner crashed) is replaced by ours: auditd takes
    // over the kernel's audit pid when the old one no longer answers
    if (before.pid !== 0 && (await alive(before.pid))) {
      if (before.enabled === 0) await auditctlOk(['-e', '1'], this.ctl);
      await this.attach();
    } else {
      await this.startDaemon();
    }
    if (before.enabled === 2) {
      // Locked (auditctl -e 2): no rule or setting can change until reboot; whatever rules
      // are in the kernel apply.
      this.reportError(
        new BulwarkError(
          'IO',
          'kernel audit',
          'the audit configuration is locked (enabled 2): Bulwark’s rules and backlog cannot be installed; only rules already loaded apply',
        ),
      );
      return;
    }
    const settings = {
      backlogLimit: this.opts.backlogLimit ?? 8192,
      ...(this.opts.rateLimit !== undefined ? { rateLimit: this.opts.rateLimit } : {}),
      ...(this.opts.rules !== undefined ? { rules: this.opts.rules } : {}),
    };
    this.ruleResult = await applyKernelSettings(before, settings, this.ctl, this.undo);
  }

  stats(): AuditSourceStats {
    const { assembler, status, before } = this;
    const stats: AuditSourceStats = {
      ...assembler.stats,
      malformed: assembler.stats.malformed + this.reader.overlong,
      mode: this.mode,
      daemonPid: this.daemonPid,
      ...this.counters,
      kernelLost: Math.max(0, status.lost - before.lost),
      kernelLostTotal: status.lost,
      backlog: status.backlog,
      backlogLimit: status.backlogLimit,
    };
    if (this.ruleResult) stats.rules = this.ruleResult;
    return stats;
  }

  async refreshStats(): Promise<AuditSourceStats> {
    this.status = await auditStatus(this.ctl);
    if (this.status.lost > this.lostSeen) {
      const lost = this.status.lost - this.lostSeen;
      this.lostSeen = this.status.lost;
      this.guarded(() => this.opts.onLost?.(lost, this.status.lost - this.before.lost));
    }
    return this.stats();
  }

  setStopping(): void {
    this.stopping = true;
    this.reader.stopping = true;
    if (this.daemon) this.daemon.stopping = true;
  }

  /** Takes back every change (newest first) and closes the readers. */
  async undoAndClose(): Promise<void> {
    const failed = await this.undo.runAll();
    if (failed) this.reportError(new BulwarkError('IO', 'audit source stop', failed));
    await this.closeSocket();
    await this.reader.stopLog();
  }
}

export async function startAuditSource(opts: AuditSourceOptions): Promise<AuditSource> {
  const before: AuditStatus = await auditStatus(opts.auditctl ?? 'auditctl');
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  const source = new Source(opts, before);
  const flushTimer = setInterval(() => source.assembler.flushExpired(), 200);
  flushTimer.unref();
  const onExit = (): void => source.undo.runSync();
  process.on('exit', onExit);
  try {
    await source.start();
  } catch (e) {
    source.setStopping();
    clearInterval(flushTimer);
    await source.undoAndClose();
    process.off('exit', onExit);
    await rm(join(opts.dir, 'etc'), { recursive: true, force: true });
    throw e;
  }
  const interval = opts.statsIntervalMs ?? 5000;
  const statsTimer =
    interval > 0
      ? setInterval(() => void source.refreshStats().catch((e: unknown) => source.reportError(e)), interval)
      : undefined;
  statsTimer?.unref();
  let stopped: Promise<void> | undefined;
  return {
    get mode() {
      return source.mode;
    },
    stats: () => source.stats(),
    refreshStats: () => source.refreshStats(),
    catchUp: () => source.reader.catchUp(),
    stop() {
      stopped ??= (async () => {
        source.setStopping();
        if (statsTimer) clearInterval(statsTimer);
        await source.refreshStats().catch(() => undefined);
        await source.undoAndClose();
        source.reader.end();
        clearInterval(flushTimer);
        source.assembler.flushAll();
        process.off('exit', onExit);
        await rm(join(opts.dir, 'etc'), { recursive: true, force: true });
        await rm(join(opts.dir, 'events.sock'), { force: true });
      })();
      return stopped;
    },
  };
}
