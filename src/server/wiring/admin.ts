import { userInfo } from 'node:os';
import { BulwarkError } from '../../core/errors.js';
import { appendAudit } from '../audit/append.js';
import { verifyAudit, type AuditVerdict } from '../audit/verify.js';
import { backupStore, restoreStore } from '../store/backup.js';
import { ROLES, type Role } from '../store/database.js';
import { openStore, type Store, type StoreOptions } from '../store/open.js';
import { createToken, listTokens, revokeToken, type TokenIdentity, type TokenInfo } from '../store/tokens.js';

// What an operator does to a server's store from its host (`bulwark server token|audit|backup|
// restore`): each change is written to the audit log like an API mutation, its actor the
// operating-system user who ran it.

const actor = (): string => `cli:${userInfo().username}`;

async function withStore<T>(o: StoreOptions, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(o);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export function parseRole(text: string): Role {
  if (!(ROLES as readonly string[]).includes(text))
    throw new BulwarkError('USAGE', `--role ${text}`, `a role is one of ${ROLES.join(', ')}`);
  return text as Role;
}

/** A new API token; its secret is returned once and stored only as a hash. */
export function createApiToken(o: StoreOptions, role: Role, name: string): Promise<TokenIdentity & { secret: string }> {
  return withStore(o, async (store) => {
    const t = await createToken(store, role, name);
    await appendAudit(store, { actor: actor(), action: 'token.create', target: t.id, details: { role, name } });
    return t;
  });
}

export function listApiTokens(o: StoreOptions): Promise<TokenInfo[]> {
  return withStore(o, (store) => listTokens(store));
}

export function revokeApiToken(o: StoreOptions, id: string): Promise<boolean> {
  return withStore(o, async (store) => {
    const done = await revokeToken(store, id);
    if (done) await appendAudit(store, { actor: actor(), action: 'token.revoke', target: id });
    return done;
  });
}

export function verifyAuditLog(o: StoreOptions): Promise<AuditVerdict> {
  return withStore(o, (store) => verifyAudit(store));
}

export function backupServer(o: StoreOptions, toFile: string): Promise<void> {
  return withStore(o, async (store) => {
    await backupStore(store, toFile);
    await appendAudit(store, { actor: actor(), action: 'store.backup', target: toFile });
  });
}

/** Restores a backup into a data dir, then records that in the restored store's own audit log. */
export async function restoreServer(fromFile: string, dataDir: string, overwrite: boolean): Promise<void> {
  restoreStore(fromFile, dataDir, { overwrite });
  await withStore({ dataDir }, async (store) => {
    await appendAudit(store, { actor: actor(), action: 'store.restore', target: fromFile });
  });
}
