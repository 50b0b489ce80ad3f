// Findings -> CycloneDX 1.6 `vulnerabilities` (a VDR, with VEX-style analysis for suppressed findings).
import { Enums, Models } from '@cyclonedx/cyclonedx-library';
import type { Cvss, Finding, Package, Severity } from '../core/types.js';
import { safeUrl, sourceOf } from '../core/links.js';
import type { UniqueIds } from './common.js';

const SEVERITY: Record<Severity, Enums.Vulnerability.Severity> = {
  CRITICAL: Enums.Vulnerability.Severity.Critical,
  HIGH: Enums.Vulnerability.Severity.High,
  MEDIUM: Enums.Vulnerability.Severity.Medium,
  LOW: Enums.Vulnerability.Severity.Low,
  UNKNOWN: Enums.Vulnerability.Severity.Unknown,
};

const METHOD: Record<Cvss['version'], Enums.Vulnerability.RatingMethod> = {
  '2.0': Enums.Vulnerability.RatingMethod.CVSSv2,
  '3.0': Enums.Vulnerability.RatingMethod.CVSSv3,
  '3.1': Enums.Vulnerability.RatingMethod.CVSSv31,
  '4.0': Enums.Vulnerability.RatingMethod.CVSSv4,
};

// VEX justifications as OpenVEX and CycloneDX name them -> CycloneDX's (the CISA "minimum requirements" mapping).
const { AnalysisJustification: J } = Enums.Vulnerability;
// a Map, not an object: reasons are user text, and "__proto__" must not find Object.prototype
const JUSTIFICATION = new Map<string, Enums.Vulnerability.AnalysisJustification>(
  Object.entries({
    component_not_present: J.CodeNotPresent,
    vulnerable_code_not_present: J.CodeNotPresent,
    vulnerable_code_not_in_execute_path: J.CodeNotReachable,
    vulnerable_code_cannot_be_controlled_by_adversary: J.RequiresEnvironment,
    inline_mitigations_already_exist: J.ProtectedByMitigatingControl,
    ...Object.fromEntries(Object.values(J).map((j) => [j, j])),
  }),
);

const source = (id: string): Models.Vulnerability.Source => new Models.Vulnerability.Source(sourceOf(id));

function rating(f: Finding): Models.Vulnerability.Rating {
  if (f.cvss)
    return new Models.Vulnerability.Rating({
      score: f.cvss.score,
      severity: SEVERITY[f.severity],
      method: METHOD[f.cvss.version],
      vector: f.cvss.vector,
    });
  return new Models.Vulnerability.Rating({
    severity: SEVERITY[f.severity],
    ...(f.severity === 'UNKNOWN'
      ? {}
      : { method: Enums.Vulnerability.RatingMethod.Other, justification: f.severitySource }),
  });
}

function analysis(f: Finding): Models.Vulnerability.Analysis | undefined {
  const detail = f.statusReason || undefined;
  if (f.status === 'not_affected') {
    const justification = JUSTIFICATION.get((f.statusReason ?? '').split(':')[0]!.trim());
    return new Models.Vulnerability.Analysis({
      state: Enums.Vulnerability.AnalysisState.NotAffected,
      ...(justification ? { justification } : {}),
      detail,
    });
  }
  if (f.status === 'ignored') {
    // An accepted risk: the package is affected and the team decided not to fix it (for now).
    const response = new Enums.Vulnerability.AnalysisResponseRepository([
      Enums.Vulnerability.AnalysisResponse.WillNotFix,
    ]);
    return new Models.Vulnerability.Analysis({
      state: Enums.Vulnerability.AnalysisState.Exploitable,
      response,
      detail,
    });
  }
  return undefined;
}

const pkgKey = (p: Pick<Package, 'ecosystem' | 'name' | 'version' | 'path'>): string =>
  [p.ecosystem, p.name, p.version, p.path].join('\0');

/**
 * One vulnerability per id and analysis (findings of one id that share a status reason are one
 * entry affecting several components). Each affect points at the package component the finding is
 * about; a finding whose package is not in the inventory points at the image itself.
 */
export function cdxVulnerabilities(
  findings: readonly Finding[],
  components: readonly { pkg: Package; component: Models.Component }[],
  image: Models.Component,
  refs: UniqueIds,
): Models.Vulnerability.Vulnerability[] {
  const byKey = new Map<string, Models.Component>();
  const byPurl = new Map<string, Models.Component>();
  for (const { pkg, component } of components) {
    if (!byKey.has(pkgKey(pkg))) byKey.set(pkgKey(pkg), component);
    if (pkg.purl && !byPurl.has(pkg.purl)) byPurl.set(pkg.purl, component);
  }
  const componentOf = (f: Finding): Models.Component =>
    byKey.get(pkgKey(f.package)) ?? (f.package.purl ? byPurl.get(f.package.purl) : undefined) ?? image;

  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const k = [
      f.id,
      f.status === 'ignored' || f.status === 'not_affected' ? `${f.status}\0${f.statusReason ?? ''}` : 'open',
    ].join('\0');
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }

  const out: Models.Vulnerability.Vulnerability[] = [];
  for (const fs of groups.values()) {
    const first = fs[0]!;
    const v = new Models.Vulnerability.Vulnerability({
      bomRef: refs.take(first.id || 'vulnerability'),
      id: first.id,
      source: source(first.id),
      description: fs.map((f) => f.title).find(Boolean),
      analysis: analysis(first),
    });
    // the lowest fix above each installed version
    const upgrades = [
      ...new Set(fs.filter((f) => f.fixedVersions.length).map((f) => `${f.package.name} to ${f.fixedVersions[0]}`)),
    ];
    if (upgrades.length) v.recommendation = `Upgrade ${upgrades.join(', ')}`;
    for (const alias of new Set(fs.flatMap((f) => f.aliases)))
      v.references.add(new Models.Vulnerability.Reference(alias, source(alias)));

    const ratings = new Map<string, Models.Vulnerability.Rating>();
    for (const f of fs) {
      const r = rating(f);
      ratings.set([r.method, r.vector, r.score, r.severity].join('\0'), r);
    }
    for (const r of ratings.values()) v.ratings.add(r);

    for (const url of new Set(fs.flatMap((f) => f.references))) {
      const u = safeUrl(url);
      if (u) v.advisories.add(new Models.Vulnerability.Advisory(u));
    }
    const status =
      first.status === 'not_affected'
        ? Enums.Vulnerability.AffectStatus.Unaffected
        : Enums.Vulnerability.AffectStatus.Affected;
    // one affects entry per component (the schema wants them unique), listing its versions once each
    const versions = new Map<Models.Component, Set<string>>();
    for (const f of fs) {
      const c = componentOf(f);
      const set = versions.get(c) ?? new Set<string>();
      if (f.package.version) set.add(f.package.version);
      versions.set(c, set);
    }
    for (const [c, vs] of versions) {
      const affect = new Models.Vulnerability.Affect(c.bomRef);
      for (const version of vs)
        affect.versions.add(new Models.Vulnerability.AffectedSingleVersion(version, { status }));
      v.affects.add(affect);
    }
    for (const r of new Set(fs.flatMap((f) => f.related)))
      v.properties.add(new Models.Property('bulwark:vulnerability:related', r));
    out.push(v);
  }
  return out;
}
