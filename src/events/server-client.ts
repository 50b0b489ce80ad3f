import { BulwarkError } from '../core/errors.js';
import type { SecurityEvent } from './event.js';
import {
  API_PATHS,
  MAX_EVENTS_PER_BATCH,
  type ContainerChange,
  type ContainerReport,
  type HostRegistration,
} from './server-api.js';
import { HttpTarget, statusError } from './sinks/http.js';

// The agent's side of the Bulwark server's API (server-api.ts): one keep-alive HTTPS target
// with the bearer token. Every call throws DeliveryError: retryable for network errors, 408,
// 429 and 5xx (503 carries the server's Retry-After), not for other answers. The token goes
// only into the Authorization header, never into a message.

export interface ServerClientOptions {
  /** The server's base URL (https://bulwark.example:8443). */
  url: string;
  token: string;
  /** PEM CA certificates to trust (the server's self-signed certificate). */
  ca?: Buffer;
  timeoutMs?: number;
}

export class ServerClient {
  private readonly target: HttpTarget;
  private readonly base: URL;

  constructor(private readonly o: ServerClientOptions) {
    this.base = new URL(o.url);
    if (this.base.protocol !== 'https:')
      throw new BulwarkError('USAGE', this.base.origin, 'the Bulwark server is reached over https only');
    this.target = new HttpTarget({
      url: this.base,
      ...(o.ca ? { ca: o.ca } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    });
  }

  /** scheme://host:port, for names and messages. */
  get where(): string {
    return this.target.where;
  }

  register(hostId: string, reg: HostRegistration, signal: AbortSignal): Promise<void> {
    return this.call('POST', API_PATHS.register(hostId), reg, signal);
  }

  /** The full list of containers running on the host now (the server marks the rest stopped). */
  putContainers(hostId: string, containers: readonly ContainerReport[], signal: AbortSignal): Promise<void> {
    return this.call('PUT', API_PATHS.containers(hostId), { containers }, signal);
  }

  postChanges(hostId: string, changes: readonly ContainerChange[], signal: AbortSignal): Promise<void> {
    return this.call('POST', API_PATHS.changes(hostId), { changes }, signal);
  }

  postEvents(events: readonly SecurityEvent[], signal: AbortSignal): Promise<void> {
    if (events.length > MAX_EVENTS_PER_BATCH)
      throw new BulwarkError('USAGE', 'events', `at most ${MAX_EVENTS_PER_BATCH} events per request`);
    return this.call('POST', API_PATHS.events, { events }, signal);
  }

  close(): void {
    this.target.close();
  }

  private async call(method: 'POST' | 'PUT', path: string, payload: unknown, signal: AbortSignal): Promise<void> {
    const url = new URL(path, this.base);
    const body = Buffer.from(JSON.stringify(payload), 'utf8');
    const headers = {
      'user-agent': 'bulwark-agent',
      'content-type': 'application/json',
      authorization: `Bearer ${this.o.token}`,
    };
    const reply = await this.target.send(method, url, body, headers, signal);
    if (reply.status < 200 || reply.status > 299) throw statusError(this.where, reply, errorCodeOf(reply.body));
  }
}

/** The server's error code ("UNAVAILABLE"), for the agent's log; never the whole body. */
function errorCodeOf(body: string): string {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code.slice(0, 40) : '';
  } catch {
    return '';
  }
}
