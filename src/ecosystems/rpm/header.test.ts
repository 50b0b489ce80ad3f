// Header shapes rpm 4.18 no longer writes (so database.test.ts cannot build them):
// old-style OLDFILENAMES lists, several i18n locales, packages without files.
// The headers are encoded here from the format's facts; real headers are covered
// by database.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBulwarkError } from '../../core/errors.js';
import { parseRpmHeader, TAG } from './header.js';

type Value = { type: 4; values: number[] } | { type: 6 | 8 | 9; values: string[] };

/** rpmdb's header blob: counts, index entries, then the data store (int32 aligned to 4). */
function encode(tags: [number, Value][]): Buffer {
  const index: Buffer[] = [];
  const data: Buffer[] = [];
  let size = 0;
  for (const [tag, v] of tags) {
    if (v.type === 4 && size % 4) {
      data.push(Buffer.alloc(4 - (size % 4)));
      size += 4 - (size % 4);
    }
    const bytes =
      v.type === 4
        ? Buffer.concat(v.values.map((n) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255])))
        : Buffer.from(v.values.map((s) => `${s}\0`).join(''));
    const entry = Buffer.alloc(16);
    entry.writeInt32BE(tag, 0);
    entry.writeUInt32BE(v.type, 4);
    entry.writeUInt32BE(size, 8);
    entry.writeUInt32BE(v.values.length, 12);
    index.push(entry);
    data.push(bytes);
    size += bytes.length;
  }
  const counts = Buffer.alloc(8);
  counts.writeUInt32BE(tags.length, 0);
  counts.writeUInt32BE(size, 4);
  return Buffer.concat([counts, ...index, ...data]);
}

const nvr: [number, Value][] = [
  [TAG.NAME, { type: 6, values: ['oldpkg'] }],
  [TAG.VERSION, { type: 6, values: ['1.0'] }],
  [TAG.RELEASE, { type: 6, values: ['1'] }],
];

test('old-style OLDFILENAMES lists are read as the file list', () => {
  const blob = encode([...nvr, [TAG.OLDFILENAMES, { type: 8, values: ['/etc/old.conf', '/usr/bin/old'] }]]);
  assert.deepEqual(parseRpmHeader(blob, 'Packages').files, ['/etc/old.conf', '/usr/bin/old']);
});

test('an i18n string gives its first (untranslated) locale; absent tags stay absent', () => {
  const blob = encode([...nvr, [TAG.SUMMARY, { type: 9, values: ['Plain summary', 'Résumé'] }], [TAG.EPOCH, { type: 4, values: [0] }]]);
  assert.deepEqual(parseRpmHeader(blob, 'Packages'), { name: 'oldpkg', version: '1.0', release: '1', epoch: 0, summary: 'Plain summary', files: [] });
});

test('basenames without matching dir indexes, or a missing name, are CORRUPT', () => {
  const corrupt = (blob: Buffer, reason: RegExp) =>
    assert.throws(() => parseRpmHeader(blob, 'Packages', 'package record 7'), (e) => isBulwarkError(e) && e.code === 'CORRUPT' && reason.test(e.message));
  corrupt(encode([...nvr, [TAG.BASENAMES, { type: 8, values: ['a', 'b'] }], [TAG.DIRINDEXES, { type: 4, values: [0] }], [TAG.DIRNAMES, { type: 8, values: ['/'] }]]), /package record 7: 2 basenames but 1 dir indexes/);
  corrupt(encode(nvr.slice(1)), /no name/);
  corrupt(encode([...nvr, [TAG.EPOCH, { type: 6, values: ['2'] }]]), /not int32/);
});
