import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { makeTempDir, type TempDir } from '../../core/tempdir.js';
import { catalogDir } from '../../../test/support/catalog-dir.js';
import { have, requireAll } from '../../../test/support/require.js';
import { golang, stdlibVersion } from './catalog.js';
import { legacyGoElf } from './fixtures/elf-writer.js';
import { buildFixtureApp } from './fixtures/go-toolchain.js';
import { DEFAULT_LIMITS } from '../../image/limits.js';

let tmp: TempDir;
let root: string;

async function put(rel: string, content: Buffer | string, mode = 0o644): Promise<void> {
  await mkdir(dirname(join(root, rel)), { recursive: true });
  await writeFile(join(root, rel), content, { mode });
}

const esbuild = ((): string | undefined => {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@esbuild/linux-x64/package.json')), 'bin', 'esbuild');
  } catch {
    return undefined;
  }
})();

before(async () => {
  tmp = await makeTempDir('bulwark-go-cat-');
  root = join(tmp.path, 'root');
  await put('src/widget/go.mod', await readFile(join(import.meta.dirname, 'fixtures', 'gomod', 'go.mod')));
  await put(
    'opt/old/oldapp',
    legacyGoElf({
      bits: 64,
      littleEndian: true,
      goVersion: 'go1.16.15',
      modinfo: 'path\texample.com/old\nmod\texample.com/old\tv1.4.0\t\ndep\tgithub.com/pkg/errors\tv0.9.1\th1:x=\n',
    }),
    0o755,
  );
  await put(
    'opt/dev/devapp',
    legacyGoElf({
      bits: 64,
      littleEndian: true,
      goVersion: 'devel go1.23-4a2b3c Tue Jan 2 15:04:05 2024',
      modinfo: 'path\texample.com/dev\n',
    }),
    0o755,
  );
  const broken = legacyGoElf({ bits: 64, littleEndian: true, goVersion: 'go1.16', modinfo: 'path\tx\n' });
  broken.writeBigUInt64LE(0xdead0000n, broken.indexOf('\xff Go buildinf:', 0, 'latin1') + 16);
  await put('usr/local/bin/broken', broken, 0o755);
  await put('usr/local/bin/run.sh', `#!/bin/sh\n${'echo go1.2.3\n'.repeat(200)}`, 0o755);
  await put(
    'usr/share/doc/notes.bin',
    legacyGoElf({ bits: 64, littleEndian: true, goVersion: 'go1.16', modinfo: 'path\tnot-executable\n' }),
  );
  if (esbuild && existsSync(esbuild))
    await put('app/node_modules/@esbuild/linux-x64/bin/esbuild', await readFile(esbuild), 0o755);
});
after(() => tmp.remove());

const rows = (
  pkgs: { path: string; name: string; version: string; purl: string; metadata?: Record<string, string> }[],
  path: string,
): unknown[] => pkgs.filter((p) => p.path === path).map((p) => [p.name, p.version, p.purl, p.metadata ?? {}]);

test('a source tree: go.mod with replaces applied, indirect marked, the main module as (devel)', async () => {
  const { packages, issues, wanted } = await catalogDir(golang, root, 'fs');
  assert.ok(
    wanted.includes('src/widget/go.mod') &&
      wanted.includes('usr/local/bin/run.sh') &&
      !wanted.includes('usr/share/doc/notes.bin'),
  );
  assert.deepEqual(rows(packages, '/src/widget/go.mod'), [
    [
      'github.com/acme/logrus',
      'v1.9.1-0.20230301120000-abcdefabcdef',
      'pkg:golang/github.com/acme/logrus@v1.9.1-0.20230301120000-abcdefabcdef',
      { replaces: 'github.com/sirupsen/logrus@v1.9.0' },
    ],
    ['github.com/acme/widget', '(devel)', 'pkg:golang/github.com/acme/widget@(devel)', { main: 'true' }],
    ['github.com/BurntSushi/toml', 'v1.2.1', 'pkg:golang/github.com/burntsushi/toml@v1.2.1', {}],
    ['github.com/google/uuid', 'v1.3.0', 'pkg:golang/github.com/google/uuid@v1.3.0', {}],
    ['github.com/pkg/errors', 'v0.9.1', 'pkg:golang/github.com/pkg/errors@v0.9.1', {}],
    ['golang.org/x/net', 'v0.8.0', 'pkg:golang/golang.org/x/net@v0.8.0', { replaces: 'golang.org/x/net@v0.7.0' }],
    ['golang.org/x/sys', 'v0.5.0', 'pkg:golang/golang.org/x/sys@v0.5.0', { indirect: 'true' }],
    ['golang.org/x/text', 'v0.7.0', 'pkg:golang/golang.org/x/text@v0.7.0', { indirect: 'true' }],
    ['gopkg.in/yaml.v3', '(devel)', 'pkg:golang/gopkg.in/yaml.v3@(devel)', { replacedBy: './third_party/yaml' }],
  ]);
  assert.ok(packages.every((p) => p.ecosystem === 'golang' && p.layer.index === 0 && p.files.length === 0));
  // the broken binary and the devel toolchain are reported, not skipped silently
  assert.deepEqual(issues.map((i) => i.path).sort(), ['/opt/dev/devapp', '/usr/local/bin/broken']);
  assert.match(
    issues.find((i) => i.path === '/usr/local/bin/broken')!.message,
    /string header address 0xdead0000 is not in the file/,
  );
  assert.match(issues.find((i) => i.path === '/opt/dev/devapp')!.message, /"devel go1.23-4a2b3c .*" is not a release/);
});

test('an image: binaries only, each module with the toolchain as stdlib', async (t) => {
  if (!requireAll(t, { '@esbuild/linux-x64 in node_modules': esbuild !== undefined && existsSync(esbuild) })) return;
  const { packages } = await catalogDir(golang, root, 'image');
  assert.equal(packages.filter((p) => p.path.endsWith('go.mod')).length, 0);
  assert.deepEqual(rows(packages, '/opt/old/oldapp'), [
    ['example.com/old', 'v1.4.0', 'pkg:golang/example.com/old@v1.4.0', { main: 'true', goVersion: 'go1.16.15' }],
    ['github.com/pkg/errors', 'v0.9.1', 'pkg:golang/github.com/pkg/errors@v0.9.1', {}],
    ['stdlib', '1.16.15', 'pkg:golang/stdlib@1.16.15', { goVersion: 'go1.16.15', mainPackage: 'example.com/old' }],
  ]);
  const es = packages.filter((p) => p.path === '/app/node_modules/@esbuild/linux-x64/bin/esbuild');
  assert.deepEqual(
    es.map((p) => p.name),
    ['github.com/evanw/esbuild', 'golang.org/x/sys', 'stdlib'],
  );
  assert.ok(es.every((p) => p.metadata?.buildInfo === 'headerless'));
  assert.match(es[2]!.purl, /^pkg:golang\/stdlib@1\.\d+\.\d+$/);
});

test('an image: a binary built by the go command, each module with the toolchain as stdlib', async (t) => {
  if (!requireAll(t, { 'go (Debian golang-go)': have('go') })) return;
  const [app] = await buildFixtureApp(join(tmp.path, 'build'), [{ goos: 'linux', goarch: 'amd64' }]);
  await mkdir(join(root, 'usr/local/bin'), { recursive: true });
  await copyFile(app!, join(root, 'usr/local/bin/app'));
  const { packages } = await catalogDir(golang, root, 'image');
  assert.deepEqual(rows(packages, '/usr/local/bin/app'), [
    [
      'example.com/app',
      '(devel)',
      'pkg:golang/example.com/app@(devel)',
      { main: 'true', goVersion: 'go1.19.8', GOOS: 'linux', GOARCH: 'amd64', CGO_ENABLED: '0' },
    ],
    ['example.com/fork', 'v1.1.0', 'pkg:golang/example.com/fork@v1.1.0', { replaces: 'example.com/orig@v1.0.0' }],
    ['example.com/lib', '(devel)', 'pkg:golang/example.com/lib@(devel)', { replacedBy: '../lib' }],
    ['golang.org/x/text', 'v0.3.7', 'pkg:golang/golang.org/x/text@v0.3.7', {}],
    ['stdlib', '1.19.8', 'pkg:golang/stdlib@1.19.8', { goVersion: 'go1.19.8', mainPackage: 'example.com/app' }],
  ]);
});

test('stdlib versions as OSV names them', () => {
  const table: [string, string | undefined][] = [
    ['go1.20.7', '1.20.7'],
    ['go1.20', '1.20.0'],
    ['go1.21rc2', '1.21.0-rc.2'],
    ['go1.19beta1', '1.19.0-beta.1'],
    ['go1.22.1 X:boringcrypto', '1.22.1'],
    ['devel go1.23-4a2b3c Tue Jan 2 15:04:05 2024', undefined],
    ['', undefined],
  ];
  for (const [go, want] of table) assert.equal(stdlibVersion(go), want, go);
});

test('wants: executables of 1 KiB and more (a huge one is for the walker to report), go.mod only in source trees', () => {
  assert.equal(golang.wants('usr/bin/app', { size: 2_000_000, mode: 0o755 }, 'image', DEFAULT_LIMITS), true);
  assert.equal(golang.wants('usr/bin/app', { size: 2_000_000, mode: 0o644 }, 'image', DEFAULT_LIMITS), false);
  assert.equal(golang.wants('usr/bin/tiny', { size: 512, mode: 0o755 }, 'image', DEFAULT_LIMITS), false);
  assert.equal(golang.wants('usr/bin/huge', { size: 2 ** 40, mode: 0o755 }, 'image', DEFAULT_LIMITS), true);
  assert.equal(golang.wants('src/go.mod', { size: 200, mode: 0o644 }, 'fs', DEFAULT_LIMITS), true);
  assert.equal(golang.wants('go.mod', { size: 200, mode: 0o644 }, 'image', DEFAULT_LIMITS), false);
  assert.equal(golang.wants('src/notgo.mod', { size: 200, mode: 0o644 }, 'fs', DEFAULT_LIMITS), false);
});
