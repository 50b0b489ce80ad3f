import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import type { Inventory } from '../core/types.js';
import { IMAGE_REF, OS_REF, toCycloneDx } from './cyclonedx.js';
import { allImages, debianImage } from './fixtures/inventory.js';
import { inventoryArb } from './fixtures/arbitrary.js';
import { packagePurl } from './purl.js';

// The library's validator: ajv with the official bom-1.6 schema (and its spdx/jsf sub-schemas) from
// node_modules/@cyclonedx/cyclonedx-library/res/schema, all offline.
const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
async function assertValid(bom: object): Promise<void> {
  const errors = await validator.validate(JSON.stringify(bom));
  assert.equal(errors, null, `CycloneDX 1.6 schema errors:\n${JSON.stringify(errors, null, 2)}`);
}

interface Component {
  type: string;
  name: string;
  version?: string;
  purl?: string;
  'bom-ref': string;
  licenses?: ({ license: { id?: string; name?: string; acknowledgement?: string } } | { expression: string })[];
  properties?: { name: string; value: string }[];
}
interface Bom {
  specVersion: string;
  serialNumber: string;
  metadata: { timestamp: string; tools: { components: Component[] }; component: Component };
  components: Component[];
  dependencies: { ref: string; dependsOn?: string[] }[];
}
const created = new Date('2024-03-01T12:00:00Z');
const bomOf = (inv: Inventory, seed = 'test'): Bom => toCycloneDx(inv, { created, serialSeed: seed }) as Bom;
const prop = (c: Component, name: string) => c.properties?.filter((p) => p.name === name).map((p) => p.value);

test('cyclonedx: the validator is live: it rejects a broken BOM', async () => {
  const bom = bomOf(debianImage);
  bom.components[0]!.type = 'not-a-type';
  assert.notEqual(await validator.validate(JSON.stringify(bom)), null);
});

for (const [distro, inv] of Object.entries(allImages)) {
  test(`cyclonedx: ${distro} image validates against the 1.6 schema`, async () => {
    await assertValid(bomOf(inv));
  });

  test(`cyclonedx: ${distro} image lists each package once, with its version, and the image depends on all`, () => {
    const bom = bomOf(inv);
    const libs = bom.components.filter((c) => c.type === 'library');
    const key = (name: string, version?: string) => `${name}@${version}`;
    assert.deepEqual(
      libs.map((c) => key(c.name, c.version)).sort(),
      inv.packages.map((p) => key(p.name, p.version)).sort(),
    );
    const refs = [bom.metadata.component['bom-ref'], ...bom.components.map((c) => c['bom-ref'])];
    assert.equal(new Set(refs).size, refs.length, 'bom-refs are unique');
    const image = bom.dependencies.find((d) => d.ref === IMAGE_REF);
    assert.deepEqual([...(image?.dependsOn ?? [])].sort(), bom.components.map((c) => c['bom-ref']).sort());
  });
}

test('cyclonedx: image, tool and operating system', () => {
  const bom = bomOf(debianImage);
  assert.equal(bom.specVersion, '1.6');
  assert.equal(bom.metadata.timestamp, '2024-03-01T12:00:00.000Z');
  assert.match(bom.serialNumber, /^urn:uuid:[0-9a-f-]{36}$/);
  assert.deepEqual(
    { type: bom.metadata.component.type, name: bom.metadata.component.name, version: bom.metadata.component.version },
    { type: 'container', name: 'docker.io/library/debian:12', version: debianImage.artifact.imageId },
  );
  assert.deepEqual(prop(bom.metadata.component, 'bulwark:image:repoTag'), ['debian:12', 'debian:bookworm']);
  assert.deepEqual(
    bom.metadata.tools.components.map((t) => [t.type, t.name]),
    [['application', 'bulwark']],
  );
  const os = bom.components.find((c) => c['bom-ref'] === OS_REF);
  assert.deepEqual([os?.type, os?.name, os?.version], ['operating-system', 'debian', '12']);
});

test('cyclonedx: package purls, licences and bulwark: properties', () => {
  const bom = bomOf(debianImage);
  const byName = (n: string) => bom.components.filter((c) => c.name === n);
  const [libc] = byName('libc6');
  assert.ok(libc);
  assert.equal(libc.purl, 'pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=bookworm&upstream=glibc');
  assert.deepEqual(libc.licenses, [
    { license: { name: 'GPL-2+', acknowledgement: 'declared' } },
    { license: { id: 'LGPL-2.1', acknowledgement: 'declared' } },
  ]);
  assert.deepEqual(prop(libc, 'bulwark:package:sourceName'), ['glibc']);
  assert.deepEqual(prop(libc, 'bulwark:package:sourceVersion'), ['2.36-9+deb12u4']);
  assert.deepEqual(prop(libc, 'bulwark:package:arch'), ['amd64']);
  assert.deepEqual(prop(libc, 'bulwark:package:path'), ['/var/lib/dpkg/status']);
  assert.deepEqual(prop(libc, 'bulwark:layer:diffId'), [debianImage.layers[0]?.diffId]);

  const [bsdutils] = byName('bsdutils');
  assert.equal(bsdutils?.version, '1:2.38.1-5+deb12u1');
  assert.equal(
    bsdutils?.purl,
    'pkg:deb/debian/bsdutils@1:2.38.1-5+deb12u1?arch=amd64&distro=bookworm&upstream=util-linux%402.38.1-5%2Bdeb12u1',
  );
  assert.deepEqual(byName('libgcc-s1')[0]?.licenses, [
    { expression: 'GPL-3.0-or-later WITH GCC-exception-3.1', acknowledgement: 'declared' },
  ]);

  // The cataloger left base-files without a purl: the exporter computes the same one scan would.
  const baseFiles = debianImage.packages.find((p) => p.name === 'base-files')!;
  assert.equal(byName('base-files')[0]?.purl, packagePurl(baseFiles, debianImage.os));

  // tzdata was recorded twice: two components, same purl, distinct refs.
  const tz = byName('tzdata');
  assert.equal(tz.length, 2);
  assert.equal(tz[0]?.purl, tz[1]?.purl);
  assert.notEqual(tz[0]?.['bom-ref'], tz[1]?.['bom-ref']);
});

test('cyclonedx: rpm epoch and apk origin', () => {
  const rhel = bomOf(allImages.rhel);
  const openssl = rhel.components.find((c) => c.name === 'openssl-libs');
  assert.equal(openssl?.version, '1:3.0.7-27.el9');
  assert.equal(
    openssl?.purl,
    'pkg:rpm/rhel/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1&upstream=openssl',
  );
  assert.deepEqual(openssl?.licenses, [{ license: { name: 'ASL 2.0', acknowledgement: 'declared' } }]);
  const alpine = bomOf(allImages.alpine);
  const cargo = alpine.components.find((c) => c.name === 'cargo');
  assert.equal(cargo?.purl, 'pkg:apk/alpine/cargo@1.72.1-r0?arch=x86_64&distro=alpine-3.19.1&upstream=rust');
  assert.deepEqual(cargo?.licenses, [{ expression: 'Apache-2.0 OR MIT', acknowledgement: 'declared' }]);
  assert.deepEqual(prop(cargo!, 'bulwark:layer:diffId'), [], 'a rootfs has no diff ids');
});

test('cyclonedx: same input and seed give the same document; no seed gives a fresh serial number', () => {
  assert.deepEqual(bomOf(debianImage), bomOf(structuredClone(debianImage)));
  const a = toCycloneDx(debianImage, { created }) as Bom;
  const b = toCycloneDx(debianImage, { created }) as Bom;
  assert.notEqual(a.serialNumber, b.serialNumber);
});

test('cyclonedx: arbitrary packages still give valid documents with unique bom-refs', async () => {
  await fc.assert(
    fc.asyncProperty(inventoryArb, async (inv) => {
      const bom = bomOf(inv);
      await assertValid(bom);
      const refs = [bom.metadata.component['bom-ref'], ...bom.components.map((c) => c['bom-ref'])];
      assert.equal(new Set(refs).size, refs.length);
      assert.equal(bom.components.length, inv.packages.length + (inv.os ? 1 : 0));
    }),
    { numRuns: 100 },
  );
});
