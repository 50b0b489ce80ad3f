import { randomUUID } from 'node:crypto';
import type { Finding } from '../../core/types.js';
import type { SecurityEvent } from '../../events/event.js';
import type { FindingsDiff } from './diff.js';

// "New vulnerability in running image": one event per running container of the image and per
// finding the DB update made newly affecting it. Images with no running container raise none
// (their findings are stored and queryable all the same). A vulnerability in what a container
// runs is a way in: ATT&CK T1190 (exploit public-facing application), STRIDE elevation of
// privilege, as the workload checks map an escape route.

export const NEW_VULNERABILITY_RULE = 'New vulnerability in running image';

/** A running container as the server knows it from its agents. */
export interface RunningContainer {
  host: string;
  id: string;
  name?: string;
  /** The image reference it was started from. */
  image?: string;
  imageDigest: string;
}

function fieldsOf(f: Finding): NonNullable<SecurityEvent['fields']> {
  return {
    vulnerability: f.id,
    ...(f.aliases.length > 0 ? { aliases: f.aliases.join(',') } : {}),
    package: f.package.name,
    ecosystem: f.package.ecosystem,
    installedVersion: f.package.version,
    fixedVersion: f.fixedVersions.join(','),
    path: f.package.path,
    ...(f.cvss ? { cvss: f.cvss.score, cvssVector: f.cvss.vector } : {}),
  };
}

function message(f: Finding, c: RunningContainer): string {
  const fix = f.fixedVersions.length > 0 ? `fixed in ${f.fixedVersions.join(', ')}` : 'no fix yet';
  const cvss = f.cvss ? ` CVSS ${f.cvss.score}` : '';
  return `${f.id} (${f.severity}${cvss}) in ${f.package.name} ${f.package.version} (${fix}) now affects running container ${c.name ?? c.id.slice(0, 12)} on ${c.host}`;
}

/** The events of one image's diff for the containers running it (`now` for tests). */
export function newVulnerabilityEvents(
  diff: Pick<FindingsDiff, 'added'> & { digest: string },
  running: readonly RunningContainer[],
  now: () => Date = () => new Date(),
): SecurityEvent[] {
  const out: SecurityEvent[] = [];
  for (const c of running) {
    if (c.imageDigest !== diff.digest) continue;
    for (const f of diff.added)
      out.push({
        id: randomUUID(),
        time: now().toISOString(),
        rule: NEW_VULNERABILITY_RULE,
        severity: f.severity,
        message: message(f, c),
        stride: 'ElevationOfPrivilege',
        attack: 'T1190',
        action: 'alert',
        host: c.host,
        container: {
          id: c.id,
          ...(c.name ? { name: c.name } : {}),
          ...(c.image ? { image: c.image } : {}),
          imageDigest: c.imageDigest,
        },
        fields: fieldsOf(f),
      });
  }
  return out;
}
