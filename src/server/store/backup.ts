import Sqlite from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BulwarkError, messageOf } from '../../core/errors.js';
import { MIGRATION_TABLE } from './migrations.js';
import { STORE_FILE, type Store } from './open.js';

// Backup and restore of the SQLite store. PostgreSQL is backed up with pg_dump (README).

/**
 * A consistent snapshot of a SQLite store in `toFile`, taken while the server keeps writing:
 * SQLite's online backup, with every page copied in one step after the first, so no write by
 * another connection can restart it halfway.
 */
export async function backupStore(store: Store, toFile: string): Promise<void> {
  if (!store.sqlite) {
    throw new BulwarkError('UNSUPPORTED', store.location, 'backup of a PostgreSQL store is pg_dump (see README)');
  }
  if (existsSync(toFile)) throw new BulwarkError('NOT_EMPTY', toFile, 'the backup file exists already');
  mkdirSync(dirname(toFile), { recursive: true });
  try {
    await store.sqlite.backup(toFile, { progress: () => 0x7fffffff });
  } catch (e) {
    rmSync(toFile, { force: true });
    throw new BulwarkError('IO', toFile, `backup failed: ${messageOf(e)}`, { cause: e });
  }
}

/** Throws NOT_A_STORE unless `file` is a SQLite database holding Bulwark's migrations. */
function assertStoreFile(file: string): void {
  let db: Sqlite.Database | undefined;
  try {
    db = new Sqlite(file, { readonly: true, fileMustExist: true });
    const t = db.prepare('SELECT name FROM sqlite_master WHERE type = ? AND name = ?').get('table', MIGRATION_TABLE);
    if (!t) throw new BulwarkError('NOT_A_STORE', file, `no ${MIGRATION_TABLE} table: not made by Bulwark`);
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BulwarkError('NOT_A_STORE', file, `damaged: ${String(check)}`);
  } catch (e) {
    if (e instanceof BulwarkError) throw e;
    throw new BulwarkError('NOT_A_STORE', file, `not a SQLite store (${messageOf(e)})`, { cause: e });
  } finally {
    db?.close();
  }
}

/**
 * Restores a backup into `dataDir` (the server not running on it). A data dir with anything
 * in it is refused (NOT_EMPTY) unless `overwrite`, which replaces the store file and its WAL.
 */
export function restoreStore(fromFile: string, dataDir: string, options: { overwrite?: boolean } = {}): void {
  assertStoreFile(fromFile);
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0 && !options.overwrite) {
    throw new BulwarkError('NOT_EMPTY', dataDir, 'the data dir is not empty (restore with overwrite to replace it)');
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const target = join(dataDir, STORE_FILE);
  // a stale WAL beside the restored file would be replayed onto it
  for (const suffix of ['-wal', '-shm']) rmSync(target + suffix, { force: true });
  // copied beside, then renamed: an interrupted restore leaves no half store
  copyFileSync(fromFile, `${target}.restoring`);
  renameSync(`${target}.restoring`, target);
}
