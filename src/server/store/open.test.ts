import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../core/tempdir.js';
import { rejectsCode } from '../../../test/support/codes.js';
import { eachDialect } from './dialects.testing.js';
import { insertEvents, listEvents } from './events.js';
import { startWriter } from './fixtures/writer.testing.js';
import { enqueue, getJob } from './jobs.js';
import { migrationProvider } from './migrations.js';
import { openStore, STORE_FILE } from './open.js';

eachDialect((d) => {
  test('close and reopen: everything committed is there, migrations run once', async (t) => {
    const where = await d.place(t);
    if (!where) return;
    const first = await openStore(where);
    const ids = Array.from({ length: 50 }, (_, i) => `e${i}`);
    await insertEvents(
      first,
      ids.map((id) => ({
        id,
        time: '2026-01-01T00:00:00.000Z',
        hostId: 'h',
        rule: 'r',
        severity: 'LOW',
        body: { id },
      })),
    );
    const job = await enqueue(first, 'scan', { digest: 'x' });
    await first.close();
    const again = await openStore(where);
    try {
      assert.deepEqual(
        (await listEvents(again, { since: '2000-01-01T00:00:00.000Z' })).map((e) => e.id).sort(),
        [...ids].sort(),
      );
      assert.deepEqual((await getJob(again, job))!.payload, { digest: 'x' });
      const applied = await again.db
        .selectFrom('kysely_migration' as never)
        .selectAll()
        .execute();
      assert.equal(applied.length, Object.keys(await migrationProvider.getMigrations()).length);
    } finally {
      await again.close();
    }
  });
});

test('sqlite: one file in the data dir, in WAL mode with foreign keys on', async (t) => {
  const dir = await makeTempDir();
  t.after(() => dir.remove());
  const store = await openStore({ dataDir: join(dir.path, 'data') });
  try {
    assert.equal(store.location, join(dir.path, 'data', STORE_FILE));
    assert.equal(store.sqlite!.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(store.sqlite!.pragma('foreign_keys', { simple: true }), 1);
    assert.ok((store.sqlite!.pragma('busy_timeout', { simple: true }) as number) > 0);
  } finally {
    await store.close();
  }
});

test('a file that is not a database, and a URL that is not PostgreSQL, are refused with codes', async (t) => {
  const dir = await makeTempDir();
  t.after(() => dir.remove());
  writeFileSync(join(dir.path, STORE_FILE), 'not sqlite at all, just text '.repeat(200));
  await rejectsCode(openStore({ dataDir: dir.path }), 'STORE');
  await rejectsCode(openStore({ url: 'mysql://localhost/x' }), 'USAGE');
  await rejectsCode(openStore({ url: 'not a url' }), 'USAGE');
});

eachDialect((d) => {
  test('a writer killed mid-write (SIGKILL): every acknowledged batch is there, no partial one', async (t) => {
    const where = await d.place(t);
    if (!where) return;
    // migrated before the writer starts
    await (await openStore(where)).close();
    const writer = startWriter(where);
    await writer.acked(30);
    const acked = await writer.kill();
    const store = await openStore(where);
    try {
      const n = (await listEvents(store, { since: '2000-01-01T00:00:00.000Z', limit: 1_000_000 })).length;
      assert.ok(n >= acked * 10, `${n} events stored, ${acked} batches of 10 acknowledged`);
      assert.equal(n % 10, 0, 'whole transactions only');
    } finally {
      await store.close();
    }
  });
});
