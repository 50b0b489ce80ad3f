// One catalogue of error codes; each error names the input it concerns.

export const ERROR_CODES = {
  USAGE: 'bad command line',
  NOT_FOUND: 'not found',
  UNKNOWN_FORMAT: 'unknown image format',
  CORRUPT: 'corrupt data',
  TRUNCATED: 'truncated data',
  DIGEST_MISMATCH: 'digest mismatch',
  UNSAFE_PATH: 'unsafe path',
  TOO_LARGE: 'size limit exceeded',
  PLATFORM: 'no matching platform',
  ENGINE: 'container engine error',
  REGISTRY: 'registry error',
  AUTH: 'registry authentication failed',
  NETWORK: 'network error',
  IO: 'i/o error',
  POLICY: 'invalid policy',
  KEY: 'key error',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class BulwarkError extends Error {
  readonly code: ErrorCode;
  /** The file, image, layer or entry the error is about. */
  readonly input: string;

  constructor(code: ErrorCode, input: string, reason: string, options?: { cause?: unknown }) {
    super(`${input}: ${reason}`, options);
    this.name = 'BulwarkError';
    this.code = code;
    this.input = input;
  }
}

export function isBulwarkError(e: unknown): e is BulwarkError {
  return e instanceof BulwarkError;
}

/** Message of any thrown value, without stack. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
