import type { Finding, Severity } from '../../core/types.js';

// One image's findings before and after a vulnerability DB update, compared. A finding is
// one vulnerability in one installed package: the package is its ecosystem, name, installed
// version and the file it was read from (the same module in two binaries is two findings);
// the vulnerability is ANY of its ids — the matcher names a finding by its CVE when one is
// known, so a GHSA re-published with a CVE alias changes the finding's name, not what it is.

/** What the store keeps of a finding: enough to recognise it and to tell what changed. */
export interface StoredFinding {
  id: string;
  aliases: readonly string[];
  package: Pick<Finding['package'], 'ecosystem' | 'name' | 'version' | 'path' | 'purl'>;
  severity: Severity;
  cvss?: { score: number };
  fixedVersions: readonly string[];
}

type ChangedField = 'severity' | 'cvss' | 'fixedVersions';

interface ChangedFinding {
  before: StoredFinding;
  after: Finding;
  fields: ChangedField[];
}

export interface FindingsDiff {
  /** Newly affecting: no finding before shared an id with it in that package. */
  added: Finding[];
  /** No longer affecting (fixed in the DB's ranges, withdrawn, or deleted). */
  removed: StoredFinding[];
  /** Still affecting, with another severity, CVSS score or fixed version. */
  changed: ChangedFinding[];
}

/** The installed package a finding is about. */
export function packageKey(f: Pick<StoredFinding, 'package'>): string {
  const p = f.package;
  return `${p.ecosystem}\u0000${p.name}\u0000${p.version}\u0000${p.path}`;
}

function idsOf(f: Pick<StoredFinding, 'id' | 'aliases'>): string[] {
  return [f.id, ...f.aliases];
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

function changedFields(before: StoredFinding, after: Finding): ChangedField[] {
  const out: ChangedField[] = [];
  if (before.severity !== after.severity) out.push('severity');
  if (before.cvss?.score !== after.cvss?.score) out.push('cvss');
  if (!sameList(before.fixedVersions, after.fixedVersions)) out.push('fixedVersions');
  return out;
}

function byPackage<T extends Pick<StoredFinding, 'package'>>(list: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const f of list) {
    const k = packageKey(f);
    const l = m.get(k);
    if (l) l.push(f);
    else m.set(k, [f]);
  }
  return m;
}

/** Pairs findings of one package that share an id; the first pairing wins (one to one). */
function pairUp(before: StoredFinding[], after: Finding[], out: FindingsDiff): void {
  const open = new Set(before);
  const owner = new Map<string, StoredFinding>();
  for (const b of before) for (const id of idsOf(b)) if (!owner.has(id)) owner.set(id, b);
  for (const a of after) {
    const b = idsOf(a)
      .map((id) => owner.get(id))
      .find((x) => x !== undefined && open.has(x));
    if (!b) {
      out.added.push(a);
      continue;
    }
    open.delete(b);
    const fields = changedFields(b, a);
    if (fields.length > 0) out.changed.push({ before: b, after: a, fields });
  }
  out.removed.push(...open);
}

/** The difference between an image's stored findings and a fresh match of its inventory. */
export function diffFindings(before: readonly StoredFinding[], after: readonly Finding[]): FindingsDiff {
  const out: FindingsDiff = { added: [], removed: [], changed: [] };
  const old = byPackage(before);
  for (const [k, fresh] of byPackage(after)) {
    pairUp(old.get(k) ?? [], fresh, out);
    old.delete(k);
  }
  for (const rest of old.values()) out.removed.push(...rest);
  return out;
}

/** Whether the diff has anything in it. */
export function isEmptyDiff(d: FindingsDiff): boolean {
  return d.added.length === 0 && d.removed.length === 0 && d.changed.length === 0;
}

/** What to store of a finding (the `previous` of the next re-match). */
export function storedFinding(f: Finding): StoredFinding {
  const { ecosystem, name, version, path, purl } = f.package;
  return {
    id: f.id,
    aliases: f.aliases,
    package: { ecosystem, name, version, path, purl },
    severity: f.severity,
    ...(f.cvss ? { cvss: { score: f.cvss.score } } : {}),
    fixedVersions: f.fixedVersions,
  };
}
