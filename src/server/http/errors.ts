import type { z } from 'zod';
import { BulwarkError, ERROR_CODES, isBulwarkError, type ErrorCode } from '../../core/errors.js';

// Every error code answers with one status and a body `{ error: { code, message } }`.
// Messages are ours, never the parser's: a JSON parse error quotes the body it read.

const STATUS: Record<ErrorCode, number> = {
  USAGE: 400,
  NOT_FOUND: 404,
  UNKNOWN_FORMAT: 400,
  CORRUPT: 400,
  MISSING_FIELD: 400,
  TRUNCATED: 400,
  DIGEST_MISMATCH: 400,
  UNSAFE_PATH: 400,
  TOO_LARGE: 413,
  PLATFORM: 400,
  ENGINE: 502,
  REGISTRY: 502,
  AUTH: 502,
  LOGIN_REQUIRED: 502,
  NETWORK: 502,
  TLS: 502,
  IO: 500,
  POLICY: 400,
  KEY: 400,
  UNSUPPORTED: 400,
  NOT_SIGNED: 400,
  WRONG_TYPE: 400,
  BAD_SIGNATURE: 400,
  SUBJECT_MISMATCH: 400,
  IDENTITY_MISMATCH: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  INVALID_REQUEST: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAVAILABLE: 503,
  INTERNAL: 500,
  STORE: 500,
  NOT_A_STORE: 400,
  NOT_EMPTY: 409,
  AUDIT_EDITED: 500,
  AUDIT_GAP: 500,
  AUDIT_REORDERED: 500,
};

/** 503 with Retry-After: the server is busy (ingest back-pressure); the client waits and sends again. */
export class RetryLater extends BulwarkError {
  constructor(
    input: string,
    reason: string,
    readonly retryAfterSeconds: number,
  ) {
    super('UNAVAILABLE', input, reason);
    this.name = 'RetryLater';
  }
}

interface ErrorBody {
  error: { code: ErrorCode; message: string; path?: string };
}

export interface HttpError {
  status: number;
  body: ErrorBody;
}

export function httpError(code: ErrorCode, message: string, path?: string): HttpError {
  return { status: STATUS[code], body: { error: { code, message, ...(path === undefined ? {} : { path }) } } };
}

/** The first zod issue, named by where it is: `body.image.digest: Invalid input: expected string`. */
export function validationError(where: 'params' | 'query' | 'body', error: z.ZodError): BulwarkError {
  const issue = error.issues[0];
  const path = [where, ...(issue?.path ?? []).map(String)].join('.');
  return new BulwarkError('INVALID_REQUEST', path, issue?.message ?? 'invalid');
}

/** Fastify's own errors (body parser, limits) by status: our code and a fixed message. */
function fastifyError(status: number): HttpError {
  if (status === 413) return httpError('TOO_LARGE', 'the request body is too large');
  if (status === 415) return httpError('UNSUPPORTED_MEDIA_TYPE', 'send application/json');
  if (status === 404) return httpError('NOT_FOUND', 'no such route');
  if (status >= 400 && status < 500) return { ...httpError('INVALID_REQUEST', 'the request is malformed'), status };
  return httpError('INTERNAL', 'internal error');
}

/** What to answer for anything a route or fastify threw; `internal` when it should be logged as a bug. */
export function errorAnswer(e: unknown): HttpError & { internal: boolean } {
  if (isBulwarkError(e)) {
    const path = e.code === 'INVALID_REQUEST' ? e.input : undefined;
    // 5xx bodies say only what failed: the reason may name files or hosts of the server
    const hide = STATUS[e.code] >= 500 && e.code !== 'UNAVAILABLE';
    return { ...httpError(e.code, hide ? ERROR_CODES[e.code] : e.message, path), internal: hide };
  }
  const status = (e as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return { ...fastifyError(status), internal: false };
  return { ...httpError('INTERNAL', 'internal error'), internal: true };
}
