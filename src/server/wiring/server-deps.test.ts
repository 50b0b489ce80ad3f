import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTempDir } from '../../core/tempdir.js';
import { rejectsCode } from '../../../test/support/codes.js';
import { listAudit } from '../audit/listing.js';
import { verifyAudit } from '../audit/verify.js';
import { createToken, revokeToken } from '../store/tokens.js';
import { serverDeps } from './server-deps.js';

const TOKEN = 'bootstrap-token-0123456789';

const entry = (n: number) => ({
  time: new Date(Date.UTC(2026, 11, 8, 0, 0, n)).toISOString(),
  action: `a${n}`,
  route: 'POST /x',
  remoteAddress: '127.0.0.1',
  outcome: 'success' as const,
  status: 200,
  requestId: String(n),
});

test('serverDeps: the bootstrap token and the store’s tokens authenticate; audit entries chain in the store', async () => {
  const tmp = await makeTempDir();
  try {
    const deps = await serverDeps({ dataDir: tmp.path, env: { BULWARK_ADMIN_TOKEN: TOKEN } });
    assert.equal((await deps.authenticate(TOKEN))?.role, 'admin');
    assert.equal(await deps.authenticate(`${TOKEN}x`), undefined);
    assert.equal(await deps.authenticate(''), undefined);
    const viewer = await createToken(deps.store, 'viewer', 'grafana');
    assert.deepEqual(await deps.authenticate(viewer.secret), { id: viewer.id, name: 'grafana', role: 'viewer' });
    await revokeToken(deps.store, viewer.id);
    assert.equal(await deps.authenticate(viewer.secret), undefined, 'revoked');
    assert.equal(await deps.ready(), true);
    for (const n of [1, 2, 3]) await deps.audit(entry(n));
    await deps.audit({ ...entry(4), actor: { id: 'i', name: 'alice', role: 'admin' }, detail: { note: 'n' } });
    const rows = await listAudit(deps.store);
    assert.deepEqual(
      rows.map((r) => r.action),
      ['a1', 'a2', 'a3', 'a4'],
    );
    assert.equal(rows[3]!.actor, 'admin:alice');
    assert.equal(rows[3]!.details.note, 'n');
    assert.equal(rows[0]!.actor, 'anonymous');
    assert.equal((await verifyAudit(deps.store)).ok, true);
    await deps.close!();
    const none = await serverDeps({ dataDir: tmp.path, env: {} });
    assert.equal(none.hasAdminToken, false);
    assert.equal(await none.authenticate(TOKEN), undefined);
    assert.equal((await listAudit(none.store)).length, 4, 'kept across a restart');
    await none.close!();
    await rejectsCode(serverDeps({ dataDir: tmp.path, env: { BULWARK_ADMIN_TOKEN: 'short' } }), 'USAGE');
  } finally {
    await tmp.remove();
  }
});
