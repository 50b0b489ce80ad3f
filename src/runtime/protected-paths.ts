import { SENSITIVE_FILES } from './sensitive-files.js';

// The paths file profiles guard inside containers. Opens of "guarded" paths are learned and
// judged for reads and writes; "write-guarded" paths (binary and library directories) only for
// writes: every program reads its binary and libraries, and which programs run is the exec
// profile's business. An entry covers itself and everything below it; a "*" segment matches
// one path segment (/home/*/.ssh). The default rules carry both lists (protected_paths,
// protected_write_paths), so a rule file can extend them.

export const PROTECTED_PATHS: readonly string[] = ['/etc', '/root/.ssh', '/home/*/.ssh', ...SENSITIVE_FILES];

export const PROTECTED_WRITE_PATHS: readonly string[] = [
  '/bin',
  '/sbin',
  '/usr/bin',
  '/usr/sbin',
  '/usr/local/bin',
  '/usr/local/sbin',
  '/lib',
  '/lib64',
  '/usr/lib',
  '/usr/lib64',
  '/usr/local/lib',
];

export type Protection = 'read-write' | 'write';

/** Whether `entry` (maybe with "*" segments) is `path` or one of its parents. */
function covers(entry: string, path: string): boolean {
  const want = entry.split('/');
  const have = path.split('/');
  if (have.length < want.length) return false;
  return want.every((seg, i) => seg === have[i] || (seg === '*' && have[i] !== ''));
}

/** How `path` (inside the container) is protected; undefined: not at all. */
export function protectionOf(
  path: string,
  paths: readonly string[] = PROTECTED_PATHS,
  writePaths: readonly string[] = PROTECTED_WRITE_PATHS,
): Protection | undefined {
  if (paths.some((e) => covers(e, path))) return 'read-write';
  if (writePaths.some((e) => covers(e, path))) return 'write';
  return undefined;
}

/** The plain prefixes (up to any "*" segment) whose opens must be seen to judge these entries. */
export function guardPrefixes(entries: readonly string[]): string[] {
  const out = new Set<string>();
  for (const e of entries) {
    const segs = e.split('/');
    const star = segs.indexOf('*');
    const prefix = (star < 0 ? segs : segs.slice(0, star)).join('/');
    if (prefix.startsWith('/') && prefix.length > 1) out.add(prefix);
  }
  return [...out].sort();
}
