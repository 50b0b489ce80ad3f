import type { Kysely } from 'kysely';
import type { ContainerState, Database, Row } from './database.js';
import type { RuntimeFacts } from '../risk/rank.js';
import type { Store } from './open.js';
import { isoNow } from './time.js';

export interface ContainerRecord {
  hostId: string;
  id: string;
  name: string;
  imageDigest: string;
  imageRef: string;
  labels: Record<string, string>;
  state: ContainerState;
  startedAt?: string;
  stoppedAt?: string;
  /** How it runs, as the agent saw it (absent: never reported). */
  runtime?: RuntimeFacts;
}

/** Rows per INSERT: well under both dialects' bound-parameter limits. */
const BATCH = 500;

function toRow(c: ContainerRecord, at: string): Row<'containers'> {
  return {
    host_id: c.hostId,
    id: c.id,
    name: c.name,
    image_digest: c.imageDigest,
    image_ref: c.imageRef,
    labels: JSON.stringify(c.labels),
    state: c.state,
    started_at: c.startedAt ?? null,
    stopped_at: c.stoppedAt ?? null,
    updated_at: at,
    runtime: c.runtime ? JSON.stringify(c.runtime) : null,
  };
}

function fromRow(r: Row<'containers'>): ContainerRecord {
  return {
    hostId: r.host_id,
    id: r.id,
    name: r.name,
    imageDigest: r.image_digest,
    imageRef: r.image_ref,
    labels: JSON.parse(r.labels) as Record<string, string>,
    state: r.state,
    ...(r.started_at !== null ? { startedAt: r.started_at } : {}),
    ...(r.stopped_at !== null ? { stoppedAt: r.stopped_at } : {}),
    ...(r.runtime !== null ? { runtime: JSON.parse(r.runtime) as RuntimeFacts } : {}),
  };
}

async function upsertRows(db: Kysely<Database>, rows: Row<'containers'>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    await db
      .insertInto('containers')
      .values(rows.slice(i, i + BATCH))
      .onConflict((oc) =>
        oc.columns(['host_id', 'id']).doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          image_digest: eb.ref('excluded.image_digest'),
          image_ref: eb.ref('excluded.image_ref'),
          labels: eb.ref('excluded.labels'),
          state: eb.ref('excluded.state'),
          started_at: eb.ref('excluded.started_at'),
          stopped_at: eb.ref('excluded.stopped_at'),
          updated_at: eb.ref('excluded.updated_at'),
          runtime: eb.fn.coalesce(eb.ref('excluded.runtime'), eb.ref('containers.runtime')),
        })),
      )
      .execute();
  }
}

/** A start, stop or die the agent reported: the container's state as of now. */
export async function upsertContainer(store: Store, c: ContainerRecord, at = isoNow()): Promise<void> {
  await upsertRows(store.db, [toRow(c, at)]);
}

/**
 * The agent's whole list for its host (on reconnect): each is stored, and every container of
 * the host the server still thought running but the list lacks is marked stopped at `at`.
 * Returns how many were marked stopped.
 */
export async function resyncHost(
  store: Store,
  hostId: string,
  running: Omit<ContainerRecord, 'hostId' | 'state'>[],
  at = isoNow(),
): Promise<number> {
  return store.db.transaction().execute(async (trx) => {
    await upsertRows(
      trx,
      running.map((c) => toRow({ ...c, hostId, state: 'running' }, at)),
    );
    const listed = new Set(running.map((c) => c.id));
    const before = await trx
      .selectFrom('containers')
      .select('id')
      .where('host_id', '=', hostId)
      .where('state', '=', 'running')
      .execute();
    const gone = before.map((r) => r.id).filter((id) => !listed.has(id));
    for (let i = 0; i < gone.length; i += BATCH) {
      await trx
        .updateTable('containers')
        .set({ state: 'stopped', stopped_at: at, updated_at: at })
        .where('host_id', '=', hostId)
        .where('id', 'in', gone.slice(i, i + BATCH))
        .execute();
    }
    return gone.length;
  });
}

export async function listContainers(
  store: Store,
  filter: { hostId?: string; state?: ContainerState; imageDigest?: string } = {},
): Promise<ContainerRecord[]> {
  let q = store.db.selectFrom('containers').selectAll();
  if (filter.hostId !== undefined) q = q.where('host_id', '=', filter.hostId);
  if (filter.state !== undefined) q = q.where('state', '=', filter.state);
  if (filter.imageDigest !== undefined) q = q.where('image_digest', '=', filter.imageDigest);
  const rows = await q.orderBy('host_id').orderBy('id').execute();
  return rows.map(fromRow);
}

/** Which of these container ids the server has seen on the host before (for first-run custody). */
export async function knownContainerIds(store: Store, hostId: string, ids: readonly string[]): Promise<Set<string>> {
  const known = new Set<string>();
  for (let i = 0; i < ids.length; i += BATCH) {
    const rows = await store.db
      .selectFrom('containers')
      .select('id')
      .where('host_id', '=', hostId)
      .where('id', 'in', ids.slice(i, i + BATCH))
      .execute();
    for (const r of rows) known.add(r.id);
  }
  return known;
}

/** Marks one container stopped (a stop or die the agent reported); false when unknown. */
export async function markContainerStopped(store: Store, hostId: string, id: string, at = isoNow()): Promise<boolean> {
  const r = await store.db
    .updateTable('containers')
    .set({ state: 'stopped', stopped_at: at, updated_at: at })
    .where('host_id', '=', hostId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
