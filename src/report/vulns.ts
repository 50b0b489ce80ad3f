// Shared by the vulnerability renderers: ordering, grouping by target, counts, links.
import { SEVERITIES, type Finding, type Inventory, type Severity } from '../core/types.js';
import { osvPage, safeUrl } from '../core/links.js';

export { safeUrl, wellFormed } from '../core/links.js';

/** Most severe first. */
export const SEVERITIES_DESC: readonly Severity[] = [...SEVERITIES].reverse();

const rank = (s: Severity): number => SEVERITIES.indexOf(s);

/** Severity (CRITICAL first), then package name, version and id. */
function bySeverity(a: Finding, b: Finding): number {
  return (
    rank(b.severity) - rank(a.severity) ||
    cmp(a.package.name, b.package.name) ||
    cmp(a.package.version, b.package.version) ||
    cmp(a.id, b.id)
  );
}

/** Plain code-unit order: the same on every machine, whatever the locale. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isSuppressed(f: Finding): boolean {
  return f.status === 'ignored' || f.status === 'not_affected';
}

export interface TargetGroup {
  target: string;
  label: string;
  findings: Finding[];
}

/** What a report calls a target: "os" is the image's OS packages, anything else an application path. */
function targetLabel(target: string, inv: Inventory): string {
  if (target !== 'os') return target;
  return inv.os ? `OS packages (${inv.os.family} ${inv.os.version})`.replace(/ \)$/, ')') : 'OS packages';
}

/** Findings per target, OS first then paths in order; each group sorted by severity. */
export function groupByTarget(findings: readonly Finding[], inv: Inventory): TargetGroup[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const g = groups.get(f.target);
    if (g) g.push(f);
    else groups.set(f.target, [f]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === 'os' ? -1 : b === 'os' ? 1 : cmp(a, b)))
    .map(([target, fs]) => ({ target, label: targetLabel(target, inv), findings: [...fs].sort(bySeverity) }));
}

export type SeverityCounts = Record<Severity, number>;

export function countBySeverity(findings: readonly { severity: Severity }[]): SeverityCounts {
  const c = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as SeverityCounts;
  for (const f of findings) c[f.severity]++;
  return c;
}

/** "CRITICAL: 1, HIGH: 0, MEDIUM: 2, LOW: 0, UNKNOWN: 0" */
export function countsText(c: SeverityCounts, sep = ', '): string {
  return SEVERITIES_DESC.map((s) => `${s}: ${c[s]}`).join(sep);
}

export function fixedIn(f: Finding): string {
  return f.fixedVersions.join(', ');
}

/** Text as one line: control characters and runs of white space become one space. */
export function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

/** At most max characters, cut at a word boundary when one is near, with an ellipsis. */
export function truncate(s: string, max: number): string {
  const t = oneLine(s);
  if ([...t].length <= max) return t;
  const cut = [...t].slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space >= max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * The advisory itself: the record's ADVISORY reference or its OSV page, as the matcher chose it;
 * a finding from elsewhere (an older report) links to the OSV page of its id. Never merely the
 * first reference, which is often a commit or a code review.
 */
export function linkOf(f: Finding): string {
  return (f.advisory ? safeUrl(f.advisory) : undefined) ?? osvPage(f.id);
}
