import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resyncHost } from './containers.js';
import { eachDialect } from './dialects.testing.js';
import { upsertHost } from './hosts.js';
import {
  findingsOf,
  getImage,
  getInventory,
  imagesWithPackage,
  inventoryDigests,
  packagesOf,
  putImageScan,
  replaceFindings,
  type FindingRecord,
  type ImageScan,
} from './images.js';
import type { Store } from './open.js';
import { runningContainersWithAdvisory } from './vulnerable.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;

const ZLIB = {
  ecosystem: 'debian',
  name: 'zlib1g',
  version: '1:1.2.13.dfsg-1',
  purl: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1',
  sourceName: 'zlib',
};
const LODASH = { ecosystem: 'npm', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' };

const GHSA: FindingRecord = {
  advisoryId: 'GHSA-35jh-r3h4-6jhm',
  aliases: ['CVE-2021-23337'],
  packagePurl: LODASH.purl,
  packageName: 'lodash',
  installed: '4.17.20',
  fixed: '4.17.21',
  severity: 'HIGH',
  cvssScore: 7.2,
};
const DEBIAN: FindingRecord = {
  advisoryId: 'CVE-2023-45853',
  aliases: [],
  packagePurl: ZLIB.purl,
  packageName: 'zlib1g',
  installed: ZLIB.version,
  severity: 'CRITICAL',
  cvssScore: 9.8,
};
const DEBIAN_LODASH: FindingRecord = {
  ...GHSA,
  advisoryId: 'CVE-2021-23337',
  aliases: [],
  packagePurl: 'pkg:deb/debian/node-lodash@4.17.20',
};

function scan(digest: string, findings: FindingRecord[], tags = [`app:${digest.slice(7, 10)}`]): ImageScan {
  return {
    digest,
    repoTags: tags,
    os: 'debian 12',
    scannedAt: '2026-01-01T00:00:00.000Z',
    packages: [ZLIB, LODASH],
    findings,
    inventory: { digest, packages: [ZLIB, LODASH], note: 'ü' },
  };
}

async function fleet(store: Store): Promise<void> {
  await putImageScan(store, scan(A, [GHSA, DEBIAN]));
  await putImageScan(store, scan(B, [DEBIAN_LODASH]));
  await putImageScan(store, scan(C, [GHSA]));
  await upsertHost(store, { id: 'h1', name: 'node-1' });
  await upsertHost(store, { id: 'h2', name: 'node-2' });
  const c = (id: string, imageDigest: string) => ({ id, name: id, imageDigest, imageRef: 'x', labels: {} });
  await resyncHost(store, 'h1', [c('a1', A), c('b1', B)]);
  await resyncHost(store, 'h2', [c('a2', A)]);
  // C's container stopped: not "running"
  await resyncHost(store, 'h2', [c('a2', A), c('c2', C)]);
  await resyncHost(store, 'h2', [c('a2', A)]);
}

eachDialect((d) => {
  test('a scan stores image, packages, findings and inventory; a rescan replaces them', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    await putImageScan(store, scan(A, [GHSA, DEBIAN]));
    assert.deepEqual(await getImage(store, A), {
      digest: A,
      repoTags: ['app:aaa'],
      os: 'debian 12',
      scannedAt: '2026-01-01T00:00:00.000Z',
    });
    assert.deepEqual(await getInventory(store, A), { digest: A, packages: [ZLIB, LODASH], note: 'ü' });
    assert.deepEqual(await inventoryDigests(store), [A]);
    assert.deepEqual(
      (await packagesOf(store, A)).sort((x, y) => x.name.localeCompare(y.name)),
      [LODASH, ZLIB],
    );
    assert.deepEqual(await findingsOf(store, A), [DEBIAN, GHSA]);
    await putImageScan(store, { ...scan(A, [DEBIAN]), packages: [ZLIB] });
    assert.deepEqual(await packagesOf(store, A), [ZLIB]);
    assert.deepEqual(await findingsOf(store, A), [DEBIAN]);
    await replaceFindings(store, A, []);
    assert.deepEqual(await findingsOf(store, A), []);
    assert.equal(await getImage(store, B), undefined);
  });

  test('which images carry a package, at any or one version', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    await putImageScan(store, scan(A, []));
    await putImageScan(store, { ...scan(B, []), packages: [{ ...LODASH, version: '4.17.21' }] });
    assert.deepEqual(await imagesWithPackage(store, { ecosystem: 'npm', name: 'lodash' }), [A, B]);
    assert.deepEqual(await imagesWithPackage(store, { ecosystem: 'npm', name: 'lodash', version: '4.17.21' }), [B]);
    assert.deepEqual(await imagesWithPackage(store, { ecosystem: 'pypi', name: 'lodash' }), []);
  });

  test('running containers carrying an advisory: by its id or any alias, running only', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    await fleet(store);
    const byGhsa = await runningContainersWithAdvisory(store, 'GHSA-35jh-r3h4-6jhm');
    const byCve = await runningContainersWithAdvisory(store, 'CVE-2021-23337');
    const rows = (r: typeof byCve) => r.map((x) => `${x.hostId}/${x.containerId} ${x.advisoryId} ${x.packagePurl}`);
    // the CVE finds the GHSA findings naming it (A) and the Debian finding under the CVE id (B)
    assert.deepEqual(rows(byCve), [
      `h1/a1 GHSA-35jh-r3h4-6jhm ${LODASH.purl}`,
      'h1/b1 CVE-2021-23337 pkg:deb/debian/node-lodash@4.17.20',
      `h2/a2 GHSA-35jh-r3h4-6jhm ${LODASH.purl}`,
    ]);
    assert.deepEqual(rows(byGhsa), rows(byCve));
    assert.deepEqual(byCve[0], {
      hostId: 'h1',
      hostName: 'node-1',
      containerId: 'a1',
      containerName: 'a1',
      imageDigest: A,
      repoTags: ['app:aaa'],
      advisoryId: 'GHSA-35jh-r3h4-6jhm',
      packageName: 'lodash',
      packagePurl: LODASH.purl,
      installed: '4.17.20',
      fixed: '4.17.21',
      severity: 'HIGH',
      cvssScore: 7.2,
    });
    const zlib = await runningContainersWithAdvisory(store, 'CVE-2023-45853');
    assert.deepEqual(rows(zlib), [`h1/a1 CVE-2023-45853 ${ZLIB.purl}`, `h2/a2 CVE-2023-45853 ${ZLIB.purl}`]);
    assert.equal(zlib[0]!.fixed, undefined);
    assert.deepEqual(await runningContainersWithAdvisory(store, 'CVE-1999-0001'), []);
  });
});
