import { BulwarkError } from '../core/errors.js';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { procStat } from './proc.js';

// Killing a process found doing wrong in a container: the process and everything it started
// (a payload that forks must not leave its children running), and nothing outside the
// container. The container's cgroup is frozen meanwhile, so no process forks or exits under
// our feet; only processes the cgroup holds are signalled, and the first one only while it
// is still the process that started at the time we judged (a pid is reused once it exits).

const ROOT = '/sys/fs/cgroup';

interface Freezer {
  dir: string;
  freeze(): void;
  thaw(): void;
  frozen(): boolean;
}

/** The container's freezer: cgroup v1 (freezer.state) or v2 (cgroup.freeze); undefined when it has none. */
function freezerOf(id: string): Freezer | undefined {
  const v1 = `${ROOT}/freezer/docker/${id}`;
  if (existsSync(`${v1}/freezer.state`)) {
    const state = (): string => readFileSync(`${v1}/freezer.state`, 'utf8').trim();
    return {
      dir: v1,
      freeze: () => writeFileSync(`${v1}/freezer.state`, 'FROZEN'),
      thaw: () => writeFileSync(`${v1}/freezer.state`, 'THAWED'),
      frozen: () => state() === 'FROZEN',
    };
  }
  for (const dir of [`${ROOT}/system.slice/docker-${id}.scope`, `${ROOT}/docker/${id}`]) {
    if (!existsSync(`${dir}/cgroup.freeze`)) continue;
    return {
      dir,
      freeze: () => writeFileSync(`${dir}/cgroup.freeze`, '1'),
      thaw: () => writeFileSync(`${dir}/cgroup.freeze`, '0'),
      frozen: () => /^frozen 1$/m.test(readFileSync(`${dir}/cgroup.events`, 'utf8')),
    };
  }
  return undefined;
}

/** Every process in the cgroup directory and the cgroups below it. */
function cgroupProcs(dir: string, depth = 0): number[] {
  const own = readFileSync(join(dir, 'cgroup.procs'), 'utf8')
    .split('\n')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  if (depth >= 8) return own;
  const subs = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory());
  return [...own, ...subs.flatMap((d) => cgroupProcs(join(dir, d.name), depth + 1))];
}

/** `pid` and its descendants among `procs` (parents read from /proc), pid first. */
export function descendants(
  pid: number,
  procs: readonly number[],
  parentOf: (p: number) => number | undefined = (p) => procStat(p)?.ppid,
): number[] {
  const children = new Map<number, number[]>();
  for (const p of procs) {
    const parent = parentOf(p);
    if (parent === undefined) continue;
    const list = children.get(parent);
    if (list) list.push(p);
    else children.set(parent, [p]);
  }
  const out = [pid];
  const seen = new Set(out);
  for (let i = 0; i < out.length; i++) {
    for (const child of children.get(out[i]!) ?? []) {
      if (!seen.has(child)) {
        seen.add(child);
        out.push(child);
      }
    }
  }
  return out;
}

const FREEZE_WAIT_MS = 1000;

async function untilFrozen(f: Freezer): Promise<void> {
  for (const until = Date.now() + FREEZE_WAIT_MS; !f.frozen() && Date.now() < until;)
    await new Promise((r) => setTimeout(r, 1));
}

/**
 * Runs `fn` on the processes of container `id`'s cgroup (and those below it) while the
 * container is frozen, then thaws it; a container paused by its owner stays paused. A
 * freezer that is still FREEZING after a second (a fork bomb can hold it there) does not
 * stop `fn`: what it sees may still move, and callers look again after.
 */
export async function whileFrozen<T>(id: string, fn: (procs: number[]) => T): Promise<T> {
  const f = freezerOf(id);
  if (!f) throw new BulwarkError('NOT_FOUND', `container ${id.slice(0, 12)}`, 'has no freezer cgroup');
  const wasFrozen = f.frozen();
  if (!wasFrozen) {
    f.freeze();
    await untilFrozen(f);
  }
  try {
    return fn(cgroupProcs(f.dir));
  } finally {
    if (!wasFrozen) f.thaw();
  }
}

/** SIGKILLs each of `pids` that still exists; returns those signalled. */
export function killEach(pids: readonly number[]): number[] {
  const killed: number[] = [];
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
      killed.push(p);
    } catch {
      // exited already
    }
  }
  return killed;
}

/**
 * SIGKILLs `pid` and its descendants, all in container `id`'s cgroup, with the container
 * frozen. `startTicks` (from /proc/<pid>/stat when it was judged) makes sure pid is still that
 * process. Returns the pids signalled, pid first; none when pid is no longer in the container
 * (or is another process now).
 */
export function killInContainer(id: string, pid: number, startTicks?: number): Promise<number[]> {
  return whileFrozen(id, (procs) => {
    if (!procs.includes(pid)) return [];
    if (startTicks !== undefined && procStat(pid)?.startTicks !== startTicks) return [];
    return killEach(descendants(pid, procs));
  });
}
