import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../../src/core/types.js';
import { makeTempDir, type TempDir } from '../../src/core/tempdir.js';
import { legacyGoElf } from '../../src/ecosystems/golang/fixtures/elf-writer.js';
import { bulwark } from '../support/fixtures.js';
import { SHARED_DATA } from '../support/osv-bucket.js';

// Issue 12 item 13: Go's feed rates nothing, so a Go binary's stdlib findings are UNKNOWN
// unless another record of the same vulnerability in the DB rates it. Here the real Go
// feed and one record in the shape OSV's NVD conversion publishes (id CVE-…, NVD's CVSS
// vector, GIT ranges only, so it matches no package): CVE-2022-27664, which NVD rates
// CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H, base score 7.5, HIGH.

const NVD_VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H';
const CVE_RECORD = {
  schema_version: '1.6.0',
  id: 'CVE-2022-27664',
  modified: '2024-11-21T07:00:00Z',
  published: '2022-09-06T18:15:00Z',
  summary: 'In net/http in Go before 1.18.6 and 1.19.x before 1.19.1, attackers can cause a denial of service',
  severity: [{ type: 'CVSS_V3', score: NVD_VECTOR }],
  affected: [
    {
      ranges: [
        {
          type: 'GIT',
          repo: 'https://go.googlesource.com/go',
          events: [{ introduced: '0' }, { fixed: 'b33d4f9f9b7d3f8b2f4b4b1e5a6c7d8e9f0a1b2c' }],
        },
      ],
    },
  ],
};

let tmp: TempDir;
let plainDb = '';
let ratedDb = '';
let app = '';

before(async () => {
  tmp = await makeTempDir('bulwark-matching-');
  const goZip = join(SHARED_DATA, 'osv', 'Go', 'all.zip');
  plainDb = join(tmp.path, 'plain.db');
  assert.equal(bulwark(['db', 'import', goZip, '--db', plainDb]).code, 0);
  ratedDb = join(tmp.path, 'rated.db');
  assert.equal(bulwark(['db', 'import', goZip, '--db', ratedDb]).code, 0);
  const nvd = join(tmp.path, 'nvd');
  mkdirSync(nvd);
  writeFileSync(join(nvd, 'CVE-2022-27664.json'), JSON.stringify(CVE_RECORD));
  const imp = bulwark(['db', 'import', nvd, '--db', ratedDb]);
  assert.equal(imp.code, 0, imp.stderr);
  // a Go 1.16.15 binary (pre-1.18 build-info layout): its toolchain is stdlib 1.16.15
  app = join(tmp.path, 'app');
  mkdirSync(join(app, 'usr', 'local', 'bin'), { recursive: true });
  const modinfo = 'path\texample.com/old/cmd/old\nmod\texample.com/old\t(devel)\t\n';
  writeFileSync(
    join(app, 'usr', 'local', 'bin', 'old'),
    legacyGoElf({ bits: 64, littleEndian: true, goVersion: 'go1.16.15', modinfo }),
    { mode: 0o755 },
  );
});
after(() => tmp.remove());

function scan(db: string, ...extra: string[]): { code: number; stderr: string; findings: Finding[] } {
  const r = bulwark(['scan', 'rootfs', app, '--db', db, '--format', 'json', ...extra]);
  const findings = r.stdout
    ? (JSON.parse(r.stdout) as { vulnerabilities: { findings: Finding[] } }).vulnerabilities.findings
    : [];
  return { code: r.code, stderr: r.stderr, findings };
}

test('a Go stdlib finding takes its severity from the CVE record in the DB, naming it', () => {
  const plain = scan(plainDb).findings.find((f) => f.id === 'CVE-2022-27664')!;
  assert.equal(plain.package.name, 'stdlib');
  assert.ok(plain.aliases.includes('GO-2022-0969'));
  assert.deepEqual([plain.severity, plain.severitySource], ['UNKNOWN', 'none'], 'the Go feed alone rates nothing');

  const rated = scan(ratedDb).findings.find((f) => f.id === 'CVE-2022-27664')!;
  assert.equal(rated.severity, 'HIGH');
  assert.deepEqual(rated.cvss, { version: '3.1', vector: NVD_VECTOR, score: 7.5 });
  assert.equal(rated.severitySource, 'CVSS 3.1 (CVE-2022-27664)');
});

test('--fail-on HIGH fails on the rated finding; UNKNOWN counts only through --unknown-as', () => {
  const plain = scan(plainDb, '--fail-on', 'HIGH');
  assert.ok(plain.findings.filter((f) => f.package.name === 'stdlib').length > 50, 'many stdlib findings');
  assert.ok(plain.findings.every((f) => f.severity === 'UNKNOWN'));
  assert.equal(plain.code, 0, 'UNKNOWN ranks below HIGH by default');
  assert.equal(scan(plainDb, '--fail-on', 'HIGH', '--unknown-as', 'HIGH').code, 1);
  assert.equal(scan(plainDb, '--fail-on', 'HIGH', '--unknown-as', 'HIGH', '--exit-code', '9').code, 9);
  assert.equal(scan(plainDb, '--severity', 'HIGH,CRITICAL', '--exit-code', '5').code, 0);
  assert.equal(scan(plainDb, '--severity', 'HIGH,CRITICAL', '--unknown-as', 'HIGH', '--exit-code', '5').code, 5);

  assert.equal(scan(ratedDb, '--fail-on', 'HIGH').code, 1);
  assert.equal(scan(ratedDb, '--fail-on', 'CRITICAL').code, 0);
  const bad = scan(ratedDb, '--fail-on', 'SEVERE');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /SEVERE: unknown severity/);
});
