import type { CheckResult } from '../checks/check.js';
import type { Finding, Severity } from '../core/types.js';
import { atOrAbove } from '../match/gate.js';
import type { VulnerabilityResults } from '../report/report.js';

// The gate's last step: from the failed checks and the vulnerability results the user's
// filters left, what counts against the target and the exit code a CI gate ends with.

export interface GateRules {
  /** Count findings at or above this severity only (`--fail-on`); without it every shown finding counts. */
  failOn?: Severity;
  /** The severity unrated findings count as for failOn; default UNKNOWN (ranked lowest). */
  unknownAs?: Severity;
  /** The exit code when something counts (`--exit-code`); default 0. With failOn, 0 means 1. */
  exitCode?: number;
}

export interface GateVerdict {
  /** Failed checks at the reported severities. */
  checks: CheckResult[];
  /** Open findings that count: at or above failOn when given, else every shown finding; none without vulnerability results. */
  findings: Finding[];
  /** Nothing counts against the target. */
  clean: boolean;
  /** What a CI gate exits with: 0 when clean or when the rules ask for 0. */
  exitCode: number;
}

export function judge(
  checks: readonly CheckResult[] | undefined,
  vulns: VulnerabilityResults | undefined,
  rules: GateRules = {},
): GateVerdict {
  const exitCode = rules.exitCode ?? 0;
  const failed = [...(checks ?? [])];
  const findings = !vulns
    ? []
    : rules.failOn
      ? atOrAbove(vulns.shown, rules.failOn, rules.unknownAs)
      : [...vulns.shown];
  const checkCode = failed.length ? exitCode : 0;
  const vulnCode = !findings.length ? 0 : rules.failOn ? exitCode || 1 : exitCode;
  return {
    checks: failed,
    findings,
    clean: failed.length === 0 && findings.length === 0,
    exitCode: checkCode || vulnCode,
  };
}
