import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluate, parseCondition, type Node } from './condition.js';
import { eventTypesOf } from './event-types.js';

const ctx = {
  macros: new Map<string, Node>([
    ['spawned', parseCondition('evt.type = exec', 'm')],
    ['anything', parseCondition('proc.name = sh', 'm')],
  ]),
  lists: new Map([
    ['kinds', ['open', 'file']],
    ['more', ['kinds', 'connect']],
  ]),
};
const types = (cond: string) => {
  const t = eventTypesOf(parseCondition(cond, 'c'), ctx);
  return t ? [...t].sort() : undefined;
};

test('the event types a condition pins down, through macros, lists, and, or', () => {
  assert.deepEqual(types('evt.type = exec and proc.name = sh'), ['exec']);
  assert.deepEqual(types('spawned and container.id exists'), ['exec']);
  assert.deepEqual(types('evt.type in (more)'), ['connect', 'file', 'open']);
  assert.deepEqual(types('evt.type in (kinds) and evt.type = open'), ['open']);
  assert.deepEqual(types('spawned or evt.type = open'), ['exec', 'open']);
  assert.equal(types('spawned or anything'), undefined, 'one side holds for any type');
  assert.equal(types('not evt.type = exec'), undefined);
  assert.equal(types('evt.type != exec'), undefined);
  assert.equal(types('proc.name = sh'), undefined);
});

// Soundness against the evaluator itself: a condition never holds for an event whose type
// lies outside the set computed for it.
const TYPES = ['exec', 'open', 'file', 'connect', 'syscall'];
const leaf = fc.oneof(
  fc.constantFrom(...TYPES).map((t) => `evt.type = ${t}`),
  fc.constantFrom('evt.type in (kinds)', 'evt.type in (more)', 'spawned', 'anything', 'evt.type != open'),
  fc.constantFrom('proc.name = sh', 'proc.name = cat', 'container.id exists'),
);
const cond: fc.Arbitrary<string> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(tie('node'), fc.constantFrom('and', 'or'), tie('node')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    tie('node').map((a) => `not ${a}`),
  ),
})).node as fc.Arbitrary<string>;

test('property: a condition never holds on an event type outside its set', () => {
  fc.assert(
    fc.property(cond, fc.constantFrom(...TYPES), fc.constantFrom('sh', 'cat'), fc.boolean(), (c, type, name, ctr) => {
      const node = parseCondition(c, 'c');
      const set = eventTypesOf(node, ctx);
      const fields = { 'evt.type': type, 'proc.name': name, ...(ctr ? { 'container.id': 'x' } : {}) };
      if (set && !set.has(type)) assert.equal(evaluate(node, fields, ctx), false, `${c} on ${type}`);
    }),
    { numRuns: 2000 },
  );
});
