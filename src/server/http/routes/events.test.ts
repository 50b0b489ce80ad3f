import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleEvent } from '../../../../test/support/security-events.js';
import type { SecurityEvent } from '../../../events/event.js';
import { custodyOf } from '../../store/custody.js';
import { eachDialect } from '../../store/dialects.testing.js';
import type { Store } from '../../store/open.js';
import { bearer, testApp, testDeps } from '../deps.testing.js';
import { ROUTE_GROUPS } from './index.js';
import { eventRoutes } from './events.js';

// Event ingest: idempotent batches, one audit entry per batch, back-pressure as 503 +
// Retry-After; the read by time.

function batch(n: number, from = 0): SecurityEvent[] {
  return Array.from({ length: n }, (_, i) =>
    sampleEvent({
      id: `ev-${String(from + i).padStart(6, '0')}`,
      time: new Date(Date.UTC(2026, 11, 1, 10, 0, from + i)).toISOString(),
    }),
  );
}

/** A store whose inserts into events wait until released (a slow database). */
function slowStore(store: Store): { store: Store; entered: Promise<void>; release(): void } {
  let release!: () => void;
  let enter!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const entered = new Promise<void>((r) => (enter = r));
  // every builder the chain returns is wrapped; running it waits for the gate
  const wrap = (target: object): object =>
    new Proxy(target, {
      get(t, prop) {
        const v = Reflect.get(t, prop) as unknown;
        if (typeof v !== 'function') return v;
        if (prop === 'execute' || prop === 'executeTakeFirst')
          return async (...a: unknown[]) => {
            enter();
            await gate;
            return (v as (...x: unknown[]) => unknown).apply(t, a);
          };
        return (...a: unknown[]) => {
          const out = (v as (...x: unknown[]) => unknown).apply(t, a);
          return typeof out === 'object' && out !== null ? wrap(out) : out;
        };
      },
    });
  const db = new Proxy(store.db, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'insertInto') return v;
      return (table: 'events') => wrap(target.insertInto(table));
    },
  });
  return { store: { ...store, db }, entered, release };
}

eachDialect((d) => {
  test('POST /api/v1/events: a retried batch stores each event once; one audit entry per batch; GET since', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    const { app, deps } = testApp({}, testDeps(store));
    const first = await app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: bearer('agent'),
      payload: { events: batch(1000) },
    });
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(first.json(), { received: 1000, stored: 1000 });
    const retried = await app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: bearer('agent'),
      payload: { events: batch(10, 995) },
    });
    assert.deepEqual(retried.json(), { received: 10, stored: 5 });
    assert.equal(deps.entries.length, 2, 'one audit entry per request, not per event');
    const custody = await custodyOf(store, 'sha256:abc123');
    assert.deepEqual(
      custody.map((c) => [c.kind, c.details.events, c.details.rules, c.details.hosts]),
      [
        ['runtime-event', 1000, ['shell-in-container'], ['node-1']],
        ['runtime-event', 5, ['shell-in-container'], ['node-1']],
      ],
      'one custody entry per image per batch, new events only',
    );
    assert.equal(deps.entries[0]!.detail?.events, '1000');

    const tooMany = await app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: bearer('agent'),
      payload: { events: batch(1001) },
    });
    assert.equal(tooMany.statusCode, 400);
    const badShape = await app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: bearer('agent'),
      payload: { events: [{ ...batch(1)[0], severity: 'SEVERE' }] },
    });
    assert.equal(badShape.statusCode, 400);
    assert.equal(badShape.json().error.path, 'body.events.0.severity');

    const since = await app.inject({
      url: '/api/v1/events?since=2026-12-01T10:16:38Z&limit=3',
      headers: bearer('viewer'),
    });
    assert.equal(since.statusCode, 200, since.body);
    const got = since.json<{ events: { hostId: string; event: SecurityEvent }[] }>();
    assert.deepEqual(
      got.events.map((e) => e.event.id),
      ['ev-000998', 'ev-000999', 'ev-001000'],
    );
    assert.equal(got.events[0]!.hostId, 'node-1');
    assert.deepEqual(got.events[0]!.event, batch(1, 998)[0]);
    assert.equal(
      (await app.inject({ url: '/api/v1/events', headers: bearer('viewer') })).statusCode,
      400,
      'since is required',
    );
  });

  test('POST /api/v1/events: 503 with Retry-After past the in-flight bound and when the store is slow', async (t) => {
    const real = await d.open(t);
    if (!real) return;
    const slow = slowStore(real);
    const groups = ROUTE_GROUPS.map((g) =>
      g.id === 'events' ? eventRoutes({ maxInFlight: 1, storeTimeoutMs: 300, retryAfterSeconds: 2 }) : g,
    );
    const { app } = testApp({ groups }, testDeps(slow.store));
    const post = (from: number) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: bearer('agent'),
        payload: { events: batch(5, from) },
      });
    const held = post(0);
    await slow.entered;
    const busy = await post(100);
    assert.equal(busy.statusCode, 503);
    assert.equal(busy.headers['retry-after'], '2');
    assert.equal(busy.json().error.code, 'UNAVAILABLE');
    const timedOut = await held;
    assert.equal(timedOut.statusCode, 503, 'the store took longer than storeTimeoutMs');
    assert.equal(timedOut.headers['retry-after'], '2');
    slow.release();
    // the insert that outlived its answer finishes; the agent's retry finds the ids stored
    await new Promise((r) => setTimeout(r, 200));
    const retry = await post(0);
    assert.equal(retry.statusCode, 200, retry.body);
    assert.deepEqual(retry.json(), { received: 5, stored: 0 });
  });
});
