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
  const rows = await query(store, id);
  // one image's tags repeat on each of its containers: parsed once
  const tags = new Map<string, string[]>();
  const tagsOf = (r: Row): string[] => {
    let t = tags.get(r.image_digest);
    if (!t) tags.set(r.image_digest, (t = r.repo_tags !== null ? (JSON.parse(r.repo_tags) as string[]) : []));
    return t;
  };
  return rows.map((r) => toVulnerable(r, tagsOf(r))).sort(byKey);
}

function query(store: Store, id: string) {
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
    )
    .execute();
}

type Row = Awaited<ReturnType<typeof query>>[number];

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
