import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { rootCertificates } from 'node:tls';
import { z } from 'zod';
import { BulwarkError, isBulwarkError, messageOf } from '../core/errors.js';
import { RegistryAuth, type CredentialLookup, findCredentials } from './auth.js';
import { isLoopback, registryEndpoint } from './reference.js';

// HTTP to one registry: HTTPS only, with an optional extra CA; --insecure (plain http or
// unverified TLS) only for loopback registries. Network errors, 429 and 5xx are retried a
// bounded number of times with exponential backoff; other 4xx never are. A 401 is
// answered once through RegistryAuth; GET/HEAD redirects stay on the same origin or go to
// https, and credentials never leave the registry's origin (but for the token realm its
// own challenge names, over https).

export interface RegistryOptions {
  /** Plain http or unverified TLS; refused for registries that are not loopback. */
  insecure?: boolean;
  /** PEM file of extra CA certificates (default: $SSL_CERT_FILE when set), added to the system roots. */
  caFile?: string;
  /** Attempts per request on network errors, 429 and 5xx (default 3). */
  tries?: number;
  /** First retry delay; it doubles each time (default 200 ms). */
  retryBaseMs?: number;
  /** How a retry waits (default: a timer); tests pass one that records the delays. */
  sleep?: (ms: number) => Promise<void>;
  /** Idle time after which a connection is given up (default 30 s). */
  timeoutMs?: number;
  /** Largest manifest or index accepted (default 4 MiB). */
  maxManifestBytes?: number;
  /** Where credentials come from (default: the environment, then docker's config.json). */
  credentials?: () => CredentialLookup;
  /** Environment for BULWARK_REGISTRY_*, DOCKER_CONFIG and SSL_CERT_FILE (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  url: URL;
}

export interface Init {
  input: string;
  headers?: Record<string, string>;
  body?: Buffer | (() => Readable);
  follow?: boolean;
}

const RETRIABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
]);
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|EPROTO|SSL/;
const MAX_REDIRECTS = 5;
const MAX_ERROR_BODY = 64 << 10;
const MAX_RETRY_AFTER_MS = 10_000;

export function errCode(e: unknown): string {
  return e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : '';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A body read whole, refusing more than max bytes (by Content-Length first, when given). */
export async function readLimited(res: IncomingMessage, max: number, input: string): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    res.destroy();
    throw new BulwarkError('TOO_LARGE', input, `${declared} bytes, over the ${max}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res) {
    n += (c as Buffer).length;
    if (n > max) {
      res.destroy();
      throw new BulwarkError('TOO_LARGE', input, `over the ${max}-byte limit`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

const OciErrors = z.looseObject({
  errors: z.array(z.looseObject({ code: z.string().optional(), message: z.string().optional() })),
});

/** The registry's own words for an error: the first OCI error code and message, else the body's first line. */
function registryMessage(body: Buffer): string {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    doc = undefined;
  }
  const r = OciErrors.safeParse(doc);
  const first = r.success ? r.data.errors[0] : undefined;
  if (first) return [first.code, first.message].filter(Boolean).join(': ');
  return body.toString('utf8').trim().split('\n')[0]!.slice(0, 200);
}

function readCa(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (e) {
    throw new BulwarkError(
      errCode(e) === 'ENOENT' ? 'NOT_FOUND' : 'IO',
      file,
      `cannot read the CA file (${messageOf(e)})`,
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new BulwarkError('CORRUPT', file, 'not a PEM file of CA certificates');
  return pem;
}

export class Transport {
  private readonly auth: RegistryAuth;
  readonly tries: number;
  private readonly retryBaseMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly timeoutMs: number;
  readonly maxManifestBytes: number;

  private constructor(
    /** The registry as references name it ("docker.io", "127.0.0.1:5000"). */
    readonly registry: string,
    private readonly base: URL,
    private readonly insecure: boolean,
    private readonly agents: { verified: HttpsAgent; unverified?: HttpsAgent; plain?: HttpAgent },
    opts: RegistryOptions,
  ) {
    this.tries = Math.max(1, opts.tries ?? 3);
    this.retryBaseMs = opts.retryBaseMs ?? 200;
    this.sleep = opts.sleep ?? sleep;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.maxManifestBytes = opts.maxManifestBytes ?? 4 << 20;
    const env = opts.env ?? process.env;
    this.auth = new RegistryAuth(
      registry,
      (url, headers) => this.fetchToken(url, headers),
      opts.credentials ?? (() => findCredentials(registry, env)),
      (realm) => realm.protocol === 'https:' || realm.origin === this.base.origin,
    );
  }

  static async create(registry: string, opts: RegistryOptions = {}): Promise<Transport> {
    const endpoint = registryEndpoint(registry);
    const insecure = opts.insecure ?? false;
    if (insecure && !isLoopback(endpoint)) {
      throw new BulwarkError(
        'USAGE',
        registry,
        '--insecure is only allowed for loopback registries (localhost, 127.0.0.0/8, ::1): other registries must use verified TLS (see --ca-file)',
      );
    }
    const caFile = opts.caFile ?? (opts.env ?? process.env).SSL_CERT_FILE;
    const ca = caFile ? [...rootCertificates, readCa(caFile)] : undefined;
    const agents = {
      verified: new HttpsAgent({ keepAlive: true, ...(ca ? { ca } : {}) }),
      ...(insecure
        ? {
            unverified: new HttpsAgent({ keepAlive: true, rejectUnauthorized: false }),
            plain: new HttpAgent({ keepAlive: true }),
          }
        : {}),
    };
    const client = new Transport(registry, new URL(`https://${endpoint}`), insecure, agents, opts);
    // an insecure (loopback) registry may speak TLS or not: try TLS once, like docker does
    if (insecure && !(await client.speaksTls())) client.base.protocol = 'http:';
    return client;
  }

  close(): void {
    this.agents.verified.destroy();
    this.agents.unverified?.destroy();
    this.agents.plain?.destroy();
  }

  private async speaksTls(): Promise<boolean> {
    try {
      const res = await this.send('GET', new URL('/v2/', this.base), {});
      res.body.resume();
      return true;
    } catch {
      return false;
    }
  }

  url(path: string): URL {
    return new URL(path, this.base);
  }

  private agentFor(url: URL, input: string): HttpAgent | HttpsAgent {
    const loopbackInsecure = this.insecure && isLoopback(url.host);
    if (url.protocol === 'http:') {
      if (loopbackInsecure && this.agents.plain) return this.agents.plain;
      throw new BulwarkError(
        'USAGE',
        input,
        `refusing plain http to ${url.host}: only loopback registries with --insecure may use it`,
      );
    }
    if (url.protocol !== 'https:') throw new BulwarkError('REGISTRY', input, `unsupported URL scheme ${url.protocol}`);
    return loopbackInsecure && this.agents.unverified ? this.agents.unverified : this.agents.verified;
  }

  /** One HTTP exchange, no retries; resolves once the response headers arrive. */
  private send(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body?: Buffer | (() => Readable),
    input = url.host,
  ): Promise<Response> {
    const agent = this.agentFor(url, input);
    const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        { method, agent, headers: { 'User-Agent': 'bulwark', ...headers }, timeout: this.timeoutMs },
        (res) => {
          res.setTimeout(this.timeoutMs, () =>
            res.destroy(Object.assign(new Error(`no data for ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' })),
          );
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url });
        },
      );
      req.on('timeout', () =>
        req.destroy(Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      );
      req.on('error', reject);
      if (Buffer.isBuffer(body)) req.end(body);
      else if (body) pipeline(body(), req).catch((e: unknown) => req.destroy(e as Error));
      else req.end();
    });
  }

  private networkError(e: unknown, url: URL, input: string): BulwarkError {
    if (isBulwarkError(e)) return e;
    const code = errCode(e);
    if (TLS_CODES.test(code) || /certificate|ssl|tls/i.test(messageOf(e))) {
      return new BulwarkError(
        'TLS',
        input,
        `TLS with ${url.host} failed (${code || messageOf(e)}): for a private CA pass --ca-file (or set SSL_CERT_FILE)`,
        { cause: e },
      );
    }
    return new BulwarkError(
      'NETWORK',
      input,
      `${url.host} could not be reached after ${this.tries} tries (${code || messageOf(e)})`,
      { cause: e },
    );
  }

  private delay(attempt: number, retryAfter?: string): number {
    const seconds = retryAfter !== undefined && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
    if (seconds !== undefined) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
    return this.retryBaseMs * 2 ** (attempt - 1);
  }

  /** Bounded retries with exponential backoff, on network errors, 429 and 5xx only. */
  private async withRetry(url: URL, input: string, once: () => Promise<Response>): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await once();
      } catch (e) {
        if (attempt >= this.tries || isBulwarkError(e) || !RETRIABLE_CODES.has(errCode(e)))
          throw this.networkError(e, url, input);
        await this.sleep(this.delay(attempt));
        continue;
      }
      if ((res.status === 429 || res.status >= 500) && attempt < this.tries) {
        res.body.resume();
        await this.sleep(this.delay(attempt, header(res.headers, 'retry-after')));
        continue;
      }
      return res;
    }
  }

  /** A redirect or upload location may stay on the same origin or go to an https host, never elsewhere. */
  checkTarget(from: URL, to: URL, input: string): void {
    if (to.origin === from.origin || to.protocol === 'https:') return;
    throw new BulwarkError(
      'REGISTRY',
      input,
      `refusing to follow ${from.host} to ${to.protocol}//${to.host}: only the same host or https`,
    );
  }

  /** A request with authentication (one answered challenge) and, for GET/HEAD, redirects. */
  async request(method: string, target: URL, scope: string, init: Init): Promise<Response> {
    for (let authTry = 0; ; authTry++) {
      const auth = this.auth.header(scope);
      const headersFor = (u: URL): Record<string, string> => ({
        ...init.headers,
        ...(auth && u.origin === this.base.origin ? { Authorization: auth } : {}),
      });
      let url = target;
      let res = await this.withRetry(url, init.input, () =>
        this.send(method, url, headersFor(url), init.body, init.input),
      );
      for (let hops = 0; (init.follow ?? true) && [301, 302, 303, 307, 308].includes(res.status); hops++) {
        res.body.resume();
        const location = header(res.headers, 'location');
        if (!location) throw new BulwarkError('REGISTRY', init.input, `HTTP ${res.status} redirect with no Location`);
        if (hops >= MAX_REDIRECTS)
          throw new BulwarkError('REGISTRY', init.input, `more than ${MAX_REDIRECTS} redirects`);
        const next = new URL(location, url);
        this.checkTarget(url, next, init.input);
        url = next;
        res = await this.withRetry(url, init.input, () =>
          this.send(method, next, headersFor(next), init.body, init.input),
        );
      }
      if (res.status !== 401 || res.url.origin !== this.base.origin) return res;
      res.body.resume();
      if (authTry >= 1)
        throw new BulwarkError(
          this.auth.refusalCode(),
          init.input,
          `${this.registry} still answers 401 after authenticating: ${this.auth.explainRefusal()}`,
        );
      await this.auth.answer(res.headers['www-authenticate'], scope, init.input);
    }
  }

  private async fetchToken(url: URL, headers: Record<string, string>): Promise<{ status: number; body: Buffer }> {
    const input = `token server ${url.origin}${url.pathname}`;
    if (url.protocol !== 'https:' && !(this.insecure && isLoopback(url.host))) {
      throw new BulwarkError(
        'AUTH',
        input,
        'refusing to ask a plain-http token server (only loopback registries with --insecure may)',
      );
    }
    const res = await this.withRetry(url, input, () => this.send('GET', url, headers, undefined, input));
    return { status: res.status, body: await readLimited(res.body, 1 << 20, input) };
  }

  /** Throws the error an unexpected status means, with the registry's own message. */
  async fail(res: Response, input: string, what: string): Promise<never> {
    let detail = '';
    try {
      detail = registryMessage(await readLimited(res.body, MAX_ERROR_BODY, input));
    } catch {
      res.body.destroy();
    }
    const tail = detail ? `: ${detail}` : '';
    if (res.status === 404) throw new BulwarkError('NOT_FOUND', input, `${what} not found on ${this.registry}${tail}`);
    if (res.status === 401 || res.status === 403)
      throw new BulwarkError(
        'AUTH',
        input,
        `${this.registry} denied access to the ${what} (HTTP ${res.status})${tail}`,
      );
    const retried = res.status === 429 || res.status >= 500 ? ` after ${this.tries} tries` : '';
    throw new BulwarkError('REGISTRY', input, `${what}: HTTP ${res.status}${retried}${tail}`);
  }
}
