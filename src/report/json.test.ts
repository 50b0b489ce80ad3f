import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { renderJson } from './json.js';
import type { ScanReport } from './report.js';
import { pythonImage, pythonReport } from './fixtures/scan-report.js';
import { scanReportArb } from './fixtures/arbitrary.js';

type Json = Record<string, unknown>;
const parse = (r: ScanReport) => JSON.parse(renderJson(r)) as Json;

/** The same value with every object's keys inserted in reverse order. */
function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v)
      .reverse()
      .map(([k, x]) => [k, reversed(x)]),
  );
}

test('json: the inventory fields, then vulnerabilities { findings, expiredIgnores, db }', () => {
  const doc = parse(pythonReport);
  assert.deepEqual(Object.keys(doc), [
    'schemaVersion',
    'artifact',
    'os',
    'layers',
    'packages',
    'issues',
    'vulnerabilities',
  ]);
  const v = doc.vulnerabilities as Json;
  assert.deepEqual(Object.keys(v), ['findings', 'expiredIgnores', 'db']);
  assert.deepEqual(v.expiredIgnores, pythonReport.vulnerabilities!.expiredIgnores);
  assert.deepEqual(v.db, pythonReport.vulnerabilities!.db);
});

test('json: every finding, suppressed ones too, with its status and reason', () => {
  const findings = (parse(pythonReport).vulnerabilities as Json).findings as Json[];
  assert.equal(findings.length, 10);
  assert.deepEqual(findings, JSON.parse(JSON.stringify(pythonReport.vulnerabilities!.findings)));
  const zlib = findings.find((f) => f.id === 'CVE-2023-45853')!;
  assert.deepEqual(
    [zlib.status, zlib.statusReason],
    ['not_affected', 'vulnerable_code_not_present: minizip is not built into zlib1g'],
  );
  assert.deepEqual(Object.keys(zlib).slice(0, 4), ['id', 'status', 'statusReason', 'severity']);
  assert.equal(findings.find((f) => f.id === 'CVE-2022-40897')!.status, 'ignored');
});

test('json: key order is fixed whatever order the objects were built in', () => {
  assert.equal(renderJson(reversed(pythonReport) as ScanReport), renderJson(pythonReport));
});

test('json: without vulnerability results, the inventory alone', () => {
  const doc = parse({ inventory: pythonImage });
  assert.ok(!('vulnerabilities' in doc));
  assert.deepEqual(doc, JSON.parse(JSON.stringify(pythonImage)));
});

test('json: a "__proto__" key from scanned metadata stays an ordinary member', () => {
  const metadata = JSON.parse('{"__proto__": "x", "location": "y"}') as Record<string, string>;
  const inventory = { ...pythonImage, packages: [{ ...pythonImage.packages[0]!, metadata }] };
  const pkg = (parse({ inventory }).packages as Json[])[0]!;
  assert.deepEqual(Object.entries(pkg.metadata as Json), [
    ['__proto__', 'x'],
    ['location', 'y'],
  ]);
});

test('json: arbitrary reports round-trip their findings', () => {
  fc.assert(
    fc.property(scanReportArb, (r) => {
      const doc = parse(r);
      assert.deepEqual((doc.vulnerabilities as Json).findings, JSON.parse(JSON.stringify(r.vulnerabilities!.findings)));
      assert.equal(renderJson(reversed(r) as ScanReport), renderJson(r));
    }),
    { numRuns: 100 },
  );
});
