import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { isBulwarkError } from '../../core/errors.js';
import { makeTempDir, type TempDir } from '../../core/tempdir.js';
import { bytesSearched } from '../../../test/support/bytes-searched.js';
import { elfUnterminatedNames } from '../../../test/support/hostile-exe.js';
import { requireAll } from '../../../test/support/require.js';
import { readExe } from '../golang/exe.js';
import { writeElf } from '../golang/fixtures/elf-writer.js';
import { readAuditData } from './auditable.js';
import { buildAudited, canBuild, DEP_V0_JSON } from './fixtures/testing.js';
import { throwsCode } from '../../../test/support/codes.js';

let tmp: TempDir;
let bins: Awaited<ReturnType<typeof buildAudited>> | undefined;
const tools = canBuild();

before(async () => {
  tmp = await makeTempDir('bulwark-rust-');
  if (Object.values(tools).every(Boolean)) bins = await buildAudited(tmp.path);
});
after(() => tmp.remove());

const FIXTURE_CRATES = [
  { name: 'demo-app', version: '0.3.1', source: 'local', kind: 'runtime', root: true },
  { name: 'itoa', version: '1.0.1', source: 'crates.io', kind: 'runtime', root: false },
  { name: 'ryu', version: '1.0.2', source: 'crates.io', kind: 'runtime', root: false },
  { name: 'serde', version: '1.0.152', source: 'crates.io', kind: 'runtime', root: false },
  { name: 'serde_json', version: '1.0.87', source: 'crates.io', kind: 'runtime', root: false },
  { name: 'util', version: '0.1.0', source: 'local', kind: 'runtime', root: false },
];

test("a real executable with a .dep-v0 section: every crate, as the format's own shell recipe reads it", async (t) => {
  if (!requireAll(t, tools)) return;
  const b = await readFile(bins!.audited);
  assert.deepEqual(readAuditData(b), FIXTURE_CRATES);
  // the format's own recipe (PARSING.md): objcopy --dump-section .dep-v0=FILE, then zlib
  const dumped = join(tmp.path, 'dumped');
  spawnSync('objcopy', ['--dump-section', `.dep-v0=${dumped}`, bins!.audited]);
  assert.deepEqual(
    JSON.parse(inflateSync(await readFile(dumped)).toString()),
    JSON.parse(await readFile(DEP_V0_JSON, 'utf8')),
  );
  assert.equal(readAuditData(await readFile(bins!.plain)), null, 'the same program without the section');
});

test('the section found in a PE32+ file too', async (t) => {
  if (!requireAll(t, tools)) return;
  const b = await readFile(bins!.pe);
  assert.equal(readExe(b).format, 'pe');
  assert.deepEqual(readAuditData(b), FIXTURE_CRATES);
});

test('ELF32 big-endian, build-time crates and "Other" sources (hand-written file)', () => {
  const json = {
    packages: [
      { name: 'tool', version: '1.0.0', source: 'local', root: true, dependencies: [1, 2] },
      { name: 'cc', version: '1.0.79', source: 'crates.io', kind: 'build' },
      { name: 'mirror', version: '0.2.0', source: { Other: 'sparse+https://mirror.example/' } },
    ],
  };
  const data = deflateSync(Buffer.from(JSON.stringify(json)));
  const b = writeElf({
    bits: 32,
    littleEndian: false,
    sections: [
      { name: '.text', data: Buffer.alloc(1024), addr: 0x10000 },
      { name: '.dep-v0', data, addr: 0 },
    ],
  });
  assert.deepEqual(readAuditData(b), [
    { name: 'tool', version: '1.0.0', source: 'local', kind: 'runtime', root: true },
    { name: 'cc', version: '1.0.79', source: 'crates.io', kind: 'build', root: false },
    { name: 'mirror', version: '0.2.0', source: 'sparse+https://mirror.example/', kind: 'runtime', root: false },
  ]);
});

const withSection = (data: Buffer): Buffer =>
  writeElf({ bits: 64, littleEndian: true, sections: [{ name: '.dep-v0', data, addr: 0 }] });

test('unreadable audit data is an error naming the problem; no section is no data', async () => {
  throwsCode(() => readAuditData(withSection(Buffer.from('not zlib'))), 'CORRUPT');
  throwsCode(() => readAuditData(withSection(deflateSync('{"packages": ['))), 'CORRUPT');
  throwsCode(
    () => readAuditData(withSection(deflateSync('{"packages":[{"name":"a","source":"crates.io"}]}'))),
    'CORRUPT',
  );
  // a decompression bomb: 9 MiB of zeros, beyond the format's 8 MiB bound
  assert.throws(
    () => readAuditData(withSection(deflateSync(Buffer.alloc(9 << 20)))),
    (e) => isBulwarkError(e) && e.code === 'TOO_LARGE',
  );
  assert.equal(readAuditData(Buffer.from('#!/bin/sh\n'.repeat(200))), null);
  if (existsSync('/bin/ls')) assert.equal(readAuditData(await readFile('/bin/ls')), null);
});

test('property: corrupted audited executables never crash the reader', () => {
  const sample = withSection(deflateSync(JSON.stringify({ packages: FIXTURE_CRATES.map(({ kind: _k, ...c }) => c) })));
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
      (flips) => {
        const b = Buffer.from(sample);
        for (const [at, v] of flips) b[at % b.length] = v;
        try {
          readAuditData(b);
        } catch (e) {
          assert.ok(isBulwarkError(e) && (e.code === 'CORRUPT' || e.code === 'TOO_LARGE'), String(e));
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('hostile headers: 8,191 section names with no NUL before the end of the file are read to 256 bytes each', () => {
  const b = elfUnterminatedNames(1 << 20);
  const run = bytesSearched(() => readAuditData(b));
  assert.equal(run.error, undefined);
  assert.equal(run.result, null);
  // each name's search stops at its 256-byte bound (before: each ran on to the end of the file, 4 GiB in all)
  assert.ok(run.bytes <= 4 * b.length, `${run.bytes} bytes searched in a ${b.length}-byte file`);
});
