import cvssCalculator from 'ae-cvss-calculator';
import type { Cvss, Severity } from '../core/types.js';
import type { OsvRecord } from '../vulndb/osv.js';

// One normalised severity per finding: the highest CVSS base score among the vectors
// the advisory carries (computed with a maintained CVSS library), else the feed's own
// rating (GHSA words, Red Hat / AlmaLinux words in the summary), else UNKNOWN.

const { fromVector } = cvssCalculator;

export function cvssOf(vector: string): Cvss | undefined {
  const v = fromVector(vector.trim());
  if (!v) return undefined;
  const name = v.getVectorName();
  const version =
    name === 'CVSS:2.0'
      ? '2.0'
      : name === 'CVSS:3.0'
        ? '3.0'
        : name === 'CVSS:3.1'
          ? '3.1'
          : name === 'CVSS:4.0'
            ? '4.0'
            : undefined;
  const score = v.calculateScores().base;
  if (!version || typeof score !== 'number' || Number.isNaN(score)) return undefined;
  return { version, vector: vector.trim(), score };
}

/** CVSS v3/v4 qualitative rating scale (v2 scores are mapped the same way, as NVD does for display). */
function severityOfScore(score: number): Severity {
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  if (score > 0) return 'LOW';
  return 'UNKNOWN';
}

const WORDS: Record<string, Severity> = {
  critical: 'CRITICAL',
  important: 'HIGH',
  high: 'HIGH',
  moderate: 'MEDIUM',
  medium: 'MEDIUM',
  low: 'LOW',
  negligible: 'LOW',
  unimportant: 'LOW',
};

export function severityOfWord(word: string | undefined): Severity | undefined {
  const w = word?.trim().toLowerCase();
  return w && Object.hasOwn(WORDS, w) ? WORDS[w] : undefined; // feed text: never inherited keys
}

export interface SeverityInput {
  vectors: string[];
  /** Feed-specific words: database_specific.severity, a "Moderate: …" summary prefix. */
  words: (string | undefined)[];
}

export function judgeSeverity(input: SeverityInput): { severity: Severity; source: string; cvss?: Cvss } {
  const scored = input.vectors.map(cvssOf).filter((c): c is Cvss => c !== undefined);
  // prefer the newest CVSS version, then the highest score within it
  scored.sort((a, b) => Number(b.version) - Number(a.version) || b.score - a.score);
  const best = scored[0];
  if (best) return { severity: severityOfScore(best.score), source: `CVSS ${best.version}`, cvss: best };
  for (const w of input.words) {
    const s = severityOfWord(w);
    if (s) return { severity: s, source: 'feed rating' };
  }
  return { severity: 'UNKNOWN', source: 'none' };
}

export interface Judged {
  severity: Severity;
  source: string;
  cvss?: Cvss;
  /** The record whose vector or rating gave the severity. */
  recordId?: string;
}

/** The CVSS vectors a record carries, at its top level and per affected package. */
function vectorsOf(r: OsvRecord): string[] {
  return [...(r.severity ?? []), ...(r.affected ?? []).flatMap((a) => a.severity ?? [])]
    .filter((s) => s.type.startsWith('CVSS'))
    .map((s) => s.score);
}

function dbSeverity(x: unknown): string | undefined {
  const s = (x as { severity?: unknown } | undefined)?.severity;
  return typeof s === 'string' ? s : undefined;
}

/** Feed ratings: database_specific.severity (GHSA), per-package ratings, a "Moderate: …" summary (Red Hat, AlmaLinux). */
function wordsOf(r: OsvRecord): (string | undefined)[] {
  return [
    dbSeverity(r.database_specific),
    ...(r.affected ?? []).map((a) => dbSeverity(a.ecosystem_specific) ?? dbSeverity(a.database_specific)),
    /^(\w+):/.exec(r.summary ?? '')?.[1],
  ];
}

/** judgeSeverity over records, naming the record the severity came from. */
export function judgeRecords(records: readonly OsvRecord[]): Judged {
  const scored = records.flatMap((r) =>
    vectorsOf(r).flatMap((v) => {
      const cvss = cvssOf(v);
      return cvss ? [{ cvss, id: r.id }] : [];
    }),
  );
  scored.sort((a, b) => Number(b.cvss.version) - Number(a.cvss.version) || b.cvss.score - a.cvss.score);
  const best = scored[0];
  if (best)
    return {
      severity: severityOfScore(best.cvss.score),
      source: `CVSS ${best.cvss.version}`,
      cvss: best.cvss,
      recordId: best.id,
    };
  for (const r of records) {
    for (const w of wordsOf(r)) {
      const s = severityOfWord(w);
      if (s) return { severity: s, source: 'feed rating', recordId: r.id };
    }
  }
  return { severity: 'UNKNOWN', source: 'none' };
}
