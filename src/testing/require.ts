import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

// Tests that need a real tool or engine: under CI a missing one fails the test; elsewhere
// the test is skipped with a loud line saying what is missing.

export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Returns false (after skipping t) when something is missing outside CI. */
export function requireAll(t: TestContext, what: Record<string, boolean>): boolean {
  const missing = Object.entries(what).filter(([, ok]) => !ok).map(([k]) => k);
  if (missing.length === 0) return true;
  const msg = `MISSING for "${t.name}": ${missing.join(', ')}`;
  if (process.env.CI) throw new Error(`${msg} (CI must provide it: see .ci/run)`);
  console.error(`\n*** SKIPPED — ${msg} ***\n`);
  t.skip(msg);
  return false;
}
