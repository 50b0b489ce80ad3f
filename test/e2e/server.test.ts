import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../src/core/tempdir.js';
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
      const audit = readFileSync(join(dataDir, 'audit.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.ok(!JSON.stringify(audit).includes(TOKEN));
      const actions = audit.map((e: { action: string }) => e.action);
      assert.equal(actions.filter((a: string) => a === 'auth.invalid').length, 9);
      assert.equal(actions.filter((a: string) => a === 'auth.rate_limited').length, 1);
      assert.ok(
        audit.some(
          (e: { action: string; detail?: { note: string } }) =>
            e.action === 'audit.note' && e.detail?.note === 'e2e note',
        ),
      );
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
