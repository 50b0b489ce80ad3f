import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { makeTempDir } from '../../core/tempdir.js';
import { testDeps, TOKENS } from '../../server/http/deps.testing.js';
import { serve } from '../../server/http/serve.js';
import { serverLogger } from '../../server/http/logging.js';
import { listEvents } from '../../server/store/events.js';
import { openStore } from '../../server/store/open.js';
import { makeCerts } from '../../../test/support/registry.js';
import { have, requireAll } from '../../../test/support/require.js';
import { sampleEvent } from '../../../test/support/security-events.js';
import type { SecurityEvent } from '../event.js';
import { createSink } from './index.js';

// The server sink against the real server (HTTPS, its self-signed certificate, a SQLite
// store), and against a scripted HTTPS receiver for back-pressure: 503 + Retry-After, a full
// queue dropping (and counting) the oldest events.

const events = (n: number, from = 0): SecurityEvent[] =>
  Array.from({ length: n }, (_, i) => sampleEvent({ id: `ev-${from + i}` }));

async function until(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Hit {
  at: number;
  url: string;
  authorization: string | undefined;
  events: number;
}

/** An HTTPS receiver answering request n with script(n). */
async function receiver(t: TestContext, script: (n: number) => { status: number; headers?: Record<string, string> }) {
  const dir = await makeTempDir('bulwark-server-sink-');
  t.after(() => dir.remove());
  const certs = makeCerts(join(dir.path, 'certs'));
  const hits: Hit[] = [];
  const server: Server = createServer(
    { cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: unknown[] };
        hits.push({
          at: Date.now(),
          url: req.url ?? '',
          authorization: req.headers.authorization,
          events: body.events.length,
        });
        const a = script(hits.length);
        res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
        res.end(a.status === 200 ? '{"received":0,"stored":0}' : '{"error":{"code":"UNAVAILABLE","message":"busy"}}');
      });
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caFile: certs.caCert, hits };
}

describe('server sink', () => {
  it('delivers to the real server in batches of at most batchSize; every event stored once', async () => {
    const dir = await makeTempDir('bulwark-server-sink-');
    const store = await openStore({ dataDir: join(dir.path, 'data') });
    const deps = testDeps(store);
    const logged: string[] = [];
    const running = await serve({
      dataDir: join(dir.path, 'data'),
      listen: '127.0.0.1:0',
      deps,
      logger: serverLogger({ level: 'info', stream: { write: (l: string) => void logged.push(l) } }),
    });
    const errors: string[] = [];
    const sink = createSink(
      { type: 'server', url: running.url, token: TOKENS.agent, caFile: running.tls.certFile, batchSize: 500 },
      { onError: (e) => errors.push(String(e)) },
    );
    try {
      for (const e of events(1200)) sink.emit(e);
      await until(() => sink.stats().sent === 1200);
      assert.deepEqual(sink.stats(), { sent: 1200, failed: 0, dropped: 0, queued: 0 });
      assert.deepEqual(errors, []);
      const ingests = deps.entries.filter((e) => e.action === 'events.ingest');
      assert.ok(ingests.length >= 3, `${ingests.length} requests`);
      for (const e of ingests) assert.ok(Number(e.detail?.events) <= 500);
      assert.equal(
        ingests.reduce((n, e) => n + Number(e.detail?.events), 0),
        1200,
      );
      assert.equal((await listEvents(store, { since: '2000-01-01T00:00:00Z', limit: 5000 })).length, 1200);
      assert.ok(!logged.join('').includes(TOKENS.agent), 'the token is never logged');
    } finally {
      await sink.close({ flushTimeoutMs: 1000 });
      await running.close();
      await store.close();
      await dir.remove();
    }
  });

  it('503 with Retry-After: waits as told, then delivers; a full queue drops the oldest and counts them', async (t) => {
    if (!requireAll(t, { openssl: have('openssl') })) return;
    const rx = await receiver(t, (n) => (n === 1 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 }));
    const sink = createSink({
      type: 'server',
      url: rx.url,
      token: 'agent-secret',
      caFile: rx.caFile,
      batchSize: 50,
      queueSize: 100,
      retry: { attempts: 5, initialDelayMs: 10, maxDelayMs: 5000 },
    });
    try {
      sink.emit(events(1)[0]!);
      await until(() => rx.hits.length === 1);
      // while the first batch waits out Retry-After, 200 more arrive: the queue keeps the newest 100
      for (const e of events(200, 1)) sink.emit(e);
      assert.equal(sink.stats().dropped, 100);
      await until(() => sink.stats().queued === 0);
      assert.deepEqual(sink.stats(), { sent: 101, failed: 0, dropped: 100, queued: 0 });
      assert.ok(rx.hits[1]!.at - rx.hits[0]!.at >= 950, `retried after ${rx.hits[1]!.at - rx.hits[0]!.at} ms`);
      assert.deepEqual(
        rx.hits.map((h) => h.events),
        [1, 1, 50, 50],
      );
      assert.ok(rx.hits.every((h) => h.url === '/api/v1/events' && h.authorization === 'Bearer agent-secret'));
    } finally {
      await sink.close({ flushTimeoutMs: 1000 });
    }
  });

  it('refuses a plain-http server URL and names no token in the sink name', () => {
    assert.throws(() => createSink({ type: 'server', url: 'http://127.0.0.1:1', token: 't' }), /https only/);
    const s = createSink({ type: 'server', url: 'https://127.0.0.1:1/x', token: 'topsecret' });
    assert.equal(s.name, 'server:https://127.0.0.1:1');
    void s.close({ flushTimeoutMs: 0 });
  });
});
