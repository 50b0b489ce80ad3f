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
import { fakeRegistry } from '../../test/support/fake-registry.js';
import { attachmentManifest } from '../../test/support/image-writer.js';
import { attachmentTag, DSSE_TYPE, SIGNATURE_ANNOTATION, SIMPLE_SIGNING_TYPE } from './attachments.js';
import type { Target } from './target.js';
import { ATTESTATION_STEPS, verifyAttestations } from './verify-attestation.js';
import type { Verification } from './verify-steps.js';
import { SIGNATURE_STEPS, verifySignatures } from './verify.js';

// Signature and attestation manifests come from registries nobody vouches for: whatever a
// registry serves under the ".sig"/".att" tags, verification ends in a verdict or a
// BulwarkError, and verifies only the untouched original.

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const pair = generateKeyPair('');
const priv = loadPrivateKey(pair.privatePem, '', 'test.key');
const keys = [{ name: 'test', key: loadPublicKey(pair.publicPem, 'test.pub') }];

async function withRegistry(
  fn: (set: (tag: string, manifest: Buffer, blobs: Buffer[]) => void, target: () => Promise<Target>) => Promise<void>,
): Promise<void> {
  const image = Buffer.from(
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}',
  );
  const manifests = new Map<string, { mediaType: string; bytes: Buffer }>([
    ['1.0', { mediaType: 'application/vnd.oci.image.manifest.v1+json', bytes: image }],
  ]);
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
        const client = await RegistryClient.create(reg.host, {
          insecure: true,
          retryBaseMs: 1,
          tries: 1,
          credentials: () => ({}),
        });
        clients.push(client);
        return {
          client,
          ref: parseReference(`${reg.host}/team/app:1.0`),
          digest: sha(image),
          input: `${reg.host}/team/app:1.0`,
        };
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
    const good = {
      mediaType: SIMPLE_SIGNING_TYPE,
      payload,
      annotations: { [SIGNATURE_ANNOTATION]: signBytes(priv, payload) },
    };
    set(attachmentTag(t.digest, 'sig'), attachmentManifest(good), [payload]);
    assert.equal((await verifySignatures(t, keys)).verified.length, 1, 'the original verifies');
    await fc.assert(
      fc.asyncProperty(
        fc.nat(payload.length - 1),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        async (at, xor, inManifest) => {
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
        },
      ),
      { numRuns: 150 },
    );
  });
});

test('a mutated attestation envelope never verifies and never throws anything but a BulwarkError', async () => {
  await withRegistry(async (set, target) => {
    const t = await target();
    const statement = makeStatement(`${t.ref.registry}/team/app`, t.digest, PREDICATE_CYCLONEDX, {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
    });
    const envelope = Buffer.from(JSON.stringify(signEnvelope(IN_TOTO_PAYLOAD_TYPE, statement, priv)));
    const layer = {
      mediaType: DSSE_TYPE,
      payload: envelope,
      annotations: { [SIGNATURE_ANNOTATION]: '', predicateType: PREDICATE_CYCLONEDX },
    };
    set(attachmentTag(t.digest, 'att'), attachmentManifest(layer), [envelope]);
    const ok = await verifyAttestations(t, keys, PREDICATE_CYCLONEDX);
    assert.deepEqual(
      ok.verified.map((a) => a.predicateType),
      [PREDICATE_CYCLONEDX],
    );
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
      const statement = Buffer.from(
        JSON.stringify({
          _type: 'https://in-toto.io/Statement/v1',
          subject: [{ name: 'x', digest: subjectDigest }],
          predicateType: PREDICATE_CYCLONEDX,
          predicate: {},
        }),
      );
      const envelope = Buffer.from(JSON.stringify(signEnvelope(IN_TOTO_PAYLOAD_TYPE, statement, priv)));
      set(
        attachmentTag(digest, 'att'),
        attachmentManifest({
          mediaType: DSSE_TYPE,
          payload: envelope,
          annotations: { [SIGNATURE_ANNOTATION]: '', predicateType: PREDICATE_CYCLONEDX },
        }),
        [envelope],
      );
    };
    const [, hex] = t.digest.split(':') as [string, string];
    attest({ sha256: hex.toUpperCase() }, t.digest);
    assert.equal((await verifyAttestations(t, keys)).verified.length, 1, 'upper-case hex names the same digest');
    attest({ SHA256: hex }, t.digest);
    assert.equal((await verifyAttestations(t, keys)).verified.length, 1, 'algorithm names compare without case');
    const t512 = { ...t, digest: sha512 };
    attest({ sha512: sha512.split(':')[1]! }, sha512);
    assert.equal(
      (await verifyAttestations(t512, keys)).verified.length,
      1,
      'a sha512-named image is covered by its sha512 subject',
    );
    attest({ sha256: hex, sha512: '00'.repeat(64) }, sha512);
    const other = await verifyAttestations(t512, keys);
    assert.equal(other.verified.length, 0);
    assert.deepEqual(
      other.candidates.map((c) => [c.failed?.step, c.failed?.code]),
      [['subject digest', 'SUBJECT_MISMATCH']],
    );
  });
});

// Each case breaks exactly one step; the verdict must name that step and its code (the steps
// before it passed, none after it ran).
const otherPriv = loadPrivateKey(generateKeyPair('').privatePem, '', 'other.key');

/** The one candidate ran every step up to `step` (passing them) and failed there with `code`. */
function assertFailedAt<S extends string>(
  v: Verification<S, unknown>,
  all: readonly S[],
  name: string,
  step: string,
  code: string,
  what: string,
): void {
  assert.equal(v.verified.length, 0, what);
  const [c] = v.candidates;
  assert.deepEqual([c?.name, c?.failed?.step, c?.failed?.code], [name, step, code], what);
  const ran = all.slice(1, all.indexOf(step as S) + 1);
  assert.deepEqual(
    c!.steps.map((s) => [s.step, s.ok]),
    ran.map((s) => [s, s !== step]),
    what,
  );
  assert.ok(v.failures[0]!.endsWith(`[${step}: ${code}]`), v.failures[0]);
}

test('signature verification fails at the named step with its code', async () => {
  await withRegistry(async (set, target) => {
    const t = await target();
    const tag = attachmentTag(t.digest, 'sig');
    const none = await verifySignatures(t, keys);
    assert.deepEqual(
      none.candidates.map((c) => [c.failed?.step, c.failed?.code]),
      [['fetch', 'NOT_SIGNED']],
    );
    assert.match(none.failures[0]!, /^no signatures: sha256-[0-9a-f]{64}\.sig does not exist/);

    const ref = `${t.ref.registry}/team/app:1.0`;
    const layer = (payload: Buffer, o: { mediaType?: string; key?: typeof priv; sig?: string | null } = {}): void => {
      const sig: Record<string, string> =
        o.sig === null ? {} : { [SIGNATURE_ANNOTATION]: o.sig ?? signBytes(o.key ?? priv, payload) };
      set(tag, attachmentManifest({ mediaType: o.mediaType ?? SIMPLE_SIGNING_TYPE, payload, annotations: sig }), [
        payload,
      ]);
    };
    const good = simpleSigningPayload(ref, t.digest);
    const cases: [string, () => void, string, string][] = [
      ['media type', () => layer(good, { mediaType: DSSE_TYPE }), 'media type', 'WRONG_TYPE'],
      ['no signature annotation', () => layer(good, { sig: null }), 'check signature', 'NOT_SIGNED'],
      ['another key', () => layer(good, { key: otherPriv }), 'check signature', 'BAD_SIGNATURE'],
      ['signed garbage', () => layer(Buffer.from('{"critical":{}}')), 'parse payload', 'CORRUPT'],
      [
        'another digest',
        () => layer(simpleSigningPayload(ref, `sha256:${'0'.repeat(64)}`)),
        'subject digest',
        'SUBJECT_MISMATCH',
      ],
      [
        'another repository',
        () => layer(simpleSigningPayload(`${t.ref.registry}/other/app:1.0`, t.digest)),
        'identity',
        'IDENTITY_MISMATCH',
      ],
    ];
    for (const [what, store, step, code] of cases) {
      store();
      assertFailedAt(await verifySignatures(t, keys), SIGNATURE_STEPS, 'signature 1', step, code, what);
    }
    layer(good);
    const ok = await verifySignatures(t, keys);
    assert.deepEqual(
      ok.candidates[0]!.steps.map((s) => [s.step, s.ok]),
      SIGNATURE_STEPS.slice(1).map((s) => [s, true]),
    );
    assert.deepEqual(ok.failures, []);
  });
});

test('attestation verification fails at the named step with its code', async () => {
  await withRegistry(async (set, target) => {
    const t = await target();
    const tag = attachmentTag(t.digest, 'att');
    const none = await verifyAttestations(t, keys);
    assert.deepEqual(
      none.candidates.map((c) => [c.failed?.step, c.failed?.code]),
      [['fetch', 'NOT_SIGNED']],
    );

    const store = (envelope: Buffer, mediaType = DSSE_TYPE): void =>
      set(tag, attachmentManifest({ mediaType, payload: envelope, annotations: { [SIGNATURE_ANNOTATION]: '' } }), [
        envelope,
      ]);
    const signed = (statement: Buffer, o: { type?: string; key?: typeof priv } = {}): Buffer =>
      Buffer.from(JSON.stringify(signEnvelope(o.type ?? IN_TOTO_PAYLOAD_TYPE, statement, o.key ?? priv)));
    const statement = makeStatement(`${t.ref.registry}/team/app`, t.digest, PREDICATE_CYCLONEDX, {});
    const cases: [string, () => void, string, string][] = [
      ['media type', () => store(signed(statement), SIMPLE_SIGNING_TYPE), 'media type', 'WRONG_TYPE'],
      ['not an envelope', () => store(Buffer.from('{"payloadType":1}')), 'parse envelope', 'CORRUPT'],
      ['payload type', () => store(signed(statement, { type: 'text/plain' })), 'payload type', 'WRONG_TYPE'],
      ['another key', () => store(signed(statement, { key: otherPriv })), 'check signature', 'BAD_SIGNATURE'],
      ['signed garbage', () => store(signed(Buffer.from('{"_type":"x"}'))), 'parse statement', 'CORRUPT'],
      [
        'another digest',
        () => store(signed(makeStatement('x', `sha256:${'0'.repeat(64)}`, PREDICATE_CYCLONEDX, {}))),
        'subject digest',
        'SUBJECT_MISMATCH',
      ],
    ];
    for (const [what, put, step, code] of cases) {
      put();
      assertFailedAt(await verifyAttestations(t, keys), ATTESTATION_STEPS, 'attestation 1', step, code, what);
    }
    store(signed(statement));
    const other = await verifyAttestations(t, keys, 'https://slsa.dev/provenance/v1');
    assert.deepEqual(
      other.candidates.map((c) => [c.failed?.step, c.failed?.code]),
      [['predicate type', 'WRONG_TYPE']],
    );
    const ok = await verifyAttestations(t, keys, PREDICATE_CYCLONEDX);
    assert.deepEqual(
      ok.candidates[0]!.steps.map((s) => [s.step, s.ok]),
      ATTESTATION_STEPS.slice(1).map((s) => [s, true]),
    );
  });
});
