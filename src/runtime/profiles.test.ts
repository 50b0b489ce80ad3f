import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
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
