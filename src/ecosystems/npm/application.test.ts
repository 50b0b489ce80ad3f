import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../core/tempdir.js';
import type { Inventory, Package } from '../../core/types.js';
import { openImage } from '../../image/open.js';
import { targetOf } from '../../match/matcher.js';
import { toJsonReport } from '../../report/json.js';
import { renderTable } from '../../report/table.js';
import { scanFs, scanImage } from '../../scan/scan.js';
import { toCycloneDx } from '../../sbom/cyclonedx.js';
import { toSpdx } from '../../sbom/spdx.js';
import { dockerArchive } from '../../../test/support/image-writer.js';
import { makeTar } from '../../../test/support/layers.js';
import { cycloneDxErrors, spdxErrors } from '../../../test/support/sbom-schemas.js';

// The project's own package.json is the application component, once, beside what it installed
// or locked: in the inventory (JSON), the table, CycloneDX (type application) and SPDX (APPLICATION).

const FIXTURES = join(import.meta.dirname, 'fixtures');
// a real published manifest, as npm installed it
const MS = readFileSync(join(FIXTURES, 'installed', 'node_modules', 'ms', 'package.json'));
const APP = JSON.stringify({
  name: '@acme/shop-api',
  version: '2.3.0',
  private: true,
  license: 'MIT',
  main: 'server.js',
  scripts: { start: 'node server.js' },
  dependencies: { ms: '^2.1.3' },
});

interface CdxComponent {
  type: string;
  name: string;
  group?: string;
  version?: string;
  purl?: string;
}
interface SpdxPackage {
  name: string;
  versionInfo?: string;
  primaryPackagePurpose: string;
  externalRefs?: { referenceLocator: string }[];
}

/** What each format says of the package with this purl: JSON role, CycloneDX type, SPDX purpose, each listed exactly once. */
async function rolesIn(inv: Inventory, purl: string): Promise<{ json: unknown; cdx: string; spdx: string }> {
  const json = (toJsonReport({ inventory: inv }) as { packages: { purl: string; role?: string }[] }).packages.filter(
    (p) => p.purl === purl,
  );
  assert.equal(json.length, 1, `${purl} once in JSON`);
  const bomText = JSON.stringify(toCycloneDx(inv, { created: new Date(0), serialSeed: 's' }));
  assert.equal(await cycloneDxErrors(bomText), null);
  const cdx = (JSON.parse(bomText) as { components: CdxComponent[] }).components.filter((c) => c.purl === purl);
  assert.equal(cdx.length, 1, `${purl} once in CycloneDX`);
  const doc = toSpdx(inv, { created: new Date(0), namespaceSeed: 's' }) as { packages: SpdxPackage[] };
  assert.equal(spdxErrors(doc), null);
  const spdx = doc.packages.filter((p) => p.externalRefs?.some((r) => r.referenceLocator === purl));
  assert.equal(spdx.length, 1, `${purl} once in SPDX`);
  return { json: json[0]!.role, cdx: cdx[0]!.type, spdx: spdx[0]!.primaryPackagePurpose };
}

test('an image with /app/package.json and /app/node_modules: the app is the one application component, its installed package unchanged', async () => {
  const tmp = await makeTempDir('appmanifest-');
  try {
    const tar = await makeTar([
      { name: 'app/package.json', content: APP },
      { name: 'app/node_modules/ms/package.json', content: MS },
      // a source folder's ESM marker names no package: nothing, and no issue
      { name: 'app/src/package.json', content: '{"type":"module"}' },
    ]);
    const archive = join(tmp.path, 'appmanifest.tar');
    writeFileSync(archive, await dockerArchive([{ tar, createdBy: 'COPY . /app' }]));
    const image = await openImage(archive);
    const { inventory: inv } = await scanImage(image, { cacheDir: null }).finally(() => image.close());
    assert.deepEqual(inv.issues, []);
    const pick = (p: Package) => ({
      name: p.name,
      version: p.version,
      purl: p.purl,
      path: p.path,
      role: p.role,
      licenses: p.licenses,
    });
    assert.deepEqual(inv.packages.map(pick), [
      // the purl spec's own npm form: the scope is the namespace, its "@" percent-encoded
      {
        name: '@acme/shop-api',
        version: '2.3.0',
        purl: 'pkg:npm/%40acme/shop-api@2.3.0',
        path: '/app/package.json',
        role: 'application',
        licenses: ['MIT'],
      },
      {
        name: 'ms',
        version: '2.1.3',
        purl: 'pkg:npm/ms@2.1.3',
        path: '/app/node_modules/ms/package.json',
        role: undefined,
        licenses: ['MIT'],
      },
    ]);
    const [app, ms] = inv.packages as [Package, Package];
    // findings in the app and in what it installed are reported under one target, /app
    assert.equal(targetOf(app), '/app');
    assert.equal(targetOf(app), targetOf(ms));
    assert.deepEqual(await rolesIn(inv, app.purl), { json: 'application', cdx: 'application', spdx: 'APPLICATION' });
    assert.deepEqual(await rolesIn(inv, ms.purl), { json: undefined, cdx: 'library', spdx: 'LIBRARY' });
    assert.match(
      renderTable({ inventory: inv }),
      /^npm +@acme\/shop-api +2\.3\.0 +0 +\/app\/package\.json \[application\]$/m,
    );
  } finally {
    await tmp.remove();
  }
});

test('a source tree with package.json and its package-lock.json (v3): one application, and the lockfile packages as before', async () => {
  const dir = join(FIXTURES, 'lockfiles', 'npm-v3');
  const { inventory: inv } = await scanFs(dir, dir);
  assert.deepEqual(inv.issues, []);
  // the oracle: the lockfile's own "packages" map, its "" entry being the project
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { name?: string; version: string }>;
  };
  const root = lock.packages['']!;
  const locked = new Set(
    Object.entries(lock.packages)
      .filter(([k]) => k !== '')
      .map(([k, e]) => `${e.name ?? k.slice(k.lastIndexOf('node_modules/') + 13)}@${e.version}`),
  );
  const fromLock = inv.packages.filter((p) => p.path === '/package-lock.json');
  assert.deepEqual(new Set(fromLock.map((p) => `${p.name}@${p.version}`)), locked);
  assert.ok(fromLock.every((p) => p.role === undefined));
  const apps = inv.packages.filter((p) => p.role === 'application');
  assert.deepEqual(
    apps.map((p) => [p.name, p.version, p.path, p.purl]),
    [[root.name, root.version, '/package.json', 'pkg:npm/bulwark-npm-fixture@1.0.0']],
  );
  assert.equal(inv.packages.length, locked.size + 1);
  assert.deepEqual(await rolesIn(inv, apps[0]!.purl), { json: 'application', cdx: 'application', spdx: 'APPLICATION' });
});
