import { createHash, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { BulwarkError } from '../../core/errors.js';
import { appendAudit, type AuditInput } from '../audit/append.js';
import type { AuditEntry, Principal, ServerDeps } from '../http/deps.js';
import { openStore, type Store } from '../store/open.js';
import { authenticate } from '../store/tokens.js';

// The server's collaborators: its store (SQLite in the data dir, or PostgreSQL), API tokens
// from the store (hashed there) plus an optional bootstrap admin token from the environment
// (kept only as a hash here, compared in constant time: the way to create the first tokens on
// a server no one can log in to yet), and the hash-chained audit log in the store.

export const ADMIN_TOKEN_ENV = 'BULWARK_ADMIN_TOKEN';
const MIN_TOKEN_LENGTH = 16;

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

const BOOTSTRAP_ADMIN: Principal = { id: 'bootstrap-admin', name: `admin (${ADMIN_TOKEN_ENV})`, role: 'admin' };

export interface ServerDepsOptions {
  dataDir: string;
  /** postgres://… ; default: SQLite in dataDir. */
  database?: string;
  env?: NodeJS.ProcessEnv;
}

export type WiredDeps = ServerDeps & { store: Store; hasAdminToken: boolean };

export async function serverDeps(o: ServerDepsOptions): Promise<WiredDeps> {
  const token = (o.env ?? process.env)[ADMIN_TOKEN_ENV];
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH)
    throw new BulwarkError('USAGE', ADMIN_TOKEN_ENV, `must be at least ${MIN_TOKEN_LENGTH} characters`);
  const adminHash = token === undefined ? undefined : sha256(token);
  const store = await openStore(o.database !== undefined ? { url: o.database } : { dataDir: o.dataDir });
  return {
    store,
    hasAdminToken: adminHash !== undefined,
    authenticate: async (secret) =>
      adminHash && timingSafeEqual(sha256(secret), adminHash) ? BOOTSTRAP_ADMIN : authenticate(store, secret),
    audit: async (entry) => void (await appendAudit(store, auditInput(entry), entry.time)),
    ready: async () => {
      try {
        await sql`select 1`.execute(store.db);
        return true;
      } catch {
        return false;
      }
    },
    close: () => store.close(),
  };
}

/** An HTTP audit entry as a row of the chain: who (role:name), what, on which route, how it went. */
function auditInput(e: AuditEntry): AuditInput {
  return {
    actor: e.actor ? `${e.actor.role}:${e.actor.name}` : 'anonymous',
    action: e.action,
    target: e.route,
    details: {
      outcome: e.outcome,
      status: e.status,
      requestId: e.requestId,
      ...(e.actor ? { actorId: e.actor.id } : {}),
      ...(e.detail ?? {}),
    },
    remote: e.remoteAddress,
  };
}
