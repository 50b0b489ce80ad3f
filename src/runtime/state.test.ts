import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../core/tempdir.js';
import { requireAll } from '../testing/require.js';
import { ProfileStore } from './profiles.js';
import { ensureStateDir, readPrivateFile, writePrivateFile } from './state.js';

// bulwark-test: exclusive (one test starts the agent, which would run auditd if the state-dir check regressed)

test('the state directory: created 0700 when missing; refused when a link, writable by others or someone else\'s', async (t) => {
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

test('the agent refuses a state directory that is a link before it starts anything', async () => {
  const tmp = await makeTempDir();
  try {
    mkdirSync(join(tmp.path, 'real'), { mode: 0o700 });
    symlinkSync(join(tmp.path, 'real'), join(tmp.path, 'link'));
    const { startAgent } = await import('./agent.js');
    const r = await startAgent({ stateDir: join(tmp.path, 'link'), forkGuard: false, onError: () => undefined }).then(async (a) => {
      await a.stop();
      return new Error('started');
    }, (e: unknown) => e);
    assert.equal((r as { code?: string }).code, 'UNSAFE_PATH', String(r));
  } finally {
    await tmp.remove();
  }
});

test('profiles are written whole, 0600, never through a link planted beside or at their name', async () => {
  const tmp = await makeTempDir();
  try {
    const file = join(tmp.path, 'profiles.json');
    const victim = join(tmp.path, 'victim');
    writeFileSync(victim, 'untouched\n');
    // where a temp file of a predictable name would go
    symlinkSync(victim, `${file}.${process.pid}.partial`);
    const store = new ProfileStore(file);
    store.observe('image:sha256:a', '/bin/sh');
    store.save();
    assert.equal(readFileSync(victim, 'utf8'), 'untouched\n');
    assert.equal(lstatSync(file).mode & 0o777, 0o600);
    assert.deepEqual(new ProfileStore(file).allowed('image:sha256:a'), ['/bin/sh']);
    assert.deepEqual(readdirSync(tmp.path).sort(), ['profiles.json', 'profiles.json.' + process.pid + '.partial', 'victim'].sort(), 'no temp file left');

    // a link at the file's own name is refused when read
    const linked = join(tmp.path, 'linked');
    mkdirSync(linked);
    symlinkSync(victim, join(linked, 'profiles.json'));
    assert.throws(() => new ProfileStore(join(linked, 'profiles.json')), { code: 'UNSAFE_PATH' });
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
    assert.deepEqual(readdirSync(tmp.path).filter((n) => n.includes('out')), ['out'], 'no temp file left');
  } finally {
    await tmp.remove();
  }
});
