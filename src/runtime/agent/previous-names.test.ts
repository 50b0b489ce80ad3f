import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PreviousNames } from './previous-names.js';

test('a process that execs again is told what it ran before; a reused pid is a new process', () => {
  const p = new PreviousNames();
  assert.equal(p.swap(10, 500, 'sh'), undefined);
  assert.equal(p.swap(10, 500, 'sh'), 'sh');
  assert.equal(p.swap(10, 500, 'id'), 'sh');
  assert.equal(p.swap(10, 900, 'sh'), undefined, 'same pid, later start');
  assert.equal(p.swap(11, undefined, 'sh'), undefined, 'start unknown: nothing remembered');
  assert.equal(p.swap(11, undefined, 'sh'), undefined);
});

test('bounded: the oldest processes are forgotten first', () => {
  const p = new PreviousNames();
  for (let pid = 0; pid < 10_000; pid++) p.swap(pid, 1, 'a');
  assert.equal(p.swap(0, 1, 'b'), undefined);
  assert.equal(p.swap(9999, 1, 'b'), 'a');
});
