import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BulwarkError, ERROR_CODES, errorLine, isBulwarkError } from './errors.js';

test('BulwarkError names its input in the message and keeps the code', () => {
  const e = new BulwarkError('CORRUPT', 'image.tar', 'not a tar archive');
  assert.equal(e.message, 'image.tar: not a tar archive');
  assert.equal(e.code, 'CORRUPT');
  assert.ok(isBulwarkError(e));
  assert.ok(!isBulwarkError(new Error('x')));
});

// Every code in the catalogue is one an error can carry: thrown (or chosen) by production
// code, each with a description of its own that the CLI prints beside it.
const SRC = join(import.meta.dirname, '..');

function productionFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return d.name === 'testing' || d.name === 'fixtures' ? [] : productionFiles(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') && !d.name.endsWith('.testing.ts') ? [p] : [];
  });
}

test('every error code is raised by production code, and has a distinct description', () => {
  const raising = productionFiles(SRC)
    .filter((f) => f !== join(SRC, 'core', 'errors.ts'))
    .map((f) => readFileSync(f, 'utf8'))
    .filter((text) => /\bBulwarkError\(|\bfailStep\(|\bStepFailure\(/.test(text));
  const unused = Object.keys(ERROR_CODES).filter((code) => !raising.some((text) => text.includes(`'${code}'`)));
  assert.deepEqual(unused, [], 'codes no production file that raises errors names');
  const descriptions = Object.values(ERROR_CODES);
  assert.equal(new Set(descriptions).size, descriptions.length, 'descriptions are distinct');
  for (const [code, what] of Object.entries(ERROR_CODES)) {
    assert.match(code, /^[A-Z]+(_[A-Z]+)*$/);
    assert.ok(what.length > 0 && !what.includes('\n'), code);
  }
});

test('the CLI line names the code, its description, the input and the reason on one line', () => {
  assert.equal(
    errorLine(new BulwarkError('TRUNCATED', 'image.tar', 'archive ends inside an entry at byte 10240')),
    'TRUNCATED (truncated data): image.tar: archive ends inside an entry at byte 10240',
  );
  assert.equal(new BulwarkError('CORRUPT', 'a', 'b').reason, 'b');
});
