import { existsSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

// A container's kernel counters from its cgroup — pids, fork failures at the limit, memory,
// CPU time, block I/O bytes — for cgroup v1 (docker's cgroupfs driver: /sys/fs/cgroup/<ctrl>/docker/<id>)
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
  /** Bytes read from and written to block devices since the container started. */
  ioBytes?: number;
  /** Processes in the cgroup (host pids). */
  procs: number[];
}

// Both kernel formats: one device per line, led by MAJ:MIN. Counters are u64, hence at most 20 digits.
const u64 = (s: string | undefined): number => (s !== undefined && /^\d{1,20}$/.test(s) ? Number(s) : 0);

function deviceLines(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => /^\d+:\d+$/.test(f[0]!));
}

/**
 * cgroup v1 blkio.*io_service_bytes*: `MAJ:MIN Read|Write|Sync|Async|Discard|Total N` lines and a
 * final `Total N`. Sums Read and Write over devices (Sync/Async/Total are the same bytes again).
 * Never throws; lines not in that format count 0.
 */
export function parseBlkioServiceBytes(text: string): number {
  return deviceLines(text).reduce(
    (sum, [, op, n, ...rest]) => sum + ((op === 'Read' || op === 'Write') && rest.length === 0 ? u64(n) : 0),
    0,
  );
}

/** cgroup v2 io.stat: `MAJ:MIN rbytes=N wbytes=N rios=N …` per device; sums rbytes and wbytes. Never throws. */
export function parseIoStat(text: string): number {
  let sum = 0;
  for (const [, ...fields] of deviceLines(text))
    for (const f of fields) if (/^[rw]bytes=/.test(f)) sum += u64(f.slice(7));
  return sum;
}

export async function cgroupStats(id: string): Promise<CgroupStats> {
  const pidsDirs = candidates('pids', id);
  const blkio = `${ROOT}/blkio/docker/${id}`;
  const [pids, events, procs, mem1, mem2, cpu1, cpu2, io1, io2] = await Promise.all([
    readFirst(pidsDirs.map((d) => `${d}/pids.current`)),
    readFirst(pidsDirs.map((d) => `${d}/pids.events`)),
    readFirst(pidsDirs.map((d) => `${d}/cgroup.procs`)),
    readFirst([`${ROOT}/memory/docker/${id}/memory.usage_in_bytes`]),
    readFirst(candidates('', id).map((d) => `${d}/memory.current`)),
    readFirst([`${ROOT}/cpuacct/docker/${id}/cpuacct.usage`]),
    readFirst(candidates('', id).map((d) => `${d}/cpu.stat`)),
    // v1: the throttle files count every bio only once blk-throttle is active on the disk (some
    // cgroup has a limit there; kernels >= 6.10 set it up lazily); bfq's only on disks using bfq.
    readFirst(
      ['throttle.io_service_bytes_recursive', 'throttle.io_service_bytes', 'bfq.io_service_bytes_recursive'].map(
        (f) => `${blkio}/blkio.${f}`,
      ),
    ),
    readFirst(candidates('', id).map((d) => `${d}/io.stat`)),
  ]);
  const usec = /^usage_usec (\d+)$/m.exec(cpu2 ?? '')?.[1];
  const refused = /^max (\d+)$/m.exec(events ?? '')?.[1];
  const memoryBytes = num(mem1) ?? num(mem2);
  const cpuNs = num(cpu1) ?? (usec !== undefined ? Number(usec) * 1000 : undefined);
  const ioBytes = io1 !== undefined ? parseBlkioServiceBytes(io1) : io2 !== undefined ? parseIoStat(io2) : undefined;
  return {
    ...(num(pids) !== undefined ? { pids: num(pids)! } : {}),
    ...(refused !== undefined ? { pidsRefused: Number(refused) } : {}),
    ...(memoryBytes !== undefined ? { memoryBytes } : {}),
    ...(cpuNs !== undefined ? { cpuNs } : {}),
    ...(ioBytes !== undefined ? { ioBytes } : {}),
    procs: procList(procs ?? ''),
  };
}

/** Container id → its pids cgroup directory, found once: the layout does not change while it runs. */
const pidsDirs = new Map<string, string>();

/**
 * The fork guard's counters alone — processes, forks refused at the limit, and the processes
 * themselves when asked — read synchronously: it samples every running container ten times a
 * second, and these are small kernel files (a thread-pool round trip per file cost more).
 */
export function pidsCounters(id: string, withProcs = false): CgroupStats {
  const dir = pidsDirs.get(id) ?? candidates('pids', id).find((d) => existsSync(`${d}/pids.current`));
  if (dir === undefined) return { procs: [] };
  pidsDirs.set(id, dir);
  try {
    const pids = num(readFileSync(`${dir}/pids.current`, 'utf8'));
    const refused = /^max (\d+)$/m.exec(readFileSync(`${dir}/pids.events`, 'utf8'))?.[1];
    return {
      ...(pids !== undefined ? { pids } : {}),
      ...(refused !== undefined ? { pidsRefused: Number(refused) } : {}),
      procs: withProcs ? procList(readFileSync(`${dir}/cgroup.procs`, 'utf8')) : [],
    };
  } catch {
    pidsDirs.delete(id); // gone, or moved: look again next time
    return { procs: [] };
  }
}

/** Forgets what pidsCounters found for a container that is gone. */
export function forgetCgroup(id: string): void {
  pidsDirs.delete(id);
}

const procList = (text: string): number[] =>
  text
    .split('\n')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);

/** The whole disk (MAJ:MIN) holding `path`, when it is a block device. */
function diskOf(path: string): string | undefined {
  const dev = statSync(path).dev;
  const major = (Math.floor(dev / 2 ** 8) & 0xfff) + Math.floor(dev / 2 ** 32) * 2 ** 12;
  const minor = (dev & 0xff) + (Math.floor(dev / 2 ** 20) & 0xfff) * 2 ** 8;
  const sys = `/sys/dev/block/${major}:${minor}`;
  if (!existsSync(sys)) return undefined; // tmpfs, a nested overlay…
  // limits go on whole disks, not partitions
  return readFileSync(`${existsSync(`${sys}/partition`) ? realpathSync(`${sys}/..`) : sys}/dev`, 'utf8').trim();
}

/**
 * cgroup v1 counts a container's block I/O only where blk-throttle is active on the disk (a
 * limit set in some cgroup; kernels >= 6.10 set it up on the first limit). This sets a write
 * limit no disk reaches (1 TiB/s, as `docker run --device-write-bps` would) on the disk holding
 * the container's files, unless it has a limit there. Returns whether counting is on. v2's
 * io.stat counts without it.
 */
export function enableIoAccounting(id: string, dataDir: string): boolean {
  const file = `${ROOT}/blkio/docker/${id}/blkio.throttle.write_bps_device`;
  if (!existsSync(file))
    return existsSync(`${ROOT}/cgroup.controllers`) || candidates('', id).some((d) => existsSync(`${d}/io.stat`));
  try {
    const disk = diskOf(dataDir);
    if (!disk) return false;
    if (
      !readFileSync(file, 'utf8')
        .split('\n')
        .some((l) => l.startsWith(`${disk} `))
    )
      writeFileSync(file, `${disk} ${2 ** 40}\n`);
    return true;
  } catch {
    return false;
  }
}
