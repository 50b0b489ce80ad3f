#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's test runner (tsx as the loader):
// first all files in parallel, then the files marked exclusive one at a time
// (scripts/test-files.mjs says why). Ends with one line counting both runs.
// Extra arguments filter test files by substring: `npm test -- rpm dpkg`.
import { spawn } from 'node:child_process';
import { isExclusive, testFiles } from './test-files.mjs';

// BULWARK_TEST_ROOT: another tree to run (the runner's own test uses it); tsx resolved from here
const root = process.env.BULWARK_TEST_ROOT ?? '.';
const tsx = import.meta.resolve('tsx');
const filters = process.argv.slice(2);
const files = testFiles(root).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error(`run-tests: no test files match ${filters.join(' ')}`);
  process.exit(2);
}

const COUNTS = ['tests', 'pass', 'fail', 'cancelled', 'skipped', 'todo'];

// Host-wide state (kernel audit rules, auditd, dockerd) is one per machine, not per clone:
// exclusive files hold this lock, so two runs from different trees take turns too.
const HOST_LOCK = process.env.BULWARK_TEST_HOST_LOCK ?? '/run/lock/bulwark-tests-host-state.lock';

/** Runs one `node --test` over files (under `flock` when `lock`), echoing its output; returns its exit code and summary counts. */
function runNodeTest(group, extra, lock) {
  return new Promise((resolve) => {
    const argv = [process.execPath, '--import', tsx, '--test', '--test-reporter=spec', ...extra, ...group];
    const [cmd, ...args] = lock ? ['flock', lock, ...argv] : argv;
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const counts = Object.fromEntries(COUNTS.map((k) => [k, 0]));
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const text = tail + chunk.toString('utf8');
      const lines = text.split('\n');
      tail = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^ℹ (\w+) (\d+)$/.exec(line.trim());
        if (m && m[1] in counts) counts[m[1]] = Number(m[2]);
      }
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), counts }));
  });
}

const exclusive = files.filter(isExclusive);
const shared = files.filter((f) => !exclusive.includes(f));
const runs = [];
// BULWARK_TEST_CONCURRENCY: files run at once in the shared group (Node's default: cores - 1)
const concurrency = process.env.BULWARK_TEST_CONCURRENCY
  ? [`--test-concurrency=${process.env.BULWARK_TEST_CONCURRENCY}`]
  : [];
if (shared.length) runs.push(await runNodeTest(shared, concurrency));
if (exclusive.length) {
  console.log(`\nrun-tests: ${exclusive.length} exclusive file(s), one at a time: ${exclusive.join(' ')}`);
  runs.push(await runNodeTest(exclusive, ['--test-concurrency=1'], HOST_LOCK));
}
const total = (k) => runs.reduce((n, r) => n + r.counts[k], 0);
const failed = total('fail') + total('cancelled');
console.log(`\ntests: ${total('pass')} passed, ${failed} failed, ${total('skipped')} skipped`);
process.exit(runs.some((r) => r.code !== 0) || failed > 0 ? 1 : 0);
