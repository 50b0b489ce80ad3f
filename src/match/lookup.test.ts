import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ecosystem, Inventory, OsInfo, Package } from '../core/types.js';
import { makeTempDir, type TempDir } from '../core/tempdir.js';
import { importPath } from '../vulndb/import.js';
import { VulnStore } from '../vulndb/store.js';
import { matchInventory } from './matcher.js';

// The matcher's lookup in every ecosystem, through the real store: OSV records written by
// hand from the OSV schema (https://ossf.github.io/osv-schema/: affected[].package names
// the ecosystem and the package as that ecosystem names it; Debian and Ubuntu name source
// packages, Alpine the origin, releases in the ecosystem string), imported with
// `db import`'s code into SQLite, then an inventory matched against them.

const T = '2024-01-01T00:00:00Z';
const range = (introduced: string, fixed: string, type = 'ECOSYSTEM') => [
  { type, events: [{ introduced }, { fixed }] },
];
const rec = (id: string, ecosystem: string, name: string, introduced: string, fixed: string, type = 'ECOSYSTEM') => ({
  schema_version: '1.6.0',
  id,
  modified: T,
  affected: [{ package: { ecosystem, name }, ranges: range(introduced, fixed, type) }],
});

// Records as the feeds publish them: names spelled the way each feed spells them.
const RECORDS = [
  rec('DEBIAN-CVE-2023-5678', 'Debian:12', 'openssl', '0', '3.0.13-1~deb12u1'),
  rec('DEBIAN-CVE-2023-0001', 'Debian:11', 'openssl', '0', '1.1.1w-0+deb11u2'),
  rec('UBUNTU-CVE-2023-5678', 'Ubuntu:22.04:LTS', 'openssl', '0', '3.0.2-0ubuntu1.14'),
  rec('ALPINE-CVE-2023-5678', 'Alpine:v3.19', 'openssl', '0', '3.1.4-r1'),
  rec('GHSA-jf85-cpcp-j695', 'npm', 'lodash', '0', '4.17.12', 'SEMVER'),
  rec('GHSA-JSON-STREAM', 'npm', 'JSONStream', '0', '1.3.6', 'SEMVER'),
  rec('GHSA-2m57-hf25-phgg', 'PyPI', 'Django', '4.2', '4.2.8'),
  rec('GHSA-ZOPE-IFACE', 'PyPI', 'zope-interface', '0', '5.0.0'),
  rec('GHSA-jfh8-c2jp-5v3q', 'Maven', 'org.apache.logging.log4j:log4j-core', '2.0-beta9', '2.15.0'),
  rec('GO-2023-1571', 'Go', 'golang.org/x/net', '0', '0.7.0', 'SEMVER'),
  rec('GO-2021-LOGRUS', 'Go', 'github.com/sirupsen/logrus', '0', '1.8.1', 'SEMVER'),
  rec('RUSTSEC-2021-0003', 'crates.io', 'smallvec', '1.6.0', '1.6.1', 'SEMVER'),
  rec('RUSTSEC-SERDE-JSON', 'crates.io', 'serde_json', '0', '1.0.1', 'SEMVER'),
  rec('GHSA-NOKOGIRI', 'RubyGems', 'nokogiri', '0', '1.13.10'),
  rec('GHSA-REDCLOTH', 'RubyGems', 'RedCloth', '0', '4.3.0'),
  rec('GHSA-754h-5r27-7x3r', 'Packagist', 'symfony/http-kernel', '0', '5.4.20'),
  rec('GHSA-5crp-9r3c-p9vr', 'NuGet', 'Newtonsoft.Json', '0', '13.0.1'),
  rec('ALSA-2024:0310', 'AlmaLinux:9', 'openssl', '1:3.0.7-0', '1:3.0.7-25.el9_3'),
  rec('RLSA-2024:0310', 'Rocky Linux:9', 'openssl', '1:3.0.7-0', '1:3.0.7-25.el9_3'),
];

let tmp: TempDir;
let store: VulnStore;

before(async () => {
  tmp = await makeTempDir('bulwark-matching-');
  RECORDS.forEach((r, i) => writeFileSync(join(tmp.path, `${i}.json`), JSON.stringify(r)));
  store = VulnStore.open(join(tmp.path, 'v.db'));
  importPath(store, tmp.path);
});
after(async () => {
  store.close();
  await tmp.remove();
});

interface Case {
  os?: OsInfo;
  ecosystem: Ecosystem;
  name: string;
  version: string;
  source?: { name: string; version?: string };
  /** The advisory ids found; [] for none. */
  want: string[];
}

function ids(c: Case): string[] {
  const p: Package = {
    ecosystem: c.ecosystem,
    name: c.name,
    version: c.version,
    licenses: [],
    purl: `pkg:x/${c.name}`,
    layer: { index: 0, diffId: '' },
    path: '/x',
    files: [],
    ...(c.source ? { source: c.source } : {}),
  };
  const inv: Inventory = {
    schemaVersion: 1,
    artifact: { name: 't', type: 'fs', repoTags: [], repoDigests: [] },
    os: c.os ?? null,
    layers: [],
    packages: [p],
    issues: [],
  };
  return matchInventory(inv, store)
    .findings.map((f) => f.id)
    .sort();
}

const debian12 = { family: 'debian', version: '12.4' };
const ubuntu = { family: 'ubuntu', version: '22.04' };
const alpine = { family: 'alpine', version: '3.19.1' };

const CASES: [string, Case][] = [
  // distributions: by source package / origin and by release
  [
    'Debian: binary libssl3 by its source openssl',
    {
      os: debian12,
      ecosystem: 'deb',
      name: 'libssl3',
      version: '3.0.11-1~deb12u2',
      source: { name: 'openssl', version: '3.0.11-1~deb12u2' },
      want: ['DEBIAN-CVE-2023-5678'],
    },
  ],
  [
    'Debian: the fixed source version',
    {
      os: debian12,
      ecosystem: 'deb',
      name: 'libssl3',
      version: '3.0.13-1~deb12u1',
      source: { name: 'openssl', version: '3.0.13-1~deb12u1' },
      want: [],
    },
  ],
  [
    "Debian: another release's record does not apply",
    {
      os: { family: 'debian', version: '11.8' },
      ecosystem: 'deb',
      name: 'libssl1.1',
      version: '1.1.1n-0+deb11u5',
      source: { name: 'openssl' },
      want: ['DEBIAN-CVE-2023-0001'],
    },
  ],
  [
    'Debian: names as given',
    { os: debian12, ecosystem: 'deb', name: 'OpenSSL', version: '3.0.11-1~deb12u2', want: [] },
  ],
  [
    'Ubuntu: LTS release by source',
    {
      os: ubuntu,
      ecosystem: 'deb',
      name: 'libssl3',
      version: '3.0.2-0ubuntu1.10',
      source: { name: 'openssl', version: '3.0.2-0ubuntu1.10' },
      want: ['UBUNTU-CVE-2023-5678'],
    },
  ],
  [
    'Alpine: libcrypto3 by its origin openssl',
    {
      os: alpine,
      ecosystem: 'apk',
      name: 'libcrypto3',
      version: '3.1.4-r0',
      source: { name: 'openssl' },
      want: ['ALPINE-CVE-2023-5678'],
    },
  ],
  [
    'Alpine: the fixed version',
    { os: alpine, ecosystem: 'apk', name: 'libcrypto3', version: '3.1.4-r1', source: { name: 'openssl' }, want: [] },
  ],
  [
    'AlmaLinux 9: rpm with epoch',
    {
      os: { family: 'almalinux', version: '9.3' },
      ecosystem: 'rpm',
      name: 'openssl',
      version: '1:3.0.7-24.el9',
      want: ['ALSA-2024:0310'],
    },
  ],
  [
    'Rocky Linux 9',
    {
      os: { family: 'rocky', version: '9.3' },
      ecosystem: 'rpm',
      name: 'openssl',
      version: '1:3.0.7-24.el9',
      want: ['RLSA-2024:0310'],
    },
  ],
  [
    'AlmaLinux 9: the fixed version',
    {
      os: { family: 'almalinux', version: '9.3' },
      ecosystem: 'rpm',
      name: 'openssl',
      version: '1:3.0.7-25.el9_3',
      want: [],
    },
  ],
  // npm: case-sensitive (JSONStream and jsonstream are two packages on the registry)
  ['npm', { ecosystem: 'npm', name: 'lodash', version: '4.17.11', want: ['GHSA-jf85-cpcp-j695'] }],
  ['npm: the fixed version', { ecosystem: 'npm', name: 'lodash', version: '4.17.12', want: [] }],
  ['npm: JSONStream as named', { ecosystem: 'npm', name: 'JSONStream', version: '1.3.5', want: ['GHSA-JSON-STREAM'] }],
  ['npm: jsonstream is another package', { ecosystem: 'npm', name: 'jsonstream', version: '1.3.5', want: [] }],
  // PyPI: PEP 503 on both sides
  ['PyPI: Django as django', { ecosystem: 'pypi', name: 'django', version: '4.2.7', want: ['GHSA-2m57-hf25-phgg'] }],
  [
    'PyPI: zope.interface as zope-interface',
    { ecosystem: 'pypi', name: 'zope.interface', version: '4.7.2', want: ['GHSA-ZOPE-IFACE'] },
  ],
  [
    'PyPI: Zope_Interface too',
    { ecosystem: 'pypi', name: 'Zope_Interface', version: '4.7.2', want: ['GHSA-ZOPE-IFACE'] },
  ],
  // Maven: groupId:artifactId, as given
  [
    'Maven',
    {
      ecosystem: 'maven',
      name: 'org.apache.logging.log4j:log4j-core',
      version: '2.14.1',
      want: ['GHSA-jfh8-c2jp-5v3q'],
    },
  ],
  [
    'Maven: the fixed version',
    { ecosystem: 'maven', name: 'org.apache.logging.log4j:log4j-core', version: '2.15.0', want: [] },
  ],
  [
    'Maven: another artifact of the group',
    { ecosystem: 'maven', name: 'org.apache.logging.log4j:log4j-api', version: '2.14.1', want: [] },
  ],
  // Go: module paths are case-sensitive (Sirupsen/logrus was a distinct module path)
  [
    'Go: module version with its v',
    { ecosystem: 'golang', name: 'golang.org/x/net', version: 'v0.6.0', want: ['GO-2023-1571'] },
  ],
  ['Go: the fixed version', { ecosystem: 'golang', name: 'golang.org/x/net', version: 'v0.7.0', want: [] }],
  [
    'Go: another case is another module',
    { ecosystem: 'golang', name: 'github.com/Sirupsen/logrus', version: 'v1.0.0', want: [] },
  ],
  // crates.io: the registry treats - and _ and case as one name
  ['crates.io', { ecosystem: 'cargo', name: 'smallvec', version: '1.6.0', want: ['RUSTSEC-2021-0003'] }],
  [
    'crates.io: serde-json is serde_json',
    { ecosystem: 'cargo', name: 'serde-json', version: '1.0.0', want: ['RUSTSEC-SERDE-JSON'] },
  ],
  // RubyGems: gem names as given
  ['RubyGems', { ecosystem: 'gem', name: 'nokogiri', version: '1.13.9', want: ['GHSA-NOKOGIRI'] }],
  ['RubyGems: RedCloth as named', { ecosystem: 'gem', name: 'RedCloth', version: '4.2.9', want: ['GHSA-REDCLOTH'] }],
  ['RubyGems: redcloth is another name', { ecosystem: 'gem', name: 'redcloth', version: '4.2.9', want: [] }],
  // Packagist: vendor/package, case-insensitive
  [
    'Packagist',
    { ecosystem: 'composer', name: 'symfony/http-kernel', version: '5.4.19', want: ['GHSA-754h-5r27-7x3r'] },
  ],
  [
    'Packagist: any case',
    { ecosystem: 'composer', name: 'Symfony/HTTP-Kernel', version: '5.4.19', want: ['GHSA-754h-5r27-7x3r'] },
  ],
  // NuGet: ids are case-insensitive
  [
    'NuGet: Newtonsoft.Json as the feed spells it',
    { ecosystem: 'nuget', name: 'Newtonsoft.Json', version: '12.0.3', want: ['GHSA-5crp-9r3c-p9vr'] },
  ],
  [
    'NuGet: newtonsoft.json as a lock file may spell it',
    { ecosystem: 'nuget', name: 'newtonsoft.json', version: '12.0.3', want: ['GHSA-5crp-9r3c-p9vr'] },
  ],
  ['NuGet: the fixed version', { ecosystem: 'nuget', name: 'NEWTONSOFT.JSON', version: '13.0.1', want: [] }],
];

for (const [name, c] of CASES) test(`lookup: ${name}`, () => assert.deepEqual(ids(c), c.want));
