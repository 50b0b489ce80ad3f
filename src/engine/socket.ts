import { request, type IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { BulwarkError } from '../core/errors.js';
import { parseJson } from '../core/json.js';

// The Docker Engine's API socket: one request at a time, answers checked at the boundary.
// Every failure is a BulwarkError whose input is the call ("POST /containers/<id>/pause").

const API = '/v1.41';
const MAX_BODY = 64 << 20;

/** The engine's Unix socket: DOCKER_HOST (unix:// only) or the default. */
function engineSocket(): string {
  const host = process.env.DOCKER_HOST;
  if (host && !host.startsWith('unix://'))
    throw new BulwarkError('USAGE', host, 'only unix:// DOCKER_HOST sockets are supported');
  return host ? host.slice('unix://'.length) : '/var/run/docker.sock';
}

export type RequestBody = Buffer | NodeJS.ReadableStream;

export interface EngineCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  /** The API path below the version prefix, query string included. */
  path: string;
  /** A JSON body (sent as application/json), or raw bytes/a stream with `contentType`. */
  json?: unknown;
  body?: RequestBody;
  contentType?: string;
}

interface EngineResponse {
  status: number;
  body: IncomingMessage;
}

/** How a call names itself in errors: method and path, without the query string. */
export function callName(c: Pick<EngineCall, 'method' | 'path'>): string {
  return `${c.method} ${c.path.split('?')[0]}`;
}

/** Sends one request; resolves with the status and the unread body stream. */
function engineRequest(c: EngineCall): Promise<EngineResponse> {
  const socketPath = engineSocket();
  const payload = c.json !== undefined ? Buffer.from(JSON.stringify(c.json)) : c.body;
  const contentType = c.json !== undefined ? 'application/json' : c.contentType;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method: c.method,
        path: `${API}${c.path}`,
        headers: contentType ? { 'Content-Type': contentType } : {},
      },
      (res) => resolve({ status: res.statusCode ?? 0, body: res }),
    );
    req.on('error', (e) =>
      reject(new BulwarkError('ENGINE', callName(c), `docker engine at ${socketPath}: ${e.message}`, { cause: e })),
    );
    if (Buffer.isBuffer(payload)) req.end(payload);
    else if (payload) payload.pipe(req);
    else req.end();
  });
}

/** Reads a whole response body, refusing one larger than `max`. */
async function readBody(res: IncomingMessage, input = 'docker engine response', max = MAX_BODY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > max) {
      res.destroy();
      throw new BulwarkError('TOO_LARGE', input, `over ${max} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The engine's own error text ({"message": …}) or the body, one line. */
function reasonOf(status: number, body: Buffer): string {
  let text = body.toString('utf8').trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') text = parsed.message;
  } catch {
    // not JSON: the text as it came
  }
  return `HTTP ${status}${text ? `: ${text.replace(/\s+/g, ' ').slice(0, 500)}` : ''}`;
}

export interface CallOptions {
  /** Answer undefined for a 404 instead of failing (inspect of something that may be gone). */
  missingOk?: boolean;
}

/** A call whose answer is read whole; fails unless 2xx (a 404 is NOT_FOUND). */
export async function call(c: EngineCall, o: CallOptions & { missingOk: true }): Promise<Buffer | undefined>;
export async function call(c: EngineCall, o?: CallOptions): Promise<Buffer>;
export async function call(c: EngineCall, o: CallOptions = {}): Promise<Buffer | undefined> {
  const name = callName(c);
  const res = await engineRequest(c);
  const body = await readBody(res.body, name);
  if (res.status >= 200 && res.status < 300) return body;
  if (res.status === 404 && o.missingOk) return undefined;
  throw new BulwarkError(res.status === 404 ? 'NOT_FOUND' : 'ENGINE', name, reasonOf(res.status, body));
}

/** A call whose JSON answer must match `schema` (else CORRUPT, naming the call). */
export async function callJson<S extends z.ZodType>(
  c: EngineCall,
  schema: S,
  o: CallOptions & { missingOk: true },
): Promise<z.infer<S> | undefined>;
export async function callJson<S extends z.ZodType>(c: EngineCall, schema: S, o?: CallOptions): Promise<z.infer<S>>;
export async function callJson<S extends z.ZodType>(
  c: EngineCall,
  schema: S,
  o: CallOptions = {},
): Promise<z.infer<S> | undefined> {
  const body = await call(c, o);
  return body === undefined ? undefined : parseJson(body, schema, callName(c));
}

/** A call whose answer is a stream (an export, the event feed): its status checked, its body left to the caller. */
export async function callStream(c: EngineCall): Promise<IncomingMessage> {
  const res = await engineRequest(c);
  if (res.status >= 200 && res.status < 300) return res.body;
  const body = await readBody(res.body, callName(c));
  throw new BulwarkError(res.status === 404 ? 'NOT_FOUND' : 'ENGINE', callName(c), reasonOf(res.status, body));
}
