import { readlinkSync } from 'node:fs';
import type { ContainerInfo } from '../containers.js';
import { containerPath } from '../detectors/drift.js';
import type { OpenEvent } from '../fanotify/file-guard.js';
import { openAccessOf, type OpenAccess } from '../fanotify/open-access.js';
import type { FileAccess, ProfileStore } from '../profiles.js';
import { heldContainerId } from '../proc.js';
import { protectionOf } from '../protected-paths.js';
import type { BuiltinDetections } from './builtins.js';
import type { ExecJudge } from './exec-judge.js';

// File profiles: fanotify holds each open of a protected path in a container until this
// decides. The workload's profile learns it (learn), reports it when unlisted (monitor) or
// refuses it (protect). How the file is opened comes from the held thread's
// /proc/<tid>/syscall (open-access.ts); an open that cannot be shown to be a read counts as a
// write. The same unlisted open is reported once a minute, not on every open.

export interface FileJudgeParts {
  profiles: ProfileStore;
  judge: ExecJudge;
  builtins: BuiltinDetections;
  /** The running, file-guarded container with this id. */
  containerById(id: string): ContainerInfo | undefined;
  /** protected_paths / protected_write_paths of the rules. */
  paths: readonly string[];
  writePaths: readonly string[];
}

const REPEAT_MS = 60_000;
const MAX_RECENT = 4096;

/** The program a thread runs, as a path inside its container (as its mount namespace names it); "" when gone. */
function programOf(tid: number, container: ContainerInfo): string {
  try {
    return containerPath(container, readlinkSync(`/proc/${tid}/exe`)) ?? '';
  } catch {
    return '';
  }
}

/**
 * The guarded container thread `tid` belongs to (its cgroup names it), and the file inside it.
 * Its opens name files as its own mount namespace does (/etc/passwd); a host process opening
 * a container's files (dockerd's `docker cp`, a backup) belongs to none and is not judged.
 */
function locate(parts: FileJudgeParts, ev: OpenEvent): { container: ContainerInfo; path: string } | undefined {
  const id = heldContainerId(ev.tid);
  const container = id ? parts.containerById(id) : undefined;
  const path = container ? containerPath(container, ev.path) : undefined;
  return container && path ? { container, path } : undefined;
}

export class FileJudge {
  /** Violation → when it was last reported. */
  private readonly recent = new Map<string, number>();

  constructor(private readonly parts: FileJudgeParts) {}

  /**
   * fanotify's question: may this open go ahead? An allowed read says "cache": the addon then
   * allows the same program's reads of the same file without asking, until the profiles or
   * the containers change (the reads it would ask about would be allowed the same way).
   */
  decideHeldOpen(ev: OpenEvent, access: OpenAccess = openAccessOf(ev.tid)): boolean | 'cache' {
    const where = locate(this.parts, ev);
    if (!where) return true;
    const protection = protectionOf(where.path, this.parts.paths, this.parts.writePaths);
    // unknown counts as a write: see open-access.ts
    const asked: FileAccess = access === 'read' ? 'read' : 'write';
    const allowed = asked === 'read' ? 'cache' : true;
    if (!protection || (protection === 'write' && asked === 'read')) return allowed;
    const { container } = where;
    const key = this.parts.judge.ensureProfile(container);
    const exe = programOf(ev.tid, container) || '?';
    const verdict = this.parts.profiles.observeFile(key, where.path, exe, asked);
    if (!verdict.violation) return allowed;
    const mode = this.parts.profiles.mode(key);
    if (this.firstIn(`${container.id}\0${exe}\0${where.path}\0${asked}`)) {
      const open = { tid: ev.tid, exe, file: where.path, access: asked };
      this.parts.builtins.fileViolation(
        container,
        open,
        verdict.reason ?? '',
        mode,
        verdict.block ? 'denied' : 'alert',
      );
    }
    return !verdict.block;
  }

  private firstIn(what: string, now = Date.now()): boolean {
    const last = this.recent.get(what);
    if (last !== undefined && now - last < REPEAT_MS) return false;
    if (this.recent.size >= MAX_RECENT) this.recent.clear();
    this.recent.set(what, now);
    return true;
  }

  /** A changed profile: report again what it still does not allow. */
  clear(): void {
    this.recent.clear();
  }
}
