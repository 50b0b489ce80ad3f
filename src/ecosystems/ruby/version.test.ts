import { test } from 'node:test';
import fc from 'fast-check';
import { agreesWithOracle, assertInvalid, assertTable, runOracle } from '../../../test/support/oracle.js';
import { have, requireAll } from '../../../test/support/require.js';
import { rubygemsScheme } from './version.js';

// [a, b, expected compare(a, b)]: Gem::Version's rules and real gem versions
const TABLE: [string, string, number][] = [
  ['1.0.a', '1.0', -1],
  ['1.0.0', '1', 0],
  ['1.0.a', '1.a', 0], // trailing zeros of the release part do not count
  ['1.0.a.0', '1.0.a', 0],
  ['1.0.a', '1.0.b', -1],
  ['1.0.a10', '1.0.a9', 1],
  ['1.0.rc1', '1.0.beta2', 1],
  ['1.0-1', '1.0.pre.1', 0], // '-' means .pre.
  ['1.0.A', '1.0.a', -1], // byte order
  ['7.0.8.1', '7.0.8', 1],
  ['1.13.10', '1.13.9', 1],
  ['3.0.0.rc1', '3.0.0', -1],
];

test('rubygems orders versions as Gem::Version does', () => {
  assertTable(rubygemsScheme, TABLE);
});

test('rubygems refuses non-versions', () => {
  assertInvalid(rubygemsScheme, ['', 'a', '1..0', '1.0.', '1.0_1', 'v1.0', '1.0-']);
});

const seg = fc.constantFrom('0', '1', '2', '10', '01', 'a', 'b', 'pre', 'rc1', 'A', 'beta2');
const version = fc
  .tuple(
    fc.constantFrom('0', '1', '2', '10'),
    fc.array(seg, { maxLength: 4 }),
    fc.option(fc.array(fc.constantFrom('1', 'a', 'rc', '0', 'x-y'), { minLength: 1, maxLength: 2 })),
  )
  .map(([f, r, pre]) => [f, ...r].join('.') + (pre ? `-${pre.join('.')}` : ''));

const RB = 'STDIN.each_line { |l| a, b = l.chomp.split("\\t"); puts(Gem::Version.new(a) <=> Gem::Version.new(b)) }';

test('rubygems agrees with Gem::Version on generated versions', (t) => {
  if (!requireAll(t, { ruby: have('ruby') })) return;
  agreesWithOracle(rubygemsScheme, version, (pairs) => runOracle('ruby', ['-e', RB], pairs));
});
