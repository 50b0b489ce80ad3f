import { describe, type TestContext } from 'node:test';
import { makeTempDir } from '../../core/tempdir.js';
import { createTestDatabase, havePostgres } from '../../../test/support/postgres.js';
import { requireAll } from '../../../test/support/require.js';
import type { DialectName } from './dialect.js';
import { openStore, type Store, type StoreOptions } from './open.js';

// Runs a block of tests once per dialect: on a SQLite file in a temp dir, and on a throwaway
// database of a real PostgreSQL (gated: under CI=true a missing PostgreSQL fails the tests).

export interface DialectCase {
  name: DialectName;
  /** A fresh, migrated store for test t (closed and removed when t ends); undefined when skipped. */
  open(t: TestContext): Promise<Store | undefined>;
  /** Where a fresh store may live, to open (and reopen) yourself; removed when t ends. */
  place(t: TestContext): Promise<StoreOptions | undefined>;
}

function postgresPresent(t: TestContext): boolean {
  return requireAll(t, { 'PostgreSQL on 127.0.0.1:5432 (Debian postgresql, scripts/engines.sh)': havePostgres() });
}

async function place(name: DialectName, t: TestContext): Promise<StoreOptions | undefined> {
  if (name === 'sqlite') {
    const dir = await makeTempDir('bulwark-store-');
    t.after(() => dir.remove());
    return { dataDir: dir.path };
  }
  if (!postgresPresent(t)) return undefined;
  const db = await createTestDatabase();
  // FORCE: connections a test left open do not keep the database
  t.after(() => db.drop());
  return { url: db.url };
}

function dialectCase(name: DialectName): DialectCase {
  return {
    name,
    place: (t) => place(name, t),
    async open(t) {
      const where = await place(name, t);
      if (!where) return undefined;
      const store = await openStore(where);
      let closed = false;
      const close = store.close.bind(store);
      t.after(() => (closed ? undefined : close()));
      return {
        ...store,
        close: () => {
          closed = true;
          return close();
        },
      };
    },
  };
}

export function eachDialect(fn: (d: DialectCase) => void): void {
  for (const name of ['sqlite', 'postgres'] as const) describe(name, () => fn(dialectCase(name)));
}
