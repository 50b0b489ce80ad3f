import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../src/core/tempdir.js';
import { listAudit } from '../../src/server/audit/listing.js';
import { openStore } from '../../src/server/store/open.js';
import { sql } from 'kysely';
import { bulwark } from '../support/fixtures.js';
import { have, requireAll } from '../support/require.js';
import { pinnedLargePost, pinnedRequest, startServer } from '../support/server-process.js';

// The real `bulwark server` process on a loopback ephemeral port over HTTPS, pinned to the
// fingerprint it prints: probes, tokens, body limit, rate limit, certificate reuse, SIGTERM.

const TOKEN = 'e2e-admin-token-0123456789abcdef';

test('bulwark server: pinned HTTPS, tokens, 413, 429, the same certificate after a restart, SIGTERM exits 0', async (t) => {
  if (!requireAll(t, { openssl: have('openssl') })) return;
  const tmp = await makeTempDir();
  const dataDir = join(tmp.path, 'data');
  const args = ['--data-dir', dataDir, '--listen', '127.0.0.1:0'];
  try {
    const server = await startServer(args, { BULWARK_ADMIN_TOKEN: TOKEN });
    try {
      assert.match(server.stderr(), /TLS certificate generated/);
      assert.equal(statSync(join(dataDir, 'server.key')).mode & 0o777, 0o600);
      const get = (path: string, token?: string) => pinnedRequest(server, path, token ? { token } : {});
      assert.deepEqual(JSON.parse((await get('/healthz')).body), { status: 'ok' });
      assert.deepEqual(JSON.parse((await get('/readyz')).body), { status: 'ready' });
      const me = await get('/api/v1/whoami', TOKEN);
      assert.equal(me.status, 200);
      assert.equal(JSON.parse(me.body).role, 'admin');
      const anon = await get('/api/v1/whoami');
      assert.equal(anon.status, 401);
      assert.equal(JSON.parse(anon.body).error.code, 'UNAUTHENTICATED');

      const size = 10_000_000;
      const big = await pinnedLargePost(server, '/api/v1/audit/notes', TOKEN, size);
      assert.equal(big.status, 413);
      assert.equal(JSON.parse(big.body).error.code, 'TOO_LARGE');
      assert.ok(big.sent < size, `answered before the whole body was sent (${big.sent} bytes sent)`);
      const note = await pinnedRequest(server, '/api/v1/audit/notes', {
        method: 'POST',
        token: TOKEN,
        body: JSON.stringify({ message: 'e2e note' }),
      });
      assert.equal(note.status, 201);

      // one failure so far (the anonymous whoami); the default allows 10 per minute
      for (let i = 1; i <= 9; i++)
        assert.equal((await get('/api/v1/whoami', `wrong-${i}-token`)).status, 401, `bad token ${i}`);
      const limited = await get('/api/v1/whoami', 'wrong-10-token');
      assert.equal(limited.status, 429);
      assert.equal(JSON.parse(limited.body).error.code, 'RATE_LIMITED');
      assert.ok(Number(limited.headers['retry-after']) > 0);
      assert.equal((await get('/api/v1/whoami', TOKEN)).status, 429, 'the address waits, whatever it sends');
      assert.equal((await get('/healthz')).status, 200, 'probes are never limited');

      assert.equal(await server.stop(), 0, `SIGTERM exits 0: ${server.stderr()}`);
      assert.ok(!server.stdout().includes(TOKEN), 'the token is in the log');
      assert.match(server.stdout(), /"msg":"incoming request"/);
      const store = await openStore({ dataDir });
      const audit = await listAudit(store);
      await store.close();
      assert.ok(!JSON.stringify(audit).includes(TOKEN));
      const actions = audit.map((e) => e.action);
      assert.equal(actions.filter((a) => a === 'auth.invalid').length, 9);
      assert.equal(actions.filter((a) => a === 'auth.rate_limited').length, 1);
      assert.ok(audit.some((e) => e.action === 'audit.note' && e.details.note === 'e2e note'));
    } finally {
      await server.stop();
    }

    const again = await startServer(args, { BULWARK_ADMIN_TOKEN: TOKEN });
    try {
      assert.match(again.stderr(), /TLS certificate reused/);
      assert.equal(again.fingerprint, server.fingerprint, 'the same certificate');
      assert.equal((await pinnedRequest(again, '/api/v1/whoami', { token: TOKEN })).status, 200);
      await assert.rejects(
        pinnedRequest({ ...again, fingerprint: 'AA:'.repeat(31) + 'AA' }, '/healthz'),
        /not pinned/,
        'another pin is refused',
      );
    } finally {
      assert.equal(await again.stop(), 0);
    }
  } finally {
    await tmp.remove();
  }
});

test('bulwark server: a token made on the host works with its role only; audit verify finds an edited entry; backup and restore', async (t) => {
  if (!requireAll(t, { openssl: have('openssl') })) return;
  const tmp = await makeTempDir();
  const dataDir = join(tmp.path, 'data');
  try {
    const made = bulwark([
      'server',
      'token',
      'create',
      '--role',
      'viewer',
      '--name',
      'dashboards',
      '--data-dir',
      dataDir,
    ]);
    assert.equal(made.code, 0, made.stderr);
    const secret = made.stdout.trim();
    assert.match(secret, /^bwk_[A-Za-z0-9_-]{43}$/);
    const server = await startServer(['--data-dir', dataDir, '--listen', '127.0.0.1:0'], {});
    try {
      assert.match(server.stderr(), /store sqlite/);
      const me = await pinnedRequest(server, '/api/v1/whoami', { token: secret });
      assert.equal(me.status, 200);
      assert.deepEqual([JSON.parse(me.body).role, JSON.parse(me.body).name], ['viewer', 'dashboards']);
      const note = await pinnedRequest(server, '/api/v1/audit/notes', {
        method: 'POST',
        token: secret,
        body: JSON.stringify({ message: 'not mine to write' }),
      });
      assert.equal(note.status, 403);
      const verified = await pinnedRequest(server, '/api/v1/audit/verify', { token: secret });
      assert.equal(JSON.parse(verified.body).ok, true);
      assert.ok(!server.stdout().includes(secret), 'the token is in the log');
    } finally {
      assert.equal(await server.stop(), 0);
    }
    const listed = bulwark(['server', 'token', 'list', '--data-dir', dataDir]);
    assert.match(listed.stdout, /\tviewer\tdashboards\t/);
    assert.ok(!listed.stdout.includes(secret), 'list shows no secret');
    const intact = bulwark(['server', 'audit', 'verify', '--data-dir', dataDir]);
    assert.equal(intact.code, 0, intact.stdout + intact.stderr);
    // token.create, and the refused note (auth.forbidden)
    assert.match(intact.stdout, /intact: 2 entries/);

    // a consistent copy, restored into a fresh data dir, answers the same
    const copy = join(tmp.path, 'backup.db');
    assert.equal(bulwark(['server', 'backup', '--to', copy, '--data-dir', dataDir]).code, 0);
    const fresh = join(tmp.path, 'fresh');
    const restored = bulwark(['server', 'restore', '--from', copy, '--data-dir', fresh]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.equal(bulwark(['server', 'audit', 'verify', '--data-dir', fresh]).code, 0);
    assert.match(bulwark(['server', 'token', 'list', '--data-dir', fresh]).stdout, /\tviewer\tdashboards\t/);
    assert.equal(bulwark(['server', 'restore', '--from', copy, '--data-dir', fresh]).code, 2, 'not over a store');

    // an edited entry: the raw file changed behind the server's back
    const store = await openStore({ dataDir });
    await sql`UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2`.execute(store.db);
    await store.close();
    const broken = bulwark(['server', 'audit', 'verify', '--data-dir', dataDir]);
    assert.equal(broken.code, 1, broken.stdout + broken.stderr);
    assert.match(broken.stdout, /broken at entry 2: AUDIT_EDITED/);
  } finally {
    await tmp.remove();
  }
});
