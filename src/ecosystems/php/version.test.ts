import { test } from 'node:test';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { agreesWithOracle, assertInvalid, assertTable, runOracle } from '../../../test/support/oracle.js';
import { have, requireAll } from '../../../test/support/require.js';
import { composerScheme } from './version.js';

// [a, b, expected compare(a, b)]: Composer's normalisation and stability order
const TABLE: [string, string, number][] = [
  ['v1.0.0', '1.0.0.0', 0],
  ['1.0', '1.0.0', 0],
  ['1.0.0-dev', '1.0.0-alpha1', -1],
  ['1.0.0-alpha1', '1.0.0-beta1', -1],
  ['1.0.0-beta1', '1.0.0-RC1', -1],
  ['1.0.0-RC1', '1.0.0', -1],
  ['1.0.0', '1.0.0-p1', -1],
  ['1.0.0-patch1', '1.0.0-pl1', 0],
  ['1.0.0-rc.2', '1.0.0-RC2', 0],
  ['1.0.0-b2', '1.0.0-beta2', 0],
  ['1.0.0-beta1-dev', '1.0.0-beta1', -1],
  ['1.0.0-stable', '1.0.0', 0],
  ['2.x-dev', '2.99.0', 1], // a branch alias is the newest of its line
  ['2.x-dev', '3.0.0-alpha1', -1],
  ['1.0.0+build5', '1.0.0', 0],
  ['5.4.31', '5.4.4', 1],
  ['20230101', '20221231', 1],
];

test('composer orders versions as Composer does', () => {
  assertTable(composerScheme, TABLE);
});

test('composer refuses branches and non-versions', () => {
  assertInvalid(composerScheme, [
    '',
    'dev-master',
    'dev-feature/x',
    'master',
    'latest',
    '1.0.0-gamma',
    '1.0.0.0.0',
    'x.1',
  ]);
});

const numbered = fc
  .tuple(
    fc.constantFrom('', 'v'),
    fc.array(fc.constantFrom('0', '1', '2', '10'), { minLength: 1, maxLength: 4 }),
    fc.option(
      fc.tuple(
        fc.constantFrom('', '-', '.', '_'),
        fc.constantFrom('alpha', 'a', 'beta', 'b', 'RC', 'rc', 'patch', 'pl', 'p', 'stable'),
        fc.constantFrom('', '1', '2', '.1', '10'),
      ),
    ),
    fc.constantFrom('', '', '-dev'),
  )
  .map(([v, nums, mod, dev]) => `${v}${nums.join('.')}${mod ? mod.join('') : ''}${dev}`);
const special = fc.constantFrom(
  '1.x-dev',
  '2.1.x-dev',
  '1.2.3.x-dev',
  '1.*-dev',
  'v2.X-dev',
  '20230101',
  '2023-01-01',
  '2023.01.01.1',
  '1.0.0 as 2.0.0',
  '1.0.0@beta',
  '1.0.0+b5',
);
const version = fc.oneof(numbered, numbered, special);

// Debian's php-composer-semver: normalise both, then compare, as Composer's Semver::sort does
const AUTOLOAD = '/usr/share/php/Composer/Semver/autoload.php';
const PHP = `require '${AUTOLOAD}';
use Composer\\Semver\\VersionParser; use Composer\\Semver\\Comparator;
$p = new VersionParser();
while (($l = fgets(STDIN)) !== false) {
  [$a, $b] = explode("\\t", rtrim($l, "\\n"));
  $a = $p->normalize($a); $b = $p->normalize($b);
  echo Comparator::lessThan($a, $b) ? -1 : (Comparator::equalTo($a, $b) ? 0 : 1), "\\n";
}`;

test('composer agrees with composer/semver on generated versions', (t) => {
  if (!requireAll(t, { php: have('php'), [`${AUTOLOAD} (Debian php-composer-semver)`]: existsSync(AUTOLOAD) })) return;
  agreesWithOracle(composerScheme, version, (pairs) => runOracle('php', ['-r', PHP], pairs));
});
