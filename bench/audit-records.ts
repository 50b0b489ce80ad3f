// Throughput of the audit record parser (split + parse + group + interpret) on the captured
// stream of this machine's kernel (src/runtime/audit/fixtures/socket-raw.log), replicated
// with fresh serials and read 64 KiB at a time as the agent reads it. Median of 5 runs.
// Usage: node --import tsx bench/audit-records.ts [copies, default 80]
import { performance } from 'node:perf_hooks';
import { capturedLines, parseStream, replicate } from '../src/runtime/audit/fixtures/replicate.js';

const copies = Number(process.argv[2] ?? 80);
const lines = capturedLines();
parseStream(replicate(lines, 20)); // warm-up
const buf = replicate(lines, copies);
const runs: { secs: number; events: number }[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const r = parseStream(buf);
  runs.push({ secs: (performance.now() - t0) / 1000, events: r.events });
}
const { secs, events } = runs.sort((a, b) => a.secs - b.secs)[2]!;
const n = lines.length * copies;
console.log(`${n} lines, ${events} events, ${(buf.length / 1e6).toFixed(1)} MB in ${secs.toFixed(3)} s (median of 5)`);
console.log(
  `${Math.round(events / secs)} events/s, ${Math.round(n / secs)} lines/s, ${(buf.length / 1e6 / secs).toFixed(1)} MB/s, ${((secs / events) * 1e6).toFixed(1)} µs an event`,
);
