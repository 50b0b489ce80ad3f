import {
  OS_ECOSYSTEMS,
  SEVERITIES,
  type Finding,
  type Inventory,
  type Package,
  type ScanIssue,
} from '../core/types.js';
import { distroEcosystems, lookupFor, sameName, schemeFor } from '../ecosystems/index.js';
import type { VersionScheme } from '../versions/scheme.js';
import type { OsvRecord } from '../vulndb/osv.js';
import { evaluate } from './affected.js';
import { judgeRecords, type Judged } from './severity.js';
import { osvPage, safeUrl } from '../core/links.js';

// Inventory × advisories → findings. One vulnerability in one installed package is one
// finding however many feeds describe it: records are grouped through their ids and aliases.

export interface AdvisorySource {
  /** Records with an affected entry for this OSV ecosystem and package name. */
  advisoriesFor(ecosystem: string, name: string): OsvRecord[];
  /** Whether the source has any advisory for the ecosystem (to warn about unchecked packages). */
  hasEcosystem?(ecosystem: string): boolean;
  /** Records, from any feed, that are `id` or name it among their aliases (to borrow a severity). */
  recordsNaming?(id: string): OsvRecord[];
}

export interface MatchResult {
  findings: Finding[];
  issues: ScanIssue[];
}

interface Hit {
  record: OsvRecord;
  ecosystem: string;
  fixed: string[];
}

function hitsFor(
  p: Package,
  inv: Inventory,
  source: AdvisorySource,
  semver: VersionScheme,
  issues: ScanIssue[],
): Hit[] {
  const lookup = lookupFor(p, inv.os);
  if (!lookup) return [];
  const hits: Hit[] = [];
  for (const eco of lookup.ecosystems) {
    const scheme = schemeFor(eco);
    if (!scheme) {
      issues.push({ analyzer: 'match', path: p.path, message: `no version scheme for ${eco}: ${p.name} not checked` });
      return [];
    }
    for (const record of source.advisoriesFor(eco, lookup.name)) {
      if (record.withdrawn) continue;
      const fixed: string[] = [];
      let affected = false;
      try {
        for (const a of record.affected ?? []) {
          if (a.package?.ecosystem !== eco || !sameName(eco, a.package.name, lookup.name)) continue;
          const v = evaluate(lookup.version, a, scheme, semver);
          affected ||= v.affected;
          fixed.push(...v.fixed);
        }
      } catch (e) {
        issues.push({
          analyzer: 'match',
          path: p.path,
          message: `${record.id} for ${p.name} ${lookup.version}: ${e instanceof Error ? e.message : String(e)}`,
        });
        continue;
      }
      if (affected) hits.push({ record, ecosystem: eco, fixed });
    }
  }
  return hits;
}

/** A record's own id and the ids it is known by elsewhere (distro records name the CVE as "upstream"). */
function idsOf(r: OsvRecord): string[] {
  return [r.id, ...(r.aliases ?? []), ...(r.upstream ?? [])];
}

/** Union of records that share any id or alias. */
function group(hits: Hit[]): Hit[][] {
  const groups: { ids: Set<string>; hits: Hit[] }[] = [];
  for (const h of hits) {
    const ids = idsOf(h.record);
    const joined = groups.filter((g) => ids.some((i) => g.ids.has(i)));
    const merged = { ids: new Set(ids), hits: [h] };
    for (const g of joined) {
      g.ids.forEach((i) => merged.ids.add(i));
      merged.hits.push(...g.hits);
      groups.splice(groups.indexOf(g), 1);
    }
    groups.push(merged);
  }
  return groups.map((g) => g.hits);
}

function primaryId(ids: string[]): string {
  const cves = ids.filter((i) => i.startsWith('CVE-')).sort();
  return cves[0] ?? [...ids].sort()[0]!;
}

/**
 * Where a finding is reported, as Trivy's targets: the OS; npm and Python packages installed one
 * directory each under the node_modules or site-packages that holds them (an npm application under
 * the directory of its package.json, beside its node_modules); everything else under
 * the file it was read from (each Go or Rust binary, lockfile, jar its own target), so the same
 * module in two binaries under one node_modules is two targets, never a repeated row.
 */
export function targetOf(p: Package): string {
  if (OS_ECOSYSTEMS.includes(p.ecosystem)) return 'os';
  if (p.ecosystem === 'npm') {
    const nm = p.path.indexOf('/node_modules/');
    if (nm >= 0) return p.path.slice(0, nm) || '/';
    // the project's own package.json: its directory, where the packages it installed are reported
    if (p.role === 'application') return p.path.slice(0, p.path.lastIndexOf('/')) || '/';
  }
  if (p.ecosystem === 'pypi') {
    const sp = /^(.*\/(?:site|dist)-packages)\//.exec(p.path);
    if (sp) return sp[1]!;
  }
  return p.path;
}

/** The first ADVISORY reference that is a usable URL, else the OSV page of the first record. */
function advisoryOf(records: OsvRecord[]): string {
  for (const r of records) {
    for (const x of r.references ?? []) {
      const u = x.type === 'ADVISORY' ? safeUrl(x.url) : undefined;
      if (u) return u;
    }
  }
  return osvPage(records[0]!.id);
}

/**
 * The findings' own records' severity; when they rate nothing (Go's feed never does), the
 * severity of another record of the same vulnerability in the DB (a GHSA record, OSV's
 * NVD-converted CVE record, a distribution's rating), naming that record.
 */
function severityFor(records: OsvRecord[], ids: string[], source: AdvisorySource): Judged {
  const own = judgeRecords(records);
  if (own.severity !== 'UNKNOWN' || !source.recordsNaming) return own;
  const mine = new Set(records.map((r) => r.id));
  const others = new Map<string, OsvRecord>();
  for (const id of ids)
    for (const r of source.recordsNaming(id)) if (!mine.has(r.id) && !r.withdrawn) others.set(r.id, r);
  const borrowed = judgeRecords([...others.values()].sort((a, b) => a.id.localeCompare(b.id)));
  return borrowed.severity === 'UNKNOWN' ? own : { ...borrowed, source: `${borrowed.source} (${borrowed.recordId!})` };
}

function findingFrom(p: Package, hits: Hit[], scheme: VersionScheme | undefined, source: AdvisorySource): Finding {
  const ids = [...new Set(hits.flatMap((h) => idsOf(h.record)))];
  const id = primaryId(ids);
  const records = hits.map((h) => h.record);
  const sev = severityFor(records, ids, source);
  const fixed = [...new Set(hits.flatMap((h) => h.fixed))];
  if (scheme)
    fixed.sort((a, b) => {
      try {
        return scheme.compare(a, b);
      } catch {
        return a.localeCompare(b);
      }
    });
  const related = [...new Set(records.flatMap((r) => r.related ?? []))].filter((r) => !ids.includes(r)).sort();
  return {
    id,
    aliases: ids.filter((i) => i !== id).sort(),
    related,
    osvEcosystem: hits[0]!.ecosystem,
    package: {
      ecosystem: p.ecosystem,
      name: p.name,
      version: p.version,
      purl: p.purl,
      path: p.path,
      layer: p.layer,
      ...(p.source ? { source: p.source } : {}),
    },
    fixedVersions: fixed,
    status: fixed.length > 0 ? 'fixed' : 'unfixed',
    severity: sev.severity,
    severitySource: sev.source,
    ...(sev.cvss ? { cvss: sev.cvss } : {}),
    ...titleOf(records),
    advisory: advisoryOf(records),
    references: [...new Set(records.flatMap((r) => (r.references ?? []).map((x) => x.url)))].slice(0, 10),
    target: targetOf(p),
  };
}

/** The summary, else the first sentence of the details (PYSEC records have no summary). */
function titleOf(records: OsvRecord[]): { title?: string } {
  const summary = records.find((r) => r.summary)?.summary;
  if (summary) return { title: summary };
  const details = records.find((r) => r.details)?.details?.trim();
  if (!details) return {};
  const first = details.split(/(?<=\.)\s|\n/)[0]!;
  return { title: first.length > 160 ? `${first.slice(0, 157)}...` : first };
}

export function matchInventory(inv: Inventory, source: AdvisorySource): MatchResult {
  const issues: ScanIssue[] = [];
  const semver = schemeFor('npm')!;
  if (
    inv.os &&
    inv.packages.some((p) => OS_ECOSYSTEMS.includes(p.ecosystem)) &&
    distroEcosystems(inv.os).length === 0
  ) {
    issues.push({
      analyzer: 'match',
      path: '/',
      message: `no vulnerability feed for ${inv.os.family} ${inv.os.version}: its OS packages were not checked`,
    });
  }
  const unchecked = new Map<string, number>();
  for (const p of inv.packages) {
    const eco = lookupFor(p, inv.os)?.ecosystems;
    if (eco && source.hasEcosystem && !eco.some((e) => source.hasEcosystem!(e)))
      unchecked.set(eco[0]!, (unchecked.get(eco[0]!) ?? 0) + 1);
  }
  for (const [eco, n] of unchecked)
    issues.push({
      analyzer: 'match',
      path: '/',
      message: `no ${eco} advisories in the vulnerability database: ${n} package(s) not checked (bulwark db update --ecosystems ${eco.split(':')[0]})`,
    });
  const findings: Finding[] = [];
  for (const p of inv.packages) {
    const hits = hitsFor(p, inv, source, semver, issues);
    if (hits.length === 0) continue;
    const scheme = schemeFor(hits[0]!.ecosystem);
    for (const g of group(hits)) findings.push(findingFrom(p, g, scheme, source));
  }
  const rank = (f: Finding): number => SEVERITIES.indexOf(f.severity);
  findings.sort(
    (a, b) =>
      a.target.localeCompare(b.target) ||
      a.package.name.localeCompare(b.package.name) ||
      rank(b) - rank(a) ||
      a.id.localeCompare(b.id),
  );
  return { findings, issues };
}
