import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { SPDX } from '@cyclonedx/cyclonedx-library';
import type { Inventory } from '../core/types.js';
import { DOCUMENT_ID, IMAGE_ID, OS_ID, toSpdx } from './spdx.js';
import { allImages, debianImage, rhelImage } from './fixtures/inventory.js';
import { inventoryArb } from './fixtures/arbitrary.js';

// The official SPDX 2.3 schema, stored verbatim (see fixtures/README.md).
const schema = JSON.parse(readFileSync(new URL('./fixtures/spdx-2.3.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv({ allErrors: true }).compile(schema);
function assertValid(doc: object): void {
  assert.ok(validate(doc), `SPDX 2.3 schema errors:\n${JSON.stringify(validate.errors, null, 2)}`);
}

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  primaryPackagePurpose?: string;
  licenseDeclared?: string;
  sourceInfo?: string;
  externalRefs?: { referenceCategory: string; referenceType: string; referenceLocator: string }[];
}
interface Doc {
  spdxVersion: string;
  dataLicense: string;
  SPDXID: string;
  name: string;
  documentNamespace: string;
  creationInfo: { creators: string[]; created: string };
  packages: SpdxPackage[];
  relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
  hasExtractedLicensingInfos?: { licenseId: string; extractedText: string }[];
}
const created = new Date('2024-03-01T12:00:00.789Z');
const docOf = (inv: Inventory, seed = 'test'): Doc => toSpdx(inv, { created, namespaceSeed: seed }) as Doc;

/** Checks what the schema cannot: ids, references, and licence expressions built only from known parts. */
function assertConsistent(doc: Doc): void {
  const ids = doc.packages.map((p) => p.SPDXID);
  assert.equal(new Set(ids).size, ids.length, 'SPDXIDs are unique');
  for (const id of ids) assert.match(id, /^SPDXRef-[A-Za-z0-9.-]+$/);
  const known = new Set([DOCUMENT_ID, ...ids]);
  for (const r of doc.relationships)
    assert.ok(known.has(r.spdxElementId) && known.has(r.relatedSpdxElement), JSON.stringify(r));
  const refs = new Set((doc.hasExtractedLicensingInfos ?? []).map((e) => e.licenseId));
  const used = new Set<string>();
  for (const p of doc.packages) {
    const tokens = p.licenseDeclared === 'NOASSERTION' ? [] : (p.licenseDeclared?.match(/\(|\)|[^\s()]+/g) ?? []);
    for (const t of tokens) {
      if (t.startsWith('LicenseRef-')) {
        assert.match(t, /^LicenseRef-[A-Za-z0-9.-]+$/);
        assert.ok(refs.has(t), `${t} is declared`);
        used.add(t);
      } else {
        const ok = ['(', ')', 'AND', 'OR', 'WITH'].includes(t) || SPDX.isSupportedSpdxId(t.replace(/\+$/, ''));
        assert.ok(ok, `"${t}" in ${p.licenseDeclared}`);
      }
    }
  }
  assert.deepEqual([...refs].sort(), [...used].sort(), 'every extracted licence is used');
}

test('spdx: the validator is live: it rejects a broken document', () => {
  const doc = docOf(debianImage) as unknown as Record<string, unknown>;
  assert.equal(
    validate({
      ...doc,
      packages: [
        { SPDXID: 'SPDXRef-x', name: 'x', downloadLocation: 'NONE', primaryPackagePurpose: 'OPERATING-SYSTEM' },
      ],
    }),
    false,
  );
  assert.equal(validate({ ...doc, creationInfo: undefined }), false);
});

for (const [distro, inv] of Object.entries(allImages)) {
  test(`spdx: ${distro} image validates against the 2.3 schema and is self-consistent`, () => {
    const doc = docOf(inv);
    assertValid(doc);
    assertConsistent(doc);
  });

  test(`spdx: ${distro} image lists each package once, with its version, contained in the image`, () => {
    const doc = docOf(inv);
    const libs = doc.packages.filter((p) => p.primaryPackagePurpose === 'LIBRARY');
    const key = (name: string, version?: string) => `${name}@${version}`;
    assert.deepEqual(
      libs.map((p) => key(p.name, p.versionInfo)).sort(),
      inv.packages.map((p) => key(p.name, p.version)).sort(),
    );
    const contained = doc.relationships
      .filter((r) => r.spdxElementId === IMAGE_ID && r.relationshipType === 'CONTAINS')
      .map((r) => r.relatedSpdxElement);
    assert.deepEqual(contained.sort(), [OS_ID, ...libs.map((p) => p.SPDXID)].sort());
    assert.deepEqual(doc.relationships[0], {
      spdxElementId: DOCUMENT_ID,
      relationshipType: 'DESCRIBES',
      relatedSpdxElement: IMAGE_ID,
    });
  });
}

test('spdx: document header', () => {
  const doc = docOf(debianImage);
  assert.equal(doc.spdxVersion, 'SPDX-2.3');
  assert.equal(doc.dataLicense, 'CC0-1.0');
  assert.equal(doc.SPDXID, 'SPDXRef-DOCUMENT');
  assert.equal(doc.name, 'docker.io/library/debian:12');
  assert.match(
    doc.documentNamespace,
    /^https:\/\/bulwark\.invalid\/spdxdocs\/docker.io-library-debian-12-[0-9a-f-]{36}$/,
  );
  assert.deepEqual(doc.creationInfo, { creators: ['Tool: bulwark-0.1.0'], created: '2024-03-01T12:00:00Z' });
  const image = doc.packages.find((p) => p.SPDXID === IMAGE_ID);
  assert.deepEqual([image?.primaryPackagePurpose, image?.versionInfo], ['CONTAINER', debianImage.artifact.imageId]);
  const os = doc.packages.find((p) => p.SPDXID === OS_ID);
  assert.deepEqual([os?.primaryPackagePurpose, os?.name, os?.versionInfo], ['OPERATING_SYSTEM', 'debian', '12']);
});

test('spdx: packages carry purl, source package and declared licences', () => {
  const doc = docOf(debianImage);
  const libc = doc.packages.find((p) => p.name === 'libc6');
  assert.deepEqual(libc?.externalRefs, [
    {
      referenceCategory: 'PACKAGE-MANAGER',
      referenceType: 'purl',
      referenceLocator: 'pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=bookworm&upstream=glibc',
    },
  ]);
  assert.match(
    libc?.sourceInfo ?? '',
    /^built from source package glibc 2\.36-9\+deb12u4; recorded in \/var\/lib\/dpkg\/status/,
  );
  assert.equal(libc?.licenseDeclared, 'LGPL-2.1 AND LicenseRef-GPL-2-plus');
  assert.equal(
    doc.packages.find((p) => p.name === 'bsdutils')?.licenseDeclared,
    'LicenseRef-GPL-2-plus AND BSD-3-Clause AND LicenseRef-public-domain',
  );
  assert.equal(doc.packages.find((p) => p.name === 'base-files')?.licenseDeclared, 'NOASSERTION');
  assert.deepEqual(
    doc.hasExtractedLicensingInfos?.map((e) => [e.licenseId, e.extractedText]),
    [
      ['LicenseRef-GPL-2-plus', 'GPL-2+'],
      ['LicenseRef-public-domain', 'public-domain'],
    ],
  );
  // tzdata recorded twice: two packages with distinct ids.
  const tz = doc.packages.filter((p) => p.name === 'tzdata');
  assert.equal(tz.length, 2);
  assert.notEqual(tz[0]?.SPDXID, tz[1]?.SPDXID);

  const rhel = docOf(rhelImage);
  const openssl = rhel.packages.find((p) => p.name === 'openssl-libs');
  assert.equal(openssl?.versionInfo, '1:3.0.7-27.el9');
  assert.equal(
    openssl?.externalRefs?.[0]?.referenceLocator,
    'pkg:rpm/rhel/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1&upstream=openssl',
  );
  assert.equal(openssl?.licenseDeclared, 'LicenseRef-ASL-2.0');
  const apk = docOf(allImages.alpine).packages.find((p) => p.name === 'cargo');
  assert.equal(apk?.licenseDeclared, 'Apache-2.0 OR MIT');
  assert.match(apk?.sourceInfo ?? '', /^built from source package rust; /);
});

test('spdx: same input and seed give the same document; ids do not depend on package order', () => {
  assert.deepEqual(docOf(debianImage), docOf(structuredClone(debianImage)));
  assert.notEqual(docOf(debianImage, 'a').documentNamespace, docOf(debianImage, 'b').documentNamespace);
  const a = toSpdx(debianImage, { created }) as Doc;
  const b = toSpdx(debianImage, { created }) as Doc;
  assert.notEqual(a.documentNamespace, b.documentNamespace);
  const reversed = docOf({ ...debianImage, packages: [...debianImage.packages].reverse() });
  const idsOf = (d: Doc) => new Set(d.packages.map((p) => p.SPDXID));
  assert.deepEqual(idsOf(reversed), idsOf(docOf(debianImage)));
});

test('spdx: arbitrary packages still give valid documents with unique SPDX ids', () => {
  fc.assert(
    fc.property(inventoryArb, (inv) => {
      const doc = docOf(inv);
      assertValid(doc);
      assertConsistent(doc);
      assert.equal(doc.packages.length, 1 + (inv.os ? 1 : 0) + inv.packages.length);
    }),
    { numRuns: 100 },
  );
});
