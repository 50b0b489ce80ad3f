import { readFileSync } from 'node:fs';
import { killEach, whileFrozen } from '../kill.js';
import { updateContainer } from '../../engine/containers.js';
import { cgroupStats, type CgroupStats } from '../cgroup.js';
import type { ContainerInfo } from '../containers.js';
import { procStat } from '../proc.js';

// The fork guard: a container whose process count races up (or keeps hitting its pids
// limit) is running a fork bomb. Containment: cap its pids limit where it stands, so no
// more processes can start, then — the container frozen for a moment — kill the program
// that replicates itself (processes whose parent is the same program), leaving the
// container's first process and other work.

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

/**
 * The program that is replicating itself. Two signs, added up per program: processes whose
 * parent is the same program (a shell function forking itself, a program forking copies),
 * and processes started in the last second. Either alone can mislead: at its limit a bomb
 * churns (copies die on refused forks and orphans move to the first process, so parents are
 * gone), and a shell that execs its last command makes that command look like its own parent
 * (`sleep 300 &` then `exec sleep` is sleep under sleep). Programs the first process starts
 * (the workload's own sleeps, workers) do not count as copies.
 */
function replicating(procs: number[], init: number): string | undefined {
  const stats = new Map(procs.map((p) => [p, procStat(p)]));
  const now = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * CLOCK_TICKS;
  const score = new Map<string, number>();
  const add = (comm: string): void => void score.set(comm, (score.get(comm) ?? 0) + 1);
  for (const [pid, st] of stats) {
    if (!st || pid === init) continue;
    if (now - st.startTicks < CLOCK_TICKS) add(st.comm);
    if (st.ppid === init) continue;
    const parent = stats.get(st.ppid) ?? procStat(st.ppid);
    if (parent?.comm === st.comm) add(st.comm);
  }
  const [best] = [...score].sort((a, b) => b[1] - a[1]);
  return best && best[1] >= MIN_SCORE ? best[0] : undefined;
}

/** Below this, no program stands out as multiplying (a shell and one copy of its command do not). */
const MIN_SCORE = 3;

/** USER_HZ: /proc/<pid>/stat times are in 1/100 s on every Linux architecture Node runs on. */
const CLOCK_TICKS = 100;

interface Containment {
  pidsLimit: number;
  killed: number;
  program?: string;
}

/**
 * Caps the container's pids limit, then freezes the container, kills the multiplying
 * program's processes and thaws it: killed one by one while running, the survivors fork
 * again into the freed slots; frozen, none can, and each dies of its SIGKILL as it thaws.
 * A few rounds after catch any copy that was mid-fork.
 */
async function containForkBomb(c: Pick<ContainerInfo, 'id' | 'pid'>, rounds = 10): Promise<Containment> {
  const first = await cgroupStats(c.id);
  const cap = Math.max(first.pids ?? first.procs.length, 1);
  await updateContainer(c.id, { PidsLimit: cap });
  // frozen with the cgroup freezer itself: the engine's pause refuses (HTTP 500) when runc
  // cannot freeze a bombing container in time, and (409) while another freeze is under way
  let program: string | undefined;
  let killed = await whileFrozen(c.id, (all) => {
    const procs = all.filter((p) => p !== c.pid);
    program = replicating(procs, c.pid);
    return program ? killEach(procs.filter((p) => procStat(p)?.comm === program)).length : 0;
  });
  for (let i = 0; program && i < rounds; i++) {
    await new Promise((res) => setTimeout(res, 20));
    const victims = (await cgroupStats(c.id)).procs.filter((p) => p !== c.pid && procStat(p)?.comm === program);
    if (victims.length === 0) break;
    killed += killEach(victims).length;
  }
  return { pidsLimit: cap, killed, ...(program ? { program } : {}) };
}

export interface ForkGuardEvent {
  container: ContainerInfo;
  reason: string;
  containment?: Containment;
  error?: string;
}

/** Samples every running container's counters on an interval; contains what it judges a bomb. */
export class ForkGuard {
  private timer?: NodeJS.Timeout;
  private readonly last = new Map<string, { at: number; stats: CgroupStats }>();
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
    for (const c of this.containers()) {
      if (!c.running || this.busy.has(c.id)) continue;
      const at = Date.now();
      const stats = await cgroupStats(c.id);
      const prev = this.last.get(c.id);
      this.last.set(c.id, { at, stats });
      const v = judgeForks(c, prev?.stats, stats, prev ? at - prev.at : 0, this.o);
      if (!v.bomb) continue;
      this.busy.add(c.id);
      try {
        const containment = this.o.contain === false ? undefined : await containForkBomb(c);
        this.onEvent({ container: c, reason: v.reason!, ...(containment ? { containment } : {}) });
      } catch (e) {
        this.onEvent({ container: c, reason: v.reason!, error: e instanceof Error ? e.message : String(e) });
      } finally {
        this.last.delete(c.id);
        this.busy.delete(c.id);
      }
    }
  }
}
