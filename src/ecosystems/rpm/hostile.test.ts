// rpm headers and databases crafted for the readers' worst case: the work stays proportional
// to the file (no path expansion past a bound, no blob read inside another, no page visited
// twice), and every refusal is a BulwarkError. Timings are in bench/adversarial.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isBulwarkError, type ErrorCode } from '../../core/errors.js';
import { bdbOverflowLoop, ndbNestedBlobs, rpmDirExpansion } from '../../../test/support/hostile-rpm.js';
import { readRpmDatabase } from './database.js';
import { encodeHeader, type HeaderValue } from './fixtures/header-writer.js';
import { parseRpmHeader, TAG } from './header.js';

const is =
  (...codes: ErrorCode[]) =>
  (e: unknown): boolean =>
    isBulwarkError(e) && codes.includes(e.code);

const NVR: [number, HeaderValue][] = [
  [TAG.NAME, { type: 6, values: ['pkg'] }],
  [TAG.VERSION, { type: 6, values: ['1'] }],
  [TAG.RELEASE, { type: 6, values: ['1'] }],
];

const withFiles = (dirnames: string[], basenames: string[], dirindexes: number[]): Buffer =>
  encodeHeader([
    ...NVR,
    [TAG.DIRNAMES, { type: 8, values: dirnames }],
    [TAG.BASENAMES, { type: 8, values: basenames }],
    [TAG.DIRINDEXES, { type: 4, values: dirindexes }],
  ]);

test('dirname × basename: paths of more than four times the header are TOO_LARGE, refused before they are built', () => {
  // 5,461 basenames in one 32 KiB directory: 179 MB of paths from a 64 KiB header
  assert.throws(() => parseRpmHeader(rpmDirExpansion(1 << 16), 'Packages', 'package record 1'), is('TOO_LARGE'));
  // a package as rpmbuild lays one out: a few directories shared by many files
  const names = Array.from({ length: 500 }, (_, i) => `file-${i}.py`);
  const h = parseRpmHeader(
    withFiles(
      ['/usr/lib/python3/dist-packages/pkg/', '/usr/share/doc/pkg/'],
      names,
      names.map((_, i) => i % 2),
    ),
    'Packages',
  );
  assert.equal(h.files.length, 500);
  assert.equal(h.files[1], '/usr/share/doc/pkg/file-1.py');
});

test('NDB: blobs that share blocks (nested inside one another) are CORRUPT', () => {
  // before: 64 blobs each parsed the others' bytes again, 309,248 file names from 16 KiB
  assert.throws(() => readRpmDatabase('var/lib/rpm/Packages.db', ndbNestedBlobs(1 << 14)), is('CORRUPT'));
});

test('BDB: an overflow chain through every page and back is CORRUPT after one pass', () => {
  assert.throws(
    () => readRpmDatabase('var/lib/rpm/Packages', bdbOverflowLoop(1 << 20)),
    (e) => is('CORRUPT')(e) && /reached twice/.test((e as Error).message),
  );
});

test('property: file lists read from any dirnames, basenames and indexes stay within four times the header', () => {
  const names = fc.array(fc.string({ maxLength: 40 }), { maxLength: 30 });
  fc.assert(
    fc.property(names, names, fc.array(fc.nat(40), { maxLength: 30 }), (dirs, bases, idx) => {
      const blob = withFiles(dirs, bases, idx);
      try {
        const files = parseRpmHeader(blob, 'Packages').files;
        assert.equal(files.length, bases.length);
        assert.ok(files.reduce((n, f) => n + f.length, 0) <= 4 * blob.length);
      } catch (e) {
        assert.ok(is('CORRUPT', 'TOO_LARGE')(e), String(e));
      }
    }),
    { numRuns: 300 },
  );
});

test('property: hostile databases and headers with a few bytes changed never escape as anything but a BulwarkError', () => {
  const samples: [string, Buffer][] = [
    ['var/lib/rpm/Packages.db', ndbNestedBlobs(1 << 13)],
    ['var/lib/rpm/Packages', bdbOverflowLoop(1 << 13)],
    ['header', rpmDirExpansion(1 << 12)],
  ];
  fc.assert(
    fc.property(
      fc.constantFrom(...samples),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      ([path, sample], flips) => {
        const b = Buffer.from(sample);
        for (const [at, v] of flips) b[at % b.length] = v;
        try {
          if (path === 'header') parseRpmHeader(b, path);
          else readRpmDatabase(path, b);
        } catch (e) {
          assert.ok(is('CORRUPT', 'TRUNCATED', 'TOO_LARGE')(e), String(e));
        }
      },
    ),
    { numRuns: 200 },
  );
});
