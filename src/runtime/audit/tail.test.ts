import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, rename, writeFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '../../core/tempdir.js';
import { holdsThroughout, waitUntil } from '../../../test/support/wait.js';
import { tailFile } from './tail.js';

test('tail: from the end, across rotation and truncation, and a file that appears later', async () => {
  const tmp = await makeTempDir('bulwark-tail-');
  try {
    const path = join(tmp.path, 'audit.log');
    await writeFile(path, 'old\n');
    let got = '';
    const errors: Error[] = [];
    const tail = await tailFile({
      path,
      fromEnd: true,
      onData: (b) => (got += b.toString()),
      onError: (e) => errors.push(e),
      intervalMs: 1000,
    });
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
    const t2 = await tailFile({
      path: later,
      fromEnd: true,
      onData: (b) => (got2 += b.toString()),
      onError: (e) => errors.push(e),
      intervalMs: 5,
    });
    await writeFile(later, 'a\n');
    for (let i = 0; i < 200 && got2 === ''; i++) await new Promise((r) => setTimeout(r, 5));
    await t2.stop();
    assert.equal(got2, 'a\n', 'a file created after the start is read from its beginning');
  } finally {
    await tmp.remove();
  }
});

test('tail: a quiet file is watched, not polled; a write after a quiet spell is read on the inotify wake-up, not by the slow poll', async () => {
  const tmp = await makeTempDir('bulwark-tail-');
  try {
    const path = join(tmp.path, 'audit.log');
    await writeFile(path, '');
    let reads = 0;
    let got = '';
    const tail = await tailFile({
      path,
      fromEnd: true,
      onData: (b) => ((got += b.toString()), reads++),
      onError: (e) => assert.fail(e),
      intervalMs: 25,
    });
    try {
      for (let i = 0; i < 3; i++) {
        // the scenario's quiet spell, not a wait before an assertion: after 4 empty polls
        // (100 ms) the tail waits on inotify, its slow poll 5 s away
        await new Promise((r) => setTimeout(r, 300));
        const polls = tail.polls;
        // and stays quiet: no reads over the next 300 ms (polling every 25 ms would make 12)
        await holdsThroughout('no reads while the file is quiet', 300, () => assert.equal(tail.polls, polls), 25);
        await appendFile(path, `line ${i}\n`);
        // waited for up to 10 s, beyond the 5 s slow poll: slowPolls says which delivered it
        await waitUntil(`write ${i} delivered`, () => reads > i, { intervalMs: 2 });
        assert.equal(tail.slowPolls, 0, `write ${i} was read on the inotify wake-up, not by the slow poll`);
      }
      // a burst is read in batches, not a read per write
      for (let i = 0; i < 200; i++) await appendFile(path, `burst ${i}\n`);
      for (const until = Date.now() + 3000; !got.includes('burst 199\n') && Date.now() < until;)
        await new Promise((r) => setTimeout(r, 5));
      assert.ok(got.endsWith('burst 199\n'));
      assert.ok(reads < 3 + 200, `${reads - 3} reads for 200 writes`);
    } finally {
      await tail.stop();
    }
  } finally {
    await tmp.remove();
  }
});
