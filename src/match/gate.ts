import { SEVERITIES, type Finding, type Severity } from '../core/types.js';
import { BulwarkError } from '../core/errors.js';

// The CI gate: which findings count after the user's filters, and the exit code.
//
// UNKNOWN (no feed or related record rates the vulnerability) is a severity of its own,
// ranked lowest: `--severity` lists it explicitly (it is in the default list, as in Trivy),
// and `--fail-on HIGH` does not count it. `unknownAs` (`--unknown-as`, a policy's
// vulnerabilities.unknownAs) ranks unrated findings as another severity everywhere the
// gate looks: `--unknown-as HIGH` makes `--fail-on HIGH` and `--severity HIGH` count them.

export interface GateOptions {
  severities: readonly Severity[];
  ignoreUnfixed: boolean;
  /** The severity unrated findings count as; default UNKNOWN. */
  unknownAs?: Severity;
}

export function parseSeverities(s: string): Severity[] {
  const out = s.split(',').map((x) => x.trim().toUpperCase());
  for (const x of out)
    if (!(SEVERITIES as readonly string[]).includes(x))
      throw new BulwarkError('USAGE', x, `unknown severity (use ${SEVERITIES.join(', ')})`);
  return out as Severity[];
}

/** One severity word (`--fail-on`, `--unknown-as`). */
export function parseSeverity(s: string): Severity {
  const out = parseSeverities(s);
  if (out.length !== 1) throw new BulwarkError('USAGE', s, 'expected one severity');
  return out[0]!;
}

/** The severity the gate counts a finding at. */
function gateSeverity(f: Pick<Finding, 'severity'>, unknownAs: Severity = 'UNKNOWN'): Severity {
  return f.severity === 'UNKNOWN' ? unknownAs : f.severity;
}

/** Findings shown and counted: open ones (fixed or unfixed) passing the filters. */
export function reportable(findings: Finding[], o: GateOptions): Finding[] {
  return findings.filter(
    (f) =>
      (f.status === 'fixed' || f.status === 'unfixed') &&
      o.severities.includes(gateSeverity(f, o.unknownAs)) &&
      !(o.ignoreUnfixed && f.status === 'unfixed'),
  );
}

/** Open findings at or above `threshold`, unrated ones counted as `unknownAs`. */
export function atOrAbove(findings: Finding[], threshold: Severity, unknownAs: Severity = 'UNKNOWN'): Finding[] {
  const rank = (s: Severity): number => SEVERITIES.indexOf(s);
  return findings.filter(
    (f) => (f.status === 'fixed' || f.status === 'unfixed') && rank(gateSeverity(f, unknownAs)) >= rank(threshold),
  );
}
