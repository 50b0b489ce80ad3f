import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from './tempdir.js';
import { requireAll } from '../../test/support/require.js';
import { ensureStateDir, readPrivateFile, writePrivateFile } from './private-file.js';

test("the state directory: created 0700 when missing; refused when a link, writable by others or someone else's", async (t) => {
  const tmp = await makeTempDir();
  try {
    const fresh = join(tmp.path, 'new', 'state');
    ensureStateDir(fresh);
    assert.equal(lstatSync(fresh).mode & 0o777, 0o700);
    ensureStateDir(fresh); // again: fine

    const real = join(tmp.path, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, join(tmp.path, 'link'));
    assert.throws(() => ensureStateDir(join(tmp.path, 'link')), { code: 'UNSAFE_PATH' });
    for (const mode of [0o777, 0o770, 0o702]) {
      chmodSync(real, mode);
      assert.throws(() => ensureStateDir(real), { code: 'UNSAFE_PATH' }, mode.toString(8));
    }
    chmodSync(real, 0o755);
    ensureStateDir(real); // readable by others is fine: nothing secret is kept in it by name
    writeFileSync(join(tmp.path, 'file'), '');
    assert.throws(() => ensureStateDir(join(tmp.path, 'file')), { code: 'UNSAFE_PATH' });
    if (requireAll(t, { root: process.getuid?.() === 0 })) {
      chownSync(real, 65534, 65534);
      assert.throws(() => ensureStateDir(real), { code: 'UNSAFE_PATH' });
    }
  } finally {
    await tmp.remove();
  }
});

test('secrets files: refused when group or others may read them, or when a link; private ones are read', async () => {
  const tmp = await makeTempDir();
  try {
    const f = join(tmp.path, 'sinks.yaml');
    writeFileSync(f, 'x', { mode: 0o600 });
    assert.equal(readPrivateFile(f, { secret: true }), 'x');
    for (const mode of [0o640, 0o604, 0o620, 0o644]) {
      chmodSync(f, mode);
      assert.throws(() => readPrivateFile(f, { secret: true }), { code: 'UNSAFE_PATH' }, mode.toString(8));
    }
    chmodSync(f, 0o600);
    symlinkSync(f, join(tmp.path, 'link.yaml'));
    assert.throws(() => readPrivateFile(join(tmp.path, 'link.yaml'), { secret: true }), { code: 'UNSAFE_PATH' });
    assert.equal(readPrivateFile(join(tmp.path, 'none')), undefined);
    writePrivateFile(join(tmp.path, 'out'), 'data');
    assert.equal(readFileSync(join(tmp.path, 'out'), 'utf8'), 'data');
    assert.deepEqual(
      readdirSync(tmp.path).filter((n) => n.includes('out')),
      ['out'],
      'no temp file left',
    );
  } finally {
    await tmp.remove();
  }
});
