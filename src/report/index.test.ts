import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { renderers } from './index.js';
import { cleanReport, pythonImage, pythonReport } from './fixtures/scan-report.js';
import { scanReportArb } from './fixtures/arbitrary.js';

test('renderers: one per --format value, as the CLI documents them', () => {
  assert.deepEqual(Object.keys(renderers), ['table', 'json', 'cyclonedx', 'spdx-json', 'sarif', 'markdown']);
});

test('renderers: every format renders an inventory alone, a report with findings, and a clean report', () => {
  for (const [format, render] of Object.entries(renderers)) {
    for (const r of [{ inventory: pythonImage }, pythonReport, cleanReport]) {
      const out = render(r);
      assert.ok(out.endsWith('\n') && out.length > 1, format);
      if (format !== 'table' && format !== 'markdown') JSON.parse(out);
    }
  }
});

test('renderers: the cyclonedx format carries the findings; spdx-json the inventory only', () => {
  const cdx = JSON.parse(renderers.cyclonedx!(pythonReport)) as { vulnerabilities?: unknown[] };
  assert.equal(cdx.vulnerabilities?.length, pythonReport.vulnerabilities!.findings.length);
  assert.ok(!('vulnerabilities' in (JSON.parse(renderers.cyclonedx!({ inventory: pythonImage })) as object)));
  const spdx = JSON.parse(renderers['spdx-json']!(pythonReport)) as { packages: unknown[] };
  assert.ok(spdx.packages.length >= pythonImage.packages.length);
});

test('renderers: no format throws on arbitrary reports', () => {
  fc.assert(
    fc.property(scanReportArb, (r) => {
      for (const render of Object.values(renderers)) assert.equal(typeof render(r), 'string');
    }),
    { numRuns: 100 },
  );
});
