import { lstatSync } from 'node:fs';
import { posix } from 'node:path';
import type { ContainerInfo } from '../containers.js';
import { ImageCopies } from './image-copy.js';
import { mountOf, readMounts, type Mount } from './mounts.js';

// Drift: a program the image never had is executed. Where the program lives says:
// - the container's root (the image's overlay): a file in the upper directory was written or
//   copied up there; a copy-up by a metadata change alone (chown -R, chmod, touch) keeps the
//   image's bytes and is not drift, so such a file is compared with the image's (image-copy.ts);
// - a tmpfs (/dev/shm, --tmpfs /tmp): nothing there came with the image;
// - a volume or bind mount: not the image's, unless it holds the image's own file at that
//   path (Docker seeds a new named volume with the image's content);
// - a memfd ("/memfd:name (deleted)"): a program that never was a file (fileless).
// The file's device (from fanotify or the audit record) tells a mount the agent has not seen
// yet from the one its path falls in: the container's mount table is then read again.

export type DriftReason = 'written' | 'tmpfs' | 'volume' | 'memfd';

export interface Drift {
  drift: boolean;
  reason?: DriftReason;
}

const CLEAN: Drift = { drift: false };

type DriftContainer = Pick<ContainerInfo, 'id' | 'pid' | 'upperDir' | 'lowerDirs'>;

/** The path inside the container, from a host path under its merged dir (fanotify) or as given (audit). */
export function containerPath(c: Pick<ContainerInfo, 'mergedDir'>, path: string): string | undefined {
  if (c.mergedDir && (path === c.mergedDir || path.startsWith(`${c.mergedDir}/`)))
    return path.slice(c.mergedDir.length) || '/';
  return path.startsWith('/') ? path : undefined;
}

export class DriftDetector {
  /** Container id → its mount table, read from its first process. */
  private readonly mountTables = new Map<string, { pid: number; mounts: Mount[] }>();
  readonly copies = new ImageCopies();

  /** Whether running `exe` (a path inside the container, as the kernel resolved it) in `c` is drift. `dev`: the file's st_dev. */
  async judge(c: DriftContainer, exe: string, dev?: number): Promise<Drift> {
    if (exe.startsWith('/memfd:')) return { drift: true, reason: 'memfd' };
    if (!exe.startsWith('/')) return CLEAN;
    const inside = posix.normalize(exe);
    if (inside.split('/').includes('..')) return CLEAN;
    const mount = this.mountOf(c, inside, dev);
    if (mount && mount.mountPoint !== '/') return this.beyondOverlay(c, mount, inside);
    return this.inOverlay(c, inside);
  }

  private async inOverlay(c: DriftContainer, inside: string): Promise<Drift> {
    if (!c.upperDir) return CLEAN;
    const upper = posix.join(c.upperDir, inside);
    // a local metadata lookup: synchronous costs less than a thread-pool round trip per exec
    if (!(lstatSync(upper, { throwIfNoEntry: false })?.isFile() ?? false)) return CLEAN;
    if (c.lowerDirs && (await this.copies.sameAsImage(upper, c.lowerDirs, inside, c.upperDir))) return CLEAN;
    return { drift: true, reason: 'written' };
  }

  private async beyondOverlay(c: DriftContainer, mount: Mount, inside: string): Promise<Drift> {
    if (mount.fsType === 'tmpfs') return { drift: true, reason: 'tmpfs' };
    // /proc/<pid>/root: the kernel resolves the path (and its symlinks) inside the container's root
    const root = `/proc/${c.pid}/root`;
    const seeded =
      c.lowerDirs !== undefined && (await this.copies.sameAsImage(`${root}${inside}`, c.lowerDirs, inside));
    return seeded ? CLEAN : { drift: true, reason: 'volume' };
  }

  /** The mount `inside` falls in; the table is read again when `dev` says it is out of date. */
  private mountOf(c: DriftContainer, inside: string, dev: number | undefined): Mount | undefined {
    if (!c.pid) return undefined;
    let table = this.mountTables.get(c.id);
    const fresh = !table || table.pid !== c.pid;
    if (fresh) table = this.readTable(c);
    let mount = mountOf(table!.mounts, inside);
    // a device no mount of the table has: mounted since it was read
    if (!fresh && dev !== undefined && dev >= 0 && !table!.mounts.some((m) => m.dev === dev)) {
      table = this.readTable(c);
      mount = mountOf(table.mounts, inside);
    }
    return mount;
  }

  private readTable(c: DriftContainer): { pid: number; mounts: Mount[] } {
    const table = { pid: c.pid, mounts: readMounts(c.pid) };
    this.mountTables.set(c.id, table);
    return table;
  }

  /** Containers changed: mount tables are read again when next needed. */
  clearMounts(): void {
    this.mountTables.clear();
  }
}
