import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Inventory, Package } from '../../src/core/types.js';
import { makeTempDir, type TempDir } from '../../src/core/tempdir.js';
import { openImage } from '../../src/image/open.js';
import { scanImage, scanRootfs, type ScanResult } from '../../src/scan/scan.js';
import { buildImage, engineUp, exportRootfs, importRootfs, removeImage, saveImage } from '../support/engine.js';
import { buildFixture, bulwark, run } from '../support/fixtures.js';
import { have, requireAll } from '../support/require.js';
import { cycloneDxErrors, spdxErrors } from '../support/sbom-schemas.js';

// Acceptance 1, 2 and 5 of the foundation issue, against a real dockerd, skopeo and
// a Debian bookworm root filesystem built by debootstrap from real Debian packages.

const BASE = 'bulwark-e2e/bookworm:base';
const DERIVED = 'bulwark-e2e/bookworm:derived';
let tmp: TempDir;
let ready = false;
let p: Record<string, string> = {};

before(async () => {
  if (!(await engineUp()) || !have('skopeo') || !have('debootstrap')) return;
  tmp = await makeTempDir();
  const fixture = buildFixture('debian-rootfs.sh');
  await importRootfs(createReadStream(join(fixture, 'rootfs.tar')), 'bulwark-e2e/bookworm', 'base');
  // a later layer installs a real package, removes another and deletes files
  await buildImage(DERIVED, {
    Dockerfile: `FROM ${BASE}\nCOPY hello.deb /tmp/hello.deb\nRUN dpkg -i /tmp/hello.deb && rm /tmp/hello.deb && dpkg --purge ca-certificates && rm -rf /usr/share/doc/bash\n`,
    'hello.deb': readFileSync(join(fixture, 'hello.deb')),
  });
  const d = tmp.path;
  p = {
    base: join(d, 'base.tar'),
    derived: join(d, 'derived.tar'),
    derivedGz: join(d, 'derived.tar.gz'),
    oci: join(d, 'oci'),
    ociZstd: join(d, 'oci-zstd'),
    ociTar: join(d, 'oci.tar'),
    rootfsBase: join(d, 'rootfs-base'),
    rootfsDerived: join(d, 'rootfs-derived'),
  };
  await saveImage(BASE, p.base!);
  await saveImage(DERIVED, p.derived!);
  writeFileSync(p.derivedGz!, gzipSync(readFileSync(p.derived!)));
  run('skopeo', ['copy', '-q', '--dest-compress', `docker-archive:${p.derived}`, `oci:${p.oci}:derived`]);
  run('skopeo', [
    'copy',
    '-q',
    '--dest-compress-format',
    'zstd',
    `docker-archive:${p.derived}`,
    `oci:${p.ociZstd}:derived`,
  ]);
  run('skopeo', ['copy', '-q', `docker-archive:${p.derived}`, `oci-archive:${p.ociTar}:derived`]);
  for (const [ref, dir] of [
    [BASE, p.rootfsBase!],
    [DERIVED, p.rootfsDerived!],
  ] as const) {
    mkdirSync(dir);
    await exportRootfs(ref, dir);
  }
  ready = true;
});

after(async () => {
  if (!ready) return;
  await removeImage(DERIVED);
  await removeImage(BASE);
  await tmp.remove();
});

function gate(t: TestContext): boolean {
  return requireAll(t, {
    'docker engine (dockerd)': ready || false,
    skopeo: have('skopeo'),
    debootstrap: have('debootstrap'),
  });
}

async function scan(target: string, cacheDir: string | null = null): Promise<ScanResult> {
  const image = await openImage(target);
  try {
    return await scanImage(image, { cacheDir });
  } finally {
    await image.close();
  }
}

const row = (x: Package): string => [x.name, x.version, x.source?.name, x.source?.version, x.arch].join('\t');
const full = (inv: Inventory): string[] =>
  inv.packages.map((x) => `${row(x)}\t${x.licenses.join(',')}\t${x.files.length}`);

function dpkgQuery(rootfs: string): string[] {
  return run('dpkg-query', [
    `--admindir=${join(rootfs, 'var/lib/dpkg')}`,
    '-W',
    '-f',
    '${db:Status-Status}\t${Package}\t${Version}\t${source:Package}\t${source:Version}\t${Architecture}\n',
  ])
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('installed\t'))
    .map((l) => l.slice('installed\t'.length))
    .sort();
}

test('every package in the image dpkg database, exact version and source, as dpkg-query sees it', async (t) => {
  if (!gate(t)) return;
  const base = await scan(p.base!);
  assert.deepEqual(base.inventory.packages.map(row).sort(), dpkgQuery(p.rootfsBase!));
  assert.ok(base.inventory.packages.length > 80);
  assert.equal(base.inventory.os?.family, 'debian');
  assert.equal(base.inventory.os?.codename, 'bookworm');
  const derived = await scan(p.derived!);
  assert.deepEqual(derived.inventory.packages.map(row).sort(), dpkgQuery(p.rootfsDerived!));
});

test('docker-archive (plain and gzip), OCI layouts (gzip, zstd, tar), engine and rootfs give identical inventories', async (t) => {
  if (!gate(t)) return;
  const reference = (await scan(p.derived!)).inventory;
  const withLayers = (inv: Inventory): string[] =>
    inv.packages.map((x) => `${row(x)}\t${x.layer.index}\t${x.layer.diffId}`);
  for (const target of [p.derivedGz!, `oci:${p.oci}:derived`, `oci:${p.ociZstd}`, p.ociTar!, `docker:${DERIVED}`]) {
    const inv = (await scan(target)).inventory;
    assert.deepEqual(full(inv), full(reference), target);
    assert.deepEqual(withLayers(inv), withLayers(reference), target);
    assert.deepEqual(inv.os, reference.os, target);
    assert.deepEqual(
      inv.layers.map((l) => [l.diffId, l.createdBy]),
      reference.layers.map((l) => [l.diffId, l.createdBy]),
      target,
    );
  }
  const engine = (await scan(`docker:${DERIVED}`)).inventory;
  assert.ok(engine.artifact.repoTags.includes(DERIVED));
  assert.equal(engine.artifact.imageId, reference.artifact.imageId);
  const rootfs = (await scanRootfs(p.rootfsDerived!, 'rootfs')).inventory;
  assert.deepEqual(full(rootfs), full(reference));
});

test('a later layer that installs, removes a package and deletes files is reflected, with layer attribution', async (t) => {
  if (!gate(t)) return;
  const base = (await scan(p.base!)).inventory;
  const derived = (await scan(p.derived!)).inventory;
  assert.equal(derived.layers.length, 3);
  assert.ok(base.packages.some((x) => x.name === 'ca-certificates'));
  assert.ok(!derived.packages.some((x) => x.name === 'ca-certificates'), 'purged in layer 2');
  const hello = derived.packages.find((x) => x.name === 'hello');
  assert.equal(hello?.layer.index, 2);
  assert.ok(hello.files.includes('/usr/bin/hello'));
  assert.ok(base.packages.find((x) => x.name === 'bash')!.licenses.length > 0);
  assert.deepEqual(
    derived.packages.find((x) => x.name === 'bash')!.licenses,
    [],
    'its copyright file was deleted (whiteout)',
  );
  // every package untouched by layer 2 stays attributed to the base layer
  const changed = new Set(['hello']);
  for (const x of derived.packages) if (!changed.has(x.name)) assert.equal(x.layer.index, 0, x.name);
  assert.match(derived.layers[2]!.createdBy ?? '', /dpkg --purge ca-certificates/);
});

test('a rescan with the base layer cached analyses only the new layers', async (t) => {
  if (!gate(t)) return;
  const cache = join(tmp.path, 'cache');
  assert.deepEqual((await scan(p.base!, cache)).stats, { layersAnalysed: 1, layersFromCache: 0 });
  assert.deepEqual((await scan(p.derived!, cache)).stats, { layersAnalysed: 2, layersFromCache: 1 });
  const warm = await scan(`oci:${p.oci}:derived`, cache);
  assert.deepEqual(warm.stats, { layersAnalysed: 0, layersFromCache: 3 });
  assert.deepEqual(full(warm.inventory), full((await scan(p.derived!)).inventory));
});

test('the CLI scans an engine image into JSON, CycloneDX and SPDX', async (t) => {
  if (!gate(t)) return;
  const json = bulwark(['scan', 'image', `docker:${DERIVED}`, '--format', 'json', '--no-cache']);
  assert.equal(json.code, 0, json.stderr);
  const inv = JSON.parse(json.stdout) as Inventory;
  assert.ok(inv.packages.some((x) => x.name === 'hello'));
  const out = join(tmp.path, 'sbom.cdx.json');
  const cdx = bulwark(['scan', 'image', p.derived!, '--format', 'cyclonedx', '--output', out, '--no-cache']);
  assert.equal(cdx.code, 0, cdx.stderr);
  assert.equal(cdx.stdout, '');
  const bom = readFileSync(out, 'utf8');
  assert.equal((JSON.parse(bom) as { specVersion: string }).specVersion, '1.6');
  assert.equal(await cycloneDxErrors(bom), null, "the real image's CycloneDX validates against the 1.6 schema");
  const spdx = bulwark(['scan', 'image', `oci:${p.ociZstd}`, '--format', 'spdx-json', '--no-cache']);
  assert.equal(spdx.code, 0, spdx.stderr);
  const doc = JSON.parse(spdx.stdout) as { packages: { name: string }[] };
  assert.equal(spdxErrors(doc), null, "the real image's SPDX validates against the 2.3 schema");
  assert.ok(doc.packages.some((x) => x.name === 'libc6'));
});
