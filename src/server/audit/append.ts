import type { Store } from '../store/open.js';
import { isoNow } from '../store/time.js';
import { auditHash } from './canonical.js';

// Appending to the hash-chained audit log. Appends are serialised by the chain head row: each
// append first updates it (a row lock on PostgreSQL, the write lock on SQLite), then reads it,
// so two writers can never both chain to the same predecessor.

export interface AuditInput {
  actor: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
  /** The client address, when the action came over the network. */
  remote?: string;
}

export interface AuditEntry {
  seq: number;
  time: string;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  remote?: string;
  prevHash: string;
  hash: string;
}

export async function appendAudit(store: Store, input: AuditInput, time = isoNow()): Promise<AuditEntry> {
  return store.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('audit_head')
      .set((eb) => ({ seq: eb.ref('seq') }))
      .where('id', '=', 1)
      .execute();
    const head = await trx
      .selectFrom('audit_head')
      .select(['seq', 'hash'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    const details = input.details ?? {};
    // stored as the canonical text's JSON round trip: what verify re-reads is what was hashed
    const detailsJson = JSON.stringify(details);
    const entry = {
      seq: head.seq + 1,
      time,
      actor: input.actor,
      action: input.action,
      target: input.target,
      details: JSON.parse(detailsJson) as Record<string, unknown>,
      remote: input.remote ?? null,
      prevHash: head.hash,
    };
    const hash = auditHash(entry);
    await trx
      .insertInto('audit_log')
      .values({
        seq: entry.seq,
        time,
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        details: detailsJson,
        remote: entry.remote,
        prev_hash: entry.prevHash,
        hash,
      })
      .execute();
    await trx.updateTable('audit_head').set({ seq: entry.seq, hash }).where('id', '=', 1).execute();
    const { remote, ...rest } = entry;
    return { ...rest, ...(remote !== null ? { remote } : {}), hash };
  });
}
