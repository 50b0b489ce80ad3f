import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
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
    for (const exe of ['/usr/sbin/nginx', '/bin/sh', '/usr/sbin/nginx']) assert.deepEqual(s.observe(key, exe), { violation: false, block: false });
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
    assert.deepEqual(s.observe(key, '/bin/sh'), { violation: true, block: true, reason: '/bin/sh matches deny pattern /bin/sh' });
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
