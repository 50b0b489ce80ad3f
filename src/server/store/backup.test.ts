import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { makeTempDir } from '../../core/tempdir.js';
import { rejectsCode, throwsCode } from '../../../test/support/codes.js';
import { backupStore, restoreStore } from './backup.js';
import { resyncHost } from './containers.js';
import { insertEvents, listEvents } from './events.js';
import { startWriter } from './fixtures/writer.testing.js';
import { upsertHost } from './hosts.js';
import { putImageScan } from './images.js';
import { openStore, type Store } from './open.js';
import { runningContainersWithAdvisory } from './vulnerable.js';

const DIGEST = `sha256:${'d'.repeat(64)}`;

async function seed(store: Store): Promise<void> {
  await putImageScan(store, {
    digest: DIGEST,
    repoTags: ['web:1'],
    packages: [{ ecosystem: 'npm', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' }],
    findings: [
      {
        advisoryId: 'GHSA-35jh-r3h4-6jhm',
        aliases: ['CVE-2021-23337'],
        packagePurl: 'pkg:npm/lodash@4.17.20',
        packageName: 'lodash',
        installed: '4.17.20',
        fixed: '4.17.21',
        severity: 'HIGH',
        cvssScore: 7.2,
      },
    ],
  });
  await upsertHost(store, { id: 'h1', name: 'node-1' });
  await resyncHost(store, 'h1', [{ id: 'c1', name: 'web', imageDigest: DIGEST, imageRef: 'web:1', labels: {} }]);
}

test('backup while another process writes, restore into a fresh dir: the same answers, whole transactions', async (t) => {
  const tmp = await makeTempDir();
  t.after(() => tmp.remove());
  const dataDir = join(tmp.path, 'data');
  const store = await openStore({ dataDir });
  t.after(() => store.close());
  await seed(store);
  // some bulk, so the copy takes more than an instant
  for (let k = 0; k < 20; k++) {
    await insertEvents(
      store,
      Array.from({ length: 500 }, (_, i) => ({
        id: `bulk${k}-${i}`,
        time: '2026-01-01T00:00:00.000Z',
        hostId: 'h1',
        rule: 'r',
        severity: 'LOW',
        body: { pad: 'y'.repeat(300) },
      })),
    );
  }
  const writer = startWriter({ dataDir });
  t.after(() => writer.kill());
  const before = await writer.acked(5);
  const file = join(tmp.path, 'backups', 'bulwark.backup');
  await backupStore(store, file);
  const after = await writer.acked(before + 5);
  assert.ok(after > before, 'the writer kept committing during the backup');
  await writer.kill();

  const restoredDir = join(tmp.path, 'restored');
  restoreStore(file, restoredDir);
  const restored = await openStore({ dataDir: restoredDir });
  try {
    assert.deepEqual(
      await runningContainersWithAdvisory(restored, 'CVE-2021-23337'),
      await runningContainersWithAdvisory(store, 'CVE-2021-23337'),
    );
    assert.equal((await runningContainersWithAdvisory(restored, 'CVE-2021-23337')).length, 1);
    const events = await listEvents(restored, { since: '2000-01-01T00:00:00.000Z', limit: 1_000_000 });
    const written = events.filter((e) => e.hostId === 'writer').length;
    assert.equal(events.length - written, 10_000);
    assert.ok(written >= before * 10, `${written} of the writer's events, ${before} batches acked before`);
    assert.equal(written % 10, 0, 'a snapshot: whole transactions only');
  } finally {
    await restored.close();
  }
});

test('restore refuses a non-empty data dir unless told to overwrite, and what is not a store', async (t) => {
  const tmp = await makeTempDir();
  t.after(() => tmp.remove());
  const store = await openStore({ dataDir: join(tmp.path, 'data') });
  await seed(store);
  const file = join(tmp.path, 'b.db');
  await backupStore(store, file);
  await rejectsCode(backupStore(store, file), 'NOT_EMPTY', file);
  await store.close();

  const busy = join(tmp.path, 'busy');
  mkdirSync(busy);
  writeFileSync(join(busy, 'notes.txt'), 'keep me');
  throwsCode(() => restoreStore(file, busy), 'NOT_EMPTY', busy);
  restoreStore(file, busy, { overwrite: true });
  const restored = await openStore({ dataDir: busy });
  assert.equal((await runningContainersWithAdvisory(restored, 'GHSA-35jh-r3h4-6jhm')).length, 1);
  await restored.close();

  const text = join(tmp.path, 'text.db');
  writeFileSync(text, 'hello '.repeat(1000));
  throwsCode(() => restoreStore(text, join(tmp.path, 'x')), 'NOT_A_STORE', text);
  const other = join(tmp.path, 'other.db');
  new Sqlite(other).exec('create table t (x)').close();
  throwsCode(() => restoreStore(other, join(tmp.path, 'y')), 'NOT_A_STORE', other);
  throwsCode(() => restoreStore(join(tmp.path, 'missing.db'), join(tmp.path, 'z')), 'NOT_A_STORE');
});
