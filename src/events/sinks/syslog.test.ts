import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { makeTempDir, type TempDir } from '../../core/tempdir.js';
import { makeCerts, type TestCerts } from '../../../test/support/registry.js';
import { have, requireAll } from '../../../test/support/require.js';
import type { SecurityEvent } from '../event.js';
import { sampleEvent } from '../../../test/support/security-events.js';
import { toCef, toRfc5424 } from './format.js';
import { createSink } from './index.js';
import { rsyslogTlsDriver, startRsyslog, type Received, type Rsyslog } from '../../../test/support/rsyslog.js';

// The acceptance test: a real rsyslogd (Debian's rsyslog, private config, loopback ports)
// receives RFC 5424 and CEF events over UDP, TCP (octet counting) and TLS, and parses PRI,
// APP-NAME, MSGID, structured data and the message the way Bulwark meant them.

const BOM = '\uFEFF';
const quick = { attempts: 3, initialDelayMs: 20, maxDelayMs: 100 };

let tmp: TempDir | undefined;
let certs: TestCerts | undefined;
let rs: Rsyslog | undefined;
const tools = (): Record<string, boolean> => ({
  'rsyslogd (Debian rsyslog)': have('rsyslogd'),
  openssl: have('openssl'),
});
const tlsTools = (): Record<string, boolean> => ({
  ...tools(),
  'rsyslog TLS driver (Debian rsyslog-openssl or rsyslog-gnutls)': rsyslogTlsDriver() !== undefined,
});

before(async () => {
  if (!Object.values(tools()).every(Boolean)) return;
  tmp = await makeTempDir('bulwark-rsyslog-');
  certs = makeCerts(join(tmp.path, 'certs'));
  rs = await startRsyslog({
    dir: tmp.path,
    ...(rsyslogTlsDriver()
      ? { tls: { caFile: certs.caCert, certFile: certs.serverCert, keyFile: certs.serverKey } }
      : {}),
  });
});

after(async () => {
  await rs?.stop();
  await tmp?.remove();
});

function ready(t: TestContext, what = tools()): Rsyslog | undefined {
  if (!requireAll(t, what)) return undefined;
  assert.ok(rs, 'rsyslogd is running');
  return rs;
}

/** An event whose every text field carries characters the formats must escape. */
function nasty(id: string): SecurityEvent {
  return sampleEvent({
    id,
    rule: 'shell-in-container',
    message: `shell ran "sh -c 'a=b | c'" [x] \\ back\nslash é 漢 ${id}`,
    container: { id: 'c0ffee', name: 'web]"1', image: 'registry.example/app|x:1.0' },
    process: { pid: 42, exe: '/bin/sh', args: ['sh', '-c', 'echo "]" = \\'], user: 'root' },
    fields: { 'odd key=]': 'v"]\\' },
  });
}

const sdOf = (e: SecurityEvent): string => {
  const line = toRfc5424(e, { appName: 'bulwark', procId: 1 });
  return line.slice(line.indexOf(' [') + 1, line.lastIndexOf(`] ${BOM}`) + 1);
};

function checkRfc5424(r: Received, e: SecurityEvent, input: string): void {
  assert.equal(r.input, input);
  assert.equal(r.pri, 16 * 8 + 3, 'local0.err');
  assert.equal(r.timestamp, '2024-05-06T07:08:09.123456Z');
  assert.equal(r.hostname, 'node-1');
  assert.equal(r.appName, 'bulwark');
  assert.equal(r.procId, String(process.pid));
  assert.equal(r.msgId, 'shell-in-container');
  assert.equal(r.structuredData, sdOf(e));
  assert.ok(r.structuredData.startsWith('[bulwark@32473 id="'));
  assert.ok(r.structuredData.includes('containerName="web\\]\\"1"'));
  // rsyslog's own structured-data parser (mmpstrucdata) reads back the original values
  const sd = r.sd?.['bulwark@32473'];
  assert.ok(sd, `mmpstrucdata parsed ${r.structuredData}`);
  assert.equal(sd.id, e.id);
  assert.equal(sd.rule, e.rule);
  assert.equal(sd.container, e.container?.id);
  assert.equal(sd.containerName, e.container?.name);
  assert.equal(sd.image, e.container?.image);
  assert.equal(sd.args, JSON.stringify(e.process?.args));
  assert.equal(sd.stride, e.stride);
  assert.equal(sd.attack, e.attack);
  assert.equal(sd['f.odd_key__'], e.fields?.['odd key=]']);
  assert.equal(r.msg, `${BOM}${e.message.replace('\n', '#012')}`);
}

function checkCef(r: Received, e: SecurityEvent, input: string): void {
  assert.equal(r.input, input);
  assert.equal(r.pri, 16 * 8 + 3);
  assert.equal(r.appName, 'bulwark');
  assert.equal(r.msgId, 'shell-in-container');
  assert.equal(r.structuredData, '-');
  assert.equal(r.msg, toCef(e), 'the CEF string arrives intact');
  assert.ok(r.msg.startsWith('CEF:0|Bulwark|Bulwark|'));
  assert.ok(r.msg.includes('cs1Label=containerId cs1=c0ffee'));
}

async function send(
  protocol: 'udp' | 'tcp' | 'tls',
  format: 'rfc5424' | 'cef',
  port: number,
  events: SecurityEvent[],
  extra: Record<string, unknown> = {},
): Promise<void> {
  const sink = createSink({ type: 'syslog', format, protocol, address: `127.0.0.1:${port}`, retry: quick, ...extra });
  for (const e of events) sink.emit(e);
  await sink.close({ flushTimeoutMs: 5000 });
  assert.deepEqual(sink.stats(), { sent: events.length, failed: 0, dropped: 0, queued: 0 });
}

const byId =
  (id: string) =>
  (r: Received): boolean =>
    r.raw.includes(id);

describe('syslog sink → rsyslogd', () => {
  it('RFC 5424 over UDP', async (t) => {
    const r = ready(t);
    if (!r) return;
    const e = nasty('udp-5424');
    await send('udp', 'rfc5424', r.udpPort, [e]);
    const [got] = await r.waitFor(byId('udp-5424'));
    assert.ok(got, `nothing received; rsyslogd said: ${r.log()}`);
    if (process.env.BULWARK_SHOW_RSYSLOG) console.log(JSON.stringify(got, null, 1));
    checkRfc5424(got, e, 'udp');
  });

  it('CEF over UDP', async (t) => {
    const r = ready(t);
    if (!r) return;
    const e = nasty('udp-cef');
    await send('udp', 'cef', r.udpPort, [e]);
    const [got] = await r.waitFor(byId('udp-cef'));
    assert.ok(got);
    checkCef(got, e, 'udp');
  });

  it('RFC 5424 and CEF over TCP, octet-counted: each message of a batch arrives on its own', async (t) => {
    const r = ready(t);
    if (!r) return;
    const events = Array.from({ length: 5 }, (_, i) => nasty(`tcp-5424-${i}`));
    await send('tcp', 'rfc5424', r.tcpPort, events);
    const got = await r.waitFor(byId('tcp-5424-'), 5);
    assert.equal(got.length, 5);
    got.forEach((g, i) => checkRfc5424(g, events[i] as SecurityEvent, 'tcp'));

    const cef = nasty('tcp-cef');
    await send('tcp', 'cef', r.tcpPort, [cef]);
    const [c] = await r.waitFor(byId('tcp-cef'));
    assert.ok(c);
    checkCef(c, cef, 'tcp');
  });

  it('a long message is cut to fit, the structured data still parses', async (t) => {
    const r = ready(t);
    if (!r) return;
    const e = sampleEvent({ id: 'udp-long', message: `long ${'é'.repeat(20_000)}` });
    await send('udp', 'rfc5424', r.udpPort, [e], { maxMessageBytes: 4096 });
    const [got] = await r.waitFor(byId('udp-long'));
    assert.ok(got);
    assert.ok(Buffer.byteLength(got.raw) <= 4096);
    assert.ok(got.structuredData.startsWith('[bulwark@32473 id="udp-long"'));
    assert.ok(got.msg.startsWith(`${BOM}long éé`));
  });

  it('RFC 5424 and CEF over TLS, checking the server against the CA file', async (t) => {
    const r = ready(t, tlsTools());
    if (!r || !certs) return;
    assert.ok(r.tlsPort);
    const e = nasty('tls-5424');
    await send('tls', 'rfc5424', r.tlsPort, [e], { caFile: certs.caCert });
    const cef = nasty('tls-cef');
    await send('tls', 'cef', r.tlsPort, [cef], { caFile: certs.caCert, servername: 'localhost' });
    const [a] = await r.waitFor(byId('tls-5424'));
    const [b] = await r.waitFor(byId('tls-cef'));
    assert.ok(a && b);
    checkRfc5424(a, e, 'tls');
    checkCef(b, cef, 'tls');

    // without the CA the certificate is not trusted: nothing is sent, and it is not retried
    const attempts: boolean[] = [];
    const untrusted = createSink(
      { type: 'syslog', protocol: 'tls', address: `127.0.0.1:${r.tlsPort}`, retry: quick },
      { onError: (_e, i) => attempts.push(i.willRetry) },
    );
    untrusted.emit(nasty('tls-untrusted'));
    await untrusted.close({ flushTimeoutMs: 3000 });
    assert.deepEqual(untrusted.stats(), { sent: 0, failed: 1, dropped: 0, queued: 0 });
    assert.deepEqual(attempts, [false]);
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(r.received().filter(byId('tls-untrusted')).length, 0);
  });
});
