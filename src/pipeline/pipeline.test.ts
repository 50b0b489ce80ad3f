import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '../core/tempdir.js';
import type { CheckOptions } from '../checks/run.js';
import { githubToken } from '../checks/secrets/fixtures/tokens.js';
import { importPath } from '../vulndb/import.js';
import { VulnStore } from '../vulndb/store.js';
import { runPipeline, type PipelineOptions } from './pipeline.js';

// The pipeline end to end on a small source tree and a hand-written vulnerability DB. The
// expectations are worked out by hand from the inputs:
//   lodash 4.17.11   GHSA-P-LODASH   fixed in 4.17.12, CVSS 3.1 AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H = 9.8 → CRITICAL
//   minimist 1.2.0   GHSA-P-MINI     fixed in 1.2.6,  CVSS 3.1 AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N = 5.3 → MEDIUM
//   left-pad 1.3.0   GHSA-P-LEFTPAD  no fix, no rating                                      → UNKNOWN, unfixed
//   conf/.env        a GitHub token                                                          → BW-SEC-007 (CRITICAL)

const T = '2024-01-01T00:00:00Z';
const CRITICAL_VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const MEDIUM_VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N';
const npm = (id: string, name: string, events: object[], vector?: string) => ({
  schema_version: '1.6.0',
  id,
  modified: T,
  ...(vector ? { severity: [{ type: 'CVSS_V3', score: vector }] } : {}),
  affected: [{ package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events }] }],
});
const RECORDS = [
  npm('GHSA-P-LODASH', 'lodash', [{ introduced: '0' }, { fixed: '4.17.12' }], CRITICAL_VECTOR),
  npm('GHSA-P-MINI', 'minimist', [{ introduced: '0' }, { fixed: '1.2.6' }], MEDIUM_VECTOR),
  npm('GHSA-P-LEFTPAD', 'left-pad', [{ introduced: '0' }]),
];
const LOCK = {
  name: 'app',
  lockfileVersion: 3,
  packages: {
    '': { name: 'app' },
    'node_modules/lodash': { version: '4.17.11' },
    'node_modules/minimist': { version: '1.2.0' },
    'node_modules/left-pad': { version: '1.3.0' },
  },
};

let tmp: TempDir;
let tree: string;
let dbPath: string;
const SECRETS: CheckOptions = { secrets: true, misconfig: false };

before(async () => {
  tmp = await makeTempDir('pipeline-');
  const feed = join(tmp.path, 'feed');
  mkdirSync(feed);
  RECORDS.forEach((r, i) => writeFileSync(join(feed, `${i}.json`), JSON.stringify(r)));
  dbPath = join(tmp.path, 'v.db');
  const store = VulnStore.open(dbPath);
  try {
    importPath(store, feed);
  } finally {
    store.close();
  }
  tree = join(tmp.path, 'tree');
  mkdirSync(join(tree, 'conf'), { recursive: true });
  writeFileSync(join(tree, 'package-lock.json'), JSON.stringify(LOCK));
  writeFileSync(join(tree, 'conf', '.env'), `GITHUB_TOKEN=${githubToken()}\n`);
});
after(async () => {
  await tmp.remove();
});

const run = (o: PipelineOptions) => runPipeline({ kind: 'fs', dir: tree }, o);
const ids = (xs: readonly { id: string }[]): string[] => xs.map((x) => x.id).sort();
const statusOf = (r: Awaited<ReturnType<typeof run>>, id: string) =>
  r.report.vulnerabilities?.findings.find((f) => f.id === id)?.status;

test('pipeline: every open finding and the failed check count; the exit code is the one asked for', async () => {
  const r = await run({ checks: SECRETS, vulns: { dbPath }, gate: { exitCode: 4 } });
  assert.deepEqual(ids(r.report.vulnerabilities!.findings), ['GHSA-P-LEFTPAD', 'GHSA-P-LODASH', 'GHSA-P-MINI']);
  assert.deepEqual(r.report.vulnerabilities!.findings.map((f) => [f.id, f.severity, f.status]).sort(), [
    ['GHSA-P-LEFTPAD', 'UNKNOWN', 'unfixed'],
    ['GHSA-P-LODASH', 'CRITICAL', 'fixed'],
    ['GHSA-P-MINI', 'MEDIUM', 'fixed'],
  ]);
  assert.deepEqual(ids(r.verdict.findings), ['GHSA-P-LEFTPAD', 'GHSA-P-LODASH', 'GHSA-P-MINI']);
  assert.deepEqual(
    r.verdict.checks.map((c) => [c.checkId, c.severity, c.location.path]),
    [['BW-SEC-007', 'CRITICAL', '/conf/.env']],
  );
  assert.equal(r.verdict.clean, false);
  assert.equal(r.verdict.exitCode, 4);
  assert.deepEqual(r.stats, { layersAnalysed: 1, layersFromCache: 0 });
});

test('pipeline gate: --fail-on HIGH fails on the CRITICAL finding alone, with 1 when no exit code is given', async () => {
  const r = await run({ vulns: { dbPath }, gate: { failOn: 'HIGH' } });
  assert.deepEqual(ids(r.verdict.findings), ['GHSA-P-LODASH']);
  assert.equal(r.verdict.exitCode, 1);
  // unrated findings count as HIGH when asked
  const unknownHigh = await run({ vulns: { dbPath }, gate: { failOn: 'HIGH', unknownAs: 'HIGH' } });
  assert.deepEqual(ids(unknownHigh.verdict.findings), ['GHSA-P-LEFTPAD', 'GHSA-P-LODASH']);
});

test('pipeline gate passes once VEX and the ignore file take the findings at or above the threshold away', async () => {
  const vex = join(tmp.path, 'lodash.openvex.json');
  writeFileSync(
    vex,
    JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      statements: [
        {
          vulnerability: { name: 'GHSA-P-LODASH' },
          products: [{ '@id': 'pkg:npm/lodash@4.17.11' }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
        },
      ],
    }),
  );
  const ignore = join(tmp.path, 'ignore.yaml');
  writeFileSync(
    ignore,
    'ignore:\n  - id: GHSA-P-MINI\n    package: minimist\n    reason: only parses our own flags\n  - id: GHSA-P-LEFTPAD\n    reason: old waiver\n    expires: 2020-01-01\n',
  );
  const r = await run({
    vulns: { dbPath, vexFiles: [vex], ignoreFile: ignore, now: new Date('2025-06-01T00:00:00Z') },
    gate: { failOn: 'MEDIUM', exitCode: 3 },
  });
  assert.equal(statusOf(r, 'GHSA-P-LODASH'), 'not_affected');
  assert.equal(statusOf(r, 'GHSA-P-MINI'), 'ignored');
  // the expired entry no longer applies, and is reported
  assert.equal(statusOf(r, 'GHSA-P-LEFTPAD'), 'unfixed');
  assert.deepEqual(
    r.report.vulnerabilities!.expiredIgnores.map((e) => e.id),
    ['GHSA-P-LEFTPAD'],
  );
  assert.deepEqual(ids(r.report.vulnerabilities!.shown), ['GHSA-P-LEFTPAD']);
  assert.deepEqual(r.verdict.findings, []);
  assert.equal(r.verdict.clean, true);
  assert.equal(r.verdict.exitCode, 0);
});

test('pipeline filters: --severity and --ignore-unfixed decide what is shown and counted', async () => {
  const r = await run({
    checks: SECRETS,
    vulns: { dbPath },
    severities: ['MEDIUM', 'UNKNOWN'],
    ignoreUnfixed: true,
    gate: { exitCode: 5 },
  });
  assert.deepEqual(ids(r.verdict.findings), ['GHSA-P-MINI']);
  // the CRITICAL secret is outside the reported severities
  assert.deepEqual(r.report.checks, []);
  assert.deepEqual(r.verdict.checks, []);
  assert.equal(r.verdict.exitCode, 5);
});

test('pipeline checks: a re-graded check is reported and gated at its new severity; a skipped one not at all', async () => {
  const regraded = await run({
    checks: { ...SECRETS, severity: new Map([['BW-SEC-007', 'LOW']]) },
    severities: ['LOW'],
    gate: { exitCode: 6 },
  });
  assert.deepEqual(
    regraded.verdict.checks.map((c) => [c.checkId, c.severity]),
    [['BW-SEC-007', 'LOW']],
  );
  assert.equal(regraded.report.vulnerabilities, undefined);
  assert.equal(regraded.verdict.exitCode, 6);
  const skipped = await run({ checks: { ...SECRETS, disabled: new Set(['BW-SEC-007']) }, gate: { exitCode: 6 } });
  assert.deepEqual(skipped.report.checks, []);
  assert.equal(skipped.verdict.clean, true);
  assert.equal(skipped.verdict.exitCode, 0);
});

test('pipeline on workload files: a privileged pod fails BW-WL-001, re-graded and gated like any check', async () => {
  const manifest = join(tmp.path, 'pod.yaml');
  writeFileSync(
    manifest,
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: busybox@sha256:' +
      'a'.repeat(64) +
      '\n      securityContext:\n        privileged: true\n',
  );
  const target = { kind: 'config' as const, path: manifest };
  const plain = await runPipeline(target, {
    checks: { secrets: false, misconfig: true },
    severities: ['CRITICAL'],
    gate: { exitCode: 7 },
  });
  assert.deepEqual(
    plain.verdict.checks.map((c) => [c.checkId, c.location.path]),
    [['BW-WL-001', manifest]],
  );
  assert.equal(plain.verdict.exitCode, 7);
  const low = await runPipeline(target, {
    checks: { secrets: false, misconfig: true, severity: new Map([['BW-WL-001', 'LOW']]) },
    severities: ['CRITICAL'],
    gate: { exitCode: 7 },
  });
  assert.deepEqual(low.verdict.checks, []);
  assert.equal(low.verdict.exitCode, 0);
});
