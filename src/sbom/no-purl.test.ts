import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../core/tempdir.js';
import type { Inventory } from '../core/types.js';
import { bulwark } from '../../test/support/fixtures.js';
import { dockerArchive } from '../../test/support/image-writer.js';
import { makeTar } from '../../test/support/layers.js';
import { requireAll } from '../../test/support/require.js';
import { cycloneDxErrors, spdxErrors } from '../../test/support/sbom-schemas.js';
import { noPurlWarnings } from './common.js';
import { toCycloneDx } from './cyclonedx.js';
import { toSpdx } from './spdx.js';

// A JDK's jrt-fs.jar names no groupId (its manifest has titles and versions, no pom): no Maven
// purl can be built for it. The SBOM still comes out, the component without a purl but with its
// file and hash, a warning names it, and both documents are valid against the official schemas.

const JRT_FS = '/usr/lib/jvm/java-17-openjdk-amd64/lib/jrt-fs.jar';

interface CdxComponent {
  name: string;
  version?: string;
  purl?: string;
  'bom-ref': string;
  hashes?: { alg: string; content: string }[];
  properties?: { name: string; value: string }[];
}
interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  externalRefs?: { referenceType: string; referenceLocator: string }[];
  checksums?: { algorithm: string; checksumValue: string }[];
  sourceInfo?: string;
}

test('an image with a JDK: CycloneDX and SPDX are written, jrt-fs.jar without a purl, with a warning naming it', async (t) => {
  if (!requireAll(t, { [`a JDK's jrt-fs.jar (${JRT_FS}, Debian openjdk-17-jdk-headless)`]: existsSync(JRT_FS) }))
    return;
  const jar = readFileSync(JRT_FS);
  const sha1 = createHash('sha1').update(jar).digest('hex');
  const tmp = await makeTempDir();
  try {
    const tar = await makeTar([
      { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' },
      { name: 'usr/lib/jvm/java-17-openjdk-amd64/lib/jrt-fs.jar', content: jar },
    ]);
    const archive = join(tmp.path, 'catalog-jdk.tar');
    writeFileSync(archive, await dockerArchive([{ tar, createdBy: 'COPY jdk' }]));

    const cdx = bulwark(['scan', 'image', archive, '-f', 'cyclonedx', '-q', '--no-cache']);
    assert.equal(cdx.code, 0, cdx.stderr);
    assert.match(
      cdx.stderr,
      /warning: maven package "jrt-fs" 17\.0\.15 \(\/usr\/lib\/jvm\/java-17-openjdk-amd64\/lib\/jrt-fs\.jar\) has no purl/,
    );
    assert.equal(await cycloneDxErrors(cdx.stdout), null);
    const bom = JSON.parse(cdx.stdout) as { components: CdxComponent[] };
    const c = bom.components.find((x) => x.name === 'jrt-fs')!;
    assert.ok(c, 'jrt-fs is a component');
    assert.equal(c.purl, undefined);
    assert.equal(c.version, '17.0.15');
    assert.deepEqual(c.hashes, [{ alg: 'SHA-1', content: sha1 }]);
    assert.ok(
      c.properties?.some(
        (p) => p.name === 'bulwark:package:path' && p.value === '/usr/lib/jvm/java-17-openjdk-amd64/lib/jrt-fs.jar',
      ),
    );

    const spdx = bulwark(['scan', 'image', archive, '-f', 'spdx-json', '-q', '--no-cache']);
    assert.equal(spdx.code, 0, spdx.stderr);
    assert.match(spdx.stderr, /warning: maven package "jrt-fs" .* has no purl/);
    const doc = JSON.parse(spdx.stdout) as { packages: SpdxPackage[] };
    assert.equal(spdxErrors(doc), null);
    const p = doc.packages.find((x) => x.name === 'jrt-fs')!;
    assert.ok(p, 'jrt-fs is a package');
    assert.equal(p.externalRefs, undefined);
    assert.deepEqual(p.checksums, [{ algorithm: 'SHA1', checksumValue: sha1 }]);
    assert.match(p.sourceInfo ?? '', /recorded in \/usr\/lib\/jvm\/java-17-openjdk-amd64\/lib\/jrt-fs\.jar/);
  } finally {
    await tmp.remove();
  }
});

test('no OS and a package without a purl: both writers list it without one instead of failing', async () => {
  const inv: Inventory = {
    schemaVersion: 1,
    artifact: { name: '/srv/rootfs', type: 'rootfs', repoTags: [], repoDigests: [] },
    os: null,
    layers: [],
    packages: [
      {
        ecosystem: 'maven',
        name: 'jrt-fs',
        version: '17.0.15',
        licenses: [],
        purl: '',
        layer: { index: 0, diffId: '' },
        path: '/opt/jdk/lib/jrt-fs.jar',
        files: [],
        metadata: { sha1: '5a7a756da00a8cfe41c1923f654296e1fbf1aa63' },
      },
    ],
    issues: [],
  };
  const bom = toCycloneDx(inv) as { components: CdxComponent[] };
  assert.equal(await cycloneDxErrors(JSON.stringify(bom)), null);
  assert.deepEqual(
    bom.components.map((c) => [c.name, c.purl, c['bom-ref']]),
    [['jrt-fs', undefined, 'bulwark:package:maven/jrt-fs@17.0.15']],
  );
  const doc = toSpdx(inv) as { packages: SpdxPackage[] };
  assert.equal(spdxErrors(doc), null);
  assert.equal(doc.packages.find((p) => p.name === 'jrt-fs')?.externalRefs, undefined);
  assert.deepEqual(noPurlWarnings(inv), [
    'maven package "jrt-fs" 17.0.15 (/opt/jdk/lib/jrt-fs.jar) has no purl: listed without one, with its file and SHA-1',
  ]);
});
