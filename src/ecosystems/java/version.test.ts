import { test } from 'node:test';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { agreesWithOracle, assertInvalid, assertTable, joined, type Pair } from '../../../test/support/oracle.js';
import { have, requireAll } from '../../../test/support/require.js';
import { mavenScheme } from './version.js';

// [a, b, expected compare(a, b)]: Maven's version order specification and real versions
const TABLE: [string, string, number][] = [
  ['1.0-alpha-1', '1.0-beta', -1],
  ['1.0-beta', '1.0-milestone-1', -1],
  ['1.0-milestone-1', '1.0-rc-1', -1],
  ['1.0-rc-1', '1.0-cr-1', 0],
  ['1.0-rc1', '1.0-SNAPSHOT', -1],
  ['1.0-SNAPSHOT', '1.0', -1],
  ['1.0', '1.0.0', 0],
  ['1.0', '1.0-ga', 0],
  ['1.0', '1.0.RELEASE', 0],
  ['2.0.0.Final', '2.0.0', 0],
  ['1.0-final', '1.0-sp', -1],
  ['1.0-sp', '1.0-foo', -1], // unknown qualifiers after the known ones
  ['1-a1', '1-alpha-1', 0],
  ['1-foo2', '1-foo10', -1],
  ['1.foo', '1-foo', 0],
  ['1-foo', '1-1', -1],
  ['1-1', '1.1', -1],
  ['1-sp-1', '1-ga-1', -1],
  ['1.0.0.RC1', '1.0.0-RC2', -1],
  ['1', '1.1', -1],
  ['2.12.7.1', '2.12.7', 1],
  ['5.3.18', '5.3.9', 1],
  ['9.4.51.v20230217', '9.4.52.v20230823', -1],
  ['2.14.0-rc1', '2.14.0', -1],
  ['1.0-20230101.123456-1', '1.0', 1], // a number after '-' is newer than no suffix
];

test('maven orders versions as ComparableVersion does', () => {
  assertTable(mavenScheme, TABLE);
});

test('maven refuses only the empty version', () => {
  assertInvalid(mavenScheme, ['']);
});

const version = joined(
  ['0', '1', '2', '10', 'a', 'x'],
  [
    '0',
    '1',
    '2',
    '10',
    '01',
    '.',
    '.',
    '-',
    '-',
    'a',
    'b',
    'm',
    'alpha',
    'beta',
    'rc',
    'cr',
    'snapshot',
    'SNAPSHOT',
    'ga',
    'final',
    'Final',
    'release',
    'sp',
    'foo',
    'x',
  ],
  8,
);

// Debian's libmaven3-core-java; ComparableVersion's main compares each argument with the previous one
const JAR = '/usr/share/java/maven-artifact-3.x.jar';

function comparableVersion(pairs: Pair[]): number[] {
  const r = spawnSync('java', ['-cp', JAR, 'org.apache.maven.artifact.versioning.ComparableVersion', ...pairs.flat()], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`ComparableVersion failed: ${r.stderr}`);
  const results = r.stdout.split('\n').filter((l) => l.startsWith('   '));
  return pairs.map(([a, b], i) => {
    const op = results[2 * i]!.slice(3 + a.length + 1, -(b.length + 1));
    return op === '<' ? -1 : op === '==' ? 0 : 1;
  });
}

test('maven agrees with Maven ComparableVersion on generated versions', (t) => {
  if (!requireAll(t, { java: have('java'), [`${JAR} (Debian libmaven3-core-java)`]: existsSync(JAR) })) return;
  agreesWithOracle(mavenScheme, version, comparableVersion);
});
