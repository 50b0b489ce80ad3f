import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseCargoLock } from './cargolock.js';
import { throwsCode } from '../../../test/support/codes.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const CRATES_IO = 'registry+https://github.com/rust-lang/crates.io-index';

test('Cargo.lock versions 3 and 4 from cargo itself: every package, workspace members without a source', () => {
  const v4 = parseCargoLock(fixture('Cargo.v4.lock'));
  const v3 = parseCargoLock(fixture('Cargo.v3.lock'));
  assert.equal(v4.version, 4);
  assert.equal(v3.version, 3);
  assert.deepEqual(v3.packages, v4.packages);
  assert.deepEqual(v4.packages, [
    { name: 'demo-app', version: '0.3.1' },
    { name: 'itoa', version: '1.0.1', source: CRATES_IO },
    { name: 'ryu', version: '1.0.2', source: CRATES_IO },
    { name: 'serde', version: '1.0.152', source: CRATES_IO },
    { name: 'serde_json', version: '1.0.87', source: CRATES_IO },
    { name: 'util', version: '0.1.0' },
  ]);
});

test('version 1 (checksums in [metadata]), git and other-registry sources (hand-written)', () => {
  const lock = parseCargoLock(`[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "rand 0.8.5 (git+https://github.com/rust-random/rand?branch=master#a1b2c3d4e5f60718293a4b5c6d7e8f9012345678)",
 "internal 2.0.0 (sparse+https://cargo.example.com/index/)",
]

[[package]]
name = "rand"
version = "0.8.5"
source = "git+https://github.com/rust-random/rand?branch=master#a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"

[[package]]
name = "internal"
version = "2.0.0"
source = "sparse+https://cargo.example.com/index/"

[metadata]
"checksum internal 2.0.0 (sparse+https://cargo.example.com/index/)" = "0000000000000000000000000000000000000000000000000000000000000000"
`);
  assert.equal(lock.version, undefined);
  assert.deepEqual(
    lock.packages.map((p) => [p.name, p.source ?? '']),
    [
      ['app', ''],
      ['rand', 'git+https://github.com/rust-random/rand?branch=master#a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'],
      ['internal', 'sparse+https://cargo.example.com/index/'],
    ],
  );
});

test('malformed lockfiles fail with the reason', () => {
  throwsCode(() => parseCargoLock('[[package]\nname = "a"'), 'CORRUPT', 'Cargo.lock');
  throwsCode(() => parseCargoLock('[[package]]\nname = "a"\n'), 'CORRUPT', 'Cargo.lock');
  throwsCode(() => parseCargoLock('package = "x"\n'), 'CORRUPT', 'Cargo.lock');
  assert.deepEqual(parseCargoLock('# empty workspace\nversion = 4\n'), { version: 4, packages: [] });
});

test('property: any text either parses or fails with an Error', () => {
  const piece = fc.constantFrom(
    '[[package]]\n',
    'name = "a"\n',
    'version = "1.0.0"\n',
    'source = "registry+x"\n',
    'version = 4\n',
    '[metadata]\n',
    '"',
    '=',
    '[',
    ']',
    '\n',
  );
  fc.assert(
    fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 8 })), { maxLength: 30 }), (parts) => {
      try {
        parseCargoLock(parts.join(''));
      } catch (e) {
        assert.ok(e instanceof Error);
      }
    }),
    { numRuns: 200 },
  );
});
