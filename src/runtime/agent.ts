import { hostname } from 'node:os';
import { join } from 'node:path';
import { messageOf } from '../core/errors.js';
import { ensureStateDir } from '../core/private-file.js';
import { inspectImage } from '../engine/images.js';
import { ServerClient } from '../events/server-client.js';
import { createSinks, type Sink, type SinkStats } from '../events/sinks/index.js';
import type { SecurityEvent } from '../events/event.js';
import { ActivityHandler } from './agent/activity.js';
import { BuiltinDetections } from './agent/builtins.js';
import { Emitter } from './agent/emitter.js';
import { Enforcer } from './agent/enforce.js';
import { ExecJudge } from './agent/exec-judge.js';
import { ExecSessions } from './agent/exec-sessions.js';
import { FileJudge } from './agent/file-judge.js';
import { PidTable } from './agent/pids.js';
import { ContainerReporter, type ReporterStats } from './agent/reporter.js';
import { ContainerWatches } from './agent/watches.js';
import { globalFileRules, releaseAgentFiles } from './audit/file-rules.js';
import { bulwarkRules } from './audit/rules.js';
import { startAuditSource, type AuditSource } from './audit/source.js';
import { ContainerTracker, type ContainerInfo } from './containers.js';
import { ForkGuard, type ForkGuardOptions } from './detectors/fork-guard.js';
import { ResourceMonitor, type ResourceThresholds } from './detectors/resources.js';
import { openFileGuard } from './fanotify/file-guard.js';
import { fanotifySupport, openExecGuard, type FanotifySupport } from './fanotify/index.js';
import { ProfileStore, type ProfileMode } from './profiles.js';
import { RuleSet } from './rules/ruleset.js';
import { guardPrefixes, PROTECTED_PATHS, PROTECTED_WRITE_PATHS } from './protected-paths.js';
import { SENSITIVE_FILES } from './sensitive-files.js';

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
  /**
   * File profiles of protected paths (learn, alert, refuse before open), through fanotify
   * FAN_OPEN_PERM on each container's overlay (default true where fanotify is available).
   */
  fileProfiles?: boolean;
  forkGuard?: (ForkGuardOptions & { intervalMs?: number }) | false;
  /** The file rules' audit watches and rules (audit/file-rules.ts; default true). */
  fileRules?: boolean;
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
  /** Install the syscall rules' audit rules (sockets, ptrace, mount, namespaces, modules, bpf; default true). */
  auditSyscalls?: boolean;
  /**
   * A Bulwark server to keep current about this host's containers (register, full list on
   * every reconnect, then deltas). Events go there through a `server` sink in `sinks`.
   */
  server?: AgentServerOptions;
  /** Every event, as it is sent to the sinks. */
  onEvent?(e: SecurityEvent): void;
  onError?(e: Error): void;
}

interface AgentServerOptions {
  url: string;
  token: string;
  /** PEM CA certificates to trust (the server's self-signed certificate). */
  ca?: Buffer;
  /** Default: this machine's hostname (the `host` of every event). */
  hostId?: string;
  agentVersion: string;
}

interface AgentStats {
  /** All sinks together: delivered, given up, dropped (counted, never silent), waiting. */
  sinks: SinkStats;
  /** The container reporter, when a server is configured. */
  reporter?: ReporterStats;
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
  stats(): AgentStats;
  stop(): Promise<void>;
}

/** The parts of a running agent, wired together by startAgent. */
interface Parts {
  sinks: Sink;
  rules: RuleSet;
  profiles: ProfileStore;
  builtins: BuiltinDetections;
  tracker: ContainerTracker;
  watches: ContainerWatches;
  activity: ActivityHandler;
  reporter?: ContainerReporter;
  onError(e: Error): void;
}

function fanotifyState(o: AgentOptions): FanotifySupport | { ok: false; mode: 'kill-after-exec'; reason: string } {
  return o.fanotify === false
    ? { ok: false, mode: 'kill-after-exec', reason: 'fanotify turned off' }
    : fanotifySupport();
}

function wire(o: AgentOptions, support: ReturnType<typeof fanotifyState>, audit: { source?: AuditSource }): Parts {
  const onError = o.onError ?? ((e: Error) => process.stderr.write(`bulwark agent: ${e.message}\n`));
  const sinks = createSinks(o.sinks ?? [{ type: 'jsonl' }], {
    onError: (e, info) =>
      onError(new Error(`sink ${info.sink}: ${messageOf(e)}${info.willRetry ? ' (will retry)' : ''}`)),
  });
  const rules = RuleSet.load(o.rules ?? []);
  const profiles = new ProfileStore(join(o.stateDir, 'profiles.json'));
  const emitter = new Emitter(sinks, hostname(), o.onEvent);
  const builtins = new BuiltinDetections(rules, emitter);
  const judge = new ExecJudge(profiles, { defaultMode: o.defaultMode ?? 'learn', blockDrift: o.blockDrift ?? false });
  const sessions = new ExecSessions(rules, emitter, () => audit.source?.catchUp());
  const reporter = o.server ? containerReporter(o.server, () => tracker.all(), onError) : undefined;
  const tracker: ContainerTracker = new ContainerTracker({
    onChange: (kind, c) => {
      reporter?.onChange(kind, c);
      void watches.onContainer(kind, c);
    },
    onExec: (c, command) => void sessions.onSession(c, command),
    onError,
  });
  const pids = new PidTable({
    containerById: (id) => tracker.forId(id),
    containerByDevice: (dev) => watches.containerByDevice(dev),
  });
  const activity = new ActivityHandler({
    rules,
    pids,
    judge,
    enforcer: new Enforcer(onError),
    emitter,
    builtins,
    sessions,
  });
  const openGuard = (first: string): ReturnType<typeof openExecGuard> =>
    // the container sees its root through a mount of its own namespace: mark the overlay filesystem, not one mount
    openExecGuard({
      path: first,
      scope: 'filesystem',
      timeoutMs: 1000,
      onError,
      decide: (held) => activity.decideHeldExec(held),
    });
  const files = fileProfiles(o, support, {
    rules,
    profiles,
    judge,
    builtins,
    containerById: (id) => watches.guardedContainer(id),
    onError,
  });
  // the files the rules call sensitive are the ones watched (a rule file can add to the list)
  const watches: ContainerWatches = new ContainerWatches({
    sensitiveFiles: rules.list('sensitive_files') ?? SENSITIVE_FILES,
    ...(support.ok ? { openGuard } : {}),
    ...files.watch,
    ...(o.fileRules === false ? { fileWatchDirs: false as const } : {}),
    onChange: () => judge.clear(),
    onError,
  });
  judge.onClear = () => {
    watches.clearGuardCache();
    files.judge?.clear();
  };
  return { sinks, rules, profiles, builtins, tracker, watches, activity, onError, ...(reporter ? { reporter } : {}) };
}

/** The server's view of this host's containers; images keyed by repo digest when the engine has one. */
function containerReporter(
  s: AgentServerOptions,
  containers: () => ContainerInfo[],
  onError: (e: Error) => void,
): ContainerReporter {
  const digests = new Map<string, Promise<string>>();
  const digestOf = (c: ContainerInfo): Promise<string> => {
    let d = digests.get(c.imageId);
    if (!d) {
      d = inspectImage(c.imageId)
        .then((i) => i.RepoDigests?.[0]?.split('@')[1] ?? c.imageId)
        .catch(() => c.imageId);
      digests.set(c.imageId, d);
    }
    return d;
  };
  return new ContainerReporter({
    client: new ServerClient({ url: s.url, token: s.token, ...(s.ca ? { ca: s.ca } : {}) }),
    hostId: s.hostId ?? hostname(),
    hostName: hostname(),
    agentVersion: s.agentVersion,
    containers,
    digestOf,
    onError,
  });
}

/** The file-profile parts: a judge and the guard's options, when fanotify can hold opens. */
function fileProfiles(
  o: AgentOptions,
  support: ReturnType<typeof fanotifyState>,
  p: Omit<ConstructorParameters<typeof FileJudge>[0], 'paths' | 'writePaths'> & {
    rules: RuleSet;
    onError(e: Error): void;
  },
): {
  judge?: FileJudge;
  watch: Pick<ConstructorParameters<typeof ContainerWatches>[0], 'openFileGuard' | 'fileGuardPrefixes'>;
} {
  if (!support.ok || o.fileProfiles === false) return { watch: {} };
  // the rules' lists say what is protected (a rule file can add to them)
  const paths = p.rules.list('protected_paths') ?? PROTECTED_PATHS;
  const writePaths = p.rules.list('protected_write_paths') ?? PROTECTED_WRITE_PATHS;
  const judge = new FileJudge({ ...p, paths, writePaths });
  const onError = (e: unknown): void => p.onError(e instanceof Error ? e : new Error(messageOf(e)));
  return {
    judge,
    watch: {
      fileGuardPrefixes: guardPrefixes([...paths, ...writePaths]),
      openFileGuard: (first, prefixes) =>
        openFileGuard({ path: first, prefixes, timeoutMs: 1000, onError, decide: (ev) => judge.decideHeldOpen(ev) }),
    },
  };
}

function startAudit(o: AgentOptions, parts: Parts, support: ReturnType<typeof fanotifyState>): Promise<AuditSource> {
  let queue = Promise.resolve();
  const { onError } = parts;
  return startAuditSource({
    dir: join(o.stateDir, 'audit'),
    rules: [
      ...bulwarkRules({
        sensitiveFiles: parts.rules.list('sensitive_files') ?? SENSITIVE_FILES,
        syscalls: o.auditSyscalls !== false,
      }),
      ...(o.fileRules === false ? [] : globalFileRules(undefined, releaseAgentFiles())),
    ],
    // without fanotify, kills come after the exec's audit record: read it as soon as it comes
    transport: (o.auditRead ?? (support.ok ? 'log' : 'socket')) === 'socket' ? 'auto' : 'log',
    logPollMs: o.auditPollMs ?? 50,
    statsIntervalMs: 30_000, // lost-event counts need no finer grain; each look spawns auditctl
    // one record after the other: an exec's record says whose a pid is before that pid's next records are read
    onEvent: (a) => {
      queue = queue
        .then(() => parts.activity.onActivity(a))
        .catch((e: unknown) => onError(e instanceof Error ? e : new Error(messageOf(e))));
    },
    onError,
    onLost: (lost) => onError(new Error(`the kernel dropped ${lost} audit events`)),
  });
}

function startDetectors(o: AgentOptions, parts: Parts): { stop(): void } {
  const containers = (): ContainerInfo[] => parts.tracker.all();
  const forks =
    o.forkGuard === false ? undefined : new ForkGuard(containers, (f) => parts.builtins.forkBomb(f), o.forkGuard ?? {});
  const monitor = o.resources
    ? new ResourceMonitor(containers, o.resources, (r) => parts.builtins.resourceThreshold(r), o.resources.intervalMs)
    : undefined;
  forks?.start();
  monitor?.start();
  return {
    stop() {
      forks?.stop();
      monitor?.stop();
    },
  };
}

/**
 * Profiles are written as they change (a crash loses at most one interval), take in edits of
 * their file (`bulwark profiles mode`), and leave learning when their period ends.
 */
function startHousekeeping(o: AgentOptions, parts: Parts): NodeJS.Timeout {
  const { profiles } = parts;
  let dropped = 0;
  const timer = setInterval(
    () => {
      // drops are counted and said, never silent
      const now = parts.sinks.stats().dropped;
      if (now > dropped) parts.onError(new Error(`sinks dropped ${now - dropped} events (${now} in all): queue full`));
      dropped = now;
      try {
        profiles.reloadIfEdited();
        if (o.learnPeriodMs !== undefined) {
          const mode = o.afterLearn ?? 'monitor';
          for (const key of profiles.endLearning(o.learnPeriodMs, mode))
            parts.builtins.profileLearned(key, mode, profiles.allowed(key).length);
        }
        profiles.saveIfChanged();
      } catch (e) {
        parts.onError(new Error(`profiles: ${messageOf(e)}`));
      }
    },
    Math.max(250, Math.min(o.saveIntervalMs ?? 10_000, (o.learnPeriodMs ?? Infinity) / 4)),
  );
  timer.unref();
  return timer;
}

export async function startAgent(o: AgentOptions): Promise<Agent> {
  ensureStateDir(o.stateDir);
  const support = fanotifyState(o);
  // set once the audit source runs (after the containers are known)
  const audit: { source?: AuditSource } = {};
  const parts = wire(o, support, audit);
  await parts.tracker.start();
  parts.reporter?.start();
  for (const c of parts.tracker.all()) if (c.running) await parts.watches.onContainer('start', c);
  audit.source = await startAudit(o, parts, support);
  const detectors = startDetectors(o, parts);
  const housekeeping = startHousekeeping(o, parts);
  return {
    enforcement: support.ok ? 'deny-before-exec' : 'kill-after-exec',
    enforcementReason: support.reason,
    profiles: parts.profiles,
    profileKey: (c) => ExecJudge.profileKey(c),
    containers: () => parts.tracker.all(),
    stats: () => ({ sinks: parts.sinks.stats(), ...(parts.reporter ? { reporter: parts.reporter.stats() } : {}) }),
    async stop() {
      clearInterval(housekeeping);
      detectors.stop();
      parts.tracker.stop();
      await parts.reporter?.close();
      await audit.source?.stop();
      parts.watches.close();
      parts.profiles.save();
      await parts.sinks.close({ flushTimeoutMs: 2000 });
    },
  };
}
