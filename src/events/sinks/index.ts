import { readFileSync } from 'node:fs';
import { BulwarkError, messageOf } from '../../core/errors.js';
import { formatHostPort, parseHostPort } from './address.js';
import {
  sinkConfigSchema,
  type JsonlSinkConfig,
  type ServerSinkConfig,
  type SinkConfig,
  type SplunkHecSinkConfig,
  type SyslogSinkConfig,
  type WebhookSinkConfig,
} from './config.js';
import { FileTransport } from './file.js';
import { toCefSyslog, toRfc5424 } from './format.js';
import { origin } from './http.js';
import { fanOut, queuedSink, type QueueOptions } from './queue.js';
import { ServerTransport } from './server.js';
import type { Sink, Transport } from './sink.js';
import { SplunkHecTransport } from './splunk-hec.js';
import { StreamTransport } from './tcp.js';
import { UdpTransport, type MessageFormatter } from './udp.js';
import { WebhookTransport } from './webhook.js';

// Where SecurityEvents go: createSink() turns one validated configuration into a Sink (a
// transport behind a bounded queue); fanOut() sends to several. A new sink type is one new
// transport file plus one line in BUILDERS.

export type { CloseOptions, Sink, SinkStats, Transport } from './sink.js';
export { DeliveryError } from './sink.js';
export { fanOut, queuedSink, type QueueOptions, type RetryOptions } from './queue.js';
export { sinkConfigSchema, type SinkConfig, type SinkConfigInput } from './config.js';
export { toCef, toCefSyslog, toJsonLine, toRfc5424, type SyslogOptions } from './format.js';

export interface SinkDeps {
  /** Told about every failed delivery attempt (the agent logs it); must not throw. */
  onError?: QueueOptions['onError'];
}

interface Built {
  name: string;
  transport: Transport;
  batchSize: number;
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new BulwarkError('IO', file, `cannot read the ${what}: ${messageOf(e)}`, { cause: e });
  }
}

const BUILDERS: { [T in SinkConfig['type']]: (c: Extract<SinkConfig, { type: T }>) => Built } = {
  jsonl: (c: JsonlSinkConfig) => ({
    name: `jsonl:${c.path === undefined || c.path === '-' ? 'stdout' : c.path}`,
    transport: new FileTransport(c.path === undefined ? {} : { path: c.path }),
    batchSize: 100,
  }),
  syslog: (c: SyslogSinkConfig) => {
    const hp = parseHostPort(c.address);
    if (!hp) throw new BulwarkError('USAGE', 'sink config', `address: must be host:port`);
    const opts = { appName: c.appName, facility: c.facility, ...(c.hostname ? { hostname: c.hostname } : {}) };
    const format: MessageFormatter =
      c.format === 'cef'
        ? (e, maxBytes) => toCefSyslog(e, { ...opts, maxBytes })
        : (e, maxBytes) => toRfc5424(e, { ...opts, maxBytes });
    const name = `syslog+${c.protocol}://${formatHostPort(hp)}`;
    if (c.protocol === 'udp')
      return {
        name,
        transport: new UdpTransport({ ...hp, format, maxMessageBytes: c.maxMessageBytes }),
        batchSize: 20,
      };
    const tls =
      c.protocol === 'tls'
        ? {
            ...(c.caFile ? { ca: readPem(c.caFile, 'CA file') } : {}),
            ...(c.certFile ? { cert: readPem(c.certFile, 'client certificate') } : {}),
            ...(c.keyFile ? { key: readPem(c.keyFile, 'client key') } : {}),
            ...(c.servername ? { servername: c.servername } : {}),
          }
        : undefined;
    return {
      name,
      transport: new StreamTransport({
        ...hp,
        format,
        maxMessageBytes: c.maxMessageBytes,
        connectTimeoutMs: c.timeoutMs,
        ...(tls ? { tls } : {}),
      }),
      batchSize: 20,
    };
  },
  webhook: (c: WebhookSinkConfig) => {
    const url = new URL(c.url);
    return {
      name: `webhook:${origin(url)}`,
      transport: new WebhookTransport({
        url,
        timeoutMs: c.timeoutMs,
        batch: c.batchSize > 1,
        ...(c.headers ? { headers: c.headers } : {}),
        ...(c.caFile ? { ca: readPem(c.caFile, 'CA file') } : {}),
      }),
      batchSize: c.batchSize,
    };
  },
  'splunk-hec': (c: SplunkHecSinkConfig) => {
    const url = new URL(c.url);
    return {
      name: `splunk-hec:${origin(url)}`,
      transport: new SplunkHecTransport({
        url,
        token: c.token,
        source: c.source,
        sourcetype: c.sourcetype,
        timeoutMs: c.timeoutMs,
        ...(c.index ? { index: c.index } : {}),
        ...(c.host ? { host: c.host } : {}),
        ...(c.caFile ? { ca: readPem(c.caFile, 'CA file') } : {}),
      }),
      batchSize: c.batchSize,
    };
  },
  server: (c: ServerSinkConfig) => {
    const transport = new ServerTransport({
      url: c.url,
      token: c.token,
      timeoutMs: c.timeoutMs,
      ...(c.caFile ? { ca: readPem(c.caFile, 'CA file') } : {}),
    });
    return { name: `server:${transport.where}`, transport, batchSize: c.batchSize };
  },
};

/** Validates a sink configuration (throws BulwarkError USAGE naming the bad fields). */
export function parseSinkConfig(input: unknown): SinkConfig {
  const r = sinkConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'sink'}: ${i.message}`).join('; ');
  throw new BulwarkError('USAGE', 'sink config', issues);
}

/** A Sink for a configuration (a SinkConfigInput, or anything read from a file: it is validated): its transport behind a bounded queue. */
export function createSink(config: unknown, deps: SinkDeps = {}): Sink {
  const c = parseSinkConfig(config);
  const build = BUILDERS[c.type] as (c: SinkConfig) => Built;
  const b = build(c);
  return queuedSink(c.name ?? b.name, b.transport, {
    capacity: c.queueSize,
    batchSize: b.batchSize,
    retry: c.retry,
    // the transport's own timeout answers first; this one only catches a transport that hangs
    attemptTimeoutMs: c.timeoutMs + 5_000,
    ...(deps.onError ? { onError: deps.onError } : {}),
  });
}

/** Sinks for several configurations, as one (all are validated before any is created). */
export function createSinks(configs: readonly unknown[], deps: SinkDeps = {}): Sink {
  const parsed = configs.map(parseSinkConfig);
  return fanOut(parsed.map((c) => createSink(c, deps)));
}
