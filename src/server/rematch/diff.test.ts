import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../core/types.js';
import { diffFindings, isEmptyDiff, storedFinding } from './diff.js';

// Identity rules of the diff, one case each (the real-data test is rematch.test.ts).

const finding = (id: string, aliases: string[], over: Partial<Finding> = {}, path = '/usr/bin/app'): Finding => ({
  id,
  aliases,
  related: [],
  osvEcosystem: 'Go',
  package: {
    ecosystem: 'golang',
    name: 'stdlib',
    version: 'v1.19.8',
    purl: 'pkg:golang/stdlib@v1.19.8',
    path,
    layer: { index: 0, diffId: '' },
  },
  fixedVersions: ['1.19.10'],
  status: 'fixed',
  severity: 'HIGH',
  severitySource: 'test',
  references: [],
  target: path,
  ...over,
});

test('the same findings: an empty diff', () => {
  const f = [finding('CVE-1', ['GO-1']), finding('CVE-2', [])];
  assert.ok(isEmptyDiff(diffFindings(f.map(storedFinding), f)));
});

test('renamed through an alias (GHSA then CVE): the same finding', () => {
  const d = diffFindings([storedFinding(finding('GHSA-x', ['GO-1']))], [finding('CVE-1', ['GHSA-x', 'GO-1'])]);
  assert.ok(isEmptyDiff(d));
});

test('the same vulnerability in another binary is another finding', () => {
  const d = diffFindings(
    [storedFinding(finding('CVE-1', []))],
    [finding('CVE-1', []), finding('CVE-1', [], {}, '/usr/bin/other')],
  );
  assert.deepEqual(
    d.added.map((f) => f.package.path),
    ['/usr/bin/other'],
  );
  assert.equal(d.removed.length + d.changed.length, 0);
});

test('an upgraded package: the old version removed, the new one added', () => {
  const up = finding('CVE-1', [], { package: { ...finding('CVE-1', []).package, version: 'v1.19.9' } });
  const d = diffFindings([storedFinding(finding('CVE-1', []))], [up]);
  assert.equal(d.added.length, 1);
  assert.equal(d.removed.length, 1);
});

test('changed fields are named', () => {
  const d = diffFindings(
    [storedFinding(finding('CVE-1', []))],
    [
      finding('CVE-1', [], {
        severity: 'CRITICAL',
        cvss: { version: '3.1', vector: 'v', score: 9.8 },
        fixedVersions: ['1.19.11'],
      }),
    ],
  );
  assert.deepEqual(
    d.changed.map((c) => c.fields),
    [['severity', 'cvss', 'fixedVersions']],
  );
});
