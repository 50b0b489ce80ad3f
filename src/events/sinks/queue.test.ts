import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SecurityEvent } from '../event.js';
import { sampleEvent } from '../../../test/support/security-events.js';
import { backoffDelay, fanOut, queuedSink } from './queue.js';
import { DeliveryError, type Sink, type Transport } from './sink.js';

const ev = (n: number): SecurityEvent => sampleEvent({ id: `e${n}` });
const fast = { attempts: 4, initialDelayMs: 5, maxDelayMs: 20 };

/** A transport the test steers: each send waits for `gate` (if set), then runs `behave`. */
class FakeTransport implements Transport {
  batches: string[][] = [];
  calls = 0;
  closed = false;
  gate: Promise<void> | undefined;
  behave: (call: number) => void = () => undefined;
  honourSignal = true;

  async send(batch: readonly SecurityEvent[], signal: AbortSignal): Promise<void> {
    const call = ++this.calls;
    if (this.gate) {
      const gate = this.gate;
      await new Promise<void>((resolve, reject) => {
        void gate.then(resolve);
        if (this.honourSignal) signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    }
    this.behave(call);
    this.batches.push(batch.map((e) => e.id));
    await Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('queued sink', () => {
  it('emit returns at once and never runs the transport itself; delivery follows in order', async () => {
    const t = new FakeTransport();
    const s = queuedSink('t', t, { batchSize: 2, retry: fast });
    for (let i = 0; i < 5; i++) assert.equal(s.emit(ev(i)), undefined);
    assert.equal(t.calls, 0, 'nothing sent during emit');
    assert.deepEqual(s.stats(), { sent: 0, failed: 0, dropped: 0, queued: 5 });
    await until(() => s.stats().sent === 5);
    assert.deepEqual(t.batches, [['e0', 'e1'], ['e2', 'e3'], ['e4']]);
    await s.close();
    assert.ok(t.closed);
  });

  it('when full, drops the oldest events and counts them', async () => {
    const t = new FakeTransport();
    const gate = deferred();
    t.gate = gate.promise;
    const s = queuedSink('t', t, { capacity: 3, retry: fast });
    for (let i = 0; i < 10; i++) s.emit(ev(i));
    assert.deepEqual(s.stats(), { sent: 0, failed: 0, dropped: 7, queued: 3 });
    await until(() => t.calls === 1); // e7 in flight, e8 e9 waiting
    s.emit(ev(10));
    s.emit(ev(11)); // pushes e8 out
    assert.deepEqual(s.stats(), { sent: 0, failed: 0, dropped: 8, queued: 4 });
    gate.resolve();
    await until(() => s.stats().queued === 0);
    assert.deepEqual(t.batches.flat(), ['e7', 'e9', 'e10', 'e11']);
    assert.deepEqual(s.stats(), { sent: 4, failed: 0, dropped: 8, queued: 0 });
    await s.close();
  });

  it('retries a retryable failure with backoff, and gives up after the attempts', async () => {
    const t = new FakeTransport();
    t.behave = (n) => {
      if (n <= 2) throw new DeliveryError('NETWORK', 'x', 'busy', { retryable: true });
    };
    const errors: boolean[] = [];
    const s = queuedSink('t', t, { retry: fast, onError: (_e, info) => errors.push(info.willRetry) });
    s.emit(ev(1));
    await until(() => s.stats().sent === 1);
    assert.equal(t.calls, 3);
    assert.deepEqual(errors, [true, true]);

    t.behave = () => {
      throw new Error('plain errors count as retryable');
    };
    s.emit(ev(2));
    await until(() => s.stats().failed === 1);
    assert.equal(t.calls, 3 + fast.attempts);
    assert.deepEqual(errors.slice(2), [true, true, true, false]);
    await s.close();
  });

  it('does not retry a permanent failure, and goes on with the next event', async () => {
    const t = new FakeTransport();
    t.behave = (n) => {
      if (n === 1) throw new DeliveryError('NETWORK', 'x', 'HTTP 400', { retryable: false });
    };
    const s = queuedSink('t', t, { retry: fast });
    s.emit(ev(1));
    s.emit(ev(2));
    await until(() => s.stats().queued === 0);
    assert.equal(t.calls, 2);
    assert.deepEqual(s.stats(), { sent: 1, failed: 1, dropped: 0, queued: 0 });
    await s.close();
  });

  it('bounds each attempt in time even when the transport ignores its signal', async () => {
    const t = new FakeTransport();
    t.gate = new Promise(() => undefined); // never opens
    t.honourSignal = false;
    const s = queuedSink('t', t, { retry: { attempts: 2, initialDelayMs: 1, maxDelayMs: 1 }, attemptTimeoutMs: 50 });
    s.emit(ev(1));
    await until(() => s.stats().failed === 1);
    assert.equal(t.calls, 2);
    await s.close({ flushTimeoutMs: 10 });
  });

  // Flushed within the timeout: everything is counted sent, nothing dropped or failed.
  it('close() flushes what is queued within its timeout', async () => {
    const t = new FakeTransport();
    t.behave = () => undefined;
    const slow = {
      send: async (b: readonly SecurityEvent[], sig: AbortSignal) => {
        await new Promise((r) => setTimeout(r, 10));
        return t.send(b, sig);
      },
      close: () => t.close(),
    };
    const s = queuedSink('t', slow, { retry: fast });
    for (let i = 0; i < 20; i++) s.emit(ev(i));
    await s.close({ flushTimeoutMs: 5000 });
    assert.deepEqual(s.stats(), { sent: 20, failed: 0, dropped: 0, queued: 0 });
    assert.ok(t.closed);
    s.emit(ev(99));
    assert.equal(s.stats().dropped, 1, 'emit after close is dropped');
  });

  // The receiver never answers: close() returning at all (under the test's hang guard) is the stop.
  it('close() stops at its timeout when the receiver hangs, and counts what is left', { timeout: 30_000 }, async () => {
    const t = new FakeTransport();
    t.gate = new Promise(() => undefined);
    const s = queuedSink('t', t, { retry: fast });
    for (let i = 0; i < 5; i++) s.emit(ev(i));
    await until(() => t.calls === 1);
    const start = Date.now();
    await s.close({ flushTimeoutMs: 200 });
    const took = Date.now() - start;
    // a lower bound only: timers never fire early, so this cannot flake on a loaded machine
    assert.ok(took >= 150, `close waited for its flush timeout (took ${took} ms)`);
    assert.deepEqual(s.stats(), { sent: 0, failed: 1, dropped: 4, queued: 0 });
    assert.ok(t.closed);
  });

  it('backoff doubles, is capped, and honours Retry-After up to the cap', () => {
    const r = { attempts: 5, initialDelayMs: 100, maxDelayMs: 1000 };
    for (let i = 0; i < 50; i++) {
      const d1 = backoffDelay(1, r);
      const d3 = backoffDelay(3, r);
      assert.ok(d1 >= 50 && d1 <= 100);
      assert.ok(d3 >= 200 && d3 <= 400);
      assert.ok(backoffDelay(20, r) <= 1000);
      assert.equal(backoffDelay(1, r, 5000), 1000);
      assert.equal(backoffDelay(1, r, 700), 700);
    }
  });
});

describe('fanOut', () => {
  it('hands each event to every sink, sums their stats and closes them all', async () => {
    const seen: string[][] = [[], []];
    const closed: boolean[] = [];
    const mk = (k: number): Sink => ({
      name: `s${k}`,
      emit: (e) => void seen[k]?.push(e.id),
      stats: () => ({ sent: seen[k]?.length ?? 0, failed: k, dropped: 0, queued: 1 }),
      close: async () => void closed.push(true),
    });
    const broken: Sink = {
      name: 'broken',
      emit: () => {
        throw new Error('boom');
      },
      stats: () => ({ sent: 0, failed: 0, dropped: 0, queued: 0 }),
      close: () => Promise.reject(new Error('boom')),
    };
    const all = fanOut([mk(0), broken, mk(1)]);
    all.emit(ev(1));
    all.emit(ev(2));
    assert.deepEqual(seen, [
      ['e1', 'e2'],
      ['e1', 'e2'],
    ]);
    assert.deepEqual(all.stats(), { sent: 4, failed: 1, dropped: 0, queued: 2 });
    await all.close();
    assert.equal(closed.length, 2);
  });
});
