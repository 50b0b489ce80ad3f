import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isBulwarkError } from '../core/errors.js';
import { makeTempDir } from '../core/tempdir.js';
import { writeZip } from '../ecosystems/java/fixtures/zip-writer.js';
import { SHARED_DATA } from '../../test/support/osv-bucket.js';
import { importPath } from './import.js';
import type { OsvRecord } from './osv.js';
import { VulnStore } from './store.js';

const OSV = join(SHARED_DATA, 'osv');
const rec = (id: string, modified: string, pkg: string, extra: Partial<OsvRecord> = {}): OsvRecord => ({
  id,
  modified,
  affected: [
    {
      package: { ecosystem: 'PyPI', name: pkg },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }],
    },
  ],
  ...extra,
});
const ids = (rs: OsvRecord[]): string[] => rs.map((r) => r.id);

test('store: the real OSV feeds import whole and answer by id and by package', () => {
  const store = VulnStore.open(':memory:');
  const counts = Object.fromEntries(
    ['PyPI', 'Go', 'AlmaLinux'].map((e) => [e, importPath(store, join(OSV, e, 'all.zip'))]),
  );
  assert.deepEqual(
    Object.values(counts).map((r) => [r.feeds[0]!.name, r.records, r.affected]),
    [
      ['osv:PyPI', 2661, 2661],
      ['osv:Go', 4291, 6125],
      ['osv:AlmaLinux', 5637, 71329],
    ],
  );
  assert.deepEqual(
    store.feeds().map((f) => [f.name, f.records, f.source]),
    [
      ['osv:AlmaLinux', 5637, join(OSV, 'AlmaLinux', 'all.zip')],
      ['osv:Go', 4291, join(OSV, 'Go', 'all.zip')],
      ['osv:PyPI', 2661, join(OSV, 'PyPI', 'all.zip')],
    ],
  );
  assert.match(store.feeds()[0]!.sha256, /^[0-9a-f]{64}$/);

  assert.equal(store.byId('PYSEC-2006-1')?.aliases?.[0], 'CVE-2006-0847');
  assert.equal(store.byId('NOPE-1'), undefined);
  // PEP 503: any spelling of the name finds it
  assert.deepEqual(ids(store.advisoriesFor('PyPI', 'CherryPy')), ['PYSEC-2006-1', 'PYSEC-2008-3']);
  assert.deepEqual(ids(store.advisoriesFor('PyPI', 'JW_Util')), ids(store.advisoriesFor('PyPI', 'jw.util')));
  assert.deepEqual(ids(store.advisoriesFor('PyPI', 'jw-util')), ['PYSEC-2020-341']);
  // Go module paths as they are
  assert.deepEqual(ids(store.advisoriesFor('Go', 'github.com/gin-gonic/gin')), [
    'GO-2020-0001',
    'GO-2021-0052',
    'GO-2023-1737',
  ]);
  assert.deepEqual(store.advisoriesFor('Go', 'github.com/Gin-Gonic/gin'), []);
  assert.deepEqual(store.idsForAlias('GHSA-6vm3-jj99-7229'), ['GO-2020-0001']);
  // withdrawn records are returned, marked, for the matcher to pass over
  assert.equal(
    store.advisoriesFor('Go', 'k8s.io/kubernetes').find((r) => r.id === 'GO-2022-0617')?.withdrawn,
    '2024-08-21T16:25:56Z',
  );
  // the ecosystem string is verbatim: each AlmaLinux release on its own
  assert.ok(ids(store.advisoriesFor('AlmaLinux:8', 'oci-umount')).includes('ALBA-2019:0973'));
  assert.deepEqual(
    ids(store.advisoriesFor('AlmaLinux:10', 'openssl')).filter((i) => i.startsWith('ALSA-2025')),
    ['ALSA-2025:21248'],
  );
  assert.equal(store.advisoriesFor('AlmaLinux:9', 'openssl').length, 15);
  assert.deepEqual(store.advisoriesFor('AlmaLinux', 'openssl'), []);
  store.close();
});

test('store: an id in two feeds reads as its newest copy, and survives the other feed going away', () => {
  const store = VulnStore.open(':memory:');
  const meta = (name: string) => ({ name, source: name, sha256: '0' });
  store.replaceFeed(meta('a'), (put) => put(rec('GHSA-1', '2024-01-01T00:00:00Z', 'old-name')));
  store.replaceFeed(meta('b'), (put) => put(rec('GHSA-1', '2024-06-01T00:00:00.5Z', 'New_Name')));
  assert.equal(store.byId('GHSA-1')?.affected?.[0]?.package?.name, 'New_Name');
  assert.deepEqual(ids(store.advisoriesFor('PyPI', 'new-name')), ['GHSA-1']);
  // the older copy no longer names old-name's package as the newest: not returned for it
  assert.deepEqual(store.advisoriesFor('PyPI', 'old-name'), []);
  // feed b replaced without the record: a's copy is what remains
  store.replaceFeed(meta('b'), () => {});
  assert.equal(store.byId('GHSA-1')?.affected?.[0]?.package?.name, 'old-name');
  assert.deepEqual(ids(store.advisoriesFor('PyPI', 'old-name')), ['GHSA-1']);
  // within one feed, the newest copy wins whatever the order
  const c = store.replaceFeed(meta('c'), (put) => {
    put(rec('X-1', '2024-03-01T00:00:00Z', 'p', { summary: 'new' }));
    put(rec('X-1', '2024-02-01T00:00:00Z', 'p', { summary: 'old' }));
  });
  assert.deepEqual(c, { records: 1, affected: 1 });
  assert.equal(store.byId('X-1')?.summary, 'new');
  store.close();
});

test('store: a feed whose reading fails keeps its previous records', () => {
  const store = VulnStore.open(':memory:');
  store.replaceFeed({ name: 'f', source: 's', sha256: '1' }, (put) => put(rec('A-1', '2024-01-01T00:00:00Z', 'a')));
  assert.throws(() =>
    store.replaceFeed({ name: 'f', source: 's', sha256: '2' }, (put) => {
      put(rec('B-1', '2024-01-01T00:00:00Z', 'b'));
      throw new Error('disk on fire');
    }),
  );
  assert.deepEqual(
    [ids(store.advisoriesFor('PyPI', 'a')), store.byId('B-1'), store.feed('f')?.sha256],
    [['A-1'], undefined, '1'],
  );
  store.close();
});

test('store: a malformed record in a zip fails the whole import, naming zip:entry, and changes nothing', async () => {
  const tmp = await makeTempDir();
  try {
    const store = VulnStore.open(join(tmp.path, 'db', 'bulwark.db'));
    importPath(store, join(OSV, 'PyPI', 'all.zip'));
    const before = store.feeds();
    const dir = join(tmp.path, 'feeds', 'PyPI');
    mkdirSync(dir, { recursive: true });
    const good = Buffer.from(JSON.stringify(rec('PYSEC-NEW-1', '2024-01-01T00:00:00Z', 'newpkg')));
    const bad = Buffer.from(
      JSON.stringify({
        ...rec('PYSEC-BAD-1', '2024-01-01T00:00:00Z', 'x'),
        affected: [
          { package: { ecosystem: 'PyPI', name: 'x' }, ranges: [{ type: 'ECOSYSTEM', events: [{ fixed: '1' }] }] },
        ],
      }),
    );
    writeFileSync(
      join(dir, 'all.zip'),
      writeZip([
        { name: 'PYSEC-NEW-1.json', data: good, deflate: true },
        { name: 'PYSEC-BAD-1.json', data: bad, deflate: true },
      ]),
    );
    // a directory of feeds: the good feed read before the bad one is rolled back too
    mkdirSync(join(tmp.path, 'feeds', 'Go'));
    writeFileSync(join(tmp.path, 'feeds', 'Go', 'all.zip'), writeZip([{ name: 'GO-NEW-1.json', data: good }]));
    assert.throws(
      () => importPath(store, join(tmp.path, 'feeds')),
      (e) =>
        isBulwarkError(e) &&
        e.code === 'CORRUPT' &&
        e.message ===
          `${join(dir, 'all.zip')}:PYSEC-BAD-1.json: unexpected content at affected.0.ranges.0.events: no introduced event`,
    );
    assert.deepEqual(store.feeds(), before);
    assert.equal(store.byId('PYSEC-NEW-1'), undefined);
    // the same zips, the bad record left out: both feeds go in
    writeFileSync(join(dir, 'all.zip'), writeZip([{ name: 'PYSEC-NEW-1.json', data: good, deflate: true }]));
    const r = importPath(store, join(tmp.path, 'feeds'));
    assert.deepEqual(
      r.feeds.map((f) => [f.name, f.records]),
      [
        ['osv:Go', 1],
        ['osv:PyPI', 1],
      ],
    );
    assert.deepEqual(ids(store.advisoriesFor('PyPI', 'NewPkg')), ['PYSEC-NEW-1']);
    store.close();
  } finally {
    await tmp.remove();
  }
});

test('store: files that are not databases, and paths that do not exist, are refused clearly', async () => {
  const tmp = await makeTempDir();
  try {
    const junk = join(tmp.path, 'junk.db');
    writeFileSync(junk, 'not sqlite at all, just text that is long enough to be read as a header');
    assert.throws(
      () => VulnStore.open(junk, { readonly: true }),
      (e) => isBulwarkError(e) && e.code === 'CORRUPT' && e.message.startsWith(`${junk}: not a vulnerability database`),
    );
    assert.throws(
      () => VulnStore.open(join(tmp.path, 'none.db'), { readonly: true }),
      (e) => isBulwarkError(e) && e.code === 'NOT_FOUND',
    );
    const s = VulnStore.open(':memory:');
    assert.throws(
      () => importPath(s, join(tmp.path, 'nothing-here')),
      (e) => isBulwarkError(e) && e.code === 'NOT_FOUND',
    );
    assert.throws(
      () => importPath(s, junk),
      (e) => isBulwarkError(e) && e.code === 'USAGE',
    );
    s.close();
  } finally {
    await tmp.remove();
  }
});

test('store: a schema-1 DB, whose index left crates.io and Packagist names unfolded, is re-keyed on open', async () => {
  const tmp = await makeTempDir();
  try {
    const path = join(tmp.path, 'v1.db');
    const s = VulnStore.open(path);
    const crate = {
      id: 'RUSTSEC-X',
      modified: '2024-01-01T00:00:00Z',
      affected: [{ package: { ecosystem: 'crates.io', name: 'Serde_Json' } }],
    };
    const twin = {
      id: 'RUSTSEC-Y',
      modified: '2024-01-01T00:00:00Z',
      affected: [{ package: { ecosystem: 'crates.io', name: 'serde-json' } }],
    };
    s.replaceFeed({ name: 'f', source: 's', sha256: '0' }, (put) => [crate, twin].forEach(put));
    s.close();
    // what schema 1 stored: names verbatim, version 1
    const raw = new Database(path);
    raw.prepare("UPDATE packages SET name = 'Serde_Json' WHERE id = 'RUSTSEC-X'").run();
    raw.pragma('user_version = 1');
    raw.close();
    const r = VulnStore.open(path, { readonly: true });
    assert.deepEqual(ids(r.advisoriesFor('crates.io', 'serde_json')), ['RUSTSEC-X', 'RUSTSEC-Y']);
    r.close();
    const again = new Database(path, { readonly: true });
    assert.equal(again.pragma('user_version', { simple: true }), 2);
    assert.deepEqual(again.prepare('SELECT DISTINCT name FROM packages').all(), [{ name: 'serde-json' }]);
    again.close();
  } finally {
    await tmp.remove();
  }
});
