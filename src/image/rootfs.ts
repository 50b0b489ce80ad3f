import { constants } from 'node:fs';
import { lstat, open, opendir, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { BulwarkError } from '../core/errors.js';
import type { FileConsumer } from './layer-walker.js';
import type { Limits } from './limits.js';

// A root filesystem directory, walked so that nothing outside it is read even while the
// tree changes under the walk (a live container's merged directory renaming a directory
// and a symlink to the host in and out). Node has no openat(), so every directory is held
// open and its children are named through /proc/self/fd/N/<name>: the kernel resolves
// /proc/self/fd/N to the directory that was opened, wherever it has been renamed since,
// and O_NOFOLLOW refuses a last component that is (or has just become) a symlink. Each
// child is lstat-ed before it is opened (only regular files and directories are; a device
// or FIFO never is) and the opened fd must be that same inode (dev and ino), or the entry
// changed under the walk and is skipped, and reported.

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
// O_NONBLOCK and O_NOCTTY: should the name turn into a FIFO or a terminal between the lstat
// and the open, the open neither hangs nor adopts it; the inode check then skips it
const FILE_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

/** Directories held open at once are the tree's depth: deeper trees are not walked (and are reported). */
export const MAX_DEPTH = 256;

/** A child of an open directory, by a path that resolves through the open directory itself. */
const childOf = (dir: FileHandle, name: string): string => `/proc/self/fd/${dir.fd}/${name}`;

const sameInode = (a: Stats, b: Stats): boolean => a.dev === b.dev && a.ino === b.ino;

const codeOf = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? String(e);

async function openRoot(root: string): Promise<FileHandle> {
  try {
    return await open(root, DIR_FLAGS);
  } catch (e) {
    const code = codeOf(e);
    if (code === 'ENOENT') throw new BulwarkError('NOT_FOUND', root, 'no such directory');
    if (code === 'ENOTDIR' || code === 'ELOOP') throw new BulwarkError('UNKNOWN_FORMAT', root, 'not a directory');
    throw new BulwarkError('IO', root, `cannot open the directory (${code})`, { cause: e });
  }
}

/** Opens the child `name` of `dir` if it is still the inode `seen` describes; otherwise why not, for the report. */
async function openSame(dir: FileHandle, name: string, seen: Stats, flags: number): Promise<FileHandle | string> {
  let fh: FileHandle;
  try {
    fh = await open(childOf(dir, name), flags);
  } catch (e) {
    const code = codeOf(e);
    // ELOOP (now a symlink), ENOTDIR, ENOENT, ENXIO (now a socket): changed under the walk
    return code === 'EACCES' || code === 'EPERM' ? `not read: permission denied (${code})` : CHANGED;
  }
  if (sameInode(await fh.stat(), seen)) return fh;
  await fh.close();
  return CHANGED;
}

/** The file's bytes, or null if it has grown beyond `max` since it was measured. */
async function readBounded(fh: FileHandle, sizeHint: number, max: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let n = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(Math.max(1, Math.min(sizeHint + 1 - n, 1 << 20, max + 1 - n)));
    const { bytesRead } = await fh.read(buf, 0, buf.length, null);
    if (bytesRead === 0) return Buffer.concat(chunks, n);
    n += bytesRead;
    if (n > max) return null;
    chunks.push(buf.subarray(0, bytesRead));
  }
}

const CHANGED = 'not read: changed while it was scanned';

class RootWalk {
  constructor(
    private readonly consumer: FileConsumer,
    private readonly limits: Limits,
  ) {}

  private skipped(path: string, why: string): void {
    this.consumer.onSkipped?.(path, why);
  }

  async dir(dir: FileHandle, rel: string, depth: number): Promise<void> {
    const names: string[] = [];
    for await (const d of await opendir(`/proc/self/fd/${dir.fd}`)) if (!d.isSymbolicLink()) names.push(d.name);
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      let st: Stats;
      try {
        st = await lstat(childOf(dir, name));
      } catch {
        this.skipped(path, CHANGED);
        continue;
      }
      if (st.isDirectory()) await this.subdir(dir, name, path, st, depth);
      else if (st.isFile()) await this.file(dir, name, path, st);
    }
  }

  private async subdir(parent: FileHandle, name: string, path: string, seen: Stats, depth: number): Promise<void> {
    if (depth >= MAX_DEPTH) {
      this.skipped(path, `not read: directories nested more than ${MAX_DEPTH} deep`);
      return;
    }
    const fh = await openSame(parent, name, seen, DIR_FLAGS);
    if (typeof fh === 'string') return this.skipped(path, fh);
    try {
      await this.dir(fh, path, depth + 1);
    } finally {
      await fh.close();
    }
  }

  private async file(parent: FileHandle, name: string, path: string, seen: Stats): Promise<void> {
    const info = { size: seen.size, mode: seen.mode & 0o7777 };
    if (!this.consumer.wants(path, info, this.limits)) return;
    if (seen.size > this.limits.maxFileBytes) return this.consumer.onTooLarge(path, info);
    const fh = await openSame(parent, name, seen, FILE_FLAGS);
    if (typeof fh === 'string') return this.skipped(path, fh);
    try {
      const content = await readBounded(fh, seen.size, this.limits.maxFileBytes);
      if (content === null) this.consumer.onTooLarge(path, info);
      else this.consumer.onFile(path, content, info);
    } finally {
      await fh.close();
    }
  }
}

export async function walkRootfs(root: string, consumer: FileConsumer, limits: Limits): Promise<void> {
  const fh = await openRoot(root);
  try {
    await new RootWalk(consumer, limits).dir(fh, '', 0);
  } finally {
    await fh.close();
  }
}
