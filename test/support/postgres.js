import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
// Real PostgreSQL for tests: Debian's cluster on loopback (scripts/engines.sh starts it). A
// test role with a password is made once (as the postgres OS user, through peer auth); each
// test gets a throwaway database owned by that role and drops it when done.
// BULWARK_TEST_PG_URL: an admin URL of another server (role allowed to CREATE DATABASE).
const ROLE = 'bulwark_test';
const PASSWORD = 'bulwark-test-loopback-only';
const LOCAL = `postgres://${ROLE}:${PASSWORD}@127.0.0.1:5432`;
let prepared;
function psqlAsPostgres(sqlText) {
    const r = spawnSync('runuser', ['-u', 'postgres', '--', 'psql', '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-c', sqlText], {
        encoding: 'utf8',
        timeout: 15_000,
    });
    return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}
/** True when a PostgreSQL server answers and the test role exists (made here when missing). */
export function havePostgres() {
    if (prepared !== undefined)
        return prepared;
    if (process.env.BULWARK_TEST_PG_URL)
        return (prepared = true);
    const ready = spawnSync('pg_isready', ['-q', '-h', '127.0.0.1', '-p', '5432'], { timeout: 10_000 });
    if (ready.status !== 0)
        return (prepared = false);
    const exists = psqlAsPostgres(`SELECT 1 FROM pg_roles WHERE rolname = '${ROLE}'`);
    if (!exists.ok)
        return (prepared = false);
    if (exists.out !== '1') {
        const made = psqlAsPostgres(`CREATE ROLE ${ROLE} LOGIN CREATEDB PASSWORD '${PASSWORD}'`);
        // another test file may have made it in the meantime
        if (!made.ok && !/already exists/.test(made.out))
            throw new Error(`cannot create role ${ROLE}: ${made.out}`);
    }
    return (prepared = true);
}
function adminUrl() {
    return process.env.BULWARK_TEST_PG_URL ?? `${LOCAL}/postgres`;
}
async function withAdmin(fn) {
    const client = new pg.Client({ connectionString: adminUrl() });
    await client.connect();
    try {
        return await fn(client);
    }
    finally {
        await client.end();
    }
}
/** A fresh, empty database for one test. */
export async function createTestDatabase() {
    const name = `bulwark_t_${randomBytes(6).toString('hex')}`;
    await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
    const url = new URL(adminUrl());
    url.pathname = `/${name}`;
    return {
        url: url.toString(),
        name,
        drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
    };
}
//# sourceMappingURL=postgres.js.map