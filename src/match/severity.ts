import cvssCalculator from 'ae-cvss-calculator';
import type { Cvss, Severity } from '../core/types.js';

// One normalised severity per finding: the highest CVSS base score among the vectors
// the advisory carries (computed with a maintained CVSS library), else the feed's own
// rating (GHSA words, Red Hat / AlmaLinux words in the summary), else UNKNOWN.

const { fromVector } = cvssCalculator;

export function cvssOf(vector: string): Cvss | undefined {
  const v = fromVector(vector.trim());
  if (!v) return undefined;
  const name = v.getVectorName();
  const version = name === 'CVSS:2.0' ? '2.0' : name === 'CVSS:3.0' ? '3.0' : name === 'CVSS:3.1' ? '3.1' : name === 'CVSS:4.0' ? '4.0' : undefined;
  const score = v.calculateScores().base;
  if (!version || typeof score !== 'number' || Number.isNaN(score)) return undefined;
  return { version, vector: vector.trim(), score };
}

/** CVSS v3/v4 qualitative rating scale (v2 scores are mapped the same way, as NVD does for display). */
export function severityOfScore(score: number): Severity {
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  if (score > 0) return 'LOW';
  return 'UNKNOWN';
}

const WORDS: Record<string, Severity> = {
  critical: 'CRITICAL', important: 'HIGH', high: 'HIGH', moderate: 'MEDIUM', medium: 'MEDIUM', low: 'LOW', negligible: 'LOW', unimportant: 'LOW',
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
