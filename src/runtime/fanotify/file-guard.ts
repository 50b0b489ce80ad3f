import { BulwarkError } from '../../core/errors.js';
import {
  addonOrThrow,
  DEFAULT_TIMEOUT_MS,
  systemError,
  type NativeCallback,
  type NativeGuard,
  type NativeStats,
} from './index.js';

// Deny-before-open for file profiles: FAN_OPEN_PERM marks on the filesystems given, through the
// same addon as the exec guard (a second fanotify group in "files" mode). Only opens at or
// below the protected prefixes reach `decide`; the addon's reader thread allows every other
// open, and every open by this process, at once. As with execs, an open with no answer within
// timeoutMs is allowed (fail open: a stalled agent never hangs the containers' opens), as is
// one whose decide throws, and everything pending when the guard closes.
//
// Events name the opening thread (FAN_REPORT_TID): while it waits it is blocked in its open
// system call, so /proc/<tid>/syscall tells how it opens (see open-access.ts).

export interface OpenEvent {
  /** The thread calling open (a thread id: /proc/<tid>/ works for it). */
  tid: number;
  /** The file being opened, as the host sees it. */
  path: string;
  dev: number;
  ino: number;
}

export interface FileGuardOptions {
  /** A path on each filesystem to guard. */
  path: string | readonly string[];
  /** Host paths whose opens are decided (a prefix covers what is below it). */
  prefixes: readonly string[];
  /**
   * true allows, false refuses the open (EPERM); anything else allows. "cache" allows, and
   * lets the addon allow the same read-only open of the same file (unchanged, same name) by
   * the same program again without asking, until clearCache(); writes are always asked.
   */
  decide(ev: OpenEvent): boolean | 'cache' | Promise<boolean>;
  timeoutMs?: number;
  onError?(error: unknown, ev: OpenEvent): void;
}

interface FileGuardStats extends NativeStats {
  /** Opens allowed by the addon without asking: outside the prefixes. */
  filtered: number;
  errors: number;
}

export interface FileGuard {
  add(path: string): void;
  remove(path: string): void;
  setPrefixes(prefixes: readonly string[]): void;
  /** Forgets the cached answers (a profile or a container changed). */
  clearCache(): void;
  close(): void;
  stats(): FileGuardStats;
}

interface NativeFileGuard extends NativeGuard {
  markOpen(path: string, scope: 'filesystem', remove: boolean): void;
  setPrefixes(prefixes: string[]): void;
  stats(): NativeStats & { filtered: number };
}

function callbackFor(o: FileGuardOptions, native: () => NativeGuard | undefined, failed: () => void): NativeCallback {
  const fail = (e: unknown, ev: OpenEvent): void => {
    failed();
    try {
      o.onError?.(e, ev);
    } catch {
      // a failing reporter must not change the answer
    }
  };
  return (id, tid, path, dev, ino) => {
    const ev: OpenEvent = { tid, path, dev, ino };
    let answer: boolean | 'cache' | Promise<boolean>;
    try {
      answer = o.decide(ev);
    } catch (e) {
      fail(e, ev);
      return true;
    }
    if (answer === 'cache') return 2;
    if (!(answer instanceof Promise)) return answer !== false;
    answer.then(
      (allow) => native()?.respond(id, allow !== false, false),
      (e: unknown) => {
        fail(e, ev);
        native()?.respond(id, true, false);
      },
    );
    return undefined;
  };
}

/** Starts deciding opens below `prefixes` on the filesystems of opts.path; close() to stop. */
export function openFileGuard(o: FileGuardOptions): FileGuard {
  const paths = typeof o.path === 'string' ? [o.path] : [...o.path];
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (paths.length === 0 || paths.some((p) => typeof p !== 'string' || p === ''))
    throw new BulwarkError('USAGE', 'fanotify', 'path must name at least one filesystem');
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 3_600_000)
    throw new BulwarkError('USAGE', 'fanotify', `timeoutMs must be an integer from 1 to 3600000, not ${timeoutMs}`);
  const addon = addonOrThrow();
  let errors = 0;
  let closed = false;
  let guard: NativeFileGuard | undefined;
  const callback = callbackFor(
    o,
    () => guard,
    () => errors++,
  );
  try {
    guard = new addon.ExecGuard(timeoutMs, callback, 'files') as NativeFileGuard;
  } catch (e) {
    throw systemError(e, 'fanotify');
  }
  const g = guard;
  const mark = (path: string, remove: boolean): void => {
    try {
      g.markOpen(path, 'filesystem', remove);
    } catch (e) {
      throw systemError(e, path);
    }
  };
  try {
    g.setPrefixes([...o.prefixes]);
    for (const p of paths) mark(p, false);
  } catch (e) {
    g.close();
    throw e;
  }
  return {
    add: (path) => mark(path, false),
    remove: (path) => mark(path, true),
    setPrefixes: (prefixes) => g.setPrefixes([...prefixes]),
    clearCache: () => (closed ? undefined : g.clearCache()),
    close() {
      if (closed) return;
      closed = true;
      g.close();
    },
    stats: () => ({ ...g.stats(), errors }),
  };
}
