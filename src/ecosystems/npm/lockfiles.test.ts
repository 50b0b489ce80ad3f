import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NpmEntry } from './entry.js';
import { parsePackageLock } from './package-lock.js';
import { keyToSpec, parsePnpmLock } from './pnpm-lock.js';
import { parseYarnLock } from './yarn-lock.js';
import { throwsCode } from '../../../test/support/codes.js';

// Every lockfile under fixtures/lockfiles was written by the real tool from the same
// package.json (see fixtures/README.md), so all must agree on what is locked.

const DIR = join(import.meta.dirname, 'fixtures', 'lockfiles');
const read = (f: string): Buffer => readFileSync(join(DIR, f));
const list = (es: NpmEntry[]): string[] => es.map((e) => `${e.name}@${e.version}${e.dev ? ' dev' : ''}`).sort();

const LOCKED = [
  '@babel/helper-string-parser@7.29.14',
  'debug@2.6.9',
  'debug@4.4.0', // installed as "debug4" through an npm: alias
  'is-number@7.0.0 dev',
  'js-tokens@4.0.0',
  'loose-envify@1.4.0',
  'ms@2.0.0', // nested under debug@2.6.9
  'ms@2.1.3',
  'react@18.2.0',
  'use-sync-external-store@1.2.0', // peer-dependent on react: "(react@18.2.0)" / "_react@18.2.0" in pnpm keys
];
const NO_DEV = LOCKED.map((s) => s.replace(' dev', ''));

const CASES: [string, (p: string, c: Buffer) => NpmEntry[], string[]][] = [
  ['npm-v1/package-lock.json', parsePackageLock, LOCKED],
  ['npm-v2/package-lock.json', parsePackageLock, LOCKED],
  ['npm-v3/package-lock.json', parsePackageLock, LOCKED],
  // the workspace member needs is-number too, so it is no longer dev-only; the member and its link are not dependencies
  ['npm-workspace/package-lock.json', parsePackageLock, NO_DEV],
  ['yarn-v1/yarn.lock', parseYarnLock, NO_DEV], // yarn records no dev flag
  ['yarn-berry/yarn.lock', parseYarnLock, NO_DEV],
  ['pnpm7/pnpm-lock.yaml', parsePnpmLock, LOCKED], // lockfileVersion 5.4
  ['pnpm8/pnpm-lock.yaml', parsePnpmLock, LOCKED], // 6.0
  ['pnpm9/pnpm-lock.yaml', parsePnpmLock, LOCKED], // 9.0: dev worked out from importers and snapshots
];

for (const [file, parse, want] of CASES) {
  test(`${file} locks the fixture project's packages`, () => {
    assert.deepEqual(list(parse(file, read(file))), want);
  });
}

test('package-lock v2 and v3 keep the licence npm copied from each package.json', () => {
  const v3 = parsePackageLock('x', read('npm-v3/package-lock.json'));
  assert.ok(v3.every((e) => e.licenses.join() === 'MIT'));
});

test('pnpm package keys of every lockfile version give name and version without the peer suffix', () => {
  const table: [string, number, [string, string]][] = [
    ['/ms/2.1.3', 5, ['ms', '2.1.3']],
    ['/@babel/core/7.24.0', 5, ['@babel/core', '7.24.0']],
    ['/use-sync-external-store/1.2.0_react@18.2.0', 5, ['use-sync-external-store', '1.2.0']],
    ['/@emotion/react/11.11.1_react@18.2.0+@types+react@18.2.0', 5, ['@emotion/react', '11.11.1']],
    ['/ms@2.1.3', 6, ['ms', '2.1.3']],
    ['/@babel/core@7.24.0', 6, ['@babel/core', '7.24.0']],
    ['/use-sync-external-store@1.2.0(react@18.2.0)', 6, ['use-sync-external-store', '1.2.0']],
    ['ms@2.1.3', 9, ['ms', '2.1.3']],
    ['@types/node@20.1.0', 9, ['@types/node', '20.1.0']],
    ['a@1.0.0(b@2.0.0)(c@3.0.0)', 9, ['a', '1.0.0']],
    ['a@1.0.0_b@2.0.0', 6, ['a', '1.0.0']],
  ];
  for (const [key, major, want] of table) assert.deepEqual(keyToSpec(key, major, 'x'), want, key);
  throwsCode(() => keyToSpec('github.com/u/r/abc', 5, 'x'), 'CORRUPT', 'x');
});

test('packages not from a registry carry their own name and version; local ones are the project, not dependencies', () => {
  const pnpm = `lockfileVersion: '6.0'
packages:
  github.com/u/is-positive/97edff6f:
    resolution: {tarball: https://codeload.github.com/u/is-positive/tar.gz/97edff6f}
    name: is-positive
    version: 3.1.0
    dev: false
  file:packages/local:
    resolution: {directory: packages/local, type: directory}
    name: local
    version: 0.0.1
`;
  assert.deepEqual(list(parsePnpmLock('p', Buffer.from(pnpm))), ['is-positive@3.1.0']);
  const berry = `__metadata:\n  version: 8\n
"app@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "app@workspace:."\n
"lib@link:../lib::locator=app%40workspace%3A.":\n  version: 0.0.0-use.local\n  resolution: "lib@link:../lib::locator=app%40workspace%3A."\n
"resolve@npm:^1.22.0":\n  version: 1.22.8\n  resolution: "resolve@npm:1.22.8"\n
"resolve@patch:resolve@npm%3A^1.22.0#~builtin<compat/resolve>":\n  version: 1.22.8\n  resolution: "resolve@patch:resolve@npm%3A1.22.8#~builtin<compat/resolve>::version=1.22.8&hash=c3c19d"\n`;
  assert.deepEqual(list(parseYarnLock('y', Buffer.from(berry))), ['resolve@1.22.8']);
  const classic = `# yarn lockfile v1\n\n"local@file:../local":\n  version "1.0.0"\n\n"alias@npm:@scope/real":\n  version "2.0.0"\n`;
  assert.deepEqual(list(parseYarnLock('y', Buffer.from(classic))), ['@scope/real@2.0.0']);
  const v1 = JSON.stringify({
    lockfileVersion: 1,
    dependencies: {
      local: { version: 'file:../local' },
      a: { version: '1.0.0', dev: true, dependencies: { b: { version: '2.0.0', dev: true } } },
      b: { version: '2.0.0' },
    },
  });
  // b@2.0.0 is installed twice, once needed at run time: listed once, not dev
  assert.deepEqual(list(parsePackageLock('l', Buffer.from(v1))), ['a@1.0.0 dev', 'b@2.0.0']);
});

test('malformed lockfiles fail with the file named, never a partial list', () => {
  throwsCode(
    () => parsePackageLock('l.json', Buffer.from('{"lockfileVersion":3,"packages":{"node_modules/a":{}}}')),
    'MISSING_FIELD',
    'l.json',
  );
  throwsCode(() => parsePackageLock('l.json', Buffer.from('{"packages":{}}')), 'CORRUPT', 'l.json');
  throwsCode(
    () => parsePackageLock('l.json', Buffer.from('{"lockfileVersion":1,"dependencies":{"a":{}}}')),
    'MISSING_FIELD',
    'l.json',
  );
  throwsCode(() => parseYarnLock('yarn.lock', Buffer.from('a@^1:\n  resolved "x"\n')), 'MISSING_FIELD', 'yarn.lock');
  throwsCode(
    () => parseYarnLock('yarn.lock', Buffer.from('__metadata:\n  version: 8\n"a@npm:1":\n  version: 1\n')),
    'MISSING_FIELD',
    'yarn.lock',
  );
  throwsCode(() => parseYarnLock('yarn.lock', Buffer.from('garbage: [\n')), 'CORRUPT', 'yarn.lock');
  throwsCode(() => parsePnpmLock('pnpm-lock.yaml', Buffer.from('packages: {}\n')), 'UNKNOWN_FORMAT', 'pnpm-lock.yaml');
  throwsCode(
    () => parsePnpmLock('pnpm-lock.yaml', Buffer.from("lockfileVersion: 'x'\n")),
    'UNSUPPORTED',
    'pnpm-lock.yaml',
  );
  assert.throws(
    () => parsePnpmLock('pnpm-lock.yaml', Buffer.from("lockfileVersion: '9.0'\npackages:\n  nover: {}\n")),
    /not name@version/,
  );
});
