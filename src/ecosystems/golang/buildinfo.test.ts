import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, readdir, readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { makeTempDir, type TempDir } from '../../core/tempdir.js';
import { have, requireAll } from '../../../test/support/require.js';
import { readGoBuildInfo, runtimeVersion } from './buildinfo.js';
import { readExe } from './exe.js';
import { buildFixtureApp, goVersionM, TARGETS, withoutSectionHeaders } from './fixtures/go-toolchain.js';
import { throwsCode } from '../../../test/support/codes.js';

let tmp: TempDir;
let building: Promise<string[]> | undefined;
const GO = { 'go (Debian golang-go)': have('go') };
/** The fixture app for every target, built once by the first test that passed the gate. */
const apps = (): Promise<string[]> => (building ??= buildFixtureApp(tmp.path));

before(async () => {
  tmp = await makeTempDir('bulwark-go-');
});
after(() => tmp.remove());

const modules = (i: ReturnType<typeof readGoBuildInfo>): unknown =>
  i && { goVersion: i.goVersion, path: i.path, main: i.main, deps: i.deps };

const FIXTURE_DEPS = [
  { path: 'example.com/lib', version: 'v1.2.3', replace: { path: '../lib', version: '(devel)' } },
  { path: 'example.com/orig', version: 'v1.0.0', replace: { path: 'example.com/fork', version: 'v1.1.0' } },
  { path: 'golang.org/x/text', version: 'v0.3.7' },
];

test('Go 1.18+ binaries for every format (ELF 32/64 LE/BE, PE32/PE32+, Mach-O) read as `go version -m` reads them', async (t) => {
  if (!requireAll(t, GO)) return;
  const formats = [];
  for (const [i, file] of (await apps()).entries()) {
    const b = await readFile(file);
    const exe = readExe(b);
    formats.push(`${exe.format}${exe.bits}${exe.littleEndian ? 'le' : 'be'}`);
    const info = readGoBuildInfo(b);
    assert.deepEqual(modules(info), modules(goVersionM(file)), `${TARGETS[i]!.goos}/${TARGETS[i]!.goarch}`);
    assert.equal(info!.main?.path, 'example.com/app');
    assert.deepEqual(info!.deps, FIXTURE_DEPS);
    assert.equal(info!.settings.GOOS, TARGETS[i]!.goos);
  }
  assert.deepEqual(formats, ['elf64le', 'elf32le', 'elf64be', 'elf32be', 'pe64le', 'pe32le', 'macho64le']);
});

test('stripping keeps the build info: strip, no section headers at all, and the header itself removed', async (t) => {
  if (!requireAll(t, { ...GO, 'strip, objcopy (Debian binutils)': have('strip') && have('objcopy') })) return;
  const bin = (await apps())[0]!;
  const expected = modules(goVersionM(bin));
  const stripped = join(tmp.path, 'stripped');
  spawnSync('strip', ['-o', stripped, bin]);
  assert.deepEqual(modules(readGoBuildInfo(await readFile(stripped))), expected);

  const noHeaders = await withoutSectionHeaders(bin, join(tmp.path, 'no-section-headers'));
  const nb = await readFile(noHeaders);
  assert.equal(readExe(nb).sections.length, 0);
  assert.deepEqual(modules(goVersionM(noHeaders)), expected, 'go reads it from the data segment too');
  assert.deepEqual(modules(readGoBuildInfo(nb)), expected);

  // objcopy drops the section's bytes: only the module info text and runtime.buildVersion remain
  const removed = join(tmp.path, 'no-buildinfo');
  spawnSync('objcopy', ['--remove-section', '.go.buildinfo', bin, removed]);
  await chmod(removed, 0o755);
  assert.equal(goVersionM(removed), null, 'the go command gives up');
  const info = readGoBuildInfo(await readFile(removed));
  assert.equal(info?.headerless, true);
  assert.deepEqual(modules(info), expected);
});

const esbuildBin = ((): string => {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@esbuild/linux-x64/package.json')), 'bin', 'esbuild');
  } catch {
    return '';
  }
})();

test('esbuild (npm @esbuild/linux-x64) has its header removed; its modules and toolchain are still read', async (t) => {
  if (!requireAll(t, { '@esbuild/linux-x64 in node_modules': existsSync(esbuildBin) })) return;
  const b = await readFile(esbuildBin);
  const info = readGoBuildInfo(b)!;
  assert.equal(info.headerless, true);
  assert.equal(info.path, 'github.com/evanw/esbuild/cmd/esbuild');
  assert.deepEqual(info.main, { path: 'github.com/evanw/esbuild', version: '(devel)' });
  // independent evidence in the same file: the source paths the compiler recorded
  const sysFromPaths = /golang\.org\/x\/sys@(v[^/]+)\//.exec(b.toString('latin1'))![1];
  const sys = info.deps.find((d) => d.path === 'golang.org/x/sys');
  assert.equal(sys?.version, sysFromPaths);
  assert.match(sys!.sum!, /^h1:[A-Za-z0-9+/]+=*$/);
  assert.match(info.goVersion, /^go1\.\d+\.\d+$/);
  assert.equal(info.settings.GOOS, 'linux');
});

test('esbuild (npm @esbuild/linux-x64): `go version -m` cannot read it (its header is gone)', (t) => {
  if (!requireAll(t, { ...GO, '@esbuild/linux-x64 in node_modules': existsSync(esbuildBin) })) return;
  assert.equal(goVersionM(esbuildBin), null);
});

test('the toolchain version found without the header agrees with the header on real binaries', async (t) => {
  if (!requireAll(t, GO)) return;
  for (const file of await apps()) {
    const b = await readFile(file);
    assert.equal(runtimeVersion(b), readGoBuildInfo(b)!.goVersion, file);
  }
});

test("up to 25 Go binaries in /usr/bin, /usr/sbin, /usr/local/bin and go's tool directory read as `go version -m` reads them", async (t) => {
  if (!requireAll(t, GO)) return;
  const dirs = [
    '/usr/bin',
    '/usr/sbin',
    '/usr/local/bin',
    spawnSync('go', ['env', 'GOTOOLDIR'], { encoding: 'utf8' }).stdout.trim(),
  ];
  let compared = 0;
  for (const dir of dirs) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.sort()) {
      if (compared >= 25) break;
      const file = join(dir, name);
      const st = await stat(file).catch(() => undefined);
      if (!st?.isFile() || !(st.mode & 0o111) || st.size > 200 << 20) continue;
      const b = await readFile(file);
      if (!b.includes('Go buildinf:')) continue;
      const oracle = goVersionM(file);
      if (!oracle) continue;
      assert.deepEqual(modules(readGoBuildInfo(b)), modules(oracle), file);
      compared++;
    }
  }
  assert.ok(compared >= 1, 'at least the go command itself');
  t.diagnostic(`${compared} binaries compared`);
});

test('what is not a Go executable (a script, zeros, /bin/ls, a truncated ELF) gives null without throwing', async () => {
  assert.equal(readGoBuildInfo(Buffer.from('#!/bin/sh\necho hello\n'.repeat(100))), null);
  assert.equal(readGoBuildInfo(Buffer.alloc(4096)), null);
  if (existsSync('/bin/ls')) assert.equal(readGoBuildInfo(await readFile('/bin/ls')), null);
  // a truncated ELF that never was Go
  const elf = Buffer.alloc(128);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  elf.writeBigUInt64LE(1n << 40n, 0x28);
  elf.writeUInt16LE(64, 0x3a);
  elf.writeUInt16LE(3, 0x3c);
  assert.equal(readGoBuildInfo(elf), null);
});

test('a Go header whose strings run past the file is an error naming the problem', () => {
  const b = Buffer.alloc(0x3000);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  // one writable PT_LOAD at offset 0x1000 holding an inline-format header with a huge length
  b.writeBigUInt64LE(64n, 0x20);
  b.writeUInt16LE(56, 0x36);
  b.writeUInt16LE(1, 0x38);
  b.writeUInt32LE(1, 64);
  b.writeUInt32LE(6, 68);
  b.writeBigUInt64LE(0x1000n, 72);
  b.writeBigUInt64LE(0x401000n, 80);
  b.writeBigUInt64LE(0x2000n, 96);
  b.write('\xff Go buildinf:', 0x1000, 'latin1');
  b[0x100e] = 8;
  b[0x100f] = 2;
  b.set([0xff, 0xff, 0xff, 0x7f], 0x1020);
  throwsCode(() => readGoBuildInfo(b), 'CORRUPT');
});
