// One catalogue of error codes; each error names the input it concerns.

export const ERROR_CODES = {
  USAGE: 'bad command line',
  NOT_FOUND: 'not found',
  UNKNOWN_FORMAT: 'unknown image format',
  CORRUPT: 'corrupt data',
  MISSING_FIELD: 'a required field is missing',
  TRUNCATED: 'truncated data',
  DIGEST_MISMATCH: 'digest mismatch',
  UNSAFE_PATH: 'unsafe path',
  TOO_LARGE: 'size limit exceeded',
  PLATFORM: 'no matching platform',
  ENGINE: 'container engine error',
  REGISTRY: 'registry error',
  AUTH: 'registry authentication failed',
  LOGIN_REQUIRED: 'registry requires a login',
  NETWORK: 'network error',
  TLS: 'TLS connection failed',
  IO: 'i/o error',
  POLICY: 'invalid policy',
  KEY: 'key error',
  UNSUPPORTED: 'unsupported version or feature',
  NOT_SIGNED: 'no signature or attestation found',
  WRONG_TYPE: 'unexpected media, payload or predicate type',
  BAD_SIGNATURE: 'signature does not verify',
  SUBJECT_MISMATCH: 'signed for another image',
  IDENTITY_MISMATCH: 'signed for another identity',
  UNAUTHENTICATED: 'a valid API token is required',
  FORBIDDEN: 'not allowed for this role',
  RATE_LIMITED: 'too many failed attempts',
  INVALID_REQUEST: 'invalid request',
  UNSUPPORTED_MEDIA_TYPE: 'unsupported content type',
  UNAVAILABLE: 'not ready',
  INTERNAL: 'internal error',
  STORE: 'server store error',
  NOT_A_STORE: 'not a Bulwark server store',
  NOT_EMPTY: 'destination is not empty',
  AUDIT_EDITED: 'audit entry edited',
  AUDIT_GAP: 'audit entry deleted',
  AUDIT_REORDERED: 'audit entries reordered',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class BulwarkError extends Error {
  readonly code: ErrorCode;
  /** The file, image, layer or entry the error is about. */
  readonly input: string;
  /** What is wrong with it, without the input. */
  readonly reason: string;

  constructor(code: ErrorCode, input: string, reason: string, options?: { cause?: unknown }) {
    super(`${input}: ${reason}`, options);
    this.name = 'BulwarkError';
    this.code = code;
    this.input = input;
    this.reason = reason;
  }
}

export function isBulwarkError(e: unknown): e is BulwarkError {
  return e instanceof BulwarkError;
}

/** The one line a user sees: "CORRUPT (corrupt data): image.tar: not a tar archive". */
export function errorLine(e: BulwarkError): string {
  return `${e.code} (${ERROR_CODES[e.code]}): ${e.message}`;
}

/** Message of any thrown value, without stack. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
