// The agent's own CPU at a steady exec rate, measured as a user runs it: `node
// dist/cli/main.js agent` in its own process (utime + stime from /proc/<pid>/stat, all
// threads: fanotify reader, libuv pool, GC), a busybox container running ~200 execs/s (two loops).
// Two workloads: "learned" (default) — the programs are in the image's learned profile, the
// steady state of a protected host: nothing to report; "alerts" — a fresh profile in monitor
// mode, so every exec is an "Unlisted executable" event written to the JSON-lines sink.
// Usage: npm run build && node --import tsx bench/agent-cpu.ts [seconds] [learned|alerts] [audit poll ms]
//   [--no-file-profiles] [--no-file-rules] [--no-syscall-rules]   (passed to the agent: each part's cost)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execInContainer } from '../src/engine/exec.js';
import { rss, split, threadShares, threads, ticks } from './fixtures/proc-stat.js';
import { importBusybox, removeContainer, runContainer } from '../test/support/busybox.js';
import { removeImage } from '../test/support/engine.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const agentFlags = process.argv.slice(2).filter((a) => /^--no-(file-profiles|file-rules|syscall-rules)$/.test(a));
const seconds = Number(args[0] ?? 20);
const scenario = args[1] === 'alerts' ? 'alerts' : 'learned';
const poll = args[2];
const dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-agent-'));
await importBusybox('bulwark-bench/busybox', 'agentcpu', ['true']);
const id = await runContainer('bulwark-bench/busybox:agentcpu', ['sleep', '3600']);
const agent = spawn(
  process.execPath,
  [
    ...(process.env.AGENT_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.AGENT_PROF] : []),
    join(import.meta.dirname, '..', 'dist', 'cli', 'main.js'),
    'agent',
    '--state-dir',
    join(dir, 'state'),
    ...(scenario === 'alerts'
      ? ['--mode', 'monitor']
      : ['--mode', 'learn', '--learn-period', '3s', '--after-learn', 'monitor']),
    ...(poll ? ['--audit-poll', poll] : []),
    '--no-fork-guard',
    ...agentFlags,
    '--sink',
    JSON.stringify({ type: 'jsonl', path: join(dir, 'events.jsonl') }),
  ],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
try {
  await new Promise<void>((resolve, reject) => {
    agent.stderr.on('data', (d: Buffer) => (/running/.test(d.toString()) ? resolve() : undefined));
    agent.on('exit', (c) => reject(new Error(`agent exited ${c}`)));
  });
  await new Promise((r) => setTimeout(r, 1000));
  // learn the loop's programs; the period ends 3 s after the first one
  if (scenario === 'learned')
    await execInContainer(id, ['sh', '-c', 'i=0; while [ $i -lt 500 ]; do /bin/true; sleep 0.008; i=$((i+1)); done']);
  const idle0 = ticks(agent.pid!);
  await new Promise((r) => setTimeout(r, 5000));
  const idle = ticks(agent.pid!) - idle0;
  const c0 = ticks(agent.pid!);
  const s0 = split(agent.pid!);
  const th0 = threads(agent.pid!);
  const t0 = Date.now();
  // two loops side by side, each aiming at 100 execs/s (true, then sleep): one loop alone
  // cannot reach 200 on a VM where a fork and exec cost a few milliseconds
  const loops = seconds * 100;
  const each = Math.ceil(loops / 2);
  const loop = `i=0; while [ $i -lt ${each} ]; do /bin/true; sleep 0.016; i=$((i+1)); done`;
  await execInContainer(id, ['sh', '-c', `(${loop}) & (${loop}); wait`]);
  const wall = (Date.now() - t0) / 1000;
  const used = (ticks(agent.pid!) - c0) / 100;
  const s1 = split(agent.pid!);
  const [user, sys] = [(s1[0] - s0[0]) / 100, (s1[1] - s0[1]) / 100];
  const memory = rss(agent.pid!);
  const byThread = threadShares(agent.pid!, th0, wall);
  // the last records are still on their way: count the events once the agent has stopped
  agent.kill('SIGTERM');
  await new Promise((r) => agent.on('exit', r));
  const events = readFileSync(join(dir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('"Unlisted executable"')).length;
  console.log(
    `${scenario}: ${events} events; ${((4 * each) / wall).toFixed(0)} execs/s for ${wall.toFixed(1)} s: agent CPU ${((used / wall) * 100).toFixed(1)}% of one core (user ${((user / wall) * 100).toFixed(1)}%, system ${((sys / wall) * 100).toFixed(1)}%; idle: ${(idle / 5).toFixed(1)}%), RSS ${memory.toFixed(0)} MB`,
  );
  console.log(`by thread: ${byThread}`);
} finally {
  if (agent.exitCode === null && agent.signalCode === null) {
    agent.kill('SIGTERM');
    await new Promise((r) => agent.on('exit', r));
  }
  await removeContainer(id);
  await removeImage('bulwark-bench/busybox:agentcpu');
  rmSync(dir, { recursive: true, force: true });
}
