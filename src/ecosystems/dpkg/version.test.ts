import { test } from 'node:test';
import fc from 'fast-check';
import { agreesWithOracle, assertInvalid, assertTable, joined, runOracle } from '../../../test/support/oracle.js';
import { have, requireAll } from '../../../test/support/require.js';
import { dpkgScheme } from './version.js';

// [a, b, expected compare(a, b)], from Debian Policy §5.6.12 and real Debian versions
const TABLE: [string, string, number][] = [
  ['1.0~rc1', '1.0', -1],
  ['1.0~~', '1.0~', -1],
  ['1.0~', '1.0', -1],
  ['1:1.0', '2.0', 1],
  ['0:1.0', '1.0', 0],
  ['1.0', '1.0-0', 0],
  ['1.0+deb12u1', '1.0', 1],
  ['2.36-9+deb12u4', '2.36-9+deb12u10', -1],
  ['2.31-13+deb11u5', '2.31-13+deb11u11', -1],
  ['1.0-1~bpo1', '1.0-1', -1],
  ['1.0-1ubuntu0.1', '1.0-1', 1],
  ['1.0a', '1.0+', -1],
  ['1.0a', '1.0.', -1],
  ['1.00', '1.0', 0],
  ['1.0.0', '1.0', 1],
  ['7.88.1-10+deb12u5', '7.88.1-10+deb12u12', -1],
  ['2:8.2.2434-3+deb11u1', '1:9.0.1378-2', 1],
  ['1:2:3', '1:2', 1],
];

test('dpkg orders versions as Debian Policy 5.6.12 says', () => {
  assertTable(dpkgScheme, TABLE);
});

test('dpkg refuses versions dpkg itself rejects or warns about', () => {
  assertInvalid(dpkgScheme, [
    '',
    ':1.0',
    'x:1.0',
    '1.0-',
    'a1.0',
    '1_0',
    '1.0-1_2',
    ' 1.0',
    '99999999999:1',
    '1.0-1:2',
  ]);
});

const version = fc
  .tuple(
    fc.constantFrom('', '0:', '1:', '2:'),
    joined(['0', '1', '2', '10', '01'], ['.', '+', '~', 'a', 'b', 'z', 'A', '0', '1', '9', '10', '00']),
    fc.option(joined(['0', '1', '2', '10', 'a', '~'], ['.', '+', '~', '0', '1', '2', '10', 'deb', 'u', 'ubuntu'], 4)),
  )
  .map(([e, u, r]) => `${e}${u}${r === null ? '' : `-${r}`}`);

test('dpkg agrees with dpkg --compare-versions on generated versions', (t) => {
  if (!requireAll(t, { dpkg: have('dpkg') })) return;
  const script = `while IFS="$(printf '\\t')" read -r a b; do
    if dpkg --compare-versions "$a" lt "$b"; then echo -1; elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi
  done`;
  agreesWithOracle(dpkgScheme, version, (pairs) => runOracle('sh', ['-c', script], pairs));
});
