import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { posix } from 'node:path';
import { PROTECTED_WRITE_PATHS } from '../protected-paths.js';
import { KEYS, type AuditRule } from './rules.js';
import { hostArches, syscallNumber, type AuditArch } from './syscalls.js';

// The audit rules behind the file rules (rules/default-file-rules.ts), key bulwark-files.
// Per container, added and removed with it (agent/watches.ts): directory watches (-p wa: write
// opens, creates, renames, unlinks, links, mkdir, chmod/chown) on the container's own copies of
// the system, program, configuration, home and log directories, and one rule for the opens on
// the container's procfs (its own superblock, so its device number scopes the rule in the
// kernel). Host-wide, filtered in the kernel: chmod calls that set a set-id bit, link and
// symlink calls (rare; their target is often outside any watched directory), and the cgroup v1
// hierarchies' release_agent files (a hierarchy mounted again inside a container is the same
// superblock, so the same inode).

/** Directories of a container watched recursively for changes (those that exist when it starts). */
const FILE_WATCH_DIRS: readonly string[] = [
  '/etc',
  ...PROTECTED_WRITE_PATHS, // the program and library directories
  '/root',
  '/home',
  '/var/spool/cron',
  '/var/log',
];

const SETID_BITS = '0xc00'; // S_ISUID | S_ISGID

/** Linux's dev_t split (glibc's gnu_dev_major/minor). */
function devNumbers(dev: number): { major: number; minor: number } {
  const d = BigInt(dev);
  const major = Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn));
  const minor = Number((d & 0xffn) | ((d >> 12n) & ~0xffn));
  return { major, minor };
}

/** By number: auditctl's own table may predate a call (auditctl 3.0 knows no fchmodat2). */
function syscalls(arch: AuditArch, names: readonly string[]): string | undefined {
  const nrs = names.map((n) => syscallNumber(arch, n)).filter((n): n is number => n !== undefined);
  return nrs.length ? nrs.join(',') : undefined;
}

function rule(bits: 'b64' | 'b32', arch: AuditArch, names: readonly string[], fields: string[]): AuditRule | undefined {
  const s = syscalls(arch, names);
  if (!s) return undefined;
  const args = ['-a', 'always,exit', '-F', `arch=${bits}`, '-S', s, ...fields, '-k', KEYS.files];
  return { key: KEYS.files, args, optional: bits === 'b32' };
}

/** Host-wide rules: set-id chmods, links and symlinks, writes to release_agent files. */
export function globalFileRules(arch?: string, releaseAgents: readonly string[] = []): AuditRule[] {
  const a = hostArches(arch);
  if (!a) return [];
  const out: (AuditRule | undefined)[] = [];
  for (const [bits, which] of [
    ['b64', a.b64],
    ['b32', a.b32],
  ] as const) {
    // the mode is the second argument of chmod and fchmod, the third of the *at calls
    out.push(rule(bits, which, ['chmod', 'fchmod'], ['-F', `a1&${SETID_BITS}`]));
    out.push(rule(bits, which, ['fchmodat', 'fchmodat2'], ['-F', `a2&${SETID_BITS}`]));
    out.push(rule(bits, which, ['link', 'linkat', 'symlink', 'symlinkat'], []));
  }
  for (const f of releaseAgents)
    out.push({ key: KEYS.files, optional: true, args: ['-w', f, '-p', 'wa', '-k', KEYS.files] });
  return out.filter((r): r is AuditRule => r !== undefined);
}

/** The host's cgroup v1 hierarchies' release_agent files (none on a cgroup v2 host). */
export function releaseAgentFiles(cgroupRoot = '/sys/fs/cgroup'): string[] {
  try {
    return readdirSync(cgroupRoot)
      .map((d) => posix.join(cgroupRoot, d, 'release_agent'))
      .filter((f) => existsSync(f));
  } catch {
    return [];
  }
}

/** The FILE_WATCH_DIRS that are real directories below `root` (a link such as /bin → usr/bin is watched as its target). */
function existingDirs(root: string, dirs: readonly string[]): string[] {
  return dirs
    .map((d) => posix.join(root, d))
    .filter((p) => {
      try {
        return lstatSync(p).isDirectory();
      } catch {
        return false;
      }
    });
}

/**
 * auditctl arguments for one container: `root` its merged directory, `procDev` the device of
 * its /proc (undefined: no procfs rule).
 */
export function containerFileRules(
  root: string,
  procDev: number | undefined,
  dirs: readonly string[] = FILE_WATCH_DIRS,
  arch?: string,
): string[][] {
  const out = existingDirs(root, dirs).map((p) => ['-w', p, '-p', 'wa', '-k', KEYS.files]);
  const a = hostArches(arch);
  if (procDev !== undefined && a) {
    const { major, minor } = devNumbers(procDev);
    const dev = ['-F', `devmajor=${major}`, '-F', `devminor=${minor}`];
    const r = rule('b64', a.b64, ['open', 'openat', 'openat2'], dev);
    if (r) out.push(r.args);
  }
  return out;
}

/** The auditctl arguments that delete what these added (-w → -W, -a → -d). */
export function deleteArgs(args: readonly string[]): string[] {
  return args.map((x) => (x === '-w' ? '-W' : x === '-a' ? '-d' : x));
}
