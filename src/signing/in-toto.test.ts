import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BulwarkError } from '../core/errors.js';
import {
  makeStatement,
  makeVulnPredicate,
  parseStatement,
  parseTimestamp,
  statementCovers,
  PREDICATE_CYCLONEDX,
  PREDICATE_VULN,
  STATEMENT_V1,
  VulnPredicate,
} from './in-toto.js';
import { mutatedJson, onlyBulwarkErrors } from './fixtures/mutate.js';

const HEX = 'cd'.repeat(32);

test('in-toto: statements have cosign’s v0.1 layout and read back', () => {
  const st = makeStatement('registry.example/app', `sha256:${HEX}`, PREDICATE_CYCLONEDX, { bomFormat: 'CycloneDX' });
  assert.equal(
    st.toString(),
    `{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://cyclonedx.org/bom","subject":[{"name":"registry.example/app","digest":{"sha256":"${HEX}"}}],"predicate":{"bomFormat":"CycloneDX"}}`,
  );
  const parsed = parseStatement(st, 'att');
  assert.equal(parsed.predicateType, PREDICATE_CYCLONEDX);
  assert.deepEqual(parsed.predicate, { bomFormat: 'CycloneDX' });
  assert.ok(statementCovers(parsed, `sha256:${HEX}`));
  assert.ok(!statementCovers(parsed, `sha256:${'00'.repeat(32)}`));
  assert.ok(!statementCovers(parsed, 'garbage'));
  assert.throws(
    () => makeStatement('a', 'sha256:xyz', PREDICATE_VULN, {}),
    (e: unknown) => e instanceof BulwarkError && e.code === 'USAGE',
  );
});

test('in-toto: v1 statements are read; unknown statement types and empty subjects are not', () => {
  const v1 = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'a', digest: { sha256: HEX } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {},
  };
  assert.equal(parseStatement(Buffer.from(JSON.stringify(v1)), 'att')._type, 'https://in-toto.io/Statement/v1');
  for (const bad of [
    { ...v1, _type: 'https://in-toto.io/Statement/v2' },
    { ...v1, subject: [] },
    { ...v1, predicateType: '' },
    { ...v1, subject: [{ name: 'a', digest: { sha256: 1 } }] },
  ])
    assert.throws(
      () => parseStatement(Buffer.from(JSON.stringify(bad)), 'att 2'),
      (e: unknown) => e instanceof BulwarkError && e.code === 'CORRUPT' && e.input === 'att 2',
    );
});

test('in-toto: the vuln predicate has cosign’s shape with Go-formatted times and reads back', () => {
  const p = makeVulnPredicate({
    scannerUri: 'https://example.com/bulwark',
    scannerVersion: '0.1.0',
    dbVersion: '2026-01-02',
    result: { findings: [{ id: 'CVE-2023-5752' }] },
    startedOn: new Date('2026-01-02T03:04:05.000Z'),
    finishedOn: new Date('2026-01-02T03:04:06.120Z'),
  });
  assert.equal(
    JSON.stringify(p),
    '{"invocation":{"parameters":null,"uri":"","event_id":"","builder.id":""},"scanner":{"uri":"https://example.com/bulwark","version":"0.1.0","db":{"uri":"","version":"2026-01-02"},"result":{"findings":[{"id":"CVE-2023-5752"}]}},"metadata":{"scanStartedOn":"2026-01-02T03:04:05Z","scanFinishedOn":"2026-01-02T03:04:06.12Z"}}',
  );
  const st = parseStatement(makeStatement('r.example/a', `sha256:${HEX}`, PREDICATE_VULN, p), 'att');
  const read = VulnPredicate.parse(st.predicate);
  assert.equal(read.metadata.scanFinishedOn, '2026-01-02T03:04:06.12Z');
  assert.equal(parseTimestamp(read.metadata.scanFinishedOn)?.toISOString(), '2026-01-02T03:04:06.120Z');
  assert.deepEqual(read.scanner.result, { findings: [{ id: 'CVE-2023-5752' }] });
  assert.ok(!VulnPredicate.safeParse({ ...p, metadata: { scanStartedOn: '2026-01-02T03:04:05Z' } }).success);
});

test('in-toto: timestamps are RFC 3339 as Go writes them; impossible dates are refused', () => {
  const ok: [string, string][] = [
    ['2026-01-02T03:04:05Z', '2026-01-02T03:04:05.000Z'],
    ['2026-01-02T03:04:05.123456789Z', '2026-01-02T03:04:05.123Z'],
    ['2026-01-02T05:04:05+02:00', '2026-01-02T03:04:05.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
  ];
  for (const [s, iso] of ok) assert.equal(parseTimestamp(s)?.toISOString(), iso, s);
  for (const bad of [
    '2026-02-30T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:00:00',
    '2026-01-01 00:00:00Z',
    '2026-01-01T00:00:00+25:00',
    'yesterday',
    '',
  ])
    assert.equal(parseTimestamp(bad), undefined, bad);
});

test('in-toto: arbitrary and mutated statements never throw anything but a BulwarkError', () => {
  const good = JSON.parse(
    makeStatement(
      'r.example/a',
      `sha256:${HEX}`,
      PREDICATE_VULN,
      makeVulnPredicate({
        scannerUri: 'u',
        scannerVersion: 'v',
        result: [1],
        startedOn: new Date(0),
        finishedOn: new Date(1),
      }),
    ).toString(),
  );
  fc.assert(
    fc.property(
      fc.oneof(
        mutatedJson(good),
        fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      ),
      (bytes) => {
        onlyBulwarkErrors(() => {
          const st = parseStatement(bytes, 'att');
          VulnPredicate.safeParse(st.predicate);
        });
      },
    ),
    { numRuns: 1000 },
  );
});

test('in-toto: statementCovers compares any algorithm, hex and algorithm names in any case', () => {
  const st = (digest: Record<string, string>) =>
    parseStatement(
      Buffer.from(
        JSON.stringify({
          _type: STATEMENT_V1,
          subject: [
            { name: 'a', digest: { sha1: 'ab' } },
            { name: 'b', digest },
          ],
          predicateType: 'p',
          predicate: {},
        }),
      ),
      'att',
    );
  const h512 = 'ef'.repeat(64);
  assert.ok(statementCovers(st({ sha256: HEX.toUpperCase() }), `sha256:${HEX}`));
  assert.ok(statementCovers(st({ sha256: HEX }), `SHA256:${HEX.toUpperCase()}`));
  assert.ok(statementCovers(st({ Sha512: h512 }), `sha512:${h512}`));
  assert.ok(!statementCovers(st({ sha512: h512 }), `sha256:${HEX}`), 'another algorithm is not a match');
  assert.ok(!statementCovers(st({ sha256: HEX }), `sha256:${HEX.slice(1)}`));
  for (const bad of ['', ':', 'sha256:', `:${HEX}`, HEX]) assert.ok(!statementCovers(st({ sha256: HEX }), bad), bad);
  assert.ok(!statementCovers(st({ sha256: HEX }), 'constructor:x'), 'own keys only, no prototype lookups');
});
