import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Finding, Package } from '../core/types.js';
import { escapeControls } from './control.js';
import { pipMercurial, pythonImage, pythonReport } from './fixtures/scan-report.js';
import { renderMarkdown } from './markdown.js';
import type { ScanReport } from './report.js';
import { renderTable } from './table.js';

// A hostile image names its packages, versions, paths and layer commands with terminal escape
// sequences (set the window title, clear the screen), carriage returns and backspaces that hide
// text, and bidirectional overrides: table and Markdown show them as visible escapes only.

const OSC_TITLE = '\u001b]0;pwned\u0007';
const CLEAR = '\u001b[2J\u001b[H';
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const evilPkg: Package = {
  ...pythonImage.packages.find((p) => p.name === 'pip')!,
  name: `pip${OSC_TITLE}`,
  version: `23.0.1\rSAFE  \b\b`,
  path: `/usr/lib/${CLEAR}x/METADATA`,
};
const evilFinding: Finding = {
  ...pipMercurial,
  title: `harmless\u202Eredli\u0085`,
  package: { ...pipMercurial.package, name: evilPkg.name, version: evilPkg.version, path: evilPkg.path },
  target: `/srv/${CLEAR}`,
};
const evil: ScanReport = {
  ...pythonReport,
  inventory: {
    ...pythonImage,
    artifact: { ...pythonImage.artifact, name: `img${OSC_TITLE}`, repoTags: [`t\u009b31m`] },
    layers: [{ index: 0, digest: 'sha256:0', diffId: 'sha256:0', createdBy: `RUN x${CLEAR}` }],
    packages: [...pythonImage.packages, evilPkg],
    issues: [{ analyzer: 'python', path: `/x${CLEAR}`, message: `bad\u001b[31m` }],
  },
  vulnerabilities: { ...pythonReport.vulnerabilities!, shown: [evilFinding] },
  listAllPackages: true,
};

test('table and Markdown carry no control character from the image, only visible escapes', () => {
  for (const [format, out] of [
    ['table', renderTable(evil)],
    ['markdown', renderMarkdown(evil)],
  ] as const) {
    assert.ok(!RAW.test(out), `${format}: ${JSON.stringify(out.match(RAW))}`);
  }
  const table = renderTable(evil);
  assert.ok(table.includes('pip\\x1B]0;pwned\\x07'), 'the name is shown, escaped');
  assert.ok(table.includes('23.0.1\\x0DSAFE  \\x08\\x08'));
  assert.ok(table.includes('harmless\\u202Eredli'));
  assert.ok(table.includes('RUN x\\x1B[2J\\x1B[H'));
});

test('escapeControls keeps text and line breaks, and leaves no control character', () => {
  assert.equal(escapeControls('a\nb\tc\u001bd\u202Ee'), 'a\nb\\x09c\\x1Bd\\u202Ee');
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => {
      const out = escapeControls(s);
      return !RAW.test(out) && out.split('\n').length === s.split('\n').length;
    }),
  );
});
