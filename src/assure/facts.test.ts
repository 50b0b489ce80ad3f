import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signEnvelope } from '../signing/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE, makeStatement, PREDICATE_VULN } from '../signing/in-toto.js';
import { generateKeyPair, loadPrivateKey, loadPublicKey } from '../signing/keys.js';
import { fakeRegistry } from '../../test/support/fake-registry.js';
import { attachmentManifest, ociImage } from '../../test/support/image-writer.js';
import { gzip, makeTar, sha256 } from '../../test/support/layers.js';
import { attachmentTag, DSSE_TYPE, SIGNATURE_ANNOTATION } from './attachments.js';
import { vulnAttestationKeys } from './attested-scan.js';
import { gatherFacts } from './facts.js';

// Which vulnerability attestation a policy believes: gathered from a registry holding
// three verified ones, by two keys, with RFC 3339 times whose text order is not their
// time order.

const keyPair = (name: string) => {
  const p = generateKeyPair('');
  return {
    name,
    priv: loadPrivateKey(p.privatePem, '', `${name}.key`),
    pub: loadPublicKey(p.publicPem, `${name}.pub`),
  };
};

function vulnLayer(digest: string, key: ReturnType<typeof keyPair>, finishedOn: string, cves: string[]) {
  const result = {
    vulnerabilities: {
      findings: cves.map((id) => ({ id, severity: 'HIGH', status: 'fixed', package: { name: 'musl' } })),
    },
  };
  const predicate = {
    scanner: { uri: 'x', version: '1', result },
    metadata: { scanStartedOn: '2024-01-01T00:00:00Z', scanFinishedOn: finishedOn },
  };
  const statement = makeStatement('r/app', digest, PREDICATE_VULN, predicate);
  const payload = Buffer.from(JSON.stringify(signEnvelope(IN_TOTO_PAYLOAD_TYPE, statement, key.priv)));
  return { mediaType: DSSE_TYPE, payload, annotations: { [SIGNATURE_ANNOTATION]: '', predicateType: PREDICATE_VULN } };
}

test('findings come from the newest vulnerability attestation (by parsed time) signed by a key the vuln rule names', async () => {
  const release = keyPair('release');
  const ci = keyPair('ci');
  const tar = await makeTar([{ name: 'etc/os-release', content: 'ID=alpine\n' }]);
  const img = ociImage([{ tar, stored: gzip(tar) }]);
  const layers = [
    vulnLayer(img.digest, release, '2024-05-01T10:00:00+02:00', ['CVE-2024-0001']), // 08:00Z, but sorts last as text
    vulnLayer(img.digest, release, '2024-05-01T09:00:00Z', ['CVE-2024-0002']), // the newest by release
    vulnLayer(img.digest, ci, '2024-06-01T00:00:00Z', []), // newest of all, "clean", by a key not trusted for scans
  ];
  const blobs = new Map(img.blobs);
  for (const l of layers) blobs.set(sha256(l.payload), l.payload);
  const doc = (bytes: Buffer) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', bytes });
  const manifests = new Map([
    ['1.0', doc(img.manifest)],
    [img.digest, doc(img.manifest)],
    [attachmentTag(img.digest, 'att'), doc(attachmentManifest(...layers))],
  ]);
  const reg = await fakeRegistry({ manifests, blobs });
  try {
    const policy = {
      keys: new Map([
        ['ci', ''],
        ['release', ''],
      ]),
      attestations: [{ predicateType: PREDICATE_VULN, keys: ['release'], minimum: 1 }],
    };
    const gather = (vulnKeys: readonly string[]) =>
      gatherFacts(`${reg.host}/app:1.0`, {
        insecure: true,
        tries: 1,
        credentials: () => ({}),
        keys: [
          { name: 'ci', key: ci.pub },
          { name: 'release', key: release.pub },
        ],
        vulnKeys,
        scanWhenUnattested: false,
        scan: { dbPath: '/nonexistent/bulwark.db', cacheDir: null },
      });
    const { facts } = await gather(vulnAttestationKeys(policy));
    assert.deepEqual(facts.scan, {
      finishedAt: '2024-05-01T09:00:00.000Z',
      findings: [{ id: 'CVE-2024-0002', severity: 'HIGH', fixable: true, pkg: 'musl' }],
    });
    assert.deepEqual(
      facts.attestations,
      [{ predicateType: PREDICATE_VULN, keys: ['release', 'ci'] }],
      'both keys still count for the attestations rule',
    );
    // without a rule for the vulnerability predicate, every key of the policy counts
    assert.deepEqual(vulnAttestationKeys({ ...policy, attestations: [] }), ['ci', 'release']);
    assert.deepEqual((await gather(['ci', 'release'])).facts.scan?.findings, []);
    assert.equal((await gather([])).facts.scan, undefined);
  } finally {
    await reg.stop();
  }
});
