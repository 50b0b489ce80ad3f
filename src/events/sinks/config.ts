import { z } from 'zod';
import { SYSLOG_FACILITIES, type SyslogFacilityName } from './format.js';
import { parseHostPort } from './address.js';

// What an operator writes to send events somewhere (agent configuration, CLI flags): one zod
// schema per sink type, their union discriminated by `type`. Types are inferred from it.

const retrySchema = z
  .object({
    attempts: z.number().int().min(1).max(20).default(5),
    initialDelayMs: z.number().int().min(1).max(60_000).default(500),
    maxDelayMs: z.number().int().min(1).max(600_000).default(30_000),
  })
  .strict();

/** Settings of the queue every sink has. */
const common = {
  /** Name in stats and logs; default derived from the destination (never its credentials). */
  name: z.string().min(1).max(200).optional(),
  /** Events waiting at most; the oldest are dropped when full. */
  queueSize: z.number().int().min(1).max(1_000_000).default(10_000),
  retry: retrySchema.prefault({}),
  /** Longest one delivery attempt may take. */
  timeoutMs: z.number().int().min(100).max(600_000).default(10_000),
};

const facilityNames = Object.keys(SYSLOG_FACILITIES) as [SyslogFacilityName, ...SyslogFacilityName[]];

const httpUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}, 'must be an http:// or https:// URL');

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// eslint-disable-next-line no-control-regex
const headerValue = /^[^\u0000-\u0008\u000a-\u001f\u007f]*$/;

const jsonlSinkSchema = z
  .object({
    type: z.literal('jsonl'),
    /** File to append to; absent or "-" for standard output. */
    path: z.string().min(1).optional(),
    ...common,
  })
  .strict();

const syslogSinkSchema = z
  .object({
    type: z.literal('syslog'),
    format: z.enum(['rfc5424', 'cef']).default('rfc5424'),
    protocol: z.enum(['udp', 'tcp', 'tls']),
    /** "host:port" ("[v6]:port"). */
    address: z.string().refine((s) => parseHostPort(s) !== undefined, 'must be host:port'),
    /** tls: PEM file of CA certificates to trust (default: Node's bundled roots). */
    caFile: z.string().min(1).optional(),
    /** tls: name the certificate must carry (default: the host, when it is a name). */
    servername: z.string().min(1).optional(),
    /** tls: client certificate and key files, for receivers that authenticate senders. */
    certFile: z.string().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    facility: z.union([z.enum(facilityNames), z.number().int().min(0).max(23)]).default('local0'),
    appName: z
      .string()
      .regex(/^[!-~]{1,48}$/, 'printable ASCII, at most 48 characters')
      .default('bulwark'),
    /** HOSTNAME to send; default the event's host. */
    hostname: z
      .string()
      .regex(/^[!-~]{1,255}$/, 'printable ASCII, at most 255 characters')
      .optional(),
    /** Largest message; longer ones are shortened (default 8192, rsyslog's default limit). */
    maxMessageBytes: z.number().int().min(1024).max(1_048_576).default(8192),
    ...common,
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.protocol !== 'tls') {
      for (const k of ['caFile', 'servername', 'certFile', 'keyFile'] as const) {
        if (c[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: `only for protocol "tls"` });
      }
    }
    if ((c.certFile === undefined) !== (c.keyFile === undefined))
      ctx.addIssue({ code: 'custom', path: ['certFile'], message: 'certFile and keyFile go together' });
    if (c.protocol === 'udp' && c.maxMessageBytes > 65_507)
      ctx.addIssue({ code: 'custom', path: ['maxMessageBytes'], message: 'a UDP datagram holds at most 65507 bytes' });
  });

const webhookSinkSchema = z
  .object({
    type: z.literal('webhook'),
    url: httpUrl,
    headers: z
      .record(
        z.string().regex(headerName, 'not an HTTP header name'),
        z.string().regex(headerValue, 'control characters in a header value'),
      )
      .optional(),
    /** Events per request: 1 posts each event as a JSON object, more post JSON arrays. */
    batchSize: z.number().int().min(1).max(10_000).default(1),
    caFile: z.string().min(1).optional(),
    ...common,
  })
  .strict();

const splunkHecSinkSchema = z
  .object({
    type: z.literal('splunk-hec'),
    /** Base URL (https://splunk.example:8088) or the full …/services/collector/event endpoint. */
    url: httpUrl,
    token: z.string().min(1).regex(headerValue, 'control characters in the token'),
    index: z.string().min(1).optional(),
    source: z.string().min(1).default('bulwark'),
    sourcetype: z.string().min(1).default('bulwark:event'),
    /** Envelope host when the event names none. */
    host: z.string().min(1).optional(),
    /** Events per request, concatenated. */
    batchSize: z.number().int().min(1).max(10_000).default(50),
    caFile: z.string().min(1).optional(),
    ...common,
  })
  .strict();

const serverSinkSchema = z
  .object({
    type: z.literal('server'),
    /** The Bulwark server's base URL (https only). */
    url: httpUrl.refine((s) => s.startsWith('https:'), 'the Bulwark server is reached over https only'),
    /** An API token with the agent role. */
    token: z.string().min(1).regex(headerValue, 'control characters in the token'),
    /** PEM file of CA certificates to trust (the server's own certificate when self-signed). */
    caFile: z.string().min(1).optional(),
    /** Events per request (the server takes at most 1000). */
    batchSize: z.number().int().min(1).max(1000).default(500),
    ...common,
    // the server answers 503 when busy: keep the batch through a longer spell of back-pressure
    retry: retrySchema.prefault({ attempts: 20, maxDelayMs: 10_000 }),
  })
  .strict();

export const sinkConfigSchema = z.discriminatedUnion('type', [
  jsonlSinkSchema,
  syslogSinkSchema,
  webhookSinkSchema,
  splunkHecSinkSchema,
  serverSinkSchema,
]);

/** A sink configuration as written (defaults optional). */
export type SinkConfigInput = z.input<typeof sinkConfigSchema>;
/** A validated sink configuration, defaults filled in. */
export type SinkConfig = z.output<typeof sinkConfigSchema>;
export type JsonlSinkConfig = z.output<typeof jsonlSinkSchema>;
export type SyslogSinkConfig = z.output<typeof syslogSinkSchema>;
export type WebhookSinkConfig = z.output<typeof webhookSinkSchema>;
export type SplunkHecSinkConfig = z.output<typeof splunkHecSinkSchema>;
export type ServerSinkConfig = z.output<typeof serverSinkSchema>;
