import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** Runs a fixture script from test/fixtures (content-keyed cache outside the clone) and returns its output path. */
export function buildFixture(script: string): string {
  const r = spawnSync('bash', [join(ROOT, 'test', 'fixtures', script)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`fixture ${script} failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').pop()!;
}

export function run(cmd: string, args: string[], input?: Buffer): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...(input ? { input } : {}) });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** The CLI as a user runs it, through tsx so the tests need no build step. */
export function bulwark(
  args: string[],
  env: Record<string, string> = {},
  input?: string,
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
    maxBuffer: 1 << 28,
    // hermetic: no vulnerability DB unless the test names one (--db or BULWARK_DB)
    env: { ...process.env, BULWARK_DB: join(tmpdir(), 'bulwark-tests-no-such.db'), ...env },
    cwd: ROOT,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
