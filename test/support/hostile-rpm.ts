// Tests and bench only: rpm headers and databases crafted for the readers' worst case.
// Deterministic, any size (rounded down to what the shape needs).
import { encodeHeader, type HeaderValue } from '../../src/ecosystems/rpm/fixtures/header-writer.js';
import { TAG } from '../../src/ecosystems/rpm/header.js';

const NVR: [number, HeaderValue][] = [
  [TAG.NAME, { type: 6, values: ['hostile'] }],
  [TAG.VERSION, { type: 6, values: ['1'] }],
  [TAG.RELEASE, { type: 6, values: ['1'] }],
];

/** A header blob with one dirname of half its size and a basename for every 6 bytes of the other half, all in that directory. */
export function rpmDirExpansion(size: number): Buffer {
  const count = Math.floor(size / 2 / 6); // a 1-byte basename, its NUL and a 4-byte dir index
  return encodeHeader([
    ...NVR,
    [TAG.DIRNAMES, { type: 8, values: [`/${'d'.repeat(Math.max(1, Math.floor(size / 2) - 2))}/`] }],
    [TAG.BASENAMES, { type: 8, values: new Array<string>(count).fill('b') }],
    [TAG.DIRINDEXES, { type: 4, values: new Array<number>(count).fill(0) }],
  ]);
}

function countNul(b: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (b[i] === 0) n++;
  return n;
}

/**
 * An NDB Packages.db of blobs nested like dolls: blob j+1 starts 96 bytes into blob j and ends
 * 16 bytes before it, so it lies inside blob j's data store. Every header lists every string
 * of its data store (the nested frames and an inner run of "a\0") as OLDFILENAMES: read
 * blob by blob, the same bytes are parsed once per enclosing blob.
 */
export function ndbNestedBlobs(size: number): Buffer {
  const total = Math.floor(size / 4096) * 4096;
  const k = Math.floor(total / 256);
  const slotPages = Math.ceil(((k + 2) * 16) / 4096);
  const base = slotPages * 4096;
  const b = Buffer.alloc(total);
  for (let at = 32; at < base; at += 16) b.write('Slot', at, 'latin1');
  b.write('RpmP', 0, 'latin1');
  [0, 1, slotPages, k + 1].forEach((v, i) => b.writeUInt32LE(v, 4 + 4 * i));
  const start = (j: number): number => base + 96 * j;
  const end = (j: number): number => total - 16 * j;
  for (let at = start(k - 1) + 96; at + 2 <= end(k - 1) - 16; at += 2) b.write('a\0', at, 'latin1');
  // inside out: a blob's string count covers the frames of the blobs within it, written first
  let strings = countNul(b, start(k - 1) + 96, end(k - 1) - 12);
  for (let j = k - 1; j >= 0; j--) {
    const [s, e] = [start(j), end(j)];
    const len = e - s - 28;
    b.write('BlbS', s, 'latin1');
    [j + 1, 1, len].forEach((v, i) => b.writeUInt32LE(v, s + 4 + 4 * i));
    b.writeUInt32BE(4, s + 16);
    b.writeUInt32BE(len - 72, s + 20);
    [
      [TAG.NAME, 6, 0, 1],
      [TAG.VERSION, 6, 2, 1],
      [TAG.RELEASE, 6, 4, 1],
      [TAG.OLDFILENAMES, 8, 8, strings],
    ].forEach((entry, i) => entry.forEach((v, w) => b.writeUInt32BE(v, s + 24 + 16 * i + 4 * w)));
    b.write('n\x001\x001\0', s + 88, 'latin1');
    b.writeUInt32LE(len, e - 8);
    b.write('BlbE', e - 4, 'latin1');
    b.write('Slot', 32 + 16 * j, 'latin1');
    [j + 1, s / 16, (e - s) / 16].forEach((v, i) => b.writeUInt32LE(v, 32 + 16 * j + 4 + 4 * i));
    // the enclosing blob's strings: this whole blob and the 4 zero bytes after it
    strings += countNul(b, s, s + 96) + countNul(b, e - 12, e + 4);
  }
  return b;
}

/**
 * A little-endian Berkeley DB hash file of `pageSize`-byte pages: one hash page whose only value
 * is an overflow item, its chain running through every other page and then back to the first.
 */
export function bdbOverflowLoop(size: number, pageSize = 512): Buffer {
  const pages = Math.floor(size / pageSize);
  const b = Buffer.alloc(pages * pageSize);
  b.writeUInt32LE(0x061561, 12);
  b.writeUInt32LE(9, 16);
  b.writeUInt32LE(pageSize, 20);
  b[25] = 8; // P_HASHMETA
  b.writeUInt32LE(pages - 1, 32);
  const hash = pageSize;
  b[hash + 25] = 13; // P_HASH
  b.writeUInt16LE(2, hash + 20);
  b.writeUInt16LE(pageSize - 5, hash + 26); // key: H_KEYDATA, instance 1
  b.writeUInt16LE(pageSize - 17, hash + 28); // value: H_OFFPAGE
  b[hash + pageSize - 5] = 1;
  b.writeUInt32LE(1, hash + pageSize - 4);
  b[hash + pageSize - 17] = 3;
  b.writeUInt32LE(2, hash + pageSize - 13);
  b.writeUInt32LE((pages - 2) * (pageSize - 26) + 1, hash + pageSize - 9);
  for (let n = 2; n < pages; n++) {
    const p = n * pageSize;
    b[p + 25] = 7; // P_OVERFLOW
    b.writeUInt32LE(n + 1 < pages ? n + 1 : 2, p + 16);
    b.writeUInt16LE(pageSize - 26, p + 22);
    b.fill(0x41, p + 26, p + pageSize);
  }
  return b;
}
