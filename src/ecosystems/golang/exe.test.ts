// The executable header reader on hostile files: the work stays proportional to the file
// (bytes searched, sections kept) whatever its counts and offsets say, and every refusal is
// a BulwarkError CORRUPT. Real binaries of every format are read in buildinfo.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isBulwarkError } from '../../core/errors.js';
import { bytesSearched } from '../../../test/support/bytes-searched.js';
import { elfUnterminatedNames, machoOverlappingCommands, peLongNames } from '../../../test/support/hostile-exe.js';
import { readExe } from './exe.js';

const corrupt = (e: unknown): boolean => isBulwarkError(e) && e.code === 'CORRUPT';

test('ELF: section names with no NUL before the end of the file are read to 256 bytes', () => {
  const b = elfUnterminatedNames(1 << 20);
  const run = bytesSearched(() => readExe(b, 'hostile.elf'));
  const exe = run.result!;
  assert.equal(exe.sections.length, (1 << 20) / 2 / 64 - 1);
  assert.ok(exe.sections.every((s) => s.name === 'A'.repeat(256)));
  // before: every name's search ran to the end of the file (8,191 × 512 KiB)
  assert.ok(run.bytes <= 4 * b.length, `${run.bytes} bytes searched in a ${b.length}-byte file`);
});

test('PE: long section names in a string table with no NUL are read to 256 bytes', () => {
  const b = peLongNames(1 << 20, 4096);
  const run = bytesSearched(() => readExe(b, 'hostile.exe'));
  assert.equal(run.result!.sections.length, 4096);
  assert.ok(run.bytes <= 4 * b.length, `${run.bytes} bytes searched in a ${b.length}-byte file`);
});

test('Mach-O: a segment whose sections do not fit its load command is refused', () => {
  // before: 1,364 commands of 24 bytes each declared 409 sections over the next ones: 555,696 sections from 64 KiB
  assert.throws(() => readExe(machoOverlappingCommands(1 << 16), 'hostile.macho'), corrupt);
  const b = machoOverlappingCommands(1 << 16);
  b.writeUInt32LE(0, 32 + 16); // the first command alone, within its 24 bytes
  b.writeUInt32LE(1, 16);
  b.writeUInt32LE(0x19, 32); // … as LC_SEGMENT_64 with 0 sections, which needs 72 bytes
  assert.throws(() => readExe(b, 'hostile.macho'), corrupt);
  b.writeUInt32LE(72, 36);
  b.writeUInt32LE(72, 20);
  b.fill(0, 32 + 8, 32 + 72);
  assert.equal(readExe(b, 'hostile.macho').segments.length, 1);
  b.writeUInt32LE(71, 20); // sizeofcmds one byte short of the command
  assert.throws(() => readExe(b, 'hostile.macho'), corrupt);
});

test('property: random bytes behind each magic are read with sections bounded by the file, or refused as CORRUPT', () => {
  const magics = [
    [0x7f, 0x45, 0x4c, 0x46, 2, 1],
    [0x7f, 0x45, 0x4c, 0x46, 1, 2],
    [0x4d, 0x5a],
    [0xcf, 0xfa, 0xed, 0xfe],
    [0xce, 0xfa, 0xed, 0xfe],
    [0xfe, 0xed, 0xfa, 0xcf],
  ];
  fc.assert(
    fc.property(fc.constantFrom(...magics), fc.uint8Array({ minLength: 64, maxLength: 4096 }), (magic, rest) => {
      const b = Buffer.from(rest);
      b.set(magic, 0);
      try {
        const exe = readExe(b);
        // PE: at most 65,535 section headers; ELF and Mach-O: each section has its own header bytes
        assert.ok(
          exe.sections.length <= (exe.format === 'pe' ? 0xffff : b.length / 40),
          `${exe.sections.length} sections`,
        );
        assert.ok(exe.sections.every((s) => s.name.length <= 256 && (s.size === 0 || s.offset + s.size <= b.length)));
      } catch (e) {
        assert.ok(corrupt(e), String(e));
      }
    }),
    { numRuns: 300 },
  );
});

test('property: hostile files with a few bytes changed never escape as anything but CORRUPT', () => {
  const samples = [elfUnterminatedNames(1 << 14), peLongNames(0, 64), machoOverlappingCommands(1 << 12)];
  fc.assert(
    fc.property(
      fc.constantFrom(...samples),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      (sample, flips) => {
        const b = Buffer.from(sample);
        for (const [at, v] of flips) b[at % b.length] = v;
        try {
          readExe(b);
        } catch (e) {
          assert.ok(corrupt(e), String(e));
        }
      },
    ),
    { numRuns: 200 },
  );
});
