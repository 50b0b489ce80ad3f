import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../core/tempdir.js';
import { ProfileStore } from './profiles.js';

// bulwark-test: exclusive (one test starts the agent, which would run auditd if the state-dir check regressed)

test('the agent refuses a state directory that is a link before it starts anything', async () => {
  const tmp = await makeTempDir();
  try {
    mkdirSync(join(tmp.path, 'real'), { mode: 0o700 });
    symlinkSync(join(tmp.path, 'real'), join(tmp.path, 'link'));
    const { startAgent } = await import('./agent.js');
    const r = await startAgent({ stateDir: join(tmp.path, 'link'), forkGuard: false, onError: () => undefined }).then(
      async (a) => {
        await a.stop();
        return new Error('started');
      },
      (e: unknown) => e,
    );
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
    assert.deepEqual(
      readdirSync(tmp.path).sort(),
      ['profiles.json', 'profiles.json.' + process.pid + '.partial', 'victim'].sort(),
      'no temp file left',
    );

    // a link at the file's own name is refused when read
    const linked = join(tmp.path, 'linked');
    mkdirSync(linked);
    symlinkSync(victim, join(linked, 'profiles.json'));
    assert.throws(() => new ProfileStore(join(linked, 'profiles.json')), { code: 'UNSAFE_PATH' });
  } finally {
    await tmp.remove();
  }
});
