import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BulwarkError, messageOf } from '../../core/errors.js';

// Deny-before-exec for Protect mode: fanotify FAN_OPEN_EXEC_PERM marks on the mounts (or
// filesystems) of the paths given, through the addon in native/fanotify (built by `npm ci`).
// The kernel holds each exec on a marked mount until `decide` answers; the addon's reader
// thread allows it anyway when no answer comes within timeoutMs (default 2 s), when decide
// throws, and when the guard closes, so the host's execs never hang on the agent.
//
// One caveat for the process that holds the guard: Node's child_process.spawn waits on the
// JS thread until its child has exec'd, so a binary on a marked mount spawned by that same
// process cannot be decided until the timeout (and is then allowed). Start such children
// through a program outside the marked mounts (sh -c '…'), or from another process.
//
// When the addon is missing (not built, non-Linux, BULWARK_SKIP_FANOTIFY=1) fanotifySupport()
// says "fanotify addon not built: <reason>" and the agent falls back to kill-after-exec.

export const DEFAULT_TIMEOUT_MS = 2000;

export type ExecGuardScope = 'mount' | 'filesystem';

/** One exec the kernel holds until it is decided. */
export interface ExecEvent {
  /** The process calling execve (its pid stays the same once the exec succeeds). */
  pid: number;
  /** The executable (or script, or ELF interpreter) being opened for exec, as the host sees it. */
  path: string;
  /** The file's device (st_dev) and inode, from the event's descriptor; -1 when fstat failed. */
  dev: number;
  ino: number;
}

/**
 * true allows, false denies (execve fails with EPERM). "cache" allows, and allows this file
 * again without asking while it stays the same: same device and inode, an unchanged inode
 * (ctime: any write, chmod or overlayfs copy-up changes it) and the same path.
 */
export type ExecAnswer = boolean | 'cache';

export interface ExecGuardOptions {
  /** A path on each mount (scope "mount") or filesystem (scope "filesystem") to guard. */
  path: string | readonly string[];
  /** Anything other than an ExecAnswer allows. */
  decide(ev: ExecEvent): ExecAnswer | Promise<ExecAnswer>;
  /** Undecided execs are allowed after this many milliseconds (default 2000). */
  timeoutMs?: number;
  /** "mount" (default) guards the mount holding each path; "filesystem" its whole filesystem. */
  scope?: ExecGuardScope;
  /** Told when decide throws or rejects (the exec is then allowed at once). */
  onError?(error: unknown, ev: ExecEvent): void;
}

export interface ExecGuardStats {
  /** Allowed by decide. */
  allowed: number;
  /** Denied by decide. */
  denied: number;
  /** Allowed because no decision came within timeoutMs. */
  timedOut: number;
  /** Allowed because the guard closed while they waited. */
  allowedAtClose: number;
  /** decide threw or rejected (those execs are counted in allowed). */
  errors: number;
  /** Held now, waiting for a decision. */
  pending: number;
  /** Permission events read from the kernel. */
  received: number;
  /** Kernel queue overflows (the kernel allows what it drops). */
  overflows: number;
  /** Failed reads of the fanotify group. */
  readErrors: number;
  /** Allowed from the cache of "cache" answers, without calling decide. */
  cached: number;
}

export interface ExecGuard {
  /** Guards one more mount (or filesystem); `scope` defaults to the guard's. */
  add(path: string, scope?: ExecGuardScope): void;
  /** Stops guarding a mount (or filesystem) added before. */
  remove(path: string, scope?: ExecGuardScope): void;
  /** Forgets every "cache" answer: the next exec of each file is decided again. */
  clearCache(): void;
  /** Allows every pending exec and stops guarding. Idempotent. */
  close(): void;
  stats(): ExecGuardStats;
  readonly closed: boolean;
}

export interface FanotifySupport {
  ok: boolean;
  /** The Protect mode this machine gets. */
  mode: 'deny-before-exec' | 'kill-after-exec';
  reason: string;
  /** errno name when the kernel refused (EPERM, EINVAL, ENOSYS, …). */
  code?: string;
}

/** A fanotify system call failed: errno is its name (EPERM, ENOENT, EXDEV, …). */
export class FanotifyError extends BulwarkError {
  readonly errno: string;
  readonly syscall: string;

  constructor(input: string, reason: string, errno: string, syscall: string, options?: { cause?: unknown }) {
    super('IO', input, reason, options);
    this.name = 'FanotifyError';
    this.errno = errno;
    this.syscall = syscall;
  }
}

// ---- the addon ----

/** boolean, or 0 deny / 1 allow / 2 allow and cache; undefined: respond() later. */
export type NativeCallback = (
  id: number,
  pid: number,
  path: string,
  dev: number,
  ino: number,
) => boolean | number | undefined;

export interface NativeStats {
  allowed: number;
  denied: number;
  timedOut: number;
  allowedAtClose: number;
  received: number;
  pending: number;
  overflows: number;
  readErrors: number;
  cached: number;
}

export interface NativeGuard {
  mark(path: string, scope: ExecGuardScope, remove: boolean): void;
  respond(id: number, allow: boolean, cache: boolean): boolean;
  clearCache(): void;
  close(): void;
  stats(): NativeStats;
}

export interface NativeAddon {
  ExecGuard: new (timeoutMs: number, callback: NativeCallback, kind?: 'files') => NativeGuard;
  supported(): { ok: boolean; reason: string; code: string };
}

type Loaded = { addon: NativeAddon } | { error: string };
let loaded: Loaded | undefined;

function isAddon(m: unknown): m is NativeAddon {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return typeof r.ExecGuard === 'function' && typeof r.supported === 'function';
}

/** native/fanotify of this checkout, from src/runtime/fanotify or dist/runtime/fanotify. */
function nativeDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'native', 'fanotify');
    if (existsSync(join(candidate, 'binding.gyp'))) return candidate;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function load(): Loaded {
  if (loaded) return loaded;
  loaded = tryLoad();
  return loaded;
}

function tryLoad(): Loaded {
  if (process.platform !== 'linux') return { error: `fanotify is Linux-only (platform ${process.platform})` };
  let file = process.env.BULWARK_FANOTIFY_ADDON;
  if (!file) {
    const dir = nativeDir();
    if (!dir) return { error: 'native/fanotify not found beside this install' };
    file = join(dir, 'build', 'Release', 'bulwark_fanotify.node');
    if (!existsSync(file)) {
      const failed = join(dir, 'build', 'BUILD_FAILED.txt');
      const why = existsSync(failed) ? readFileSync(failed, 'utf8').split('\n')[0] : '';
      return { error: why || `${file} is missing (run: npm run build:native)` };
    }
  }
  try {
    const m: unknown = createRequire(import.meta.url)(file);
    return isAddon(m) ? { addon: m } : { error: `${file} is not the fanotify addon` };
  } catch (e) {
    return { error: `cannot load ${file}: ${messageOf(e)}` };
  }
}

export function addonOrThrow(): NativeAddon {
  const l = load();
  if ('error' in l) throw new BulwarkError('NOT_FOUND', 'fanotify', `fanotify addon not built: ${l.error}`);
  return l.addon;
}

export function systemError(e: unknown, input: string): BulwarkError {
  const r = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
  if (typeof r.code === 'string' && typeof r.syscall === 'string') {
    return new FanotifyError(input, messageOf(e), r.code, r.syscall, { cause: e });
  }
  return new BulwarkError('IO', input, messageOf(e), { cause: e });
}

// ---- public API ----

/** Whether this process can deny execs before they run, and why not when it cannot. */
export function fanotifySupport(): FanotifySupport {
  const l = load();
  if ('error' in l) return { ok: false, mode: 'kill-after-exec', reason: `fanotify addon not built: ${l.error}` };
  const s = l.addon.supported();
  return s.ok
    ? { ok: true, mode: 'deny-before-exec', reason: s.reason }
    : { ok: false, mode: 'kill-after-exec', reason: s.reason, code: s.code };
}

/** Starts guarding execs on the mounts of opts.path; keeps the process alive until close(). */
export function openExecGuard(opts: ExecGuardOptions): ExecGuard {
  const paths = typeof opts.path === 'string' ? [opts.path] : [...opts.path];
  const scope: ExecGuardScope = opts.scope ?? 'mount';
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (paths.length === 0 || paths.some((p) => typeof p !== 'string' || p === '')) {
    throw new BulwarkError('USAGE', 'fanotify', 'path must name at least one mount');
  }
  if (scope !== 'mount' && scope !== 'filesystem') {
    throw new BulwarkError('USAGE', 'fanotify', `scope must be "mount" or "filesystem", not ${String(scope)}`);
  }
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 3_600_000) {
    throw new BulwarkError('USAGE', 'fanotify', `timeoutMs must be an integer from 1 to 3600000, not ${timeoutMs}`);
  }
  const addon = addonOrThrow();
  const { decide, onError } = opts;
  let errors = 0;
  let closed = false;

  const failed = (e: unknown, ev: ExecEvent): void => {
    errors++;
    try {
      onError?.(e, ev);
    } catch {
      // a failing reporter must not change the answer
    }
  };

  let native: NativeGuard | undefined;
  const callback: NativeCallback = (id, pid, path, dev, ino) => {
    const ev: ExecEvent = { pid, path, dev, ino };
    let answer: ExecAnswer | Promise<ExecAnswer>;
    try {
      answer = decide(ev);
    } catch (e) {
      failed(e, ev);
      return true;
    }
    if (typeof answer === 'boolean') return answer;
    if (answer === 'cache') return 2;
    if (answer instanceof Promise) {
      answer.then(
        (allow) => native?.respond(id, allow !== false, allow === 'cache'),
        (e: unknown) => {
          failed(e, ev);
          native?.respond(id, true, false);
        },
      );
      return undefined;
    }
    return true;
  };

  try {
    native = new addon.ExecGuard(timeoutMs, callback);
  } catch (e) {
    throw systemError(e, 'fanotify');
  }
  const guard = native;
  try {
    for (const p of paths) guard.mark(p, scope, false);
  } catch (e) {
    guard.close();
    throw systemError(e, paths.join(', '));
  }

  return {
    add(path: string, as: ExecGuardScope = scope): void {
      try {
        guard.mark(path, as, false);
      } catch (e) {
        throw systemError(e, path);
      }
    },
    remove(path: string, as: ExecGuardScope = scope): void {
      try {
        guard.mark(path, as, true);
      } catch (e) {
        // a container that stopped has no mount left, and its marks went with it
        if ((e as { code?: unknown }).code === 'ENOENT') return;
        throw systemError(e, path);
      }
    },
    clearCache(): void {
      if (!closed) guard.clearCache();
    },
    close(): void {
      if (closed) return;
      closed = true;
      guard.close();
    },
    stats(): ExecGuardStats {
      return { ...guard.stats(), errors };
    },
    get closed(): boolean {
      return closed;
    },
  };
}
