import type { Verdict } from '../policy/evaluate.js';

// A verdict for people: one line for the outcome, one per violation, named by rule.

export function renderVerdict(v: Verdict, notes: string[] = []): string {
  const head = `${v.allowed ? 'ALLOWED' : 'DENIED'} ${v.image} (${v.digest}) by policy ${v.policy}${v.allowListed ? ' (allow-listed)' : ''}`;
  const lines = v.violations.map((x) => `  ✗ [${x.rule}] ${x.message}`);
  return `${[head, ...lines, ...notes.map((n) => `  · ${n}`)].join('\n')}\n`;
}
