import type { Kysely } from 'kysely';
import type { Database, Row } from './database.js';
import type { Store } from './open.js';
import { isoNow } from './time.js';

// What a scan of one digest stored: the image row, its packages, its findings (with the
// aliases they name) and the inventory document, all replaced together in one transaction.

export interface PackageRecord {
  ecosystem: string;
  name: string;
  version: string;
  purl: string;
  sourceName?: string;
}

export interface FindingRecord {
  advisoryId: string;
  aliases: string[];
  packagePurl: string;
  packageName: string;
  installed: string;
  fixed?: string;
  severity: string;
  cvssScore?: number;
}

export interface ImageScan {
  digest: string;
  repoTags: string[];
  os?: string;
  scannedAt?: string;
  packages: PackageRecord[];
  findings: FindingRecord[];
  /** The inventory document, kept so the image can be matched again without pulling it. */
  inventory?: unknown;
}

export interface ImageRecord {
  digest: string;
  repoTags: string[];
  os?: string;
  scannedAt?: string;
}

const BATCH = 500;

async function insertBatched<T extends 'packages' | 'findings' | 'advisory_aliases'>(
  db: Kysely<Database>,
  table: T,
  rows: Row<T>[],
  ignoreDuplicates = false,
): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one table of three, typed by T
    const q = db.insertInto(table).values(rows.slice(i, i + BATCH) as any);
    await (ignoreDuplicates ? q.onConflict((oc) => oc.doNothing()) : q).execute();
  }
}

/** Each id resolves to itself and to every alias, both ways (see the vulnerability query). */
function aliasRows(findings: FindingRecord[]): Row<'advisory_aliases'>[] {
  const pairs = new Map<string, Row<'advisory_aliases'>>();
  const add = (alias: string, id: string): void => void pairs.set(`${alias}\n${id}`, { alias, advisory_id: id });
  for (const f of findings) {
    add(f.advisoryId, f.advisoryId);
    for (const a of f.aliases) {
      add(a, f.advisoryId);
      add(f.advisoryId, a);
    }
  }
  return [...pairs.values()];
}

function findingRows(digest: string, findings: FindingRecord[]): Row<'findings'>[] {
  const rows = new Map<string, Row<'findings'>>();
  for (const f of findings) {
    // one row per (advisory, package): a report listing a pair twice keeps the last
    rows.set(`${f.advisoryId}\n${f.packagePurl}`, {
      image_digest: digest,
      advisory_id: f.advisoryId,
      aliases: JSON.stringify(f.aliases),
      package_purl: f.packagePurl,
      package_name: f.packageName,
      installed: f.installed,
      fixed: f.fixed ?? null,
      severity: f.severity,
      cvss_score: f.cvssScore ?? null,
    });
  }
  return [...rows.values()];
}

/** Stores a scan of a digest, replacing what an earlier scan of it stored. */
export async function putImageScan(store: Store, scan: ImageScan): Promise<void> {
  const at = scan.scannedAt ?? isoNow();
  const image = { digest: scan.digest, repo_tags: JSON.stringify(scan.repoTags), os: scan.os ?? null, scanned_at: at };
  await store.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('images')
      .values(image)
      .onConflict((oc) => oc.column('digest').doUpdateSet({ repo_tags: image.repo_tags, os: image.os, scanned_at: at }))
      .execute();
    if (scan.inventory !== undefined) {
      const body = JSON.stringify(scan.inventory);
      await trx
        .insertInto('inventories')
        .values({ digest: scan.digest, body, stored_at: at })
        .onConflict((oc) => oc.column('digest').doUpdateSet({ body, stored_at: at }))
        .execute();
    }
    await trx.deleteFrom('packages').where('image_digest', '=', scan.digest).execute();
    await insertBatched(
      trx,
      'packages',
      scan.packages.map((p) => ({
        image_digest: scan.digest,
        ecosystem: p.ecosystem,
        name: p.name,
        version: p.version,
        purl: p.purl,
        source_name: p.sourceName ?? null,
      })),
    );
    await replaceFindingsIn(trx, scan.digest, scan.findings);
  });
}

async function replaceFindingsIn(db: Kysely<Database>, digest: string, findings: FindingRecord[]): Promise<void> {
  await db.deleteFrom('findings').where('image_digest', '=', digest).execute();
  await insertBatched(db, 'findings', findingRows(digest, findings));
  await insertBatched(db, 'advisory_aliases', aliasRows(findings), true);
}

/** New findings for a stored digest (a re-match after a DB update), replacing the old ones. */
export async function replaceFindings(store: Store, digest: string, findings: FindingRecord[]): Promise<void> {
  await store.db.transaction().execute((trx) => replaceFindingsIn(trx, digest, findings));
}

export async function getImage(store: Store, digest: string): Promise<ImageRecord | undefined> {
  const r = await store.db.selectFrom('images').selectAll().where('digest', '=', digest).executeTakeFirst();
  if (!r) return undefined;
  return {
    digest: r.digest,
    repoTags: JSON.parse(r.repo_tags) as string[],
    ...(r.os !== null ? { os: r.os } : {}),
    ...(r.scanned_at !== null ? { scannedAt: r.scanned_at } : {}),
  };
}

/** The stored inventory document of a digest, as it was given. */
export async function getInventory(store: Store, digest: string): Promise<unknown> {
  const r = await store.db.selectFrom('inventories').select('body').where('digest', '=', digest).executeTakeFirst();
  return r ? (JSON.parse(r.body) as unknown) : undefined;
}

/** Every digest with a stored inventory (what a re-match walks). */
export async function inventoryDigests(store: Store): Promise<string[]> {
  const rows = await store.db.selectFrom('inventories').select('digest').orderBy('digest').execute();
  return rows.map((r) => r.digest);
}

export async function packagesOf(store: Store, digest: string): Promise<PackageRecord[]> {
  const rows = await store.db.selectFrom('packages').selectAll().where('image_digest', '=', digest).execute();
  return rows.map((r) => ({
    ecosystem: r.ecosystem,
    name: r.name,
    version: r.version,
    purl: r.purl,
    ...(r.source_name !== null ? { sourceName: r.source_name } : {}),
  }));
}

/** Digests of the images that carry a package (at a version, when given). */
export async function imagesWithPackage(
  store: Store,
  pkg: { ecosystem: string; name: string; version?: string },
): Promise<string[]> {
  let q = store.db
    .selectFrom('packages')
    .select('image_digest')
    .distinct()
    .where('ecosystem', '=', pkg.ecosystem)
    .where('name', '=', pkg.name);
  if (pkg.version !== undefined) q = q.where('version', '=', pkg.version);
  const rows = await q.orderBy('image_digest').execute();
  return rows.map((r) => r.image_digest);
}

export async function findingsOf(store: Store, digest: string): Promise<FindingRecord[]> {
  const rows = await store.db
    .selectFrom('findings')
    .selectAll()
    .where('image_digest', '=', digest)
    .orderBy('advisory_id')
    .orderBy('package_purl')
    .execute();
  return rows.map((r) => ({
    advisoryId: r.advisory_id,
    aliases: JSON.parse(r.aliases) as string[],
    packagePurl: r.package_purl,
    packageName: r.package_name,
    installed: r.installed,
    severity: r.severity,
    ...(r.fixed !== null ? { fixed: r.fixed } : {}),
    ...(r.cvss_score !== null ? { cvssScore: r.cvss_score } : {}),
  }));
}
