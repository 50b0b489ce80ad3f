import { messageOf } from '../../core/errors.js';
import type { SecurityEvent } from '../event.js';
import {
  DeliveryError,
  isRetryable,
  sleep,
  whenAborted,
  type CloseOptions,
  type Sink,
  type SinkStats,
  type Transport,
} from './sink.js';

export type { Sink, Transport } from './sink.js';

// A bounded in-memory queue in front of every transport, so detection never waits on a SIEM:
// emit() only pushes (dropping the oldest event when full), and one background loop drains in
// order, batch by batch, retrying a failed batch with exponential backoff — a bounded number of
// times, each attempt bounded in time — before counting it failed and moving on.

export interface RetryOptions {
  /** Tries per batch, the first included (default 5). */
  attempts: number;
  /** Delay before the first retry (default 500 ms); doubles each time, with jitter. */
  initialDelayMs: number;
  /** Longest delay between tries, Retry-After included (default 30 s). */
  maxDelayMs: number;
}

export interface QueueOptions {
  /** Events waiting at most (default 10000); the oldest go first when it is full. */
  capacity?: number;
  /** Events per delivery (default 1). */
  batchSize?: number;
  retry?: Partial<RetryOptions>;
  /** Longest one delivery attempt may take (default 30 s). */
  attemptTimeoutMs?: number;
  /** Told about every failed attempt (for the agent's own log); must not throw. */
  onError?: (error: unknown, info: { sink: string; attempt: number; willRetry: boolean; events: number }) => void;
}

const DEFAULT_RETRY: Readonly<RetryOptions> = { attempts: 5, initialDelayMs: 500, maxDelayMs: 30_000 };
const DEFAULT_CAPACITY = 10_000;
const DEFAULT_FLUSH_TIMEOUT_MS = 5_000;

/** Delay before retry number `attempt` (1-based): exponential, capped, with up to half of it random. */
export function backoffDelay(attempt: number, r: RetryOptions, retryAfterMs?: number): number {
  const exp = Math.min(r.maxDelayMs, r.initialDelayMs * 2 ** Math.min(attempt - 1, 30));
  const jittered = exp / 2 + (Math.random() * exp) / 2;
  return Math.min(r.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
}

class QueuedSink implements Sink {
  private readonly pending: SecurityEvent[] = [];
  private readonly counts = { sent: 0, failed: 0, dropped: 0 };
  private inFlight = 0;
  private loop: Promise<void> | undefined;
  private scheduled = false;
  private closing = false;
  private closed: Promise<void> | undefined;
  /** Aborted when close() gives up: ends the current attempt and any backoff at once. */
  private readonly stop = new AbortController();
  private readonly capacity: number;
  private readonly batchSize: number;
  private readonly retry: RetryOptions;
  private readonly attemptTimeoutMs: number;

  constructor(
    readonly name: string,
    private readonly transport: Transport,
    private readonly o: QueueOptions = {},
  ) {
    this.capacity = Math.max(1, Math.floor(o.capacity ?? DEFAULT_CAPACITY));
    this.batchSize = Math.max(1, Math.floor(o.batchSize ?? 1));
    this.retry = { ...DEFAULT_RETRY, ...o.retry };
    this.retry.attempts = Math.max(1, Math.floor(this.retry.attempts));
    this.attemptTimeoutMs = o.attemptTimeoutMs ?? 30_000;
  }

  emit(e: SecurityEvent): void {
    if (this.closing) {
      this.counts.dropped++;
      return;
    }
    if (this.pending.length >= this.capacity) {
      this.pending.shift();
      this.counts.dropped++;
    }
    this.pending.push(e);
    this.schedule();
  }

  stats(): SinkStats {
    return { ...this.counts, queued: this.pending.length + this.inFlight };
  }

  close(opts: CloseOptions = {}): Promise<void> {
    this.closed ??= this.shutdown(opts.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS);
    return this.closed;
  }

  private async shutdown(flushTimeoutMs: number): Promise<void> {
    this.closing = true;
    this.schedule();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), Math.max(0, flushTimeoutMs));
    // drain until empty or out of time (each pass of this loop awaits the drain loop or the deadline)
    while ((this.pending.length > 0 || this.loop) && !deadline.signal.aborted) {
      await Promise.race([this.loop ?? sleep(0), whenAborted(deadline.signal).catch(() => undefined)]);
      if (!this.loop && this.pending.length > 0) this.startLoop();
    }
    clearTimeout(timer);
    this.stop.abort(new DeliveryError('NETWORK', this.name, 'sink closed', { retryable: false }));
    // the current attempt sees the abort at once; wait for the loop to notice, but not forever
    if (this.loop) await Promise.race([this.loop, sleep(1_000)]);
    this.counts.dropped += this.pending.length;
    this.pending.length = 0;
    await Promise.race([this.transport.close().catch(() => undefined), sleep(2_000)]);
  }

  /** Starts the drain loop on a later turn, so emit() never runs transport code. */
  private schedule(): void {
    if (this.loop || this.scheduled || this.stop.signal.aborted) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.loop && this.pending.length > 0 && !this.stop.signal.aborted) this.startLoop();
    });
  }

  private startLoop(): void {
    this.loop = this.drain().finally(() => {
      this.loop = undefined;
      if (this.pending.length > 0) this.schedule();
    });
  }

  private async drain(): Promise<void> {
    // each pass takes at least one event off the queue; emit() can refill it while the agent runs
    while (this.pending.length > 0 && !this.stop.signal.aborted) {
      const batch = this.pending.splice(0, this.batchSize);
      this.inFlight = batch.length;
      try {
        if (await this.deliver(batch)) this.counts.sent += batch.length;
        else this.counts.failed += batch.length;
      } finally {
        this.inFlight = 0;
      }
    }
  }

  /** Tries the batch up to `attempts` times; true when delivered. Never throws. */
  private async deliver(batch: SecurityEvent[]): Promise<boolean> {
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      if (this.stop.signal.aborted) return false;
      let error: unknown;
      try {
        await this.attempt(batch);
        return true;
      } catch (e) {
        error = e;
      }
      const willRetry = isRetryable(error) && attempt < this.retry.attempts && !this.stop.signal.aborted;
      try {
        this.o.onError?.(error, { sink: this.name, attempt, willRetry, events: batch.length });
      } catch {
        // a broken logger must not stop delivery
      }
      if (!willRetry) return false;
      const retryAfter = error instanceof DeliveryError ? error.retryAfterMs : undefined;
      await sleep(backoffDelay(attempt, this.retry, retryAfter), this.stop.signal);
    }
    return false;
  }

  /** One attempt, bounded by attemptTimeoutMs and by close(), even if the transport ignores its signal. */
  private async attempt(batch: SecurityEvent[]): Promise<void> {
    const ctl = new AbortController();
    const onStop = (): void => ctl.abort(this.stop.signal.reason);
    this.stop.signal.addEventListener('abort', onStop, { once: true });
    const timer = setTimeout(
      () =>
        ctl.abort(
          new DeliveryError('NETWORK', this.name, `no answer within ${this.attemptTimeoutMs} ms`, { retryable: true }),
        ),
      this.attemptTimeoutMs,
    );
    try {
      await Promise.race([this.transport.send(batch, ctl.signal), whenAborted(ctl.signal)]);
    } catch (e) {
      if (e instanceof DeliveryError) throw e;
      throw new DeliveryError('NETWORK', this.name, messageOf(e), { retryable: true, cause: e });
    } finally {
      clearTimeout(timer);
      this.stop.signal.removeEventListener('abort', onStop);
      if (!ctl.signal.aborted) ctl.abort();
    }
  }
}

/** A Sink that queues events and delivers them through the transport in the background. */
export function queuedSink(name: string, transport: Transport, o: QueueOptions = {}): Sink {
  return new QueuedSink(name, transport, o);
}

/** One Sink that hands every event to each of several; a failing one does not stop the others. */
export function fanOut(sinks: readonly Sink[], name = 'fan-out'): Sink {
  const list = [...sinks];
  return {
    name,
    emit(e: SecurityEvent): void {
      for (const s of list) {
        try {
          s.emit(e);
        } catch {
          // a Sink's emit must not throw; if one does, the others still get the event
        }
      }
    },
    stats(): SinkStats {
      const total: SinkStats = { sent: 0, failed: 0, dropped: 0, queued: 0 };
      for (const s of list) {
        const st = s.stats();
        total.sent += st.sent;
        total.failed += st.failed;
        total.dropped += st.dropped;
        total.queued += st.queued;
      }
      return total;
    },
    async close(opts?: CloseOptions): Promise<void> {
      await Promise.allSettled(list.map((s) => s.close(opts)));
    },
  };
}
