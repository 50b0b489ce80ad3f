import type { SecurityEvent } from '../event.js';
import { HttpTarget, statusError, type HttpTargetOptions } from './http.js';
import type { Transport } from './sink.js';

// A generic webhook: each delivery is one HTTP(S) POST of JSON — the event itself when the
// sink sends one event at a time (batchSize 1), else a JSON array of events. Any 2xx answer is
// success; the queue retries network errors, 408, 429 (after Retry-After) and 5xx, not other 4xx.

export interface WebhookOptions extends HttpTargetOptions {
  /** Extra request headers (an Authorization header, a tenant id, …). */
  headers?: Record<string, string>;
  /** True: always send an array (a batch); false: one event per request, as an object. */
  batch: boolean;
}

export class WebhookTransport implements Transport {
  private readonly target: HttpTarget;

  constructor(private readonly o: WebhookOptions) {
    this.target = new HttpTarget(o);
  }

  async send(batch: readonly SecurityEvent[], signal: AbortSignal): Promise<void> {
    const payload = this.o.batch ? batch : batch[0];
    if (payload === undefined) return;
    const body = Buffer.from(JSON.stringify(payload), 'utf8');
    const headers = { 'user-agent': 'bulwark-agent', ...this.o.headers, 'content-type': 'application/json' };
    const reply = await this.target.post(body, headers, signal);
    if (reply.status < 200 || reply.status > 299) throw statusError(this.target.where, reply);
  }

  async close(): Promise<void> {
    this.target.close();
  }
}
