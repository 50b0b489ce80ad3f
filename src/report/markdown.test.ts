import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Finding } from '../core/types.js';
import { FOLD_ROWS, mdText, renderMarkdown } from './markdown.js';
import type { ScanReport } from './report.js';
import { aptKey, cleanReport, pipMercurial, pythonImage, pythonReport } from './fixtures/scan-report.js';
import { scanReportArb } from './fixtures/arbitrary.js';

const withShown = (shown: Finding[]): ScanReport => ({
  ...pythonReport,
  vulnerabilities: { ...pythonReport.vulnerabilities!, findings: shown, shown, expiredIgnores: [] },
});

/** "|" characters that end a table cell: those not escaped by an odd run of backslashes. */
function cellBars(line: string): number {
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] !== '|') continue;
    let bs = 0;
    for (let j = i - 1; j >= 0 && line[j] === '\\'; j--) bs++;
    if (bs % 2 === 0) n++;
  }
  return n;
}
const tableRows = (md: string) => md.split('\n').filter((l) => l.startsWith('| '));

test('markdown: heading with the image and counts per severity', () => {
  const md = renderMarkdown(pythonReport);
  assert.ok(
    md.startsWith(
      '### docker.io/library/python:3.11-slim-bookworm: 8 vulnerabilities\n\n**CRITICAL: 0 · HIGH: 2 · MEDIUM: 3 · LOW: 2 · UNKNOWN: 1**\n',
    ),
  );
});

test('markdown: one table per target, rows by severity, ids linked to the advisory (else its OSV page)', () => {
  const md = renderMarkdown(pythonReport);
  assert.equal(md.split('| Package | Installed | Fixed in | ID | Severity | Title |').length - 1, 4);
  assert.match(
    md,
    /^#### OS packages \(debian 12\): 5 vulnerabilities \(CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 1, UNKNOWN: 1\)$/m,
  );
  assert.match(md, /^#### \/usr\/local\/lib\/python3\.11\/site-packages: 1 vulnerability /m);
  assert.ok(
    md.includes(
      '| pip | 23.0.1 | 23.3 | [CVE-2023-5752](https://mail.python.org/archives/list/security-announce@python.org/thread/F4PL35U6X4VVHZ5ILJU3PWUWN7H7LZXL/) | LOW | Mercurial configuration injectable in repo revision when installing via pip |',
    ),
    'the ADVISORY reference, not the pull request listed first',
  );
  assert.ok(
    md.includes('| apt | 2.6.1 | — | [CVE-2011-3374](https://osv.dev/vulnerability/CVE-2011-3374) | LOW |'),
    'no fix: a dash; no advisory: the OSV page',
  );
  assert.ok(
    md.includes('[TEMP-0841856-B18BAF](https://osv.dev/vulnerability/TEMP-0841856-B18BAF)'),
    'no reference: the id at OSV',
  );
  const os = md.slice(md.indexOf('#### OS packages'), md.indexOf('#### /app'));
  assert.deepEqual(
    tableRows(os)
      .slice(2)
      .map((l) => /\[([^\]]+)\]/.exec(l)?.[1]),
    ['CVE-2023-6246', 'CVE-2023-5678', 'CVE-2024-0727', 'CVE-2011-3374', 'TEMP-0841856-B18BAF'],
  );
  for (const l of tableRows(md)) assert.equal(cellBars(l), 7, l);
});

test('markdown: suppressed findings and expired ignores get a line each; the feeds close the comment', () => {
  const md = renderMarkdown(pythonReport);
  assert.ok(
    md.includes(
      '2 suppressed and not counted (1 ignored, 1 not affected): CVE-2023-45853 in zlib1g (vulnerable\\_code\\_not\\_present: minizip is not built into zlib1g); CVE-2022-40897 in setuptools (build-time only; installs come from our own index).',
    ),
  );
  assert.ok(
    md.includes('**1 ignore entry has expired and no longer applies:** CVE-2023-5678 (libssl3) expired on 2024-03-31.'),
  );
  assert.match(md, /Vulnerability DB: Debian:12 \(41,234 records, updated 2024-05-01T06:00:00Z\), PyPI .*\.\n$/);
  assert.ok(!tableRows(md).some((l) => l.includes('CVE-2023-45853')), 'suppressed findings stay out of the tables');
});

test('markdown: a clean scan is one line: no vulnerabilities, and the feeds used', () => {
  assert.equal(
    renderMarkdown(cleanReport),
    '**No vulnerabilities found** in docker.io/library/python:3.11-slim-bookworm. Vulnerability DB: Debian:12 (41,234 records, updated 2024-05-01T06:00:00Z), PyPI (14,051 records, updated 2024-05-01T06:00:00Z), Go (3,112 records, updated 2024-05-01T06:00:00Z), npm (17,890 records, updated 2024-05-01T06:00:00Z).\n',
  );
  assert.match(renderMarkdown({ inventory: pythonImage }), /vulnerabilities were not scanned/);
});

test('markdown: titles cannot break the table, inject HTML, links or mentions', () => {
  const evil: Finding = {
    ...pipMercurial,
    title: 'a | b <img src=x> [c](https://e.x) @octocat **x** `t` \\| e',
    package: { ...pipMercurial.package, name: 'pip|<b>' },
    advisory: 'https://example.com/a(b)c',
  };
  const md = renderMarkdown(withShown([evil]));
  const row = tableRows(md).find((l) => l.includes('pip'))!;
  assert.equal(cellBars(row), 7);
  assert.ok(!md.includes('<img') && !md.includes('<b>'), 'no raw HTML');
  assert.ok(
    row.endsWith('| a \\| b &lt;img src=x&gt; \\[c\\](https://e.x) &#64;octocat \\*\\*x\\*\\* \\`t\\` \\\\\\| e |'),
    row,
  );
  assert.ok(row.includes('| pip\\|&lt;b&gt; |'));
  assert.ok(
    row.includes('[CVE-2023-5752](https://example.com/a%28b%29c)'),
    'parentheses in the URL cannot end the link',
  );
  assert.equal(mdText('line\nbreak'), 'line break');
});

test(`markdown: a target with more than ${FOLD_ROWS} rows is folded into <details>`, () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => ({ ...aptKey, id: `CVE-2024-${1000 + i}` }));
  const folded = renderMarkdown(withShown(many(FOLD_ROWS + 1)));
  assert.match(
    folded,
    /^<details>\n<summary>OS packages \(debian 12\): 11 vulnerabilities \(CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 11, UNKNOWN: 0\)<\/summary>\n\n\| Package /m,
  );
  assert.match(folded, /\|\n\n<\/details>/);
  const open = renderMarkdown(withShown(many(FOLD_ROWS)));
  assert.ok(!open.includes('<details>'));
  assert.match(open, /^#### OS packages \(debian 12\): 10 vulnerabilities/m);
});

test('markdown: arbitrary findings keep every table row at six cells and no raw HTML', () => {
  fc.assert(
    fc.property(scanReportArb, (r) => {
      const md = renderMarkdown(r);
      for (const l of tableRows(md)) assert.equal(cellBars(l), 7, l);
      const tags = md.match(/<\/?[A-Za-z][^>]*>/g) ?? [];
      assert.ok(
        tags.every((t) => /^<\/?(details|summary)>$/.test(t)),
        tags.join(' '),
      );
    }),
    { numRuns: 200 },
  );
});
