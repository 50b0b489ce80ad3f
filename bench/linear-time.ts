// How the secret scanner's and the Python parsers' time grows with hostile input: each
// input of the unit tests' linear-time guards (src/checks/secrets/fixtures/pathological.ts,
// src/ecosystems/python/fixtures/long-runs.ts, the single huge line of scan.test.ts) at
// three sizes, median of 5 runs each. Linear work shows a ratio near 4 between the largest
// and the smallest size; quadratic work near 16.
// Usage: node --import tsx bench/linear-time.ts [base size, default 100000]
import { performance } from 'node:perf_hooks';
import { parseCoreMetadata } from '../src/ecosystems/python/metadata.js';
import { parseRequirements } from '../src/ecosystems/python/requirements.js';
import { longRequirementLines, manyClassifiers } from '../src/ecosystems/python/fixtures/long-runs.js';
import { scanSecrets } from '../src/checks/secrets/scan.js';
import { pathologicalSecretInputs } from '../src/checks/secrets/fixtures/pathological.js';
import { githubToken } from '../src/checks/secrets/fixtures/tokens.js';

const base = Number(process.argv[2] ?? 100_000);
const sizes = [base, base * 2, base * 4];

function median(run: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[2]!;
}

/** One table row: the input's label, its time at each size (ms) and the ratio largest/smallest. */
function row(label: string, at: (n: number) => () => unknown): void {
  const ms = sizes.map((n) => median(at(n)));
  console.log(
    `| ${label} | ${ms.map((m) => m.toFixed(1)).join(' | ')} | ${(ms[2]! / Math.max(ms[0]!, 0.05)).toFixed(1)} |`,
  );
}

scanSecrets('/warmup.txt', Buffer.from('password=warm up\n'.repeat(1000)));
console.log(`| input | ${sizes.map((n) => `${n.toLocaleString('en')} (ms)`).join(' | ')} | ratio |`);
console.log(`| --- | ${sizes.map(() => '---').join(' | ')} | --- |`);
pathologicalSecretInputs(base).forEach(([path, text], i) => {
  row(`secrets ${path} ${JSON.stringify(text.slice(0, 24)).replace(/\|/g, '\\|')}…`, (n) => {
    const buf = Buffer.from(pathologicalSecretInputs(n)[i]![1]);
    return () => scanSecrets(path, buf);
  });
});
const tokens = Array.from({ length: 300 }, () => githubToken());
row('secrets: one line, `x=1;`×8000 before each token (300 tokens at the largest size)', (n) => {
  const count = Math.round((300 * n) / sizes[2]!);
  const buf = Buffer.from(
    tokens
      .slice(0, count)
      .map((tok) => `${'x=1;'.repeat(8000)}t="${tok}";`)
      .join(''),
  );
  return () => scanSecrets('/app/huge.min.js', buf);
});
row('requirements.txt: two lines of n separators', (n) => {
  const text = longRequirementLines(n);
  return () => parseRequirements(text);
});
row('core metadata: n/10 classifier lines', (n) => {
  const text = manyClassifiers(n / 10);
  return () => parseCoreMetadata(text);
});
