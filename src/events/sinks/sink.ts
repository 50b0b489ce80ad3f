import { BulwarkError, type ErrorCode } from '../../core/errors.js';
import type { SecurityEvent } from '../event.js';

// The two shapes of this folder: a Sink is what the agent hands events to (emit never waits),
// a Transport is what actually delivers a batch (and may take its time, fail and be retried by
// the queue in front of it).

export interface SinkStats {
  /** Events delivered. */
  sent: number;
  /** Events given up on: a permanent error, or every retry failed. */
  failed: number;
  /** Events never attempted: pushed out of a full queue, emitted after close, or left at close. */
  dropped: number;
  /** Events waiting or being delivered now. */
  queued: number;
}

export interface CloseOptions {
  /** How long close() keeps delivering what is queued before it gives up (default 5000). */
  flushTimeoutMs?: number;
}

export interface Sink {
  readonly name: string;
  /** Hands the event over and returns at once; delivery happens in the background. Never throws for delivery problems. */
  emit(e: SecurityEvent): void;
  stats(): SinkStats;
  /** Delivers what it can within the flush timeout, then stops and releases sockets and files. */
  close(opts?: CloseOptions): Promise<void>;
}

export interface Transport {
  /**
   * Delivers a batch (in order). Throws DeliveryError; `retryable` says whether sending the same
   * batch again may succeed. Must give up promptly when `signal` aborts.
   */
  send(batch: readonly SecurityEvent[], signal: AbortSignal): Promise<void>;
  /** Releases sockets and files; bounded in time. */
  close(): Promise<void>;
}

export class DeliveryError extends BulwarkError {
  /** Sending the same batch again may succeed (network error, 5xx, 429, receiver down). */
  readonly retryable: boolean;
  /** The receiver asked to wait this long before retrying (HTTP Retry-After). */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: ErrorCode,
    input: string,
    reason: string,
    o: { retryable: boolean; retryAfterMs?: number; cause?: unknown },
  ) {
    super(code, input, reason, o.cause === undefined ? undefined : { cause: o.cause });
    this.name = 'DeliveryError';
    this.retryable = o.retryable;
    this.retryAfterMs = o.retryAfterMs;
  }
}

export function isRetryable(e: unknown): boolean {
  return e instanceof DeliveryError ? e.retryable : true;
}

/** A promise that rejects when the signal aborts (for racing work that may not listen to it). */
export function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

/** Sleeps ms, or less when the signal aborts (resolves either way). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}
