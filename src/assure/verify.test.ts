import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { isBulwarkError } from '../core/errors.js';
import { RegistryClient } from '../registry/client.js';
import { parseReference } from '../registry/reference.js';
import { signEnvelope } from '../signing/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE, makeStatement, PREDICATE_CYCLONEDX } from '../signing/in-toto.js';
import { generateKeyPair, loadPrivateKey, loadPublicKey } from '../signing/keys.js';
import { signBytes } from '../signing/signature.js';
import { simpleSigningPayload } from '../signing/simple-signing.js';
import { fakeRegistry } from '../testing/fake-registry.js';
import { attachmentManifest } from '../testing/image-writer.js';
import { attachmentTag, DSSE_TYPE, SIGNATURE_ANNOTATION, SIMPLE_SIGNING_TYPE } from './attachments.js';
import type { Target } from './target.js';
import { verifyAttestations } from './verify-attestation.js';
import { verifySignatures } from './verify.js';

// Signature and attestation manifests come from registries nobody vouches for: whatever a
// registry serves under the ".sig"/".att" tags, verification ends in a verdict or a
// BulwarkError, and verifies only the untouched original.

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const pair = generateKeyPair('');
const priv = loadPrivateKey(pair.privatePem, '', 'test.key');
const keys = [{ name: 'test', key: loadPublicKey(pair.publicPem, 'test.pub') }];

async function withRegistry(fn: (set: (tag: string, manifest: Buffer, blobs: Buffer[]) => void, target: () => Promise<Target>) => Promise<void>): Promise<void> {
  const image = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}');
  const manifests = new Map<string, { mediaType: string; bytes: Buffer }>([['1.0', { mediaType: 'application/vnd.oci.image.manifest.v1+json', bytes: image }]]);
  const blobs = new Map<string, Buffer>();
  const reg = await fakeRegistry({ manifests, blobs });
  const clients: RegistryClient[] = [];
  try {
    await fn(
      (tag, manifest, bs) => {
        manifests.set(tag, { mediaType: 'application/vnd.oci.image.manifest.v1+json', bytes: manifest });
        for (const b of bs) blobs.set(sha(b), b);
      },
      async () => {
        const client = await RegistryClient.create(reg.host, { insecure: true, retryBaseMs: 1, tries: 1, credentials: () => ({}) });
        clients.push(client);
        return { client, ref: parseReference(`${reg.host}/team/app:1.0`), digest: sha(image), input: `${reg.host}/team/app:1.0` };
      },
    );
  } finally {
    for (const c of clients) c.close();
    await reg.stop();
  }
}

test('a mutated signature manifest or payload never verifies and never throws anything but a BulwarkError', async () => {
  await withRegistry(async (set, target) => {
    const t = await target();
    const payload = simpleSigningPayload(`${t.ref.registry}/team/app:1.0`, t.digest);
    const good = { mediaType: SIMPLE_SIGNING_TYPE, payload, annotations: { [SIGNATURE_ANNOTATION]: signBytes(priv, payload) } };
    set(attachmentTag(t.digest, 'sig'), attachmentManifest(good), [payload]);
    assert.equal((await verifySignatures(t, keys)).verified.length, 1, 'the original verifies');
    await fc.assert(
      fc.asyncProperty(fc.nat(payload.length - 1), fc.integer({ min: 1, max: 255 }), fc.boolean(), async (at, xor, inManifest) => {
        const evil = Buffer.from(payload);
        evil[at] = evil[at]! ^ xor;
        const manifest = attachmentManifest({ ...good, payload: evil });
        if (inManifest) manifest[at % manifest.length] = manifest[at % manifest.length]! ^ xor;
        set(attachmentTag(t.digest, 'sig'), manifest, [evil]);
        try {
          const v = await verifySignatures(t, keys);
          assert.equal(v.verified.length, 0);
          assert.ok(v.failures.length > 0);
        } catch (e) {
          assert.ok(isBulwarkError(e), String(e));
        }
      }),
      { numRuns: 150 },
    );
  });
});

test('a mutated attestation envelope never verifies and never throws anything but a BulwarkError', async () => {
  await withRegistry(async (set, target) => {
    const t = await target();
    const statement = makeStatement(`${t.ref.registry}/team/app`, t.digest, PREDICATE_CYCLONEDX, { bomFormat: 'CycloneDX', specVersion: '1.6' });
    const envelope = Buffer.from(JSON.stringify(signEnvelope(IN_TOTO_PAYLOAD_TYPE, statement, priv)));
    const layer = { mediaType: DSSE_TYPE, payload: envelope, annotations: { [SIGNATURE_ANNOTATION]: '', predicateType: PREDICATE_CYCLONEDX } };
    set(attachmentTag(t.digest, 'att'), attachmentManifest(layer), [envelope]);
    const ok = await verifyAttestations(t, keys, PREDICATE_CYCLONEDX);
    assert.deepEqual(ok.verified.map((a) => a.predicateType), [PREDICATE_CYCLONEDX]);
    await fc.assert(
      fc.asyncProperty(fc.nat(envelope.length - 1), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
        const evil = Buffer.from(envelope);
        evil[at] = evil[at]! ^ xor;
        set(attachmentTag(t.digest, 'att'), attachmentManifest({ ...layer, payload: evil }), [evil]);
        try {
          const v = await verifyAttestations(t, keys);
          // base64 has slack bits at its end: a flip there may decode to the same signature
          for (const a of v.verified) assert.deepEqual(a.predicate, { bomFormat: 'CycloneDX', specVersion: '1.6' });
        } catch (e) {
          assert.ok(isBulwarkError(e), String(e));
        }
      }),
      { numRuns: 150 },
    );
  });
});

test('an attestation subject is matched by the digest algorithm the image is named by, its hex in any case', async () => {
  await withRegistry(async (set, target) => {
    const t = await target();
    const sha512 = `sha512:${createHash('sha512').update('the image').digest('hex')}`;
    const attest = (subjectDigest: Record<string, string>, digest: string): void => {
      const statement = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'x', digest: subjectDigest }], predicateType: PREDICATE_CYCLONEDX, predicate: {} }));
      const envelope = Buffer.from(JSON.stringify(signEnvelope(IN_TOTO_PAYLOAD_TYPE, statement, priv)));
      set(attachmentTag(digest, 'att'), attachmentManifest({ mediaType: DSSE_TYPE, payload: envelope, annotations: { [SIGNATURE_ANNOTATION]: '', predicateType: PREDICATE_CYCLONEDX } }), [envelope]);
    };
    const [, hex] = t.digest.split(':') as [string, string];
    attest({ sha256: hex.toUpperCase() }, t.digest);
    assert.equal((await verifyAttestations(t, keys)).verified.length, 1, 'upper-case hex names the same digest');
    attest({ SHA256: hex }, t.digest);
    assert.equal((await verifyAttestations(t, keys)).verified.length, 1, 'algorithm names compare without case');
    const t512 = { ...t, digest: sha512 };
    attest({ sha512: sha512.split(':')[1]! }, sha512);
    assert.equal((await verifyAttestations(t512, keys)).verified.length, 1, 'a sha512-named image is covered by its sha512 subject');
    attest({ sha256: hex, sha512: '00'.repeat(64) }, sha512);
    const other = await verifyAttestations(t512, keys);
    assert.equal(other.verified.length, 0);
    assert.match(other.failures[0]!, /its subject is not this image/);
  });
});
