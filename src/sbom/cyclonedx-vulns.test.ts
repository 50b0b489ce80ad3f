import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Finding, Inventory } from '../core/types.js';
import { cycloneDxErrors } from '../../test/support/sbom-schemas.js';
import { IMAGE_REF, toCycloneDx } from './cyclonedx.js';
import { debianImage } from './fixtures/inventory.js';
import { almaReport, opensslPkcs12, pythonReport } from '../report/fixtures/scan-report.js';
import { scanReportArb } from '../report/fixtures/arbitrary.js';

interface Vuln {
  'bom-ref': string;
  id: string;
  source?: { name?: string; url?: string };
  references?: { id: string; source: { name?: string; url?: string } }[];
  ratings?: { score?: number; severity?: string; method?: string; vector?: string; justification?: string }[];
  description?: string;
  recommendation?: string;
  advisories?: { url: string }[];
  analysis?: { state?: string; justification?: string; response?: string[]; detail?: string };
  affects?: { ref: string; versions?: { version: string; status: string }[] }[];
  properties?: { name: string; value: string }[];
}
interface Bom {
  metadata: { component: { 'bom-ref': string } };
  components: { 'bom-ref': string; name: string; purl?: string }[];
  vulnerabilities?: Vuln[];
}
const created = new Date('2024-05-01T12:00:00Z');
const bomOf = (inv: Inventory, findings?: readonly Finding[]) =>
  toCycloneDx(inv, { created, serialSeed: 'test', ...(findings ? { findings } : {}) }) as Bom;
async function assertValid(bom: object): Promise<void> {
  const errors = await cycloneDxErrors(JSON.stringify(bom));
  assert.equal(errors, null, `CycloneDX 1.6 schema errors:\n${JSON.stringify(errors, null, 2)}`);
}
function assertRefsResolve(bom: Bom): void {
  const refs = new Set([bom.metadata.component['bom-ref'], ...bom.components.map((c) => c['bom-ref'])]);
  for (const v of bom.vulnerabilities ?? [])
    for (const a of v.affects ?? []) assert.ok(refs.has(a.ref), `${v.id} affects ${a.ref}: no such component`);
  const all = [...refs, ...(bom.vulnerabilities ?? []).map((v) => v['bom-ref'])];
  assert.equal(new Set(all).size, all.length, 'bom-refs are unique');
}
const python = () => bomOf(pythonReport.inventory, pythonReport.vulnerabilities!.findings);
const vuln = (bom: Bom, id: string) => bom.vulnerabilities!.find((v) => v.id === id)!;

test('cyclonedx vulnerabilities: valid against the 1.6 schema; every affects ref is a component', async () => {
  for (const bom of [python(), bomOf(almaReport.inventory, almaReport.vulnerabilities!.findings)]) {
    await assertValid(bom);
    assertRefsResolve(bom);
  }
  assert.equal(python().vulnerabilities!.length, 10, 'every finding, suppressed ones too');
  assert.ok(!('vulnerabilities' in bomOf(pythonReport.inventory)), 'no findings: no vulnerabilities member');
});

test('cyclonedx vulnerabilities: id, source, aliases as references, rating, description, recommendation, affects', () => {
  const bom = python();
  const pip = vuln(bom, 'CVE-2023-5752');
  const pipComponent = bom.components.find((c) => c.name === 'pip')!;
  assert.deepEqual(pip, {
    'bom-ref': 'CVE-2023-5752',
    id: 'CVE-2023-5752',
    source: { name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-5752' },
    references: [
      {
        id: 'GHSA-mq26-g339-26xf',
        source: { name: 'GitHub Advisory Database', url: 'https://github.com/advisories/GHSA-mq26-g339-26xf' },
      },
      { id: 'PYSEC-2023-228', source: { name: 'OSV', url: 'https://osv.dev/vulnerability/PYSEC-2023-228' } },
    ],
    ratings: [
      { score: 3.3, severity: 'low', method: 'CVSSv31', vector: 'CVSS:3.1/AV:L/AC:H/PR:N/UI:R/S:U/C:N/I:L/A:N' },
    ],
    description: 'Mercurial configuration injectable in repo revision when installing via pip',
    recommendation: 'Upgrade pip to 23.3',
    advisories: [
      { url: 'https://github.com/pypa/pip/pull/12306' },
      {
        url: 'https://mail.python.org/archives/list/security-announce@python.org/thread/F4PL35U6X4VVHZ5ILJU3PWUWN7H7LZXL/',
      },
    ],
    affects: [{ ref: pipComponent['bom-ref'], versions: [{ version: '23.0.1', status: 'affected' }] }],
  });
  assert.equal(pipComponent['bom-ref'], 'pkg:pypi/pip@23.0.1');
  const go = vuln(bom, 'CVE-2023-29403');
  assert.deepEqual(go.references, [
    { id: 'GO-2023-1840', source: { name: 'Go Vulnerability Database', url: 'https://pkg.go.dev/vuln/GO-2023-1840' } },
  ]);
  assert.equal(vuln(bom, 'CVE-2011-3374').recommendation, undefined, 'no fix: no recommendation');
  assert.deepEqual(vuln(bom, 'TEMP-0841856-B18BAF').ratings, [{ severity: 'unknown' }]);
});

test('cyclonedx vulnerabilities: an ALSA errata with related CVEs and only a feed rating', () => {
  const bom = bomOf(almaReport.inventory, almaReport.vulnerabilities!.findings);
  const alsa = vuln(bom, 'ALSA-2024:2447');
  assert.deepEqual(alsa.source, { name: 'OSV', url: 'https://osv.dev/vulnerability/ALSA-2024%3A2447' });
  assert.equal(alsa.references, undefined, 'related CVEs are not aliases');
  assert.deepEqual(
    alsa.properties?.map((p) => p.value),
    ['CVE-2023-3446', 'CVE-2023-3817', 'CVE-2023-5678', 'CVE-2024-0727'],
  );
  assert.ok(alsa.properties?.every((p) => p.name === 'bulwark:vulnerability:related'));
  assert.deepEqual(alsa.ratings, [{ severity: 'medium', method: 'other', justification: 'feed rating' }]);
  assert.equal(alsa.recommendation, 'Upgrade openssl-libs to 1:3.0.7-27.el9');
  assert.deepEqual(alsa.affects, [
    {
      ref: bom.components.find((c) => c.name === 'openssl-libs')!['bom-ref'],
      versions: [{ version: '1:3.0.7-24.el9', status: 'affected' }],
    },
  ]);
});

test('cyclonedx vulnerabilities: VEX not_affected and accepted (ignored) risks carry an analysis', () => {
  const bom = python();
  const zlib = vuln(bom, 'CVE-2023-45853');
  assert.deepEqual(zlib.analysis, {
    state: 'not_affected',
    justification: 'code_not_present',
    detail: 'vulnerable_code_not_present: minizip is not built into zlib1g',
  });
  assert.equal(zlib.affects![0]!.versions![0]!.status, 'unaffected');
  const setuptools = vuln(bom, 'CVE-2022-40897');
  assert.deepEqual(setuptools.analysis, {
    state: 'exploitable',
    response: ['will_not_fix'],
    detail: 'build-time only; installs come from our own index',
  });
  assert.equal(setuptools.affects![0]!.versions![0]!.status, 'affected');
  assert.equal(vuln(bom, 'CVE-2023-5752').analysis, undefined, 'open findings: no analysis');
});

test('cyclonedx vulnerabilities: one id in two packages is one entry (each component once); a different analysis is its own entry', async () => {
  // The openssl CLI package and libssl3 come from the same source package: one CVE, two binaries.
  const libssl3 = pythonReport.inventory.packages.find((p) => p.name === 'libssl3')!;
  const openssl = { ...libssl3, name: 'openssl', purl: libssl3.purl.replace('/libssl3@', '/openssl@') };
  const inv = { ...pythonReport.inventory, packages: [...pythonReport.inventory.packages, openssl] };
  const onOpenssl: Finding = {
    ...opensslPkcs12,
    package: { ...opensslPkcs12.package, name: 'openssl', purl: openssl.purl },
  };
  const ignoredOnPip: Finding = {
    ...opensslPkcs12,
    status: 'ignored',
    statusReason: 'bundled copy unused',
    package: pythonReport.vulnerabilities!.findings.find((f) => f.package.name === 'pip')!.package,
  };
  const bom = bomOf(inv, [opensslPkcs12, onOpenssl, ignoredOnPip, opensslPkcs12]);
  await assertValid(bom);
  assertRefsResolve(bom);
  const entries = bom.vulnerabilities!.filter((v) => v.id === 'CVE-2024-0727');
  assert.equal(entries.length, 2);
  const open = entries.find((v) => !v.analysis)!;
  assert.deepEqual(open.affects!.map((a) => a.ref).sort(), [libssl3.purl, openssl.purl].sort());
  assert.equal(open.recommendation, 'Upgrade libssl3 to 3.0.13-1~deb12u1, openssl to 3.0.13-1~deb12u1');
  assert.deepEqual(entries.map((v) => v['bom-ref']).sort(), ['CVE-2024-0727', 'CVE-2024-0727#2']);
});

test('cyclonedx vulnerabilities: the second of two same-purl packages is found by its path; an unknown package points at the image', () => {
  const tz = debianImage.packages.filter((p) => p.name === 'tzdata');
  const f = (p: (typeof tz)[number], id: string): Finding => ({
    ...opensslPkcs12,
    id,
    aliases: [],
    package: { ecosystem: p.ecosystem, name: p.name, version: p.version, purl: p.purl, path: p.path, layer: p.layer },
  });
  const ghost: Finding = {
    ...opensslPkcs12,
    id: 'CVE-2024-9999',
    package: { ...opensslPkcs12.package, name: 'not-installed', purl: 'pkg:deb/debian/not-installed@1' },
  };
  const bom = bomOf(debianImage, [f(tz[0]!, 'CVE-2024-0001'), f(tz[1]!, 'CVE-2024-0002'), ghost]);
  const tzRefs = bom.components.filter((c) => c.name === 'tzdata').map((c) => c['bom-ref']);
  assert.deepEqual(
    vuln(bom, 'CVE-2024-0001').affects![0]!.ref,
    tzRefs.find((r) => !r.endsWith('#2')),
  );
  assert.deepEqual(
    vuln(bom, 'CVE-2024-0002').affects![0]!.ref,
    tzRefs.find((r) => r.endsWith('#2')),
  );
  assert.equal(vuln(bom, 'CVE-2024-9999').affects![0]!.ref, IMAGE_REF);
  assertRefsResolve(bom);
});

test('cyclonedx vulnerabilities: arbitrary ids, titles, paths and references still give valid documents whose refs resolve', async () => {
  await fc.assert(
    fc.asyncProperty(scanReportArb, async (r) => {
      const bom = bomOf(r.inventory, r.vulnerabilities!.findings);
      await assertValid(bom);
      assertRefsResolve(bom);
      const vulns = bom.vulnerabilities ?? [];
      assert.equal(
        new Set(vulns.map((v) => v.id)).size,
        new Set(r.vulnerabilities!.findings.map((f) => f.id)).size,
        'every id is there',
      );
      for (const v of vulns) assert.ok((v.affects?.length ?? 0) > 0, 'each entry affects something');
    }),
    { numRuns: 100 },
  );
});
