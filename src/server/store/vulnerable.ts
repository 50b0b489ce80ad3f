import { sql } from 'kysely';
import type { Store } from './open.js';

/** One running container carrying an advisory, through one finding of its image. */
export interface VulnerableContainer {
  hostId: string;
  hostName: string;
  containerId: string;
  containerName: string;
  imageDigest: string;
  repoTags: string[];
  advisoryId: string;
  packageName: string;
  packagePurl: string;
  installed: string;
  fixed?: string;
  severity: string;
  cvssScore?: number;
}

/**
 * Every running container whose image has a finding for `id` or an advisory it aliases (a CVE
 * finds the GHSA findings that name it, and the reverse): alias index → findings by advisory
 * → running containers by image digest.
 */
export async function runningContainersWithAdvisory(store: Store, id: string): Promise<VulnerableContainer[]> {
  return toVulnerables(await selectCarriers(store, id).execute()).sort(byKey);
}

/** The sort key of a row: a page starts after the last row of the previous one. */
export type CarrierKey = readonly [hostId: string, containerId: string, advisoryId: string, packagePurl: string];

/**
 * One page of the same rows in the same order, limited in the database: the widespread case
 * (thousands of rows) costs its transfer and mapping, so a page fetches only `limit`.
 * PostgreSQL sorts with COLLATE "C" (code points, as SQLite's BINARY does on UTF-8).
 */
export async function runningContainersWithAdvisoryPage(
  store: Store,
  id: string,
  page: { after?: CarrierKey; limit: number },
): Promise<VulnerableContainer[]> {
  const c = sql.raw(store.dialect === 'postgres' ? ' COLLATE "C"' : '');
  const cols = [sql`c.host_id${c}`, sql`c.id${c}`, sql`f.advisory_id${c}`, sql`f.package_purl${c}`];
  let q = selectCarriers(store, id);
  if (page.after) {
    const [h, i, a, p] = page.after;
    q = q.where(sql<boolean>`(${sql.join(cols)}) > (${h}, ${i}, ${a}, ${p})`);
  }
  for (const col of cols) q = q.orderBy(col);
  return toVulnerables(await q.limit(page.limit).execute());
}

function toVulnerables(rows: Row[]): VulnerableContainer[] {
  // one image's tags repeat on each of its containers: parsed once
  const tags = new Map<string, string[]>();
  const tagsOf = (r: Row): string[] => {
    let t = tags.get(r.image_digest);
    if (!t) tags.set(r.image_digest, (t = r.repo_tags !== null ? (JSON.parse(r.repo_tags) as string[]) : []));
    return t;
  };
  return rows.map((r) => toVulnerable(r, tagsOf(r)));
}

function selectCarriers(store: Store, id: string) {
  return store.db
    .selectFrom('findings as f')
    .innerJoin('containers as c', (j) => j.onRef('c.image_digest', '=', 'f.image_digest').on('c.state', '=', 'running'))
    .innerJoin('hosts as h', 'h.id', 'c.host_id')
    .leftJoin('images as i', 'i.digest', 'f.image_digest')
    .select([
      'c.host_id',
      'h.name as host_name',
      'c.id as container_id',
      'c.name as container_name',
      'f.image_digest',
      'i.repo_tags',
      'f.advisory_id',
      'f.package_name',
      'f.package_purl',
      'f.installed',
      'f.fixed',
      'f.severity',
      'f.cvss_score',
    ])
    .where('f.advisory_id', 'in', (eb) =>
      eb.selectFrom('advisory_aliases').select('advisory_id').where('alias', '=', id),
    );
}

type Row = Awaited<ReturnType<ReturnType<typeof selectCarriers>['execute']>>[number];

/** Code-unit order, the same on both dialects (PostgreSQL's ORDER BY follows the collation). */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byKey(a: VulnerableContainer, b: VulnerableContainer): number {
  return (
    cmp(a.hostId, b.hostId) ||
    cmp(a.containerId, b.containerId) ||
    cmp(a.advisoryId, b.advisoryId) ||
    cmp(a.packagePurl, b.packagePurl)
  );
}

function toVulnerable(r: Row, repoTags: string[]): VulnerableContainer {
  return {
    hostId: r.host_id,
    hostName: r.host_name,
    containerId: r.container_id,
    containerName: r.container_name,
    imageDigest: r.image_digest,
    repoTags,
    advisoryId: r.advisory_id,
    packageName: r.package_name,
    packagePurl: r.package_purl,
    installed: r.installed,
    severity: r.severity,
    ...(r.fixed !== null ? { fixed: r.fixed } : {}),
    ...(r.cvss_score !== null ? { cvssScore: r.cvss_score } : {}),
  };
}
