import { posix } from 'node:path';
import { type AuditRecord, fieldHex, fieldInt, fieldString } from './records.js';

// The arguments of the syscall rules' calls (rules.ts SYSCALL_FILTERS), decoded from a SYSCALL
// record (a0..a3 in hex) and the records that come with it: constants by their names (AF_PACKET,
// SOCK_RAW|SOCK_CLOEXEC, PTRACE_ATTACH, mnt,uts), paths from PATH items, the traced process
// from OBJ_PID, the program id from BPF. Pointer arguments (mount's source and type, a module's
// name) are not in the records.

type SyscallFamily = 'memfd' | 'socket' | 'ptrace' | 'mount' | 'namespace' | 'module' | 'bpf';

export interface SyscallArgs {
  family: SyscallFamily;
  /** The call as the rules name it (socketcall's SYS_SOCKET is "socket"). */
  call: string;
  /** Decoded arguments by name, e.g. { family: 'AF_PACKET', type: 'SOCK_RAW', flags: 'SOCK_CLOEXEC' }. */
  args: Readonly<Record<string, string | number>>;
  /** The call as a line: `socket(AF_PACKET, SOCK_RAW|SOCK_CLOEXEC, 768)`. */
  summary: string;
}

const FAMILY_OF: ReadonlyMap<string, SyscallFamily> = new Map([
  ['memfd_create', 'memfd'],
  ['socket', 'socket'],
  ['ptrace', 'ptrace'],
  ['mount', 'mount'],
  ['umount', 'mount'],
  ['umount2', 'mount'],
  ['fsopen', 'mount'],
  ['fsmount', 'mount'],
  ['move_mount', 'mount'],
  ['open_tree', 'mount'],
  ['setns', 'namespace'],
  ['unshare', 'namespace'],
  ['init_module', 'module'],
  ['finit_module', 'module'],
  ['delete_module', 'module'],
  ['bpf', 'bpf'],
]);

const ADDRESS_FAMILIES = new Map([
  [1, 'AF_UNIX'],
  [2, 'AF_INET'],
  [10, 'AF_INET6'],
  [16, 'AF_NETLINK'],
  [17, 'AF_PACKET'],
]);
const SOCKET_TYPES = new Map([
  [1, 'SOCK_STREAM'],
  [2, 'SOCK_DGRAM'],
  [3, 'SOCK_RAW'],
  [4, 'SOCK_RDM'],
  [5, 'SOCK_SEQPACKET'],
  [6, 'SOCK_DCCP'],
  [10, 'SOCK_PACKET'],
]);
const SOCKET_FLAGS: readonly [number, string][] = [
  [0x800, 'SOCK_NONBLOCK'],
  [0x80000, 'SOCK_CLOEXEC'],
];
const PTRACE_REQUESTS = new Map([
  [0, 'PTRACE_TRACEME'],
  [4, 'PTRACE_POKETEXT'],
  [5, 'PTRACE_POKEDATA'],
  [6, 'PTRACE_POKEUSER'],
  [13, 'PTRACE_SETREGS'],
  [16, 'PTRACE_ATTACH'],
  [0x4205, 'PTRACE_SETREGSET'],
  [0x4206, 'PTRACE_SEIZE'],
]);
const MOUNT_FLAGS: readonly [number, string][] = [
  [1, 'MS_RDONLY'],
  [2, 'MS_NOSUID'],
  [4, 'MS_NODEV'],
  [8, 'MS_NOEXEC'],
  [32, 'MS_REMOUNT'],
  [4096, 'MS_BIND'],
  [8192, 'MS_MOVE'],
  [16384, 'MS_REC'],
  [1 << 18, 'MS_PRIVATE'],
  [1 << 19, 'MS_SLAVE'],
  [1 << 20, 'MS_SHARED'],
];
const UMOUNT_FLAGS: readonly [number, string][] = [
  [1, 'MNT_FORCE'],
  [2, 'MNT_DETACH'],
  [4, 'MNT_EXPIRE'],
  [8, 'UMOUNT_NOFOLLOW'],
];
/** CLONE_NEW* bits by the names /proc/PID/ns uses. */
const NAMESPACES: readonly [number, string][] = [
  [0x20000, 'mnt'],
  [0x02000000, 'cgroup'],
  [0x04000000, 'uts'],
  [0x08000000, 'ipc'],
  [0x10000000, 'user'],
  [0x20000000, 'pid'],
  [0x40000000, 'net'],
  [0x80, 'time'],
];
const MEMFD_FLAGS: readonly [number, string][] = [
  [1, 'MFD_CLOEXEC'],
  [2, 'MFD_ALLOW_SEALING'],
  [4, 'MFD_HUGETLB'],
  [8, 'MFD_NOEXEC_SEAL'],
  [0x10, 'MFD_EXEC'],
];
const BPF_PROG_LOAD = 5;
const SYS_SOCKET = 1;

function arg(f: ReadonlyMap<string, string>, i: number): number {
  const v = fieldHex(f.get(`a${i}`));
  return v === undefined ? 0 : Number(v & 0xffffffffn);
}

function named(table: ReadonlyMap<number, string>, v: number): string {
  return table.get(v) ?? String(v);
}

/** Set bits by name, the rest in hex; "" when none. */
function bits(table: readonly [number, string][], v: number, sep = '|'): string {
  const out: string[] = [];
  let rest = v;
  for (const [bit, name] of table)
    if ((v & bit) !== 0) {
      out.push(name);
      rest &= ~bit;
    }
  if (rest !== 0) out.push(`0x${(rest >>> 0).toString(16)}`);
  return out.join(sep);
}

/** The first PATH item's name made absolute with the cwd (mount targets). */
function pathArg(records: readonly AuditRecord[], cwd: string | undefined): string | undefined {
  const name = fieldString(records.find((r) => r.type === 'PATH')?.fields.get('name'));
  if (name === undefined) return undefined;
  return name.startsWith('/') || !cwd ? name : posix.resolve(cwd, name);
}

function socketArgs(call: string, family: number, type: number, protocol: number): SyscallArgs {
  const base = type & 0xf;
  const flags = bits(SOCKET_FLAGS, type & ~0xf);
  const args = { family: named(ADDRESS_FAMILIES, family), type: named(SOCKET_TYPES, base), flags, protocol };
  const typeText = [args.type, flags].filter((s) => s !== '').join('|');
  return { family: 'socket', call, args, summary: `socket(${args.family}, ${typeText}, ${protocol})` };
}

function mountArgs(
  call: string,
  f: ReadonlyMap<string, string>,
  records: readonly AuditRecord[],
  cwd?: string,
): SyscallArgs {
  const target = pathArg(records, cwd);
  const at: Record<string, string> = target !== undefined ? { target } : {};
  if (call === 'mount') {
    const flags = bits(MOUNT_FLAGS, arg(f, 3));
    return { family: 'mount', call, args: { ...at, flags }, summary: `mount(…, ${target ?? '?'}, …, ${flags || 0})` };
  }
  if (call === 'umount' || call === 'umount2') {
    const flags = call === 'umount2' ? bits(UMOUNT_FLAGS, arg(f, 1)) : '';
    return {
      family: 'mount',
      call,
      args: { ...at, flags },
      summary: `${call}(${target ?? '?'}${flags ? `, ${flags}` : ''})`,
    };
  }
  return { family: 'mount', call, args: at, summary: `${call}(${target ?? ''})` };
}

function namespaceArgs(call: string, f: ReadonlyMap<string, string>): SyscallArgs {
  if (call === 'setns') {
    const fd = arg(f, 0);
    const types = bits(NAMESPACES, arg(f, 1), ',') || 'any';
    return { family: 'namespace', call, args: { fd, namespaces: types }, summary: `setns(${fd}, ${types})` };
  }
  const types = bits(NAMESPACES, arg(f, 0), ',');
  return { family: 'namespace', call, args: { namespaces: types }, summary: `unshare(${types})` };
}

function ptraceArgs(f: ReadonlyMap<string, string>, records: readonly AuditRecord[]): SyscallArgs {
  const request = named(PTRACE_REQUESTS, arg(f, 0));
  const pid = arg(f, 1);
  const obj = records.find((r) => r.type === 'OBJ_PID')?.fields;
  const target = fieldString(obj?.get('ocomm'));
  const args = { request, pid, ...(target !== undefined ? { target } : {}) };
  return {
    family: 'ptrace',
    call: 'ptrace',
    args,
    summary: `ptrace(${request}, ${pid}${target ? ` [${target}]` : ''})`,
  };
}

/** The decoded call, for the syscall rules' calls only (undefined for any other). */
export function decodeSyscall(
  name: string,
  f: ReadonlyMap<string, string>,
  records: readonly AuditRecord[],
  cwd?: string,
): SyscallArgs | undefined {
  if (name === 'socketcall') {
    // i386: socketcall(SYS_SOCKET, args): the SOCKETCALL record has the arguments
    const sc = records.find((r) => r.type === 'SOCKETCALL')?.fields;
    if (arg(f, 0) !== SYS_SOCKET || !sc) return undefined;
    // (its a0… are hex, as the kernel prints them: "a%d=%lx")
    return socketArgs('socket', arg(sc, 0), arg(sc, 1), arg(sc, 2));
  }
  const family = FAMILY_OF.get(name);
  switch (family) {
    case undefined:
      return undefined;
    case 'socket':
      return socketArgs(name, arg(f, 0), arg(f, 1), arg(f, 2));
    case 'ptrace':
      return ptraceArgs(f, records);
    case 'mount':
      return mountArgs(name, f, records, cwd);
    case 'namespace':
      return namespaceArgs(name, f);
    case 'memfd': {
      const flags = bits(MEMFD_FLAGS, arg(f, 1));
      return { family, call: name, args: { flags }, summary: `memfd_create(…, ${flags || 0})` };
    }
    case 'module': {
      const op = name === 'delete_module' ? 'unload' : 'load';
      const a: Record<string, string | number> = name === 'finit_module' ? { op, fd: arg(f, 0) } : { op };
      return { family, call: name, args: a, summary: `${name}(${a.fd ?? '…'})` };
    }
    case 'bpf': {
      const cmd = arg(f, 0) === BPF_PROG_LOAD ? 'BPF_PROG_LOAD' : String(arg(f, 0));
      const id = fieldInt(records.find((r) => r.type === 'BPF')?.fields.get('prog-id'));
      return {
        family,
        call: name,
        args: { cmd, ...(id !== undefined ? { prog_id: id } : {}) },
        summary: `bpf(${cmd})`,
      };
    }
  }
}
