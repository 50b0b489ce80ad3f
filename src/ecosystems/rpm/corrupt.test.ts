// Damaged rpm databases: every reader must answer with BulwarkError CORRUPT or
// TRUNCATED (or read what is still sound), never hang or crash with anything else.
// Inputs crafted for the readers' worst case are in hostile.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { isBulwarkError } from '../../core/errors.js';
import { readRpmDatabase } from './database.js';
import { BDB_VARIANTS, useRpmFixture } from './fixtures/build.js';
import { parseRpmHeader, TAG } from './header.js';

const fixture = useRpmFixture();

const BDB = 'var/lib/rpm/Packages';
const NDB = 'var/lib/rpm/Packages.db';
const SQLITE = 'var/lib/rpm/rpmdb.sqlite';

function rejects(fn: () => unknown, code: 'CORRUPT' | 'TRUNCATED', reason?: RegExp): void {
  assert.throws(fn, (e) => {
    assert.ok(isBulwarkError(e), `not a BulwarkError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (reason) assert.match(e.message, reason);
    return true;
  });
}

/** Passes when fn returns or throws CORRUPT/TRUNCATED (or TOO_LARGE: a file list past its bound); anything else is a bug. */
function readsOrRejects(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (isBulwarkError(e) && (e.code === 'CORRUPT' || e.code === 'TRUNCATED' || e.code === 'TOO_LARGE')) return;
    throw e;
  }
}

function patched(base: Buffer, edit: (b: Buffer) => void): Buffer {
  const b = Buffer.from(base);
  edit(b);
  return b;
}

/** Byte offset of a tag's 16-byte index entry in a header blob. */
function indexEntry(blob: Buffer, tag: number): number {
  for (let i = 0; i < blob.readUInt32BE(0); i++) if (blob.readInt32BE(8 + 16 * i) === tag) return 8 + 16 * i;
  throw new Error(`tag ${tag} not in header`);
}

/** First page of the given type in a little-endian Berkeley DB file, and its number. */
function bdbPage(file: Buffer, pageSize: number, type: number, pred: (page: Buffer) => boolean = () => true): number {
  for (let n = 1; n * pageSize < file.length; n++) {
    const page = file.subarray(n * pageSize, (n + 1) * pageSize);
    if (page[25] === type && pred(page)) return n;
  }
  throw new Error(`no page of type ${type}`);
}

test('truncated databases of every format are TRUNCATED', (t) => {
  const f = fixture(t);
  if (!f) return;
  for (const [path, file] of [
    [BDB, f.bdb[0]!],
    [NDB, f.ndb],
    [SQLITE, f.sqlite],
  ] as const) {
    for (const len of [0, 20, Math.floor(file.length / 2), file.length - 1]) {
      rejects(() => readRpmDatabase(path, file.subarray(0, len)), 'TRUNCATED');
    }
  }
});

test('Berkeley DB: loops, bad page numbers and bad offsets are CORRUPT', (t) => {
  const f = fixture(t);
  if (!f) return;
  const ps = BDB_VARIANTS[0]!.pageSize;
  const file = f.bdb[0]!;
  const chained = bdbPage(file, ps, 7, (p) => p.readUInt32LE(16) !== 0);
  rejects(
    () =>
      readRpmDatabase(
        BDB,
        patched(file, (b) => b.writeUInt32LE(chained, chained * ps + 16)),
      ),
    'CORRUPT',
    /reached twice/,
  );
  rejects(
    () =>
      readRpmDatabase(
        BDB,
        patched(file, (b) => b.writeUInt32LE(0xffffff, chained * ps + 16)),
      ),
    'CORRUPT',
    /past the last page/,
  );
  const hash = bdbPage(file, ps, 13, (p) => p.readUInt16LE(20) > 0);
  rejects(
    () =>
      readRpmDatabase(
        BDB,
        patched(file, (b) => b.writeUInt16LE(0xffff, hash * ps + 26)),
      ),
    'CORRUPT',
    /out of bounds/,
  );
  rejects(
    () =>
      readRpmDatabase(
        BDB,
        patched(file, (b) => b.writeUInt16LE(0x7fff, hash * ps + 20)),
      ),
    'CORRUPT',
    /cannot fit/,
  );
  rejects(
    () =>
      readRpmDatabase(
        BDB,
        patched(file, (b) => b.writeUInt32LE(1000, 20)),
      ),
    'CORRUPT',
    /page size/,
  );
  rejects(
    () =>
      readRpmDatabase(
        BDB,
        patched(file, (b) => b.writeUInt32LE(0x053162, 12)),
      ),
    'CORRUPT',
    /btree/,
  );
});

test('NDB: bad version, slots and blob frames are CORRUPT, slots past the end TRUNCATED', (t) => {
  const f = fixture(t);
  if (!f) return;
  const slot = 48; // the first used slot (writeNdb leaves slot 2 free)
  const blob = f.ndb.readUInt32LE(slot + 8) * 16;
  rejects(
    () =>
      readRpmDatabase(
        NDB,
        patched(f.ndb, (b) => b.writeUInt32LE(1, 4)),
      ),
    'CORRUPT',
    /version/,
  );
  rejects(
    () =>
      readRpmDatabase(
        NDB,
        patched(f.ndb, (b) => b.writeUInt32LE(0xffff, 12)),
      ),
    'TRUNCATED',
  );
  rejects(
    () =>
      readRpmDatabase(
        NDB,
        patched(f.ndb, (b) => b.writeUInt32LE(3, slot + 8)),
      ),
    'CORRUPT',
    /invalid/,
  );
  rejects(
    () =>
      readRpmDatabase(
        NDB,
        patched(f.ndb, (b) => b.writeUInt32LE(0x0fffffff, slot + 12)),
      ),
    'TRUNCATED',
  );
  rejects(
    () =>
      readRpmDatabase(
        NDB,
        patched(f.ndb, (b) => b.write('XXXX', blob)),
      ),
    'CORRUPT',
    /BlbS/,
  );
  rejects(
    () =>
      readRpmDatabase(
        NDB,
        patched(f.ndb, (b) => b.writeUInt32LE(99, blob + 4)),
      ),
    'CORRUPT',
    /another package/,
  );
  rejects(
    () =>
      readRpmDatabase(
        NDB,
        patched(f.ndb, (b) => b.writeUInt32LE(1, blob + 12)),
      ),
    'CORRUPT',
    /does not fill/,
  );
  rejects(
    () =>
      readRpmDatabase(
        NDB,
        patched(f.ndb, (b) => b.write('Slxx', 4096)),
      ),
    'CORRUPT',
    /Slot/,
  );
});

test('SQLite: a mangled file or one without a Packages table is CORRUPT', (t) => {
  const f = fixture(t);
  if (!f) return;
  rejects(
    () =>
      readRpmDatabase(
        SQLITE,
        patched(f.sqlite, (b) => b.fill(0xa5, 100)),
      ),
    'CORRUPT',
    /SQLite/,
  );
  const other = new Database(':memory:');
  other.exec('CREATE TABLE Name (key TEXT)');
  const empty = other.serialize();
  other.close();
  rejects(() => readRpmDatabase(SQLITE, empty), 'CORRUPT', /no Packages table/);
});

test('header: absurd counts, offsets and indexes are CORRUPT', (t) => {
  const f = fixture(t);
  if (!f) return;
  const blob = f.blobs.find((b) => parseRpmHeader(b, 'x').name === 'bwalpha')!;
  const data = 8 + 16 * blob.readUInt32BE(0);
  const header = (edit: (b: Buffer) => void) => () => parseRpmHeader(patched(blob, edit), 'rpmdb.sqlite');
  rejects(
    header((b) => b.writeUInt32BE(0xffffffff, 0)),
    'CORRUPT',
    /index count/,
  );
  rejects(
    header((b) => b.writeUInt32BE(0x7fffffff, 4)),
    'CORRUPT',
    /data length/,
  );
  rejects(() => parseRpmHeader(blob.subarray(0, blob.length - 1), 'x'), 'CORRUPT', /blob has/);
  rejects(() => parseRpmHeader(blob.subarray(0, 5), 'x'), 'CORRUPT', /too short/);
  rejects(
    header((b) => b.writeInt32BE(-4, indexEntry(blob, TAG.NAME) + 8)),
    'CORRUPT',
    /offset -4/,
  );
  rejects(
    header((b) => b.writeUInt32BE(4, indexEntry(blob, TAG.NAME) + 4)),
    'CORRUPT',
    /not a string/,
  );
  rejects(
    header((b) => b.writeUInt32BE(0x00ffffff, indexEntry(blob, TAG.BASENAMES) + 12)),
    'CORRUPT',
    /cannot fit/,
  );
  rejects(
    header((b) => b.writeUInt32BE(0x00ffffff, indexEntry(blob, TAG.DIRINDEXES) + 12)),
    'CORRUPT',
    /run past/,
  );
  const dirIndexes = data + blob.readInt32BE(indexEntry(blob, TAG.DIRINDEXES) + 8);
  rejects(
    header((b) => b.writeUInt32BE(9999, dirIndexes)),
    'CORRUPT',
    /dir index 9999/,
  );
  // A name string with no NUL before the end of the data store.
  rejects(
    header((b) => b.writeInt32BE(blob.length - data - 1, indexEntry(blob, TAG.NAME) + 8)),
    'CORRUPT',
    /past the data store/,
  );
});

/** A copy of base with a few bytes set (often near the structural offsets in hot), maybe cut short. */
function mutated(base: Buffer, hot: number[]): fc.Arbitrary<Buffer> {
  const pos = fc.oneof(
    fc.nat({ max: base.length - 1 }),
    fc.tuple(fc.constantFrom(...hot), fc.nat({ max: 63 })).map(([h, d]) => Math.min(base.length - 1, h + d)),
  );
  return fc
    .record({
      sets: fc.array(fc.tuple(pos, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      cut: fc.option(fc.nat({ max: base.length }), { freq: 4 }),
    })
    .map(({ sets, cut }) => {
      const b = Buffer.from(base);
      for (const [at, v] of sets) b[at] = v;
      return cut === null ? b : b.subarray(0, cut);
    });
}

// BULWARK_FUZZ_RUNS raises the count for a longer local session.
const RUNS = { numRuns: Number(process.env.BULWARK_FUZZ_RUNS ?? 200) };

test('property: mutated header blobs parse or are CORRUPT', { timeout: 120_000 }, (t) => {
  const f = fixture(t);
  if (!f) return;
  const arb = fc.constantFrom(...f.blobs).chain((blob) => {
    const hot = Array.from({ length: blob.readUInt32BE(0) + 1 }, (_, i) => (i === 0 ? 0 : 8 + 16 * (i - 1)));
    return mutated(blob, hot);
  });
  fc.assert(
    fc.property(arb, (blob) => readsOrRejects(() => parseRpmHeader(blob, 'rpmdb.sqlite'))),
    RUNS,
  );
});

test('property: mutated Berkeley DB files read or are CORRUPT/TRUNCATED', { timeout: 120_000 }, (t) => {
  const f = fixture(t);
  if (!f) return;
  const arb = fc.constantFrom(...BDB_VARIANTS.keys()).chain((i) => {
    const { pageSize } = BDB_VARIANTS[i]!;
    const file = f.bdb[i]!;
    // Page headers, and the items of hash pages (type byte, overflow page and length).
    const le = BDB_VARIANTS[i]!.bigEndian ? 'readUInt16BE' : 'readUInt16LE';
    const hot: number[] = [];
    for (let p = 0; p < file.length; p += pageSize) {
      hot.push(p);
      if (file[p + 25] !== 13) continue;
      const first = p + (BDB_VARIANTS[i]!.checksum ? 32 : 26);
      for (let k = 0; k < file[le](p + 20); k++) hot.push(p + file[le](first + 2 * k));
    }
    return mutated(file, hot);
  });
  fc.assert(
    fc.property(arb, (file) => readsOrRejects(() => readRpmDatabase(BDB, file))),
    RUNS,
  );
});

test('property: mutated NDB files read or are CORRUPT/TRUNCATED', { timeout: 120_000 }, (t) => {
  const f = fixture(t);
  if (!f) return;
  const blobs: number[] = [];
  for (let at = 32; f.ndb.toString('latin1', at, at + 4) === 'Slot' && at < 8192; at += 16) {
    const off = f.ndb.readUInt32LE(at + 8) * 16;
    if (off) blobs.push(off, off + f.ndb.readUInt32LE(at + 12) * 16 - 16);
  }
  fc.assert(
    fc.property(mutated(f.ndb, [0, 32, 64, 4096, ...blobs]), (file) =>
      readsOrRejects(() => readRpmDatabase(NDB, file)),
    ),
    RUNS,
  );
});

test('property: mutated SQLite files read or are CORRUPT/TRUNCATED', { timeout: 120_000 }, (t) => {
  const f = fixture(t);
  if (!f) return;
  const pageSize = f.sqlite.readUInt16BE(16);
  const hot = Array.from({ length: 8 }, (_, n) => n * pageSize);
  fc.assert(
    fc.property(mutated(f.sqlite, hot), (file) => readsOrRejects(() => readRpmDatabase(SQLITE, file))),
    RUNS,
  );
});
