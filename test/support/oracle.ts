import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import type { VersionScheme } from '../../src/versions/scheme.js';

// Property tests of version schemes against each ecosystem's own reference tool: generated pairs
// go to the tool in one batch per run (a process per pair would be slow for the JVM).

export type Pair = [string, string];

const BATCH = 30;

/** Runs a command with "A<TAB>B" lines on stdin and reads one integer a line back. */
export function runOracle(cmd: string, args: string[], pairs: Pair[]): number[] {
  const r = spawnSync(cmd, args, { input: pairs.map(([a, b]) => `${a}\t${b}\n`).join(''), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim().split('\n').map(Number);
}

/** Tokens joined into one string: a small alphabet makes equal and near-equal versions common. */
export function joined(first: string[], rest: string[], maxLength = 6): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...first), fc.array(fc.constantFrom(...rest), { maxLength }))
    .map(([f, r]) => f + r.join(''));
}

/** About `runs` generated pairs compared by the scheme and by the oracle must agree. */
export function agreesWithOracle(
  scheme: VersionScheme,
  version: fc.Arbitrary<string>,
  oracle: (pairs: Pair[]) => number[],
  runs = 300,
): void {
  // half the pairs share a prefix, so the comparison goes past the first token
  const pair: fc.Arbitrary<Pair> = fc.oneof(
    fc.tuple(version, version),
    fc.tuple(version, version, version).map(([p, a, b]): Pair => [p + a.slice(1), p + b.slice(1)]),
  );
  const valid = pair.filter(([a, b]) => scheme.isValid(a) && scheme.isValid(b));
  fc.assert(
    fc.property(fc.array(valid, { minLength: BATCH, maxLength: BATCH }), (pairs) => {
      const want = oracle(pairs);
      assert.equal(want.length, pairs.length, 'oracle answered a different number of lines');
      const wrong = pairs.flatMap(([a, b], i) => {
        const got = scheme.compare(a, b);
        return got === Math.sign(want[i]!)
          ? []
          : [`${a} vs ${b}: ${scheme.id} says ${got}, the reference says ${want[i]}`];
      });
      assert.deepEqual(wrong, []);
    }),
    { numRuns: Math.ceil(runs / BATCH) },
  );
}

/** Each row [a, b, want]: compare(a, b) is want and compare(b, a) its opposite. */
export function assertTable(scheme: VersionScheme, table: [string, string, number][]): void {
  for (const [a, b, want] of table) {
    assert.equal(scheme.compare(a, b), want, `${a} vs ${b}`);
    assert.equal(scheme.compare(b, a), want === 0 ? 0 : -want, `${b} vs ${a}`);
  }
}

/** Each string is refused: isValid is false and compare throws CORRUPT naming it and the scheme. */
export function assertInvalid(scheme: VersionScheme, versions: string[]): void {
  for (const v of versions) {
    assert.equal(scheme.isValid(v), false, v);
    assert.throws(
      () => scheme.compare(v, v),
      (e: unknown) =>
        e instanceof Error &&
        'code' in e &&
        e.code === 'CORRUPT' &&
        'input' in e &&
        e.input === v &&
        e.message.endsWith(`for ${scheme.id}`),
      v,
    );
  }
}
