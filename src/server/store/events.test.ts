import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rejectsCode } from '../../../test/support/codes.js';
import { appendCustody, custodyOf } from './custody.js';
import { eachDialect } from './dialects.testing.js';
import { insertEvents, listEvents, type StoredEvent } from './events.js';

function event(id: string, time: string): StoredEvent {
  return {
    id,
    time,
    hostId: 'h1',
    containerId: 'c1',
    imageDigest: `sha256:${'e'.repeat(64)}`,
    rule: 'Terminal shell in container',
    severity: 'HIGH',
    body: { proc: { exe: '/bin/sh', args: ['-i'] } },
  };
}

eachDialect((d) => {
  test('events: a retried batch stores each id once; since returns them oldest first', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    const batch = [event('e1', '2026-01-01T00:00:01.000Z'), event('e2', '2026-01-01T00:00:02.000Z')];
    assert.equal(await insertEvents(store, batch), 2);
    assert.equal(await insertEvents(store, batch), 0);
    assert.equal(await insertEvents(store, [...batch, event('e3', '2026-01-01T00:00:00.500Z')]), 1);
    // the first copy stays: a duplicate id with other content does not overwrite it
    assert.equal(await insertEvents(store, [{ ...batch[0]!, rule: 'changed' }]), 0);
    const all = await listEvents(store, { since: '2026-01-01T00:00:00.000Z' });
    assert.deepEqual(
      all.map((e) => e.id),
      ['e3', 'e1', 'e2'],
    );
    assert.deepEqual(all[1], batch[0]);
    assert.deepEqual(
      (await listEvents(store, { since: '2026-01-01T00:00:01.000Z' })).map((e) => e.id),
      ['e1', 'e2'],
    );
    assert.equal((await listEvents(store, { since: '2026-01-01T00:00:00.000Z', limit: 1 })).length, 1);
    // another form of the same instant is the same bound
    assert.equal((await listEvents(store, { since: '2026-01-01T01:00:01+01:00' })).length, 2);
    await rejectsCode(listEvents(store, { since: 'yesterday' }), 'USAGE', 'yesterday');
  });

  test('events: a batch of 1,200 in one call', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    const many = Array.from({ length: 1200 }, (_, i) =>
      event(`m${i}`, new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString()),
    );
    assert.equal(await insertEvents(store, many), 1200);
    assert.equal(await insertEvents(store, many), 0);
  });

  test('custody: appended entries of a digest, oldest first', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    const digest = `sha256:${'f'.repeat(64)}`;
    await appendCustody(store, {
      digest,
      kind: 'scanned',
      actor: 'ci',
      details: { pipeline: 7 },
      time: '2026-01-01T00:00:01.000Z',
    });
    await appendCustody(store, { digest, kind: 'built', actor: 'ci', details: {}, time: '2026-01-01T00:00:00.000Z' });
    await appendCustody(store, { digest: 'sha256:other', kind: 'pushed', actor: 'ci', details: {} });
    await rejectsCode(appendCustody(store, { digest, kind: 'deleted' as 'built', actor: 'x', details: {} }), 'USAGE');
    await appendCustody(store, {
      digest,
      kind: 'first-run',
      actor: 'agent:h1',
      details: { host: 'h1' },
      time: '2026-01-01T00:00:02.000Z',
    });
    assert.deepEqual(await custodyOf(store, digest), [
      { digest, kind: 'built', actor: 'ci', details: {}, time: '2026-01-01T00:00:00.000Z' },
      { digest, kind: 'scanned', actor: 'ci', details: { pipeline: 7 }, time: '2026-01-01T00:00:01.000Z' },
      { digest, kind: 'first-run', actor: 'agent:h1', details: { host: 'h1' }, time: '2026-01-01T00:00:02.000Z' },
    ]);
  });
});
