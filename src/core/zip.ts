import { crc32, inflateRawSync } from 'node:zlib';
import { BulwarkError } from './errors.js';
import { overExpansion, type ExpansionLimits } from './expansion.js';

// A synchronous, bounded ZIP reader (PKWARE APPNOTE 6.3), for jars and OSV all.zip feeds: end of central directory
// (+ zip64), central directory entries, local headers, stored and deflated data.
// Archives are untrusted: every offset is bounds-checked and every read is budgeted.

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Offset of the local header in the buffer, after correcting for prepended data. */
  localOffset: number;
}

/**
 * What the archives of one scan (or one feed) may inflate to, nested archives included:
 * a byte total, and a ratio to the bytes of the archives read from outside any other.
 */
export class InflateBudget {
  private stored = 0;
  private inflated = 0;
  /** Set once a read was refused: what is read after that depends on what else shared the budget. */
  exhausted = false;

  constructor(private readonly limits: ExpansionLimits) {}

  /** Bytes granted so far. */
  get used(): number {
    return this.inflated;
  }

  /** Counts an outermost archive's own bytes towards the ratio. */
  addStored(bytes: number): void {
    this.stored += bytes;
  }

  /** Grants `bytes` more or throws TOO_LARGE naming `where`. */
  charge(bytes: number, where: string): void {
    const why = overExpansion(this.limits, this.inflated + bytes, this.stored);
    if (why) {
      this.exhausted = true;
      throw new BulwarkError('TOO_LARGE', where, `archive ${why}`);
    }
    this.inflated += bytes;
  }
}

/**
 * What the archives of one scan may inflate to, nested ones included. Jars hold compressed
 * classes and nest stored or deflated jars: even an EAR of WARs of jars reads about three
 * times its own bytes, so a scan's archives may read 5 times theirs, past the first 64 MiB.
 */
const SCAN_INFLATE: ExpansionLimits = { maxBytes: 4 * 2 ** 30, maxRatio: 5, ratioFloorBytes: 64 * 2 ** 20 };

/** The one budget a scan's archives share: SCAN_INFLATE, tightened by the scan's own ratio limits. */
export function scanBudget(ratio: Pick<ExpansionLimits, 'maxRatio' | 'ratioFloorBytes'>): InflateBudget {
  return new InflateBudget({
    maxBytes: SCAN_INFLATE.maxBytes,
    maxRatio: Math.min(ratio.maxRatio, SCAN_INFLATE.maxRatio),
    ratioFloorBytes: Math.min(ratio.ratioFloorBytes, SCAN_INFLATE.ratioFloorBytes),
  });
}

/** A byte total alone, for inputs read whole and trusted no further (an OSV feed). */
export function byteBudget(maxBytes: number): InflateBudget {
  return new InflateBudget({ maxBytes, maxRatio: Infinity, ratioFloorBytes: Infinity });
}

export const MAX_ENTRIES = 500_000;
const MAX_NAME_BYTES = 4096;

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOCATOR = 0x07064b50;
const U16 = 0xffff;
const U32 = 0xffffffff;

function need(buf: Buffer, off: number, len: number, input: string, what: string): void {
  if (off < 0 || off + len > buf.length)
    throw new BulwarkError('TRUNCATED', input, `${what} runs past the end of the archive`);
}

function u64(buf: Buffer, off: number, input: string): number {
  const v = buf.readBigUInt64LE(off);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new BulwarkError('CORRUPT', input, 'zip64 value out of range');
  return Number(v);
}

/** The end-of-central-directory record: the last signature whose comment fits in the buffer. */
function findEocd(buf: Buffer, input: string): number {
  const lowest = Math.max(0, buf.length - 22 - U16);
  for (let p = buf.length - 22; p >= lowest; p--) {
    if (buf.readUInt32LE(p) === SIG_EOCD && p + 22 + buf.readUInt16LE(p + 20) <= buf.length) return p;
  }
  if (buf.length >= 4 && buf.readUInt32LE(0) === SIG_LOCAL)
    throw new BulwarkError('TRUNCATED', input, 'no end of central directory: truncated ZIP archive');
  throw new BulwarkError('CORRUPT', input, 'not a ZIP archive (no end of central directory)');
}

interface Directory {
  start: number;
  size: number;
  count: number;
  /** Bytes before the archive proper (a launch script prepended to an executable jar). */
  base: number;
}

function readDirectory(buf: Buffer, input: string): Directory {
  const eocd = findEocd(buf, input);
  if (buf.readUInt16LE(eocd + 4) !== 0 || buf.readUInt16LE(eocd + 6) !== 0)
    throw new BulwarkError('CORRUPT', input, 'multi-disk ZIP archives are not supported');
  let count = buf.readUInt16LE(eocd + 10);
  let size = buf.readUInt32LE(eocd + 12);
  let offset = buf.readUInt32LE(eocd + 16);
  let end = eocd; // the central directory ends where the record after it begins
  const loc = eocd - 20;
  if (loc >= 0 && buf.readUInt32LE(loc) === SIG_LOCATOR) {
    if (buf.readUInt32LE(loc + 16) > 1)
      throw new BulwarkError('CORRUPT', input, 'multi-disk ZIP archives are not supported');
    let rec = u64(buf, loc + 8, input);
    // with prepended data the declared offset is off by the prefix; the record sits right before the locator
    if (rec + 56 > loc || buf.readUInt32LE(rec) !== SIG_EOCD64) rec = loc - 56;
    if (rec < 0 || buf.readUInt32LE(rec) !== SIG_EOCD64)
      throw new BulwarkError('CORRUPT', input, 'zip64 end of central directory record not found');
    count = u64(buf, rec + 32, input);
    size = u64(buf, rec + 40, input);
    offset = u64(buf, rec + 48, input);
    end = rec;
  } else if (count === U16 || size === U32 || offset === U32) {
    throw new BulwarkError('CORRUPT', input, 'zip64 values without a zip64 end of central directory');
  }
  if (count > MAX_ENTRIES) throw new BulwarkError('TOO_LARGE', input, `${count} entries (limit ${MAX_ENTRIES})`);
  const start = end - size;
  const base = start - offset;
  if (start < 0 || base < 0) throw new BulwarkError('CORRUPT', input, 'central directory offset or size out of range');
  if (count * 46 > size) throw new BulwarkError('CORRUPT', input, `central directory too small for ${count} entries`);
  return { start, size, count, base };
}

/** Fills the saturated fields from the zip64 extended information extra field (id 0x0001). */
function applyZip64(buf: Buffer, from: number, to: number, e: ZipEntry, disk: number, input: string): void {
  let p = from;
  while (p + 4 <= to) {
    const id = buf.readUInt16LE(p);
    const len = buf.readUInt16LE(p + 2);
    if (p + 4 + len > to) break;
    if (id === 1) {
      let q = p + 4;
      const take = (): number => {
        if (q + 8 > p + 4 + len)
          throw new BulwarkError('CORRUPT', input, `entry ${JSON.stringify(e.name)}: short zip64 extra field`);
        const v = u64(buf, q, input);
        q += 8;
        return v;
      };
      if (e.size === U32) e.size = take();
      if (e.compressedSize === U32) e.compressedSize = take();
      if (e.localOffset === U32) e.localOffset = take();
      if (disk === U16) take();
      return;
    }
    p += 4 + len;
  }
  if (e.size === U32 || e.compressedSize === U32 || e.localOffset === U32)
    throw new BulwarkError(
      'CORRUPT',
      input,
      `entry ${JSON.stringify(e.name)}: zip64 sizes without a zip64 extra field`,
    );
}

/** The central directory record at `p`, and where the next one starts. */
function readRecord(
  buf: Buffer,
  p: number,
  i: number,
  dir: Directory,
  input: string,
): { entry: ZipEntry; next: number } {
  const limit = dir.start + dir.size;
  if (p + 46 > limit)
    throw new BulwarkError('CORRUPT', input, `central directory ends after ${i} of ${dir.count} entries`);
  if (buf.readUInt32LE(p) !== SIG_CENTRAL)
    throw new BulwarkError('CORRUPT', input, `bad central directory signature at entry ${i}`);
  const flags = buf.readUInt16LE(p + 8);
  const nameLen = buf.readUInt16LE(p + 28);
  const extraLen = buf.readUInt16LE(p + 30);
  const next = p + 46 + nameLen + extraLen + buf.readUInt16LE(p + 32);
  if (next > limit) throw new BulwarkError('CORRUPT', input, `central directory entry ${i} overruns the directory`);
  if (nameLen > MAX_NAME_BYTES)
    throw new BulwarkError('CORRUPT', input, `entry ${i}: name of ${nameLen} bytes (limit ${MAX_NAME_BYTES})`);
  // bit 11: UTF-8 names; otherwise CP437, read as Latin-1 (the names we look for are ASCII)
  const entry: ZipEntry = {
    name: buf.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen),
    method: buf.readUInt16LE(p + 10),
    flags,
    crc: buf.readUInt32LE(p + 16),
    compressedSize: buf.readUInt32LE(p + 20),
    size: buf.readUInt32LE(p + 24),
    localOffset: buf.readUInt32LE(p + 42),
  };
  const disk = buf.readUInt16LE(p + 34);
  if (entry.size === U32 || entry.compressedSize === U32 || entry.localOffset === U32 || disk === U16)
    applyZip64(buf, p + 46 + nameLen, p + 46 + nameLen + extraLen, entry, disk, input);
  entry.localOffset += dir.base;
  return { entry, next };
}

/** Where an entry's data starts: after its local header, whose name and extra lengths may differ from the directory's. */
function dataStart(buf: Buffer, e: ZipEntry, input: string): number {
  need(buf, e.localOffset, 30, input, `local header of ${JSON.stringify(e.name)}`);
  if (buf.readUInt32LE(e.localOffset) !== SIG_LOCAL)
    throw new BulwarkError('CORRUPT', `${input}!/${e.name}`, 'bad local header signature');
  return e.localOffset + 30 + buf.readUInt16LE(e.localOffset + 26) + buf.readUInt16LE(e.localOffset + 28);
}

/**
 * Refuses entries whose local header and data share bytes with another entry or with the
 * central directory: the overlap is how a small archive names the same compressed
 * kernel many times over (a non-recursive zip bomb). `spans` holds [start, end) pairs.
 */
function refuseOverlaps(spans: Float64Array, names: (i: number) => string, dir: Directory, input: string): void {
  const n = spans.length / 2;
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = spans[2 * i]! >= spans[2 * i - 2]!;
  if (!sorted) order.sort((a, b) => spans[2 * a]! - spans[2 * b]!);
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (spans[2 * i + 1]! > dir.start)
      throw new BulwarkError(
        'CORRUPT',
        input,
        `entry ${JSON.stringify(names(i))} overlaps the central directory: a zip bomb or a damaged archive`,
      );
    const prev = k > 0 ? order[k - 1]! : -1;
    if (prev >= 0 && spans[2 * i]! < spans[2 * prev + 1]!) {
      throw new BulwarkError(
        'CORRUPT',
        input,
        `entries ${JSON.stringify(names(prev))} and ${JSON.stringify(names(i))} overlap: a zip bomb`,
      );
    }
  }
}

/**
 * Central directory entries whose names `keep` accepts, in directory order. Every entry,
 * kept or not, must have a local header of its own and bytes no other entry claims.
 */
export function listEntries(buf: Buffer, input: string, keep: (name: string) => boolean): ZipEntry[] {
  const dir = readDirectory(buf, input);
  const out: ZipEntry[] = [];
  // dir.count * 46 <= dir.size <= buf.length: the allocation is bounded by the archive itself
  const spans = new Float64Array(2 * dir.count);
  const offsets = new Float64Array(dir.count);
  let p = dir.start;
  for (let i = 0; i < dir.count; i++) {
    const { entry, next } = readRecord(buf, p, i, dir, input);
    spans[2 * i] = entry.localOffset;
    spans[2 * i + 1] = dataStart(buf, entry, input) + entry.compressedSize;
    offsets[i] = p;
    if (keep(entry.name)) out.push(entry);
    p = next;
  }
  refuseOverlaps(spans, (i) => readRecord(buf, offsets[i]!, i, dir, input).entry.name, dir, input);
  return out;
}

/** One entry's bytes, refused before inflating when its declared size exceeds maxBytes or the budget. */
export function readEntry(buf: Buffer, e: ZipEntry, input: string, maxBytes: number, budget: InflateBudget): Buffer {
  const where = `${input}!/${e.name}`;
  if (e.flags & 0x41) throw new BulwarkError('CORRUPT', where, 'encrypted entry');
  if (e.size > maxBytes) throw new BulwarkError('TOO_LARGE', where, `declares ${e.size} bytes (limit ${maxBytes})`);
  budget.charge(Math.max(e.size, e.compressedSize), where);
  const start = dataStart(buf, e, input);
  need(buf, start, e.compressedSize, input, `data of ${JSON.stringify(e.name)}`);
  const raw = buf.subarray(start, start + e.compressedSize);
  let data: Buffer;
  if (e.method === 0) {
    if (e.compressedSize !== e.size) throw new BulwarkError('CORRUPT', where, 'stored entry whose sizes differ');
    data = raw;
  } else if (e.method === 8) {
    try {
      data = inflateRawSync(raw, { maxOutputLength: Math.max(e.size, 1) });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      const code = /unexpected end/i.test(msg) ? 'TRUNCATED' : 'CORRUPT';
      throw new BulwarkError(
        code,
        where,
        err instanceof RangeError ? 'inflates beyond its declared size' : `bad deflate data (${msg})`,
        { cause: err },
      );
    }
  } else {
    throw new BulwarkError('CORRUPT', where, `unsupported compression method ${e.method}`);
  }
  if (data.length !== e.size)
    throw new BulwarkError('CORRUPT', where, `inflates to ${data.length} bytes, declared ${e.size}`);
  if (crc32(data) !== e.crc) throw new BulwarkError('CORRUPT', where, 'CRC-32 mismatch');
  return data;
}
