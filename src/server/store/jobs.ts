import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { JobState, Row } from './database.js';
import { lockForUpdate, lockSkippingLocked } from './dialect.js';
import type { Store } from './open.js';
import { isoNow, isoPlus } from './time.js';

// A job queue in the store: several server replicas on one PostgreSQL share the work (each
// claim skips rows another claimer holds); a claim is a lease, so a job whose worker died is
// claimed again once the lease runs out.

export interface Job {
  id: string;
  kind: string;
  payload: unknown;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  lockedBy?: string;
  lockedUntil?: string;
  runAfter: string;
  lastError?: string;
}

function fromRow(r: Row<'jobs'>): Job {
  return {
    id: r.id,
    kind: r.kind,
    payload: JSON.parse(r.payload) as unknown,
    state: r.state,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    runAfter: r.run_after,
    ...(r.locked_by !== null ? { lockedBy: r.locked_by } : {}),
    ...(r.locked_until !== null ? { lockedUntil: r.locked_until } : {}),
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
  };
}

export async function enqueue(
  store: Store,
  kind: string,
  payload: unknown,
  options: { runAfter?: string; maxAttempts?: number } = {},
): Promise<string> {
  const id = randomUUID();
  const now = isoNow();
  await store.db
    .insertInto('jobs')
    .values({
      id,
      kind,
      payload: JSON.stringify(payload),
      state: 'queued',
      attempts: 0,
      max_attempts: options.maxAttempts ?? 5,
      locked_by: null,
      locked_until: null,
      run_after: options.runAfter ?? now,
      last_error: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

/**
 * Takes up to `n` due jobs of these kinds for `worker` for `leaseMs`: queued ones whose time
 * has come, and running ones whose lease ran out (their worker is presumed gone).
 */
export async function claim(
  store: Store,
  worker: string,
  kinds: string[],
  n: number,
  leaseMs = 5 * 60_000,
): Promise<Job[]> {
  if (kinds.length === 0 || n <= 0) return [];
  const now = isoNow();
  // a job whose worker died on every attempt (a poison job) is not handed out again
  await store.db
    .updateTable('jobs')
    .set({
      state: 'failed',
      locked_by: null,
      locked_until: null,
      last_error: 'lease expired on its last attempt',
      updated_at: now,
    })
    .where('state', '=', 'running')
    .where('locked_until', '<', now)
    .where((eb) => eb('attempts', '>=', eb.ref('max_attempts')))
    .execute();
  const due = lockSkippingLocked(
    store.dialect,
    store.db
      .selectFrom('jobs')
      .select('id')
      .where('kind', 'in', kinds)
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'queued'), eb('run_after', '<=', now)]),
          eb.and([eb('state', '=', 'running'), eb('locked_until', '<', now)]),
        ]),
      )
      .orderBy('run_after')
      .limit(n),
  );
  const rows = await store.db
    .updateTable('jobs')
    .set({
      state: 'running',
      attempts: sql<number>`attempts + 1`,
      locked_by: worker,
      locked_until: isoPlus(now, leaseMs),
      updated_at: now,
    })
    .where('id', 'in', due)
    .returningAll()
    .execute();
  return rows.map(fromRow).sort((a, b) => (a.runAfter < b.runAfter ? -1 : a.runAfter > b.runAfter ? 1 : 0));
}

/** Marks a job done; false when `worker` no longer holds it (its lease ran out and it moved on). */
export async function complete(store: Store, id: string, worker: string): Promise<boolean> {
  const r = await store.db
    .updateTable('jobs')
    .set({ state: 'done', locked_by: null, locked_until: null, updated_at: isoNow() })
    .where('id', '=', id)
    .where('locked_by', '=', worker)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Backoff before attempt k+1: 2^(k-1) × base, at most an hour. */
export function backoffMs(attempts: number, baseMs = 1000): number {
  return Math.min(3_600_000, baseMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * Records a failed attempt: the job is queued again after a backoff, or failed for good once
 * it used its attempts. Returns the new state (undefined when `worker` does not hold it).
 */
export async function fail(
  store: Store,
  id: string,
  worker: string,
  error: string,
  baseBackoffMs = 1000,
): Promise<'queued' | 'failed' | undefined> {
  return store.db.transaction().execute(async (trx) => {
    const job = await lockForUpdate(
      store.dialect,
      trx
        .selectFrom('jobs')
        .select(['attempts', 'max_attempts'])
        .where('id', '=', id)
        .where('locked_by', '=', worker)
        .where('state', '=', 'running'),
    ).executeTakeFirst();
    if (!job) return undefined;
    const now = isoNow();
    const state = job.attempts >= job.max_attempts ? 'failed' : 'queued';
    await trx
      .updateTable('jobs')
      .set({
        state,
        locked_by: null,
        locked_until: null,
        last_error: error.slice(0, 4000),
        run_after: state === 'queued' ? isoPlus(now, backoffMs(job.attempts, baseBackoffMs)) : now,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    return state;
  });
}

export async function getJob(store: Store, id: string): Promise<Job | undefined> {
  const r = await store.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? fromRow(r) : undefined;
}

/** Queued and running jobs per kind (the queue-depth metric). */
export async function queueDepth(store: Store): Promise<Map<string, number>> {
  const rows = await store.db
    .selectFrom('jobs')
    .select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
    .where('state', 'in', ['queued', 'running'])
    .groupBy('kind')
    .execute();
  return new Map(rows.map((r) => [r.kind, Number(r.n)]));
}
