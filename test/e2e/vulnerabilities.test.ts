import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import type { Finding, Inventory } from '../../src/core/types.js';
import { makeTempDir, type TempDir } from '../../src/core/tempdir.js';
import { VulnStore } from '../../src/vulndb/store.js';
import type { OsvRecord } from '../../src/vulndb/osv.js';
import { buildFixtureApp } from '../../src/ecosystems/golang/fixtures/go-toolchain.js';
import { bulwark } from '../support/fixtures.js';
import { buildRpmDb } from '../support/rpmdb.js';
import { have, requireAll } from '../support/require.js';

// Issue 4 acceptance 1: the real PyPI, Go and AlmaLinux OSV data and the Alpine secdb,
// imported with `bulwark db import`, and filesystems holding packages on both sides of
// advisories' fixed boundaries. Expected findings are derived from the advisories with
// independent oracles (the advisory's own version lists, Debian's rpm, the semver library),
// not from Bulwark's comparators.

const DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data');
let tmp: TempDir;
let db = '';
let store: VulnStore;

before(async () => {
  tmp = await makeTempDir();
  db = join(tmp.path, 'vuln.db');
  const r = bulwark(['db', 'import', DATA, '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  store = VulnStore.open(db, { readonly: true });
});
after(async () => {
  store?.close();
  await tmp.remove();
});

function scan(kind: 'fs' | 'rootfs', dir: string): { inv: Inventory; findings: Finding[] } {
  const r = bulwark(['scan', kind, dir, '--db', db, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as Inventory & { vulnerabilities: { findings: Finding[] } };
  return { inv: j, findings: j.vulnerabilities.findings };
}

const idsFor = (findings: Finding[], pkg: string, path?: string): Set<string> =>
  new Set(
    findings
      .filter((f) => f.package.name === pkg && (!path || f.package.path === path))
      .flatMap((f) => [f.id, ...f.aliases]),
  );

function osRelease(root: string, text: string): void {
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc/os-release'), text);
}

test('PyPI: old packages are found vulnerable exactly where the advisories list their versions', () => {
  const root = join(tmp.path, 'pypi');
  const cases = [
    ['requests', '2.30.0'],
    ['requests', '2.31.0'],
    ['pip', '23.0.1'],
    ['pip', '23.3'],
  ] as const;
  for (const [name, version] of cases) {
    const dir = join(root, `venv-${name}-${version}`, 'lib/python3.11/site-packages', `${name}-${version}.dist-info`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'METADATA'), `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`);
  }
  const { findings } = scan('fs', root);
  for (const [name, version] of cases) {
    const path = `/venv-${name}-${version}/lib/python3.11/site-packages/${name}-${version}.dist-info/METADATA`;
    // PyPI advisories enumerate affected versions: membership is the oracle
    const expected = store
      .advisoriesFor('PyPI', name)
      .filter((r) => !r.withdrawn && r.affected?.some((a) => a.versions?.includes(version)));
    const found = idsFor(findings, name, path);
    for (const r of expected) assert.ok(found.has(r.id), `${name} ${version}: ${r.id}`);
    assert.equal(
      findings.filter((f) => f.package.path === path).length,
      new Set(expected.map((r) => [r.id, ...(r.aliases ?? [])].find((i) => i.startsWith('CVE-')) ?? r.id)).size,
      `${name} ${version}: one finding per vulnerability`,
    );
  }
  // both sides of two fixed boundaries
  assert.ok(
    idsFor(
      findings,
      'requests',
      '/venv-requests-2.30.0/lib/python3.11/site-packages/requests-2.30.0.dist-info/METADATA',
    ).has('CVE-2023-32681'),
  );
  assert.ok(
    !idsFor(
      findings,
      'requests',
      '/venv-requests-2.31.0/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA',
    ).has('CVE-2023-32681'),
  );
  assert.ok(
    idsFor(findings, 'pip', '/venv-pip-23.0.1/lib/python3.11/site-packages/pip-23.0.1.dist-info/METADATA').has(
      'PYSEC-2023-228',
    ),
  );
  assert.ok(
    !idsFor(findings, 'pip', '/venv-pip-23.3/lib/python3.11/site-packages/pip-23.3.dist-info/METADATA').has(
      'PYSEC-2023-228',
    ),
  );
  const f = findings.find((x) => x.id === 'CVE-2023-32681' && x.package.version === '2.30.0')!;
  assert.ok(
    f.aliases.includes('PYSEC-2023-74') && f.aliases.includes('GHSA-j8r2-6x86-q33q'),
    'CVE first, other ids listed',
  );
  assert.deepEqual(f.fixedVersions, ['2.31.0']);
});

/** Oracle for Go's SEMVER ranges: the semver library over introduced/fixed pairs. */
function goAffected(r: OsvRecord, name: string, version: string): boolean {
  const v = (x: string): string => (x === '0' ? '0.0.0' : x);
  return (r.affected ?? []).some(
    (a) =>
      a.package?.name === name &&
      (a.ranges ?? []).some((rg) => {
        let hit = false;
        const events = [...rg.events].sort((x, y) =>
          semver.compare(v(Object.values(x)[0] as string), v(Object.values(y)[0] as string)),
        );
        for (const e of events) {
          if ('introduced' in e && semver.gte(version, v(e.introduced))) hit = true;
          if ('fixed' in e && semver.gte(version, e.fixed)) hit = false;
        }
        return hit;
      }),
  );
}

test('Go: a binary built with an old Go toolchain has the stdlib advisories for its version; go.mod pins on both sides of a fix', async (t: TestContext) => {
  if (!requireAll(t, { 'go (Debian golang-go)': have('go') })) return;
  const root = join(tmp.path, 'go');
  mkdirSync(join(root, 'bin'), { recursive: true });
  const [bin] = await buildFixtureApp(join(tmp.path, 'gobuild'), [{ goos: 'linux', goarch: 'amd64' }]);
  spawnSync('cp', [bin!, join(root, 'bin/app')]);
  mkdirSync(join(root, 'old'), { recursive: true });
  mkdirSync(join(root, 'new'), { recursive: true });
  writeFileSync(
    join(root, 'old/go.mod'),
    'module example.com/old\n\ngo 1.19\n\nrequire golang.org/x/net v0.0.0-20210519000000-000000000000\n',
  );
  writeFileSync(
    join(root, 'new/go.mod'),
    'module example.com/new\n\ngo 1.19\n\nrequire golang.org/x/net v0.0.0-20210520170846-37e1c6afe023\n',
  );
  const { findings } = scan('fs', root);
  const goVersion = /go(\d+\.\d+(\.\d+)?)/.exec(spawnSync('go', ['version'], { encoding: 'utf8' }).stdout)![1]!;
  const stdlib = findings.filter((f) => f.package.name === 'stdlib' && f.package.path === '/bin/app');
  const expected = store
    .advisoriesFor('Go', 'stdlib')
    .filter((r) => !r.withdrawn && goAffected(r, 'stdlib', goVersion));
  assert.ok(expected.length > 10, `Go ${goVersion} has many stdlib advisories`);
  assert.deepEqual(
    new Set(stdlib.flatMap((f) => [f.id, ...f.aliases]).filter((i) => i.startsWith('GO-'))),
    new Set(expected.map((r) => r.id)),
  );
  const fixedBefore = store
    .advisoriesFor('Go', 'stdlib')
    .find((r) => !goAffected(r, 'stdlib', goVersion) && goAffected(r, 'stdlib', '1.19.0'));
  assert.ok(
    fixedBefore && !stdlib.some((f) => f.aliases.includes(fixedBefore.id) || f.id === fixedBefore.id),
    'an advisory fixed in an earlier 1.19.x is not reported',
  );
  assert.ok(idsFor(findings, 'golang.org/x/net', '/old/go.mod').has('GO-2021-0238'));
  assert.ok(!idsFor(findings, 'golang.org/x/net', '/new/go.mod').has('GO-2021-0238'));
});

function rpmVercmp(a: string, b: string): number {
  const r = spawnSync('rpm', ['--eval', `%{lua: print(rpm.vercmp("${a}", "${b}"))}`], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

test('AlmaLinux: an rpm database with versions named in the advisories; Debian rpm decides the expected side', async (t: TestContext) => {
  if (!requireAll(t, { rpm: have('rpm'), rpmbuild: have('rpmbuild') })) return;
  const alma9 = 'NAME="AlmaLinux"\nID="almalinux"\nVERSION_ID="9.3"\nPRETTY_NAME="AlmaLinux 9.3"\n';
  const sides = [
    {
      dir: 'below',
      pkgs: [
        { name: 'openssl', epoch: 1, version: '3.0.7', release: '24.el9' },
        { name: 'curl', version: '7.76.1', release: '26.el9_3.1' },
      ],
    },
    {
      dir: 'at',
      pkgs: [
        { name: 'openssl', epoch: 1, version: '3.0.7', release: '25.el9_3' },
        { name: 'curl', version: '7.76.1', release: '26.el9_3.2' },
      ],
    },
  ];
  for (const side of sides) {
    const root = join(tmp.path, 'alma', side.dir);
    osRelease(root, alma9);
    buildRpmDb(join(tmp.path, 'alma-work', side.dir), root, side.pkgs);
    const { findings } = scan('rootfs', root);
    for (const p of side.pkgs) {
      const evr = `${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}`;
      const expected = store
        .advisoriesFor('AlmaLinux:9', p.name)
        .filter((r) =>
          r.affected?.some(
            (a) =>
              a.package?.name === p.name &&
              a.ranges?.some((rg) => rg.events.some((e) => 'fixed' in e && rpmVercmp(evr, e.fixed) < 0)),
          ),
        );
      assert.deepEqual(
        new Set(findings.filter((f) => f.package.name === p.name).map((f) => f.id)),
        new Set(expected.map((r) => r.id)),
        `${side.dir}: ${p.name} ${evr}`,
      );
    }
  }
  // the boundary itself: ALSA-2024:0310 is fixed in 1:3.0.7-25.el9_3
  const below = scan('rootfs', join(tmp.path, 'alma', 'below')).findings;
  const at = scan('rootfs', join(tmp.path, 'alma', 'at')).findings;
  assert.ok(below.some((f) => f.id === 'ALSA-2024:0310'));
  assert.ok(!at.some((f) => f.id === 'ALSA-2024:0310'));
  assert.ok(
    at.some((f) => f.id === 'ALSA-2024:2447'),
    'later fixes still apply',
  );
  const alsa = at.find((f) => f.id === 'ALSA-2024:2447')!;
  assert.equal(alsa.severity, 'LOW', 'the feed rating in the summary ("Low: …")');
  assert.ok(alsa.related.length > 0, 'the CVEs the errata fixes are listed');
});

test('Alpine 3.11: an apk database matched through origin against the secdb, both sides of a fix', () => {
  const mk = (dir: string, opensslVersion: string): string => {
    const root = join(tmp.path, 'alpine', dir);
    osRelease(root, 'ID=alpine\nVERSION_ID=3.11.13\nPRETTY_NAME="Alpine Linux v3.11"\n');
    mkdirSync(join(root, 'lib/apk/db'), { recursive: true });
    writeFileSync(
      join(root, 'lib/apk/db/installed'),
      `P:libcrypto1.1\nV:${opensslVersion}\nA:x86_64\no:openssl\nL:OpenSSL\n\nP:musl\nV:1.1.24-r3\nA:x86_64\no:musl\nL:MIT\n\n`,
    );
    return root;
  };
  const below = scan('rootfs', mk('below', '1.1.1d-r2')).findings;
  const at = scan('rootfs', mk('at', '1.1.1d-r3')).findings;
  assert.ok(idsFor(below, 'libcrypto1.1').has('CVE-2019-1551'), 'binary package matched through its origin');
  assert.ok(!idsFor(below, 'libcrypto1.1').has('CVE-2019-1547'), 'fixed in 1.1.1d-r1, before the installed version');
  assert.ok(!idsFor(at, 'libcrypto1.1').has('CVE-2019-1551'));
  assert.equal(below.find((f) => f.id === 'CVE-2019-1551')?.fixedVersions[0], '1.1.1d-r3');
});
