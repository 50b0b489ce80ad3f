import { createHash, timingSafeEqual } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { BulwarkError } from '../../core/errors.js';
import type { Principal, ServerDeps } from '../http/deps.js';

// The server's collaborators before the store exists: one bootstrap admin token from the
// environment (kept only as a hash, compared in constant time) and the audit log as JSON
// lines in the data dir. Replaced by the store's implementation of the same interface.

export const ADMIN_TOKEN_ENV = 'BULWARK_ADMIN_TOKEN';
const MIN_TOKEN_LENGTH = 16;

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

const BOOTSTRAP_ADMIN: Principal = { id: 'bootstrap-admin', name: `admin (${ADMIN_TOKEN_ENV})`, role: 'admin' };

export interface ServerDepsOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
}

export function serverDeps(o: ServerDepsOptions): ServerDeps & { hasAdminToken: boolean } {
  const token = (o.env ?? process.env)[ADMIN_TOKEN_ENV];
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH)
    throw new BulwarkError('USAGE', ADMIN_TOKEN_ENV, `must be at least ${MIN_TOKEN_LENGTH} characters`);
  const adminHash = token === undefined ? undefined : sha256(token);
  const auditFile = join(o.dataDir, 'audit.jsonl');
  let handle: Promise<FileHandle> | undefined;
  let last: Promise<void> = Promise.resolve();
  const file = (): Promise<FileHandle> => (handle ??= open(auditFile, 'a', 0o600));
  return {
    hasAdminToken: adminHash !== undefined,
    authenticate: async (secret) =>
      adminHash && timingSafeEqual(sha256(secret), adminHash) ? BOOTSTRAP_ADMIN : undefined,
    audit: (entry) => {
      // one line per append, in order
      const line = `${JSON.stringify(entry)}\n`;
      last = last.catch(() => undefined).then(async () => void (await (await file()).appendFile(line)));
      return last;
    },
    ready: async () => {
      await file();
      return true;
    },
    close: async () => {
      await last.catch(() => undefined);
      if (handle) await (await handle).close();
    },
  };
}
