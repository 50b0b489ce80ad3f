import { readProc } from '../proc.js';

// How a thread held by a FAN_OPEN_PERM event opens its file. fanotify's permission events do
// not carry the open flags, but the opener is blocked inside its open system call until the
// guard answers, so /proc/<tid>/syscall shows that call's number and arguments as the kernel
// saved them at entry ("257 0xffffff9c 0x7ffd… 0x241 0x1b6 …": number, then a0..a5 in hex).
//
// Why this is race-free: the saved registers belong to the waiting thread; nothing in user
// space can change them while it sits in the kernel (another thread of the process can
// rewrite memory, not a blocked thread's registers, and ptrace stops only at syscall
// boundaries), and the kernel took the flags by value from those same registers. The first
// field must be an open call's number, so a stale or unrelated line (a thread that already
// returned, "running", an io_uring worker) never reads as a read-only open.
//
// openat2's flags sit in a struct in the caller's memory (a2 points to it): the kernel copied
// it at entry, but another thread may have changed the memory since, so reading it back
// proves nothing. It, and every call this does not know, is "unknown", which the file judge
// treats as a write: fail closed, because an open we cannot show to be read-only must not get
// through on a read-only entry; the cost is a refused (and reported) open, never a silent write.

export type OpenAccess = 'read' | 'write' | 'unknown';

// Linux generic fcntl.h (x86_64 and arm64 share them; octal as in the header)
const O_ACCMODE = 0o3;
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;
const O_APPEND = 0o2000;

/** System call number → index of its flags argument; creat(2) always writes, exec always reads. */
type OpenCalls = ReadonlyMap<number, number | 'create' | 'exec'>;

// arch/x86/entry/syscalls/syscall_64.tbl: open 2, creat 85, openat 257, execve 59, execveat
// 322; asm-generic/unistd.h (arm64): openat 56, execve 221, execveat 281. openat2 (437) is
// absent on purpose (see above). ia32 compat numbers are no open call under these numbers
// except where they agree, so a 32-bit opener reads as unknown.
const CALLS: Record<string, OpenCalls> = {
  x64: new Map<number, number | 'create' | 'exec'>([
    [2, 1],
    [257, 2],
    [85, 'create'],
    [59, 'exec'],
    [322, 'exec'],
  ]),
  arm64: new Map<number, number | 'create' | 'exec'>([
    [56, 2],
    [221, 'exec'],
    [281, 'exec'],
  ]),
};

/** Whether open flags ask to change the file: write access, create, truncate or append. */
export function flagsWrite(flags: number): boolean {
  return (flags & O_ACCMODE) !== 0 || (flags & (O_CREAT | O_TRUNC | O_APPEND)) !== 0;
}

/** Decodes one /proc/<tid>/syscall line for `arch` (process.arch). */
export function decodeSyscallLine(line: string, arch: string = process.arch): OpenAccess {
  const calls = CALLS[arch];
  if (!calls) return 'unknown';
  const fields = line.trim().split(' ');
  if (fields.length < 7 || !/^\d{1,4}$/.test(fields[0]!)) return 'unknown';
  const where = calls.get(Number(fields[0]));
  if (where === undefined) return 'unknown';
  if (where === 'create') return 'write';
  if (where === 'exec') return 'read';
  const arg = fields[1 + where]!;
  if (!/^0x[0-9a-f]{1,16}$/.test(arg)) return 'unknown';
  // the flags are an int: the low 32 bits of the register
  const flags = Number(BigInt(arg) & 0xffffffffn);
  return flagsWrite(flags) ? 'write' : 'read';
}

/** How thread `tid`, held in an open, opens its file ("unknown" when it cannot be told). */
export function openAccessOf(tid: number): OpenAccess {
  const line = readProc(`/proc/${tid}/syscall`);
  return line === undefined ? 'unknown' : decodeSyscallLine(line);
}
