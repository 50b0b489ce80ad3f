import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageCopies } from './image-copy.js';

// Layers as overlay2 keeps them (topmost first) in a temporary directory.

function layers(): { root: string; upper: string; lower: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'image-copy-'));
  const dirs = ['upper', 'top', 'base'].map((d) => join(root, d));
  for (const d of dirs) mkdirSync(join(d, 'bin'), { recursive: true });
  return { root, upper: dirs[0]!, lower: dirs.slice(1) };
}

test("the same bytes as the image's file are a copy; other bytes, sizes, or no image file are not", async () => {
  const { root, upper, lower } = layers();
  try {
    writeFileSync(join(lower[1]!, 'bin', 'tool'), 'old program');
    writeFileSync(join(lower[0]!, 'bin', 'tool'), 'the program'); // the top layer wins
    const copies = new ImageCopies();
    const same = (): Promise<boolean> => copies.sameAsImage(join(upper, 'bin', 'tool'), lower, '/bin/tool', upper);
    writeFileSync(join(upper, 'bin', 'tool'), 'the program');
    utimesSync(join(upper, 'bin', 'tool'), 0, 0); // touch -d: metadata only
    assert.equal(await same(), true);
    assert.equal(await same(), true);
    assert.equal(copies.stats.cached, 1, 'the second answer from the cache');
    assert.equal(copies.stats.hashed, 2, 'each side hashed once');
    writeFileSync(join(upper, 'bin', 'tool'), 'the progrAm'); // same size, a byte changed
    // (inode times tick coarsely, ~4 ms: a write within the same tick as the cached look keeps
    // them, so the test says that time passed)
    utimesSync(join(upper, 'bin', 'tool'), 1, 1);
    assert.equal(await same(), false, 'the cache holds per size, mtime and ctime: asked again');
    writeFileSync(join(upper, 'bin', 'tool'), 'old program'); // a lower layer's bytes, hidden by the top one
    utimesSync(join(upper, 'bin', 'tool'), 2, 2);
    assert.equal(await same(), false);
    writeFileSync(join(upper, 'bin', 'new'), 'the program');
    assert.equal(await copies.sameAsImage(join(upper, 'bin', 'new'), lower, '/bin/new', upper), false, 'no image file');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a symlink leading out of the layer, or anything but a regular file, is never a copy', async () => {
  const { root, upper, lower } = layers();
  try {
    const outside = join(root, 'outside');
    writeFileSync(outside, 'the program');
    writeFileSync(join(lower[0]!, 'bin', 'tool'), 'the program');
    symlinkSync(outside, join(upper, 'bin', 'link'));
    mkdirSync(join(upper, 'evil'));
    symlinkSync(join(root, 'top', 'bin'), join(upper, 'evil', 'bin'));
    const copies = new ImageCopies();
    assert.equal(await copies.sameAsImage(join(upper, 'bin', 'link'), lower, '/bin/tool', upper), false);
    assert.equal(await copies.sameAsImage(join(upper, 'evil', 'bin', 'tool'), lower, '/bin/tool', upper), false);
    // the image's entry is a directory (or a whiteout): the image has no such program
    mkdirSync(join(lower[0]!, 'bin', 'dir'));
    writeFileSync(join(lower[1]!, 'bin', 'dir'), 'the program');
    writeFileSync(join(upper, 'bin', 'dir2'), 'the program');
    assert.equal(await copies.sameAsImage(join(upper, 'bin', 'dir2'), lower, '/bin/dir', upper), false);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
