import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { BulwarkError } from '../core/errors.js';
import { pae, parseEnvelope, signEnvelope, verifyEnvelope, type Envelope } from './dsse.js';
import { signBytes } from './signature.js';
import { mutatedJson, onlyBulwarkErrors } from './fixtures/mutate.js';

const pair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const TYPE = 'application/vnd.in-toto+json';

test('dsse: PAE matches the spec’s example and counts bytes, not characters', () => {
  assert.equal(
    pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString(),
    'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
  );
  assert.equal(pae('', Buffer.alloc(0)).toString(), 'DSSEv1 0  0 ');
  assert.deepEqual(
    pae('té', Buffer.from('ü')),
    Buffer.concat([
      Buffer.from('DSSEv1 3 t'),
      Buffer.from([0xc3, 0xa9]),
      Buffer.from(' 2 '),
      Buffer.from([0xc3, 0xbc]),
    ]),
  );
});

test('dsse: sign, serialise, parse, verify; tampering and other keys fail', () => {
  const { privateKey, publicKey } = pair();
  const payload = Buffer.from('{"_type":"https://in-toto.io/Statement/v0.1"}');
  const env = signEnvelope(TYPE, payload, privateKey);
  assert.deepEqual(Object.keys(env), ['payloadType', 'payload', 'signatures']);
  assert.equal(env.signatures[0]?.keyid, '');
  const parsed = parseEnvelope(Buffer.from(JSON.stringify(env)), 'att');
  assert.deepEqual(verifyEnvelope(parsed, publicKey), payload);

  assert.equal(verifyEnvelope({ ...parsed, payloadType: 'application/json' }, publicKey), undefined);
  assert.equal(
    verifyEnvelope({ ...parsed, payload: Buffer.from('{"_type":"x"}').toString('base64') }, publicKey),
    undefined,
  );
  assert.equal(verifyEnvelope(parsed, pair().publicKey), undefined);
  // A signature over the bare payload (not the PAE) does not count.
  assert.equal(
    verifyEnvelope({ ...parsed, signatures: [{ sig: signBytes(privateKey, payload) }] }, publicKey),
    undefined,
  );
});

test('dsse: any one good signature verifies; URL-safe unpadded base64 is read too', () => {
  const { privateKey, publicKey } = pair();
  const payload = Buffer.from([0xfb, 0xff, 0xfe, 0x3e, 0x3f]);
  const env = signEnvelope(TYPE, payload, privateKey);
  const other = signEnvelope(TYPE, payload, pair().privateKey);
  const both: Envelope = { ...env, signatures: [...other.signatures, ...env.signatures] };
  assert.deepEqual(verifyEnvelope(both, publicKey), payload);
  const url: Envelope = {
    ...env,
    payload: payload.toString('base64url'),
    signatures: env.signatures.map((s) => ({ sig: Buffer.from(s.sig, 'base64').toString('base64url') })),
  };
  assert.match(url.payload, /[-_]/);
  assert.deepEqual(verifyEnvelope(parseEnvelope(Buffer.from(JSON.stringify(url)), 'att'), publicKey), payload);
});

test('dsse: malformed envelopes are CORRUPT errors naming the input', () => {
  const { privateKey } = pair();
  const env = signEnvelope(TYPE, Buffer.from('{}'), privateKey);
  for (const bad of [
    { ...env, signatures: [] },
    { ...env, payload: 'not base64!' },
    { ...env, signatures: [{ sig: 'a' }] },
    { payload: env.payload, signatures: env.signatures },
  ])
    assert.throws(
      () => parseEnvelope(Buffer.from(JSON.stringify(bad)), 'layer 3'),
      (e: unknown) => e instanceof BulwarkError && e.code === 'CORRUPT' && e.input === 'layer 3',
    );
});

test('dsse: arbitrary and mutated envelopes never throw anything but a BulwarkError, and do not verify', () => {
  const { privateKey, publicKey } = pair();
  const env = signEnvelope(TYPE, Buffer.from('{"a":1}'), privateKey);
  const serialised = JSON.stringify(env);
  fc.assert(
    fc.property(
      fc.oneof(
        mutatedJson(env),
        fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      ),
      (bytes) => {
        onlyBulwarkErrors(() => {
          const parsed = parseEnvelope(bytes, 'att');
          const out = verifyEnvelope(parsed, publicKey);
          // Only a document that still says the same thing may verify.
          if (out !== undefined)
            assert.ok(
              parsed.payloadType === TYPE && out.equals(Buffer.from('{"a":1}')),
              `${bytes.toString()} vs ${serialised}`,
            );
        });
      },
    ),
    { numRuns: 1000 },
  );
});
