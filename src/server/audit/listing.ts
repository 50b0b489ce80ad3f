import type { Store } from '../store/open.js';
import type { AuditEntry } from './append.js';

/** Audit entries after `afterSeq`, oldest first (for the API and for forwarding to sinks). */
export async function listAudit(store: Store, afterSeq = 0, limit = 1000): Promise<AuditEntry[]> {
  const rows = await store.db
    .selectFrom('audit_log')
    .selectAll()
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    seq: r.seq,
    time: r.time,
    actor: r.actor,
    action: r.action,
    target: r.target,
    details: JSON.parse(r.details) as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
    ...(r.remote !== null ? { remote: r.remote } : {}),
  }));
}
