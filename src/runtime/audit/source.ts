import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { BulwarkError, messageOf } from '../../core/errors.js';
import { auditctl, auditctlOk, auditctlSync, type AuditStatus, auditStatus } from './control.js';
import { type AuditActivity, interpretEvent } from './interpret.js';
import { type AssemblerStats, AuditEventAssembler, type AuditEvent, LineSplitter } from './records.js';
import { type AuditRule, bulwarkRules, type InstallResult, installRules, removeRules, removeRulesSync } from './rules.js';
import { type Tail, tailFile } from './tail.js';

// Kernel audit events into Node.
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

/** `key = value` lines of auditd.conf and plugin files. */
export function parseConf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  return out;
}

export interface AuditdFiles {
  etcDir: string;
  socketPath: string;
  logFile: string;
}

/** Writes a private auditd configuration (auditd.conf, plugins.d/af_unix.conf) under dir. */
export async function writeAuditdConfig(dir: string, opts: { socket: boolean; writeLogs?: boolean; logFormat?: 'RAW' | 'ENRICHED'; maxLogMb?: number }): Promise<AuditdFiles> {
  if (/[\s=#]/.test(dir)) throw new BulwarkError('USAGE', dir, 'the audit directory path may not contain spaces, "=" or "#" (auditd.conf cannot express them)');
  const etcDir = join(dir, 'etc');
  const pluginDir = join(etcDir, 'plugins.d');
  const logDir = join(dir, 'log');
  const files: AuditdFiles = { etcDir, socketPath: join(dir, 'events.sock'), logFile: join(logDir, 'audit.log') };
  await mkdir(pluginDir, { recursive: true, mode: 0o700 });
  await mkdir(logDir, { recursive: true, mode: 0o700 });
  const conf = [
    '# Written by Bulwark for its private auditd; removed when the audit source stops.',
    'local_events = yes',
    `write_logs = ${opts.writeLogs === false ? 'no' : 'yes'}`,
    `log_file = ${files.logFile}`,
    `log_format = ${opts.logFormat ?? 'RAW'}`,
    'log_group = root',
    'flush = NONE',
    'freq = 0',
    `max_log_file = ${opts.maxLogMb ?? 8}`,
    'num_logs = 2',
    'max_log_file_action = ROTATE',
    'space_left = 75',
    'space_left_action = SYSLOG',
    'admin_space_left = 50',
    'admin_space_left_action = SYSLOG',
    // The log is only a fallback: a full or failing disk must not stop the socket.
    'disk_full_action = IGNORE',
    'disk_error_action = IGNORE',
    'use_libwrap = no',
    'q_depth = 8192',
    'overflow_action = SYSLOG',
    'max_restarts = 10',
    `plugin_dir = ${pluginDir}`,
    'name_format = NONE',
    'end_of_event_timeout = 2',
    '',
  ].join('\n');
  const plugin = [
    `active = ${opts.socket ? 'yes' : 'no'}`,
    'direction = out',
    'path = builtin_af_unix',
    'type = builtin',
    `args = 0600 ${files.socketPath}`,
    'format = string',
    '',
  ].join('\n');
  // auditd refuses configuration files that others can write.
  await writeFile(join(etcDir, 'auditd.conf'), conf, { mode: 0o600 });
  await writeFile(join(pluginDir, 'af_unix.conf'), plugin, { mode: 0o600 });
  await chmod(join(etcDir, 'auditd.conf'), 0o600);
  await chmod(join(pluginDir, 'af_unix.conf'), 0o600);
  return files;
}

/** auditd's command line for a private config dir (foreground, no fork). */
export function auditdArgs(etcDir: string, enable: boolean): string[] {
  return ['-n', '-c', etcDir, '-s', enable ? 'enable' : 'nochange'];
}

const AUDITD_EXIT: Record<number, string> = {
  1: 'initialisation failed (netlink, pid file, plugins, or another audit daemon)',
  2: 'invalid command line',
  4: 'insufficient privilege',
  6: 'configuration file error',
};

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>, abort?: () => string | undefined): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const why = abort?.();
    if (why) throw new BulwarkError('IO', what, why);
    if (await check()) return;
    if (Date.now() > end) throw new BulwarkError('IO', what, `not ready after ${timeoutMs} ms`);
    await sleep(25);
  }
}

interface RunningDaemon {
  pid: number;
  logFile?: string;
  socketPath?: string;
}

/** What a running auditd offers to readers, from its configuration. */
export async function runningDaemonOutputs(configDir: string, pid: number): Promise<RunningDaemon> {
  let conf: Record<string, string> = {};
  try {
    conf = parseConf(await readFile(join(configDir, 'auditd.conf'), 'utf8'));
  } catch {
    // defaults below
  }
  const out: RunningDaemon = { pid };
  if ((conf.write_logs ?? 'yes').toLowerCase() !== 'no') out.logFile = conf.log_file ?? '/var/log/audit/audit.log';
  const pluginDir = conf.plugin_dir ?? join(configDir, 'plugins.d');
  let names: string[] = [];
  try {
    names = (await readdir(pluginDir)).filter((n) => n.endsWith('.conf')).sort();
  } catch {
    names = [];
  }
  for (const n of names) {
    let p: Record<string, string>;
    try {
      p = parseConf(await readFile(join(pluginDir, n), 'utf8'));
    } catch {
      continue;
    }
    const isAfUnix = p.path === 'builtin_af_unix' || (p.path ?? '').endsWith('audisp-af_unix');
    if (!isAfUnix || (p.active ?? '').toLowerCase() !== 'yes' || (p.format ?? 'string').toLowerCase() !== 'string') continue;
    const sock = (p.args ?? '').split(/\s+/).find((a) => a.includes('/'));
    if (sock) {
      out.socketPath = sock;
      break;
    }
  }
  return out;
}

/** Running (not gone, not a zombie nobody reaped). */
async function alive(pid: number): Promise<boolean> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return status !== '' && !/^State:\s+[ZX]/m.test(status);
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

export async function startAuditSource(opts: AuditSourceOptions): Promise<AuditSource> {
  const ctl = opts.auditctl ?? 'auditctl';
  const startTimeout = opts.startTimeoutMs ?? 10_000;
  const before: AuditStatus = await auditStatus(ctl);
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });

  const counters = { activities: 0, callbackErrors: 0, daemonRestarts: 0 };
  let status = before;
  let lostSeen = before.lost;
  let ruleResult: InstallResult | undefined;
  let stopping = false;
  let mode: AuditSourceMode = 'daemon-socket';
  let daemonPid = 0;
  const undo: { name: string; run: () => Promise<void>; sync: () => void }[] = [];

  const reportError = (e: unknown): void => {
    try {
      opts.onError(e instanceof Error ? e : new Error(String(e)));
    } catch {
      counters.callbackErrors++;
    }
  };

  const deliver = (ev: AuditEvent): void => {
    try {
      opts.onAuditEvent?.(ev);
      for (const a of interpretEvent(ev)) {
        counters.activities++;
        opts.onEvent(a, ev);
      }
    } catch (e) {
      counters.callbackErrors++;
      reportError(new BulwarkError('IO', 'audit event handler', messageOf(e), { cause: e }));
    }
  };
  const assembler = new AuditEventAssembler({ onEvent: deliver, timeoutMs: opts.eventTimeoutMs ?? 1000 });

  // Sync markers: `auditctl -m bulwark-sync-<nonce>` must come back through the reader.
  const seenMarkers = new Set<string>();
  const onLine = (line: string): void => {
    if (opts.onLine) {
      try {
        opts.onLine(line);
      } catch (e) {
        counters.callbackErrors++;
        reportError(e);
      }
    }
    const at = line.indexOf('bulwark-sync-');
    if (at >= 0 && line.includes('type=USER')) {
      seenMarkers.add(line.slice(at, at + 13 + 16));
      return;
    }
    assembler.pushLine(line);
  };
  let splitter = new LineSplitter(onLine);

  async function sync(what: string, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const marker = `bulwark-sync-${randomBytes(8).toString('hex')}`;
      const r = await auditctl(['-m', marker], ctl);
      if (r.code !== 0) throw new BulwarkError('IO', 'auditctl -m', (r.stderr || r.stdout).trim());
      const until = Math.min(end, Date.now() + 500);
      while (Date.now() < until) {
        if (seenMarkers.has(marker)) return;
        await sleep(10);
      }
    }
    throw new BulwarkError('IO', what, `no audit records arrived within ${timeoutMs} ms`);
  }

  // ---- readers ----
  let socket: Socket | undefined;
  let socketClosed: Promise<void> = Promise.resolve();
  let tail: Tail | undefined;

  async function readSocket(path: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const s = createConnection(path);
      const fail = (e: Error): void => reject(new BulwarkError('IO', path, `cannot connect to the audit socket: ${e.message}`, { cause: e }));
      s.once('error', fail);
      s.once('connect', () => {
        s.off('error', fail);
        socket = s;
        socketClosed = new Promise((r) => s.once('close', () => r()));
        s.on('data', (chunk: Buffer) => splitter.push(chunk));
        s.on('error', (e) => {
          if (!stopping) reportError(new BulwarkError('IO', path, `audit socket: ${e.message}`, { cause: e }));
        });
        s.on('end', () => {
          if (!stopping) reportError(new BulwarkError('IO', path, 'the audit daemon closed its socket'));
        });
        resolve();
      });
    });
  }

  /** When our auditd has exited, its socket ends after the last records: read them first. */
  async function closeSocket(): Promise<void> {
    if (!socket) return;
    const s = socket;
    socket = undefined;
    if (child && childExit) await Promise.race([socketClosed, sleep(2000)]);
    s.destroy();
  }

  async function readLog(path: string, fromEnd: boolean): Promise<void> {
    tail = await tailFile({ path, fromEnd, onData: (b) => splitter.push(b), onError: reportError, ...(opts.logPollMs ? { intervalMs: opts.logPollMs } : {}) });
  }

  // ---- our own auditd ----
  let child: ChildProcess | undefined;
  let childExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let childExited: Promise<void> = Promise.resolve();
  const childErr: string[] = [];

  async function startDaemon(): Promise<void> {
    const wantSocket = opts.transport !== 'log';
    const sockOk = Buffer.byteLength(join(opts.dir, 'events.sock')) < 100; // sun_path is 108 bytes
    const files = await writeAuditdConfig(opts.dir, { socket: wantSocket && sockOk, logFormat: opts.logFormat ?? 'RAW' });
    // our private log from an earlier run (or an earlier daemon) was read then, or is stale:
    // a new daemon starts a new log, read from its beginning
    await Promise.all(['', '.1', '.2'].map((n) => rm(`${files.logFile}${n}`, { force: true })));
    const args = auditdArgs(files.etcDir, before.enabled === 0);
    // setpriv (util-linux) gives auditd a parent-death signal: if the agent is killed, its
    // auditd goes too instead of holding the kernel's audit pid
    const [cmd, ...cmdArgs] = !opts.auditd && SETPRIV !== undefined ? [SETPRIV, '--pdeathsig', 'TERM', '--', 'auditd', ...args] : [opts.auditd ?? 'auditd', ...args];
    childExit = undefined;
    const c = spawn(cmd!, cmdArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    childExited = new Promise((resolve) => {
      c.once('exit', (code, signal) => {
        childExit = { code, signal };
        if (!stopping) {
          reportError(new BulwarkError('IO', 'auditd', `exited unexpectedly (${signal ?? `code ${code}`}${code !== null && AUDITD_EXIT[code] ? `: ${AUDITD_EXIT[code]}` : ''}); starting it again`));
          restartDaemon();
        }
        resolve();
      });
      c.once('error', (e) => {
        childExit = { code: -1, signal: null };
        childErr.push(e.message);
        resolve();
      });
    });
    c.stderr?.on('data', (b: Buffer) => {
      if (childErr.join('').length < 4096) childErr.push(b.toString('utf8'));
    });
    undo.push({
      name: 'auditd',
      run: async () => {
        if (childExit) return;
        c.kill('SIGTERM');
        await Promise.race([childExited, sleep(5000)]);
        if (!childExit) {
          c.kill('SIGKILL');
          await Promise.race([childExited, sleep(2000)]);
        }
      },
      sync: () => {
        if (!childExit) c.kill('SIGTERM');
      },
    });
    const died = (): string | undefined =>
      childExit ? `auditd ${args.join(' ')} exited (${childExit.signal ?? `code ${childExit.code}`}${childExit.code !== null && AUDITD_EXIT[childExit.code] ? `: ${AUDITD_EXIT[childExit.code]}` : ''}) ${childErr.join('').trim()}`.trim() : undefined;
    await waitUntil('auditd', startTimeout, async () => (await auditStatus(ctl)).pid === c.pid, died);
    daemonPid = c.pid ?? 0;

    if (wantSocket && sockOk) {
      try {
        await waitUntil(files.socketPath, 2000, async () => existsSync(files.socketPath), died);
        await readSocket(files.socketPath);
        await sync(files.socketPath, Math.min(startTimeout, 3000));
        mode = 'daemon-socket';
        return;
      } catch (e) {
        if (opts.transport === 'socket') throw e;
        reportError(new BulwarkError('IO', files.socketPath, `af_unix plugin unusable, reading the log instead: ${messageOf(e)}`, { cause: e }));
        await closeSocket();
        splitter = new LineSplitter(onLine);
      }
    }
    await readLog(files.logFile, false);
    await sync(files.logFile, startTimeout);
    mode = 'daemon-log';
  }

  // Our auditd died (killed, crashed): start another, at most once every 5 s. Kernel rules stay loaded.
  let lastRestart = 0;
  function restartDaemon(): void {
    const wait = Math.max(0, lastRestart + 5000 - Date.now());
    setTimeout(() => {
      if (stopping) return;
      lastRestart = Date.now();
      void (async () => {
        await closeSocket();
        await tail?.stop();
        tail = undefined;
        splitter = new LineSplitter(onLine);
        await startDaemon();
        counters.daemonRestarts++;
      })().catch((e: unknown) => reportError(new BulwarkError('IO', 'auditd', `cannot start it again: ${messageOf(e)}`, { cause: e })));
    }, wait).unref();
  }

  async function attach(): Promise<void> {
    const configDir = opts.systemConfigDir ?? '/etc/audit';
    const running = await runningDaemonOutputs(configDir, before.pid);
    daemonPid = before.pid;
    const comm = (await readFile(`/proc/${before.pid}/comm`, 'utf8').catch(() => '?')).trim();
    const who = `audit daemon pid ${before.pid} (${comm})`;
    try {
      if (running.logFile) {
        await readLog(running.logFile, true);
        await sync(running.logFile, startTimeout);
        mode = 'attach-log';
      } else if (running.socketPath) {
        await readSocket(running.socketPath);
        // The af_unix plugin serves one reader; if another has it, nothing comes.
        await sync(running.socketPath, Math.min(startTimeout, 3000));
        mode = 'attach-socket';
      } else {
        throw new BulwarkError('IO', who, `its configuration (${configDir}) has no log and no af_unix plugin to read from`);
      }
    } catch (e) {
      if (e instanceof BulwarkError && e.input === who) throw e;
      throw new BulwarkError('IO', who, `cannot read its records (configuration ${configDir}): ${messageOf(e)}`, { cause: e });
    }
  }

  const keys = opts.rules === false ? [] : [...new Set((opts.rules ?? bulwarkRules()).map((r) => r.key))];
  const onExit = (): void => {
    for (const u of [...undo].reverse()) {
      try {
        u.sync();
      } catch {
        // best effort at exit
      }
    }
  };

  async function undoAll(): Promise<void> {
    const errors: string[] = [];
    while (undo.length > 0) {
      const u = undo.pop();
      if (!u) break;
      try {
        await u.run();
      } catch (e) {
        errors.push(`${u.name}: ${messageOf(e)}`);
      }
    }
    if (errors.length > 0) reportError(new BulwarkError('IO', 'audit source stop', errors.join('; ')));
  }

  let statsTimer: NodeJS.Timeout | undefined;
  const flushTimer = setInterval(() => assembler.flushExpired(), 200);
  flushTimer.unref();
  process.on('exit', onExit);

  try {
    // If audit is off, our auditd turns it on (-s enable), and we turn it off again after.
    if (before.enabled === 0) {
      // (2 is "locked": nothing can be changed.)
      undo.push({
        name: 'enabled',
        run: async () => void (await auditctlOk(['-e', '0'], ctl)),
        sync: () => void auditctlSync(['-e', '0'], ctl),
      });
    }
    // a registered daemon that is gone (its owner crashed) is replaced by ours: auditd takes
    // over the kernel's audit pid when the old one no longer answers
    if (before.pid !== 0 && (await alive(before.pid))) {
      if (before.enabled === 0) await auditctlOk(['-e', '1'], ctl);
      await attach();
    } else {
      await startDaemon();
    }
    if (before.enabled === 2) {
      // Locked (auditctl -e 2): no rule or setting can change until reboot; whatever rules
      // are in the kernel apply.
      reportError(new BulwarkError('IO', 'kernel audit', 'the audit configuration is locked (enabled 2): Bulwark’s rules and backlog cannot be installed; only rules already loaded apply'));
    } else {
      const backlog = opts.backlogLimit ?? 8192;
      if (before.backlogLimit < backlog) {
        await auditctlOk(['-b', String(backlog)], ctl);
        undo.push({
          name: 'backlog',
          run: async () => void (await auditctlOk(['-b', String(before.backlogLimit)], ctl)),
          sync: () => void auditctlSync(['-b', String(before.backlogLimit)], ctl),
        });
      }
      if (opts.rateLimit !== undefined && opts.rateLimit !== before.rateLimit) {
        await auditctlOk(['-r', String(opts.rateLimit)], ctl);
        undo.push({
          name: 'rate',
          run: async () => void (await auditctlOk(['-r', String(before.rateLimit)], ctl)),
          sync: () => void auditctlSync(['-r', String(before.rateLimit)], ctl),
        });
      }
      if (opts.rules !== false) {
        undo.push({ name: 'rules', run: () => removeRules(keys, ctl), sync: () => removeRulesSync(keys, ctl) });
        ruleResult = await installRules(opts.rules ?? bulwarkRules(), ctl);
      }
    }
  } catch (e) {
    stopping = true;
    clearInterval(flushTimer);
    await undoAll();
    await closeSocket();
    await tail?.stop();
    process.off('exit', onExit);
    await rm(join(opts.dir, 'etc'), { recursive: true, force: true });
    throw e;
  }

  const stats = (): AuditSourceStats => {
    const s: AuditSourceStats = {
      ...assembler.stats,
      malformed: assembler.stats.malformed + splitter.overlong,
      mode,
      daemonPid,
      ...counters,
      kernelLost: Math.max(0, status.lost - before.lost),
      kernelLostTotal: status.lost,
      backlog: status.backlog,
      backlogLimit: status.backlogLimit,
    };
    if (ruleResult) s.rules = ruleResult;
    return s;
  };

  async function refreshStats(): Promise<AuditSourceStats> {
    status = await auditStatus(ctl);
    if (status.lost > lostSeen) {
      const n = status.lost - lostSeen;
      lostSeen = status.lost;
      try {
        opts.onLost?.(n, status.lost - before.lost);
      } catch (e) {
        counters.callbackErrors++;
        reportError(e);
      }
    }
    return stats();
  }

  const interval = opts.statsIntervalMs ?? 5000;
  if (interval > 0) {
    statsTimer = setInterval(() => {
      refreshStats().catch(reportError);
    }, interval);
    statsTimer.unref();
  }

  let stopped: Promise<void> | undefined;
  return {
    get mode() {
      return mode;
    },
    stats,
    refreshStats,
    async catchUp() {
      await tail?.poll();
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        if (statsTimer) clearInterval(statsTimer);
        await refreshStats().catch(() => undefined);
        await undoAll();
        await closeSocket();
        await tail?.stop();
        splitter.end();
        clearInterval(flushTimer);
        assembler.flushAll();
        process.off('exit', onExit);
        await rm(join(opts.dir, 'etc'), { recursive: true, force: true });
        await rm(join(opts.dir, 'events.sock'), { force: true });
      })();
      return stopped;
    },
  };
}
