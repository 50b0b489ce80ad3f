import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../core/types.js';
import { renderTable } from './table.js';
import { almaReport, cleanReport, glibcSyslog, pythonImage, pythonReport } from './fixtures/scan-report.js';

const before = (s: string, marker: string) => s.slice(0, s.indexOf(marker));
const lineOf = (s: string, needle: string) => s.split('\n').find((l) => l.includes(needle));

test('table: vulnerabilities grouped by target, OS first and labelled with the OS, then application paths', () => {
  const out = renderTable(pythonReport);
  const labels = [
    'OS packages (debian 12)',
    '/app\n',
    '/usr/local/bin/healthcheck\n',
    '/usr/local/lib/python3.11/site-packages\n',
  ];
  const at = labels.map((l) => out.indexOf(l));
  assert.ok(
    at.every((i) => i > out.indexOf('packages:  9')),
    'after the image header',
  );
  assert.deepEqual(
    [...at].sort((a, b) => a - b),
    at,
    'in this order',
  );
  assert.match(
    out,
    /^OS packages \(debian 12\)\n5 vulnerabilities \(CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 1, UNKNOWN: 1\)\nPACKAGE +INSTALLED +FIXED IN +ID +SEVERITY +TITLE$/m,
  );
  assert.match(
    out,
    /^\/usr\/local\/lib\/python3\.11\/site-packages\n1 vulnerability \(CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 1, UNKNOWN: 0\)$/m,
  );
  assert.match(renderTable(almaReport), /^OS packages \(almalinux 9\.3\)$/m);
});

test('table: rows by severity, CRITICAL first, then package; columns as installed and fixed', () => {
  const out = renderTable(pythonReport);
  const os = out.slice(out.indexOf('OS packages'), out.indexOf('\n\n/app'));
  const ids = os
    .split('\n')
    .slice(3)
    .map((l) => l.split(/ {2,}/)[3]);
  assert.deepEqual(ids, ['CVE-2023-6246', 'CVE-2023-5678', 'CVE-2024-0727', 'CVE-2011-3374', 'TEMP-0841856-B18BAF']);
  assert.match(
    lineOf(out, 'CVE-2023-5752')!,
    /^pip +23\.0\.1 +23\.3 +CVE-2023-5752 +LOW +Mercurial configuration injectable in repo revision when…$/,
  );
  assert.match(lineOf(out, 'CVE-2011-3374')!, /^apt +2\.6\.1 +- +CVE-2011-3374 +LOW /, 'no fix: a dash');
});

test('table: long titles are cut at a word, to at most 60 characters', () => {
  const row = lineOf(renderTable(pythonReport), glibcSyslog.id)!;
  const title = row.slice(row.indexOf('HIGH') + 'HIGH'.length).trim();
  assert.equal(title, 'A heap-based buffer overflow was found in the…');
  assert.ok(title.length <= 60);
  const oneWord = { ...glibcSyslog, title: 'x'.repeat(200) };
  const r = { ...pythonReport, vulnerabilities: { ...pythonReport.vulnerabilities!, shown: [oneWord] } };
  assert.ok(lineOf(renderTable(r), glibcSyslog.id)!.endsWith(`${'x'.repeat(59)}…`), 'no word boundary: cut hard');
});

test('table: total line, then suppressed findings with reasons and expired ignore entries; only shown findings in the tables', () => {
  const out = renderTable(pythonReport);
  assert.match(out, /^Total: 8 \(CRITICAL: 0, HIGH: 2, MEDIUM: 3, LOW: 2, UNKNOWN: 1\)$/m);
  const tables = before(out, 'Total:');
  assert.ok(
    !tables.includes('CVE-2023-45853') && !tables.includes('CVE-2022-40897'),
    'suppressed findings are not in the tables',
  );
  assert.match(
    out,
    /^Suppressed \(2, not counted\):\n {2}CVE-2023-45853 in zlib1g 1:1\.2\.13\.dfsg-1: not affected \(vulnerable_code_not_present: minizip is not built into zlib1g\)\n {2}CVE-2022-40897 in setuptools 65\.5\.0: ignored \(build-time only; installs come from our own index\)$/m,
  );
  assert.match(
    out,
    /^Expired ignore entries:\n {2}CVE-2023-5678 \(libssl3\): expired on 2024-03-31: no longer applied \(waiting for the 12\.5 point release\)$/m,
  );
});

test('table: package tables only when asked, or when nothing was scanned for vulnerabilities', () => {
  const pkgHeader = /^TYPE +NAME +VERSION +SOURCE +ARCH +LAYER$/m;
  const langHeader = /^TYPE +NAME +VERSION +LAYER +PATH$/m;
  assert.doesNotMatch(renderTable(pythonReport), pkgHeader);
  const all = renderTable({ ...pythonReport, listAllPackages: true });
  assert.match(all, pkgHeader);
  assert.match(all, langHeader);
  assert.ok(all.indexOf('Total:') < all.search(pkgHeader), 'vulnerabilities first');
  const inventoryOnly = renderTable({ inventory: pythonImage });
  assert.match(inventoryOnly, /^LAYER +DIFF ID +CREATED BY$/m);
  assert.match(inventoryOnly, pkgHeader);
  assert.match(
    inventoryOnly,
    /^pypi +pip +23\.0\.1 +2 +\/usr\/local\/lib\/python3\.11\/site-packages\/pip-23\.0\.1\.dist-info\/METADATA$/m,
  );
  assert.doesNotMatch(inventoryOnly, /Total:|vulnerabilit/i);
});

test('table: a clean scan says so, with zero counts', () => {
  const out = renderTable(cleanReport);
  assert.match(out, /^No vulnerabilities found\. Total: 0 \(CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0\)$/m);
  assert.doesNotMatch(out, /PACKAGE +INSTALLED/);
});

test('table: problems are listed whatever else is shown', () => {
  const inventory = {
    ...pythonImage,
    issues: [
      { analyzer: 'python', path: '/usr/lib/python3/dist-packages/x.dist-info/METADATA', message: 'unreadable' },
    ],
  };
  assert.match(
    renderTable({ ...pythonReport, inventory }),
    /^Problems \(packages in these files may be missing\):\n {2}\/usr\/lib\/python3\/dist-packages\/x\.dist-info\/METADATA: unreadable \[python\]$/m,
  );
});

test('table: a title with line breaks stays on its row', () => {
  const f: Finding = { ...glibcSyslog, title: 'first line\nsecond\tline' };
  const r = { ...pythonReport, vulnerabilities: { ...pythonReport.vulnerabilities!, shown: [f] } };
  assert.match(lineOf(renderTable(r), f.id)!, /first line second line$/);
});
