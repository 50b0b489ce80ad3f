import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory, Package } from '../core/types.js';
import { matchInventory } from '../match/matcher.js';
import { parseOsvRecord } from '../vulndb/osv.js';
import { renderMarkdown } from './markdown.js';
import type { ScanReport } from './report.js';
import { renderTable } from './table.js';

// Reports say where: real OSV records matched against an image with the same Go toolchain in
// two esbuild binaries under one node_modules (as npm installs esbuild) and a Python package.

const FIXTURES = join(import.meta.dirname, '..', 'match', 'fixtures');
const RECORDS = ['GO-2023-1840', 'PYSEC-2006-3'].map((id) =>
  parseOsvRecord(readFileSync(join(FIXTURES, `${id}.json`)), id),
);
const A = '/app/node_modules/esbuild/bin/esbuild';
const B = '/app/node_modules/@esbuild/linux-x64/bin/esbuild';
const pkg = (ecosystem: Package['ecosystem'], name: string, version: string, path: string): Package => ({
  ecosystem,
  name,
  version,
  path,
  licenses: [],
  purl: '',
  layer: { index: 0, diffId: '' },
  files: [],
});
const inventory: Inventory = {
  schemaVersion: 1,
  artifact: { name: 'app.tar', type: 'docker-archive', repoTags: [], repoDigests: [] },
  os: null,
  layers: [],
  packages: [
    pkg('golang', 'stdlib', 'v1.20.4', A),
    pkg('golang', 'stdlib', 'v1.20.4', B),
    pkg('pypi', 'trac', '0.10', '/usr/lib/python3/dist-packages/trac-0.10.egg-info/PKG-INFO'),
  ],
  issues: [],
};
const { findings } = matchInventory(inventory, {
  advisoriesFor: (eco, name) =>
    RECORDS.filter((r) => r.affected?.some((a) => a.package?.ecosystem === eco && a.package.name === name)),
});
const report: ScanReport = {
  inventory,
  vulnerabilities: { findings, shown: findings, expiredIgnores: [], db: { feeds: [] } },
};

test('table: one section per binary, the same module in two binaries never a repeated row', () => {
  const out = renderTable(report);
  const sections = out.split('\n\n');
  for (const path of [A, B]) {
    const s = sections.find((x) => x.startsWith(`${path}\n`));
    assert.ok(s, `a section headed ${path}`);
    assert.equal(s.split('\n').filter((l) => l.includes('CVE-2023-29403')).length, 1, s);
  }
  assert.ok(!sections.some((s) => s.startsWith('/app\n')), 'binaries are not folded into the npm application');
});

test('markdown: a heading per binary, and ids linked to the advisory, not to the first reference', () => {
  const out = renderMarkdown(report);
  for (const path of [A, B])
    assert.equal(
      out
        .split('\n')
        .filter((l) => l.startsWith('#### ') && l.includes(path.replace('@', '&#64;').replace(/_/g, '\\_'))).length,
      1,
      path,
    );
  assert.equal(out.match(/\[CVE-2023-29403\]\(https:\/\/osv\.dev\/vulnerability\/GO-2023-1840\)/g)?.length, 2);
  assert.match(out, /\[CVE-2006-5878\]\(http:\/\/www\.debian\.org\/security\/2006\/dsa-1209\)/);
  assert.ok(!out.includes('go.dev/issue') && !out.includes('go.dev/cl') && !out.includes('wiki/ChangeLog'));
});
