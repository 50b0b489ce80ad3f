import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

// Structured logs that never carry a credential: request logs hold method, route and url
// (sensitive query values masked), never headers; any field named like a secret is masked at
// any depth; a bearer token inside any string is masked too.

const SENSITIVE_KEY = /secret|passw|token|authori[sz]ation|cookie|api[-_]?key|credential|private[-_]?key/i;
const BEARER_IN_TEXT = /\b(bearer\s+)[^\s"',]+/gi;
const REDACTED = '[redacted]';

function maskText(text: string): string {
  return text.replace(BEARER_IN_TEXT, `$1${REDACTED}`);
}

/** The url with the values of sensitive query parameters masked. */
export function maskUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=')[0] ?? '';
      return SENSITIVE_KEY.test(decodeURIComponentSafe(name)) ? `${name}=${REDACTED}` : pair;
    });
  return `${url.slice(0, q)}?${query.join('&')}`;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A copy of value with sensitive fields and bearer tokens masked (depth-bounded). */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskText(value);
  if (typeof value !== 'object' || value === null || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  // requests, errors and the like are left to their serializers (which redact in turn)
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = SENSITIVE_KEY.test(k) && v !== undefined ? REDACTED : redact(v, depth + 1);
  return out;
}

interface RequestLike {
  method: string;
  url: string;
  ip?: string;
  routeOptions?: { url?: string };
}

export function serverLogger(o: { level?: string; stream?: DestinationStream } = {}): Logger {
  const options = {
    level: o.level ?? 'info',
    base: { service: 'bulwark-server' },
    hooks: {
      // messages too: a format string or its arguments may quote a header
      logMethod(this: Logger, args: Parameters<Logger['info']>, method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? maskText(a) : a)),
        );
      },
    },
    formatters: { log: (obj: Record<string, unknown>) => redact(obj) as Record<string, unknown> },
    serializers: {
      req: (r: RequestLike) => ({
        method: r.method,
        url: maskUrl(r.url),
        route: r.routeOptions?.url,
        remoteAddress: r.ip,
      }),
      res: (r: { statusCode: number }) => ({ statusCode: r.statusCode }),
      err: (e: Error) => redact(stdSerializers.err(e)),
    },
  };
  return o.stream ? pino(options, o.stream) : pino(options);
}
