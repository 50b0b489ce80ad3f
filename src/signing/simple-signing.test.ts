import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BulwarkError } from '../core/errors.js';
import { parseSimpleSigning, simpleSigningPayload } from './simple-signing.js';
import { mutatedJson, onlyBulwarkErrors } from './fixtures/mutate.js';

const D = `sha256:${'ab'.repeat(32)}`;

test('simple signing: the payload has cosign’s exact layout', () => {
  assert.equal(
    simpleSigningPayload('registry.example/app', D).toString(),
    `{"critical":{"identity":{"docker-reference":"registry.example/app"},"image":{"docker-manifest-digest":"${D}"},"type":"cosign container image signature"},"optional":null}`,
  );
  // Go sorts map keys and escapes <, > and &.
  assert.equal(
    simpleSigningPayload('r.example/a', D, { z: '1', a: '<&>' }).toString(),
    `{"critical":{"identity":{"docker-reference":"r.example/a"},"image":{"docker-manifest-digest":"${D}"},"type":"cosign container image signature"},"optional":{"a":"\\u003c\\u0026\\u003e","z":"1"}}`,
  );
  assert.throws(
    () => simpleSigningPayload('r.example/a', 'sha256:abc'),
    (e: unknown) => e instanceof BulwarkError && e.code === 'USAGE',
  );
  assert.throws(
    () => simpleSigningPayload('', D),
    (e: unknown) => e instanceof BulwarkError && e.code === 'USAGE',
  );
});

test('simple signing: payloads read back; containers/image’s optional fields and extra fields are tolerated', () => {
  assert.deepEqual(parseSimpleSigning(simpleSigningPayload('r.example/a', D, { tag: 'v1' }), 'p'), {
    dockerReference: 'r.example/a',
    manifestDigest: D,
    type: 'cosign container image signature',
    optional: { tag: 'v1' },
  });
  const cimage = `{"critical":{"identity":{"docker-reference":"r.example/a:1"},"image":{"docker-manifest-digest":"${D}"},"type":"cosign container image signature"},"optional":{"creator":"containers/image 5.23.1","timestamp":1700000000}}`;
  assert.deepEqual(parseSimpleSigning(Buffer.from(cimage), 'p').optional, {
    creator: 'containers/image 5.23.1',
    timestamp: 1700000000,
  });
  const extra = `{"critical":{"identity":{"docker-reference":"r.example/a","x":1},"image":{"docker-manifest-digest":"${D}"},"type":"cosign container image signature","new":true}}`;
  const p = parseSimpleSigning(Buffer.from(extra), 'p');
  assert.equal(p.dockerReference, 'r.example/a');
  assert.equal(p.optional, null);
});

test('simple signing: wrong type, capitalised keys and bad digests are refused, naming the input', () => {
  const good = JSON.parse(simpleSigningPayload('r.example/a', D).toString());
  const variants: [unknown, RegExp][] = [
    [{ ...good, critical: { ...good.critical, type: 'atomic container signature' } }, /critical\.type/],
    [
      { ...good, critical: { ...good.critical, image: { 'Docker-manifest-digest': D } } },
      /critical\.image\.docker-manifest-digest/,
    ],
    [
      { ...good, critical: { ...good.critical, image: { 'docker-manifest-digest': 'sha256:AB' } } },
      /not a manifest digest/,
    ],
    [{ ...good, critical: { ...good.critical, identity: { 'docker-reference': '' } } }, /docker-reference/],
    [{ ...good, optional: 'x' }, /optional/],
    [[good], /unexpected content/],
  ];
  for (const [doc, reason] of variants)
    assert.throws(
      () => parseSimpleSigning(Buffer.from(JSON.stringify(doc)), 'sig 1'),
      (e: unknown) =>
        e instanceof BulwarkError && e.code === 'CORRUPT' && e.input === 'sig 1' && reason.test(e.message),
      JSON.stringify(doc),
    );
});

test('simple signing: arbitrary and mutated payloads never throw anything but a BulwarkError', () => {
  const good = JSON.parse(simpleSigningPayload('r.example/a', D, { a: 'b' }).toString());
  fc.assert(
    fc.property(
      fc.oneof(
        mutatedJson(good),
        fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
        fc.json().map((s) => Buffer.from(s)),
      ),
      (bytes) => {
        onlyBulwarkErrors(() => parseSimpleSigning(bytes, 'p'));
      },
    ),
    { numRuns: 1000 },
  );
});
