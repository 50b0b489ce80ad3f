import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { isBulwarkError } from '../../core/errors.js';
import { makeTempDir, type TempDir } from '../../core/tempdir.js';
import { have, requireAll } from '../../../test/support/require.js';
import { readGoBuildInfo } from './buildinfo.js';
import { inlineBuildInfo, legacyGoElf, writeElf } from './fixtures/elf-writer.js';
import { goVersionM } from './fixtures/go-toolchain.js';
import { throwsCode } from '../../../test/support/codes.js';

// Toolchains before Go 1.18 stored pointers to the strings; no such toolchain is packaged
// here, so these binaries are written by hand (elf-writer.ts), and Go 1.19's reader, which
// still understands the old layout, is the oracle where it is installed.

let tmp: TempDir;
before(async () => {
  tmp = await makeTempDir('bulwark-go-legacy-');
});
after(() => tmp.remove());

const MODINFO =
  'path\texample.com/old/cmd/old\nmod\texample.com/old\t(devel)\t\ndep\tgithub.com/pkg/errors\tv0.9.1\th1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=\ndep\tgolang.org/x/crypto\tv0.0.0-20200622213623-75b288015ac9\n=>\tgolang.org/x/crypto\tv0.1.0\th1:abc=\n';

/** Every hand-written pre-1.18 variant: ELF 32/64, little and big endian, with and without section headers. */
function* legacyVariants(): Generator<[string, Buffer]> {
  for (const bits of [32, 64] as const) {
    for (const littleEndian of [true, false]) {
      for (const sectionHeaders of [true, false]) {
        const label = `${bits}-bit ${littleEndian ? 'LE' : 'BE'}${sectionHeaders ? '' : ' without section headers'}`;
        yield [label, legacyGoElf({ bits, littleEndian, goVersion: 'go1.16.15', modinfo: MODINFO, sectionHeaders })];
      }
    }
  }
}

test('pre-1.18 pointer layout: ELF 32/64, little and big endian, with and without section headers', () => {
  for (const [label, b] of legacyVariants()) {
    const info = readGoBuildInfo(b)!;
    assert.equal(info.goVersion, 'go1.16.15', label);
    assert.equal(info.path, 'example.com/old/cmd/old');
    assert.deepEqual(info.main, { path: 'example.com/old', version: '(devel)' });
    assert.deepEqual(info.deps, [
      { path: 'github.com/pkg/errors', version: 'v0.9.1', sum: 'h1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=' },
      {
        path: 'golang.org/x/crypto',
        version: 'v0.0.0-20200622213623-75b288015ac9',
        replace: { path: 'golang.org/x/crypto', version: 'v0.1.0', sum: 'h1:abc=' },
      },
    ]);
  }
});

test('pre-1.18 pointer layout: `go version -m` reads every variant as the reader does', async (t) => {
  if (!requireAll(t, { 'go (Debian golang-go)': have('go') })) return;
  for (const [label, b] of legacyVariants()) {
    const info = readGoBuildInfo(b)!;
    const file = join(tmp.path, label.replace(/\W+/g, '-'));
    await writeFile(file, b);
    await chmod(file, 0o755);
    const oracle = goVersionM(file);
    assert.ok(oracle, `go version -m reads ${label}`);
    assert.deepEqual(
      { v: info.goVersion, main: info.main, deps: info.deps },
      { v: oracle.goVersion, main: oracle.main, deps: oracle.deps },
      `go version -m agrees: ${label}`,
    );
  }
});

test('a pointer to an address no segment maps is an error', () => {
  const b = legacyGoElf({ bits: 64, littleEndian: true, goVersion: 'go1.16', modinfo: MODINFO });
  const at = b.indexOf('\xff Go buildinf:', 0, 'latin1');
  b.writeBigUInt64LE(0xdead0000n, at + 16);
  throwsCode(() => readGoBuildInfo(b), 'CORRUPT');
});

function inlineElf(goVersion: string, modinfo: string): Buffer {
  const data = inlineBuildInfo(goVersion, modinfo);
  return writeElf({
    bits: 64,
    littleEndian: true,
    sections: [
      { name: '.go.buildinfo', data, addr: 0x600000, writable: true },
      { name: '.gopclntab', data: Buffer.alloc(32), addr: 0x400000 },
    ],
  });
}

test('the inline layout from a hand-written file matches the one Go writes', () => {
  const info = readGoBuildInfo(inlineElf('go1.21rc2', MODINFO))!;
  assert.equal(info.goVersion, 'go1.21rc2');
  assert.equal(info.deps.length, 2);
});

// The parser meets hostile files: whatever bytes change, it returns or throws its own
// BulwarkError CORRUPT (a Node buffer error would mean an unchecked read).
function survives(b: Buffer): void {
  try {
    readGoBuildInfo(b);
  } catch (e) {
    assert.ok(isBulwarkError(e) && e.code === 'CORRUPT', String(e));
  }
}

test('property: corrupted Go binaries (both layouts) never crash the reader', () => {
  const samples = [
    legacyGoElf({ bits: 64, littleEndian: true, goVersion: 'go1.16', modinfo: MODINFO }),
    legacyGoElf({ bits: 32, littleEndian: false, goVersion: 'go1.15', modinfo: MODINFO }),
    inlineElf('go1.22.1', MODINFO),
  ];
  fc.assert(
    fc.property(
      fc.constantFrom(...samples),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      (sample, flips) => {
        const b = Buffer.from(sample);
        for (const [at, v] of flips) b[at % b.length] = v;
        survives(b);
      },
    ),
    { numRuns: 200 },
  );
});

test('property: random bytes behind an executable magic never crash the reader', () => {
  const magics = [
    [0x7f, 0x45, 0x4c, 0x46, 2, 1],
    [0x7f, 0x45, 0x4c, 0x46, 1, 2],
    [0x4d, 0x5a],
    [0xcf, 0xfa, 0xed, 0xfe],
    [0xfe, 0xed, 0xfa, 0xce],
  ];
  fc.assert(
    fc.property(fc.constantFrom(...magics), fc.uint8Array({ minLength: 64, maxLength: 2048 }), (magic, rest) => {
      const b = Buffer.from(rest);
      b.set(magic, 0);
      survives(b);
    }),
    { numRuns: 200 },
  );
});
