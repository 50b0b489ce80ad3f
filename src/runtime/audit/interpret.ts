import { posix } from 'node:path';
import type { SecurityEvent } from '../../events/event.js';
import {
  type AuditEvent,
  type AuditRecord,
  decodeProctitle,
  execveArgs,
  fieldDev,
  fieldHex,
  fieldInt,
  fieldKeys,
  fieldString,
  parseSockaddr,
  type Sockaddr,
} from './records.js';
import {
  AUDIT_ARCH,
  type AuditArch,
  EXEC_SYSCALLS,
  type FileOperation,
  fileOperation,
  GID_SYSCALLS,
  OPEN_SYSCALLS,
  syscallName,
  UID_SYSCALLS,
} from './syscalls.js';
import { decodeSyscall, type SyscallArgs } from './syscall-args.js';

// Audit events → what the runtime detectors look at: a process ran (ExecEvent), opened a file
// (OpenEvent) or changed one under a watch (FileEvent), connected somewhere (ConnectEvent),
// or changed its privileges (SetuidEvent). Anything else yields nothing.

/** auid/ses of a process with no login session. */
const UNSET_ID = 4294967295;

interface AuditProcess {
  pid: number;
  ppid: number;
  uid: number;
  euid: number;
  gid: number;
  egid: number;
  suid?: number;
  fsuid?: number;
  /** Login uid; absent when unset. */
  auid?: number;
  ses?: number;
  tty?: string;
  comm?: string;
  exe?: string;
}

interface ActivityBase extends AuditProcess {
  time: Date;
  serial: number;
  arch?: AuditArch;
  /** The syscall's name (`unknown(n)` outside the table). */
  syscall: string;
  success: boolean;
  /** Return value, or -errno. */
  exit: number;
  /** The first rule key; `keys` has them all. */
  key?: string;
  keys: string[];
  cwd?: string;
}

export interface ExecEvent extends ActivityBase {
  kind: 'exec';
  argv: string[];
  /** The program as named to execve, made absolute with cwd; `exe` is the resolved binary. */
  path?: string;
  /** Set when the program is a script or dynamically linked: the next PATH item. */
  interpreter?: string;
  /** The program file's device, as stat(2) gives st_dev (which container's filesystem), and inode. */
  dev?: number;
  ino?: number;
}

export interface OpenEvent extends ActivityBase {
  kind: 'open';
  path: string;
  paths: string[];
  /** open(2) flags; absent for openat2, whose flags sit in a struct. */
  flags?: number;
  /** Opened for writing (or truncating); absent when flags are unknown. */
  write?: boolean;
  create: boolean;
  /** The file did not exist before (a CREATE item). */
  created?: boolean;
  /** Opened with O_TRUNC. */
  truncate?: boolean;
}

export interface FileEvent extends ActivityBase {
  kind: 'file';
  operation: FileOperation;
  path: string;
  paths: string[];
  /** link/symlink: what the new name points at; rename: the new name (`path` is the old). */
  target?: string;
  /** chmod: the mode asked for. */
  mode?: number;
}

export interface ConnectEvent extends ActivityBase {
  kind: 'connect';
  family: Sockaddr['family'];
  address: string;
  /** For inet and inet6. */
  port?: number;
}

interface Capabilities {
  permitted: bigint;
  effective: bigint;
  inheritable: bigint;
  ambient?: bigint;
}

export interface SetuidEvent extends ActivityBase {
  kind: 'setuid';
  /**
   * syscall: setuid/setgid family (`requested` has its arguments, -1 = unchanged);
   * setuid-exec / setgid-exec: a set-id file ran and the effective id changed;
   * file-caps: an exec gained capabilities from file capabilities;
   * capset: capset(2) (`caps` has the new sets).
   */
  cause: 'syscall' | 'setuid-exec' | 'setgid-exec' | 'file-caps' | 'capset';
  requested?: number[];
  /** The executed file for the exec causes. */
  path?: string;
  mode?: number;
  caps?: Capabilities;
}

/** One of the rarely made calls of the syscall rules (rules.ts SYSCALL_FILTERS), decoded. */
export interface SyscallEvent extends ActivityBase {
  kind: 'syscall';
  call: SyscallArgs;
}

export type AuditActivity = ExecEvent | OpenEvent | FileEvent | ConnectEvent | SetuidEvent | SyscallEvent;

const AT_FDCWD = 0xffffff9cn;
const O_ACCMODE = 3;
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;

function first(records: readonly AuditRecord[], type: string): AuditRecord | undefined {
  return records.find((r) => r.type === type);
}

function pathItems(records: readonly AuditRecord[]): AuditRecord[] {
  return records
    .filter((r) => r.type === 'PATH')
    .sort((a, b) => (fieldInt(a.fields.get('item')) ?? 0) - (fieldInt(b.fields.get('item')) ?? 0));
}

function resolve(name: string, cwd: string | undefined, relativeToCwd: boolean): string {
  if (name.startsWith('/') || !cwd || !relativeToCwd || name.length === 0) return name;
  return posix.resolve(cwd, name);
}

/** A syscall argument as a 32-bit signed value (ids: -1 means "unchanged"). */
function argInt(raw: string | undefined): number | undefined {
  const v = fieldHex(raw);
  if (v === undefined) return undefined;
  const low = Number(v & 0xffffffffn);
  return low >= 0x80000000 ? low - 0x100000000 : low;
}

function base(ev: AuditEvent, sc: AuditRecord): ActivityBase | undefined {
  const f = sc.fields;
  const pid = fieldInt(f.get('pid'));
  const nr = fieldInt(f.get('syscall'));
  const uid = fieldInt(f.get('uid'));
  if (pid === undefined || nr === undefined || uid === undefined) return undefined;
  const archHex = f.get('arch')?.toLowerCase();
  const arch = archHex !== undefined && Object.hasOwn(AUDIT_ARCH, archHex) ? AUDIT_ARCH[archHex] : undefined; // record text
  const keys = fieldKeys(f.get('key'));
  const out: ActivityBase = {
    time: ev.time,
    serial: ev.serial,
    syscall: syscallName(arch, nr) ?? `unknown(${nr})`,
    success: f.get('success') === 'yes',
    exit: fieldInt(f.get('exit')) ?? 0,
    keys,
    pid,
    ppid: fieldInt(f.get('ppid')) ?? 0,
    uid,
    euid: fieldInt(f.get('euid')) ?? uid,
    gid: fieldInt(f.get('gid')) ?? 0,
    egid: fieldInt(f.get('egid')) ?? fieldInt(f.get('gid')) ?? 0,
  };
  if (arch) out.arch = arch;
  if (keys[0] !== undefined) out.key = keys[0];
  const opt = { suid: fieldInt(f.get('suid')), fsuid: fieldInt(f.get('fsuid')), ses: fieldInt(f.get('ses')) };
  if (opt.suid !== undefined) out.suid = opt.suid;
  if (opt.fsuid !== undefined) out.fsuid = opt.fsuid;
  const auid = fieldInt(f.get('auid'));
  if (auid !== undefined && auid !== UNSET_ID) out.auid = auid;
  if (opt.ses !== undefined && opt.ses !== UNSET_ID) out.ses = opt.ses;
  const tty = f.get('tty');
  if (tty !== undefined && tty !== '(none)') out.tty = tty;
  const comm = fieldString(f.get('comm'));
  if (comm !== undefined) out.comm = comm;
  const exe = fieldString(f.get('exe'));
  if (exe !== undefined) out.exe = exe;
  const cwd = fieldString(first(ev.records, 'CWD')?.fields.get('cwd'));
  if (cwd !== undefined) out.cwd = cwd;
  return out;
}

function capsOf(r: AuditRecord, prefix: '' | 'cap_'): Capabilities | undefined {
  const p = fieldHex(r.fields.get(`${prefix}pp`));
  const e = fieldHex(r.fields.get(`${prefix}pe`));
  const i = fieldHex(r.fields.get(`${prefix}pi`));
  if (p === undefined || e === undefined || i === undefined) return undefined;
  const a = fieldHex(r.fields.get(`${prefix}pa`));
  return a === undefined
    ? { permitted: p, effective: e, inheritable: i }
    : { permitted: p, effective: e, inheritable: i, ambient: a };
}

/** BPRM_FCAPS's new sets when the exec added permitted or effective capabilities. */
function capsGained(r: AuditRecord): Capabilities | undefined {
  const now = capsOf(r, '');
  const oldP = fieldHex(r.fields.get('old_pp'));
  const oldE = fieldHex(r.fields.get('old_pe'));
  if (!now || oldP === undefined || oldE === undefined) return undefined;
  return (now.permitted & ~oldP) !== 0n || (now.effective & ~oldE) !== 0n ? now : undefined;
}

/** What one audit event says happened; empty for events that are none of the kinds. */
export function interpretEvent(ev: AuditEvent): AuditActivity[] {
  const sc = first(ev.records, 'SYSCALL');
  if (!sc) return [];
  const b = base(ev, sc);
  if (!b) return [];
  const f = sc.fields;
  const name = b.syscall;
  const paths = pathItems(ev.records);

  if (EXEC_SYSCALLS.has(name)) {
    // A failed exec has no EXECVE record, and its PROCTITLE is still the caller's.
    const argv =
      execveArgs(ev.records) ??
      (b.success ? decodeProctitle(first(ev.records, 'PROCTITLE')?.fields.get('proctitle')) : undefined) ??
      [];
    const item0 = paths[0];
    const named = fieldString(item0?.fields.get('name'));
    const path =
      named !== undefined ? resolve(named, b.cwd, name === 'execve' || fieldHex(f.get('a0')) === AT_FDCWD) : undefined;
    let setid: SetuidEvent | undefined;
    if (b.success && item0) {
      const fcaps = first(ev.records, 'BPRM_FCAPS');
      const gained = fcaps ? capsGained(fcaps) : undefined;
      const mode = Number.parseInt(item0.fields.get('mode') ?? '', 8);
      const at = path !== undefined ? { path } : {};
      if (Number.isFinite(mode) && mode & S_ISUID && b.euid !== b.uid)
        setid = { ...b, kind: 'setuid', cause: 'setuid-exec', mode, ...at };
      else if (Number.isFinite(mode) && mode & S_ISGID && b.egid !== b.gid)
        setid = { ...b, kind: 'setuid', cause: 'setgid-exec', mode, ...at };
      if (setid) {
        // A set-uid-root program gets root's capabilities too: one event, with them.
        if (gained) setid.caps = gained;
      } else if (gained && fcaps?.fields.get('fver') !== undefined && fcaps.fields.get('fver') !== '0') {
        setid = { ...b, kind: 'setuid', cause: 'file-caps', caps: gained, ...at };
      }
    }
    // The activity is the base object itself (no copy: this is the hot path).
    const exec = b as ExecEvent;
    exec.kind = 'exec';
    exec.argv = argv;
    if (path !== undefined) exec.path = path;
    const dev = fieldDev(item0?.fields.get('dev'));
    if (dev !== undefined) exec.dev = dev;
    const ino = fieldInt(item0?.fields.get('inode'));
    if (ino !== undefined) exec.ino = ino;
    const item1 = fieldString(paths[1]?.fields.get('name'));
    if (item1 !== undefined && paths[1]?.fields.get('nametype') !== 'PARENT') exec.interpreter = item1;
    return setid ? [exec, setid] : [exec];
  }

  if (name === 'connect' || (name === 'socketcall' && fieldHex(f.get('a0')) === 3n)) {
    const sa = first(ev.records, 'SOCKADDR');
    const le = (Number.parseInt(f.get('arch') ?? '', 16) & 0x40000000) !== 0 || f.get('arch') === undefined;
    const addr = parseSockaddr(sa?.fields.get('saddr'), le);
    if (!addr) return [];
    const c = b as ConnectEvent;
    c.kind = 'connect';
    c.family = addr.family;
    c.address = addr.address ?? '';
    if (addr.port !== undefined) c.port = addr.port;
    return [c];
  }

  if (UID_SYSCALLS.has(name) || GID_SYSCALLS.has(name)) {
    const n = name.startsWith('setres') ? 3 : name.startsWith('setre') ? 2 : 1;
    const requested: number[] = [];
    for (let i = 0; i < n; i++) requested.push(argInt(f.get(`a${i}`)) ?? -1);
    return [{ ...b, kind: 'setuid', cause: 'syscall', requested }];
  }

  if (name === 'capset') {
    const rec = first(ev.records, 'CAPSET');
    const caps = rec ? capsOf(rec, 'cap_') : undefined;
    return [{ ...b, kind: 'setuid', cause: 'capset', ...(caps ? { caps } : {}) }];
  }

  const call = decodeSyscall(name, f, ev.records, b.cwd);
  if (call) return [{ ...b, kind: 'syscall', call }];

  // Paths the call acted on: not the parent directories the kernel also records.
  const dirfdArg = name === 'symlinkat' ? 'a1' : 'a0'; // symlinkat(target, newdirfd, linkpath)
  const dirfdIsCwd = name.endsWith('at') || name.endsWith('at2') ? fieldHex(f.get(dirfdArg)) === AT_FDCWD : true;
  const named = paths.filter((p) => p.fields.get('nametype') !== 'PARENT');
  const files = (named.length > 0 ? named : paths)
    .map((p) => fieldString(p.fields.get('name')))
    .filter((s): s is string => s !== undefined)
    .map((s) => resolve(s, b.cwd, dirfdIsCwd));

  if (OPEN_SYSCALLS.has(name)) {
    const path = files[0];
    if (path === undefined) return [];
    let flags: number | undefined;
    if (name === 'open') flags = argInt(f.get('a1'));
    else if (name === 'openat' || name === 'open_by_handle_at') flags = argInt(f.get('a2'));
    else if (name === 'creat') flags = O_CREAT | O_TRUNC | 1;
    const o = b as OpenEvent;
    o.kind = 'open';
    o.path = path;
    o.paths = files;
    o.create =
      paths.some((p) => p.fields.get('nametype') === 'CREATE') || (flags !== undefined && (flags & O_CREAT) !== 0);
    // (overlayfs's copy-up adds CREATE items of its own, unnamed)
    o.created = paths.some(
      (p) => p.fields.get('nametype') === 'CREATE' && fieldString(p.fields.get('name')) !== undefined,
    );
    if (flags !== undefined) {
      o.flags = flags;
      o.write = (flags & O_ACCMODE) !== 0 || (flags & O_TRUNC) !== 0;
      o.truncate = (flags & O_TRUNC) !== 0;
    }
    return [o];
  }

  const op = fileOperation(name);
  if (op && files[0] !== undefined) return [fileEvent(b, f, op, files, paths)];
  return [];
}

/** Which item is which: links and renames name two files, chmod's mode is an argument. */
function fileEvent(
  b: ActivityBase,
  f: AuditRecord['fields'],
  op: FileOperation,
  files: string[],
  paths: AuditRecord[],
): FileEvent {
  const ev: FileEvent = { ...b, kind: 'file', operation: op, path: files[0]!, paths: files };
  const typed = (t: string): AuditRecord | undefined => paths.find((p) => p.fields.get('nametype') === t);
  const nameOf = (r: AuditRecord | undefined): string | undefined => fieldString(r?.fields.get('name'));
  const created = files[files.length - 1];
  if (b.syscall.startsWith('symlink')) {
    // the target is a string, not looked up: an UNKNOWN item; relative to the link's directory
    const target = nameOf(typed('UNKNOWN'));
    if (created !== undefined) ev.path = created;
    if (target !== undefined) ev.target = target.startsWith('/') ? target : posix.join(posix.dirname(ev.path), target);
  } else if ((op === 'link' || op === 'rename') && files.length >= 2 && created !== undefined) {
    if (op === 'link') {
      ev.path = created;
      ev.target = files[0]!;
    } else ev.target = created;
  } else if (op === 'chmod') {
    const mode = argInt(f.get(b.syscall === 'chmod' || b.syscall === 'fchmod' ? 'a1' : 'a2'));
    if (mode !== undefined) ev.mode = mode & 0o7777;
  }
  return ev;
}

/** The process part of a SecurityEvent (src/runtime/event.ts) for an activity. */
export function processOf(a: AuditActivity): NonNullable<SecurityEvent['process']> {
  const p: NonNullable<SecurityEvent['process']> = { pid: a.pid, ppid: a.ppid, uid: a.uid };
  if (a.exe !== undefined) p.exe = a.exe;
  if (a.kind === 'exec') p.args = a.argv;
  if (a.cwd !== undefined) p.cwd = a.cwd;
  if (a.auid !== undefined) p.auid = a.auid;
  return p;
}
