import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { catalogers } from './index.js';

test('the registry lists exactly one cataloger per ecosystem folder, each with the full interface', () => {
  const dir = import.meta.dirname;
  const folders = readdirSync(dir).filter((f) => statSync(join(dir, f)).isDirectory()).sort();
  assert.deepEqual(catalogers.map((c) => c.id).sort(), folders);
  for (const c of catalogers) {
    for (const m of ['wants', 'parse', 'catalog'] as const) assert.equal(typeof c[m], 'function', `${c.id}.${m}`);
    assert.ok(Number.isInteger(c.version) && c.version > 0);
  }
});
