import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isBulwarkError, type ErrorCode } from '../core/errors.js';
import type { Inventory, Package } from '../core/types.js';
import { makeTempDir, type TempDir } from '../core/tempdir.js';
import { writeZip } from '../ecosystems/java/fixtures/zip-writer.js';
import { SHARED_DATA, serveBucket, type BucketServer } from '../../test/support/osv-bucket.js';
import { matchInventory } from '../match/matcher.js';
import { VulnStore } from './store.js';
import { feedUrl, updateDb } from './update.js';

const OSV = join(SHARED_DATA, 'osv');
let server: BucketServer;
let tmp: TempDir;
before(async () => {
  server = await serveBucket(OSV);
  tmp = await makeTempDir();
});
after(async () => {
  await server.close();
  await tmp.remove();
});

const fileSha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

/** What the DB answers, to compare before and after a failed update. */
function answers(dbPath: string): string {
  const s = VulnStore.open(dbPath, { readonly: true });
  try {
    return JSON.stringify([
      s.feeds(),
      s.advisoriesFor('PyPI', 'cherrypy'),
      s.advisoriesFor('Go', 'github.com/gin-gonic/gin'),
      s.byId('PYSEC-2022-42969'),
    ]);
  } finally {
    s.close();
  }
}

async function failsWith(p: Promise<unknown>, codes: ErrorCode[], reason: RegExp): Promise<void> {
  await assert.rejects(p, (e) => {
    assert.ok(isBulwarkError(e), String(e));
    assert.ok(codes.includes(e.code), `${e.code}: ${e.message}`);
    assert.match(e.message, reason);
    return true;
  });
}

test('update: downloads, then asks conditionally and leaves the DB untouched on 304', async () => {
  const db = join(tmp.path, 'http', 'bulwark.db');
  const first = await updateDb({ dbPath: db, mirror: server.url, ecosystems: ['PyPI', 'Go'] });
  assert.equal(first.written, true);
  assert.deepEqual(
    first.feeds.map((f) => [f.feed, f.status, f.records, f.affected]),
    [
      ['osv:PyPI', 'updated', 2661, 2661],
      ['osv:Go', 'updated', 4291, 6125],
    ],
  );
  const s = VulnStore.open(db, { readonly: true });
  const pypi = s.feed('osv:PyPI')!;
  const go = s.feed('osv:Go')!;
  assert.equal(pypi.source, `${server.url}/PyPI/all.zip`);
  assert.equal(pypi.sha256, fileSha(join(OSV, 'PyPI', 'all.zip')));
  assert.match(pypi.etag ?? '', /^"[0-9a-f]+"$/);
  assert.ok(pypi.lastModified);
  assert.deepEqual(
    s.advisoriesFor('PyPI', 'CherryPy').map((r) => r.id),
    ['PYSEC-2006-1', 'PYSEC-2008-3'],
  );
  s.close();

  const st = statSync(db);
  const sha = fileSha(db);
  server.requests.length = 0;
  // the ecosystems now come from the DB
  const second = await updateDb({ dbPath: db, mirror: server.url });
  assert.deepEqual(
    second.feeds.map((f) => [f.feed, f.status]),
    [
      ['osv:Go', 'unchanged'],
      ['osv:PyPI', 'unchanged'],
    ],
  );
  assert.equal(second.written, false);
  assert.deepEqual(
    server.requests.map((r) => [r.path, r.status, r.headers['if-none-match'], r.headers['if-modified-since']]),
    [
      ['/Go/all.zip', 304, go.etag, statSync(join(OSV, 'Go', 'all.zip')).mtime.toUTCString()],
      ['/PyPI/all.zip', 304, pypi.etag, statSync(join(OSV, 'PyPI', 'all.zip')).mtime.toUTCString()],
    ],
  );
  const st2 = statSync(db);
  assert.deepEqual([st2.ino, st2.mtimeMs, fileSha(db)], [st.ino, st.mtimeMs, sha]);
});

test('update: a download cut off mid-body or a corrupt zip fails and the previous DB answers as before', async () => {
  const db = join(tmp.path, 'broken', 'bulwark.db');
  await updateDb({ dbPath: db, mirror: server.url, ecosystems: ['PyPI'] });
  const before = answers(db);
  const sha = fileSha(db);
  try {
    server.mode = 'truncate';
    await failsWith(
      updateDb({ dbPath: db, mirror: server.url, ecosystems: ['Go'] }),
      ['TRUNCATED'],
      /Go\/all\.zip: download interrupted after \d+ of \d+ bytes/,
    );
    server.mode = 'corrupt';
    // PyPI first changes the copy, then Go's corrupt zip fails the update: nothing of it lands
    await failsWith(
      updateDb({ dbPath: db, mirror: server.url, ecosystems: ['Go', 'PyPI'] }),
      ['CORRUPT', 'TRUNCATED'],
      /\/Go\/all\.zip/,
    );
  } finally {
    server.mode = 'normal';
  }
  assert.equal(fileSha(db), sha);
  assert.equal(answers(db), before);
  assert.deepEqual(readdirSync(join(tmp.path, 'broken')), ['bulwark.db']);
});

test('update: a file:// mirror in the bucket layout works, and a changed feed replaces the old one', async () => {
  const db = join(tmp.path, 'file', 'bulwark.db');
  const r = await updateDb({ dbPath: db, mirror: pathToFileURL(OSV).href, ecosystems: ['AlmaLinux'], offline: true });
  assert.deepEqual(
    r.feeds.map((f) => [f.feed, f.status, f.records]),
    [['osv:AlmaLinux', 'updated', 5637]],
  );
  const again = await updateDb({ dbPath: db, mirror: pathToFileURL(OSV).href, offline: true });
  assert.deepEqual([again.feeds[0]?.status, again.written], ['unchanged', false]);

  // a mirror whose AlmaLinux feed now holds one record
  const mirror = join(tmp.path, 'mirror');
  mkdirSync(join(mirror, 'AlmaLinux'), { recursive: true });
  const one = {
    id: 'ALSA-2099:0001',
    modified: '2099-01-01T00:00:00Z',
    affected: [
      {
        package: { ecosystem: 'AlmaLinux:9', name: 'openssl' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:9.9-1.el9' }] }],
      },
    ],
  };
  writeFileSync(
    join(mirror, 'AlmaLinux', 'all.zip'),
    writeZip([{ name: 'ALSA-2099:0001.json', data: Buffer.from(JSON.stringify(one)), deflate: true }]),
  );
  const ino = statSync(db).ino;
  const changed = await updateDb({ dbPath: db, mirror: pathToFileURL(mirror).href });
  assert.deepEqual(
    changed.feeds.map((f) => [f.feed, f.status, f.records]),
    [['osv:AlmaLinux', 'updated', 1]],
  );
  assert.notEqual(statSync(db).ino, ino); // renamed into place, not written over
  const s = VulnStore.open(db, { readonly: true });
  assert.deepEqual(
    s.advisoriesFor('AlmaLinux:9', 'openssl').map((x) => x.id),
    ['ALSA-2099:0001'],
  );
  assert.equal(s.byId('ALBA-2019:0973'), undefined);
  s.close();
});

test('update: offline never touches the network; bad mirrors and missing feeds are refused', async () => {
  const db = join(tmp.path, 'offline', 'bulwark.db');
  server.requests.length = 0;
  const r = await updateDb({ dbPath: db, mirror: server.url, ecosystems: ['PyPI'], offline: true });
  assert.deepEqual([r.feeds.map((f) => f.status), r.written, server.requests.length], [['skipped-offline'], false, 0]);
  await failsWith(updateDb({ dbPath: db, mirror: 'ftp://example.org/osv' }), ['USAGE'], /mirror must be an http/);
  await failsWith(
    updateDb({ dbPath: db, mirror: server.url, ecosystems: ['npm'] }),
    ['NOT_FOUND'],
    /npm\/all\.zip: no such feed \(HTTP 404\)/,
  );
  assert.equal(
    feedUrl(new URL('https://b.example/osv'), 'Rocky Linux').href,
    'https://b.example/osv/Rocky%20Linux/all.zip',
  );
  assert.throws(
    () => feedUrl(new URL('https://b.example/'), '../etc'),
    (e) => isBulwarkError(e) && e.code === 'USAGE',
  );
});

test('update: a severity source lands beside the ecosystems and rates what their feeds leave unrated; absent, it is reported', async () => {
  // a mirror with the real Go feed and a GIT folder holding one NVD-converted CVE record
  const mirror = join(tmp.path, 'sev-mirror');
  mkdirSync(join(mirror, 'Go'), { recursive: true });
  mkdirSync(join(mirror, 'GIT'));
  symlinkSync(join(OSV, 'Go', 'all.zip'), join(mirror, 'Go', 'all.zip'));
  const vector = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H'; // NVD's for CVE-2022-27664: 7.5
  const cve = {
    id: 'CVE-2022-27664',
    modified: '2024-11-21T07:00:00Z',
    severity: [{ type: 'CVSS_V3', score: vector }],
    affected: [{ ranges: [{ type: 'GIT', repo: 'https://go.googlesource.com/go', events: [{ introduced: '0' }] }] }],
  };
  writeFileSync(
    join(mirror, 'GIT', 'all.zip'),
    writeZip([{ name: 'CVE-2022-27664.json', data: Buffer.from(JSON.stringify(cve)), deflate: true }]),
  );
  const bucket = await serveBucket(mirror);
  try {
    const db = join(tmp.path, 'sev', 'bulwark.db');
    const r = await updateDb({ dbPath: db, mirror: bucket.url, ecosystems: ['Go'], severitySources: ['GIT'] });
    assert.deepEqual(
      r.feeds.map((f) => [f.feed, f.status, f.records]),
      [
        ['osv:Go', 'updated', 4291],
        ['osv:GIT', 'updated', 1],
      ],
    );
    const s = VulnStore.open(db, { readonly: true });
    const stdlib: Package = {
      ecosystem: 'golang',
      name: 'stdlib',
      version: '1.16.15',
      licenses: [],
      purl: 'pkg:golang/stdlib@1.16.15',
      layer: { index: 0, diffId: '' },
      path: '/app',
      files: [],
    };
    const inv: Inventory = {
      schemaVersion: 1,
      artifact: { name: 'x', type: 'fs', repoTags: [], repoDigests: [] },
      os: null,
      layers: [],
      packages: [stdlib],
      issues: [],
    };
    const f = matchInventory(inv, s).findings.find((x) => x.id === 'CVE-2022-27664');
    s.close();
    assert.deepEqual([f?.severity, f?.severitySource, f?.cvss?.score], ['HIGH', 'CVSS 3.1 (CVE-2022-27664)', 7.5]);
    // the next update: the DB's ecosystems are Go (GIT stays a severity source), both unchanged
    const again = await updateDb({ dbPath: db, mirror: bucket.url, severitySources: ['GIT'] });
    assert.deepEqual(
      again.feeds.map((x) => [x.feed, x.status]),
      [
        ['osv:Go', 'unchanged'],
        ['osv:GIT', 'unchanged'],
      ],
    );
    // a mirror without it: the update goes ahead and says so
    const other = await updateDb({
      dbPath: join(tmp.path, 'sev2', 'bulwark.db'),
      mirror: server.url,
      ecosystems: ['PyPI'],
      severitySources: ['GIT'],
    });
    assert.deepEqual(
      other.feeds.map((x) => [x.feed, x.status]),
      [
        ['osv:PyPI', 'updated'],
        ['osv:GIT', 'absent'],
      ],
    );
    assert.equal(other.written, true);
  } finally {
    await bucket.close();
  }
});
