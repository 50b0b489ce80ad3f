import { closeSync, openSync, readFileSync, readlinkSync, readSync } from 'node:fs';
import { containerIdFromCgroup } from './containers.js';

// What /proc says of a live host process: its name, parent, start time and the container its
// cgroup names. A pid alone names a process only while it lives (pids are reused): pid plus
// start time names one for good. /proc reads are memory copies, hence synchronous.

export interface ProcStat {
  comm: string;
  ppid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot at which the process started. */
  startTicks: number;
  /** Field 3: R, S, D, Z (zombie), T… */
  state: string;
}

/**
 * Parses /proc/<pid>/stat ("pid (comm) state ppid …"; comm may hold spaces and parentheses,
 * so fields are counted from the last ")"). Undefined for text not in that shape.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // after the comm: field 3 (state), 4 (ppid) … 22 (starttime)
  const f = text.slice(close + 2).split(' ');
  const ppid = Number(f[1]);
  const startTicks = Number(f[19]);
  if (
    !/^[A-Za-z]$/.test(f[0] ?? '') ||
    !Number.isSafeInteger(ppid) ||
    !Number.isSafeInteger(startTicks) ||
    f[19] === ''
  )
    return undefined;
  return { comm: text.slice(open + 1, close), ppid, startTicks, state: f[0]! };
}

const buf = Buffer.allocUnsafe(16 * 1024);

/** A small /proc file in one read into a shared buffer (no stat, no stream: this runs per audit record); undefined when gone. */
export function readProc(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    return buf.toString('latin1', 0, readSync(fd, buf, 0, buf.length, 0));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

export function procStat(pid: number): ProcStat | undefined {
  const text = readProc(`/proc/${pid}/stat`);
  return text === undefined ? undefined : parseProcStat(text);
}

export interface LiveProcess {
  startTicks: number;
  /** The container its cgroup names now; undefined for a host process. */
  containerId?: string;
}

/**
 * The live process at `pid`: its start time and the container its cgroup names now; undefined
 * when gone. `st`: its stat, read just before.
 */
export function liveProcess(pid: number, st = procStat(pid)): LiveProcess | undefined {
  if (!st) return undefined;
  const cgroup = readProc(`/proc/${pid}/cgroup`);
  // the same process still (a pid reused between the two reads would start later)
  if (cgroup === undefined || procStat(pid)?.startTicks !== st.startTicks) return undefined;
  const containerId = containerIdFromCgroup(cgroup);
  return { startTicks: st.startTicks, ...(containerId ? { containerId } : {}) };
}

/** A live process's name (/proc/<pid>/comm); undefined once it is gone. */
export function commOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** A live process's pid in its own pid namespace (the last NSpid of /proc/<pid>/status); undefined once gone. */
export function namespacePidOf(pid: number): number | undefined {
  const status = readProc(`/proc/${pid}/status`);
  const line = status?.split('\n').find((l) => l.startsWith('NSpid:'));
  const last = line?.trim().split(/\s+/).pop();
  const n = last === undefined ? NaN : Number(last);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * The container of a thread the kernel holds in a system call (a fanotify permission event):
 * one cgroup read, no identity check — it cannot exec or exit unseen while held (killed, its
 * open is void and so is the answer).
 */
export function heldContainerId(tid: number): string | undefined {
  const cgroup = readProc(`/proc/${tid}/cgroup`);
  return cgroup === undefined ? undefined : containerIdFromCgroup(cgroup);
}

/** What a process's standard stream is: network (a TCP/UDP socket), socket (another kind), pipe, tty, null, file; "" once gone. */
export type StreamKind = 'network' | 'socket' | 'pipe' | 'tty' | 'null' | 'file' | '';

/** Whether socket inode `ino` is one of the process's network namespace's TCP or UDP sockets. */
function isNetworkSocket(pid: number, ino: string): boolean {
  for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
    let text: string | undefined;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'latin1'); // whole: a busy server's table passes 16 KiB
    } catch {
      continue;
    }
    // columns: sl local rem st tx:rx tr:when retrnsmt uid timeout inode …
    if (text.split('\n').some((line) => line.trim().split(/\s+/)[9] === ino)) return true;
  }
  return false;
}

/** What file descriptor `fd` (0: stdin, 1: stdout) of a live process is. */
export function streamKindOf(pid: number, fd: number): StreamKind {
  let target: string;
  try {
    target = readlinkSync(`/proc/${pid}/fd/${fd}`);
  } catch {
    return '';
  }
  const socket = /^socket:\[(\d+)\]$/.exec(target);
  if (socket) return isNetworkSocket(pid, socket[1]!) ? 'network' : 'socket';
  if (target.startsWith('pipe:')) return 'pipe';
  if (target === '/dev/null') return 'null';
  if (/^\/dev\/(pts\/\d+|tty\w*|console)$/.test(target)) return 'tty';
  return 'file';
}
