import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { isBulwarkError, messageOf } from '../core/errors.js';
import { byteBudget, listEntries, readEntry } from '../core/zip.js';
import { SHARED_DATA } from '../../test/support/osv-bucket.js';
import { readBounded } from './import.js';
import { parseOsvRecord, type OsvRecord } from './osv.js';
import { VulnStore } from './store.js';
import { throwsCode } from '../../test/support/codes.js';

/** A few real records (one per feed shape) as parsed JSON values. */
function realRecords(): unknown[] {
  const out: unknown[] = [];
  for (const [eco, ids] of [
    ['PyPI', ['PYSEC-2006-1.json', 'PYSEC-2022-42969.json']],
    ['Go', ['GO-2020-0001.json']],
    ['AlmaLinux', ['ALBA-2019:0973.json']],
  ] as const) {
    const zip = join(SHARED_DATA, 'osv', eco, 'all.zip');
    const buf = readBounded(zip);
    for (const e of listEntries(buf, zip, (n) => (ids as readonly string[]).includes(n)))
      out.push(JSON.parse(readEntry(buf, e, zip, 1 << 20, byteBudget(1 << 24)).toString()));
  }
  assert.equal(out.length, 4);
  return out;
}

function rejects(json: unknown, reason: RegExp): void {
  assert.throws(
    () => parseOsvRecord(JSON.stringify(json), 'x.json'),
    (e) => isBulwarkError(e) && e.code === 'CORRUPT' && /^x\.json: /.test(e.message) && reason.test(e.message),
  );
}

const base = { id: 'TEST-1', modified: '2024-01-01T00:00:00Z' };
const range = (events: unknown[], type = 'ECOSYSTEM'): unknown => ({
  ...base,
  affected: [{ package: { ecosystem: 'PyPI', name: 'x' }, ranges: [{ type, events }] }],
});

test('osv: real records parse, unknown fields kept, null lists read as absent', () => {
  for (const raw of realRecords()) {
    const r = parseOsvRecord(JSON.stringify(raw), 'real');
    assert.equal(r.id, (raw as { id: string }).id);
  }
  const r = parseOsvRecord(JSON.stringify({ ...base, aliases: null, affected: null, future_field: { a: 1 } }), 'x');
  assert.equal(r.aliases, undefined);
  assert.equal(r.affected, undefined);
  assert.deepEqual(r.future_field, { a: 1 });
});

test('osv: the fields matching depends on are checked', () => {
  rejects({ modified: base.modified }, /at id/);
  rejects({ ...base, modified: 'yesterday' }, /at modified: not a timestamp/);
  rejects({ ...base, id: 'has space' }, /at id: not an advisory id/);
  rejects(range([{ fixed: '1.0' }]), /no introduced event/);
  rejects(range([]), /events/);
  rejects(range([{ introduced: '0', fixed: '1.0' }]), /events\.0/);
  rejects(range([{ introduced: '0' }, { fixed: '1' }, { last_affected: '2' }]), /both fixed and last_affected/);
  rejects(range([{ introduced: '0' }], 'GIT'), /GIT range without repo/);
  rejects(range([{ introduced: '0' }], 'RANGE'), /ranges\.0\.type/);
  rejects({ ...base, affected: [{ package: { ecosystem: 'PyPI' } }] }, /affected\.0\.package\.name/);
  throwsCode(() => parseOsvRecord('{"id": ', 'x.json'), 'CORRUPT', 'x.json');
});

/** A JSON value, possibly replacing a node of a real record. */
const jsonValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.string(),
  fc.constant('0'),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('introduced', 'fixed', 'type', 'name', 'x'), fc.string(), { maxKeys: 3 }),
);

/** Sets or deletes the node at a random path through objects and arrays. */
function mutate(root: unknown, picks: number[], value: unknown, remove: boolean): unknown {
  const copy = structuredClone(root) as Record<string, unknown>;
  let node: Record<string, unknown> | unknown[] = copy;
  for (let i = 0; i < picks.length; i++) {
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, j) => j) : Object.keys(node);
    if (keys.length === 0) break;
    const k = keys[picks[i]! % keys.length]!;
    const child = (node as Record<string | number, unknown>)[k];
    const last = i === picks.length - 1 || child === null || typeof child !== 'object';
    if (last) {
      if (remove && !Array.isArray(node)) delete (node as Record<string, unknown>)[k as string];
      else (node as Record<string | number, unknown>)[k] = value;
      break;
    }
    node = child as Record<string, unknown> | unknown[];
  }
  return copy;
}

test('osv: mutated real records are accepted or refused with a BulwarkError, never a crash', () => {
  const records = realRecords();
  const store = VulnStore.open(':memory:');
  let accepted = 0;
  let refused = 0;
  fc.assert(
    fc.property(
      fc.nat(records.length - 1),
      fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
      jsonValue,
      fc.boolean(),
      fc.oneof({ arbitrary: fc.constant(undefined), weight: 9 }, { arbitrary: fc.nat(), weight: 1 }),
      (which, picks, value, remove, cut) => {
        let text = JSON.stringify(mutate(records[which], picks, value, remove));
        if (cut !== undefined) text = text.slice(0, cut % (text.length + 1)); // and truncated documents
        let r: OsvRecord;
        try {
          r = parseOsvRecord(text, 'mutated.json');
        } catch (e) {
          assert.ok(isBulwarkError(e), `not a BulwarkError: ${messageOf(e)}`);
          assert.ok(!e.message.includes('\n'));
          refused++;
          return;
        }
        accepted++;
        // whatever validates can be stored and read back
        store.replaceFeed({ name: 'fuzz', source: 'fc', sha256: '0' }, (put) => put(r));
        assert.equal(store.byId(r.id)?.id, r.id);
      },
    ),
    { numRuns: 600, seed: 20241022 },
  );
  store.close();
  assert.ok(accepted > 50 && refused > 50, `accepted ${accepted}, refused ${refused}`);
});
