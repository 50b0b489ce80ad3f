import Sqlite from 'better-sqlite3';
import { PostgresDialect, SqliteDialect, type Dialect, type SelectQueryBuilder } from 'kysely';
import pg from 'pg';

// Everything that differs between SQLite and PostgreSQL lives here; the repositories are one
// code path over kysely.

export type DialectName = 'sqlite' | 'postgres';

/** A better-sqlite3 connection set up for a server: WAL, waits for the write lock, foreign keys. */
export function openSqliteFile(file: string): Sqlite.Database {
  const db = new Sqlite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  // WAL + NORMAL: a committed transaction survives a process crash (not a power cut)
  db.pragma('synchronous = NORMAL');
  return db;
}

export function sqliteDialect(db: Sqlite.Database): Dialect {
  return new SqliteDialect({ database: db });
}

const INT8 = 20;

export function postgresPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // bigint (count(*), sums) as a number: no value the store keeps comes near 2^53
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // an idle connection the server closed (restart, failover): the pool drops it and the next
  // query connects again; without a listener the error would end the process
  pool.on('error', () => undefined);
  return pool;
}

export function postgresDialect(pool: pg.Pool): Dialect {
  return new PostgresDialect({ pool });
}

/**
 * Rows a claimer takes: on PostgreSQL locked and skipped by other claimers (`FOR UPDATE SKIP
 * LOCKED`); SQLite has one writer at a time, so the claiming statement alone is enough.
 */
export function lockSkippingLocked<DB, TB extends keyof DB, O>(
  dialect: DialectName,
  qb: SelectQueryBuilder<DB, TB, O>,
): SelectQueryBuilder<DB, TB, O> {
  return dialect === 'postgres' ? qb.forUpdate().skipLocked() : qb;
}

/** A row read to be updated in the same transaction: locked on PostgreSQL (SQLite has one writer). */
export function lockForUpdate<DB, TB extends keyof DB, O>(
  dialect: DialectName,
  qb: SelectQueryBuilder<DB, TB, O>,
): SelectQueryBuilder<DB, TB, O> {
  return dialect === 'postgres' ? qb.forUpdate() : qb;
}
