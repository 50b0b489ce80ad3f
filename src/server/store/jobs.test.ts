import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { eachDialect } from './dialects.testing.js';
import { backoffMs, claim, complete, enqueue, fail, getJob, queueDepth } from './jobs.js';
import { openStore, type Store } from './open.js';

/** Claims until nothing is left, `n` at a time, completing each; returns the ids it took. */
async function drain(store: Store, worker: string, n: number): Promise<string[]> {
  const took: string[] = [];
  for (;;) {
    const jobs = await claim(store, worker, ['scan'], n);
    if (jobs.length === 0) return took;
    for (const j of jobs) {
      took.push(j.id);
      assert.equal(await complete(store, j.id, worker), true);
    }
  }
}

eachDialect((d) => {
  test('jobs: claimed by kind in run_after order, once; done; depth counted', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    const later = await enqueue(store, 'scan', { digest: 'b' }, { runAfter: '2026-01-01T00:00:01.000Z' });
    const first = await enqueue(store, 'scan', { digest: 'a' }, { runAfter: '2026-01-01T00:00:00.000Z' });
    const future = await enqueue(store, 'scan', { digest: 'c' }, { runAfter: '2999-01-01T00:00:00.000Z' });
    await enqueue(store, 'rematch', {});
    assert.deepEqual(
      await queueDepth(store),
      new Map([
        ['scan', 3],
        ['rematch', 1],
      ]),
    );
    const jobs = await claim(store, 'w1', ['scan'], 5);
    assert.deepEqual(
      jobs.map((j) => [j.id, j.payload, j.state, j.attempts, j.lockedBy]),
      [
        [first, { digest: 'a' }, 'running', 1, 'w1'],
        [later, { digest: 'b' }, 'running', 1, 'w1'],
      ],
    );
    assert.deepEqual(await claim(store, 'w2', ['scan'], 5), [], 'nothing due is left');
    assert.equal(await complete(store, first, 'w2'), false, 'not the holder');
    assert.equal(await complete(store, first, 'w1'), true);
    assert.equal((await getJob(store, first))!.state, 'done');
    assert.equal((await getJob(store, future))!.state, 'queued');
    assert.deepEqual(await claim(store, 'w1', [], 5), []);
  });

  test('jobs: a failure is retried after a backoff, then failed for good', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    const id = await enqueue(store, 'scan', {}, { maxAttempts: 2 });
    await claim(store, 'w1', ['scan'], 1);
    assert.equal(await fail(store, id, 'w2', 'not mine'), undefined);
    assert.equal(await fail(store, id, 'w1', 'registry 503'), 'queued');
    const retry = (await getJob(store, id))!;
    assert.equal(retry.lastError, 'registry 503');
    assert.ok(Date.parse(retry.runAfter) >= Date.now() + 500, 'waits about a second');
    assert.deepEqual(await claim(store, 'w1', ['scan'], 1), [], 'not before its backoff');
    await store.db.updateTable('jobs').set({ run_after: '2000-01-01T00:00:00.000Z' }).execute();
    const [again] = await claim(store, 'w1', ['scan'], 1);
    assert.equal(again!.attempts, 2);
    assert.equal(await fail(store, id, 'w1', 'registry 503 again'), 'failed');
    assert.deepEqual(await claim(store, 'w1', ['scan'], 1), []);
    assert.deepEqual([backoffMs(1), backoffMs(2), backoffMs(5), backoffMs(40)], [1000, 2000, 16000, 3_600_000]);
  });

  test('jobs: a lease that ran out is claimed by another worker; the first cannot complete it', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    const id = await enqueue(store, 'scan', {});
    await claim(store, 'dead', ['scan'], 1, 1);
    await sleep(20);
    const [taken] = await claim(store, 'alive', ['scan'], 1);
    assert.equal(taken!.id, id);
    assert.equal(taken!.attempts, 2);
    assert.equal(await complete(store, id, 'dead'), false);
    assert.equal(await complete(store, id, 'alive'), true);
  });

  test('jobs: a job whose worker died on its last attempt is failed, not handed out again', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    const id = await enqueue(store, 'scan', {}, { maxAttempts: 1 });
    await claim(store, 'dies', ['scan'], 1, 1);
    await sleep(20);
    assert.deepEqual(await claim(store, 'next', ['scan'], 1), []);
    const job = (await getJob(store, id))!;
    assert.equal(job.state, 'failed');
    assert.equal(job.lastError, 'lease expired on its last attempt');
  });

  test('jobs: claimers on two connection pools never take the same job', async (t) => {
    const where = await d.place(t);
    if (!where) return;
    const a = await openStore({ ...where, ...('url' in where ? { poolSize: 4 } : {}) });
    const b = await openStore({ ...where, ...('url' in where ? { poolSize: 4 } : {}) });
    try {
      const ids = new Set<string>();
      for (let i = 0; i < 300; i++) ids.add(await enqueue(a, 'scan', { i }));
      // four claimers per pool, all at once
      const took = (
        await Promise.all([
          ...[1, 2, 3, 4].map((w) => drain(a, `a${w}`, 3)),
          ...[1, 2, 3, 4].map((w) => drain(b, `b${w}`, 3)),
        ])
      ).map((list) => list);
      const all = took.flat();
      assert.equal(new Set(all).size, all.length, 'no job claimed twice');
      assert.deepEqual(new Set(all), ids);
      if (d.name === 'postgres')
        assert.ok(took.filter((l) => l.length > 0).length >= 4, 'the claimers did share the work');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
