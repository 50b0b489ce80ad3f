import { readFileSync } from 'node:fs';
import { killEach, whileFrozen } from '../kill.js';
import { procStat, type ProcStat } from '../proc.js';

// Finding and killing a fork bomb's processes. The bomb is the program with the most processes
// started since the container was last calm: a bomb's copies all started after that, while the
// container's own work (its first process, a sleep, a server's workers) started before. Neither
// parentage nor age within the bomb helps: at its pids limit a bomb's copies are orphans (their
// parents died on refused forks) and long-lived (bash retries a refused fork for ~15 s, a
// `while :; do b & done` loop spins), which is how the guard once killed none.

/** Below this, no program stands out as multiplying (a shell and one copy of its command do not). */
const MIN_COPIES = 3;

/** USER_HZ: /proc/<pid>/stat times are in 1/100 s on every Linux architecture Node runs on. */
const CLOCK_TICKS = 100;

/** Clock ticks since boot now, in the unit of /proc/<pid>/stat start times. */
export function uptimeTicks(): number {
  return Math.floor(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * CLOCK_TICKS);
}

export interface Candidate {
  pid: number;
  st: ProcStat;
}

/**
 * Processes that may belong to a bomb: not the container's first process, not zombies (a
 * zombie is already dead; its parent or the engine's init reaps it), started at or after
 * `sinceTicks` when the container was seen calm before.
 */
export function candidates(procs: readonly number[], init: number, sinceTicks?: number): Candidate[] {
  const out: Candidate[] = [];
  for (const pid of procs) {
    if (pid === init) continue;
    const st = procStat(pid);
    if (!st || st.state === 'Z' || (sinceTicks !== undefined && st.startTicks < sinceTicks)) continue;
    out.push({ pid, st });
  }
  return out;
}

/** The program (comm) with the most candidate processes, when it has at least MIN_COPIES. */
export function replicating(cands: readonly Candidate[]): string | undefined {
  const count = new Map<string, number>();
  for (const { st } of cands) count.set(st.comm, (count.get(st.comm) ?? 0) + 1);
  let best: [string, number] | undefined;
  for (const entry of count) if (!best || entry[1] > best[1]) best = entry;
  return best && best[1] >= MIN_COPIES ? best[0] : undefined;
}

export interface KillRound {
  /** The replicating program, when one stood out (given, or found in this round). */
  program?: string;
  killed: number;
}

/**
 * One round, the container frozen: finds the replicating program unless given, and SIGKILLs its
 * processes. Killed one by one while running, the survivors would fork again into the freed
 * slots; frozen, none can, and each dies of its SIGKILL as it thaws.
 */
export function killRound(
  id: string,
  init: number,
  sinceTicks: number | undefined,
  program?: string,
): Promise<KillRound> {
  return whileFrozen(id, (procs) => {
    const cands = candidates(procs, init, sinceTicks);
    const prog = program ?? replicating(cands);
    if (!prog) return { killed: 0 };
    return { program: prog, killed: killEach(cands.filter((c) => c.st.comm === prog).map((c) => c.pid)).length };
  });
}

/** Whether any process of `program` that may belong to the bomb is still in `procs` (no freeze). */
export function bombLeft(
  procs: readonly number[],
  init: number,
  sinceTicks: number | undefined,
  program: string,
): boolean {
  return candidates(procs, init, sinceTicks).some((c) => c.st.comm === program);
}
