import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { BulwarkError } from '../../core/errors.js';
import { ROLES, type Role } from './database.js';
import type { Store } from './open.js';
import { isoNow, isoPlus } from './time.js';

// API tokens: the secret is shown once, at creation; the store keeps only its SHA-256.

const PREFIX = 'bwk_';
const SECRET = /^bwk_[A-Za-z0-9_-]{43}$/;
/** last_used_at is written at most this often per token (not on every request). */
const TOUCH_MS = 60_000;

export interface TokenIdentity {
  id: string;
  name: string;
  role: Role;
}

export interface TokenInfo extends TokenIdentity {
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

function hashOf(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Makes a token; the returned secret is not stored and cannot be shown again. */
export async function createToken(store: Store, role: Role, name: string): Promise<TokenIdentity & { secret: string }> {
  if (!ROLES.includes(role)) throw new BulwarkError('USAGE', String(role), `not a role (${ROLES.join(', ')})`);
  const secret = PREFIX + randomBytes(32).toString('base64url');
  const id = randomBytes(8).toString('hex');
  await store.db
    .insertInto('api_tokens')
    .values({ id, name, role, secret_hash: hashOf(secret), created_at: isoNow(), last_used_at: null, revoked_at: null })
    .execute();
  return { id, name, role, secret };
}

/** The token a secret belongs to, unless unknown, malformed or revoked. */
export async function authenticate(store: Store, secret: string): Promise<TokenIdentity | undefined> {
  if (!SECRET.test(secret)) return undefined;
  const hash = hashOf(secret);
  const row = await store.db.selectFrom('api_tokens').selectAll().where('secret_hash', '=', hash).executeTakeFirst();
  if (!row || row.revoked_at !== null) return undefined;
  if (!timingSafeEqual(Buffer.from(row.secret_hash, 'hex'), Buffer.from(hash, 'hex'))) return undefined;
  const now = isoNow();
  if (row.last_used_at === null || isoPlus(row.last_used_at, TOUCH_MS) < now) {
    await store.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return { id: row.id, name: row.name, role: row.role };
}

/** Revokes a token; false when there is no such (unrevoked) token. */
export async function revokeToken(store: Store, id: string): Promise<boolean> {
  const r = await store.db
    .updateTable('api_tokens')
    .set({ revoked_at: isoNow() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function listTokens(store: Store): Promise<TokenInfo[]> {
  const rows = await store.db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    role: r.role,
    createdAt: r.created_at,
    ...(r.last_used_at !== null ? { lastUsedAt: r.last_used_at } : {}),
    ...(r.revoked_at !== null ? { revokedAt: r.revoked_at } : {}),
  }));
}
