import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate } from './evaluate.js';
import type { ImageFacts } from './facts.js';
import { parsePolicy } from './load.js';
import { throwsCode } from '../../test/support/codes.js';

// The checks rule: failed secret and misconfiguration checks above a severity, after the
// policy's own skips and re-grades.

const policy = parsePolicy(
  `
apiVersion: bulwark.dev/v1
kind: ImagePolicy
metadata: { name: checks }
spec:
  checks:
    maxSeverity: medium
    skip: [BW-IMG-001]
    severity: { BW-FS-001: high, BW-SEC-001: low }
`,
  'checks.yaml',
  '/',
);

const facts = (checks?: ImageFacts['checks']): ImageFacts => ({
  reference: 'r.example/app:1',
  registry: 'r.example',
  repository: 'app',
  tag: '1',
  pinned: false,
  digest: `sha256:${'1'.repeat(64)}`,
  layers: [],
  signatures: { keys: [] },
  attestations: [],
  ...(checks ? { checks } : {}),
});

test('checks rule: skipped and re-graded checks, the maximum, and a missing scan', () => {
  const rules = (f: ImageFacts) => evaluate(policy, f).violations.map((v) => v.rule);
  assert.deepEqual(rules(facts([])), []);
  assert.deepEqual(rules(facts([{ id: 'BW-IMG-001', severity: 'HIGH', message: 'no USER' }])), [], 'skipped');
  assert.deepEqual(
    rules(
      facts([
        { id: 'BW-IMG-005', severity: 'LOW', message: 'no HEALTHCHECK' },
        { id: 'BW-IMG-002', severity: 'MEDIUM', message: 'port 22' },
      ]),
    ),
    [],
    'at or below medium',
  );
  assert.deepEqual(
    rules(facts([{ id: 'BW-SEC-001', severity: 'CRITICAL', message: 'key' }])),
    [],
    're-graded down to low',
  );
  const up = evaluate(policy, facts([{ id: 'BW-FS-001', severity: 'LOW', message: '/usr/bin/su is set-user-id' }]));
  assert.deepEqual(
    up.violations.map((v) => v.rule),
    ['checks'],
    're-graded up to high',
  );
  assert.match(
    up.violations[0]!.message,
    /1 failed check above medium: BW-FS-001 \(high: \/usr\/bin\/su is set-user-id\)/,
  );
  assert.match(evaluate(policy, facts()).violations[0]!.message, /no secret and misconfiguration scan/);
});

test('checks rule: ids are validated when the policy loads', () => {
  const bad = throwsCode(
    () =>
      parsePolicy(
        'apiVersion: bulwark.dev/v1\nkind: ImagePolicy\nmetadata: { name: x }\nspec:\n  checks: { maxSeverity: low, skip: [IMG-1] }\n',
        'x.yaml',
        '/',
      ),
    'POLICY',
    'x.yaml',
  );
  assert.match(bad.reason, /^spec\.checks\.skip\[0\]: .* \(line 5\)$/, 'names the field and its line');
});
