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

type Placed = { options: StoreOptions; remove: () => Promise<void> };

async function place(name: DialectName, t: TestContext): Promise<Placed | undefined> {
  if (name === 'sqlite') {
    const dir = await makeTempDir('bulwark-store-');
    return { options: { dataDir: dir.path }, remove: () => dir.remove() };
  }
  if (!postgresPresent(t)) return undefined;
  const db = await createTestDatabase();
  // FORCE: connections a test left open do not keep the database
  return { options: { url: db.url }, remove: () => db.drop() };
}

function dialectCase(name: DialectName): DialectCase {
  return {
    name,
    async place(t) {
      const placed = await place(name, t);
      if (placed) t.after(placed.remove);
      return placed?.options;
    },
    async open(t) {
      const placed = await place(name, t);
      if (!placed) return undefined;
      const store = await openStore(placed.options);
      let closed = false;
      // one hook, so the store closes before its database goes (hooks run in order)
      t.after(async () => {
        if (!closed) await store.close();
        await placed.remove();
      });
      return {
        ...store,
        close: () => {
          closed = true;
          return store.close();
        },
      };
    },
  };
}

export function eachDialect(fn: (d: DialectCase) => void): void {
  for (const name of ['sqlite', 'postgres'] as const) describe(name, () => fn(dialectCase(name)));
}
