import { posix } from 'node:path';
import { BulwarkError } from '../../core/errors.js';
import { SENSITIVE_FILES } from '../sensitive-files.js';
import { auditctl, auditctlOk, auditctlSync } from './control.js';
import { type AuditArch, hostArches, syscallNumber } from './syscalls.js';

// The kernel audit rules the agent installs, as auditctl argument lists, each tagged with a
// bulwark-* key so that only ours are ever listed or deleted (`auditctl -D -k key`).
// Rules for the 32-bit compat ABI are there because a 32-bit program makes the same calls
// under other numbers (the classic way around 64-bit-only rules); they are optional since
// a kernel may have no compat support.

export const KEYS = {
  exec: 'bulwark-exec',
  connect: 'bulwark-connect',
  privilege: 'bulwark-privilege',
  /** Reads and writes of secrets (`-p rwa`). */
  sensitive: 'bulwark-sensitive',
  /** Changes to system configuration (`-p wa`). */
  config: 'bulwark-config',
  /** Changes below watched directories of each container (file rules: -p wa on dirs). */
  files: 'bulwark-files',
  /** Rarely made system calls (syscall rules: sockets, ptrace, mount, namespaces, modules, bpf). */
  syscalls: 'bulwark-syscalls',
} as const;

export const ALL_KEYS: readonly string[] = Object.values(KEYS);

/** Watched for reads too: the one list the default rules match (sensitive-files.ts). */
const DEFAULT_SENSITIVE_FILES: readonly string[] = SENSITIVE_FILES;
const DEFAULT_CONFIG_FILES: readonly string[] = [
  '/etc/passwd',
  '/etc/group',
  '/etc/ld.so.preload',
  '/etc/ssh/sshd_config',
  '/etc/crontab',
  '/etc/cron.d',
];

export interface AuditRule {
  key: string;
  /** Arguments to auditctl. */
  args: string[];
  /** A failure to add it is reported, not fatal (compat ABI, a watched path that cannot be watched). */
  optional: boolean;
}

export interface RuleOptions {
  /** Node's process.arch of the machine (x64, arm64). */
  arch?: string;
  exec?: boolean;
  connect?: boolean;
  privilege?: boolean;
  /** The rarely made calls of the syscall rules (syscallRules below). */
  syscalls?: boolean;
  /** Watched for reads, writes and attribute changes. */
  sensitiveFiles?: readonly string[];
  /** Watched for writes and attribute changes. */
  configFiles?: readonly string[];
}

const PRIVILEGE = [
  'setuid',
  'setgid',
  'setreuid',
  'setregid',
  'setresuid',
  'setresgid',
  'setuid32',
  'setgid32',
  'setreuid32',
  'setregid32',
  'setresuid32',
  'setresgid32',
  'capset',
];

/**
 * The syscall rules' calls, each filtered on its arguments as tightly as the kernel's audit
 * filter allows (one auditctl rule per filter: the -F of one rule are ANDed). Arguments that
 * are pointers (mount's strings, a module's name) cannot be filtered on.
 */
const SYSCALL_FILTERS: readonly { names: string[]; filter: string[] }[] = [
  // the fileless-exec precursor
  { names: ['memfd_create'], filter: [] },
  // AF_PACKET (17), any type
  { names: ['socket'], filter: ['-F', 'a0=17'] },
  // SOCK_RAW (3) in the type's low bits, whatever SOCK_NONBLOCK/SOCK_CLOEXEC add (bit test: no
  // other real type has both bits); not netlink (16), whose raw sockets getaddrinfo opens
  { names: ['socket'], filter: ['-F', 'a1&=3', '-F', 'a0!=16'] },
  // ptrace PTRACE_ATTACH, PTRACE_SEIZE, POKETEXT/POKEDATA/POKEUSER, SETREGS, SETREGSET: what
  // injection needs (not PTRACE_TRACEME or the reads a debugger makes all the time)
  { names: ['ptrace'], filter: ['-F', 'a0=16'] },
  { names: ['ptrace'], filter: ['-F', 'a0=0x4206'] },
  { names: ['ptrace'], filter: ['-F', 'a0>=4', '-F', 'a0<=6'] },
  { names: ['ptrace'], filter: ['-F', 'a0=13'] },
  { names: ['ptrace'], filter: ['-F', 'a0=0x4205'] },
  // mounts, old and new API
  { names: ['mount', 'umount', 'umount2', 'fsopen', 'fsmount', 'move_mount', 'open_tree'], filter: [] },
  { names: ['setns'], filter: [] },
  // unshare with a CLONE_NEW* flag (NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME)
  { names: ['unshare'], filter: ['-F', 'a0&0x7e020080'] },
  { names: ['init_module', 'finit_module', 'delete_module'], filter: [] },
  // BPF_PROG_LOAD (5)
  { names: ['bpf'], filter: ['-F', 'a0=5'] },
];

function syscallRule(
  key: string,
  bits: 'b64' | 'b32',
  arch: AuditArch,
  names: string[],
  optional: boolean,
  extra: string[] = [],
): AuditRule | undefined {
  const known = names.filter((n) => syscallNumber(arch, n) !== undefined);
  if (known.length === 0) return undefined;
  return {
    key,
    optional,
    args: ['-a', 'always,exit', '-F', `arch=${bits}`, '-S', known.join(','), ...extra, '-k', key],
  };
}

/** auditctl arguments watching each file (under `root`: a container's merged root) for reads, writes and attribute changes. */
export function sensitiveWatches(files: readonly string[], root = '/'): string[][] {
  return files.map((p) => ['-w', posix.join(root, p), '-p', 'rwa', '-k', KEYS.sensitive]);
}

/** The rules for this machine. */
export function bulwarkRules(opts: RuleOptions = {}): AuditRule[] {
  const arches = hostArches(opts.arch);
  if (!arches)
    throw new BulwarkError(
      'PLATFORM',
      `arch ${opts.arch ?? process.arch}`,
      'kernel audit rules are defined for x86_64 and aarch64 only',
    );
  const out: (AuditRule | undefined)[] = [];
  const both = (key: string, names: string[]): void => {
    out.push(syscallRule(key, 'b64', arches.b64, names, false));
    out.push(syscallRule(key, 'b32', arches.b32, names, true));
  };
  if (opts.exec !== false) both(KEYS.exec, ['execve', 'execveat']);
  if (opts.connect !== false) {
    both(KEYS.connect, ['connect']);
    // i386 reaches connect through socketcall(SYS_CONNECT = 3, …) too.
    out.push(
      syscallRule(
        KEYS.connect,
        'b32',
        arches.b32,
        ['socketcall'].filter(() => arches.b32 === 'i386'),
        true,
        ['-F', 'a0=3'],
      ),
    );
  }
  if (opts.privilege !== false) both(KEYS.privilege, PRIVILEGE);
  if (opts.syscalls !== false) {
    for (const { names, filter } of SYSCALL_FILTERS) {
      out.push(syscallRule(KEYS.syscalls, 'b64', arches.b64, names, false, filter));
      out.push(syscallRule(KEYS.syscalls, 'b32', arches.b32, names, true, filter));
    }
    // i386 reaches socket through socketcall(SYS_SOCKET = 1, args) too: its arguments are in
    // memory, out of the filter's reach (the SOCKETCALL record has them, the agent filters)
    out.push(
      syscallRule(
        KEYS.syscalls,
        'b32',
        arches.b32,
        ['socketcall'].filter(() => arches.b32 === 'i386'),
        true,
        ['-F', 'a0=1'],
      ),
    );
  }
  for (const args of sensitiveWatches(opts.sensitiveFiles ?? DEFAULT_SENSITIVE_FILES))
    out.push({ key: KEYS.sensitive, optional: true, args });
  for (const p of opts.configFiles ?? DEFAULT_CONFIG_FILES)
    out.push({ key: KEYS.config, optional: true, args: ['-w', p, '-p', 'wa', '-k', KEYS.config] });
  return out.filter((r): r is AuditRule => r !== undefined);
}

export interface InstallResult {
  added: number;
  /** Already in the kernel (installRules is idempotent). */
  existing: number;
  /** Optional rules the kernel refused. */
  skipped: { rule: AuditRule; reason: string }[];
}

/**
 * Adds the rules; a rule already present counts as existing. A required rule that fails
 * throws (after the rules added so far are removed again).
 */
export async function installRules(rules: readonly AuditRule[], bin = 'auditctl'): Promise<InstallResult> {
  const res: InstallResult = { added: 0, existing: 0, skipped: [] };
  for (const rule of rules) {
    const r = await auditctl(rule.args, bin);
    if (r.code === 0) {
      res.added++;
      continue;
    }
    const reason = (r.stderr || r.stdout).trim() || `exit ${r.code}`;
    if (/rule exists/i.test(reason)) res.existing++;
    else if (rule.optional) res.skipped.push({ rule, reason });
    else {
      await removeRules([...new Set(rules.map((x) => x.key))], bin).catch(() => undefined);
      throw new BulwarkError('IO', `auditctl ${rule.args.join(' ')}`, reason);
    }
  }
  return res;
}

/** Deletes every rule and watch with these keys (default: all of Bulwark's); idempotent. */
export async function removeRules(keys: readonly string[] = ALL_KEYS, bin = 'auditctl'): Promise<void> {
  for (const k of keys) await auditctlOk(['-D', '-k', k], bin);
}

export function removeRulesSync(keys: readonly string[] = ALL_KEYS, bin = 'auditctl'): void {
  for (const k of keys) auditctlSync(['-D', '-k', k], bin);
}

/** Lines of `auditctl -l` that carry one of these keys. */
export async function listRules(keys: readonly string[] = ALL_KEYS, bin = 'auditctl'): Promise<string[]> {
  const out = await auditctlOk(['-l'], bin);
  return out.split('\n').filter((line) => keys.some((k) => line.endsWith(`key=${k}`) || line.endsWith(`-k ${k}`)));
}
