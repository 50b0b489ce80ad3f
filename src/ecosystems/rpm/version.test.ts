import { test } from 'node:test';
import fc from 'fast-check';
import { agreesWithOracle, assertInvalid, assertTable, joined, runOracle } from '../../../test/support/oracle.js';
import { have, requireAll } from '../../../test/support/require.js';
import { rpmScheme } from './version.js';

// [a, b, expected compare(a, b)]: rpmvercmp's rules and real EVRs
const TABLE: [string, string, number][] = [
  ['1.0~rc1', '1.0', -1],
  ['1.0~rc1', '1.0~rc2', -1],
  ['1.0^git1', '1.0', 1],
  ['1.0^git1', '1.0.1', -1],
  ['1.0^git1', '1.0^git2', -1],
  ['1.0', '1.0^', -1],
  ['1:1.0', '2.0', 1],
  ['0:1.0', '1.0', 0],
  ['1:2.3-4.el9', '2.3-4.el9', 1],
  ['2.3-2.el9', '2.3-10.el9', -1],
  ['2.el9', '10.el9', -1],
  ['1.0a', '1.0.1', -1], // letters sort below numbers
  ['1.0a', '1.0b', -1],
  ['1.0', '1.0a', -1],
  ['1.0_1', '1.0.1', 0], // separators only separate
  ['1.0.', '1.0', 0],
  ['1.01', '1.1', 0],
  ['1.0', '1.0-1', -1], // no release sorts first
  ['1.0-', '1.0', 1],
  ['5.14.0-362.8.1.el9_3', '5.14.0-362.24.1.el9_3', -1],
  ['3.0.7-27.el9', '3.0.7-27.el9_4.1', -1],
];

test('rpm orders EVRs as rpmvercmp does', () => {
  assertTable(rpmScheme, TABLE);
});

test('rpm refuses empty versions and epochs and whitespace', () => {
  assertInvalid(rpmScheme, ['', ':1.0', '1:', '-1', '1:-1', '1.0 1', '1.0\t']);
});

const part = (first: string[]): fc.Arbitrary<string> =>
  joined(first, ['0', '1', '2', '10', '01', '.', '_', '+', 'a', 'b', 'Z', 'el', '~', '^'], 5);
const version = fc
  .tuple(
    fc.constantFrom('', '0:', '1:', '10:'),
    part(['0', '1', '2', '10', 'a', '~', '^']),
    fc.option(part(['1', '2', '10', 'el', '~'])),
  )
  .map(([e, v, r]) => `${e}${v}${r === null ? '' : `-${r}`}`);

test('rpm agrees with rpm.vercmp on generated EVRs', (t) => {
  if (!requireAll(t, { rpm: have('rpm') })) return;
  const lua = `%{lua: for line in io.stdin:lines() do local a, b = line:match("^(.-)\\t(.*)$"); io.write(rpm.vercmp(a, b) .. "\\n") end}`;
  agreesWithOracle(rpmScheme, version, (pairs) => runOracle('rpm', ['--eval', lua], pairs));
});
