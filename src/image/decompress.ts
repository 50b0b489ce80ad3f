import { createGunzip } from 'node:zlib';
import { Transform, type TransformCallback } from 'node:stream';
import { Decompress } from 'fzstd';

export type Compression = 'gzip' | 'zstd' | 'none';

export function sniffCompression(head: Buffer): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** fzstd's streaming decoder as a Node transform (Node 20's zlib has no zstd). */
class ZstdDecompress extends Transform {
  private readonly d = new Decompress((chunk) => {
    this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  });

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.d.push(chunk);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.d.push(new Uint8Array(0), true);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
}

export function decompressor(c: Compression): Transform {
  if (c === 'gzip') return createGunzip();
  if (c === 'zstd') return new ZstdDecompress();
  return new Transform({ transform: (chunk, _e, cb) => cb(null, chunk) });
}
