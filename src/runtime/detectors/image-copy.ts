import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, realpathSync, type BigIntStats } from 'node:fs';
import { posix } from 'node:path';

// Whether a file in a container holds exactly what the image has at the same path. overlayfs
// copies a whole file up to the container's layer on any metadata change (chown -R, chmod,
// touch), so "it is in the upper directory" alone says nothing about its content. Sizes are
// compared first; then the SHA-256 of both, once: the answer is kept per (file, its inode's
// size, mtime and ctime — any write or chmod changes one) and the image's file (layers never
// change), and the image file's digest is kept by identity, so a hundred containers of one
// image that chown their /app hash each image file once.

const MAX_CACHED = 50_000;

/** Counters, for a bench or a status line. */
export interface ImageCopyStats {
  /** Files hashed (both sides count). */
  hashed: number;
  bytesHashed: number;
  /** Answers given from the cache. */
  cached: number;
}

function statOf(path: string): BigIntStats | undefined {
  return lstatSync(path, { bigint: true, throwIfNoEntry: false });
}

/**
 * `path` when it is a regular file. With `base`, only when its real path stays below `base` (no
 * symlink leads out); without, the caller vouches for the path (/proc/<pid>/root/…, which the
 * kernel resolves inside that root).
 */
function regularFile(path: string, base?: string): { path: string; stat: BigIntStats } | undefined {
  const stat = statOf(path);
  if (!stat?.isFile()) return undefined;
  if (base === undefined) return { path, stat };
  try {
    return realpathSync(path).startsWith(`${realpathSync(base)}/`) ? { path, stat } : undefined;
  } catch {
    return undefined; // gone meanwhile
  }
}

function identity(s: BigIntStats): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

export class ImageCopies {
  /** upper identity + image file identity → same content. */
  private readonly verdicts = new Map<string, boolean>();
  /** image file identity → SHA-256. */
  private readonly imageDigests = new Map<string, string>();
  readonly stats: ImageCopyStats = { hashed: 0, bytesHashed: 0, cached: 0 };

  /**
   * The image's file at `inside` (a normalised container path): the topmost layer of
   * `lowerDirs` (topmost first, as overlay2 lists them) that has an entry there decides; a
   * whiteout or anything but a regular file means the image has no such program.
   */
  imageFile(lowerDirs: readonly string[], inside: string): { path: string; stat: BigIntStats } | undefined {
    for (const dir of lowerDirs) {
      const path = posix.join(dir, inside);
      if (statOf(path) !== undefined) return regularFile(path, dir);
    }
    return undefined;
  }

  /** Whether the file at `path` (below `base`, see regularFile) has the same bytes as the image's file at `inside`. */
  async sameAsImage(path: string, lowerDirs: readonly string[], inside: string, base?: string): Promise<boolean> {
    const file = regularFile(path, base);
    const image = file && this.imageFile(lowerDirs, inside);
    if (!file || !image || file.stat.size !== image.stat.size) return false;
    const key = `${path}\0${identity(file.stat)}\0${identity(image.stat)}`;
    const known = this.verdicts.get(key);
    if (known !== undefined) {
      this.stats.cached++;
      return known;
    }
    const imageKey = identity(image.stat);
    const imageDigest = this.imageDigests.get(imageKey) ?? (await this.digest(image.path));
    const same = (await this.digest(file.path)) === imageDigest;
    remember(this.imageDigests, imageKey, imageDigest);
    remember(this.verdicts, key, same);
    return same;
  }

  private async digest(path: string): Promise<string> {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      hash.update(chunk);
    }
    this.stats.hashed++;
    this.stats.bytesHashed += bytes;
    return hash.digest('hex');
  }
}

/** Bounded: the oldest half goes when full. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MAX_CACHED) for (const k of [...map.keys()].slice(0, MAX_CACHED / 2)) map.delete(k);
  map.set(key, value);
}
