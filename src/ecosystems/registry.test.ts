import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EcosystemDescriptor } from './descriptor.js';
import { catalogers, ECOSYSTEMS, ecosystemById, ecosystemForOsv, ecosystemForPurlType, lookupFor } from './index.js';

// The registry's meta-test: every folder is a registered ecosystem, and every descriptor is complete.

const dir = import.meta.dirname;
const folders = readdirSync(dir)
  .filter((f) => statSync(join(dir, f)).isDirectory())
  .sort();

// Per ecosystem, pairs [a, b, compare(a, b)] from each ecosystem's own documentation, not from Bulwark.
const ORACLE: Record<string, [string, string, -1 | 0 | 1][]> = {
  // Debian Policy 5.6.12: '~' sorts before anything, even the end; the epoch dominates
  dpkg: [
    ['1.0~rc1', '1.0', -1],
    ['1:0.9', '2.0', 1],
  ],
  // apk-tools: _rc is a pre-release suffix; numbers compare as numbers
  apk: [
    ['1.2.3_rc1', '1.2.3', -1],
    ['1.10', '1.9', 1],
  ],
  // rpm ≥ 4.10: '~' sorts before the end; numeric segments compare as numbers
  rpm: [
    ['1.0~rc1', '1.0', -1],
    ['1.10', '1.9', 1],
  ],
  // PEP 440: release candidates precede, post-releases follow the release
  python: [
    ['1.0rc1', '1.0', -1],
    ['1.0.post1', '1.0', 1],
  ],
  // NuGet: SemVer with case-insensitive labels
  dotnet: [
    ['1.0.0-beta', '1.0.0', -1],
    ['1.0.0-Beta', '1.0.0-beta', 0],
  ],
  // Maven ComparableVersion: alpha precedes the release; trailing zeros are dropped
  java: [
    ['1.0-alpha-1', '1.0', -1],
    ['1.0', '1.0.0', 0],
  ],
  // SemVer 2.0.0 §11's own examples
  npm: [
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.10.0', '1.9.0', 1],
  ],
  // Gem::Version: a letter makes a pre-release
  ruby: [
    ['1.0.a', '1.0', -1],
    ['1.10', '1.9', 1],
  ],
  // Composer: stability order dev < alpha < beta < RC < stable
  php: [
    ['1.0.0-beta1', '1.0.0-RC1', -1],
    ['1.0.0-RC1', '1.0.0', -1],
  ],
  // Go modules: v1.2 is shorthand for v1.2.0; pre-releases precede
  golang: [
    ['v1.2', 'v1.2.0', 0],
    ['1.2.0-rc.1', '1.2.0', -1],
  ],
  // crates.io: SemVer 2.0.0
  rust: [
    ['0.9.0', '0.10.0', -1],
    ['1.0.0-alpha', '1.0.0', -1],
  ],
};

test('registry: every folder under src/ecosystems is registered, by its own index.ts, and nothing else is', async () => {
  assert.deepEqual(ECOSYSTEMS.map((e) => e.id).sort(), folders);
  for (const f of folders) {
    const mod = (await import(join(dir, f, 'index.ts'))) as { descriptor?: EcosystemDescriptor };
    assert.equal(mod.descriptor, ecosystemById(f), `${f}/index.ts exports the registered descriptor`);
  }
  assert.deepEqual(Object.keys(ORACLE).sort(), folders, 'every ecosystem has a hand-written version oracle');
});

test('registry: every descriptor is complete', () => {
  for (const e of ECOSYSTEMS) {
    assert.ok(e.id.length > 0);
    assert.ok(e.purlTypes.length > 0, `${e.id}: purl type`);
    assert.ok(e.osvNames.length > 0 && e.osvNames.every((n) => n.length > 0 && !n.includes(':')), `${e.id}: OSV names`);
    assert.ok(
      e.defaultFeeds.every((n) => e.osvNames.includes(n)),
      `${e.id}: default feeds are among its OSV names`,
    );
    assert.equal(typeof e.normalizeName, 'function', `${e.id}: name rule`);
    assert.equal(typeof e.normalizeName('Some_Name'), 'string');
    assert.equal(typeof e.lookupKey, 'function', `${e.id}: lookup key`);
    if (e.kind === 'language') assert.equal(e.osvNames.length, 1, `${e.id}: a language has one feed`);
    else assert.equal(typeof e.releases, 'function', `${e.id}: an OS format names the releases it serves`);
    assert.ok(e.catalogers.length > 0, `${e.id}: cataloger`);
    for (const c of e.catalogers) {
      for (const m of ['wants', 'parse', 'catalog'] as const) assert.equal(typeof c[m], 'function', `${c.id}.${m}`);
      assert.ok(Number.isInteger(c.version) && c.version > 0);
      assert.ok(e.purlTypes.includes(c.ecosystem), `${c.id} finds ${c.ecosystem} packages, a purl type of ${e.id}`);
    }
  }
});

test('registry: each scheme orders a known pair as its ecosystem documents, for every OSV name it serves', () => {
  for (const e of ECOSYSTEMS) {
    for (const [a, b, want] of ORACLE[e.id] ?? []) {
      assert.equal(e.scheme.compare(a, b), want, `${e.id}: ${a} vs ${b}`);
      assert.equal(e.scheme.compare(b, a), want === 0 ? 0 : -want, `${e.id}: ${b} vs ${a}`);
    }
    for (const n of e.osvNames) assert.equal(ecosystemForOsv(`${n}:1`), e, n);
  }
});

test('registry: no two descriptors claim the same id, OSV name, purl type or cataloger id', () => {
  const claims = (of: (e: EcosystemDescriptor) => readonly string[]): string[] => ECOSYSTEMS.flatMap(of);
  for (const [what, list] of [
    ['id', claims((e) => [e.id])],
    ['OSV name', claims((e) => e.osvNames)],
    ['purl type', claims((e) => e.purlTypes)],
    ['cataloger id', catalogers.map((c) => c.id)],
  ] as const) {
    assert.equal(new Set(list).size, list.length, `a ${what} claimed twice: ${list.join(', ')}`);
  }
  for (const e of ECOSYSTEMS) for (const t of e.purlTypes) assert.equal(ecosystemForPurlType(t), e);
  assert.equal(ecosystemForPurlType('__proto__'), undefined);
  assert.equal(ecosystemForOsv('constructor'), undefined);
});

test('registry: installed packages are looked up as each feed names them', () => {
  const pkg = { licenses: [], layer: { index: 0, diffId: '' }, path: '/x', files: [], purl: '' };
  const debian = { family: 'debian', version: '12.5' };
  // Debian advisories name the source package and its version; Go records drop the v
  assert.deepEqual(
    lookupFor(
      {
        ...pkg,
        ecosystem: 'deb',
        name: 'libssl3',
        version: '3.0.11-1~deb12u2',
        source: { name: 'openssl', version: '3.0.11-1~deb12u2+b1' },
      },
      debian,
    ),
    {
      ecosystems: ['Debian:12'],
      name: 'openssl',
      version: '3.0.11-1~deb12u2+b1',
    },
  );
  assert.deepEqual(lookupFor({ ...pkg, ecosystem: 'golang', name: 'golang.org/x/net', version: 'v0.17.0' }, debian), {
    ecosystems: ['Go'],
    name: 'golang.org/x/net',
    version: '0.17.0',
  });
  assert.deepEqual(
    lookupFor(
      { ...pkg, ecosystem: 'apk', name: 'libcrypto3', version: '3.1.4-r0', source: { name: 'openssl' } },
      { family: 'alpine', version: '3.19.0' },
    ),
    {
      ecosystems: ['Alpine:v3.19'],
      name: 'openssl',
      version: '3.1.4-r0',
    },
  );
  assert.deepEqual(
    lookupFor(
      { ...pkg, ecosystem: 'rpm', name: 'openssl-libs', version: '1:3.0.7-24.el9' },
      { family: 'rocky', version: '9.3' },
    )?.ecosystems,
    ['Rocky Linux:9'],
  );
  assert.equal(
    lookupFor({ ...pkg, ecosystem: 'rpm', name: 'x', version: '1' }, { family: 'arch', version: '' }),
    undefined,
  );
});
