import type { CheckResult } from '../checks/check.js';
import { SEVERITIES } from '../core/types.js';
import { countBySeverity, countsText, oneLine, truncate } from './vulns.js';

// Failed checks (secrets and misconfigurations) as the table and Markdown show them: worst
// first, where they are (file:line or field, and the layer), and the masked evidence.

const MESSAGE_WIDTH = 100;

function sortedChecks(checks: readonly CheckResult[]): CheckResult[] {
  const rank = (c: CheckResult): number => -SEVERITIES.indexOf(c.severity);
  return [...checks].sort(
    (a, b) => rank(a) - rank(b) || a.checkId.localeCompare(b.checkId) || a.location.path.localeCompare(b.location.path),
  );
}

/** "/etc/app.conf:12 (layer 2)", "image config: config.User". */
function whereOf(c: CheckResult): string {
  const l = c.location;
  const at = `${l.path}${l.line ? `:${l.line}` : ''}${l.field && l.field !== l.path ? ` ${l.field}` : ''}`;
  return `${at}${l.layer ? ` (layer ${l.layer.index})` : ''}`;
}

export function checkRows(checks: readonly CheckResult[]): string[][] {
  return sortedChecks(checks).map((c) => [
    c.checkId,
    c.severity,
    oneLine(c.title),
    whereOf(c),
    truncate(oneLine(c.message), MESSAGE_WIDTH),
  ]);
}

export function checksSummary(checks: readonly CheckResult[]): string {
  const n = checks.length;
  return `${n} failed check${n === 1 ? '' : 's'} (${countsText(countBySeverity(checks))})`;
}
