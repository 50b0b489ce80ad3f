import type { Row } from './database.js';
import type { Store } from './open.js';
import { isoNow, toIso } from './time.js';

export interface StoredEvent {
  /** The sender's idempotency key: a retried batch stores each event once. */
  id: string;
  time: string;
  hostId: string;
  containerId?: string;
  imageDigest?: string;
  rule: string;
  severity: string;
  body: unknown;
}

const BATCH = 500;

/** Stores events, ignoring ids already stored; returns how many were new. */
export async function insertEvents(store: Store, events: StoredEvent[], receivedAt = isoNow()): Promise<number> {
  return (await insertNewEvents(store, events, receivedAt)).length;
}

/** Stores events, ignoring ids already stored; returns the ids (and image digests) that were new. */
export async function insertNewEvents(
  store: Store,
  events: StoredEvent[],
  receivedAt = isoNow(),
): Promise<{ id: string; imageDigest?: string }[]> {
  const rows: Row<'events'>[] = events.map((e) => ({
    id: e.id,
    time: toIso(e.time),
    host_id: e.hostId,
    container_id: e.containerId ?? null,
    image_digest: e.imageDigest ?? null,
    rule: e.rule,
    severity: e.severity,
    body: JSON.stringify(e.body),
    received_at: receivedAt,
  }));
  const inserted: { id: string; imageDigest?: string }[] = [];
  for (let i = 0; i < rows.length; i += BATCH) {
    const r = await store.db
      .insertInto('events')
      .values(rows.slice(i, i + BATCH))
      .onConflict((oc) => oc.column('id').doNothing())
      .returning(['id', 'image_digest'])
      .execute();
    for (const x of r) inserted.push({ id: x.id, ...(x.image_digest !== null ? { imageDigest: x.image_digest } : {}) });
  }
  return inserted;
}

/** Events with time at or after `since` (any form Date parses), oldest first. */
export async function listEvents(store: Store, query: { since: string; limit?: number }): Promise<StoredEvent[]> {
  const rows = await store.db
    .selectFrom('events')
    .selectAll()
    .where('time', '>=', toIso(query.since))
    .orderBy('time')
    .orderBy('id')
    .limit(query.limit ?? 1000)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    time: r.time,
    hostId: r.host_id,
    rule: r.rule,
    severity: r.severity,
    body: JSON.parse(r.body) as unknown,
    ...(r.container_id !== null ? { containerId: r.container_id } : {}),
    ...(r.image_digest !== null ? { imageDigest: r.image_digest } : {}),
  }));
}
