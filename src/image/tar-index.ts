import { open, type FileHandle } from 'node:fs/promises';
import { BulwarkError } from '../core/errors.js';
import { normaliseEntryPath, printable } from './safe-path.js';

// Indexes a tar file by reading only its 512-byte headers, so that a large image
// archive can be opened at random (manifest.json is often at the end) without
// streaming every layer. Handles ustar, pax ('x') and GNU long names ('L', 'K').

type TarEntryType = 'file' | 'dir' | 'symlink' | 'link' | 'other';

export interface TarEntry {
  path: string;
  type: TarEntryType;
  size: number;
  /** Byte offset of the entry's data in the tar file. */
  offset: number;
  linkname?: string;
}

const BLOCK = 512;

function cstring(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end === -1 || end > start + len ? start + len : end);
}

function octal(buf: Buffer, start: number, len: number, input: string): number {
  const first = buf[start] ?? 0;
  if (first & 0x80) {
    // GNU base-256 for sizes over 8 GiB
    let v = 0;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + (buf[i] ?? 0);
    return v;
  }
  const s = cstring(buf, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s))
    throw new BulwarkError('CORRUPT', input, `not a tar archive (bad numeric field "${printable(s)}")`);
  return parseInt(s, 8);
}

function checksumOk(h: Buffer, input: string): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (h[i] ?? 0);
  return sum === octal(h, 148, 8, input);
}

function typeOf(flag: string): TarEntryType {
  if (flag === '0' || flag === '\0' || flag === '7' || flag === '') return 'file';
  if (flag === '5') return 'dir';
  if (flag === '2') return 'symlink';
  if (flag === '1') return 'link';
  return 'other';
}

function parsePax(data: Buffer, input: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>; // keys are archive text
  let pos = 0;
  while (pos < data.length) {
    const sp = data.indexOf(0x20, pos);
    if (sp === -1) break;
    const len = parseInt(data.toString('ascii', pos, sp), 10);
    if (!Number.isFinite(len) || len <= sp - pos || pos + len > data.length) {
      throw new BulwarkError('CORRUPT', input, 'malformed pax header');
    }
    const rec = data.toString('utf8', sp + 1, pos + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    pos += len;
  }
  return out;
}

/** Reads exactly `len` bytes at `pos` of a tar, or fails naming where it ended. */
export type RangeReader = (pos: number, len: number) => Promise<Buffer>;

/**
 * A reader that fetches `window` bytes at a time and serves reads inside the last window
 * from it: tar headers of small files sit close together, and each fetch may cost a system
 * call or more.
 */
export function windowedReader(read: RangeReader, size: number, window = 256 * 1024): RangeReader {
  let at = -1;
  let buf: Buffer = Buffer.alloc(0);
  return async (pos, len) => {
    if (len > window) return read(pos, len);
    if (at < 0 || pos < at || pos + len > at + buf.length) {
      at = pos;
      buf = await read(pos, Math.min(window, size - pos));
    }
    return buf.subarray(pos - at, pos - at + len);
  };
}

function fileReader(fh: FileHandle, input: string): RangeReader {
  return async (pos, len) => {
    const buf = Buffer.alloc(len);
    const { bytesRead } = await fh.read(buf, 0, len, pos);
    if (bytesRead !== len)
      throw new BulwarkError('TRUNCATED', input, `archive ends inside an entry at byte ${pos + bytesRead}`);
    return buf;
  };
}

const MAX_META = 1 << 20;

/**
 * Visits the entries of a tar of `size` bytes by reading only its headers (and pax / GNU
 * long-name records), in order, each with its ordinal among the entries a streaming reader
 * emits (metadata records are not entries). `visit` returning false stops the walk.
 * Returns whether the end-of-archive marker was reached.
 */
export async function walkTarHeaders(
  read: RangeReader,
  size: number,
  input: string,
  visit: (e: TarEntry, ordinal: number) => boolean | void,
): Promise<boolean> {
  let pos = 0;
  let ordinal = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  while (pos + BLOCK <= size) {
    const h = await read(pos, BLOCK);
    if (h.every((b) => b === 0)) return true;
    if (!checksumOk(h, input))
      throw new BulwarkError('CORRUPT', input, `not a tar archive (bad header checksum at byte ${pos})`);
    const flag = String.fromCharCode(h[156] ?? 0);
    const blockSize = octal(h, 124, 12, input);
    const dataStart = pos + BLOCK;
    if (dataStart + blockSize > size)
      throw new BulwarkError('TRUNCATED', input, `archive ends inside an entry at byte ${size}`);
    pos = dataStart + Math.ceil(blockSize / BLOCK) * BLOCK;
    if (flag === 'x' || flag === 'L' || flag === 'K') {
      if (blockSize > MAX_META) throw new BulwarkError('CORRUPT', input, 'oversized tar metadata entry');
      const data = await read(dataStart, blockSize);
      if (flag === 'x') pax = parsePax(data, input);
      else if (flag === 'L') longName = cstring(data, 0, data.length);
      else longLink = cstring(data, 0, data.length);
      continue;
    }
    if (flag === 'g') continue;
    const isUstar = h.toString('ascii', 257, 262) === 'ustar';
    const prefix = isUstar ? cstring(h, 345, 155) : '';
    const rawName = pax.path ?? longName ?? (prefix ? `${prefix}/${cstring(h, 0, 100)}` : cstring(h, 0, 100));
    const linkname = pax.linkpath ?? longLink ?? cstring(h, 157, 100);
    const realSize = pax.size !== undefined ? Number(pax.size) : blockSize;
    pax = {};
    longName = longLink = undefined;
    const path = normaliseEntryPath(rawName, input);
    const type = typeOf(flag);
    if (type === 'link') normaliseEntryPath(linkname, input);
    if (
      visit(
        {
          path,
          type,
          size: realSize,
          offset: dataStart,
          ...(type === 'symlink' || type === 'link' ? { linkname } : {}),
        },
        ordinal++,
      ) === false
    )
      return false;
  }
  return false;
}

export async function indexTar(file: string, input = file): Promise<Map<string, TarEntry>> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const entries = new Map<string, TarEntry>();
    const sawEnd = await walkTarHeaders(fileReader(fh, input), size, input, (e) => void entries.set(e.path, e));
    // Writers (Go's archive/tar, GNU tar) always close with zero blocks; without them the file was cut short.
    if (!sawEnd) throw new BulwarkError('TRUNCATED', input, 'archive ends without its end-of-archive marker');
    if (entries.size === 0) throw new BulwarkError('UNKNOWN_FORMAT', input, 'empty or not a tar archive');
    return entries;
  } finally {
    await fh.close();
  }
}
