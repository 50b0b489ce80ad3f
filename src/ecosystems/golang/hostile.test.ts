// Go build info search on files crafted for its worst case: the bytes searched stay
// proportional to the file however many regions overlap or sentinels repeat (a file of start
// sentinels took 80 s at 8 MiB when every one searched the rest of the file for its end).
// Timings are in bench/adversarial.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isBulwarkError } from '../../core/errors.js';
import { bytesSearched } from '../../../test/support/bytes-searched.js';
import {
  elfOverlappingSegments,
  elfUnterminatedNames,
  goUnendedModinfo,
  goVersionNoise,
  machoOverlappingCommands,
  peLongNames,
} from '../../../test/support/hostile-exe.js';
import { readGoBuildInfo, runtimeVersion } from './buildinfo.js';
import { inlineBuildInfo } from './fixtures/elf-writer.js';

const MODINFO = 'path\texample.com/cmd/app\nmod\texample.com\t(devel)\t\n';

function boundedSearch(b: Buffer, factor = 4): ReturnType<typeof readGoBuildInfo> {
  const run = bytesSearched(() => readGoBuildInfo(b, 'hostile'));
  assert.equal(run.error, undefined);
  assert.ok(run.bytes <= factor * b.length, `${run.bytes} bytes searched in a ${b.length}-byte file`);
  return run.result!;
}

test('4,096 writable segments over the same bytes: the magic is searched for once, not once per segment', () => {
  assert.equal(boundedSearch(elfOverlappingSegments(1 << 20, 4096)), null);
  // the blob is still found, and only where it is 16-byte aligned in memory
  const b = elfOverlappingSegments(1 << 20, 4096);
  const blob = inlineBuildInfo('go1.22.1', MODINFO);
  blob.copy(b, 0x80008); // misaligned: skipped, as the go command skips it
  blob.copy(b, 0x90000);
  b.writeUInt32LE(0xdead, 0x80008 + 32); // would be a corrupt length prefix, were it read
  const info = boundedSearch(b);
  assert.equal(info?.goVersion, 'go1.22.1');
  assert.equal(info?.main?.path, 'example.com');
});

test('a file of module-info start sentinels without an end one: each byte is searched a bounded number of times', () => {
  assert.equal(boundedSearch(goUnendedModinfo(1 << 18)), null);
  // with the end sentinel at the very end, after a byte that is not a newline: no candidate fits
  assert.equal(boundedSearch(goUnendedModinfo(1 << 18, true)), null);
});

test('the toolchain version among 40,000 candidates that are not one', () => {
  const b = goVersionNoise(1 << 18);
  const info = boundedSearch(b);
  assert.equal(info?.headerless, true);
  assert.equal(info?.goVersion, '');
  b.write('\0go1.21.5\0', b.length - 10, 'latin1');
  assert.equal(runtimeVersion(b), 'go1.21.5');
});

test('runtimeVersion reads versions as the go command writes them, and nothing glued to a word', () => {
  const cases: [string, string | undefined][] = [
    ['\0go1.21.5\0', 'go1.21.5'],
    ['\0go1.22rc2\0', 'go1.22rc2'],
    ['\0go1.9beta1\0', 'go1.9beta1'],
    [' go1.20 ', 'go1.20'],
    ['xgo1.20 ', undefined],
    [' go1.20.1.2 ', undefined],
    [' go1.2000 ', undefined],
    [' go1.x ', undefined],
    [' go1.20rcx ', 'go1.20'],
    ['\0go1.21\0 \0go1.22\0', undefined],
  ];
  for (const [text, want] of cases)
    assert.equal(runtimeVersion(Buffer.from(text, 'latin1')), want, JSON.stringify(text));
});

test('property: runtimeVersion agrees with the regular expression that specifies it', () => {
  // the former implementation, kept as the oracle
  const WORD = /[A-Za-z0-9_./-]/;
  const VERSION = /^go1\.\d{1,3}(?:\.\d{1,3})?(?:(?:rc|beta)\d{1,2})?/;
  const oracle = (b: Buffer): string | undefined => {
    const strict = new Set<string>();
    const loose = new Set<string>();
    for (let i = b.indexOf('go1.'); i >= 0; i = b.indexOf('go1.', i + 4)) {
      const prev = i > 0 ? b[i - 1]! : 0;
      if (WORD.test(String.fromCharCode(prev))) continue;
      const m = VERSION.exec(b.toString('latin1', i, i + 24));
      if (!m) continue;
      const next = b[i + m[0].length] ?? 0;
      if ((next >= 0x30 && next <= 0x39) || next === 0x2e) continue;
      (prev === 0 && next === 0 ? strict : loose).add(m[0]);
      if (strict.size > 1 || loose.size > 8) break;
    }
    const pick = strict.size > 0 ? strict : loose;
    return pick.size === 1 ? [...pick][0] : undefined;
  };
  const piece = fc.constantFrom('go1.', '1', '2', '22', '1234', '.', 'rc', 'beta', 'b', 'x', ' ', '\0', '-', '_', '/');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
      const b = Buffer.from(parts.join(''), 'latin1');
      assert.equal(runtimeVersion(b), oracle(b));
    }),
    { numRuns: 2000 },
  );
});

test('property: hostile files with a few bytes changed never escape as anything but CORRUPT', () => {
  const samples = [
    elfOverlappingSegments(1 << 14, 64),
    goUnendedModinfo(1 << 12),
    goVersionNoise(1 << 12),
    elfUnterminatedNames(1 << 12),
    peLongNames(0, 32),
    machoOverlappingCommands(1 << 12),
  ];
  fc.assert(
    fc.property(
      fc.constantFrom(...samples),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      (sample, flips) => {
        const b = Buffer.from(sample);
        for (const [at, v] of flips) b[at % b.length] = v;
        try {
          readGoBuildInfo(b);
        } catch (e) {
          assert.ok(isBulwarkError(e) && e.code === 'CORRUPT', String(e));
        }
      },
    ),
    { numRuns: 200 },
  );
});
