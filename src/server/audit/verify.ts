import { BulwarkError } from '../../core/errors.js';
import type { Row } from '../store/database.js';
import { GENESIS_HASH } from '../store/migrations.js';
import type { Store } from '../store/open.js';
import { auditHash } from './canonical.js';

// Walks the audit chain from seq 1 and names the first entry that breaks it:
// - AUDIT_GAP: a seq is missing (a row deleted; at the tail: the head records more entries);
// - AUDIT_REORDERED: an entry chains to an existing entry other than the one before it;
// - AUDIT_EDITED: an entry's content no longer matches its hash, or it chains to no entry.

type AuditBreak = 'AUDIT_GAP' | 'AUDIT_REORDERED' | 'AUDIT_EDITED';

export type AuditVerdict =
  { ok: true; entries: number; head: string } | { ok: false; seq: number; code: AuditBreak; reason: string };

const PAGE = 1000;

function recomputed(r: Row<'audit_log'>): string | undefined {
  try {
    return auditHash({
      seq: r.seq,
      time: r.time,
      actor: r.actor,
      action: r.action,
      target: r.target,
      details: JSON.parse(r.details) as unknown,
      remote: r.remote,
      prevHash: r.prev_hash,
    });
  } catch {
    return undefined; // details no longer JSON: edited
  }
}

async function checkLink(
  store: Store,
  r: Row<'audit_log'>,
  prev: { seq: number; hash: string },
): Promise<AuditVerdict | undefined> {
  if (r.seq !== prev.seq + 1) {
    return { ok: false, seq: prev.seq + 1, code: 'AUDIT_GAP', reason: `entry ${prev.seq + 1} is missing` };
  }
  if (r.prev_hash !== prev.hash) {
    const other = await store.db
      .selectFrom('audit_log')
      .select('seq')
      .where('hash', '=', r.prev_hash)
      .executeTakeFirst();
    if (other) {
      return {
        ok: false,
        seq: r.seq,
        code: 'AUDIT_REORDERED',
        reason: `chains to entry ${other.seq}, not ${prev.seq}`,
      };
    }
    return { ok: false, seq: r.seq, code: 'AUDIT_EDITED', reason: `chains to no entry (previous hash changed)` };
  }
  if (recomputed(r) !== r.hash) {
    return { ok: false, seq: r.seq, code: 'AUDIT_EDITED', reason: 'content does not match its hash' };
  }
  return undefined;
}

export async function verifyAudit(store: Store): Promise<AuditVerdict> {
  let prev = { seq: 0, hash: GENESIS_HASH };
  for (;;) {
    const page = await store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', prev.seq)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const r of page) {
      const broken = await checkLink(store, r, prev);
      if (broken) return broken;
      prev = { seq: r.seq, hash: r.hash };
    }
    if (page.length < PAGE) break;
  }
  const head = await store.db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
  if (!head || head.seq > prev.seq) {
    return {
      ok: false,
      seq: prev.seq + 1,
      code: 'AUDIT_GAP',
      reason: `the chain ends at ${prev.seq}, the head says ${head?.seq ?? '?'}`,
    };
  }
  if (head.seq !== prev.seq || head.hash !== prev.hash) {
    return { ok: false, seq: prev.seq, code: 'AUDIT_EDITED', reason: 'the last entry does not match the chain head' };
  }
  return { ok: true, entries: prev.seq, head: prev.hash };
}

/** verifyAudit, throwing the break as a BulwarkError (AUDIT_GAP, AUDIT_REORDERED or AUDIT_EDITED). */
export async function assertAuditIntact(store: Store): Promise<{ entries: number; head: string }> {
  const v = await verifyAudit(store);
  if (v.ok) return { entries: v.entries, head: v.head };
  throw new BulwarkError(v.code, `audit log entry ${v.seq}`, v.reason);
}
