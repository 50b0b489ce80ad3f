import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { messageOf } from '../../core/errors.js';
import { DeliveryError } from './sink.js';
import { isCertificateError } from './tcp.js';

// One HTTP(S) POST for the webhook and Splunk HEC transports: a keep-alive agent per sink, an
// optional CA bundle, a bounded time and a bounded reply. Redirects are not followed (a POST
// and its credentials go only where configured). Network errors, 408, 429 and 5xx are
// retryable; any other non-2xx answer is not.

export interface HttpTargetOptions {
  url: URL;
  /** PEM CA certificates to trust instead of Node's bundled roots (https). */
  ca?: Buffer;
  /** Longest wait for the answer (default 10 s). */
  timeoutMs?: number;
}

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The start of the answer's body (at most 64 KiB). */
  body: string;
}

const MAX_REPLY_BYTES = 64 * 1024;

/** Where a URL points, for messages and sink names: scheme, host and port only (no credentials, path or query). */
export function origin(url: URL): string {
  return url.origin;
}

/** Retry-After as milliseconds (seconds or an HTTP date); undefined when absent or unreadable. */
function retryAfterMs(h: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, t - now) : undefined;
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The error for a non-2xx answer: retryable for 408, 429 and 5xx (with Retry-After), not otherwise. */
export function statusError(where: string, reply: HttpReply, detail = ''): DeliveryError {
  const retryable = isRetryableStatus(reply.status);
  const after = retryable ? retryAfterMs(reply.headers['retry-after']) : undefined;
  return new DeliveryError('NETWORK', where, `HTTP ${reply.status}${detail ? `: ${detail}` : ''}`, {
    retryable,
    ...(after === undefined ? {} : { retryAfterMs: after }),
  });
}

export class HttpTarget {
  private readonly agent: HttpAgent;
  readonly where: string;

  constructor(private readonly o: HttpTargetOptions) {
    if (o.url.protocol !== 'http:' && o.url.protocol !== 'https:')
      throw new TypeError(`not an http(s) URL: ${origin(o.url)}`);
    this.where = origin(o.url);
    this.agent =
      o.url.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true, maxSockets: 2, ...(o.ca ? { ca: o.ca } : {}), minVersion: 'TLSv1.2' })
        : new HttpAgent({ keepAlive: true, maxSockets: 2 });
  }

  /** POSTs the body; resolves with any HTTP answer, rejects (retryable DeliveryError) on network failure. */
  post(body: Buffer, headers: Record<string, string>, signal: AbortSignal): Promise<HttpReply> {
    return this.send('POST', this.o.url, body, headers, signal);
  }

  /** Like post, with another method and a URL on the same origin (the agent's server client). */
  send(
    method: 'POST' | 'PUT',
    url: URL,
    body: Buffer,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<HttpReply> {
    if (url.origin !== this.o.url.origin) throw new TypeError(`not on ${this.where}`);
    const timeoutMs = this.o.timeoutMs ?? 10_000;
    const request = this.o.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<HttpReply>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(
          err instanceof DeliveryError
            ? err
            : new DeliveryError('NETWORK', this.where, `request failed: ${messageOf(err)}`, {
                retryable: !isCertificateError(err),
                cause: err,
              }),
        );
      };
      const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      const req = request(
        url,
        {
          method,
          agent: this.agent,
          signal,
          headers: { ...headers, 'content-length': String(body.length) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            if (size < MAX_REPLY_BYTES) chunks.push(c.subarray(0, MAX_REPLY_BYTES - size));
            size += c.length;
          });
          res.on('error', fail);
          res.on('aborted', () => fail(new Error('answer cut short')));
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
        },
      );
      req.on('error', (err) => fail(signal.aborted && signal.reason instanceof DeliveryError ? signal.reason : err));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
