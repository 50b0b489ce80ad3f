import { test } from 'node:test';
import { assertInvalid, assertTable } from '../../../test/support/oracle.js';
import { nugetScheme } from './version.js';

// [a, b, expected compare(a, b)]: NuGet's version rules. No NuGet client runs here, so tables only.
const TABLE: [string, string, number][] = [
  ['1.0.0.1', '1.0.0', 1],
  ['1.0.0.0', '1.0.0', 0],
  ['1.0', '1.0.0', 0],
  ['1', '1.0.0.0', 0],
  ['01.02.03', '1.2.3', 0], // leading zeros allowed
  ['1.0.0-RC.1', '1.0.0-rc.1', 0], // labels ignore case
  ['1.0.0-Beta', '1.0.0-alpha', 1],
  ['1.0.0-rc.1', '1.0.0', -1],
  ['1.0.0-beta.2', '1.0.0-beta.10', -1],
  ['1.0.0-beta', '1.0.0-beta.1', -1],
  ['1.0.0-1', '1.0.0-a', -1],
  ['1.0.0+abc', '1.0.0+def', 0], // metadata ignored
  ['13.0.1', '13.0.3', -1],
  ['6.0.0-preview.7.21377.19', '6.0.0-rc.1.21451.13', -1],
];

test('nuget orders versions as NuGet does', () => {
  assertTable(nugetScheme, TABLE);
});

test('nuget refuses non-versions', () => {
  assertInvalid(nugetScheme, ['', 'v1.0.0', '1.0.0.0.0', '1.0.0-', '1.0.0-a..b', '1.0.0-a_b', 'latest', '[1.0,2.0)']);
});
