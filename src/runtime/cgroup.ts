import { readFile } from 'node:fs/promises';

// A container's kernel counters from its cgroup — pids, fork failures at the limit, memory,
// CPU time — for cgroup v1 (docker's cgroupfs driver: /sys/fs/cgroup/<ctrl>/docker/<id>)
// and v2 (/sys/fs/cgroup/system.slice/docker-<id>.scope or /sys/fs/cgroup/docker/<id>).

const ROOT = '/sys/fs/cgroup';

function candidates(controller: string, id: string): string[] {
  return [`${ROOT}/${controller}/docker/${id}`, `${ROOT}/system.slice/docker-${id}.scope`, `${ROOT}/docker/${id}`];
}

async function readFirst(paths: string[]): Promise<string | undefined> {
  for (const p of paths) {
    try {
      return await readFile(p, 'utf8');
    } catch {
      // next layout
    }
  }
  return undefined;
}

const num = (s: string | undefined): number | undefined => {
  const n = Number((s ?? '').trim());
  return s !== undefined && Number.isFinite(n) ? n : undefined;
};

export interface CgroupStats {
  pids?: number;
  /** Forks refused because the pids limit was reached, since the container started. */
  pidsRefused?: number;
  memoryBytes?: number;
  /** CPU time used, in nanoseconds. */
  cpuNs?: number;
  /** Processes in the cgroup (host pids). */
  procs: number[];
}

export async function cgroupStats(id: string): Promise<CgroupStats> {
  const pidsDirs = candidates('pids', id);
  const [pids, events, procs, mem1, mem2, cpu1, cpu2] = await Promise.all([
    readFirst(pidsDirs.map((d) => `${d}/pids.current`)),
    readFirst(pidsDirs.map((d) => `${d}/pids.events`)),
    readFirst(pidsDirs.map((d) => `${d}/cgroup.procs`)),
    readFirst([`${ROOT}/memory/docker/${id}/memory.usage_in_bytes`]),
    readFirst(candidates('', id).map((d) => `${d}/memory.current`)),
    readFirst([`${ROOT}/cpuacct/docker/${id}/cpuacct.usage`]),
    readFirst(candidates('', id).map((d) => `${d}/cpu.stat`)),
  ]);
  const usec = /^usage_usec (\d+)$/m.exec(cpu2 ?? '')?.[1];
  const refused = /^max (\d+)$/m.exec(events ?? '')?.[1];
  const memoryBytes = num(mem1) ?? num(mem2);
  const cpuNs = num(cpu1) ?? (usec !== undefined ? Number(usec) * 1000 : undefined);
  return {
    ...(num(pids) !== undefined ? { pids: num(pids)! } : {}),
    ...(refused !== undefined ? { pidsRefused: Number(refused) } : {}),
    ...(memoryBytes !== undefined ? { memoryBytes } : {}),
    ...(cpuNs !== undefined ? { cpuNs } : {}),
    procs: (procs ?? '').split('\n').map(Number).filter((n) => Number.isInteger(n) && n > 0),
  };
}
