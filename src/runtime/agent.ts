import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join, posix } from 'node:path';
import { messageOf } from '../core/errors.js';
import type { Severity } from '../core/types.js';
import { engineRequest, readBody } from '../image/engine.js';
import { auditctl } from './audit/control.js';
import type { AuditActivity, ExecEvent as ExecActivity } from './audit/interpret.js';
import { bulwarkRules, KEYS, sensitiveWatches } from './audit/rules.js';
import { startAuditSource } from './audit/source.js';
import { ContainerTracker, type ContainerInfo } from './containers.js';
import { containerPath, isDrift } from './detectors/drift.js';
import { ForkGuard, type ForkGuardEvent, type ForkGuardOptions } from './detectors/fork-guard.js';
import { describeResource, ResourceMonitor, type ResourceEvent, type ResourceThresholds } from './detectors/resources.js';
import type { EventAction, SecurityEvent } from '../events/event.js';
import { fanotifySupport, openExecGuard } from './fanotify/index.js';
import { killInContainer } from './kill.js';
import { liveProcess, procStat } from './proc.js';
import { ProfileStore, type ProfileMode } from './profiles.js';
import { ensureStateDir } from '../core/private-file.js';
import type { Fields } from './rules/condition.js';
import { RuleSet, type RuleMatch } from './rules/ruleset.js';
import { SENSITIVE_FILES } from './sensitive-files.js';
import { createSinks, type Sink } from '../events/sinks/index.js';

// `bulwark agent`: every container on this Docker host watched from kernel events. Audit
// supplies exec, open, connect and privilege changes; the Engine's event stream the
// containers and exec sessions; cgroups the process counts. Detections go through the
// rules and out to the sinks. In Protect mode fanotify refuses a drifted or unlisted
// program before it runs; where it cannot, the process is killed right after its exec.

export interface AgentOptions {
  /** Private state directory: profiles, the audit daemon's files. */
  stateDir: string;
  /** Sink configurations (default: JSON lines on stdout). */
  sinks?: readonly unknown[];
  /** User rule files, loaded after the defaults. */
  rules?: string[];
  /** Mode for workloads without a profile yet (default learn). */
  defaultMode?: ProfileMode;
  /** End learning after this long: learning profiles move to `afterLearn` (default: learn until told). */
  learnPeriodMs?: number;
  afterLearn?: 'monitor' | 'protect';
  /** How often changed profiles are written (default 10 s; also at stop). */
  saveIntervalMs?: number;
  /** Refuse drifted executables in every container (default: alert only). */
  blockDrift?: boolean;
  /** Use fanotify to refuse before exec when available (default true). */
  fanotify?: boolean;
  forkGuard?: (ForkGuardOptions & { intervalMs?: number }) | false;
  /** Per-container resource thresholds (none by default). */
  resources?: ResourceThresholds & { intervalMs?: number };
  /**
   * How audit records are read from the agent's own auditd: "log" reads its log at once
   * after a quiet spell (inotify) and every `auditPollMs` (default 50 ms) while records keep
   * coming, so a busy host costs 20 reads a second, not one wake-up per record; "socket"
   * reads its af_unix dispatcher as each record comes (p50 7 ms, twice the CPU). Default: log
   * where fanotify enforces before exec, socket where kills wait for the audit record.
   */
  auditRead?: 'log' | 'socket';
  auditPollMs?: number;
  /** Every event, as it is sent to the sinks. */
  onEvent?(e: SecurityEvent): void;
  onError?(e: Error): void;
}

export interface Agent {
  /** deny-before-exec (fanotify) or kill-after-exec. */
  readonly enforcement: 'deny-before-exec' | 'kill-after-exec';
  readonly enforcementReason: string;
  readonly profiles: ProfileStore;
  /** The profile key of a container: its image id. */
  profileKey(c: ContainerInfo): string;
  /** The containers the agent knows now. */
  containers(): ContainerInfo[];
  stop(): Promise<void>;
}

const DOCKER_CLIENTS = new Set(['docker', 'docker.io']);

/** A process as judged: its pid and, when known, its start time (the two name it for good). */
interface Proc {
  pid: number;
  start?: number;
}

interface Judged {
  exe: string;
  j: { drift: boolean; block: boolean; reason?: string; profileViolation: boolean };
}

/** What the agent knows of a pid: the process's start time, its container (none: a host process), the judgement of its exec. */
interface PidEntry {
  start?: number;
  c: ContainerInfo;
  judged?: Judged;
}

interface Identity extends Partial<PidEntry> {
  /** Running now (its cgroup was read); false: gone before its record was read. */
  live: boolean;
}

function commOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The fields plus proc.pname, read from /proc only if a rule looks at it (most events match nothing). */
function withParentName(fields: Record<string, Fields[string]>, ppid: number): Fields {
  let pname: string | undefined;
  Object.defineProperty(fields, 'proc.pname', { enumerable: true, get: () => (pname ??= commOf(ppid) ?? '') });
  return fields;
}

async function userName(uid: number | undefined): Promise<string | undefined> {
  if (uid === undefined) return undefined;
  try {
    const line = (await readFile('/etc/passwd', 'utf8')).split('\n').find((l) => l.split(':')[2] === String(uid));
    return line?.split(':')[0] ?? String(uid);
  } catch {
    return String(uid);
  }
}

export async function startAgent(o: AgentOptions): Promise<Agent> {
  ensureStateDir(o.stateDir);
  const onError = o.onError ?? ((e: Error) => process.stderr.write(`bulwark agent: ${e.message}\n`));
  const sinks: Sink = createSinks(o.sinks ?? [{ type: 'jsonl' }], { onError: (e, info) => onError(new Error(`sink ${info.sink}: ${messageOf(e)}${info.willRetry ? ' (will retry)' : ''}`)) });
  const rules = RuleSet.load(o.rules ?? []);
  // the files the rules call sensitive are the ones watched (a rule file can add to the list)
  const sensitive = rules.list('sensitive_files') ?? SENSITIVE_FILES;
  const profiles = new ProfileStore(join(o.stateDir, 'profiles.json'));
  const profileKey = (c: ContainerInfo): string => `image:${c.imageId}`;
  const modeOf = (c: ContainerInfo): ProfileMode => (profiles.hasProfile(profileKey(c)) ? profiles.mode(profileKey(c)) : o.defaultMode ?? 'learn');
  const host = hostname();
  // host processes that ran the docker client recently: who started an exec session
  const clients: { at: number; uid?: number; auid?: number; argv: string[] }[] = [];
  const watched = new Map<string, string[][]>(); // container id → the audit watches added for it

  const send = (base: Omit<SecurityEvent, 'id' | 'time' | 'host'> & { time?: string }): SecurityEvent => {
    const e: SecurityEvent = { id: randomUUID(), host, ...base, time: base.time ?? new Date().toISOString() };
    sinks.emit(e);
    o.onEvent?.(e);
    return e;
  };
  const container = (c: ContainerInfo): NonNullable<SecurityEvent['container']> => ({ id: c.id, name: c.name, image: c.image, imageDigest: c.imageId });

  const fromMatch = (m: RuleMatch, c: ContainerInfo | undefined, extra: Partial<SecurityEvent>, action: EventAction): SecurityEvent =>
    send({ rule: m.rule.name, severity: m.rule.severity, message: m.message, stride: m.rule.stride, attack: m.rule.attack, action, ...(c ? { container: container(c) } : {}), ...extra });

  /** Kills the process (the one that started at `start`) with its descendants, inside the container only. */
  async function kill(c: ContainerInfo, p: Proc): Promise<EventAction> {
    try {
      return (await killInContainer(c.id, p.pid, p.start)).length > 0 ? 'killed' : 'alert';
    } catch (e) {
      onError(new Error(`kill ${p.pid} in ${c.name}: ${messageOf(e)}`));
      return 'alert';
    }
  }

  async function act(rule: RuleMatch['rule'], c: ContainerInfo, p: Proc): Promise<EventAction> {
    try {
      if (rule.action === 'kill') return await kill(c, p);
      if (rule.action === 'pause' || rule.action === 'stop') {
        const r = await engineRequest('POST', `/containers/${c.id}/${rule.action}`);
        await readBody(r.body);
        return rule.action === 'pause' ? 'paused' : 'stopped';
      }
    } catch (e) {
      onError(new Error(`${rule.name}: ${rule.action} failed: ${messageOf(e)}`));
    }
    return 'alert';
  }

  // --- fanotify: refuse before exec -----------------------------------------------------
  const support = o.fanotify === false ? { ok: false, mode: 'kill-after-exec' as const, reason: 'fanotify turned off' } : fanotifySupport();
  // set once the audit source runs (after the containers are known)
  const auditRef: { source?: Awaited<ReturnType<typeof startAuditSource>> } = {};
  const tracker = new ContainerTracker({
    onChange: (kind, c) => void onContainer(kind, c),
    onExec: (c, command) => void onExecSession(c, command),
    onError,
  });
  // each running container's overlay is a filesystem of its own: its device names the container
  const byDev = new Map<number, ContainerInfo>();

  /** Whether an exec of `exe` in `c` must be refused, and why. */
  async function judgeExec(c: ContainerInfo, exe: string): Promise<Judged['j']> {
    const drift = await isDrift(c, exe);
    const key = profileKey(c);
    if (!profiles.hasProfile(key)) profiles.setMode(key, modeOf(c));
    const v = profiles.observe(key, exe);
    const block = (drift && (o.blockDrift ?? false)) || v.block;
    return { drift, block, profileViolation: v.violation, ...(v.reason ? { reason: v.reason } : {}) };
  }

  let guard: ReturnType<typeof openExecGuard> | undefined;
  const openGuard = (first: string): ReturnType<typeof openExecGuard> =>
    openExecGuard({
        path: first,
        // the container sees its root through a mount of its own namespace: mark the overlay filesystem, not one mount
        scope: 'filesystem',
        timeoutMs: 1000,
        onError,
        decide: async (ev) => {
          // the process waits for our answer, so it lives: its cgroup says whose it is (a host
          // process running a file from a container's root is no container's business)
          const who = await identify(ev.pid);
          const c = who.c;
          if (!c) return true;
          const exe = containerPath(c, ev.path);
          if (!exe) return true;
          const j = await judgeExec(c, exe);
          // the audit record of this exec comes later: it reuses the judgement
          remember(ev.pid, who.start, c, { exe, j });
          const key = `${ev.dev}:${ev.ino}:${exe}`;
          if (!j.block) {
            // nothing to say about it: the kernel-side cache allows it again unasked while the
            // file stays the same, and its audit records skip judging
            if (!j.drift && !j.profileViolation && ev.dev >= 0) {
              clean.add(key);
              return 'cache';
            }
            clean.delete(key);
            return true;
          }
          clean.delete(key);
          const fields: Fields = { 'evt.type': 'exec', 'proc.exe': exe, 'proc.name': basename(exe), 'proc.pid': ev.pid, 'proc.drift': j.drift, ...containerFields(c) };
          const matches = rules.match(fields);
          for (const m of matches) fromMatch(m, c, { process: { pid: ev.pid, exe }, file: { path: exe, operation: 'exec' } }, 'denied');
          if (j.profileViolation && !j.drift) sendProfileEvent(c, ev.pid, exe, j.reason ?? '', 'denied');
          return false;
        },
      });
  // pid → container (and the judgement of its exec), learned while the exec waits for our
  // decision: short-lived processes are gone (with their cgroup file) by the time their
  // audit records arrive
  type Judgement = Judged['j'];
  // execs the guard allows from its cache, as dev:ino:path: judged clean (no drift, in the profile)
  const clean = new Set<string>();
  const CLEAN: Judgement = { drift: false, block: false, profileViolation: false };
  const clearCaches = (): void => {
    clean.clear();
    guard?.clearCache();
  };
  // a changed profile can make a cached answer wrong
  profiles.onChange = clearCaches;
  // container processes by pid, each entry valid only for the process that started at `start`
  // (pids are reused). Host processes are not kept: a process enters its container's cgroup
  // after it starts (runc moves it), never the other way.
  const pids = new Map<number, PidEntry>();
  const remember = (pid: number, start: number | undefined, c: ContainerInfo, judged?: PidEntry['judged']): void => {
    pids.delete(pid); // re-inserted last: the map stays in age order
    pids.set(pid, { ...(start !== undefined ? { start } : {}), c, ...(judged ? { judged } : {}) });
    if (pids.size > 10_000) pids.delete(pids.keys().next().value!);
  };

  /**
   * The container of the process at `pid`. While it lives, its cgroup says (a cached answer
   * counts only for the same process: same start time). Once gone, what was recorded while it
   * ran, or else the filesystem of the file it ran (`dev`, for an exec) — never its parent's.
   */
  async function identify(pid: number, dev?: number): Promise<Identity> {
    const cached = pids.get(pid);
    const st = procStat(pid);
    if (st && cached && cached.start === st.startTicks) return { ...cached, live: true };
    const live = st ? liveProcess(pid, st) : undefined;
    if (live) {
      const c = live.containerId ? await tracker.forId(live.containerId) : undefined;
      if (c) remember(pid, live.startTicks, c);
      else pids.delete(pid);
      return { live: true, start: live.startTicks, ...(c ? { c } : {}) };
    }
    // gone: what was recorded while it ran (unless another process has the pid now)
    if (cached && !st) return { ...cached, live: false };
    const c = dev !== undefined ? byDev.get(dev) : undefined;
    return { live: false, ...(c ? { c } : {}) };
  }

  function sendProfileEvent(c: ContainerInfo, pid: number, exe: string, reason: string, action: EventAction): void {
    send({
      rule: 'Unlisted executable', severity: 'HIGH', stride: 'ElevationOfPrivilege', attack: 'T1204',
      message: `${exe} ran in ${c.name} (${c.image}): ${reason}`, action, container: container(c), process: { pid, exe }, file: { path: exe, operation: 'exec' },
      fields: { mode: profiles.mode(profileKey(c)) },
    });
  }

  function containerFields(c: ContainerInfo): Fields {
    return { 'container.id': c.id, 'container.name': c.name, 'container.image': c.image };
  }

  async function onContainer(kind: 'start' | 'stop' | 'remove', c: ContainerInfo): Promise<void> {
    // overlay devices are reused by later containers: cached answers name devices
    clearCaches();
    try {
      if (kind === 'start' && c.mergedDir) {
        try {
          byDev.set(statSync(c.mergedDir).dev, c);
        } catch {
          // gone already: pids say which container
        }
        if (support.ok) {
          if (guard) guard.add(c.mergedDir);
          else guard = openGuard(c.mergedDir);
        }
        // audit watches see files by inode: watch the container's own copies of the sensitive files
        const added: string[][] = [];
        for (const args of sensitiveWatches(sensitive, c.mergedDir)) if ((await auditctl(args)).code === 0) added.push(args);
        watched.set(c.id, added);
      } else if (kind !== 'start') {
        for (const [dev, x] of byDev) if (x.id === c.id) byDev.delete(dev);
        if (c.mergedDir) guard?.remove(c.mergedDir);
        for (const args of watched.get(c.id) ?? []) await auditctl(args.map((a) => (a === '-w' ? '-W' : a)));
        watched.delete(c.id);
      }
    } catch (e) {
      onError(new Error(`container ${c.name}: ${messageOf(e)}`));
    }
  }

  async function onExecSession(c: ContainerInfo, command: string): Promise<void> {
    // the docker client that asked for it, from the host's recent exec events; the engine
    // can tell before the audit log is read: read it now, then give it a moment
    const find = (): (typeof clients)[number] | undefined => {
      const now = Date.now();
      return [...clients].reverse().find((x) => now - x.at < 10_000 && x.argv.includes('exec') && x.argv.some((a) => a === c.name || (a.length >= 12 && c.id.startsWith(a))));
    };
    let client = find();
    for (let i = 0; !client && i < 4; i++) {
      await (i === 0 ? auditRef.source?.catchUp() : new Promise((r) => setTimeout(r, 50)));
      client = find();
    }
    const who = client ? await userName(client.auid ?? client.uid) : undefined;
    const fields: Fields = { 'evt.type': 'container_exec', 'proc.cmdline': command, 'proc.args': command.split(' '), 'user.name': who ?? '<unknown>', ...(client?.uid !== undefined ? { 'user.uid': client.uid } : {}), ...containerFields(c) };
    for (const m of rules.match(fields)) fromMatch(m, c, { ...(client ? { process: { pid: 0, args: command.split(' '), ...(client.uid !== undefined ? { uid: client.uid } : {}), ...(client.auid !== undefined ? { auid: client.auid } : {}), ...(who ? { user: who } : {}) } } : {}), fields: { command } }, 'alert');
  }

  async function onActivity(a: AuditActivity): Promise<void> {
    const who = await identify(a.pid, a.kind === 'exec' ? a.dev : undefined);
    // who ran an exec session: a docker client on the host, never one in a container (whose
    // word would be anyone's), nor one gone before we could tell where it ran
    if (a.kind === 'exec' && a.exe && DOCKER_CLIENTS.has(basename(a.exe)) && who.live && !who.c) {
      clients.push({ at: Date.now(), uid: a.uid, ...(a.auid !== undefined ? { auid: a.auid } : {}), argv: a.argv });
      if (clients.length > 100) clients.shift();
    }
    const c = who.c;
    if (!c) return;
    const p: Proc = { pid: a.pid, ...(who.start !== undefined ? { start: who.start } : {}) };
    const base: Fields = {
      'proc.pid': a.pid, 'proc.ppid': a.ppid, 'proc.name': a.comm ?? (a.exe ? basename(a.exe) : ''), 'proc.exe': a.exe ?? '',
      'user.uid': a.uid, ...(a.auid !== undefined ? { 'user.loginuid': a.auid } : {}), ...containerFields(c),
    };
    const time = a.time.toISOString(); // the kernel's time: latency is measured from it
    const proc = { pid: a.pid, ppid: a.ppid, uid: a.uid, ...(a.exe ? { exe: a.exe } : {}), ...(a.auid !== undefined ? { auid: a.auid } : {}), ...(a.cwd ? { cwd: a.cwd } : {}) };
    if (a.kind === 'exec' && a.success && a.exe) {
      await onExec(a as ExecActivity, c, p, who.judged, base, time, proc);
    } else if (a.kind === 'open' && a.key === KEYS.sensitive) {
      const path = containerPath(c, a.path) ?? a.path;
      const fields = withParentName({ ...base, 'evt.type': 'open', 'fd.name': path, 'fd.directory': posix.dirname(path), 'fd.write': a.write ?? false }, a.ppid);
      for (const m of rules.match(fields)) fromMatch(m, c, { time, process: proc, file: { path, operation: a.write ? 'write' : 'read' } }, await act(m.rule, c, p));
    } else if (a.kind === 'connect' && (a.family === 'inet' || a.family === 'inet6')) {
      const fields = withParentName({ ...base, 'evt.type': 'connect', 'net.address': a.address, ...(a.port !== undefined ? { 'net.port': a.port } : {}), 'evt.success': a.success }, a.ppid);
      for (const m of rules.match(fields)) fromMatch(m, c, { time, process: proc, fields: { address: a.address, ...(a.port !== undefined ? { port: a.port } : {}) } }, await act(m.rule, c, p));
    } else if (a.kind === 'setuid' && a.exe !== '/' && !a.comm?.startsWith('runc')) {
      // (the runtime itself sets the user of every process it starts in a container: not a change)
      const fields = withParentName({ ...base, 'evt.type': 'setuid' }, a.ppid);
      for (const m of rules.match(fields)) fromMatch(m, c, { time, process: proc, fields: { cause: a.cause } }, await act(m.rule, c, p));
    }
  }

  /** A program that ran in a container: judged (or the judgement fanotify made reused), learned, killed in Protect. */
  async function onExec(a: ExecActivity, c: ContainerInfo, p: Proc, judged: Judged | undefined, base: Fields, time: string, proc: NonNullable<SecurityEvent['process']>): Promise<void> {
    const exe = a.exe!;
    // (an exec fanotify refused fails, and its record says so: only programs that ran get here)
    const j = judged?.exe === exe ? judged.j : clean.has(`${a.dev}:${a.ino}:${exe}`) ? CLEAN : await judgeExec(c, exe);
    remember(a.pid, p.start, c);
    // run by another name (a busybox applet, an alternatives link): the profile holds the
    // name too. fanotify sees only the file, so an unlisted name of a listed file is
    // killed right after its exec.
    const byName = a.path && a.path !== exe && !j.drift ? profiles.observe(profileKey(c), a.path) : undefined;
    const fields = withParentName({ ...base, 'evt.type': 'exec', 'proc.args': a.argv, 'proc.cmdline': a.argv.join(' '), 'proc.drift': j.drift }, a.ppid);
    // fanotify did not stop it (not available, raced, or only the name is unlisted): kill right
    // after exec, once, with whatever it started meanwhile
    const blockNow = j.block || (byName?.block ?? false);
    let killed: Promise<EventAction> | undefined;
    const killOnce = (): Promise<EventAction> => (killed ??= kill(c, p));
    for (const m of rules.match(fields)) {
      const action = blockNow || m.rule.action === 'kill' ? await killOnce() : await act(m.rule, c, p);
      fromMatch(m, c, { time, process: { ...proc, args: a.argv }, file: { path: exe, operation: 'exec' } }, action);
    }
    if ((j.profileViolation || byName?.violation) && !j.drift) {
      const action: EventAction = blockNow ? await killOnce() : 'alert';
      if (j.profileViolation) sendProfileEvent(c, a.pid, exe, j.reason ?? '', action);
      else sendProfileEvent(c, a.pid, a.path!, `${byName?.reason ?? ''} (it is ${exe})`, action);
    }
  }

  let activity = Promise.resolve();
  await tracker.start();
  for (const c of tracker.all()) if (c.running) await onContainer('start', c);
  const audit = await startAuditSource({
    dir: join(o.stateDir, 'audit'),
    rules: bulwarkRules({ sensitiveFiles: sensitive }),
    // without fanotify, kills come after the exec's audit record: read it as soon as it comes
    transport: (o.auditRead ?? (support.ok ? 'log' : 'socket')) === 'socket' ? 'auto' : 'log',
    logPollMs: o.auditPollMs ?? 50,
    statsIntervalMs: 30_000, // lost-event counts need no finer grain; each look spawns auditctl
    // one record after the other: an exec's record says whose a pid is before that pid's next records are read
    onEvent: (a) => {
      activity = activity.then(() => onActivity(a)).catch((e: unknown) => onError(e instanceof Error ? e : new Error(messageOf(e))));
    },
    onError,
    onLost: (lost) => onError(new Error(`the kernel dropped ${lost} audit events`)),
  });
  auditRef.source = audit;

  const forks = o.forkGuard === false
    ? undefined
    : new ForkGuard(() => tracker.all(), (f: ForkGuardEvent) => {
        const severity: Severity = 'CRITICAL';
        send({
          rule: 'Fork bomb', severity, stride: 'DenialOfService', attack: 'T1499.001', container: container(f.container),
          message: `fork bomb in ${f.container.name} (${f.container.image}): ${f.reason}${f.containment ? `; pids limit set to ${f.containment.pidsLimit}, ${f.containment.killed} ${f.containment.program ?? ''} processes killed` : ''}${f.error ? `; containment failed: ${f.error}` : ''}`,
          action: f.containment ? 'limited' : 'alert',
          ...(f.containment ? { fields: { pidsLimit: f.containment.pidsLimit, killed: f.containment.killed } } : {}),
        });
      }, o.forkGuard ?? {});
  forks?.start();
  const monitor = o.resources
    ? new ResourceMonitor(() => tracker.all(), o.resources, (r: ResourceEvent) => {
        send({
          rule: 'Resource threshold', severity: 'MEDIUM', stride: 'DenialOfService', attack: 'T1496', container: container(r.container), action: 'alert',
          message: `${r.container.name} (${r.container.image}) uses ${describeResource(r)}`, fields: { resource: r.resource, value: r.value, threshold: r.threshold },
        });
      }, o.resources.intervalMs)
    : undefined;
  monitor?.start();

  // profiles are written as they change (a crash loses at most one interval), take in edits of
  // their file (`bulwark profiles mode`), and leave learning when their period ends
  const housekeeping = setInterval(() => {
    try {
      profiles.reloadIfEdited();
      if (o.learnPeriodMs !== undefined) {
        const mode = o.afterLearn ?? 'monitor';
        for (const key of profiles.endLearning(o.learnPeriodMs, mode)) {
          send({
            rule: 'Profile learned', severity: 'LOW', stride: 'Repudiation', attack: 'T1204', action: 'alert',
            message: `learning ended for ${key}: ${profiles.allowed(key).length} programs allowed, now in ${mode} mode`, fields: { profile: key, mode, programs: profiles.allowed(key).length },
          });
        }
      }
      profiles.saveIfChanged();
    } catch (e) {
      onError(new Error(`profiles: ${messageOf(e)}`));
    }
  }, Math.max(250, Math.min(o.saveIntervalMs ?? 10_000, (o.learnPeriodMs ?? Infinity) / 4)));
  housekeeping.unref();

  return {
    enforcement: support.ok ? 'deny-before-exec' : 'kill-after-exec',
    enforcementReason: support.reason,
    profiles,
    profileKey,
    containers: () => tracker.all(),
    async stop() {
      clearInterval(housekeeping);
      forks?.stop();
      monitor?.stop();
      tracker.stop();
      await audit.stop();
      guard?.close();
      profiles.save();
      await sinks.close({ flushTimeoutMs: 2000 });
    },
  };
}
