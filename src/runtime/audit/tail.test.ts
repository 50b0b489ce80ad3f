import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, rename, writeFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '../../core/tempdir.js';
import { tailFile } from './tail.js';

test('tail: from the end, across rotation and truncation, and a file that appears later', async () => {
  const tmp = await makeTempDir('bulwark-tail-');
  try {
    const path = join(tmp.path, 'audit.log');
    await writeFile(path, 'old\n');
    let got = '';
    const errors: Error[] = [];
    const tail = await tailFile({ path, fromEnd: true, onData: (b) => (got += b.toString()), onError: (e) => errors.push(e), intervalMs: 1000 });
    await appendFile(path, 'one\n');
    await tail.poll();
    assert.equal(got, 'one\n');
    // Rotation: the rest of the old file is read before the new one.
    await appendFile(path, 'two\n');
    await rename(path, `${path}.1`);
    await writeFile(path, 'three\n');
    await tail.poll();
    assert.equal(got, 'one\ntwo\nthree\n');
    assert.equal(tail.rotations, 1);
    await truncate(path, 0);
    await appendFile(path, 'four\n');
    await tail.poll();
    assert.equal(got, 'one\ntwo\nthree\nfour\n');
    await appendFile(path, 'five\n');
    await tail.stop();
    assert.equal(got, 'one\ntwo\nthree\nfour\nfive\n', 'stop reads what is left');
    assert.equal(errors.length, 0, errors.join('; '));

    const later = join(tmp.path, 'later.log');
    let got2 = '';
    const t2 = await tailFile({ path: later, fromEnd: true, onData: (b) => (got2 += b.toString()), onError: (e) => errors.push(e), intervalMs: 5 });
    await writeFile(later, 'a\n');
    for (let i = 0; i < 200 && got2 === ''; i++) await new Promise((r) => setTimeout(r, 5));
    await t2.stop();
    assert.equal(got2, 'a\n', 'a file created after the start is read from its beginning');
  } finally {
    await tmp.remove();
  }
});
