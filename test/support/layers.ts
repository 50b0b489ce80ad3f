import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { ImageLayer } from '../../src/image/image.js';

// Builds real tar layers in memory for tests.

export interface TestEntry {
  name: string;
  content?: string | Buffer;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
  /** Permission bits (0o4755 for a set-user-id program); 0o644 files and 0o755 directories unless given. */
  mode?: number;
}

export async function makeTar(entries: TestEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const body = type === 'file' ? Buffer.from(e.content ?? '') : undefined;
    pack.entry(
      {
        name: e.name,
        type,
        ...(e.linkname ? { linkname: e.linkname } : {}),
        mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
      },
      body ?? '',
    );
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

export function gzip(b: Buffer): Buffer {
  return gzipSync(b);
}

/** Compressed with Debian's zstd tool: a real zstd frame, not one made by our own code. */
export function zstd(b: Buffer): Buffer {
  const r = spawnSync('zstd', ['-q', '-c', '-3'], { input: b, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`zstd failed: ${r.stderr.toString()}`);
  return r.stdout;
}

/** An image layer held in memory; diffId is the uncompressed tar's digest unless given. */
export function memLayer(
  stored: Buffer,
  plainTar: Buffer,
  opts: { index?: number; diffId?: string; blobDigest?: string } = {},
): ImageLayer {
  return {
    index: opts.index ?? 0,
    digest: sha256(stored),
    diffId: opts.diffId ?? sha256(plainTar),
    size: stored.length,
    ...(opts.blobDigest ? { blobDigest: opts.blobDigest } : {}),
    input: `layer${opts.index ?? 0}`,
    peek: async (n) => stored.subarray(0, n),
    open: () => Readable.from([stored]),
  };
}
