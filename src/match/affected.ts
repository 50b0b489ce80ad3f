import type { VersionScheme } from '../versions/scheme.js';

// Whether a version falls in an OSV `affected` entry, per the OSV schema's evaluation
// rules: explicit `versions`, then ECOSYSTEM / SEMVER ranges walked in version order.

interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

interface OsvRange {
  type: string;
  events: OsvEvent[];
}

export interface AffectedEntry {
  ranges?: OsvRange[];
  versions?: string[];
}

export interface Verdict {
  affected: boolean;
  /** Fixed versions of the ranges that contain the version. */
  fixed: string[];
}

function eventVersion(e: OsvEvent): string {
  return e.introduced ?? e.fixed ?? e.last_affected ?? e.limit ?? '';
}

function cmp(scheme: VersionScheme, a: string, b: string): number {
  if (a === b) return 0;
  if (a === '0') return -1; // "0" is OSV's "since the beginning", below every real version
  if (b === '0') return 1;
  return scheme.compare(a, b);
}

function inRange(version: string, range: OsvRange, scheme: VersionScheme): { hit: boolean; fixed?: string } {
  const events = [...range.events].sort((x, y) => cmp(scheme, eventVersion(x), eventVersion(y)));
  const limits = events.filter((e) => e.limit !== undefined && e.limit !== '*');
  if (limits.length > 0 && limits.every((e) => cmp(scheme, version, e.limit!) >= 0)) return { hit: false };
  let hit = false;
  for (const e of events) {
    if (e.introduced !== undefined && cmp(scheme, version, e.introduced) >= 0) hit = true;
    else if (e.fixed !== undefined && cmp(scheme, version, e.fixed) >= 0) hit = false;
    else if (e.last_affected !== undefined && cmp(scheme, version, e.last_affected) > 0) hit = false;
  }
  if (!hit) return { hit };
  const fix = events.find((e) => e.fixed !== undefined && cmp(scheme, e.fixed, version) > 0);
  return fix?.fixed !== undefined ? { hit, fixed: fix.fixed } : { hit };
}

/**
 * ECOSYSTEM ranges use the ecosystem's scheme, SEMVER ranges SemVer 2.0; GIT ranges
 * name commits, which an installed package does not have, and are passed over.
 */
export function evaluate(version: string, entry: AffectedEntry, scheme: VersionScheme, semver: VersionScheme): Verdict {
  const fixed: string[] = [];
  const versions = entry.versions ?? [];
  const ranged = (entry.ranges ?? []).some((r) => r.type === 'ECOSYSTEM' || r.type === 'SEMVER');
  // with ranges the list only enumerates them: an exact match suffices; alone, compare equal versions too
  let affected =
    versions.includes(version) || (!ranged && versions.some((v) => scheme.isValid(v) && cmp(scheme, v, version) === 0));
  for (const r of entry.ranges ?? []) {
    if (r.type !== 'ECOSYSTEM' && r.type !== 'SEMVER') continue;
    const s = r.type === 'SEMVER' ? semver : scheme;
    const v = r.type === 'SEMVER' ? version.replace(/^v/, '') : version;
    const res = inRange(v, r, s);
    if (res.hit) {
      affected = true;
      if (res.fixed) fixed.push(res.fixed);
    }
  }
  return { affected, fixed };
}
