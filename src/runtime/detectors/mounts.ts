import { readFileSync } from 'node:fs';
import { devNumber } from '../audit/records.js';

// A container's mounts, from /proc/<pid>/mountinfo of a process inside it (see proc(5)): which
// filesystem a program it runs lives on. Its root is the image's overlay; tmpfs mounts
// (/dev/shm, --tmpfs) and volumes or bind mounts hold files the image never had.

export interface Mount {
  /** Where it is mounted, as the container names it. */
  mountPoint: string;
  /** st_dev of its files (field 3, major:minor). */
  dev: number;
  fsType: string;
  /** Per-mount options (field 6): ro, noexec, … */
  options: readonly string[];
}

const MAX_MOUNTS = 10_000;

/** "\040" and the like (octal escapes of space, tab, newline, backslash) back to characters. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

/** One mountinfo line, or undefined when it is not in that shape. */
function parseLine(line: string): Mount | undefined {
  const f = line.split(' ');
  const sep = f.indexOf('-', 6);
  const dev = /^(\d{1,10}):(\d{1,10})$/.exec(f[2] ?? '');
  const mountPoint = f[4];
  if (sep < 0 || !dev || !mountPoint?.startsWith('/') || f[sep + 1] === undefined) return undefined;
  return {
    mountPoint: unescape(mountPoint),
    dev: devNumber(Number(dev[1]), Number(dev[2])),
    fsType: f[sep + 1]!,
    options: (f[5] ?? '').split(','),
  };
}

/** The mounts a mountinfo text lists (lines not in its shape are skipped), at most 10,000. */
export function parseMountInfo(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    const m = parseLine(line);
    if (m) out.push(m);
    if (out.length >= MAX_MOUNTS) break;
  }
  return out;
}

/** The mounts process `pid` sees; none when it is gone. */
export function readMounts(pid: number): Mount[] {
  try {
    // a /proc read is a memory copy: synchronous costs less than a thread-pool round trip
    return parseMountInfo(readFileSync(`/proc/${pid}/mountinfo`, 'utf8'));
  } catch {
    return [];
  }
}

/** The mount holding `path` (an absolute, normalised path): the last-mounted of the longest mount point above it. */
export function mountOf(mounts: readonly Mount[], path: string): Mount | undefined {
  let best: Mount | undefined;
  for (const m of mounts) {
    const above = m.mountPoint === '/' || path === m.mountPoint || path.startsWith(`${m.mountPoint}/`);
    if (above && (!best || m.mountPoint.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

const NO_PROGRAMS = new Set(['proc', 'sysfs', 'devpts', 'mqueue', 'cgroup', 'cgroup2']);

/** Mounts other than the root a program could be run from: not noexec, not a kernel interface. */
export function execMounts(mounts: readonly Mount[]): Mount[] {
  return mounts.filter((m) => m.mountPoint !== '/' && !m.options.includes('noexec') && !NO_PROGRAMS.has(m.fsType));
}
