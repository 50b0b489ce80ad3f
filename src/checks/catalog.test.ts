import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { CHECKS, FAMILIES } from './catalog.js';

// The catalog is one line per family, and a family is a folder under checks/: the two agree,
// and no check id is claimed twice.

test('catalog: one registered family per folder under checks/, each with checks', () => {
  const folders = readdirSync(import.meta.dirname, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  assert.deepEqual(FAMILIES.map((f) => f.id).sort(), folders.sort());
  for (const f of FAMILIES) assert.ok(f.checks.length > 0, f.id);
});

test('catalog: check ids are unique across families and name their area', () => {
  assert.equal(new Set(CHECKS.map((c) => c.id)).size, CHECKS.length);
  const areas = new Map(FAMILIES.map((f) => [f.id, new Set(f.checks.map((c) => c.id.split('-')[1]))]));
  assert.deepEqual(Object.fromEntries([...areas].map(([k, v]) => [k, [...v].sort()])), {
    image: ['IMG'],
    filesystem: ['FS'],
    secrets: ['SEC'],
    workloads: ['PSS', 'WL'],
  });
});
