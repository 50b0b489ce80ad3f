// The server store at fleet scale (issue 15): 2,000 images with 500 packages each (1,000,000
// package rows) and 50 findings each, 10,000 running containers on 50 hosts; then the p50/p99
// of "running containers carrying advisory X" (alias → findings → containers, as the
// /api/v1/vulnerabilities/{id}/containers route runs it), by CVE alias of a GHSA, and for one
// advisory found in 60% of the images. Target: ≤ 50 ms p99.
// Usage: node --import tsx bench/server-store.ts [--postgres] [queries=500]
// BENCH_STORE_DIR=dir (SQLite) / BENCH_STORE_URL=postgres://… : keep the filled store there and
// reuse it on the next run.
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { makeTempDir } from '../src/core/tempdir.js';
import { resyncHost } from '../src/server/store/containers.js';
import { upsertHost } from '../src/server/store/hosts.js';
import { putImageScan, type FindingRecord, type PackageRecord } from '../src/server/store/images.js';
import { openStore, type Store } from '../src/server/store/open.js';
import { runningContainersWithAdvisory } from '../src/server/store/vulnerable.js';
import { createTestDatabase, havePostgres } from '../test/support/postgres.js';

const postgres = process.argv.includes('--postgres');
const queries = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 500);
const IMAGES = 2000;
const PACKAGES = 500;
const FINDINGS = 50;
const ADVISORIES = 5000;
const HOSTS = 50;
const CONTAINERS = 10_000;
const HOT = 'CVE-2023-45853';

// a deterministic generator (mulberry32), so SQLite and PostgreSQL get the same data
let seed = 42;
const rand = (n: number): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return Math.floor((((x ^ (x >>> 14)) >>> 0) / 4294967296) * n);
};
const digestOf = (i: number) => `sha256:${i.toString(16).padStart(64, '0')}`;
const ghsa = (a: number) => `GHSA-${a.toString(36).padStart(4, '0')}-bnch-xxxx`;
const cve = (a: number) => `CVE-2024-${10000 + a}`;

function packages(): PackageRecord[] {
  return Array.from({ length: PACKAGES }, () => {
    const n = rand(20_000);
    const version = `1.${rand(30)}.${rand(10)}`;
    return n % 2
      ? { ecosystem: 'npm', name: `pkg-${n}`, version, purl: `pkg:npm/pkg-${n}@${version}` }
      : {
          ecosystem: 'debian',
          name: `lib${n}`,
          version,
          purl: `pkg:deb/debian/lib${n}@${version}`,
          sourceName: `src${n}`,
        };
  });
}

function findings(pkgs: PackageRecord[]): FindingRecord[] {
  const out: FindingRecord[] = [];
  for (let k = 0; k < FINDINGS; k++) {
    const a = rand(ADVISORIES);
    const p = pkgs[k]!;
    out.push({
      advisoryId: ghsa(a),
      aliases: [cve(a)],
      packagePurl: p.purl,
      packageName: p.name,
      installed: p.version,
      fixed: '9.9.9',
      severity: ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'][a % 4]!,
      cvssScore: (a % 100) / 10,
    });
  }
  if (rand(10) < 6) {
    const p = pkgs[FINDINGS]!;
    out.push({
      advisoryId: HOT,
      aliases: [],
      packagePurl: p.purl,
      packageName: p.name,
      installed: p.version,
      severity: 'CRITICAL',
      cvssScore: 9.8,
    });
  }
  return out;
}

async function fill(store: Store): Promise<void> {
  const t = performance.now();
  for (let i = 0; i < IMAGES; i++) {
    const pkgs = packages();
    await putImageScan(store, {
      digest: digestOf(i),
      repoTags: [`app${i}:1`],
      os: 'debian 12',
      packages: pkgs,
      findings: findings(pkgs),
    });
    if ((i + 1) % 500 === 0) console.error(`  ${i + 1} images (${((performance.now() - t) / 1000).toFixed(0)} s)`);
  }
  const perHost = CONTAINERS / HOSTS;
  for (let h = 0; h < HOSTS; h++) {
    await upsertHost(store, { id: `host-${h}`, name: `node-${h}` });
    const running = Array.from({ length: perHost }, (_, k) => ({
      id: `c-${h}-${k}`,
      name: `ctr-${h}-${k}`,
      imageDigest: digestOf(rand(IMAGES)),
      imageRef: 'app:1',
      labels: { team: `t${k % 7}` },
    }));
    await resyncHost(store, `host-${h}`, running);
  }
  // a stopped container per host as well: the query must leave them out
  console.error(`  filled in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(store: Store, ids: () => string, label: string): Promise<void> {
  for (let i = 0; i < 20; i++) await runningContainersWithAdvisory(store, ids()); // warm-up
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < queries; i++) {
    const t = performance.now();
    rows += (await runningContainersWithAdvisory(store, ids())).length;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${store.dialect} ${label}: p50 ${pct(times, 50).toFixed(2)} ms, p99 ${pct(times, 99).toFixed(2)} ms, max ${times.at(-1)!.toFixed(2)} ms (${queries} queries, ${(rows / queries).toFixed(0)} rows each on average)`,
  );
}

/** The plan of the query, so a slow run shows which index it missed. */
async function explain(store: Store): Promise<void> {
  const q = store.db
    .selectFrom('findings as f')
    .innerJoin('containers as c', (j) => j.onRef('c.image_digest', '=', 'f.image_digest').on('c.state', '=', 'running'))
    .select(['c.id'])
    .where('f.advisory_id', 'in', (eb) =>
      eb.selectFrom('advisory_aliases').select('advisory_id').where('alias', '=', cve(1)),
    )
    .compile();
  const prefix = store.dialect === 'sqlite' ? 'explain query plan ' : 'explain ';
  let text = q.sql;
  q.parameters.forEach(
    (v, i) => (text = text.replace(store.dialect === 'sqlite' ? '?' : `$${i + 1}`, `'${String(v)}'`)),
  );
  const plan = await sql.raw<Record<string, unknown>>(prefix + text).execute(store.db);
  for (const r of plan.rows) console.error(`  plan: ${String(r.detail ?? r['QUERY PLAN'])}`);
}

async function main(): Promise<void> {
  let cleanup: () => Promise<void>;
  let store: Store;
  if (process.env.BENCH_STORE_URL) {
    store = await openStore({ url: process.env.BENCH_STORE_URL });
    cleanup = () => Promise.resolve();
  } else if (postgres) {
    if (!havePostgres()) throw new Error('PostgreSQL not running on 127.0.0.1:5432 (bash scripts/engines.sh)');
    const db = await createTestDatabase();
    store = await openStore({ url: db.url });
    cleanup = () => db.drop();
  } else if (process.env.BENCH_STORE_DIR) {
    store = await openStore({ dataDir: process.env.BENCH_STORE_DIR });
    cleanup = () => Promise.resolve();
  } else {
    const dir = await makeTempDir('bulwark-bench-store-');
    store = await openStore({ dataDir: dir.path });
    cleanup = () => dir.remove();
  }
  try {
    const filled = await store.db.selectFrom('images').select('digest').limit(1).execute();
    if (filled.length === 0) {
      console.error(`filling ${store.dialect}: ${IMAGES} images × ${PACKAGES} packages, ${CONTAINERS} containers`);
      await fill(store);
      // statistics (and on PostgreSQL the visibility map autovacuum would set) of a settled store
      await sql.raw(store.dialect === 'postgres' ? 'vacuum analyze' : 'analyze').execute(store.db);
    }
    await explain(store);
    const counts = await store.db
      .selectFrom('packages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    console.log(`${store.dialect}: ${Number(counts.n)} package rows`);
    await measure(store, () => cve(rand(ADVISORIES)), 'random CVE alias of a GHSA');
    await measure(store, () => ghsa(rand(ADVISORIES)), 'random GHSA id');
    await measure(store, () => HOT, `${HOT} (in ~60% of images)`);
  } finally {
    await store.close();
    await cleanup();
  }
}

await main();
