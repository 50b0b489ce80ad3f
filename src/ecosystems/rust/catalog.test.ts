import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { makeTempDir, type TempDir } from '../../core/tempdir.js';
import { catalogDir } from '../../../test/support/catalog-dir.js';
import { requireAll } from '../../../test/support/require.js';
import { rust, type RustFile } from './catalog.js';
import { buildAudited, canBuild } from './fixtures/testing.js';
import { DEFAULT_LIMITS } from '../../image/limits.js';

let tmp: TempDir;
let root: string;
const tools = canBuild();

async function place(rel: string, from: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(join(root, rel)), { recursive: true });
  await copyFile(from, join(root, rel));
  await chmod(join(root, rel), mode);
}

before(async () => {
  tmp = await makeTempDir('bulwark-rust-cat-');
  root = join(tmp.path, 'root');
  await place('src/demo/Cargo.lock', join(import.meta.dirname, 'fixtures', 'Cargo.v4.lock'));
  await mkdir(join(root, 'src/other'), { recursive: true });
  await writeFile(
    join(root, 'src/other/Cargo.lock'),
    'version = 3\n[[package]]\nname = "rand"\nversion = "0.8.5"\nsource = "git+https://github.com/rust-random/rand?branch=master#a1b2c3d4"\n\n[[package]]\nname = "internal"\nversion = "2.0.0"\nsource = "sparse+https://cargo.example.com/index/"\n',
  );
  await writeFile(join(root, 'src/Cargo.lock'), '[[package]]\nname = "x"\n');
  if (Object.values(tools).every(Boolean)) {
    const bins = await buildAudited(tmp.path);
    await place('usr/local/bin/demo-app', bins.audited, 0o755);
    await place('usr/local/bin/plain', bins.plain, 0o755);
  }
});
after(() => tmp.remove());

const rows = (
  pkgs: { path: string; name: string; version: string; purl: string; metadata?: Record<string, string> }[],
  path: string,
): unknown[] => pkgs.filter((p) => p.path === path).map((p) => [p.name, p.version, p.purl, p.metadata ?? {}]);

test('a source tree: lockfile crates with a source; workspace members left out; bad lockfiles reported', async () => {
  const { packages, issues } = await catalogDir(rust, root, 'fs');
  const CRATES_IO = 'registry+https://github.com/rust-lang/crates.io-index';
  assert.deepEqual(rows(packages, '/src/demo/Cargo.lock'), [
    ['itoa', '1.0.1', 'pkg:cargo/itoa@1.0.1', { source: CRATES_IO }],
    ['ryu', '1.0.2', 'pkg:cargo/ryu@1.0.2', { source: CRATES_IO }],
    ['serde', '1.0.152', 'pkg:cargo/serde@1.0.152', { source: CRATES_IO }],
    ['serde_json', '1.0.87', 'pkg:cargo/serde_json@1.0.87', { source: CRATES_IO }],
  ]);
  assert.deepEqual(
    rows(packages, '/src/other/Cargo.lock').map((r) => (r as string[])[2]),
    [
      'pkg:cargo/internal@2.0.0?repository_url=https%3A%2F%2Fcargo.example.com%2Findex%2F',
      'pkg:cargo/rand@0.8.5?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Frust-random%2Frand%40a1b2c3d4',
    ],
  );
  assert.ok(
    packages.every(
      (p) => p.ecosystem === 'cargo' && p.layer.index === 0 && p.files.length === 0 && p.licenses.length === 0,
    ),
  );
  assert.deepEqual(
    issues.map((i) => i.path),
    ['/src/Cargo.lock'],
  );
  assert.match(issues[0]!.message, /unexpected content at package\.0\.version: /);
});

test("an image: the binary's crates, its own crate as root, path crates left out", async (t) => {
  if (!requireAll(t, tools)) return;
  const { packages, wanted } = await catalogDir(rust, root, 'image');
  assert.ok(wanted.includes('usr/local/bin/plain') && !wanted.some((w) => w.endsWith('Cargo.lock')));
  assert.deepEqual(rows(packages, '/usr/local/bin/demo-app'), [
    ['demo-app', '0.3.1', 'pkg:cargo/demo-app@0.3.1', { source: 'local', root: 'true' }],
    ['itoa', '1.0.1', 'pkg:cargo/itoa@1.0.1', { source: 'crates.io' }],
    ['ryu', '1.0.2', 'pkg:cargo/ryu@1.0.2', { source: 'crates.io' }],
    ['serde', '1.0.152', 'pkg:cargo/serde@1.0.152', { source: 'crates.io' }],
    ['serde_json', '1.0.87', 'pkg:cargo/serde_json@1.0.87', { source: 'crates.io' }],
  ]);
  assert.equal(rows(packages, '/usr/local/bin/plain').length, 0);
});

test('wants: executables between 1 KiB and the file limit, Cargo.lock only in source trees', () => {
  assert.equal(rust.wants('usr/bin/rg', { size: 5_000_000, mode: 0o755 }, 'image', DEFAULT_LIMITS), true);
  assert.equal(rust.wants('usr/bin/rg', { size: 5_000_000, mode: 0o644 }, 'image', DEFAULT_LIMITS), false);
  assert.equal(rust.wants('usr/bin/tiny', { size: 100, mode: 0o755 }, 'image', DEFAULT_LIMITS), false);
  assert.equal(rust.wants('app/Cargo.lock', { size: 100, mode: 0o644 }, 'fs', DEFAULT_LIMITS), true);
  assert.equal(rust.wants('app/Cargo.lock', { size: 100, mode: 0o644 }, 'image', DEFAULT_LIMITS), false);
});

test('build-time crates (build scripts, proc-macros) are not reported for a binary', () => {
  const layer = { index: 2, diffId: 'sha256:' + 'a'.repeat(64) };
  const data: RustFile = {
    kind: 'binary',
    crates: [
      { name: 'tool', version: '1.0.0', source: 'local', kind: 'runtime', root: true },
      { name: 'serde_derive', version: '1.0.152', source: 'crates.io', kind: 'build', root: false },
      { name: 'libc', version: '0.2.139', source: 'crates.io', kind: 'runtime', root: false },
      { name: 'helpers', version: '0.1.0', source: 'local', kind: 'runtime', root: false },
    ],
  };
  const view = { paths: () => ['usr/bin/tool'], get: () => ({ layer, data }), history: () => [{ layer, data }] };
  const found = rust.catalog(view, { os: null, issue: () => assert.fail('no issue expected') });
  assert.deepEqual(
    found.map((p) => [p.name, p.layer.index, p.path]),
    [
      ['tool', 2, '/usr/bin/tool'],
      ['libc', 2, '/usr/bin/tool'],
    ],
  );
});
