import type { IncomingMessage } from 'node:http';
import { BulwarkError } from '../core/errors.js';
import { EngineEvent } from './schema.js';
import { callStream } from './socket.js';

// The engine's event feed (docker events): JSON lines, each checked; a line that does not
// parse is skipped (one bad line must not end the feed), an over-long line dropped.

const MAX_LINE = 1 << 20;

export interface EventFilters {
  type?: string[];
  container?: string[];
  event?: string[];
}

export interface EventFeed {
  close(): void;
}

export interface EventHandlers {
  onEvent(e: EngineEvent): void;
  /** The feed ended (the engine went away or closed it) or failed; not called after close(). */
  onEnd(e: Error): void;
}

/** Splits a byte stream into lines (the last, unfinished one kept), bounded in length. */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString('utf8');
    let newline: number;
    while ((newline = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line) onLine(line);
    }
    if (pending.length > MAX_LINE) pending = '';
  };
}

/** One line of the feed as an event; undefined when it is not one. */
export function parseEventLine(line: string): EngineEvent | undefined {
  try {
    const parsed = EngineEvent.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Subscribes to the feed; resolves once the engine has accepted the subscription. */
export async function followEvents(filters: EventFilters, handlers: EventHandlers): Promise<EventFeed> {
  const query = encodeURIComponent(JSON.stringify(filters));
  const stream: IncomingMessage = await callStream({ method: 'GET', path: `/events?filters=${query}` });
  let closed = false;
  const end = (e: Error): void => {
    if (closed) return;
    closed = true;
    handlers.onEnd(e);
  };
  stream.on(
    'data',
    lineSplitter((line) => {
      const event = parseEventLine(line);
      if (event) handlers.onEvent(event);
    }),
  );
  stream.on('end', () => end(new BulwarkError('ENGINE', 'GET /events', 'the event stream ended')));
  stream.on('error', end);
  return {
    close() {
      closed = true;
      stream.destroy();
    },
  };
}
