// Reads the values of a Berkeley DB hash database, the format of rpm's
// /var/lib/rpm/Packages on RHEL/CentOS 7 and 8 and Amazon Linux 2.
// Keys are package instance numbers, values are header blobs.
//
// Every hash page is scanned in file order rather than walking buckets: freed pages
// are marked invalid, so the scan sees each live item once and never follows a
// bucket chain that could loop. Overflow chains are followed, and each overflow page
// may serve one item only, which bounds the work by the file size.
import { BulwarkError } from '../../core/errors.js';

const HASH_MAGIC = 0x061561;
const BTREE_MAGIC = 0x053162;

const P_HASH_UNSORTED = 2; // also the hash page type of Berkeley DB before 4.6
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;

const H_KEYDATA = 1;
const H_OFFPAGE = 3;

const PAGE_HEADER = 26;
/** With page checksums, 2 bytes of padding and a 4-byte checksum follow the header. */
const CHECKSUM_AREA = 6;
const META_FLAG_CHECKSUM = 1;
/** The record rpm keeps under key 0 holds the next instance number, not a header. */
const COUNTER_KEY = 0;

interface Item {
  type: number;
  start: number;
  end: number;
}

class HashDb {
  readonly le: boolean;
  readonly pageSize: number;
  readonly lastPage: number;
  private readonly dataStart: number;
  private readonly usedOverflow = new Set<number>();

  constructor(
    private readonly content: Buffer,
    private readonly input: string,
  ) {
    if (content.length < 36) this.fail('TRUNCATED', `${content.length} bytes is too short for a Berkeley DB file`);
    const magicLe = content.readUInt32LE(12);
    const magicBe = content.readUInt32BE(12);
    if (magicLe === BTREE_MAGIC || magicBe === BTREE_MAGIC)
      this.fail('CORRUPT', 'a Berkeley DB btree, not a hash database');
    if (magicLe !== HASH_MAGIC && magicBe !== HASH_MAGIC) this.fail('CORRUPT', 'no Berkeley DB hash magic');
    // The file is in the byte order of the host that wrote it; the magic tells which.
    this.le = magicLe === HASH_MAGIC;
    this.pageSize = this.u32(content, 20);
    if (this.pageSize < 512 || this.pageSize > 65536 || (this.pageSize & (this.pageSize - 1)) !== 0) {
      this.fail('CORRUPT', `invalid page size ${this.pageSize}`);
    }
    if (content[25] !== P_HASHMETA) this.fail('CORRUPT', `metadata page has type ${content[25]}`);
    if (content[24] !== 0) this.fail('CORRUPT', 'encrypted Berkeley DB databases are not supported');
    const checksummed = ((content[26] ?? 0) & META_FLAG_CHECKSUM) !== 0;
    this.dataStart = PAGE_HEADER + (checksummed ? CHECKSUM_AREA : 0);
    this.lastPage = this.u32(content, 32);
    const need = (this.lastPage + 1) * this.pageSize;
    if (need > content.length) this.fail('TRUNCATED', `metadata says ${need} bytes, file has ${content.length}`);
  }

  fail(code: 'CORRUPT' | 'TRUNCATED', reason: string): never {
    throw new BulwarkError(code, this.input, reason);
  }

  u16(buf: Buffer, at: number): number {
    return this.le ? buf.readUInt16LE(at) : buf.readUInt16BE(at);
  }

  u32(buf: Buffer, at: number): number {
    return this.le ? buf.readUInt32LE(at) : buf.readUInt32BE(at);
  }

  page(n: number): Buffer {
    return this.content.subarray(n * this.pageSize, (n + 1) * this.pageSize);
  }

  /** Key/value pairs of one hash page, values resolved through overflow chains. */
  pairs(n: number): { key: number; value: Buffer }[] {
    const page = this.page(n);
    const count = this.u16(page, 20);
    const itemsStart = this.dataStart + 2 * count;
    if (itemsStart > this.pageSize) this.fail('CORRUPT', `page ${n}: ${count} items cannot fit`);
    if (count % 2 !== 0) this.fail('CORRUPT', `page ${n}: odd number of items (${count})`);
    const item = (i: number): Item => {
      // Items are packed from the end of the page down, in index order.
      const start = this.u16(page, this.dataStart + 2 * i);
      const end = i === 0 ? this.pageSize : this.u16(page, this.dataStart + 2 * (i - 1));
      if (start < itemsStart || start >= end || end > this.pageSize) {
        this.fail('CORRUPT', `page ${n}: item ${i} at ${start}..${end} is out of bounds`);
      }
      return { type: page[start] ?? 0, start, end };
    };
    const out: { key: number; value: Buffer }[] = [];
    for (let i = 0; i < count; i += 2) {
      const key = this.bytes(page, item(i), n);
      if (key.length !== 4) this.fail('CORRUPT', `page ${n}: key of ${key.length} bytes, rpm keys have 4`);
      const keyNum = this.u32(key, 0);
      if (keyNum === COUNTER_KEY) continue;
      out.push({ key: keyNum, value: this.bytes(page, item(i + 1), n) });
    }
    return out;
  }

  private bytes(page: Buffer, it: Item, n: number): Buffer {
    if (it.type === H_KEYDATA) return page.subarray(it.start + 1, it.end);
    if (it.type !== H_OFFPAGE) this.fail('CORRUPT', `page ${n}: item type ${it.type} is not used by rpm`);
    // H_OFFPAGE: type, 3 bytes padding, first overflow page, total length.
    if (it.end - it.start < 12) this.fail('CORRUPT', `page ${n}: short overflow reference`);
    return this.overflow(this.u32(page, it.start + 4), this.u32(page, it.start + 8));
  }

  private overflow(first: number, total: number): Buffer {
    if (total > this.content.length) this.fail('CORRUPT', `overflow item of ${total} bytes is larger than the file`);
    const out = Buffer.alloc(total);
    let got = 0;
    for (let n = first; n !== 0;) {
      if (n > this.lastPage) this.fail('CORRUPT', `overflow page ${n} is past the last page ${this.lastPage}`);
      if (this.usedOverflow.has(n)) this.fail('CORRUPT', `overflow page ${n} is reached twice (loop or shared chain)`);
      this.usedOverflow.add(n);
      const page = this.page(n);
      if (page[25] !== P_OVERFLOW) this.fail('CORRUPT', `page ${n} has type ${page[25]}, expected overflow`);
      // On overflow pages the "free offset" field holds the number of bytes stored.
      const len = this.u16(page, 22);
      if (this.dataStart + len > this.pageSize || got + len > total) {
        this.fail('CORRUPT', `overflow page ${n}: ${len} bytes do not fit`);
      }
      page.copy(out, got, this.dataStart, this.dataStart + len);
      got += len;
      n = this.u32(page, 16);
    }
    if (got !== total) this.fail('CORRUPT', `overflow chain holds ${got} of ${total} bytes`);
    return out;
  }
}

/** The values of an rpm Packages hash database, in package instance order. */
export function readBdbPackages(content: Buffer, input: string): Buffer[] {
  const db = new HashDb(content, input);
  const records: { key: number; value: Buffer }[] = [];
  for (let n = 1; n <= db.lastPage; n++) {
    const type = db.page(n)[25];
    if (type === P_HASH || type === P_HASH_UNSORTED) records.push(...db.pairs(n));
  }
  return records.sort((a, b) => a.key - b.key).map((r) => r.value);
}
