import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listContainers, resyncHost, upsertContainer, type ContainerRecord } from './containers.js';
import { eachDialect } from './dialects.testing.js';
import { listHosts, upsertHost } from './hosts.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

function container(id: string, digest = D1): Omit<ContainerRecord, 'hostId' | 'state'> {
  return {
    id,
    name: `/${id}`,
    imageDigest: digest,
    imageRef: 'nginx:1.25',
    labels: { app: id },
    startedAt: '2026-01-01T00:00:00.000Z',
  };
}

eachDialect((d) => {
  test('hosts: registered, then seen again with a newer agent', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    await upsertHost(store, { id: 'h1', name: 'node-1', agentVersion: '0.1.0' }, '2026-01-01T00:00:00.000Z');
    await upsertHost(store, { id: 'h1', name: 'node-1', agentVersion: '0.2.0' }, '2026-01-02T00:00:00.000Z');
    await upsertHost(store, { id: 'h2', name: 'node-2' }, '2026-01-02T00:00:00.000Z');
    assert.deepEqual(await listHosts(store), [
      { id: 'h1', name: 'node-1', agentVersion: '0.2.0', lastSeen: '2026-01-02T00:00:00.000Z' },
      { id: 'h2', name: 'node-2', lastSeen: '2026-01-02T00:00:00.000Z' },
    ]);
  });

  test('containers: a start then a die updates one row; labels round-trip', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    await upsertHost(store, { id: 'h1', name: 'node-1' });
    await upsertContainer(store, {
      ...container('c1'),
      hostId: 'h1',
      state: 'running',
      labels: { 'a.b/c': 'x y', app: 'web' },
    });
    await upsertContainer(store, {
      ...container('c1'),
      hostId: 'h1',
      state: 'stopped',
      labels: { 'a.b/c': 'x y', app: 'web' },
      stoppedAt: '2026-01-01T01:00:00.000Z',
    });
    const all = await listContainers(store);
    assert.equal(all.length, 1);
    assert.equal(all[0]!.state, 'stopped');
    assert.equal(all[0]!.stoppedAt, '2026-01-01T01:00:00.000Z');
    assert.deepEqual(all[0]!.labels, { 'a.b/c': 'x y', app: 'web' });
  });

  test('full resync: listed ones run, unlisted ones of that host stop, other hosts untouched', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    await upsertHost(store, { id: 'h1', name: 'node-1' });
    await upsertHost(store, { id: 'h2', name: 'node-2' });
    assert.equal(
      await resyncHost(store, 'h1', [container('a'), container('b'), container('c')], '2026-01-01T00:00:00.000Z'),
      0,
    );
    await resyncHost(store, 'h2', [container('a', D2)], '2026-01-01T00:00:00.000Z');
    // on reconnect h1 lists b (now another image) and d; a and c stopped meanwhile
    const stopped = await resyncHost(store, 'h1', [container('b', D2), container('d')], '2026-01-01T00:10:00.000Z');
    assert.equal(stopped, 2);
    const h1 = await listContainers(store, { hostId: 'h1' });
    assert.deepEqual(
      h1.map((c) => [c.id, c.state, c.imageDigest]),
      [
        ['a', 'stopped', D1],
        ['b', 'running', D2],
        ['c', 'stopped', D1],
        ['d', 'running', D1],
      ],
    );
    assert.equal(h1.find((c) => c.id === 'a')!.stoppedAt, '2026-01-01T00:10:00.000Z');
    assert.deepEqual(
      (await listContainers(store, { hostId: 'h2', state: 'running' })).map((c) => c.id),
      ['a'],
    );
    // two resyncs in the same millisecond: the second still stops what it does not list
    await resyncHost(store, 'h1', [container('b', D2), container('d'), container('e')], '2026-01-01T00:15:00.000Z');
    assert.equal(await resyncHost(store, 'h1', [container('b', D2), container('d')], '2026-01-01T00:15:00.000Z'), 1);
    // an empty list: the host runs nothing
    assert.equal(await resyncHost(store, 'h1', [], '2026-01-01T00:20:00.000Z'), 2);
    assert.equal((await listContainers(store, { state: 'running' })).length, 1);
  });

  test('a resync of 2,000 containers is batched under the parameter limits', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    await upsertHost(store, { id: 'h1', name: 'node-1' });
    const many = Array.from({ length: 2000 }, (_, i) => container(`c${i}`));
    await resyncHost(store, 'h1', many);
    assert.equal((await listContainers(store, { state: 'running', imageDigest: D1 })).length, 2000);
  });
});
