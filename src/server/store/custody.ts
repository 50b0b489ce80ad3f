import { randomUUID } from 'node:crypto';
import { BulwarkError } from '../../core/errors.js';
import { CUSTODY_KINDS, type CustodyKind } from './database.js';
import type { Store } from './open.js';
import { isoNow } from './time.js';

// The chain of custody of a digest: append-only (this module has no update or delete).

export interface CustodyEntry {
  digest: string;
  kind: CustodyKind;
  actor: string;
  details: Record<string, unknown>;
  time: string;
}

export async function appendCustody(
  store: Store,
  entry: Omit<CustodyEntry, 'time'> & { time?: string },
): Promise<void> {
  if (!CUSTODY_KINDS.includes(entry.kind)) {
    throw new BulwarkError('USAGE', String(entry.kind), `not a custody kind (${CUSTODY_KINDS.join(', ')})`);
  }
  await store.db
    .insertInto('custody')
    .values({
      id: randomUUID(),
      digest: entry.digest,
      time: entry.time ?? isoNow(),
      kind: entry.kind,
      actor: entry.actor,
      details: JSON.stringify(entry.details),
    })
    .execute();
}

/** The custody of a digest, oldest first. */
export async function custodyOf(store: Store, digest: string): Promise<CustodyEntry[]> {
  const rows = await store.db
    .selectFrom('custody')
    .selectAll()
    .where('digest', '=', digest)
    .orderBy('time')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    digest: r.digest,
    kind: r.kind,
    actor: r.actor,
    time: r.time,
    details: JSON.parse(r.details) as Record<string, unknown>,
  }));
}
