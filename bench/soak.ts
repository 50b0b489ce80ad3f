// The noise budget over a long run (issue 14, item 6): the benign workloads of
// test/support/soak.ts under the agent CLI (its own process, default rules, learn mode as a
// fresh install starts) for N minutes; reports the events by rule and workload and the agent's
// CPU (utime + stime, all threads) and RSS. The agent changes the kernel's audit state: take
// the test lock so no agent test runs meanwhile:
// flock /run/lock/bulwark-tests-host-state.lock node --import tsx bench/soak.ts [minutes=10]
//   [--no-file-profiles] [--no-file-rules] [--no-syscall-rules]   (AGENT_PROF=DIR: a V8 CPU profile of the agent)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rss, threadShares, threads, ticks } from './fixtures/proc-stat.js';
import { cleanSoak, prepareSoak, startSoak } from '../test/support/soak.js';

const minutes = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 10);
// passed to the agent, to see what each part costs
const agentFlags = process.argv.slice(2).filter((a) => /^--no-(file-profiles|file-rules|syscall-rules)$/.test(a));
const PREFIX = 'bulwark-bench-soak';
const dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-soak-'));
await cleanSoak(PREFIX);
await prepareSoak(PREFIX);
const events = join(dir, 'events.jsonl');
const agent = spawn(
  process.execPath,
  [
    ...(process.env.AGENT_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.AGENT_PROF] : []),
    '--import',
    'tsx',
    join(import.meta.dirname, '..', 'src', 'cli', 'main.ts'),
    'agent',
    '--state-dir',
    join(dir, 'state'),
    ...agentFlags,
    '--sink',
    JSON.stringify({ type: 'jsonl', path: events }),
  ],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
try {
  await new Promise<void>((resolve, reject) => {
    agent.stderr.on('data', (d: Buffer) => (/running/.test(d.toString()) ? resolve() : undefined));
    agent.on('exit', (c) => reject(new Error(`agent exited ${c}`)));
  });
  const soak = await startSoak(PREFIX);
  const c0 = ticks(agent.pid!);
  const th0 = threads(agent.pid!);
  const t0 = Date.now();
  let peak = 0;
  while (Date.now() - t0 < minutes * 60_000) {
    await new Promise((r) => setTimeout(r, 5000));
    peak = Math.max(peak, rss(agent.pid!));
  }
  const wall = (Date.now() - t0) / 1000;
  const cpu = (ticks(agent.pid!) - c0) / 100;
  const byThread = threadShares(agent.pid!, th0, wall);
  const answered = await soak.answered();
  await soak.stop();
  agent.kill('SIGTERM');
  await new Promise((r) => agent.on('exit', r));
  const byRule = new Map<string, number>();
  let total = 0;
  // the sink makes its file at the first event: none is no file
  const written = existsSync(events) ? readFileSync(events, 'utf8') : '';
  for (const line of written.split('\n').filter(Boolean)) {
    const e = JSON.parse(line) as { rule: string; container?: { id: string }; message: string };
    const what = soak.containers.get(e.container?.id ?? '');
    if (!what) continue; // another test's container
    total++;
    const key = `${e.rule} [${what}]: ${e.message.replace(/\d{2,}/g, 'N')}`;
    byRule.set(key, (byRule.get(key) ?? 0) + 1);
  }
  console.log(
    `soak ${(wall / 60).toFixed(1)} min, ${soak.containers.size} workloads, ${answered} requests answered: ${total} events; agent CPU ${((cpu / wall) * 100).toFixed(1)}% of one core, peak RSS ${peak.toFixed(0)} MB`,
  );
  console.log(`  by thread: ${byThread}`);
  for (const [k, n] of [...byRule].sort((a, b) => b[1] - a[1])) console.log(`  ${n}× ${k}`);
} finally {
  if (agent.exitCode === null && agent.signalCode === null) {
    agent.kill('SIGTERM');
    await new Promise((r) => agent.on('exit', r));
  }
  await cleanSoak(PREFIX);
  rmSync(dir, { recursive: true, force: true });
}
