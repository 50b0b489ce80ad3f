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
  const rows = await store.db
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
    .orderBy('c.host_id')
    .orderBy('c.id')
    .orderBy('f.advisory_id')
    .orderBy('f.package_purl')
    .execute();
  return rows.map((r) => ({
    hostId: r.host_id,
    hostName: r.host_name,
    containerId: r.container_id,
    containerName: r.container_name,
    imageDigest: r.image_digest,
    repoTags: r.repo_tags !== null ? (JSON.parse(r.repo_tags) as string[]) : [],
    advisoryId: r.advisory_id,
    packageName: r.package_name,
    packagePurl: r.package_purl,
    installed: r.installed,
    severity: r.severity,
    ...(r.fixed !== null ? { fixed: r.fixed } : {}),
    ...(r.cvss_score !== null ? { cvssScore: r.cvss_score } : {}),
  }));
}
