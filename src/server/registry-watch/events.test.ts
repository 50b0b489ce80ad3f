import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isBulwarkError } from '../../core/errors.js';
import { throwsCode } from '../../../test/support/codes.js';
import { checkMediaType, MAX_EVENTS, MAX_NOTIFICATION_BYTES, parseEnvelope, type RegistryEvent } from './events.js';
import { authenticate } from './notify-auth.js';
import { triage } from './triage.js';

// The notification envelope as docker-registry 2.8 sends it (shape captured from the real
// registry in test/e2e/registry-watch.test.ts), and what the parser refuses.

const MANIFEST = 'sha256:5ed827cd208f08c2fb20069a5b4d72d6acb1565f74755624ae40e5ea4954fccb';
const BLOB = 'sha256:64d9cab122128f01dad2a0c7afe7d66fdb1ea0ba678f9d73a2125676fb5f19ab';
const OCI = 'application/vnd.oci.image.manifest.v1+json';

function event(action: string, target: Record<string, unknown>, extra: Record<string, unknown> = {}): object {
  return {
    id: `ev-${action}-${String(target.digest).slice(7, 15)}`,
    timestamp: '2026-12-07T23:26:23.939956313Z',
    action,
    target: { size: 401, length: 401, repository: 'team/app', url: 'http://127.0.0.1:5000/v2/…', ...target },
    request: { id: 'r1', addr: '127.0.0.1:55122', host: '127.0.0.1:5000', method: 'PUT', useragent: 'skopeo/1.9.3' },
    actor: {},
    source: { addr: 'vm:5000', instanceID: 'i1' },
    ...extra,
  };
}
const body = (events: unknown[]): Buffer => Buffer.from(JSON.stringify({ events }));
const pushManifest = event('push', { mediaType: OCI, digest: MANIFEST, tag: '1' });
const pushBlob = event('push', { mediaType: 'application/octet-stream', digest: BLOB });

test('a real push envelope parses; unknown fields are kept out of the way, not refused', () => {
  const events = parseEnvelope(body([{ ...pushManifest, newField: { x: 1 } }, pushBlob]));
  assert.equal(events.length, 2);
  assert.equal(events[0]!.target.digest, MANIFEST);
  assert.equal(events[0]!.target.tag, '1');
  assert.equal(events[0]!.request?.addr, '127.0.0.1:55122');
});

test('triage: a manifest push is scan work once per digest; blob pushes are neither scanned nor audited', () => {
  const byDigest = event('push', { mediaType: OCI, digest: MANIFEST });
  const t = triage('127.0.0.1:5000', parseEnvelope(body([pushBlob, byDigest, pushManifest, pushManifest])));
  assert.deepEqual(t.scans, [{ registry: '127.0.0.1:5000', repository: 'team/app', digest: MANIFEST, tag: '1' }]);
  assert.equal(t.access.length, 3);
  assert.ok(t.access.every((a) => a.action === 'push' && a.digest === MANIFEST && a.address === '127.0.0.1:55122'));
});

test('triage: pulls, deletes and mounts are audited with actor and address; a pull is never scan work', () => {
  const events = parseEnvelope(
    body([
      event('pull', { mediaType: OCI, digest: MANIFEST, tag: '1' }, { actor: { name: 'alice' } }),
      event('pull', { mediaType: 'application/octet-stream', digest: BLOB }),
      event('delete', { digest: MANIFEST }),
      event('mount', { mediaType: 'application/octet-stream', digest: BLOB }),
      event('frobnicate', { mediaType: OCI, digest: MANIFEST }),
    ]),
  );
  const t = triage('r', events);
  assert.deepEqual(t.scans, []);
  assert.deepEqual(
    t.access.map((a) => [a.action, a.actor, a.digest]),
    [
      ['pull', 'alice', MANIFEST],
      ['delete', undefined, MANIFEST],
      ['mount', undefined, BLOB],
    ],
  );
  assert.equal(t.access[0]!.userAgent, 'skopeo/1.9.3');
});

test('bad envelopes are refused with a code naming the field', () => {
  const cases: [unknown, RegExp][] = [
    [{ events: [{ ...pushManifest, target: { digest: MANIFEST } }] }, /events\.0\.target\.repository/],
    [{ events: [event('push', { mediaType: OCI, digest: 'sha256:abc' })] }, /events\.0\.target\.digest/],
    [
      { events: [pushBlob, event('push', { mediaType: OCI, digest: MANIFEST, tag: '../x' })] },
      /events\.1\.target\.tag/,
    ],
    [
      { events: [{ ...pushManifest, target: { ...(pushManifest as { target: object }).target, repository: 'A/B' } }] },
      /repository/,
    ],
    [{ events: [{ ...pushManifest, action: 7 }] }, /events\.0\.action/],
    [{ events: 'all of them' }, /^registry notification: events/],
    [{ nothing: [] }, /events/],
    [[1, 2], /body/],
    [{ events: [pushManifest, null] }, /events\.1/],
    [{ events: Array.from({ length: MAX_EVENTS + 1 }, () => pushManifest) }, /more than/],
  ];
  for (const [doc, where] of cases) {
    const e = throwsCode(() => parseEnvelope(Buffer.from(JSON.stringify(doc))), 'CORRUPT', 'registry notification');
    assert.match(e.message, where);
  }
  throwsCode(() => parseEnvelope(Buffer.from('{"events": [')), 'CORRUPT');
});

test('an oversized body is refused before it is parsed', () => {
  const big = Buffer.alloc(MAX_NOTIFICATION_BYTES + 1, 0x20);
  throwsCode(() => parseEnvelope(big), 'TOO_LARGE', 'registry notification');
});

test('only the events media types are accepted', () => {
  checkMediaType('application/vnd.docker.distribution.events.v1+json');
  checkMediaType('application/vnd.docker.distribution.events.v2+json; charset=utf-8');
  for (const t of [undefined, 'application/json', 'text/plain', 'application/vnd.docker.distribution.events.v1+jsonx'])
    throwsCode(() => checkMediaType(t), 'WRONG_TYPE', 'registry notification');
});

test('the bearer token names the registry; a missing, malformed or wrong one is refused, and never shown', () => {
  const tokens = new Map([
    ['a:5000', 'token-of-a'],
    ['b:5000', 'token-of-b'],
  ]);
  assert.equal(authenticate({ Authorization: 'Bearer token-of-b' }, tokens), 'b:5000');
  assert.equal(authenticate({ authorization: ['bearer token-of-a'] }, tokens), 'a:5000');
  throwsCode(() => authenticate({}, tokens), 'AUTH');
  throwsCode(() => authenticate({ authorization: 'Basic dG9rZW4tb2YtYQ==' }, tokens), 'AUTH');
  const wrong = throwsCode(() => authenticate({ authorization: 'Bearer token-of-c' }, tokens), 'AUTH');
  assert.doesNotMatch(wrong.message, /token-of/);
  throwsCode(() => authenticate({ authorization: 'Bearer token-of-a' }, new Map()), 'AUTH');
});

test('property: any JSON (and any bytes) either parses or fails with a BulwarkError', () => {
  const check = (b: Buffer): void => {
    try {
      const events: RegistryEvent[] = parseEnvelope(b);
      triage('r', events);
    } catch (e) {
      assert.ok(isBulwarkError(e), `not a BulwarkError: ${String(e)}`);
    }
  };
  fc.assert(
    fc.property(fc.jsonValue(), (v) => check(Buffer.from(JSON.stringify(v) ?? 'null'))),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.array(fc.jsonValue(), { maxLength: 5 }), (events) => check(body(events))),
    { numRuns: 500 },
  );
  // events built from the real fields with arbitrary values in them
  const field = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant(MANIFEST), fc.constant(OCI));
  const arbEvent = fc.record(
    {
      action: fc.oneof(fc.constantFrom('push', 'pull', 'delete', 'mount'), field),
      target: fc.record(
        { mediaType: field, digest: field, repository: fc.oneof(field, fc.constant('a/b')), tag: field },
        {
          requiredKeys: [],
        },
      ),
      actor: fc.oneof(fc.record({ name: field }), field),
      request: fc.oneof(fc.record({ addr: field, useragent: field }), field),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(fc.array(arbEvent, { maxLength: 5 }), (events) => check(body(events))),
    { numRuns: 1000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (b) => check(Buffer.from(b))),
    { numRuns: 300 },
  );
});
