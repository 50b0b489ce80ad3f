import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rejectsCode } from '../../../test/support/codes.js';
import { eachDialect } from './dialects.testing.js';
import { authenticate, createToken, listTokens, revokeToken } from './tokens.js';

eachDialect((d) => {
  test('tokens: the secret is shown once, only its hash is stored, revoked ones fail', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    const admin = await createToken(store, 'admin', 'ops');
    const agent = await createToken(store, 'agent', 'node-1');
    assert.match(admin.secret, /^bwk_[A-Za-z0-9_-]{43}$/);
    assert.notEqual(admin.secret, agent.secret);
    const rows = await store.db.selectFrom('api_tokens').selectAll().execute();
    const stored = JSON.stringify(rows);
    assert.ok(!stored.includes(admin.secret.slice(4)) && !stored.includes(agent.secret.slice(4)), 'no secret stored');
    assert.ok(rows.some((r) => r.secret_hash === createHash('sha256').update(admin.secret).digest('hex')));

    assert.deepEqual(await authenticate(store, admin.secret), { id: admin.id, name: 'ops', role: 'admin' });
    assert.deepEqual(await authenticate(store, agent.secret), { id: agent.id, name: 'node-1', role: 'agent' });
    const other = admin.secret.endsWith('A') ? 'B' : 'A';
    assert.equal(await authenticate(store, `${admin.secret.slice(0, -1)}${other}`), undefined);
    assert.equal(await authenticate(store, 'bwk_short'), undefined);
    assert.equal(await authenticate(store, ''), undefined);
    assert.ok((await listTokens(store)).find((x) => x.id === admin.id)!.lastUsedAt);

    assert.equal(await revokeToken(store, admin.id), true);
    assert.equal(await revokeToken(store, admin.id), false);
    assert.equal(await authenticate(store, admin.secret), undefined);
    assert.ok((await listTokens(store)).find((x) => x.id === admin.id)!.revokedAt);
    assert.ok(await authenticate(store, agent.secret));
    await rejectsCode(createToken(store, 'root' as 'admin', 'x'), 'USAGE', 'root');
  });
});
