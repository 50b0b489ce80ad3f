import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { makeTempDir } from '../../../core/tempdir.js';
import { appendAudit } from '../../audit/append.js';
import { openStore } from '../../store/open.js';
import { bearer, testApp, testDeps } from '../deps.testing.js';

test('GET /api/v1/audit/verify: an intact chain, then the edited entry named; no store: 503', async () => {
  const dir = await makeTempDir('bulwark-audit-route-');
  const store = await openStore({ dataDir: dir.path });
  try {
    for (const action of ['token.create', 'registry.add', 'policy.update'])
      await appendAudit(store, { actor: 'alice', action, target: 'x', remote: '127.0.0.1' });
    const { app } = testApp({}, testDeps(store));
    const intact = await app.inject({ url: '/api/v1/audit/verify', headers: bearer('viewer') });
    assert.equal(intact.statusCode, 200, intact.body);
    const ok = intact.json<{ ok: boolean; entries: number; head: string }>();
    assert.equal(ok.ok, true);
    assert.equal(ok.entries, 3);
    await sql`UPDATE audit_log SET actor = 'mallory' WHERE seq = 2`.execute(store.db);
    const broken = (await app.inject({ url: '/api/v1/audit/verify', headers: bearer('admin') })).json();
    assert.deepEqual(
      { ok: broken.ok, seq: broken.seq, code: broken.code },
      { ok: false, seq: 2, code: 'AUDIT_EDITED' },
    );
    const none = await testApp().app.inject({ url: '/api/v1/audit/verify', headers: bearer('admin') });
    assert.equal(none.statusCode, 503);
    assert.equal(none.json().error.code, 'UNAVAILABLE');
  } finally {
    await store.close();
    await dir.remove();
  }
});
