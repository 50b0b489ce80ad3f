import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { rejectsCode } from '../../../test/support/codes.js';
import { eachDialect } from '../store/dialects.testing.js';
import { openStore, type Store } from '../store/open.js';
import { appendAudit } from './append.js';
import { auditHash } from './canonical.js';
import { listAudit } from './listing.js';
import { assertAuditIntact, verifyAudit } from './verify.js';

async function fiveEntries(store: Store): Promise<void> {
  for (let i = 1; i <= 5; i++) {
    await appendAudit(store, {
      actor: `token:${i % 2 ? 'ops' : 'ci'}`,
      action: i === 1 ? 'login' : 'token.create',
      target: `/api/v1/tokens/${i}`,
      details: { role: 'viewer', n: i, nested: { b: 1, a: [1, 'x'] } },
      ...(i === 2 ? { remote: '127.0.0.1' } : {}),
    });
  }
}

eachDialect((d) => {
  test('audit: entries chain by hash; an intact chain verifies', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    assert.deepEqual(await verifyAudit(store), { ok: true, entries: 0, head: '0'.repeat(64) });
    await fiveEntries(store);
    const entries = await listAudit(store);
    assert.deepEqual(
      entries.map((e) => e.seq),
      [1, 2, 3, 4, 5],
    );
    assert.equal(entries[0]!.prevHash, '0'.repeat(64));
    for (let i = 1; i < entries.length; i++) assert.equal(entries[i]!.prevHash, entries[i - 1]!.hash);
    const e2 = entries[1]!;
    assert.equal(e2.remote, '127.0.0.1');
    const { hash, remote, ...covered } = e2;
    assert.equal(hash, auditHash({ ...covered, remote: remote ?? null }));
    const v = await verifyAudit(store);
    assert.deepEqual(v, { ok: true, entries: 5, head: entries[4]!.hash });
    assert.deepEqual(await assertAuditIntact(store), { entries: 5, head: entries[4]!.hash });
  });

  test('audit: an edited row is named with AUDIT_EDITED', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    await fiveEntries(store);
    await sql`update audit_log set actor = 'token:mallory' where seq = 3`.execute(store.db);
    assert.deepEqual(await verifyAudit(store), {
      ok: false,
      seq: 3,
      code: 'AUDIT_EDITED',
      reason: 'content does not match its hash',
    });
    await rejectsCode(assertAuditIntact(store), 'AUDIT_EDITED', 'audit log entry 3');
  });

  test('audit: edited details (even made not JSON) and an edited remote are caught', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    await fiveEntries(store);
    await sql`update audit_log set remote = '10.0.0.9' where seq = 2`.execute(store.db);
    assert.deepEqual(await verifyAudit(store).then((v) => !v.ok && [v.seq, v.code]), [2, 'AUDIT_EDITED']);
    await sql`update audit_log set remote = '127.0.0.1' where seq = 2`.execute(store.db);
    assert.equal((await verifyAudit(store)).ok, true, 'put back, it verifies again');
    await sql`update audit_log set details = '{"n": 4' where seq = 4`.execute(store.db);
    assert.deepEqual(await verifyAudit(store).then((v) => !v.ok && [v.seq, v.code]), [4, 'AUDIT_EDITED']);
  });

  test('audit: a deleted row (first, middle or last) is a gap at its seq', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    await fiveEntries(store);
    await sql`delete from audit_log where seq = 5`.execute(store.db);
    assert.deepEqual(await verifyAudit(store).then((v) => !v.ok && [v.seq, v.code]), [5, 'AUDIT_GAP']);
    await sql`delete from audit_log where seq = 3`.execute(store.db);
    assert.deepEqual(await verifyAudit(store).then((v) => !v.ok && [v.seq, v.code]), [3, 'AUDIT_GAP']);
    await rejectsCode(assertAuditIntact(store), 'AUDIT_GAP', 'audit log entry 3');
    await sql`delete from audit_log where seq = 1`.execute(store.db);
    assert.deepEqual(await verifyAudit(store).then((v) => !v.ok && [v.seq, v.code]), [1, 'AUDIT_GAP']);
  });

  test('audit: two rows swapped in place are AUDIT_REORDERED', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    await fiveEntries(store);
    await sql`update audit_log set seq = 100 where seq = 2`.execute(store.db);
    await sql`update audit_log set seq = 2 where seq = 3`.execute(store.db);
    await sql`update audit_log set seq = 3 where seq = 100`.execute(store.db);
    const v = await verifyAudit(store);
    assert.deepEqual(!v.ok && [v.seq, v.code], [2, 'AUDIT_REORDERED']);
    await rejectsCode(assertAuditIntact(store), 'AUDIT_REORDERED');
  });

  test('audit: concurrent appends (on PostgreSQL from two pools) keep one linear chain', async (t) => {
    const where = await d.place(t);
    if (!where) return;
    const a = await openStore(where);
    // SQLite: one store per process (its writes are serialised by the one connection)
    const b = d.name === 'postgres' ? await openStore(where) : a;
    try {
      const appended = await Promise.all(
        Array.from({ length: 40 }, (_, i) => appendAudit(i % 2 ? a : b, { actor: `w${i}`, action: 'x', target: 't' })),
      );
      assert.deepEqual(
        appended.map((e) => e.seq).sort((x, y) => x - y),
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
      assert.deepEqual(await verifyAudit(a).then((v) => v.ok && v.entries), 40);
    } finally {
      await a.close();
      if (b !== a) await b.close();
    }
  });
});
