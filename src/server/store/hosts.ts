import type { Store } from './open.js';
import { isoNow } from './time.js';

export interface Host {
  id: string;
  name: string;
  agentVersion?: string;
  lastSeen: string;
}

/** Registers a host or records that it was seen again. */
export async function upsertHost(
  store: Store,
  host: { id: string; name: string; agentVersion?: string },
  at = isoNow(),
): Promise<void> {
  const row = { id: host.id, name: host.name, agent_version: host.agentVersion ?? null, last_seen: at };
  await store.db
    .insertInto('hosts')
    .values(row)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({ name: row.name, agent_version: row.agent_version, last_seen: at }),
    )
    .execute();
}

export async function listHosts(store: Store): Promise<Host[]> {
  const rows = await store.db.selectFrom('hosts').selectAll().orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    lastSeen: r.last_seen,
    ...(r.agent_version !== null ? { agentVersion: r.agent_version } : {}),
  }));
}

/** Records that a registered host was heard from; false when the host never registered. */
export async function touchHost(store: Store, id: string, at = isoNow()): Promise<boolean> {
  const r = await store.db.updateTable('hosts').set({ last_seen: at }).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
