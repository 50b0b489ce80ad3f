// Header shapes rpm 4.18 no longer writes (so database.test.ts cannot build them):
// old-style OLDFILENAMES lists, several i18n locales, packages without files.
// The headers are encoded from the format's facts (fixtures/header-writer.ts); real headers are covered
// by database.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBulwarkError } from '../../core/errors.js';
import { encodeHeader, type HeaderValue } from './fixtures/header-writer.js';
import { parseRpmHeader, TAG } from './header.js';

const nvr: [number, HeaderValue][] = [
  [TAG.NAME, { type: 6, values: ['oldpkg'] }],
  [TAG.VERSION, { type: 6, values: ['1.0'] }],
  [TAG.RELEASE, { type: 6, values: ['1'] }],
];

test('old-style OLDFILENAMES lists are read as the file list', () => {
  const blob = encodeHeader([...nvr, [TAG.OLDFILENAMES, { type: 8, values: ['/etc/old.conf', '/usr/bin/old'] }]]);
  assert.deepEqual(parseRpmHeader(blob, 'Packages').files, ['/etc/old.conf', '/usr/bin/old']);
});

test('an i18n string gives its first (untranslated) locale; absent tags stay absent', () => {
  const blob = encodeHeader([
    ...nvr,
    [TAG.SUMMARY, { type: 9, values: ['Plain summary', 'Résumé'] }],
    [TAG.EPOCH, { type: 4, values: [0] }],
  ]);
  assert.deepEqual(parseRpmHeader(blob, 'Packages'), {
    name: 'oldpkg',
    version: '1.0',
    release: '1',
    epoch: 0,
    summary: 'Plain summary',
    files: [],
  });
});

test('basenames without matching dir indexes, or a missing name, are CORRUPT', () => {
  const corrupt = (blob: Buffer, reason: RegExp) =>
    assert.throws(
      () => parseRpmHeader(blob, 'Packages', 'package record 7'),
      (e) => isBulwarkError(e) && e.code === 'CORRUPT' && reason.test(e.message),
    );
  corrupt(
    encodeHeader([
      ...nvr,
      [TAG.BASENAMES, { type: 8, values: ['a', 'b'] }],
      [TAG.DIRINDEXES, { type: 4, values: [0] }],
      [TAG.DIRNAMES, { type: 8, values: ['/'] }],
    ]),
    /package record 7: 2 basenames but 1 dir indexes/,
  );
  corrupt(encodeHeader(nvr.slice(1)), /no name/);
  corrupt(encodeHeader([...nvr, [TAG.EPOCH, { type: 6, values: ['2'] }]]), /not int32/);
});
