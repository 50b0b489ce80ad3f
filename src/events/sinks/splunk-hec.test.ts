import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { SecurityEvent } from '../event.js';
import { sampleEvent } from '../../../test/support/security-events.js';
import { createSink } from './index.js';
import { HEC_PATH, hecEndpoint } from './splunk-hec.js';

// A loopback stand-in for Splunk's HTTP Event Collector that checks what real HEC checks —
// the path, the "Splunk <token>" authorization, and that the body is a run of JSON envelopes
// with time, host, sourcetype and event — and answers as HEC does.

const TOKEN = '11111111-2222-3333-4444-555555555555';

interface HecHit {
  url: string;
  auth: string | undefined;
  envelopes: Record<string, unknown>[];
}

/** Splits concatenated JSON objects (HEC accepts them back to back or separated by whitespace). */
function splitConcatenated(body: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) out.push(JSON.parse(body.slice(start, i + 1)) as Record<string, unknown>);
    else if (depth === 0 && !/\s/.test(c ?? '')) throw new Error(`junk between envelopes at ${i}`);
  }
  return out;
}

async function hec(
  answer: (n: number) => { status: number; text: string; code: number },
): Promise<{ base: string; hits: HecHit[]; stop(): Promise<void> }> {
  const hits: HecHit[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const auth = req.headers.authorization;
      let envelopes: Record<string, unknown>[] = [];
      let reply = answer(hits.length + 1);
      if (req.method !== 'POST' || req.url !== HEC_PATH)
        reply = { status: 404, text: 'The requested URL was not found on this server.', code: 404 };
      else if (auth !== `Splunk ${TOKEN}`) reply = { status: 403, text: 'Invalid token', code: 4 };
      else {
        try {
          envelopes = splitConcatenated(Buffer.concat(chunks).toString('utf8'));
          if (envelopes.length === 0) reply = { status: 400, text: 'No data', code: 5 };
        } catch {
          reply = { status: 400, text: 'Invalid data format', code: 6 };
        }
      }
      hits.push({ url: req.url ?? '', auth, envelopes });
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ text: reply.text, code: reply.code }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, hits, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

const ok = { status: 200, text: 'Success', code: 0 };
const quick = { attempts: 4, initialDelayMs: 10, maxDelayMs: 50 };

describe('splunk-hec sink', () => {
  it('posts envelopes to /services/collector/event with the Splunk token, batched', async () => {
    const rx = await hec(() => ok);
    const sink = createSink({
      type: 'splunk-hec',
      url: rx.base,
      token: TOKEN,
      index: 'security',
      batchSize: 3,
      retry: quick,
    });
    const events: SecurityEvent[] = Array.from({ length: 7 }, (_, i) =>
      sampleEvent({ id: `e${i}`, host: i === 0 ? '' : 'node-1' }),
    );
    try {
      for (const e of events) sink.emit(e);
      await sink.close({ flushTimeoutMs: 5000 });
      assert.deepEqual(sink.stats(), { sent: 7, failed: 0, dropped: 0, queued: 0 });
      assert.ok(rx.hits.every((h) => h.url === HEC_PATH && h.auth === `Splunk ${TOKEN}`));
      assert.ok(rx.hits.length >= 3, 'batches of at most 3');
      assert.ok(rx.hits.every((h) => h.envelopes.length <= 3));
      const envs = rx.hits.flatMap((h) => h.envelopes);
      assert.equal(envs.length, 7);
      envs.forEach((env, i) => {
        assert.deepEqual(Object.keys(env).sort(), ['event', 'host', 'index', 'source', 'sourcetype', 'time']);
        assert.equal(env.time, Date.parse('2024-05-06T07:08:09.123Z') / 1000);
        assert.equal(env.sourcetype, 'bulwark:event');
        assert.equal(env.source, 'bulwark');
        assert.equal(env.index, 'security');
        assert.equal(typeof env.host, 'string');
        assert.notEqual(env.host, '');
        assert.deepEqual(env.event, events[i]);
      });
      assert.equal(envs[1]?.host, 'node-1');
    } finally {
      await rx.stop();
    }
  });

  it('does not retry an invalid token; retries "server busy"', async () => {
    const rx = await hec(() => ok);
    const bad = createSink({ type: 'splunk-hec', url: `${rx.base}${HEC_PATH}`, token: 'wrong', retry: quick });
    bad.emit(sampleEvent());
    await bad.close({ flushTimeoutMs: 3000 });
    assert.deepEqual(bad.stats(), { sent: 0, failed: 1, dropped: 0, queued: 0 });
    assert.equal(rx.hits.length, 1);
    await rx.stop();

    const busy = await hec((n) => (n < 3 ? { status: 503, text: 'Server is busy', code: 9 } : ok));
    const sink = createSink({ type: 'splunk-hec', url: busy.base, token: TOKEN, retry: quick });
    sink.emit(sampleEvent());
    await sink.close({ flushTimeoutMs: 3000 });
    assert.deepEqual(sink.stats(), { sent: 1, failed: 0, dropped: 0, queued: 0 });
    assert.equal(busy.hits.length, 3);
    await busy.stop();
  });

  it('treats a 200 that is not HEC success as a failure', async () => {
    const rx = await hec(() => ({ status: 200, text: 'Something else', code: 17 }));
    const sink = createSink({ type: 'splunk-hec', url: rx.base, token: TOKEN, retry: quick });
    sink.emit(sampleEvent());
    await sink.close({ flushTimeoutMs: 3000 });
    assert.deepEqual(sink.stats(), { sent: 0, failed: 1, dropped: 0, queued: 0 });
    assert.equal(rx.hits.length, 1);
    await rx.stop();
  });

  it('builds the endpoint from a base URL, with or without a path', () => {
    assert.equal(hecEndpoint(new URL('https://splunk:8088')).href, 'https://splunk:8088/services/collector/event');
    assert.equal(hecEndpoint(new URL('https://splunk:8088/')).href, 'https://splunk:8088/services/collector/event');
    assert.equal(hecEndpoint(new URL('https://gw/splunk/')).href, 'https://gw/splunk/services/collector/event');
    assert.equal(
      hecEndpoint(new URL('https://splunk:8088/services/collector/event')).href,
      'https://splunk:8088/services/collector/event',
    );
  });
});
