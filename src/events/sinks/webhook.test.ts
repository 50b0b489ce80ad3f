import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeTempDir, type TempDir } from '../../core/tempdir.js';
import { makeCerts, type TestCerts } from '../../../test/support/registry.js';
import { have, requireAll } from '../../../test/support/require.js';
import { sampleEvent } from '../../../test/support/security-events.js';
import { createSink } from './index.js';

// A loopback HTTP(S) receiver that answers each request by a script; the sink must retry
// 5xx, 429 and dropped connections, not 4xx, and emit() must never wait for it.

interface Hit {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Answer = 'drop' | 'hang' | { status: number; body?: string; headers?: Record<string, string> };

async function receiver(
  script: (n: number) => Answer,
  tls?: TestCerts,
): Promise<{ url: string; hits: Hit[]; accepted: Hit[]; stop(): Promise<void> }> {
  const hits: Hit[] = [];
  const accepted: Hit[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      hits.push(hit);
      const a = script(hits.length);
      if (a === 'drop') return void req.socket.destroy();
      if (a === 'hang') return;
      if (a.status >= 200 && a.status < 300) accepted.push(hit);
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body ?? '{}');
    });
  };
  const server: Server = tls
    ? createHttpsServer({ cert: readFileSync(tls.serverCert), key: readFileSync(tls.serverKey) }, handler)
    : createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/hooks/bulwark?tenant=a`,
    hits,
    accepted,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const quick = { attempts: 5, initialDelayMs: 20, maxDelayMs: 100 };

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('webhook sink', () => {
  it('retries after 503, a dropped connection and 503 again: the event arrives exactly once', async () => {
    const rx = await receiver((n) =>
      n === 1
        ? { status: 503 }
        : n === 2
          ? 'drop'
          : n === 3
            ? { status: 503, headers: { 'retry-after': '0' } }
            : { status: 202 },
    );
    const retries: string[] = [];
    const sink = createSink(
      { type: 'webhook', url: rx.url, headers: { authorization: 'Bearer s3cret', 'x-tenant': 'a' }, retry: quick },
      {
        onError: (e, info) => retries.push(`${info.attempt}:${info.willRetry}:${e instanceof Error ? e.message : ''}`),
      },
    );
    try {
      const e = sampleEvent();
      sink.emit(e);
      await until(() => sink.stats().sent === 1);
      assert.equal(rx.hits.length, 4);
      assert.equal(rx.accepted.length, 1);
      const hit = rx.accepted[0] as Hit;
      assert.equal(hit.method, 'POST');
      assert.equal(hit.url, '/hooks/bulwark?tenant=a');
      assert.equal(hit.headers['content-type'], 'application/json');
      assert.equal(hit.headers.authorization, 'Bearer s3cret');
      assert.equal(hit.headers['x-tenant'], 'a');
      assert.deepEqual(JSON.parse(hit.body), e);
      assert.ok(
        rx.hits.every((h) => h.body === hit.body),
        'the same event each time',
      );
      assert.deepEqual(sink.stats(), { sent: 1, failed: 0, dropped: 0, queued: 0 });
      assert.equal(retries.length, 3);
      assert.ok(retries.every((r) => r.includes(':true:')));
      assert.ok(
        !retries.join().includes('s3cret') && !retries.join().includes('tenant'),
        'no credentials or query in messages',
      );
      assert.equal(sink.name, `webhook:${new URL(rx.url).origin}`);
    } finally {
      await sink.close({ flushTimeoutMs: 1000 });
      await rx.stop();
    }
  });

  it('does not retry a 400', async () => {
    const rx = await receiver(() => ({ status: 400, body: '{"error":"bad"}' }));
    const errors: string[] = [];
    const sink = createSink(
      { type: 'webhook', url: rx.url, retry: quick },
      { onError: (_e, info) => errors.push(`${info.attempt}:${info.willRetry}`) },
    );
    try {
      sink.emit(sampleEvent());
      // failed is counted only once the queue has given up on the event: no attempt can follow
      await until(() => sink.stats().failed === 1);
      await sink.close({ flushTimeoutMs: 1000 });
      assert.deepEqual(errors, ['1:false'], 'one attempt, reported as not retried');
      assert.equal(rx.hits.length, 1);
      assert.deepEqual(sink.stats(), { sent: 0, failed: 1, dropped: 0, queued: 0 });
    } finally {
      await sink.close({ flushTimeoutMs: 1000 });
      await rx.stop();
    }
  });

  it('retries 429 and gives up after the configured attempts', async () => {
    const rx = await receiver(() => ({ status: 429, headers: { 'retry-after': '0' } }));
    const sink = createSink({
      type: 'webhook',
      url: rx.url,
      retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 20 },
    });
    try {
      sink.emit(sampleEvent());
      await until(() => sink.stats().failed === 1);
      assert.equal(rx.hits.length, 3);
    } finally {
      await sink.close({ flushTimeoutMs: 1000 });
      await rx.stop();
    }
  });

  it('posts batches as JSON arrays', async () => {
    const rx = await receiver(() => ({ status: 200 }));
    const sink = createSink({ type: 'webhook', url: rx.url, batchSize: 10, retry: quick });
    try {
      for (let i = 0; i < 25; i++) sink.emit(sampleEvent({ id: `e${i}` }));
      await sink.close({ flushTimeoutMs: 5000 });
      const ids = rx.accepted.flatMap((h) => (JSON.parse(h.body) as { id: string }[]).map((e) => e.id));
      assert.deepEqual(
        ids,
        Array.from({ length: 25 }, (_, i) => `e${i}`),
      );
      assert.ok(rx.accepted.length >= 3 && rx.accepted.length <= 25);
      assert.deepEqual(sink.stats(), { sent: 25, failed: 0, dropped: 0, queued: 0 });
    } finally {
      await rx.stop();
    }
  });

  // emit is synchronous: 2000 emits in one loop, with no await, while a request hangs at the
  // receiver. The request timeout (60 s) is beyond the test's hang guard (30 s), so close()
  // returning at all is its own flush timeout (300 ms) giving up.
  it(
    'emit never waits, even while the receiver hangs; close() gives up at its timeout',
    { timeout: 30_000 },
    async () => {
      const rx = await receiver(() => 'hang');
      const sink = createSink({ type: 'webhook', url: rx.url, queueSize: 500, retry: quick, timeoutMs: 60_000 });
      try {
        sink.emit(sampleEvent({ id: 'first' }));
        await until(() => rx.hits.length === 1); // a request is now stuck at the receiver
        for (let i = 0; i < 2000; i++) {
          const r: unknown = sink.emit(sampleEvent({ id: `e${i}` }));
          assert.equal(r, undefined, 'emit returns nothing to await');
        }
        assert.deepEqual(sink.stats(), { sent: 0, failed: 0, dropped: 1500, queued: 501 });
        await sink.close({ flushTimeoutMs: 300 });
        assert.deepEqual(sink.stats(), { sent: 0, failed: 1, dropped: 2000, queued: 0 });
      } finally {
        await rx.stop();
      }
    },
  );

  describe('over https', () => {
    let tmp: TempDir | undefined;
    after(async () => tmp?.remove());

    it('trusts the configured CA file, and refuses a server it does not vouch for', async (t) => {
      if (!requireAll(t, { openssl: have('openssl') })) return;
      tmp = await makeTempDir();
      const certs: TestCerts = makeCerts(join(tmp.path, 'certs'));
      const rx = await receiver(() => ({ status: 200 }), certs);
      const good = createSink({ type: 'webhook', url: rx.url, caFile: certs.caCert, retry: quick });
      const bad = createSink({ type: 'webhook', url: rx.url, retry: quick });
      try {
        good.emit(sampleEvent());
        bad.emit(sampleEvent());
        await until(() => good.stats().sent === 1 && bad.stats().failed === 1);
        assert.equal(rx.accepted.length, 1);
      } finally {
        await good.close({ flushTimeoutMs: 1000 });
        await bad.close({ flushTimeoutMs: 1000 });
        await rx.stop();
      }
    });
  });
});
