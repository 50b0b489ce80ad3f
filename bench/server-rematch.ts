// Re-match of 2,000 stored inventories after one DB update, with the diff (issue 15: ≤ 60 s).
// Usage: node --import tsx bench/server-rematch.ts [images=2000] [seed=1]
//
// Images: each is sampled from the real inventory of src/server/rematch/fixtures (the scanner's
// inventory of nine real Go binaries and two real Python site-packages): 1–3 whole binaries
// (a binary's modules come together) and 10–60 Python packages, seeded. The update (records
// numbered by sorted id): the old DB is the real Go and PyPI feeds without every 40th record;
// the new DB is the feeds with every 97th record gone and a CVSS vector on every 13th. Prepared first (old DB
// matched, inventories and findings written to a SQLite file standing in for the store), then
// measured in a child process so its peak RSS is the re-match's own.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { Inventory, Package } from '../src/core/types.js';
import { matchInventory } from '../src/match/matcher.js';
import { storedFinding, type StoredFinding } from '../src/server/rematch/diff.js';
import { rematchAll, type StoredImage } from '../src/server/rematch/rematch.js';
import { cachedSource } from '../src/server/rematch/cached-source.js';
import { buildDb, realFeeds, realInventory } from '../src/server/rematch/fixtures/feeds.js';
import type { OsvRecord } from '../src/vulndb/osv.js';
import { VulnStore } from '../src/vulndb/store.js';

const [mode, dirArg] = process.argv[2] === 'measure' ? ['measure', process.argv[3]!] : ['run', ''];
const images = mode === 'run' ? Number(process.argv[2] ?? 2000) : 0;
const seed = Number(process.argv[3] ?? 1);

function rng(s: number): () => number {
  return () => (s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
}

/** The real packages in units an image takes whole: one Go binary, or one Python package. */
function pools(inv: Inventory): { binaries: Package[][]; python: Package[] } {
  const byPath = new Map<string, Package[]>();
  for (const p of inv.packages.filter((x) => x.ecosystem === 'golang'))
    byPath.set(p.path, [...(byPath.get(p.path) ?? []), p]);
  return { binaries: [...byPath.values()], python: inv.packages.filter((x) => x.ecosystem === 'pypi') };
}

function sampleImage(i: number, pool: ReturnType<typeof pools>, r: () => number): Inventory {
  const pick = <T>(xs: T[], n: number): T[] => [...xs].sort(() => r() - 0.5).slice(0, n);
  const packages = [
    ...pick(pool.binaries, 1 + Math.floor(r() * 3)).flat(),
    ...pick(pool.python, 10 + Math.floor(r() * 51)),
  ];
  return { ...realInventory(), artifact: { name: `bench/${i}`, type: 'fs', repoTags: [], repoDigests: [] }, packages };
}

const VECTOR = 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N';
/** A record as the new DB has it: a CVSS vector on every 13th, none at all for every 97th (withdrawn). */
const updated = (r: OsvRecord, n: number): OsvRecord | undefined =>
  n % 97 === 0 ? undefined : n % 13 === 0 ? { ...r, severity: [{ type: 'CVSS_V3', score: VECTOR }] } : r;

function prepare(dir: string): void {
  const feeds = realFeeds();
  const order = [...feeds.values()]
    .flat()
    .map((r) => r.id)
    .sort();
  const rank = new Map(order.map((id, i) => [id, i]));
  const oldDb = buildDb(feeds, (r) => (rank.get(r.id)! % 40 === 0 ? undefined : r));
  buildDb(feeds, (r) => updated(r, rank.get(r.id)!), join(dir, 'new.db')).close();
  const store = new Database(join(dir, 'store.db'));
  store.exec('CREATE TABLE images (digest TEXT PRIMARY KEY, inventory TEXT NOT NULL, findings TEXT NOT NULL)');
  const put = store.prepare('INSERT INTO images VALUES (?, ?, ?)');
  const pool = pools(realInventory());
  const r = rng(seed);
  const source = cachedSource(oldDb);
  let packages = 0;
  store.transaction(() => {
    for (let i = 0; i < images; i++) {
      const inv = sampleImage(i, pool, r);
      packages += inv.packages.length;
      const findings = matchInventory(inv, source).findings.map(storedFinding);
      put.run(`sha256:${i.toString(16).padStart(64, '0')}`, JSON.stringify(inv), JSON.stringify(findings));
    }
  })();
  console.log(`prepared ${images} images, ${packages} packages (${Math.round(packages / images)} per image)`);
  store.close();
  oldDb.close();
}

async function measure(dir: string): Promise<void> {
  const store = new Database(join(dir, 'store.db'), { readonly: true });
  const db = VulnStore.open(join(dir, 'new.db'), { readonly: true });
  const findingsOf = store.prepare<[string], { findings: string }>('SELECT findings FROM images WHERE digest = ?');
  function* stored(): Generator<StoredImage> {
    for (const row of store
      .prepare<[], { digest: string; inventory: string }>('SELECT digest, inventory FROM images')
      .iterate())
      yield { digest: row.digest, inventory: JSON.parse(row.inventory) as Inventory };
  }
  const previous = (d: string): Promise<StoredFinding[]> =>
    Promise.resolve(JSON.parse(findingsOf.get(d)!.findings) as StoredFinding[]);
  const t = performance.now();
  const n = { images: 0, changedImages: 0, added: 0, removed: 0, changed: 0, findings: 0 };
  for await (const r of rematchAll(stored(), db, previous)) {
    n.images++;
    n.findings += r.findings.length;
    n.added += r.added.length;
    n.removed += r.removed.length;
    n.changed += r.changed.length;
    if (r.added.length + r.removed.length + r.changed.length > 0) n.changedImages++;
  }
  const s = (performance.now() - t) / 1000;
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(
    `| images | findings | images with a diff | added | removed | changed | re-match + diff (s) | peak RSS (MiB) |`,
  );
  console.log(`| --- | --- | --- | --- | --- | --- | --- | --- |`);
  console.log(
    `| ${n.images} | ${n.findings} | ${n.changedImages} | ${n.added} | ${n.removed} | ${n.changed} | ${s.toFixed(1)} | ${rss.toFixed(0)} |`,
  );
  db.close();
  store.close();
}

if (mode === 'measure') await measure(dirArg);
else {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-rematch-'));
  try {
    const t = performance.now();
    prepare(dir);
    console.log(`prepare: ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, 'measure', dir], {
      stdio: 'inherit',
    });
    if (r.status !== 0) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
