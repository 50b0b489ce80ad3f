import { createReadStream, lstatSync, realpathSync } from 'node:fs';
import { lstat, open, readFile, realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { BulwarkError } from '../core/errors.js';
import { indexTar, type TarEntry } from './tar-index.js';
import { normaliseEntryPath } from './safe-path.js';

/** Random access to the files of an image container format (a tar or a directory). */
export interface Archive {
  /** How to name this archive in errors. */
  readonly input: string;
  has(path: string): Promise<boolean>;
  size(path: string): Promise<number>;
  /** Whole file, refusing files larger than maxBytes. */
  read(path: string, maxBytes: number): Promise<Buffer>;
  /** Bytes [start, start+len) of a file. */
  readRange(path: string, start: number, len: number): Promise<Buffer>;
  stream(path: string): Readable;
}

function tooLarge(input: string, path: string, size: number, max: number): BulwarkError {
  return new BulwarkError('TOO_LARGE', `${input}:${path}`, `${size} bytes is over the ${max}-byte limit for this file`);
}

export class TarArchive implements Archive {
  private constructor(
    readonly input: string,
    private readonly file: string,
    private readonly entries: Map<string, TarEntry>,
  ) {}

  static async open(file: string, input = file): Promise<TarArchive> {
    return new TarArchive(input, file, await indexTar(file, input));
  }

  /** Follows hard and symbolic links inside the archive (OCI tars link identical blobs). */
  private entry(path: string): TarEntry {
    let e = this.entries.get(normaliseEntryPath(path, this.input));
    for (let hops = 0; e && (e.type === 'link' || e.type === 'symlink') && hops < 8; hops++) {
      const target = e.type === 'link' ? (e.linkname ?? '') : join(e.path, '..', e.linkname ?? '');
      e = this.entries.get(normaliseEntryPath(target, this.input));
    }
    if (!e || e.type !== 'file') throw new BulwarkError('NOT_FOUND', this.input, `no file ${path} in archive`);
    return e;
  }

  async has(path: string): Promise<boolean> {
    try {
      this.entry(path);
      return true;
    } catch {
      return false;
    }
  }

  async size(path: string): Promise<number> {
    return this.entry(path).size;
  }

  async read(path: string, maxBytes: number): Promise<Buffer> {
    const e = this.entry(path);
    if (e.size > maxBytes) throw tooLarge(this.input, path, e.size, maxBytes);
    return this.readRange(path, 0, e.size);
  }

  async readRange(path: string, start: number, len: number): Promise<Buffer> {
    const e = this.entry(path);
    const n = Math.max(0, Math.min(len, e.size - start));
    const fh = await open(this.file, 'r');
    try {
      const buf = Buffer.alloc(n);
      await fh.read(buf, 0, n, e.offset + start);
      return buf;
    } finally {
      await fh.close();
    }
  }

  stream(path: string): Readable {
    const e = this.entry(path);
    if (e.size === 0) return createReadStream(this.file, { start: 1, end: 0 });
    return createReadStream(this.file, { start: e.offset, end: e.offset + e.size - 1 });
  }
}

/** A directory, read without following any symlink out of it. */
export class DirArchive implements Archive {
  private constructor(
    readonly input: string,
    private readonly root: string,
  ) {}

  static async open(dir: string, input = dir): Promise<DirArchive> {
    return new DirArchive(input, await realpath(dir));
  }

  private resolve(path: string): string {
    const full = join(this.root, normaliseEntryPath(path, this.input));
    let real: string;
    try {
      real = realpathSync(full);
    } catch {
      throw new BulwarkError('NOT_FOUND', this.input, `no file ${path}`);
    }
    const rel = relative(this.root, real);
    if (rel.startsWith('..') || rel.startsWith(sep)) {
      throw new BulwarkError('UNSAFE_PATH', this.input, `${path} is a symlink leading outside the directory`);
    }
    if (!lstatSync(real).isFile()) throw new BulwarkError('NOT_FOUND', this.input, `${path} is not a regular file`);
    return real;
  }

  async has(path: string): Promise<boolean> {
    try {
      this.resolve(path);
      return true;
    } catch {
      return false;
    }
  }

  async size(path: string): Promise<number> {
    return (await lstat(this.resolve(path))).size;
  }

  async read(path: string, maxBytes: number): Promise<Buffer> {
    const real = this.resolve(path);
    const size = (await lstat(real)).size;
    if (size > maxBytes) throw tooLarge(this.input, path, size, maxBytes);
    return readFile(real);
  }

  async readRange(path: string, start: number, len: number): Promise<Buffer> {
    const fh = await open(this.resolve(path), 'r');
    try {
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, start);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  stream(path: string): Readable {
    return createReadStream(this.resolve(path));
  }
}
