import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

// The agent's end-to-end tests check the engine for real: with no engine to talk to, each one
// says it was skipped (under CI it fails) rather than passing without having run.

test('with the Docker Engine unreachable, every agent test is skipped, none passes', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: 'unix:///nonexistent/bulwark-agent-gates.sock' };
  delete env.CI; // (under CI each would fail instead)
  delete env.NODE_TEST_CONTEXT; // a run of its own, reporting in TAP, not to this runner
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=tap', 'test/e2e/agent.test.ts'],
    { env, encoding: 'utf8', timeout: 120_000 },
  );
  const count = (what: string): number => Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(r.stdout)?.[1] ?? NaN);
  assert.ok(count('tests') >= 8, r.stdout.slice(-2000));
  assert.equal(count('pass'), 0, 'no test passes without the engine');
  assert.equal(count('skipped'), count('tests'), 'each one says it was skipped');
  assert.match(r.stdout, /MISSING for .*: Docker Engine \(dockerd\)/);
});
