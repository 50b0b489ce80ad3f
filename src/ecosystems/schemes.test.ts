import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { VersionScheme } from '../versions/scheme.js';
import { OSV_NAMES, schemeFor } from './index.js';

const EXPECTED: Record<string, string> = {
  Debian: 'dpkg',
  Ubuntu: 'dpkg',
  Alpine: 'apk',
  Wolfi: 'apk',
  Chainguard: 'apk',
  AlmaLinux: 'rpm',
  'Rocky Linux': 'rpm',
  'Red Hat': 'rpm',
  openSUSE: 'rpm',
  SUSE: 'rpm',
  Mageia: 'rpm',
  'Photon OS': 'rpm',
  'Azure Linux': 'rpm',
  openEuler: 'rpm',
  npm: 'semver',
  'crates.io': 'semver',
  PyPI: 'pep440',
  Maven: 'maven',
  Go: 'go',
  RubyGems: 'rubygems',
  NuGet: 'nuget',
  Packagist: 'composer',
};

test('every OSV ecosystem maps to its scheme, with or without a release suffix', () => {
  assert.deepEqual([...OSV_NAMES].sort(), Object.keys(EXPECTED).sort());
  for (const [eco, id] of Object.entries(EXPECTED)) {
    assert.equal(schemeFor(eco)?.id, id, eco);
    assert.equal(schemeFor(`${eco}:1`)?.id, id, `${eco}:1`);
  }
  assert.equal(schemeFor('Debian:12')?.id, 'dpkg');
  assert.equal(schemeFor('Red Hat:enterprise_linux:9::appstream')?.id, 'rpm');
  assert.equal(schemeFor('SUSE:Linux Enterprise Server 15 SP5')?.id, 'rpm');
});

test('an unknown ecosystem has no scheme: no default, no case folding', () => {
  for (const eco of ['', 'debian', 'DEBIAN', 'Arch Linux', 'Hex', 'Pub', 'constructor', 'toString', ':Debian', 'GIT']) {
    assert.equal(schemeFor(eco), undefined, eco);
  }
});

test('every ecosystem folder version.ts is registered and has the whole interface', async () => {
  const dir = import.meta.dirname;
  const registered = new Set(Object.keys(EXPECTED).map((e) => schemeFor(e)));
  const found = new Set<VersionScheme>();
  for (const folder of readdirSync(dir)) {
    const file = join(dir, folder, 'version.ts');
    if (!existsSync(file)) continue;
    for (const value of Object.values(await import(file))) {
      const s = value as VersionScheme;
      if (typeof s !== 'object' || s === null || !('compare' in s)) continue;
      assert.ok(registered.has(s), `${folder}/version.ts: ${s.id} is not registered`);
      assert.equal(typeof s.id, 'string');
      assert.equal(typeof s.isValid, 'function');
      assert.equal(typeof s.compare, 'function');
      found.add(s);
    }
  }
  assert.equal(found.size, registered.size, 'every registered scheme lives in an ecosystem folder');
});
