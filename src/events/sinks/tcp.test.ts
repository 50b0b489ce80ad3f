import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { sampleEvent } from '../../../test/support/security-events.js';
import { createSink } from './index.js';
import { octetFrame } from './tcp.js';

// Transport behaviour rsyslog cannot easily show: RFC 6587 frames as a byte-exact reader sees
// them, reconnecting when the receiver drops the connection or is down for a while, and UDP
// datagrams cut at a character boundary.

/** Reads RFC 6587 octet-counted frames from a byte stream; throws on anything else. */
class FrameReader {
  private buf = Buffer.alloc(0);
  readonly messages: string[] = [];

  push(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const sp = this.buf.indexOf(0x20);
      if (sp < 0) return;
      const len = this.buf.subarray(0, sp).toString('ascii');
      if (!/^[1-9]\d{0,8}$/.test(len)) throw new Error(`bad MSG-LEN ${JSON.stringify(len)}`);
      const n = Number(len);
      if (this.buf.length < sp + 1 + n) return;
      this.messages.push(this.buf.subarray(sp + 1, sp + 1 + n).toString('utf8'));
      this.buf = this.buf.subarray(sp + 1 + n);
    }
  }
}

interface Receiver {
  port: number;
  reader: FrameReader;
  connections: number;
  /** Drop every connection after this many messages on it (0: never). */
  dropAfter: number;
  server: Server;
  stop(): Promise<void>;
}

async function tcpReceiver(port = 0, dropAfter = 0): Promise<Receiver> {
  const sockets = new Set<Socket>();
  const rx: Receiver = {
    port: 0,
    reader: new FrameReader(),
    connections: 0,
    dropAfter,
    server: createServer((s) => {
      rx.connections++;
      sockets.add(s);
      const before = rx.reader.messages.length;
      s.on('data', (c: Buffer) => {
        rx.reader.push(c);
        if (rx.dropAfter && rx.reader.messages.length - before >= rx.dropAfter) s.destroy();
      });
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }),
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        rx.server.close(() => r());
      }),
  };
  await new Promise<void>((r) => rx.server.listen(port, '127.0.0.1', r));
  rx.port = (rx.server.address() as AddressInfo).port;
  return rx;
}

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const quick = { attempts: 8, initialDelayMs: 20, maxDelayMs: 200 };

describe('syslog over TCP', () => {
  it('frames are exact under any content', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 50 }), { maxLength: 10 }),
        fc.integer({ min: 1, max: 7 }),
        (msgs, chunk) => {
          const wire = Buffer.concat(msgs.filter((m) => m !== '').map(octetFrame));
          const r = new FrameReader();
          for (let i = 0; i < wire.length; i += chunk) r.push(wire.subarray(i, i + chunk));
          assert.deepEqual(
            r.messages,
            msgs.filter((m) => m !== '').map((m) => Buffer.from(m).toString('utf8')),
          );
        },
      ),
    );
  });

  it('reconnects when the receiver drops the connection', async () => {
    const rx = await tcpReceiver(0, 1);
    const sink = createSink({ type: 'syslog', protocol: 'tcp', address: `127.0.0.1:${rx.port}`, retry: quick });
    try {
      for (let i = 0; i < 5; i++) {
        sink.emit(sampleEvent({ id: `r${i}` }));
        await until(() => rx.reader.messages.some((m) => m.includes(`id="r${i}"`)));
        await new Promise((r) => setTimeout(r, 50)); // let the client see the close (TCP has no acknowledgement)
      }
      assert.ok(rx.connections >= 5, `${rx.connections} connections`);
      await sink.close({ flushTimeoutMs: 2000 });
      assert.equal(sink.stats().sent, 5);
      for (const m of rx.reader.messages) assert.match(m, /^<131>1 /);
    } finally {
      await rx.stop();
    }
  });

  it('keeps retrying with backoff while the receiver is down, then delivers', async () => {
    const first = await tcpReceiver();
    const port = first.port;
    await first.stop(); // nothing listens on the port now
    const errors: string[] = [];
    const sink = createSink(
      { type: 'syslog', protocol: 'tcp', format: 'cef', address: `127.0.0.1:${port}`, retry: quick },
      { onError: (e) => errors.push(String(e)) },
    );
    let rx: Receiver | undefined;
    try {
      sink.emit(sampleEvent({ id: 'late' }));
      await until(() => errors.length >= 2);
      assert.match(errors[0] ?? '', /ECONNREFUSED/);
      rx = await tcpReceiver(port);
      const r = rx;
      await until(() => r.reader.messages.length === 1);
      assert.ok(r.reader.messages[0]?.includes('CEF:0|Bulwark|Bulwark|'));
      await sink.close({ flushTimeoutMs: 2000 });
      assert.deepEqual(sink.stats(), { sent: 1, failed: 0, dropped: 0, queued: 0 });
    } finally {
      await sink.close({ flushTimeoutMs: 100 });
      await rx?.stop();
    }
  });
});

describe('syslog over UDP', () => {
  it('sends one datagram per event, cut to the limit at a character boundary', async () => {
    const sock = createSocket('udp4');
    const got: Buffer[] = [];
    sock.on('message', (m) => got.push(m));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const sink = createSink({
      type: 'syslog',
      protocol: 'udp',
      format: 'cef',
      address: `127.0.0.1:${sock.address().port}`,
      maxMessageBytes: 1024,
    });
    try {
      sink.emit(sampleEvent({ id: 'u1' }));
      sink.emit(sampleEvent({ id: 'u2', message: '漢'.repeat(2000) }));
      await until(() => got.length === 2);
      assert.ok(got[0]?.toString().includes('externalId=u1'));
      const long = got[1] as Buffer;
      assert.ok(long.length <= 1024 && long.length > 1000, `${long.length} bytes`);
      assert.equal(Buffer.from(long.toString('utf8')).length, long.length, 'valid UTF-8: no character was split');
      // a large batch: one datagram each, and no listener leak warnings
      const warnings: string[] = [];
      const onWarning = (w: Error): void => void warnings.push(w.name);
      process.on('warning', onWarning);
      for (let i = 0; i < 50; i++) sink.emit(sampleEvent({ id: `b${i}` }));
      await until(() => got.length === 52);
      await new Promise((r) => setImmediate(r));
      process.off('warning', onWarning);
      assert.deepEqual(warnings, []);
      await sink.close();
      assert.equal(sink.stats().sent, 52);
    } finally {
      sock.close();
    }
  });
});
