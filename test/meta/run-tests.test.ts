import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { makeTempDir } from '../../src/core/tempdir.js';
// @ts-expect-error: plain JavaScript module of the test launcher, no types
import { isExclusive, testFiles } from '../../scripts/test-files.mjs';

// Item 21 of the hardening issue: tests that change kernel audit state or restart dockerd
// never run concurrently with others. The launcher runs files marked exclusive one at a
// time after all others; these tests check that on a tree of its own, and that every test
// file touching that host-wide state carries the mark.

const ROOT = join(import.meta.dirname, '..', '..');
const LAUNCHER = join(ROOT, 'scripts', 'run-tests.mjs');

/** Runs the launcher on another tree, as a top-level run (not as a child of this test run). */
function launch(root: string): SpawnSyncReturns<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, BULWARK_TEST_ROOT: root, BULWARK_TEST_CONCURRENCY: '4' };
  delete env.NODE_TEST_CONTEXT;
  return spawnSync(process.execPath, [LAUNCHER], { encoding: 'utf8', env });
}

/**
 * A test file that logs when it starts and ends. With `peers`, it waits (bounded) until each of
 * them has started too, so files run side by side overlap however loaded the machine is.
 */
function timedTest(name: string, log: string, mark: boolean, opts: { fail?: boolean; peers?: string[] } = {}): string {
  return [
    mark ? '// bulwark-test: exclusive (test of the launcher)' : '',
    "import { test } from 'node:test';",
    "import { appendFileSync, readFileSync } from 'node:fs';",
    `const log = ${JSON.stringify(log)};`,
    `test('${name}', async () => {`,
    `  appendFileSync(log, '${name} start ' + Date.now() + '\\n');`,
    `  for (const peer of ${JSON.stringify(opts.peers ?? [])}) {`,
    '    const until = Date.now() + 30000;',
    "    while (!readFileSync(log, 'utf8').includes(peer + ' start')) {",
    "      if (Date.now() > until) throw new Error(peer + ' never ran beside this file');",
    '      await new Promise((r) => setTimeout(r, 20));',
    '    }',
    '  }',
    '  await new Promise((r) => setTimeout(r, 200));',
    `  appendFileSync(log, '${name} end ' + Date.now() + '\\n');`,
    opts.fail ? "  throw new Error('planned failure');" : '',
    '});',
  ].join('\n');
}

function intervals(log: string): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const line of readFileSync(log, 'utf8').trim().split('\n')) {
    const [name, what, at] = line.split(' ') as [string, string, string];
    const span = out.get(name) ?? [0, 0];
    span[what === 'start' ? 0 : 1] = Number(at);
    out.set(name, span);
  }
  return out;
}

test('run-tests: exclusive files run alone, after the others, and the closing line counts both runs', async () => {
  const tmp = await makeTempDir();
  try {
    const log = join(tmp.path, 'log');
    mkdirSync(join(tmp.path, 'src'));
    mkdirSync(join(tmp.path, 'test'));
    writeFileSync(join(tmp.path, 'src', 'a.test.ts'), timedTest('a', log, false, { peers: ['b'] }));
    writeFileSync(join(tmp.path, 'src', 'b.test.ts'), timedTest('b', log, false, { peers: ['a'] }));
    writeFileSync(join(tmp.path, 'src', 'x.test.ts'), timedTest('x', log, true));
    writeFileSync(join(tmp.path, 'test', 'y.test.ts'), timedTest('y', log, true));
    const r = launch(tmp.path);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^tests: 4 passed, 0 failed, 0 skipped$/m);
    const spans = intervals(log);
    const [a, b, x, y] = ['a', 'b', 'x', 'y'].map((n) => spans.get(n)!);
    // the two shared files ran side by side (each waited for the other to start) …
    assert.ok(a![0] < b![1] && b![0] < a![1], `shared files overlapped: ${JSON.stringify([...spans])}`);
    // … and each exclusive one overlapped nothing
    for (const [ex, others] of [
      [x!, [a!, b!, y!]],
      [y!, [a!, b!, x!]],
    ] as const) {
      for (const o of others)
        assert.ok(ex[1] <= o[0] || o[1] <= ex[0], `exclusive file overlapped another: ${JSON.stringify([...spans])}`);
    }
  } finally {
    await tmp.remove();
  }
});

test('run-tests: a failing exclusive file fails the run and is counted', async () => {
  const tmp = await makeTempDir();
  try {
    mkdirSync(join(tmp.path, 'src'));
    writeFileSync(join(tmp.path, 'src', 'a.test.ts'), timedTest('a', join(tmp.path, 'log'), false));
    writeFileSync(join(tmp.path, 'src', 'x.test.ts'), timedTest('x', join(tmp.path, 'log'), true, { fail: true }));
    const r = launch(tmp.path);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^tests: 1 passed, 1 failed, 0 skipped$/m);
  } finally {
    await tmp.remove();
  }
});

// What makes a test file change host-wide state: restarting the engine, the audit source
// (auditd and kernel audit rules), or the agent, which runs both.
const HOST_WIDE = [
  /restart-engine\.js/,
  /\bstartAuditSource\b/,
  /\binstallRules\b/,
  /\bauditctlSync\b/,
  /\bstartAgent\b/,
];

test('every test file that restarts the engine or changes kernel audit state is marked exclusive', () => {
  const offenders = (testFiles(ROOT) as string[])
    .filter((f) => f !== import.meta.filename)
    .filter((f) => HOST_WIDE.some((re) => re.test(readFileSync(f, 'utf8'))))
    .filter((f) => !isExclusive(f))
    .map((f) => relative(ROOT, f));
  assert.deepEqual(offenders, []);
});
