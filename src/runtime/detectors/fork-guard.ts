import { updateContainer } from '../../engine/containers.js';
import { type CgroupStats, forgetCgroup, pidsCounters } from '../cgroup.js';
import type { ContainerInfo } from '../containers.js';
import { bombLeft, killRound, uptimeTicks } from './fork-containment.js';

// The fork guard: a container whose process count races up (or keeps hitting its pids
// limit) is running a fork bomb. Containment: cap its pids limit where it stands, so no
// more processes can start, then — the container frozen for a moment — kill the program
// that replicates itself (fork-containment.ts), leaving the container's first process and
// other work. One bomb is one episode: an event when it starts (what was seen), rounds of
// killing without events while it lasts, an event when it is over (what was killed).

export interface ForkGuardOptions {
  /** Processes per container that count as a bomb when no limit is set (default 500). */
  maxPids?: number;
  /** Share of the pids limit that counts as a bomb (default 0.8). */
  limitShare?: number;
  /** New processes per second that count as a bomb (default 200). */
  maxForkRate?: number;
}

export interface ForkVerdict {
  bomb: boolean;
  reason?: string;
}

/** Judges two samples of a container's counters taken `elapsedMs` apart. */
export function judgeForks(
  c: Pick<ContainerInfo, 'pidsLimit'>,
  prev: CgroupStats | undefined,
  now: CgroupStats,
  elapsedMs: number,
  o: ForkGuardOptions = {},
): ForkVerdict {
  const pids = now.pids ?? now.procs.length;
  if (prev?.pidsRefused !== undefined && now.pidsRefused !== undefined && now.pidsRefused > prev.pidsRefused) {
    return {
      bomb: true,
      reason: `${now.pidsRefused - prev.pidsRefused} forks refused at the pids limit (${pids} processes)`,
    };
  }
  if (c.pidsLimit && pids >= c.pidsLimit * (o.limitShare ?? 0.8))
    return {
      bomb: true,
      reason: `${pids} processes, ${Math.round((pids / c.pidsLimit) * 100)}% of the pids limit ${c.pidsLimit}`,
    };
  if (!c.pidsLimit && pids >= (o.maxPids ?? 500)) return { bomb: true, reason: `${pids} processes and no pids limit` };
  if (prev && elapsedMs > 0) {
    const rate = (pids - (prev.pids ?? prev.procs.length)) / (elapsedMs / 1000);
    if (rate >= (o.maxForkRate ?? 200))
      return { bomb: true, reason: `${Math.round(rate)} new processes per second (${pids} now)` };
  }
  return { bomb: false };
}

/** What the guard saw when a bomb started. */
interface ForkStart {
  phase: 'start';
  container: ContainerInfo;
  reason: string;
  /** Processes in the container. */
  processes: number;
  /** New processes per second since the sample before (absent on the first sample). */
  rate?: number;
  /** The container's pids limit (absent: none). */
  pidsLimit?: number;
  /** Whether the guard contains it (caps the limit, kills the copies) or only reports. */
  contain: boolean;
}

/** What the guard did by the time the bomb was over. */
interface ForkEnd {
  phase: 'end';
  container: ContainerInfo;
  /** The start event's reason. */
  reason: string;
  durationMs: number;
  /** Most processes seen during the episode. */
  peak: number;
  killed: number;
  /** The replicating program (comm), when one stood out. */
  program?: string;
  /** The pids limit the guard set. */
  cappedAt?: number;
  /** Processes left in the container (0: it stopped). */
  left: number;
  error?: string;
}

export type ForkGuardEvent = ForkStart | ForkEnd;

interface Episode {
  start: ForkStart;
  startedAt: number;
  peak: number;
  killed: number;
  program?: string;
  cappedAt?: number;
  error?: string;
  /** Since when nothing was killed and the counters looked normal. */
  calmSince?: number;
}

/** Per container: the last sample, the last calm baseline, the episode under way. */
interface Watch {
  last?: { at: number; stats: CgroupStats };
  calmPids?: number;
  /** Start time (clock ticks) of the last calm sample before the count began to rise. */
  sinceTicks?: number;
  episode?: Episode;
}

/** An episode ends once this long passes with nothing to kill and the counters normal. */
const QUIET_MS = 1000;
/** Kill rounds within one sample, for copies that were mid-fork when the container froze. */
const ROUNDS = 10;

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const pidsOf = (s: CgroupStats): number => s.pids ?? s.procs.length;

/** Samples every running container's counters on an interval; contains what it judges a bomb. */
export class ForkGuard {
  private timer?: NodeJS.Timeout;
  private readonly watches = new Map<string, Watch>();
  private readonly busy = new Set<string>();

  constructor(
    private readonly containers: () => ContainerInfo[],
    private readonly onEvent: (e: ForkGuardEvent) => void,
    private readonly o: ForkGuardOptions & { intervalMs?: number; contain?: boolean } = {},
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs ?? 100);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    const list = this.containers();
    this.forgetGone(list);
    for (const c of list) {
      if (!c.running || this.busy.has(c.id)) continue;
      this.busy.add(c.id);
      try {
        await this.sample(c);
      } finally {
        this.busy.delete(c.id);
      }
    }
  }

  /** Containers that stopped or went: an episode under way ends with them. */
  private forgetGone(list: ContainerInfo[]): void {
    const running = new Set(list.filter((c) => c.running).map((c) => c.id));
    for (const [id, w] of this.watches) {
      if (running.has(id) || this.busy.has(id)) continue;
      if (w.episode) this.end(w, Date.now(), 0);
      this.watches.delete(id);
      forgetCgroup(id);
    }
  }

  private async sample(c: ContainerInfo): Promise<void> {
    const ticks = uptimeTicks();
    const at = Date.now();
    const stats = pidsCounters(c.id);
    const w = this.watches.get(c.id) ?? {};
    this.watches.set(c.id, w);
    const prev = w.last;
    w.last = { at, stats };
    const v = judgeForks(c, prev?.stats, stats, prev ? at - prev.at : 0, this.o);
    const pids = pidsOf(stats);
    if (!w.episode && !v.bomb) {
      // the baseline moves on only while the count is not rising, so a bomb caught a sample
      // or two into its climb still has its first copies after the baseline
      if (w.calmPids === undefined || pids <= w.calmPids) w.sinceTicks = ticks;
      w.calmPids = pids;
      return;
    }
    if (!w.episode) w.episode = this.begin(c, v.reason!, pids, prev, at);
    w.episode.peak = Math.max(w.episode.peak, pids);
    const killed = this.o.contain === false ? 0 : await this.contain(c, w, stats);
    if (v.bomb || killed > 0) delete w.episode.calmSince;
    else w.episode.calmSince ??= at;
    if (w.episode.calmSince !== undefined && at - w.episode.calmSince >= QUIET_MS) {
      this.end(w, at, pids);
      w.calmPids = pids;
      w.sinceTicks = ticks;
    }
  }

  private begin(c: ContainerInfo, reason: string, pids: number, prev: Watch['last'], at: number): Episode {
    const rate = prev && at > prev.at ? Math.round((pids - pidsOf(prev.stats)) / ((at - prev.at) / 1000)) : undefined;
    const start: ForkStart = {
      phase: 'start',
      container: c,
      reason,
      processes: pids,
      ...(rate !== undefined ? { rate } : {}),
      ...(c.pidsLimit ? { pidsLimit: c.pidsLimit } : {}),
      contain: this.o.contain !== false,
    };
    this.onEvent(start);
    return { start, startedAt: at, peak: pids, killed: 0 };
  }

  /** Caps the limit once, then kills the copies while any are left; returns how many this sample. */
  private async contain(c: ContainerInfo, w: Watch, stats: CgroupStats): Promise<number> {
    const ep = w.episode!;
    if (ep.error) return 0;
    try {
      if (ep.cappedAt === undefined) {
        const cap = Math.max(pidsOf(stats), 1);
        await updateContainer(c.id, { PidsLimit: cap });
        ep.cappedAt = cap;
      }
      // between rounds, look without freezing: a contained bomb costs one cgroup read a sample
      if (ep.program && !bombLeft(pidsCounters(c.id, true).procs, c.pid, w.sinceTicks, ep.program)) return 0;
      let killed = 0;
      for (let i = 0; i < ROUNDS; i++) {
        const round = await killRound(c.id, c.pid, w.sinceTicks, ep.program);
        ep.program ??= round.program;
        killed += round.killed;
        if (round.killed === 0) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      ep.killed += killed;
      return killed;
    } catch (e) {
      ep.error = messageOf(e);
      return 0;
    }
  }

  private end(w: Watch, at: number, left: number): void {
    const ep = w.episode!;
    delete w.episode;
    this.onEvent({
      phase: 'end',
      container: ep.start.container,
      reason: ep.start.reason,
      durationMs: at - ep.startedAt,
      peak: ep.peak,
      killed: ep.killed,
      ...(ep.program ? { program: ep.program } : {}),
      ...(ep.cappedAt !== undefined ? { cappedAt: ep.cappedAt } : {}),
      left,
      ...(ep.error ? { error: ep.error } : {}),
    });
  }
}
