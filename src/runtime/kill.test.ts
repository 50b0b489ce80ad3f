import { test } from 'node:test';
import assert from 'node:assert/strict';
import { descendants } from './kill.js';

test('descendants: the process first, then its children and theirs; not its parent, siblings or others', () => {
  // 1 ─┬─ 10 ─┬─ 11 ── 12
  //    │      └─ 13
  //    └─ 20 ── 21
  const parent = new Map([
    [10, 1],
    [11, 10],
    [12, 11],
    [13, 10],
    [20, 1],
    [21, 20],
  ]);
  const procs = [1, 10, 11, 12, 13, 20, 21];
  assert.deepEqual(
    descendants(10, procs, (p) => parent.get(p)),
    [10, 11, 13, 12],
  );
  assert.deepEqual(
    descendants(21, procs, (p) => parent.get(p)),
    [21],
  );
  // a child outside the container's cgroup is never listed
  assert.deepEqual(
    descendants(10, [10, 13], (p) => parent.get(p)),
    [10, 13],
  );
  // a parent loop (pids reused while reading) ends
  assert.deepEqual(
    descendants(5, [5, 6], (p) => (p === 5 ? 6 : 5)),
    [5, 6],
  );
});
