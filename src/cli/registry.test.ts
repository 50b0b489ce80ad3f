import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '../core/tempdir.js';
import { RegistryClient } from '../registry/client.js';
import { fakeRegistry, type FakeHandler } from '../../test/support/fake-registry.js';
import { bulwark } from '../../test/support/fixtures.js';

// bulwark registry login/logout as a user runs them, and the login then used by the
// registry client: sent to the registry it was made for, never to another loopback origin.

const PASS = 'tok-3n!x';
let tmp: TempDir;
before(async () => (tmp = await makeTempDir()));
after(() => tmp.remove());

const needsLogin =
  (user: string, pass: string): FakeHandler =>
  (req, res) => {
    if (req.headers.authorization === `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`) return false;
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="r"' }).end();
    return true;
  };

test('registry login stores the login for one host (password from stdin, never shown); logout removes it', async () => {
  const good = await fakeRegistry({}, needsLogin('ci', PASS));
  const hostile = await fakeRegistry({}, needsLogin('ci', PASS));
  const env = { DOCKER_CONFIG: join(tmp.path, 'docker') };
  try {
    const refused = bulwark(['registry', 'login', good.host, '-u', 'ci'], env, `${PASS}\n`);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--password-stdin/);
    const login = bulwark(['registry', 'login', good.host, '-u', 'ci', '--password-stdin'], env, `${PASS}\n`);
    assert.equal(login.code, 0, login.stderr);
    assert.ok(!`${login.stdout}${login.stderr}`.includes(PASS));
    const file = join(env.DOCKER_CONFIG, 'config.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
      auths: { [good.host]: { auth: Buffer.from(`ci:${PASS}`).toString('base64') } },
    });

    for (const reg of [good, hostile]) {
      const c = await RegistryClient.create(reg.host, { insecure: true, tries: 1, env });
      try {
        const ok = await c.blobExists('app', `sha256:${'0'.repeat(64)}`).then(
          () => true,
          () => false,
        );
        assert.equal(ok, reg === good, reg.host);
      } finally {
        c.close();
      }
    }
    assert.deepEqual(
      hostile.auths.filter((a) => a !== undefined),
      [],
    );

    const logout = bulwark(['registry', 'logout', good.host], env);
    assert.equal(logout.code, 0, logout.stderr);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { auths: {} });
  } finally {
    await good.stop();
    await hostile.stop();
  }
});
