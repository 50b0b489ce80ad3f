import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBulwarkError } from '../core/errors.js';
import { SHARED_DATA } from '../../test/support/osv-bucket.js';
import { convertSecdb, secfixId } from './alpine-secdb.js';
import { importPath } from './import.js';
import { osvRecordSchema } from './osv.js';
import { VulnStore } from './store.js';
import { throwsCode } from '../../test/support/codes.js';

const SECDB = join(SHARED_DATA, 'alpine-secdb');
const NOW = '2024-10-01T00:00:00.000Z';
const convert = (branch: string, repo: string) =>
  convertSecdb(readFileSync(join(SECDB, branch, `${repo}.yaml`), 'utf8'), `${branch}/${repo}.yaml`, NOW);

test('alpine-secdb: the ids real secfix lines name', () => {
  const cases: [string, string | undefined][] = [
    ['CVE-2019-14904', 'CVE-2019-14904'],
    ['CVE-2019-5060 TALOS-2019-0844', 'CVE-2019-5060'],
    ['CVE-2018-10103 (SMB - partially fixed, but SMB printing disabled)', 'CVE-2018-10103'],
    ['CVE_2019-2426', 'CVE-2019-2426'],
    ['CVE 2018-16859', 'CVE-2018-16859'],
    ['CVE-2019-19451.patch', 'CVE-2019-19451'],
    ['CVE-2017-17434-1', 'CVE-2017-17434'],
    ['CVE-????-?????  XSA-295', 'XSA-295'],
    ['XSA-207', 'XSA-207'],
    ['wnpa-sec-2017-18', 'wnpa-sec-2017-18'],
    ['ZBX-11023', 'ZBX-11023'],
    ['fixed a crash', undefined],
  ];
  for (const [line, id] of cases) assert.equal(secfixId(line), id, line);
});

test('alpine-secdb: v3.11/main becomes one valid OSV record per vulnerability', () => {
  const feed = convert('v3.11', 'main');
  assert.equal(feed.name, 'alpine-secdb:v3.11/main');
  assert.equal(feed.ecosystem, 'Alpine:v3.11');
  assert.equal(feed.records.length, 1123);
  assert.deepEqual(feed.skipped, []);
  for (const r of feed.records) assert.ok(osvRecordSchema.safeParse(r).success, r.id);
  assert.equal(new Set(feed.records.map((r) => r.id)).size, feed.records.length);
  const r = feed.records.find((x) => x.id === 'ALPINE-v3.11-main-CVE-2019-14904')!;
  assert.deepEqual(r.aliases, ['CVE-2019-14904']);
  assert.deepEqual(r.upstream, ['CVE-2019-14904']);
  assert.equal(r.modified, NOW);
  assert.deepEqual(
    r.affected?.map((a) => [a.package, a.ranges]),
    [
      [
        { ecosystem: 'Alpine:v3.11', name: 'ansible' },
        [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.9.3-r0' }] }],
      ],
    ],
  );
});

test('alpine-secdb: several packages, several fixes, never affected', () => {
  const v310 = convert('v3.10', 'main').records;
  const shared = v310.find((r) => r.id === 'ALPINE-v3.10-main-CVE-2019-9517')!;
  assert.deepEqual(shared.affected?.map((a) => a.package?.name).sort(), ['apache2', 'nodejs']);
  // fixed once per upstream version line: affected below either fix
  const busybox = v310.find((r) => r.id === 'ALPINE-v3.10-main-CVE-2019-5747')!;
  assert.deepEqual(
    busybox.affected?.[0]?.ranges?.map((x) => x.events),
    [
      [{ introduced: '0' }, { fixed: '1.30.1-r2' }],
      [{ introduced: '0' }, { fixed: '1.29.3-r10' }],
    ],
  );
  assert.ok(v310.some((r) => r.id === 'ALPINE-v3.10-main-XSA-295'));
  // secfix key "0": no ranges (OSV evaluation: not affected) and an explicit mark
  const db = convert('v3.8', 'main').records.find((r) => r.id === 'ALPINE-v3.8-main-CVE-2016-0682')!;
  assert.deepEqual(db.affected?.[0]?.ranges, []);
  assert.equal(db.affected?.[0]?.database_specific?.not_affected, true);
  assert.ok(convert('v3.10', 'community').records.some((r) => r.id === 'ALPINE-v3.10-community-CVE-2019-2426'));
});

test('alpine-secdb: every branch imports as its own feed and is found by package', () => {
  const store = VulnStore.open(':memory:');
  const r = importPath(store, SECDB, { now: new Date(NOW) });
  assert.equal(r.feeds.length, 18);
  assert.equal(r.records, 11451);
  assert.deepEqual(r.skipped, []);
  assert.deepEqual(
    store
      .feeds()
      .map((f) => f.name)
      .filter((n) => n.startsWith('alpine-secdb:v3.1')),
    [
      'alpine-secdb:v3.10/community',
      'alpine-secdb:v3.10/main',
      'alpine-secdb:v3.11/community',
      'alpine-secdb:v3.11/main',
    ],
  );
  const openssl = store.advisoriesFor('Alpine:v3.11', 'openssl').map((x) => x.id);
  assert.ok(openssl.includes('ALPINE-v3.11-main-CVE-2019-1547'), openssl.join());
  assert.ok(openssl.every((id) => id.startsWith('ALPINE-v3.11-')));
  // the same CVE in another branch is another record, found under that branch only
  assert.ok(store.advisoriesFor('Alpine:v3.10', 'ansible').some((x) => x.id === 'ALPINE-v3.10-main-CVE-2019-10156'));
  assert.ok(!store.advisoriesFor('Alpine:v3.10', 'ansible').some((x) => x.id === 'ALPINE-v3.11-main-CVE-2019-10156'));
  assert.deepEqual(store.idsForAlias('CVE-2019-10156'), [
    'ALPINE-v3.10-main-CVE-2019-10156',
    'ALPINE-v3.11-main-CVE-2019-10156',
    'ALPINE-v3.8-main-CVE-2019-10156',
  ]);
  store.close();
});

test('alpine-secdb: a document that is not secdb is refused naming the file', () => {
  assert.throws(
    () => convertSecdb('distroversion: 3.11\nreponame: main\npackages: []\n', 'bad.yaml', NOW),
    (e) =>
      isBulwarkError(e) &&
      e.code === 'CORRUPT' &&
      /^bad\.yaml: not an Alpine secdb document at distroversion/.test(e.message),
  );
  throwsCode(() => convertSecdb('packages: [\n', 'broken.yaml', NOW), 'CORRUPT', 'broken.yaml');
});
