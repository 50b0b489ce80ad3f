import { test } from 'node:test';
import { assertInvalid, assertTable } from '../../../test/support/oracle.js';
import { goScheme } from './version.js';

// [a, b, expected compare(a, b)]: Go module versions, with and without the 'v' OSV leaves out.
// No reference tool runs offline (golang.org/x/mod/semver is a module download), so tables only.
const TABLE: [string, string, number][] = [
  ['v1.2.3', 'v1.2.4', -1],
  ['v1.2.3', 'v1.2.4-0.20200101000000-abcdef123456', -1], // pseudo-version after the base release
  ['v1.2.4-0.20200101000000-abcdef123456', 'v1.2.4', -1],
  ['v0.0.0-20220715151400-c0bba94af5f8', 'v0.0.0-20230101000000-000000000000', -1],
  ['0.0.0-20220715151400-c0bba94af5f8', 'v0.1.0', -1],
  ['v1.2.4-pre.0.20200101000000-abcdef123456', 'v1.2.4-pre', 1], // pseudo-version after a pre-release
  ['v2.0.0+incompatible', 'v2.0.0', 0],
  ['v2.1.0+incompatible', 'v2.0.0', 1],
  ['1.20.7', 'v1.20.7', 0],
  ['1.20.7', '1.21.0-rc.2', -1],
  ['v1', 'v1.0.0', 0],
  ['v1.2', 'v1.2.0', 0],
  ['v1.10.0', 'v1.9.9', 1],
];

test('go orders module versions as semantic versions', () => {
  assertTable(goScheme, TABLE);
});

test('go refuses what the go command refuses', () => {
  assertInvalid(goScheme, ['', 'v', 'v01.2.3', 'v1.2-pre', 'v1.2.3.4', 'v1.2.3-01', 'go1.20', 'v1.2.3-', 'latest']);
});

test('go accepts OSV pseudo-versions with and without v', () => {
  for (const v of ['0.0.0-20220715151400-c0bba94af5f8', 'v0.0.0-20220715151400-c0bba94af5f8', 'v2.0.0+incompatible']) {
    if (!goScheme.isValid(v)) throw new Error(v);
  }
});
