// Policy evaluation cost once inputs are loaded: the production policy of the tests
// (every rule set), facts with 500 findings and 20 layers, 100,000 evaluations each for an
// image that passes and one that violates every rule it can (messages built).
// Usage: npx tsx bench/policy-eval.ts [iterations]
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Severity } from '../src/core/types.js';
import { evaluate } from '../src/policy/evaluate.js';
import type { ImageFacts } from '../src/policy/facts.js';
import { loadPolicy } from '../src/policy/load.js';

const iterations = Number(process.argv[2] ?? 100_000);
const policy = loadPolicy(join(import.meta.dirname, '..', 'src', 'policy', 'fixtures', 'production.yaml'));
const now = new Date('2026-11-22T12:00:00Z');
const hex = (i: number) => i.toString(16).padStart(64, '0');
const severities: Severity[] = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

function facts(failing: boolean): ImageFacts {
  const layers = [
    'sha256:0b49f2fcef2b0f0ee5162462d575e19632eb780ff1dfc4423bcf6d8ccdc0b5e6',
    ...Array.from({ length: 19 }, (_, i) => `sha256:${hex(i + 1)}`),
  ];
  // 500 findings as a scan of a large Debian image reports them; in the passing image the
  // criticals have no fix yet (tolerated by fixableOnly), in the failing one 50 do
  const findings = Array.from({ length: 500 }, (_, i) => ({
    id: `CVE-${2019 + (i % 6)}-${10000 + i}`,
    severity: severities[i % 5]!,
    fixable: severities[i % 5] === 'CRITICAL' ? failing && i % 10 === 4 : i % 3 === 0,
    pkg: `pkg-${i % 180}`,
  }));
  return {
    reference: failing ? 'quay.io/other/app:latest' : '127.0.0.1:5000/team/app:1.4.2',
    registry: failing ? 'quay.io' : '127.0.0.1:5000',
    repository: failing ? 'other/app' : 'team/app',
    tag: failing ? 'latest' : '1.4.2',
    pinned: false,
    digest: `sha256:${'d1'.repeat(32)}`,
    layers: failing ? layers.slice(1) : layers,
    signatures: { keys: failing ? ['ci'] : ['release'] },
    attestations: failing
      ? []
      : [
          { predicateType: 'https://cyclonedx.org/bom', keys: ['release'] },
          { predicateType: 'https://cosign.sigstore.dev/attestation/vuln/v1', keys: ['release'] },
        ],
    scan: { finishedAt: new Date(now.getTime() - (failing ? 40 : 2) * 3_600_000).toISOString(), findings },
    now,
  };
}

for (const failing of [false, true]) {
  const f = facts(failing);
  let sink = 0;
  for (let i = 0; i < 10_000; i++) sink += evaluate(policy, f).violations.length; // warm-up
  const t = performance.now();
  for (let i = 0; i < iterations; i++) sink += evaluate(policy, f).violations.length;
  const us = ((performance.now() - t) * 1000) / iterations;
  const v = evaluate(policy, f);
  console.log(
    `${failing ? 'failing' : 'passing'} image: ${us.toFixed(2)} µs per evaluation (${iterations} runs, 500 findings, 20 layers, ${v.violations.length} violations: ${v.violations.map((x) => x.rule).join(', ') || 'none'}; sink ${sink})`,
  );
}
