import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { auditHash, canonicalJson, type AuditHashInput } from './canonical.js';

const json = fc.jsonValue({ maxDepth: 3 });

/** The same object with its keys in reverse order, all the way down. */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, reversedKeys(x)]),
    );
  }
  return v;
}

const entry: fc.Arbitrary<AuditHashInput> = fc.record({
  seq: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  time: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  actor: fc.string(),
  action: fc.string(),
  target: fc.string(),
  details: fc.dictionary(fc.string(), json),
  remote: fc.option(fc.string(), { nil: null }),
  prevHash: fc.stringMatching(/^[0-9a-f]{64}$/),
});

test('canonical JSON: fixed examples', () => {
  assert.equal(
    canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: undefined } }),
    '{"a":[true,null,"x"],"b":1,"c":{"z":1}}',
  );
  assert.equal(canonicalJson({ é: 1, e: 2, E: 3 }), '{"E":3,"e":2,"é":1}');
  assert.throws(() => canonicalJson({ x: Number.NaN }), RangeError);
});

test('canonical JSON: key order does not matter, and it parses back to the same value', () => {
  fc.assert(
    fc.property(json, (v) => {
      assert.equal(canonicalJson(reversedKeys(v)), canonicalJson(v));
      assert.deepEqual(JSON.parse(canonicalJson(v)), JSON.parse(JSON.stringify(v)));
    }),
  );
});

test('audit hash: the same entry built in any key order hashes the same', () => {
  fc.assert(fc.property(entry, (e) => assert.equal(auditHash(reversedKeys(e) as AuditHashInput), auditHash(e))));
});

test('audit hash: any change to any field changes the hash', () => {
  const fields = ['seq', 'time', 'actor', 'action', 'target', 'details', 'remote', 'prevHash'] as const;
  fc.assert(
    fc.property(entry, fc.constantFrom(...fields), fc.string({ minLength: 1 }), (e, field, salt) => {
      const changed = { ...e } as Record<string, unknown>;
      const v = e[field];
      if (field === 'seq') changed.seq = e.seq + 1;
      else if (field === 'details') changed.details = { ...(e.details as Record<string, unknown>), [`k${salt}`]: salt };
      else if (field === 'remote') changed.remote = v === null ? salt : null;
      else changed[field] = `${String(v)}${salt}`;
      assert.notEqual(auditHash(changed as unknown as AuditHashInput), auditHash(e));
    }),
  );
});
