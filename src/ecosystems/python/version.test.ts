import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { agreesWithOracle, assertInvalid, assertTable, runOracle } from '../../../test/support/oracle.js';
import { requireAll } from '../../../test/support/require.js';
import { pep440Scheme } from './version.js';

// [a, b, expected compare(a, b)]: PEP 440's ordering and normalisation
const TABLE: [string, string, number][] = [
  ['1.0.dev0', '1.0a1', -1],
  ['1.0a1', '1.0b1', -1],
  ['1.0b1', '1.0rc1', -1],
  ['1.0rc1', '1.0', -1],
  ['1.0', '1.0.post1', -1],
  ['1.0a1.dev1', '1.0a1', -1],
  ['1.0.post1.dev1', '1.0.post1', -1],
  ['1.0.post1.dev1', '1.0', 1],
  ['1!1.0', '2.0', 1],
  ['1.0', '1.0.0', 0],
  ['1.0', '1.0+local', -1],
  ['1.0+abc', '1.0+1', -1], // numeric local segments sort after strings
  ['1.0+abc.1', '1.0+abc', 1],
  ['1.0+1.2', '1.0+1.10', -1],
  ['1.0-RC1', '1.0rc1', 0],
  ['1.0c1', '1.0rc1', 0],
  ['1.0alpha1', '1.0a1', 0],
  ['1.0-1', '1.0.post1', 0],
  ['v1.0', '1.0', 0],
  ['1.0.DEV', '1.0.dev0', 0],
  ['2.28.2', '2.31.0', -1],
  ['1.26.18', '1.26.5', 1],
];

test('pep440 orders versions as PEP 440 says', () => {
  assertTable(pep440Scheme, TABLE);
});

test('pep440 refuses non-versions', () => {
  assertInvalid(pep440Scheme, ['', 'abc', '1.0.x', '1..0', '1.0+', 'dev', '1.0_beta_gamma']);
});

const n = fc.constantFrom('0', '1', '2', '10', '01');
const version = fc
  .tuple(
    fc.constantFrom('', '', '1!'),
    fc.array(n, { minLength: 1, maxLength: 4 }),
    fc.option(
      fc.tuple(
        fc.constantFrom('', '.', '-'),
        fc.constantFrom('a', 'b', 'rc', 'c', 'alpha', 'beta', 'pre', 'RC'),
        fc.constantFrom('', '0', '1', '2'),
      ),
    ),
    fc.option(fc.constantFrom('.post1', '.post2', '-1', 'post0', '.rev1', '.r2')),
    fc.option(fc.constantFrom('.dev0', '.dev1', 'dev', '.dev10')),
    fc.option(fc.array(fc.constantFrom('abc', 'x', '1', '01', '2', 'ubuntu'), { minLength: 1, maxLength: 3 })),
  )
  .map(
    ([e, r, pre, post, dev, local]) =>
      `${e}${r.join('.')}${pre ? pre.join('') : ''}${post ?? ''}${dev ?? ''}${local ? `+${local.join('.')}` : ''}`,
  );

const PY = `
import sys
from packaging.version import Version
for line in sys.stdin:
    a, b = line.rstrip("\\n").split("\\t")
    x, y = Version(a), Version(b)
    print(-1 if x < y else 0 if x == y else 1)
`;

const packaging = spawnSync('python3', ['-c', 'import packaging.version'], { stdio: 'ignore' }).status === 0;

test('pep440 agrees with Python packaging on generated versions', (t) => {
  if (!requireAll(t, { 'python3 with packaging (Debian python3-packaging)': packaging })) return;
  agreesWithOracle(pep440Scheme, version, (pairs) => runOracle('python3', ['-c', PY], pairs));
});
