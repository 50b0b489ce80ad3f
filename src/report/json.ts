import type { ScanReport } from './report.js';

// The inventory as scanned, plus the vulnerability results when there are any. Keys come in one
// fixed order (the well-known ones first, the rest alphabetically) so that two scans of the same
// image give byte-identical documents that diff cleanly.

const FIRST = [
  'schemaVersion',
  'artifact',
  'os',
  'layers',
  'packages',
  'issues',
  'vulnerabilities',
  'checks',
  'findings',
  'expiredIgnores',
  'db',
  'feeds',
  'id',
  'name',
  'type',
  'ecosystem',
  'version',
  'status',
  'statusReason',
  'severity',
];
const firstIndex = new Map(FIRST.map((k, i) => [k, i]));

function keyOrder(a: string, b: string): number {
  const ia = firstIndex.get(a) ?? FIRST.length;
  const ib = firstIndex.get(b) ?? FIRST.length;
  return ia - ib || (a < b ? -1 : a > b ? 1 : 0);
}

/** A copy with every object's keys in a fixed order; undefined members dropped, as JSON drops them. */
function ordered(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(ordered);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort(keyOrder)) {
    const x = (v as Record<string, unknown>)[k];
    // defineProperty: a "__proto__" key from scanned data stays an ordinary member
    if (x !== undefined)
      Object.defineProperty(out, k, { value: ordered(x), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export function toJsonReport(r: ScanReport): object {
  const v = r.vulnerabilities;
  return ordered({
    ...r.inventory,
    ...(v ? { vulnerabilities: { findings: v.findings, expiredIgnores: v.expiredIgnores, db: v.db } } : {}),
    ...(r.checks ? { checks: r.checks } : {}),
  }) as object;
}

export function renderJson(r: ScanReport): string {
  return `${JSON.stringify(toJsonReport(r), null, 2)}\n`;
}
