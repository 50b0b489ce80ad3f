import type { SecurityEvent } from '../event.js';
import { ServerClient, type ServerClientOptions } from '../server-client.js';
import type { Transport } from './sink.js';

// The Bulwark server as a sink: batches POSTed to /api/v1/events. The queue in front batches
// (up to the sink's batchSize, as many as waited while the last request was out), bounds what
// waits (the oldest dropped and counted), and retries after the server's Retry-After when it
// answers 503 (back-pressure). Event ids make a retried batch harmless on the server.

export class ServerTransport implements Transport {
  private readonly client: ServerClient;

  constructor(o: ServerClientOptions) {
    this.client = new ServerClient(o);
  }

  get where(): string {
    return this.client.where;
  }

  async send(batch: readonly SecurityEvent[], signal: AbortSignal): Promise<void> {
    if (batch.length > 0) await this.client.postEvents(batch, signal);
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
