import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../core/tempdir.js';
import { ProfileStore } from './profiles.js';

test('profiles: learn records, monitor alerts, protect blocks; deny patterns always block; kept across restarts', async () => {
  const tmp = await makeTempDir();
  try {
    const file = join(tmp.path, 'profiles.json');
    const s = new ProfileStore(file);
    const key = 'image:sha256:abc';
    assert.equal(s.mode(key), 'learn');
    for (const exe of ['/usr/sbin/nginx', '/bin/sh', '/usr/sbin/nginx'])
      assert.deepEqual(s.observe(key, exe), { violation: false, block: false });
    assert.deepEqual(s.allowed(key), ['/bin/sh', '/usr/sbin/nginx']);
    s.setMode(key, 'monitor');
    assert.deepEqual(s.observe(key, '/usr/sbin/nginx'), { violation: false, block: false });
    const alert = s.observe(key, '/tmp/xmrig');
    assert.equal(alert.violation, true);
    assert.equal(alert.block, false);
    assert.match(alert.reason!, /\/tmp\/xmrig is not in the learned profile of image:sha256:abc \(2 programs\)/);
    assert.deepEqual(s.allowed(key), ['/bin/sh', '/usr/sbin/nginx'], 'monitor learns nothing');
    s.setMode(key, 'protect');
    assert.equal(s.observe(key, '/tmp/xmrig').block, true);
    s.setDeny(key, ['/bin/sh']);
    assert.deepEqual(s.observe(key, '/bin/sh'), {
      violation: true,
      block: true,
      reason: '/bin/sh matches deny pattern /bin/sh',
    });
    s.save();
    const again = new ProfileStore(file);
    assert.equal(again.mode(key), 'protect');
    assert.deepEqual(again.allowed(key), ['/bin/sh', '/usr/sbin/nginx']);
    assert.equal(again.observe(key, '/bin/sh').block, true);
    assert.equal(again.observe('other', '/bin/anything').violation, false, 'an unknown workload starts learning');
    writeFileSync(file, '{"version":2}');
    assert.throws(() => new ProfileStore(file), /profiles\.json: unexpected content/);
  } finally {
    await tmp.remove();
  }
});

test('profiles: a learning period ends in the mode asked for; only changes are saved; edits of the file by another process are taken in', async () => {
  const tmp = await makeTempDir();
  try {
    const file = join(tmp.path, 'profiles.json');
    const agent = new ProfileStore(file);
    let changes = 0;
    agent.onChange = () => changes++;
    agent.observe('image:a', '/bin/sh');
    assert.equal(changes, 0, 'learning a program changes no decision already made');
    agent.saveIfChanged();
    const first = statSync(file).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    agent.observe('image:a', '/bin/sh'); // known already: nothing to write
    agent.saveIfChanged();
    assert.equal(statSync(file).mtimeMs, first);

    const start = Date.parse(agent.list()[0]!.learnedSince);
    assert.deepEqual(agent.endLearning(60_000, 'protect', start + 59_000), []);
    assert.deepEqual(agent.endLearning(60_000, 'protect', start + 60_000), ['image:a']);
    assert.equal(agent.observe('image:a', '/bin/nc').block, true);
    assert.equal(changes, 1, 'the end of learning is a change');
    agent.saveIfChanged();

    // an operator (another process) sets a mode while the agent runs
    assert.equal(agent.reloadIfEdited(), false, 'its own save is not an edit');
    await new Promise((r) => setTimeout(r, 20));
    const operator = new ProfileStore(file);
    operator.setMode('image:a', 'monitor');
    operator.save();
    assert.equal(agent.reloadIfEdited(), true);
    assert.equal(agent.mode('image:a'), 'monitor');
    assert.equal(changes, 2, 'an edit taken in is a change');
    assert.deepEqual(
      agent.list().map((p) => [p.key, p.mode, p.programs]),
      [['image:a', 'monitor', 1]],
    );
    assert.equal(agent.reloadIfEdited(), false);
  } finally {
    await tmp.remove();
  }
});

test('file profiles: learn records program and access, monitor alerts, protect refuses; a read-only entry refuses writes', async () => {
  const tmp = await makeTempDir();
  try {
    const file = join(tmp.path, 'profiles.json');
    const s = new ProfileStore(file);
    const key = 'image:sha256:abc';
    const allow = { violation: false, block: false };
    assert.deepEqual(s.observeFile(key, '/etc/passwd', '/bin/busybox', 'read'), allow);
    assert.deepEqual(s.observeFile(key, '/etc/app.conf', '/usr/bin/app', 'write'), allow);
    assert.deepEqual(s.observeFile(key, '/etc/app.conf', '/usr/bin/app', 'read'), allow, 'write covers read');
    assert.deepEqual(s.files(key), [
      { path: '/etc/app.conf', programs: [{ program: '/usr/bin/app', access: 'write' }] },
      { path: '/etc/passwd', programs: [{ program: '/bin/busybox', access: 'read' }] },
    ]);
    s.setMode(key, 'monitor');
    assert.deepEqual(s.observeFile(key, '/etc/passwd', '/bin/busybox', 'read'), allow);
    const write = s.observeFile(key, '/etc/passwd', '/bin/busybox', 'write');
    assert.equal(write.violation, true);
    assert.equal(write.block, false);
    assert.match(write.reason!, /\/bin\/busybox may only read \/etc\/passwd/);
    const other = s.observeFile(key, '/etc/passwd', '/usr/bin/app', 'read');
    assert.equal(other.violation, true, 'another program reading is not listed');
    assert.equal(s.files(key).length, 2, 'monitor learns nothing');
    s.setMode(key, 'protect');
    assert.equal(s.observeFile(key, '/etc/passwd', '/bin/busybox', 'write').block, true);
    assert.equal(s.observeFile(key, '/etc/shadow', '/bin/busybox', 'read').block, true);
    assert.equal(s.observeFile(key, '/etc/app.conf', '/usr/bin/app', 'write').block, false);
    s.save();
    const again = new ProfileStore(file);
    assert.deepEqual(again.files(key), s.files(key));
    assert.equal(again.observeFile(key, '/etc/passwd', '/bin/busybox', 'write').block, true);
    assert.equal(again.list()[0]!.files, 2);
  } finally {
    await tmp.remove();
  }
});

test('file profiles: a version-1 profile file (programs only) still loads, with no files, and is saved as version 2', async () => {
  const tmp = await makeTempDir();
  try {
    const file = join(tmp.path, 'profiles.json');
    // the format written before file profiles existed
    const v1 = {
      version: 1,
      profiles: {
        'image:sha256:old': {
          mode: 'protect',
          allowed: ['/bin/sh'],
          deny: [],
          learnedSince: '2025-01-01T00:00:00.000Z',
        },
      },
    };
    writeFileSync(file, JSON.stringify(v1), { mode: 0o600 });
    const s = new ProfileStore(file);
    assert.equal(s.mode('image:sha256:old'), 'protect');
    assert.deepEqual(s.allowed('image:sha256:old'), ['/bin/sh']);
    assert.deepEqual(s.files('image:sha256:old'), []);
    assert.equal(s.observeFile('image:sha256:old', '/etc/passwd', '/bin/sh', 'write').block, true);
    s.save();
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { version: number };
    assert.equal(saved.version, 2);
    assert.deepEqual(new ProfileStore(file).allowed('image:sha256:old'), ['/bin/sh']);
  } finally {
    await tmp.remove();
  }
});

test('shell parents: learn records the programs that start shells; afterwards a known program starting its first shell is flagged; kept across restarts', async () => {
  const tmp = await makeTempDir();
  try {
    const file = join(tmp.path, 'profiles.json');
    const s = new ProfileStore(file);
    const key = 'image:sha256:web';
    for (const exe of ['/usr/bin/worker', '/usr/sbin/server']) s.observe(key, exe);
    assert.equal(s.shellFromUnlearnedParent(key, '/usr/bin/worker'), false, 'learning');
    s.setMode(key, 'monitor');
    assert.equal(s.shellFromUnlearnedParent(key, '/usr/bin/worker'), false, 'it started shells while learning');
    assert.equal(s.shellFromUnlearnedParent(key, '/usr/sbin/server'), true, 'it never did');
    assert.equal(
      s.shellFromUnlearnedParent(key, '/tmp/dropped'),
      false,
      'not a program of the profile (drift says the rest)',
    );
    s.save();
    const again = new ProfileStore(file);
    assert.equal(again.shellFromUnlearnedParent(key, '/usr/bin/worker'), false);
    assert.equal(again.shellFromUnlearnedParent(key, '/usr/sbin/server'), true);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).profiles[key].shellParents, ['/usr/bin/worker']);
  } finally {
    await tmp.remove();
  }
});
