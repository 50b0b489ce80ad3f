import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCoreMetadata } from './metadata.js';
import { normalizeName, pypiPurl } from './package.js';
import { parsePipfileLock } from './pipfile.js';
import { parsePoetryLock } from './poetry.js';
import { parseRequirements } from './requirements.js';
import { parseUvLock } from './uv.js';
import { longRequirementLines, manyClassifiers } from './fixtures/long-runs.js';
import { throwsCode } from '../../../test/support/codes.js';

test('core metadata: licence from License-Expression, then a one-line License, then classifiers', () => {
  const m = (headers: string): string[] =>
    parseCoreMetadata(`Metadata-Version: 2.4\nName: x\nVersion: 1\n${headers}\n\nLicense: body text is not read\n`)
      .licenses;
  assert.deepEqual(m('License-Expression: Apache-2.0 OR MIT\nLicense: Apache'), ['Apache-2.0 OR MIT']);
  assert.deepEqual(m('License: BSD\nClassifier: License :: OSI Approved :: MIT License'), ['BSD']);
  // a whole licence text in License, continued over lines, is no name
  assert.deepEqual(
    m(
      'License: Copyright (c) 2020\n        Permission is hereby granted\nClassifier: License :: OSI Approved :: MIT License\nClassifier: License :: OSI Approved :: Apache Software License',
    ),
    ['MIT License', 'Apache Software License'],
  );
  assert.deepEqual(m('License: UNKNOWN\nClassifier: License :: OSI Approved'), []);
  assert.deepEqual(m(''), []);
});

test('core metadata: CRLF line ends, and a line that is no header ends the headers as in Python', () => {
  assert.deepEqual(parseCoreMetadata('Name: Foo_Bar\r\nVersion: 2.0\r\nLicense: MIT\r\n'), {
    name: 'Foo_Bar',
    version: '2.0',
    licenses: ['MIT'],
  });
  throwsCode(() => parseCoreMetadata('Name: x\nthis is not a header\nVersion: 1\n'), 'MISSING_FIELD', 'core metadata');
});

test('core metadata without Name and Version, or with a folded one, is an error', () => {
  throwsCode(() => parseCoreMetadata(''), 'MISSING_FIELD', 'core metadata');
  throwsCode(() => parseCoreMetadata('Name: x\n\nVersion: 1\n'), 'MISSING_FIELD', 'core metadata');
  throwsCode(() => parseCoreMetadata('Name: x\nVersion: 1\n  2\n'), 'CORRUPT', 'core metadata');
  throwsCode(() => parseCoreMetadata('  Name: x\n'), 'CORRUPT', 'core metadata');
});

test('requirements: only exact pins count; everything else pip accepts is passed over', () => {
  const text = [
    'flask==3.0.0',
    'Flask == 3.0.0  # duplicate',
    'requests[socks,security]==2.31.0; python_version >= "3.8" \\',
    '    --hash=sha256:aaaa',
    'urllib3>=2',
    'idna',
    'numpy==1.*',
    'six==1.16.0,<2',
    '-e .',
    '--requirement other.txt',
    'pip @ https://example.org/pip.whl',
    '#pytest==8.0.0',
    'version-var==${VERSION}',
    'attrs===23.1.0',
  ].join('\n');
  assert.deepEqual(
    parseRequirements(text).map((p) => `${p.name}@${p.version}`),
    ['flask@3.0.0', 'Flask@3.0.0', 'requests@2.31.0', 'attrs@23.1.0'],
  );
  throwsCode(() => parseRequirements('a==1\0'), 'UNKNOWN_FORMAT');
});

test('poetry.lock 1.1 marks development packages with category "dev"', () => {
  const text =
    '[[package]]\nname = "black"\nversion = "22.3.0"\ncategory = "dev"\noptional = false\n\n[[package]]\nname = "click"\nversion = "8.1.3"\ncategory = "main"\n\n[metadata]\nlock-version = "1.1"\n\n[metadata.files]\nblack = []\nclick = []\n';
  assert.deepEqual(parsePoetryLock(text), [
    { name: 'black', version: '22.3.0', dev: true },
    { name: 'click', version: '8.1.3' },
  ]);
});

test('malformed lockfiles fail with a reason', () => {
  throwsCode(() => parsePoetryLock('[[package]\nname = "x"'), 'CORRUPT', 'poetry.lock');
  throwsCode(() => parsePoetryLock('[[package]]\nname = "x"\n[metadata]\n'), 'CORRUPT', 'poetry.lock');
  throwsCode(() => parsePoetryLock('title = "not a lock"\n'), 'CORRUPT', 'poetry.lock');
  throwsCode(() => parseUvLock('[[package]]\nname = "x"\nversion = "1"\n'), 'CORRUPT', 'uv.lock');
  throwsCode(
    () => parseUvLock('version = 1\n[[package]]\nname = "x"\nsource = { registry = "https://pypi.org/simple" }\n'),
    'MISSING_FIELD',
    'uv.lock',
  );
  throwsCode(() => parsePipfileLock('{"default": {}}'), 'CORRUPT', 'Pipfile.lock');
  throwsCode(() => parsePipfileLock('{"_meta": {}, "default": {"x": {"version": 1}}}'), 'CORRUPT', 'Pipfile.lock');
  throwsCode(() => parsePipfileLock('[1,'), 'CORRUPT', 'Pipfile.lock');
});

test('Pipfile.lock: git and path entries lock no version; a package in both sections is a runtime one', () => {
  const lock = JSON.stringify({
    _meta: { 'pipfile-spec': 6 },
    default: {
      six: { version: '==1.16.0' },
      mylib: { editable: true, path: '.' },
      tool: { git: 'https://example.org/tool.git', ref: 'abc' },
    },
    develop: { six: { version: '==1.16.0' }, pytest: { version: '==8.0.0' } },
  });
  assert.deepEqual(parsePipfileLock(lock), [
    { name: 'six', version: '1.16.0' },
    { name: 'pytest', version: '8.0.0', dev: true },
  ]);
});

test('purls follow PEP 503 normalisation of names', () => {
  assert.equal(normalizeName('Zope.Interface'), 'zope-interface');
  assert.equal(normalizeName('a__b.-c'), 'a-b-c');
  assert.equal(pypiPurl('PyYAML', '6.0'), 'pkg:pypi/pyyaml@6.0');
  assert.equal(pypiPurl('ruamel.yaml.clib', '0.2.8'), 'pkg:pypi/ruamel-yaml-clib@0.2.8');
  assert.equal(pypiPurl('torch', '2.1.0+cpu'), 'pkg:pypi/torch@2.1.0+cpu');
});

/** Any input either parses or throws an Error; nothing else escapes, nothing hangs. */
function parsesOrThrowsError(parse: (text: string) => unknown, text: string): void {
  try {
    parse(text);
  } catch (e) {
    assert.ok(e instanceof Error, `threw a non-Error: ${String(e)}`);
  }
}

test('property: arbitrary and mutated input never escapes as anything but an Error', () => {
  const seeds = [
    'Metadata-Version: 2.1\nName: a\nVersion: 1\nClassifier: License :: OSI Approved :: MIT License\n\nbody',
    '[[package]]\nname = "a"\nversion = "1"\ngroups = ["main"]\n\n[metadata]\nlock-version = "2.1"\n',
    'version = 1\n[[package]]\nname = "a"\nversion = "1"\nsource = { editable = "." }\n',
    '{"_meta": {}, "default": {"a": {"version": "==1"}}}',
    'a==1 \\\n  --hash=sha256:00 ; python_version > "3"\n# c\n-r x.txt\n',
  ];
  const text = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc
      .tuple(fc.constantFrom(...seeds), fc.nat(), fc.nat({ max: 40 }), fc.string({ maxLength: 20 }))
      .map(([s, at, cut, ins]) => {
        const i = at % (s.length + 1);
        return s.slice(0, i) + ins + s.slice(i + cut);
      }),
  );
  const parsers = [parseCoreMetadata, parsePoetryLock, parseUvLock, parsePipfileLock, parseRequirements];
  fc.assert(
    fc.property(text, (t) => parsers.forEach((p) => parsesOrThrowsError(p, t))),
    { numRuns: 200 },
  );
});

test(
  '200,000-character runs of separators and 20,000 classifier lines parse to what they hold',
  { timeout: 120_000 },
  () => {
    // the hang guard is the timeout; the times, and how they grow with the input, are in bench/linear-time.ts
    assert.deepEqual(parseRequirements(longRequirementLines(200_000)), []);
    assert.deepEqual(parseCoreMetadata(manyClassifiers(20_000)), { name: 'a', version: '1', licenses: ['x'] });
  },
);
