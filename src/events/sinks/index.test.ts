import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBulwarkError } from '../../core/errors.js';
import { parseHostPort } from './address.js';
import { createSink, createSinks, parseSinkConfig } from './index.js';

const usage = (fn: () => unknown, field: RegExp): void => {
  assert.throws(fn, (e: unknown) => isBulwarkError(e) && e.code === 'USAGE' && field.test(e.message));
};

describe('sink configuration', () => {
  it('fills in defaults', () => {
    const c = parseSinkConfig({ type: 'syslog', protocol: 'udp', address: 'siem.example:514' });
    assert.equal(c.type, 'syslog');
    if (c.type !== 'syslog') return;
    assert.equal(c.format, 'rfc5424');
    assert.equal(c.facility, 'local0');
    assert.equal(c.appName, 'bulwark');
    assert.equal(c.maxMessageBytes, 8192);
    assert.equal(c.queueSize, 10_000);
    assert.deepEqual(c.retry, { attempts: 5, initialDelayMs: 500, maxDelayMs: 30_000 });
    const h = parseSinkConfig({ type: 'splunk-hec', url: 'https://splunk:8088', token: 't' });
    assert.ok(h.type === 'splunk-hec' && h.sourcetype === 'bulwark:event' && h.batchSize === 50);
    const w = parseSinkConfig({ type: 'webhook', url: 'https://hooks.example/x' });
    assert.ok(w.type === 'webhook' && w.batchSize === 1);
  });

  it('rejects what cannot work, naming the field', () => {
    usage(() => parseSinkConfig({ type: 'kafka' }), /type/);
    usage(() => parseSinkConfig({ type: 'syslog', protocol: 'udp', address: 'no-port' }), /address/);
    usage(() => parseSinkConfig({ type: 'syslog', protocol: 'udp', address: 'h:70000' }), /address/);
    usage(
      () => parseSinkConfig({ type: 'syslog', protocol: 'tcp', address: 'h:514', caFile: '/ca.pem' }),
      /caFile: only for protocol "tls"/,
    );
    usage(
      () => parseSinkConfig({ type: 'syslog', protocol: 'tls', address: 'h:6514', certFile: '/c.pem' }),
      /certFile/,
    );
    usage(() => parseSinkConfig({ type: 'syslog', protocol: 'udp', address: 'h:514', facility: 'local9' }), /facility/);
    usage(
      () => parseSinkConfig({ type: 'syslog', protocol: 'udp', address: 'h:514', appName: 'has space' }),
      /appName/,
    );
    usage(() => parseSinkConfig({ type: 'webhook', url: 'ftp://x/' }), /url/);
    usage(
      () => parseSinkConfig({ type: 'webhook', url: 'https://x/', headers: { 'x-a': 'v\r\nInjected: 1' } }),
      /headers/,
    );
    usage(() => parseSinkConfig({ type: 'splunk-hec', url: 'https://x/' }), /token/);
    usage(() => parseSinkConfig({ type: 'jsonl', path: 'x', typo: 1 }), /typo|Unrecognized/);
    usage(() => createSinks([{ type: 'jsonl' }, { type: 'webhook' }]), /url/);
  });

  it('a missing CA file is an error at creation, not at the first event', () => {
    assert.throws(
      () => createSink({ type: 'syslog', protocol: 'tls', address: '127.0.0.1:6514', caFile: '/nonexistent/ca.pem' }),
      (e: unknown) => isBulwarkError(e) && e.code === 'IO' && e.input === '/nonexistent/ca.pem',
    );
  });

  it('names sinks by destination, without credentials or query', async () => {
    const sinks = [
      createSink({ type: 'webhook', url: 'https://user:pw@hooks.example:8443/path?token=abc' }),
      createSink({ type: 'splunk-hec', url: 'https://splunk.example:8088', token: 'secret' }),
      createSink({ type: 'syslog', protocol: 'tcp', address: '[2001:db8::1]:6514' }),
      createSink({ type: 'jsonl', path: '-' }),
      createSink({ type: 'jsonl', path: '/tmp/x.jsonl', name: 'audit-file' }),
    ];
    assert.deepEqual(
      sinks.map((s) => s.name),
      [
        'webhook:https://hooks.example:8443',
        'splunk-hec:https://splunk.example:8088',
        'syslog+tcp://[2001:db8::1]:6514',
        'jsonl:stdout',
        'audit-file',
      ],
    );
    await Promise.all(sinks.map((s) => s.close({ flushTimeoutMs: 10 })));
  });

  it('parses host:port', () => {
    assert.deepEqual(parseHostPort('siem.example.com:514'), { host: 'siem.example.com', port: 514 });
    assert.deepEqual(parseHostPort('10.0.0.1:6514'), { host: '10.0.0.1', port: 6514 });
    assert.deepEqual(parseHostPort('[::1]:514'), { host: '::1', port: 514 });
    for (const bad of ['::1:514', 'host', 'host:', ':514', 'host:0', 'host:65536', '[nothex]:1', 'a b:1', 'h:514x'])
      assert.equal(parseHostPort(bad), undefined, bad);
  });
});
