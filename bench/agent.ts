// The runtime agent under load: a busybox container running a loop of short-lived
// programs at a steady rate while the agent (in this process) watches it with a rule that
// fires on every exec. Reports the exec rate reached, detection latency from the kernel's
// audit timestamp to the event (p50/p99), events lost (execs without an event), and the
// agent's CPU time and memory. Usage: npm run build && node --import tsx bench/agent.ts [seconds] [log|socket] [poll ms] [--tcp] [--no-syscalls] [--file-writes] [--no-file-rules]
// (how the agent reads its auditd: the log, polled every 25 ms, or the dispatcher socket;
// --tcp: a second container opens and connects ~1,000 TCP sockets a second (a static helper
// built with gcc); --no-syscalls: without the syscall rules' audit rules, to measure their cost;
// --file-writes: also writes a file in /tmp every loop; --no-file-rules: without the file rules' audit watches)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent } from '../src/runtime/agent.js';
import { execInContainer } from '../src/engine/exec.js';
import { importBusybox, removeContainer, runContainer } from '../test/support/busybox.js';
import { removeImage } from '../test/support/engine.js';

const flags = new Set(process.argv.slice(2).filter((a) => a.startsWith('--')));
const argv = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const seconds = Number(argv[0] ?? 20);
const auditRead = argv[1] === 'socket' ? 'socket' : 'log';
const auditPollMs = argv[2] ? Number(argv[2]) : undefined; // the agent's default: 50
const fileWrites = flags.has('--file-writes');
const fileRules = !flags.has('--no-file-rules');
const dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-agent-'));
const rules = join(dir, 'every-exec.yaml');
writeFileSync(
  rules,
  '- rule: Any exec\n  condition: spawned_process and container and proc.name = true\n  output: "%proc.exe"\n  severity: LOW\n  stride: Tampering\n  attack: T1059\n',
);
const extra: Record<string, Buffer> = {};
if (flags.has('--tcp')) {
  const out = join(dir, 'syscall-actions');
  const src = join(import.meta.dirname, '..', 'test', 'fixtures', 'syscall-actions.c');
  const cc = spawnSync('gcc', ['-static', '-O2', '-o', out, src], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`gcc: ${cc.stderr}`);
  extra['bin/syscall-actions'] = readFileSync(out);
}
await importBusybox('bulwark-bench/busybox', 'agent', ['true'], extra);
const id = await runContainer('bulwark-bench/busybox:agent', ['sleep', '3600']);
// ~1,000 TCP sockets a second: 100 per run of the helper, 10 runs a second
const tcp = flags.has('--tcp')
  ? await runContainer('bulwark-bench/busybox:agent', [
      'sh',
      '-c',
      'while true; do /bin/syscall-actions tcp 100 > /dev/null; sleep 0.1; done',
    ])
  : undefined;
const latencies: number[] = [];
const agent = await startAgent({
  stateDir: join(dir, 'state'),
  rules: [rules],
  sinks: [{ type: 'jsonl', path: join(dir, 'events.jsonl') }],
  forkGuard: false,
  fileRules,
  defaultMode: 'monitor',
  auditRead,
  auditSyscalls: !flags.has('--no-syscalls'),
  ...(auditPollMs ? { auditPollMs } : {}),
  onEvent: (e) => {
    if (e.rule === 'Any exec') latencies.push(Date.now() - Date.parse(e.time));
  },
  onError: () => {},
});
try {
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  // ~100 loops a second, each running /bin/true and sleep: about 200 execs a second
  const loops = seconds * 100;
  const run = await execInContainer(id, [
    'sh',
    '-c',
    fileWrites
      ? `i=0; while [ $i -lt ${loops} ]; do /bin/true; echo $i > /tmp/a; echo $i > /tmp/b; sleep 0.008; i=$((i+1)); done; echo done`
      : `i=0; while [ $i -lt ${loops} ]; do /bin/true; sleep 0.008; i=$((i+1)); done; echo done`,
  ]);
  await new Promise((r) => setTimeout(r, 2000));
  const wall = (Date.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const s = [...latencies].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? NaN;
  console.log(
    `load: ${run.output.trim()}, ${loops} runs of /bin/true (+ ${loops} of sleep) in ${wall.toFixed(1)} s = ${((2 * loops) / wall).toFixed(0)} execs/s in the container`,
  );
  console.log(`file rules ${fileRules ? 'on' : 'off'}${fileWrites ? `, ${2 * loops} writes in /tmp` : ''}`);
  console.log(`events for /bin/true: ${latencies.length} of ${loops} (${loops - latencies.length} missing)`);
  console.log(
    `detection latency (audit read from the ${auditRead}), kernel timestamp → event: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${s[s.length - 1]} ms`,
  );
  console.log(`syscall rules: ${flags.has('--no-syscalls') ? 'off' : 'on'}${tcp ? '; TCP load ~1,000 sockets/s' : ''}`);
  console.log(
    `agent CPU: ${(((cpu.user + cpu.system) / 1e6 / wall) * 100).toFixed(1)}% of one core; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`,
  );
} finally {
  await agent.stop();
  await removeContainer(id);
  if (tcp) await removeContainer(tcp);
  await removeImage('bulwark-bench/busybox:agent');
  rmSync(dir, { recursive: true, force: true });
}
