import { SEVERITIES, type Finding, type Severity } from '../core/types.js';
import { BulwarkError } from '../core/errors.js';

// The CI gate: which findings count after the user's filters, and the exit code.

export interface GateOptions {
  severities: readonly Severity[];
  ignoreUnfixed: boolean;
}

export function parseSeverities(s: string): Severity[] {
  const out = s.split(',').map((x) => x.trim().toUpperCase());
  for (const x of out) if (!(SEVERITIES as readonly string[]).includes(x)) throw new BulwarkError('USAGE', x, `unknown severity (use ${SEVERITIES.join(', ')})`);
  return out as Severity[];
}

/** Findings shown and counted: open ones (fixed or unfixed) passing the filters. */
export function reportable(findings: Finding[], o: GateOptions): Finding[] {
  return findings.filter((f) => (f.status === 'fixed' || f.status === 'unfixed') && o.severities.includes(f.severity) && !(o.ignoreUnfixed && f.status === 'unfixed'));
}

export function exitCodeFor(open: Finding[], exitCode: number): number {
  return open.length > 0 ? exitCode : 0;
}
