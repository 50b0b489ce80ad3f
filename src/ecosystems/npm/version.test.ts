import { test } from 'node:test';
import fc from 'fast-check';
import semver from 'semver';
import { agreesWithOracle, assertInvalid, assertTable } from '../../../test/support/oracle.js';
import { semverScheme } from './version.js';

// [a, b, expected compare(a, b)]: SemVer 2.0.0 §11's precedence examples and real versions
const TABLE: [string, string, number][] = [
  ['1.0.0', '2.0.0', -1],
  ['2.0.0', '2.1.0', -1],
  ['2.1.0', '2.1.1', -1],
  ['1.0.0-alpha', '1.0.0-alpha.1', -1],
  ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
  ['1.0.0-alpha.beta', '1.0.0-beta', -1],
  ['1.0.0-beta', '1.0.0-beta.2', -1],
  ['1.0.0-beta.2', '1.0.0-beta.11', -1],
  ['1.0.0-beta.11', '1.0.0-rc.1', -1],
  ['1.0.0-rc.1', '1.0.0', -1],
  ['1.0.0+build.1', '1.0.0+build.2', 0], // build metadata does not count
  ['v1.2.3', '1.2.3', 0],
  ['1.0.0-RC.1', '1.0.0-rc.1', -1], // case-sensitive ASCII order
  ['4.17.21', '4.17.4', 1],
  ['10.0.0', '9.99.99', 1],
];

test('semver orders versions as SemVer 2.0.0 says', () => {
  assertTable(semverScheme, TABLE);
});

test('semver refuses what SemVer 2.0.0 does not allow', () => {
  assertInvalid(semverScheme, [
    '',
    '1.0',
    '1',
    '01.0.0',
    '1.0.0-01',
    '1.0.0-',
    '1.0.0+',
    '1.0.0-a..b',
    '1.0.0.0',
    '=1.0.0',
    ' 1.0.0',
    '1.0.0-a_b',
  ]);
});

const num = fc.constantFrom('0', '1', '2', '10', '99');
const ids = fc.array(fc.constantFrom('alpha', 'beta', 'rc', 'RC', '0', '1', '2', '10', 'x-y', 'a1', '-'), {
  minLength: 1,
  maxLength: 3,
});
const version = fc
  .tuple(
    fc.constantFrom('', 'v'),
    num,
    num,
    num,
    fc.option(ids),
    fc.option(fc.constantFrom('b1', '001', 'sha.5114f85')),
  )
  .map(([v, a, b, c, pre, build]) => `${v}${a}.${b}.${c}${pre ? `-${pre.join('.')}` : ''}${build ? `+${build}` : ''}`);

test('semver agrees with node-semver (npm) on generated versions', () => {
  agreesWithOracle(semverScheme, version, (pairs) => pairs.map(([a, b]) => semver.compare(a, b)));
});
