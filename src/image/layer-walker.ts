import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { BulwarkError, isBulwarkError, messageOf } from '../core/errors.js';
import { overExpansion, type ExpansionLimits } from '../core/expansion.js';
import { decompressor, sniffCompression } from './decompress.js';
import type { ImageLayer } from './image.js';
import { normaliseEntryPath, parentsOf, printable } from './safe-path.js';

// Streams one layer once: verifies its digests, applies the size limits, records
// whiteouts and hands the files the analyzers asked for to the caller. Nothing is
// written to disk and nothing from the layer is executed.

export interface Limits {
  /** Uncompressed bytes one layer may expand to. */
  maxLayerBytes: number;
  /** Bytes one analysed file may have. */
  maxFileBytes: number;
  /** Uncompressed/stored ratio beyond which a large layer is taken for a decompression bomb... */
  maxRatio: number;
  /** ...once it has expanded past this many bytes (small layers of zeros are normal). */
  ratioFloorBytes: number;
}

const HARDLINK_KEEP_BYTES = 1 << 20;

export const DEFAULT_LIMITS: Limits = { maxLayerBytes: 32 * 2 ** 30, maxFileBytes: 512 * 2 ** 20, maxRatio: 200, ratioFloorBytes: 2 ** 30 };

/** What one layer (or one gzip-compressed image archive) may expand to. */
export function layerExpansion(limits: Limits): ExpansionLimits {
  return { maxBytes: limits.maxLayerBytes, maxRatio: limits.maxRatio, ratioFloorBytes: limits.ratioFloorBytes };
}

export interface LayerWalk {
  whiteouts: string[];
  opaqueDirs: string[];
  uncompressedBytes: number;
}

export interface WalkedFile {
  size: number;
  mode: number;
}

export type FileFilter = (path: string, info: WalkedFile) => boolean;
export type FileSink = (path: string, content: Buffer, info: WalkedFile) => void;

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

function drain(stream: AsyncIterable<unknown> & { on(ev: string, f: (...a: unknown[]) => void): unknown; resume(): unknown }): Promise<void> {
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

export async function walkLayer(
  layer: ImageLayer,
  wants: FileFilter,
  onFile: FileSink,
  limits: Limits = DEFAULT_LIMITS,
  onProgress?: (storedBytes: number) => void,
): Promise<LayerWalk> {
  const input = layer.input;
  const compression = sniffCompression(await layer.peek(4));
  const stored = new Meter(onProgress);
  const plain = new Meter((total) => {
    const why = overExpansion(layerExpansion(limits), total, stored.bytes);
    if (why) throw new BulwarkError('TOO_LARGE', input, `layer ${why}`);
  });
  const result: LayerWalk = { whiteouts: [], opaqueDirs: [], uncompressedBytes: 0 };
  const symlinks = new Set<string>();
  const files = new Map<string, { content: Buffer; info: WalkedFile }>();
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const handle = async (): Promise<void> => {
      const path = normaliseEntryPath(header.name, input);
      if (path === '') return drain(stream);
      const through = parentsOf(path).find((p) => symlinks.has(p));
      if (through) throw new BulwarkError('UNSAFE_PATH', input, `entry ${printable(path)} is written through the symlink ${printable(through)}`);
      const slash = path.lastIndexOf('/');
      const base = path.slice(slash + 1);
      const dir = slash === -1 ? '' : path.slice(0, slash);
      if (base.startsWith('.wh.')) {
        if (base === '.wh..wh..opq') result.opaqueDirs.push(dir);
        else result.whiteouts.push(dir ? `${dir}/${base.slice(4)}` : base.slice(4));
        return drain(stream);
      }
      if (header.type === 'symlink') symlinks.add(path);
      else symlinks.delete(path);
      if (header.type === 'link') {
        const target = normaliseEntryPath(header.linkname ?? '', input);
        const seen = files.get(target);
        if (seen && wants(path, seen.info)) onFile(path, seen.content, seen.info);
        return drain(stream);
      }
      const info = { size: header.size ?? 0, mode: header.mode ?? 0 };
      if ((header.type === 'file' || header.type === 'contiguous-file') && wants(path, info)) {
        const content = await collect(stream, limits.maxFileBytes, input, path);
        // kept for hard links to it, unless large: a hard-linked binary is the same binary, reported once
        if (content.length <= HARDLINK_KEEP_BYTES) files.set(path, { content, info });
        onFile(path, content, info);
        return;
      }
      return drain(stream);
    };
    handle().then(() => next(), (e: unknown) => next(e as Error));
  });
  try {
    await pipeline(layer.open(), stored, decompressor(compression), plain, extract);
  } catch (e) {
    extract.destroy();
    if (isBulwarkError(e)) throw e;
    const msg = messageOf(e);
    const code = /unexpected (end|eof)|end of file|premature|truncated/i.test(msg) ? 'TRUNCATED' : 'CORRUPT';
    throw new BulwarkError(code, input, `${code === 'TRUNCATED' ? 'truncated' : 'corrupt'} ${compression === 'none' ? 'tar' : compression} data (${msg})`, { cause: e });
  }
  result.uncompressedBytes = plain.bytes;
  const diffId = `sha256:${plain.hash.digest('hex')}`;
  if (layer.blobDigest) {
    const blob = `sha256:${stored.hash.digest('hex')}`;
    if (blob !== layer.blobDigest) throw new BulwarkError('DIGEST_MISMATCH', input, `content has digest ${blob}, expected ${layer.blobDigest}`);
  }
  if (diffId !== layer.diffId) throw new BulwarkError('DIGEST_MISMATCH', input, `uncompressed content has digest ${diffId}, expected diff id ${layer.diffId}`);
  return result;
}
