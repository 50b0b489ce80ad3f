import type Sqlite from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, Migrator } from 'kysely';
import { BulwarkError, messageOf } from '../../core/errors.js';
import type { Database } from './database.js';
import { openSqliteFile, postgresDialect, postgresPool, sqliteDialect, type DialectName } from './dialect.js';
import { migrationProvider } from './migrations.js';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  /** The SQLite connection (online backup uses it); undefined on PostgreSQL. */
  readonly sqlite?: Sqlite.Database;
  /** Where it is, without credentials: the file, or the PostgreSQL host and database. */
  readonly location: string;
  close(): Promise<void>;
}

export type StoreOptions = { dataDir: string } | { url: string; poolSize?: number };

export const STORE_FILE = 'bulwark.db';

/** Opens (creating when needed) the server's store and brings its schema up to date. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const store = 'url' in options ? openPostgres(options.url, options.poolSize) : openSqlite(options.dataDir);
  try {
    await migrate(store);
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}

function openSqlite(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, STORE_FILE);
  let sqlite: Sqlite.Database;
  try {
    sqlite = openSqliteFile(file);
  } catch (e) {
    throw new BulwarkError('STORE', file, `cannot open the store (${messageOf(e)})`, { cause: e });
  }
  const db = new Kysely<Database>({ dialect: sqliteDialect(sqlite) });
  return { db, dialect: 'sqlite', sqlite, location: file, close: () => db.destroy() };
}

function openPostgres(url: string, poolSize?: number): Store {
  const u = URL.canParse(url) ? new URL(url) : undefined;
  if (!u) throw new BulwarkError('USAGE', 'database URL', 'not a URL (postgres://user:password@host/database)');
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new BulwarkError('USAGE', u.protocol, 'the database URL must be postgres://…');
  }
  const db = new Kysely<Database>({ dialect: postgresDialect(postgresPool(url, poolSize)) });
  return { db, dialect: 'postgres', location: `${u.host}${u.pathname}`, close: () => db.destroy() };
}

async function migrate(store: Store): Promise<void> {
  const migrator = new Migrator({ db: store.db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'migrations';
    throw new BulwarkError('STORE', store.location, `${failed} failed: ${messageOf(error)}`, { cause: error });
  }
}
