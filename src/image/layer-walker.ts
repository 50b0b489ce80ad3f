import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { BulwarkError, isBulwarkError, messageOf } from '../core/errors.js';
import { overExpansion } from '../core/expansion.js';
import { decompressor, sniffCompression } from './decompress.js';
import type { ImageLayer } from './image.js';
import { DEFAULT_LIMITS, layerExpansion, type Limits } from './limits.js';
import { normaliseEntryPath, parentsOf, printable } from './safe-path.js';
import { type TarEntry, walkTarHeaders, windowedReader } from './tar-index.js';

// Streams one layer: verifies its digests, applies the size limits, records whiteouts
// and hands the files the analyzers asked for to the caller, one at a time (no file's
// content outlives its hand-over). Nothing is written to disk and nothing from the layer
// is executed.
//
// A hard link is analysed under its own name. Its target is an earlier entry of the same
// tar, stored under a name nobody may have wanted (dpkg's status as a .png), and keeping
// every file's content in case a link names it later is what made large layers cost
// gigabytes. So the first pass notes, per wanted link, the ordinal of the entry holding
// its content, and a second pass over the layer (only for layers that have such links)
// reads just those entries. For a registry layer the second pass downloads the blob
// again, verified against its digest like the first. Most links name a file that was
// itself wanted (perl5.36.0 → perl): the last few wanted files read are kept within a small
// byte budget (`Retained`), and a link to one of them is handed over from memory, with no
// second pass.

export interface LayerWalk {
  whiteouts: string[];
  opaqueDirs: string[];
  uncompressedBytes: number;
}

interface WalkedFile {
  size: number;
  mode: number;
}

/** Whether to read a file; handed the walk's limits (the user's), so what is wanted may depend on them. */
type FileFilter = (path: string, info: WalkedFile, limits: Limits) => boolean;
type FileSink = (path: string, content: Buffer, info: WalkedFile) => void;

/** What a walk hands files to. */
export interface FileConsumer {
  wants: FileFilter;
  onFile: FileSink;
  /** A wanted file over the file size limit: not read, for the consumer to report. The walk goes on. */
  onTooLarge(path: string, info: WalkedFile): void;
  /** A path the walk did not read for another reason (a live tree changed under it, too deep, unreadable). */
  onSkipped?(path: string, why: string): void;
}

class Meter extends Transform {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;
  constructor(private readonly onBytes?: (total: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    try {
      this.onBytes?.(this.bytes);
      cb(null, chunk);
    } catch (e) {
      cb(e as Error);
    }
  }
}

function drain(
  stream: AsyncIterable<unknown> & { on(ev: string, f: (...a: unknown[]) => void): unknown; resume(): unknown },
): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on('end', () => resolve());
    stream.on('error', (e) => reject(e as Error));
    stream.resume();
  });
}

async function collect(stream: AsyncIterable<unknown>, max: number, input: string, path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    n += (c as Buffer).length;
    if (n > max) throw new BulwarkError('TOO_LARGE', `${input}:${path}`, `file expands beyond the ${max}-byte limit`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

type EntryStream = Parameters<typeof drain>[0];
/** One tar entry; `ordinal` counts entries from 0, the same on every read of the same layer. */
type EntryHandler = (header: tar.Header, stream: EntryStream, ordinal: number) => Promise<void>;

/** Streams the layer's entries through `onEntry`, one at a time, applying the layer limits and verifying the digests at the end. */
async function streamLayer(
  layer: ImageLayer,
  limits: Limits,
  onEntry: EntryHandler,
  onProgress?: (storedBytes: number) => void,
): Promise<number> {
  const input = layer.input;
  const compression = sniffCompression(await layer.peek(4));
  const stored = new Meter(onProgress);
  const plain = new Meter((total) => {
    const why = overExpansion(layerExpansion(limits), total, stored.bytes);
    if (why) throw new BulwarkError('TOO_LARGE', input, `layer ${why}`);
  });
  const extract = tar.extract();
  let ordinal = 0;
  extract.on('entry', (header, stream, next) => {
    onEntry(header, stream, ordinal++).then(
      () => next(),
      (e: unknown) => next(e as Error),
    );
  });
  try {
    await pipeline(layer.open(), stored, decompressor(compression), plain, extract);
  } catch (e) {
    extract.destroy();
    if (isBulwarkError(e)) throw e;
    const msg = messageOf(e);
    const code = /unexpected (end|eof)|end of file|premature|truncated/i.test(msg) ? 'TRUNCATED' : 'CORRUPT';
    throw new BulwarkError(
      code,
      input,
      `${code === 'TRUNCATED' ? 'truncated' : 'corrupt'} ${compression === 'none' ? 'tar' : compression} data (${msg})`,
      { cause: e },
    );
  }
  const diffId = `sha256:${plain.hash.digest('hex')}`;
  if (layer.blobDigest) {
    const blob = `sha256:${stored.hash.digest('hex')}`;
    if (blob !== layer.blobDigest)
      throw new BulwarkError('DIGEST_MISMATCH', input, `content has digest ${blob}, expected ${layer.blobDigest}`);
  }
  if (diffId !== layer.diffId)
    throw new BulwarkError(
      'DIGEST_MISMATCH',
      input,
      `uncompressed content has digest ${diffId}, expected diff id ${layer.diffId}`,
    );
  return plain.bytes;
}

/** The regular-file entry whose bytes a path holds (its own, or its hard link target's). */
interface Stored {
  ordinal: number;
  path: string;
  info: WalkedFile;
}

/** Wanted hard links, by the ordinal of the entry holding their content (when kept, the content). */
type Linked = Map<number, { target: Stored; names: Set<string>; content?: Buffer }>;

/** Bytes of recently read wanted files kept for links that may name them, and of those links' contents. */
const RETAIN_FILE_BYTES = 8 * 2 ** 20;
const RETAIN_TOTAL_BYTES = 32 * 2 ** 20;

/**
 * The contents of the last wanted files read, oldest evicted first, and the contents links
 * hold on to: together never more than RETAIN_TOTAL_BYTES, however many links a layer has.
 */
class Retained {
  private readonly recent = new Map<number, Buffer>();
  private bytes = 0;
  private pinnedBytes = 0;

  keep(ordinal: number, content: Buffer): void {
    if (content.length > RETAIN_FILE_BYTES) return;
    this.recent.set(ordinal, content);
    this.bytes += content.length;
    for (const [o, b] of this.recent) {
      if (this.bytes + this.pinnedBytes <= RETAIN_TOTAL_BYTES) break;
      this.recent.delete(o);
      this.bytes -= b.length;
    }
  }

  /** The content of `ordinal` for a link to hold until the walk ends, if kept and within the budget. */
  pin(ordinal: number): Buffer | undefined {
    const b = this.recent.get(ordinal);
    if (!b) return undefined;
    this.recent.delete(ordinal);
    this.bytes -= b.length;
    this.pinnedBytes += b.length;
    return b;
  }
}

/** The first pass: whiteouts, regular files handed over as they stream, wanted hard links noted for the second. */
class FirstPass {
  readonly result: LayerWalk = { whiteouts: [], opaqueDirs: [], uncompressedBytes: 0 };
  readonly linked: Linked = new Map();
  private readonly symlinks = new Set<string>();
  /** Path → the entry holding its content, for every regular file and hard link so far (names and numbers only). */
  private readonly contents = new Map<string, Stored>();
  /** A wanted link's name → the ordinal it waits for; a later entry at that name cancels it. */
  private readonly linkAt = new Map<string, number>();
  private readonly retained = new Retained();

  constructor(
    private readonly input: string,
    private readonly consumer: FileConsumer,
    private readonly limits: Limits,
  ) {}

  entry: EntryHandler = async (header, stream, ordinal) => {
    const path = normaliseEntryPath(header.name, this.input);
    if (path === '') return drain(stream);
    const through = parentsOf(path).find((p) => this.symlinks.has(p));
    if (through)
      throw new BulwarkError(
        'UNSAFE_PATH',
        this.input,
        `entry ${printable(path)} is written through the symlink ${printable(through)}`,
      );
    if (this.whiteout(path)) return drain(stream);
    // resolved before this entry replaces whatever stood at its path (a link to itself)
    const target =
      header.type === 'link' ? this.contents.get(normaliseEntryPath(header.linkname ?? '', this.input)) : undefined;
    this.replace(path);
    if (header.type === 'symlink') this.symlinks.add(path);
    if (header.type === 'link') {
      if (target) this.link(path, target);
      return drain(stream);
    }
    if (header.type !== 'file' && header.type !== 'contiguous-file') return drain(stream);
    const info = { size: header.size ?? 0, mode: header.mode ?? 0 };
    this.contents.set(path, { ordinal, path, info });
    if (!this.consumer.wants(path, info, this.limits)) return drain(stream);
    if (info.size > this.limits.maxFileBytes) {
      this.consumer.onTooLarge(path, info);
      return drain(stream);
    }
    const content = await collect(stream, this.limits.maxFileBytes, this.input, path);
    this.consumer.onFile(path, content, info);
    this.retained.keep(ordinal, content);
  };

  /** Hands over the wanted links whose content was kept; the others are left for a second pass. */
  handOverKept(): void {
    for (const [ordinal, l] of this.linked) {
      if (!l.content) continue;
      for (const name of l.names) this.consumer.onFile(name, l.content, l.target.info);
      this.linked.delete(ordinal);
    }
  }

  private whiteout(path: string): boolean {
    const slash = path.lastIndexOf('/');
    const base = path.slice(slash + 1);
    if (!base.startsWith('.wh.')) return false;
    const dir = slash === -1 ? '' : path.slice(0, slash);
    if (base === '.wh..wh..opq') this.result.opaqueDirs.push(dir);
    else this.result.whiteouts.push(dir ? `${dir}/${base.slice(4)}` : base.slice(4));
    return true;
  }

  /** A new entry at `path`: what stood there before, and a link waiting to be read there, are gone. */
  private replace(path: string): void {
    this.symlinks.delete(path);
    this.contents.delete(path);
    const waiting = this.linkAt.get(path);
    if (waiting !== undefined) {
      this.linkAt.delete(path);
      this.linked.get(waiting)?.names.delete(path);
    }
  }

  private link(path: string, target: Stored): void {
    this.contents.set(path, target);
    if (!this.consumer.wants(path, target.info, this.limits)) return;
    if (target.info.size > this.limits.maxFileBytes) return this.consumer.onTooLarge(path, target.info);
    let l = this.linked.get(target.ordinal);
    if (!l) {
      const content = this.retained.pin(target.ordinal);
      l = { target, names: new Set<string>(), ...(content ? { content } : {}) };
    }
    l.names.add(path);
    this.linked.set(target.ordinal, l);
    this.linkAt.set(path, target.ordinal);
  }
}

/**
 * The second pass on a local uncompressed layer: its tar headers are read at random, and
 * only the entries wanted links hold. The bytes are the file the first pass verified (its
 * digest); an entry that is not the one the first pass saw at that place gives up (false),
 * for the streaming second pass to do the work.
 */
async function readLinkedAt(
  layer: ImageLayer & { readRange(start: number, len: number): Promise<Buffer>; size: number },
  linked: Linked,
  consumer: FileConsumer,
): Promise<boolean> {
  const read = windowedReader(layer.readRange.bind(layer), layer.size);
  const found = new Map<number, TarEntry>();
  let left = [...linked.values()].filter((l) => l.names.size > 0).length;
  await walkTarHeaders(read, layer.size, layer.input, (e, ordinal) => {
    if (!linked.get(ordinal)?.names.size) return true;
    found.set(ordinal, e);
    return --left > 0;
  });
  const todo = [...linked].filter(([, l]) => l.names.size > 0);
  if (
    todo.some(
      ([o, l]) =>
        found.get(o)?.path !== l.target.path ||
        found.get(o)?.type !== 'file' ||
        found.get(o)?.size !== l.target.info.size,
    )
  )
    return false;
  for (const [o, l] of todo) {
    const e = found.get(o)!;
    const content = await read(e.offset, e.size);
    for (const name of l.names) consumer.onFile(name, content, l.target.info);
  }
  return true;
}

/** The second pass: reads only the entries wanted hard links hold, each handed over under every link's name. */
async function readLinked(layer: ImageLayer, limits: Limits, linked: Linked, consumer: FileConsumer): Promise<void> {
  await streamLayer(layer, limits, async (header, stream, ordinal) => {
    const l = linked.get(ordinal);
    if (!l || l.names.size === 0) return drain(stream);
    // the same bytes give the same entries; anything else fails the digest check at the end anyway
    if (normaliseEntryPath(header.name, layer.input) !== l.target.path)
      throw new BulwarkError('CORRUPT', layer.input, 'layer content changed between two reads');
    const content = await collect(stream, limits.maxFileBytes, layer.input, l.target.path);
    for (const name of l.names) consumer.onFile(name, content, l.target.info);
  });
}

export async function walkLayer(
  layer: ImageLayer,
  consumer: FileConsumer,
  limits: Limits = DEFAULT_LIMITS,
  onProgress?: (storedBytes: number) => void,
): Promise<LayerWalk> {
  const first = new FirstPass(layer.input, consumer, limits);
  first.result.uncompressedBytes = await streamLayer(layer, limits, first.entry, onProgress);
  first.handOverKept();
  if (![...first.linked.values()].some((l) => l.names.size > 0)) return first.result;
  const local = layer.readRange && layer.size !== undefined && sniffCompression(await layer.peek(4)) === 'none';
  if (!(local && (await readLinkedAt(layer as Parameters<typeof readLinkedAt>[0], first.linked, consumer))))
    await readLinked(layer, limits, first.linked, consumer);
  return first.result;
}
