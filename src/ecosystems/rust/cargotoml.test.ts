import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { catalogDir } from '../../../test/support/catalog-dir.js';
import { rust } from './catalog.js';
import { parseCargoToml } from './cargotoml.js';
import { DEFAULT_LIMITS } from '../../image/limits.js';
import { throwsCode } from '../../../test/support/codes.js';

const WORKSPACE = join(import.meta.dirname, 'fixtures', 'workspace');
const info = { size: 200, mode: 0o644 };

test('a Cargo workspace: each member with its own [package] version is an application component, the virtual root none', async () => {
  for (const target of ['fs', 'image'] as const) {
    const { packages, issues } = await catalogDir(rust, WORKSPACE, target);
    assert.deepEqual(issues, []);
    assert.deepEqual(
      packages.map((p) => [p.name, p.version, p.purl, p.path, p.role]),
      [
        ['demo-app', '0.3.1', 'pkg:cargo/demo-app@0.3.1', '/app/Cargo.toml', 'application'],
        ['util', '0.1.0', 'pkg:cargo/util@0.1.0', '/util/Cargo.toml', 'application'],
      ],
      target,
    );
  }
});

test('Cargo.toml: an inherited or missing version names no package; downloaded and vendored crates are not the project', () => {
  assert.equal(parseCargoToml('[package]\nname = "m"\nversion.workspace = true\n'), null);
  assert.equal(parseCargoToml('[package]\nname = "m"\n'), null);
  assert.deepEqual(parseCargoToml('[package]\nname = "m"\nversion = "1.2.3"\nlicense = "MIT OR Apache-2.0"\n'), {
    name: 'm',
    version: '1.2.3',
    licenses: ['MIT OR Apache-2.0'],
  });
  throwsCode(() => parseCargoToml('[package\nname = "m"'), 'CORRUPT', 'Cargo.toml');
  for (const p of ['Cargo.toml', 'usr/src/app/Cargo.toml']) assert.ok(rust.wants(p, info, 'image', DEFAULT_LIMITS), p);
  for (const p of [
    'root/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde-1.0.152/Cargo.toml',
    'usr/local/cargo/git/checkouts/rand-1/a1b2c3d/Cargo.toml',
    'app/vendor/itoa/Cargo.toml',
    'app/Cargo.toml.orig',
  ]) {
    assert.ok(!rust.wants(p, info, 'fs', DEFAULT_LIMITS), p);
  }
});
