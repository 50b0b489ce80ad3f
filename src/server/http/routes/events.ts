import { z } from 'zod';
import {
  eventBatchSchema,
  isoTimeSchema,
  MAX_EVENTS_PER_BATCH,
  securityEventSchema,
} from '../../../events/server-api.js';
import { appendCustody } from '../../store/custody.js';
import { insertNewEvents, listEvents, type StoredEvent } from '../../store/events.js';
import type { Store } from '../../store/open.js';
import { storeOf } from '../deps.js';
import { RetryLater } from '../errors.js';
import { defineRoute, type RouteGroup } from '../route.js';

// Agents stream SecurityEvents in batches; a retried batch stores each event once (ids are the
// idempotency keys). Back-pressure instead of an unbounded backlog: past a bounded number of
// batches in flight, or when the store takes too long, the answer is 503 with Retry-After and
// the agent's queue waits (an insert that finished after the 503 is harmless: the retry finds
// its ids stored). One audit entry per batch, never per event.

export interface IngestLimits {
  /** Batches being stored at once, at most. */
  maxInFlight: number;
  /** Longest a batch may take to store before the agent is told to come back. */
  storeTimeoutMs: number;
  /** Seconds the agent is told to wait. */
  retryAfterSeconds: number;
}

const DEFAULT_LIMITS: IngestLimits = { maxInFlight: 8, storeTimeoutMs: 5_000, retryAfterSeconds: 1 };

const Since = z
  .object({
    since: isoTimeSchema,
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

const Listed = z.object({
  events: z.array(z.object({ hostId: z.string(), event: securityEventSchema })),
});

function stored(hostFallback: string, batch: z.output<typeof eventBatchSchema>): StoredEvent[] {
  return batch.events.map((e) => ({
    id: e.id,
    time: e.time,
    hostId: e.host ?? hostFallback,
    rule: e.rule,
    severity: e.severity,
    body: e,
    ...(e.container ? { containerId: e.container.id } : {}),
    ...(e.container?.imageDigest ? { imageDigest: e.container.imageDigest } : {}),
  }));
}

/** One custody entry per image digest per batch ("runtime-event": how many, which rules, where); new events only. */
async function recordCustody(store: Store, actor: string, events: StoredEvent[], fresh: readonly { id: string }[]) {
  const isNew = new Set(fresh.map((f) => f.id));
  const byDigest = new Map<string, { n: number; rules: Set<string>; hosts: Set<string> }>();
  for (const e of events) {
    if (!e.imageDigest || !isNew.has(e.id)) continue;
    const g = byDigest.get(e.imageDigest) ?? { n: 0, rules: new Set<string>(), hosts: new Set<string>() };
    g.n++;
    g.rules.add(e.rule);
    g.hosts.add(e.hostId);
    byDigest.set(e.imageDigest, g);
  }
  for (const [digest, g] of byDigest)
    await appendCustody(store, {
      digest,
      kind: 'runtime-event',
      actor,
      details: { events: g.n, rules: [...g.rules].sort(), hosts: [...g.hosts].sort() },
    });
  return fresh.length;
}

function timeout(ms: number): { promise: Promise<'timeout'>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
  return { promise, cancel: () => clearTimeout(timer) };
}

/** The events route group, with its back-pressure limits (tests lower them). */
export function eventRoutes(limits: Partial<IngestLimits> = {}): RouteGroup {
  const l = { ...DEFAULT_LIMITS, ...limits };
  let inFlight = 0;
  return {
    id: 'events',
    routes: ({ deps }) => [
      defineRoute({
        method: 'POST',
        url: '/api/v1/events',
        summary: `Store a batch of up to ${MAX_EVENTS_PER_BATCH} SecurityEvents, idempotent by event id; 503 + Retry-After when busy (roles agent, admin)`,
        access: ['agent', 'admin'],
        action: 'events.ingest',
        bodyLimit: 8 << 20,
        body: eventBatchSchema,
        response: z.object({ received: z.number(), stored: z.number() }),
        handler: async ({ body, principal, auditDetail }) => {
          const store = storeOf(deps);
          auditDetail({ events: String(body.events.length) });
          if (inFlight >= l.maxInFlight)
            throw new RetryLater('events', 'too many batches in flight', l.retryAfterSeconds);
          inFlight++;
          // counted until the insert ends, even when the agent was told to come back first
          const actor = principal?.name ?? 'unknown';
          const rows = stored(actor, body);
          const insert = insertNewEvents(store, rows)
            .then((fresh) => recordCustody(store, actor, rows, fresh))
            .finally(() => inFlight--);
          const t = timeout(l.storeTimeoutMs);
          try {
            const n = await Promise.race([insert, t.promise]);
            if (n === 'timeout') {
              insert.catch(() => undefined);
              throw new RetryLater('events', 'the store is slow', l.retryAfterSeconds);
            }
            auditDetail({ stored: String(n) });
            return { received: body.events.length, stored: n };
          } finally {
            t.cancel();
          }
        },
      }),
      defineRoute({
        method: 'GET',
        url: '/api/v1/events',
        summary: 'Runtime events at or after `since`, oldest first (roles admin, viewer)',
        access: ['admin', 'viewer'],
        query: Since,
        response: Listed,
        handler: async ({ query }) => {
          const rows = await listEvents(storeOf(deps), query);
          return {
            events: rows.map((r) => ({ hostId: r.hostId, event: r.body as z.input<typeof securityEventSchema> })),
          };
        },
      }),
    ],
  };
}

export const events = eventRoutes();
