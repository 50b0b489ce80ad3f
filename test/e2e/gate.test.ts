import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../../src/core/types.js';
import { makeTempDir, type TempDir } from '../../src/core/tempdir.js';
import { bulwark } from '../support/fixtures.js';

// Issue 4 acceptance 4: the CI gate's exit codes, ignore-file expiry and VEX suppression,
// through the CLI as a pipeline runs it, on the real PyPI advisories.

const PYPI = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'osv', 'PyPI', 'all.zip');
let tmp: TempDir;
let db = '';
let app = '';

before(async () => {
  tmp = await makeTempDir();
  db = join(tmp.path, 'v.db');
  assert.equal(bulwark(['db', 'import', PYPI, '--db', db]).code, 0);
  app = join(tmp.path, 'app');
  for (const [name, version] of [
    ['requests', '2.30.0'],
    ['pip', '23.0.1'],
  ]) {
    const d = join(app, 'site-packages', `${name}-${version}.dist-info`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'METADATA'), `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`);
  }
});
after(() => tmp.remove());

function scan(...extra: string[]): { code: number; stderr: string; findings: Finding[]; shown: number } {
  const r = bulwark(['scan', 'fs', app, '--db', db, '--format', 'json', ...extra]);
  const findings = r.stdout
    ? (JSON.parse(r.stdout) as { vulnerabilities: { findings: Finding[] } }).vulnerabilities.findings
    : [];
  const open = findings.filter((f) => f.status === 'fixed' || f.status === 'unfixed');
  return { code: r.code, stderr: r.stderr, findings, shown: open.length };
}

test('exit code: the --exit-code value when findings remain after filters, 0 otherwise, 2 reserved', () => {
  const all = scan('--exit-code', '7');
  assert.ok(all.shown > 0);
  assert.equal(all.code, 7);
  assert.equal(scan().code, 0, 'without --exit-code findings do not fail the run');
  const present = new Set(all.findings.map((f) => f.severity));
  const absent = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].filter((s) => !present.has(s as Finding['severity']));
  if (absent.length > 0)
    assert.equal(scan('--exit-code', '7', '--severity', absent.join(',')).code, 0, 'filtered out by severity');
  const one = [...present][0]!;
  assert.equal(scan('--exit-code', '7', '--severity', one).code, 7);
  const r = bulwark(['scan', 'fs', app, '--db', db, '--exit-code', '2']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /exit code must be 0–255 and not 2/);
  const noDb = bulwark(['scan', 'fs', app, '--db', join(tmp.path, 'none.db'), '--scanners', 'pkg,vuln']);
  assert.equal(noDb.code, 2);
  assert.match(noDb.stderr, /no vulnerability database/);
});

function distInfo(dir: string, pkgs: [string, string][]): string {
  for (const [name, version] of pkgs) {
    const d = join(dir, 'site-packages', `${name}-${version}.dist-info`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'METADATA'), `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`);
  }
  return dir;
}

test('--ignore-unfixed leaves out a real unfixed finding and keeps the fixed ones', () => {
  // pycrypto 2.6.1 is its last release: PYSEC-2018-97 (CVE-2018-6594) has no fixed event
  const both = distInfo(join(tmp.path, 'unfixed'), [
    ['pycrypto', '2.6.1'],
    ['requests', '2.30.0'],
  ]);
  const run = (dir: string, ...extra: string[]) =>
    bulwark(['scan', 'fs', dir, '--db', db, '--exit-code', '7', ...extra]);
  const json = JSON.parse(run(both, '--format', 'json').stdout) as { vulnerabilities: { findings: Finding[] } };
  const cve = json.vulnerabilities.findings.find((f) => f.id === 'CVE-2018-6594');
  assert.equal(cve?.package.name, 'pycrypto');
  assert.equal(cve.status, 'unfixed');
  assert.deepEqual(cve.fixedVersions, []);
  const all = run(both);
  assert.match(all.stdout, /CVE-2018-6594/);
  assert.match(all.stdout, /CVE-2023-32681/);
  const fixedOnly = run(both, '--ignore-unfixed');
  assert.doesNotMatch(fixedOnly.stdout, /CVE-2018-6594/);
  assert.match(fixedOnly.stdout, /CVE-2023-32681/, 'fixed findings stay');
  assert.equal(fixedOnly.code, 7);
  // the gate: pycrypto alone has only unfixed findings
  const alone = distInfo(join(tmp.path, 'unfixed-alone'), [['pycrypto', '2.6.1']]);
  assert.equal(run(alone).code, 7);
  assert.equal(run(alone, '--ignore-unfixed').code, 0);
});

test('ignore file: live entries suppress with their reason; expired ones stop applying and are reported', () => {
  const file = join(tmp.path, 'ignore.yaml');
  writeFileSync(
    file,
    [
      '- id: CVE-2023-32681',
      '  package: requests',
      '  reason: proxy auth not used',
      '  expires: 2999-01-01',
      '- id: PYSEC-2023-228',
      '  reason: old waiver',
      '  expires: 2020-01-01',
      '',
    ].join('\n'),
  );
  const r = scan('--ignorefile', file, '--exit-code', '3');
  const req = r.findings.find((f) => f.id === 'CVE-2023-32681')!;
  assert.equal(req.status, 'ignored');
  assert.equal(req.statusReason, 'proxy auth not used');
  const pip = r.findings.find((f) => f.id === 'CVE-2023-5752' || f.aliases.includes('PYSEC-2023-228'))!;
  assert.notEqual(pip.status, 'ignored', 'expired waiver no longer applies');
  assert.match(r.stderr, /ignore entry PYSEC-2023-228 expired on 2020-01-01: no longer applied/);
  assert.equal(r.code, 3);
  const bad = join(tmp.path, 'bad.yaml');
  writeFileSync(bad, '- id: X\n');
  const b = bulwark(['scan', 'fs', app, '--db', db, '--ignorefile', bad]);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /bad\.yaml: unexpected content at 0\.reason/);
});

test('OpenVEX and CycloneDX VEX mark findings not affected; other packages stay open', () => {
  const openvex = join(tmp.path, 'vex.openvex.json');
  writeFileSync(
    openvex,
    JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/1',
      author: 'sec team',
      timestamp: '2026-11-01T00:00:00Z',
      version: 1,
      statements: [
        {
          vulnerability: { name: 'CVE-2023-32681' },
          products: [{ '@id': 'pkg:pypi/requests@2.30.0' }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
        },
      ],
    }),
  );
  const r = scan('--vex', openvex);
  const req = r.findings.find((f) => f.id === 'CVE-2023-32681')!;
  assert.equal(req.status, 'not_affected');
  assert.match(req.statusReason ?? '', /vulnerable_code_not_in_execute_path/);
  assert.ok(r.findings.some((f) => f.package.name === 'pip' && f.status !== 'not_affected'));
  const cdx = join(tmp.path, 'vex.cdx.json');
  writeFileSync(
    cdx,
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      vulnerabilities: [
        {
          id: 'CVE-2023-5752',
          analysis: { state: 'not_affected', justification: 'code_not_reachable' },
          affects: [{ ref: 'pkg:pypi/pip' }],
        },
      ],
    }),
  );
  const c = scan('--vex', cdx);
  assert.ok(c.findings.filter((f) => f.id === 'CVE-2023-5752').every((f) => f.status === 'not_affected'));
  assert.ok(c.findings.some((f) => f.id === 'CVE-2023-32681' && f.status === 'fixed'));
});
