import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TOOL_VERSION } from '../core/tool.js';
import { sarifErrors } from '../../test/support/report-schemas.js';
import type { ScanReport } from './report.js';
import { FINGERPRINT_KEY, ROOT_BASE_ID, relativeUri, renderSarif, toSarif, type SarifLog } from './sarif.js';
import { almaReport, bashTemp, cleanReport, pythonReport } from './fixtures/scan-report.js';
import { scanReportArb } from './fixtures/arbitrary.js';

// Through the renderer's text, as a code-scanning service reads it.
const sarifOf = (r: ScanReport) => JSON.parse(renderSarif(r)) as SarifLog;
function assertValid(doc: unknown): void {
  const errors = sarifErrors(doc);
  assert.equal(errors, null, `SARIF 2.1.0 schema errors:\n${JSON.stringify(errors, null, 2)}`);
}
const resultFor = (doc: SarifLog, id: string) => doc.runs[0]!.results.find((r) => r.ruleId === id)!;
const ruleFor = (doc: SarifLog, id: string) => doc.runs[0]!.tool.driver.rules.find((r) => r.id === id)!;

test('sarif: the validator is live: it rejects a bad level and an absolute-URI format error', () => {
  const doc = sarifOf(pythonReport);
  assertValid(doc);
  const badLevel = structuredClone(doc);
  (badLevel.runs[0]!.results[0] as { level: string }).level = 'critical';
  assert.notEqual(sarifErrors(badLevel), null);
  const badUri = structuredClone(doc);
  badUri.runs[0]!.tool.driver.rules[0]!.helpUri = 'not a uri';
  assert.notEqual(sarifErrors(badUri), null);
});

test('sarif: valid against the official 2.1.0 schema, one run, the bulwark driver', () => {
  for (const r of [pythonReport, almaReport, cleanReport]) assertValid(sarifOf(r));
  const doc = sarifOf(pythonReport);
  assert.equal(doc.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
  assert.equal(doc.version, '2.1.0');
  assert.equal(doc.runs.length, 1);
  const { name, version, informationUri } = doc.runs[0]!.tool.driver;
  assert.deepEqual({ name, version }, { name: 'bulwark', version: TOOL_VERSION });
  assert.match(informationUri, /^https:\/\//);
  assert.deepEqual(sarifOf(cleanReport).runs[0]!.results, []);
});

test('sarif: one rule per distinct shown id; every result points at its rule by id and index', () => {
  const doc = sarifOf(pythonReport);
  const { rules } = doc.runs[0]!.tool.driver;
  const shownIds = [...new Set(pythonReport.vulnerabilities!.shown.map((f) => f.id))].sort();
  assert.deepEqual(rules.map((r) => r.id).sort(), shownIds);
  assert.ok(
    !rules.some((r) => r.id === 'CVE-2023-45853' || r.id === 'CVE-2022-40897'),
    'no rules for suppressed findings',
  );
  assert.equal(doc.runs[0]!.results.length, pythonReport.vulnerabilities!.shown.length);
  for (const res of doc.runs[0]!.results) assert.equal(rules[res.ruleIndex]!.id, res.ruleId);
});

test('sarif: levels from severity, consistent between rule and result', () => {
  const doc = sarifOf(pythonReport);
  const level = (id: string) => [resultFor(doc, id).level, ruleFor(doc, id).defaultConfiguration.level];
  assert.deepEqual(level('CVE-2023-6246'), ['error', 'error']); // HIGH
  assert.deepEqual(level('CVE-2023-5678'), ['warning', 'warning']); // MEDIUM
  assert.deepEqual(level('CVE-2023-5752'), ['note', 'note']); // LOW
  assert.deepEqual(level(bashTemp.id), ['note', 'note']); // UNKNOWN
  const critical = { ...bashTemp, id: 'CVE-2023-45853', severity: 'CRITICAL' as const, status: 'unfixed' as const };
  const doc2 = sarifOf({ ...pythonReport, vulnerabilities: { ...pythonReport.vulnerabilities!, shown: [critical] } });
  assert.equal(doc2.runs[0]!.results[0]!.level, 'error');
});

test('sarif: rule descriptions, help and security-severity', () => {
  const doc = sarifOf(pythonReport);
  const pip = ruleFor(doc, 'CVE-2023-5752');
  assert.equal(
    pip.shortDescription.text,
    'Mercurial configuration injectable in repo revision when installing via pip',
  );
  assert.match(pip.fullDescription.text, /^CVE-2023-5752: Mercurial configuration/);
  assert.equal(
    pip.helpUri,
    'https://mail.python.org/archives/list/security-announce@python.org/thread/F4PL35U6X4VVHZ5ILJU3PWUWN7H7LZXL/',
    'the advisory, not the pull request listed first',
  );
  assert.deepEqual(pip.properties, {
    'security-severity': '3.3',
    tags: ['vulnerability', 'security', 'LOW'],
    precision: 'very-high',
  });
  assert.match(
    pip.help.text,
    /^Package: pip 23\.0\.1, fixed in: 23\.3, at: \/usr\/local\/lib\/python3\.11\/site-packages\/pip-23\.0\.1\.dist-info\/METADATA$/m,
  );
  assert.match(pip.help.text, /^Aliases: GHSA-mq26-g339-26xf, PYSEC-2023-228$/m);
  assert.ok(
    pip.help.markdown!.includes(
      '\n| LOW | pip | 23.0.1 | 23.3 | /usr/local/lib/python3.11/site-packages/pip-23.0.1.dist-info/METADATA |\n',
    ),
  );
  assert.ok(
    pip.help.markdown!.startsWith(
      '**Vulnerability [CVE-2023-5752](https://mail.python.org/archives/list/security-announce@python.org/thread/F4PL35U6X4VVHZ5ILJU3PWUWN7H7LZXL/)**: Mercurial',
    ),
  );
  assert.equal(ruleFor(doc, 'CVE-2023-6246').properties['security-severity'], '7.8', 'the CVSS score');
  const alsa = ruleFor(sarifOf(almaReport), 'ALSA-2024:2447');
  assert.equal(alsa.properties['security-severity'], '5.5', 'no CVSS: the usual score for MEDIUM');
  assert.match(alsa.help.text, /^Related: CVE-2023-3446, CVE-2023-3817, CVE-2023-5678, CVE-2024-0727$/m);
  const temp = ruleFor(doc, bashTemp.id);
  assert.ok(!('security-severity' in temp.properties), 'UNKNOWN and no CVSS: no score claimed');
  assert.equal(temp.helpUri, 'https://osv.dev/vulnerability/TEMP-0841856-B18BAF', 'no reference: the id at OSV');
  assert.equal(temp.shortDescription.text, '[Privilege escalation possible to other user than root]');
});

test('sarif: result message, relative artifact URI under ROOTPATH, the package as logical location', () => {
  const doc = sarifOf(pythonReport);
  const pip = resultFor(doc, 'CVE-2023-5752');
  assert.equal(pip.message.text, 'Package pip version 23.0.1 is vulnerable to CVE-2023-5752 (fixed in 23.3)');
  assert.equal(
    resultFor(doc, 'CVE-2011-3374').message.text,
    'Package apt version 2.6.1 is vulnerable to CVE-2011-3374 (no fix available)',
  );
  const loc = pip.locations[0]!;
  assert.deepEqual(loc.physicalLocation, {
    artifactLocation: {
      uri: 'usr/local/lib/python3.11/site-packages/pip-23.0.1.dist-info/METADATA',
      uriBaseId: ROOT_BASE_ID,
    },
    region: { startLine: 1 },
  });
  assert.deepEqual(loc.logicalLocations, [{ name: 'pip', fullyQualifiedName: 'pkg:pypi/pip@23.0.1', kind: 'package' }]);
  assert.equal(
    resultFor(doc, 'CVE-2023-6246').locations[0]!.physicalLocation.artifactLocation.uri,
    'var/lib/dpkg/status',
    'OS packages: their database',
  );
  assert.deepEqual(doc.runs[0]!.originalUriBaseIds, { [ROOT_BASE_ID]: { uri: 'file:///' } });
  for (const r of doc.runs[0]!.results)
    assert.ok(!r.locations[0]!.physicalLocation.artifactLocation.uri.startsWith('/'));
});

test('sarif: relative URIs are percent-encoded path segments', () => {
  assert.equal(
    relativeUri('/app/node_modules/@babel/core/package.json'),
    'app/node_modules/%40babel/core/package.json',
  );
  assert.equal(relativeUri('/a b/c%zz/d:e'), 'a%20b/c%25zz/d%3Ae');
  assert.equal(relativeUri('//x'), 'x');
  assert.equal(relativeUri('/'), '.');
  assert.equal(relativeUri('/bad\uD800'), 'bad%EF%BF%BD');
});

test('sarif: fingerprints are stable across runs and orderings, and distinct per finding', () => {
  const a = sarifOf(pythonReport);
  const v = pythonReport.vulnerabilities!;
  const b = sarifOf({ ...pythonReport, vulnerabilities: { ...v, shown: [...v.shown].reverse() } });
  const fp = (d: SarifLog) =>
    Object.fromEntries(
      d.runs[0]!.results.map((r) => [
        `${r.ruleId} ${r.locations[0]!.logicalLocations[0]!.name}`,
        r.partialFingerprints[FINGERPRINT_KEY],
      ]),
    );
  assert.deepEqual(fp(a), fp(b));
  const values = Object.values(fp(a));
  assert.equal(new Set(values).size, values.length);
  for (const x of values) assert.match(x!, /^[0-9a-f]{64}$/);
});

test('sarif: arbitrary ids, titles, paths and references still give schema-valid, consistent logs', () => {
  fc.assert(
    fc.property(scanReportArb, (r) => {
      const doc = toSarif(r);
      assertValid(JSON.parse(JSON.stringify(doc)));
      const run = doc.runs[0]!;
      assert.equal(run.results.length, r.vulnerabilities!.shown.length);
      assert.equal(
        new Set(run.tool.driver.rules.map((x) => x.id)).size,
        run.tool.driver.rules.length,
        'one rule per id',
      );
      const order = ['note', 'warning', 'error'];
      for (const res of run.results) {
        const rule = run.tool.driver.rules[res.ruleIndex]!;
        assert.equal(rule.id, res.ruleId);
        // a rule carries its id's worst severity; a result never claims more than its rule
        assert.ok(order.indexOf(res.level) <= order.indexOf(rule.defaultConfiguration.level));
        const uri = res.locations[0]!.physicalLocation.artifactLocation.uri;
        assert.ok(!uri.startsWith('/') && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri), `relative: ${uri}`);
      }
    }),
    { numRuns: 200 },
  );
});

test('sarif: failed checks become rules from the catalog (STRIDE and ATT&CK tags) and results at their file and line', () => {
  const layer = { index: 1, diffId: `sha256:${'e'.repeat(64)}` };
  const report: ScanReport = {
    ...pythonReport,
    checks: [
      {
        checkId: 'BW-FS-001',
        severity: 'LOW',
        title: 'Set-user-id or set-group-id executable',
        message: '/usr/bin/su is set-user-id (mode 4755)',
        location: { path: '/usr/bin/su', layer },
      },
      {
        checkId: 'BW-IMG-001',
        severity: 'HIGH',
        title: 'Image runs as root',
        message: 'no USER: the container runs as root',
        location: { path: 'image config', field: 'config.User' },
      },
      {
        checkId: 'BW-WL-001',
        severity: 'CRITICAL',
        title: 'Privileged container',
        message: 'Deployment/web: container "nginx" is privileged',
        location: {
          path: 'k8s/web.yaml',
          line: 13,
          field: 'spec.template.spec.containers[0].securityContext.privileged',
        },
      },
    ],
  };
  const doc = sarifOf(report);
  assertValid(doc);
  const vulnRules = sarifOf(pythonReport).runs[0]!.tool.driver.rules.length;
  const rule = ruleFor(doc, 'BW-WL-001');
  assert.ok(
    rule.properties.tags.includes('ElevationOfPrivilege') &&
      rule.properties.tags.includes('T1611') &&
      rule.properties.tags.includes('misconfiguration'),
  );
  assert.equal(rule.defaultConfiguration.level, 'error');
  const wl = resultFor(doc, 'BW-WL-001');
  assert.equal(wl.ruleIndex, doc.runs[0]!.tool.driver.rules.indexOf(rule));
  assert.ok(wl.ruleIndex >= vulnRules, 'check rules come after the vulnerability rules');
  assert.equal(wl.locations[0]!.physicalLocation.artifactLocation.uri, 'k8s/web.yaml');
  assert.equal(wl.locations[0]!.physicalLocation.region.startLine, 13);
  assert.equal(resultFor(doc, 'BW-FS-001').locations[0]!.physicalLocation.artifactLocation.uri, 'usr/bin/su');
  assert.equal(resultFor(doc, 'BW-IMG-001').level, 'error');
});
