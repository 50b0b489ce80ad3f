import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '../core/tempdir.js';
import { writeZip } from '../ecosystems/java/fixtures/zip-writer.js';
import { bulwark } from '../../test/support/fixtures.js';
import { bulwarkAsync, serveBucket, SHARED_DATA, type BucketServer } from '../../test/support/osv-bucket.js';
import { VulnStore } from '../vulndb/store.js';

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

test('cli db: import and status through the real CLI', () => {
  const db = join(tmp.path, 'import', 'bulwark.db');
  const zip = join(OSV, 'PyPI', 'all.zip');
  const imp = bulwark(['db', 'import', zip, '--db', db]);
  assert.equal(imp.code, 0, imp.stderr);
  assert.match(imp.stdout, new RegExp(`^osv:PyPI +2661 records +2661 affected +${zip}$`, 'm'));
  assert.match(imp.stdout, /^imported 2661 records, 2661 affected entries, 1 feeds into /m);
  const alp = bulwark(['db', 'import', join(SHARED_DATA, 'alpine-secdb', 'v3.11'), '--db', db]);
  assert.match(alp.stdout, /^alpine-secdb:v3\.11\/community +829 records/m);
  assert.match(alp.stdout, /^alpine-secdb:v3\.11\/main +1123 records/m);

  // BULWARK_DB names the database when --db does not
  const st = bulwark(['db', 'status'], { BULWARK_DB: db });
  assert.equal(st.code, 0, st.stderr);
  assert.equal(st.stderr, '');
  assert.match(st.stdout, new RegExp(`^database: ${db} \\(\\d+\\.\\d MB, 4613 records\\)$`, 'm'));
  assert.match(st.stdout, /^FEED +RECORDS +AFFECTED +AGE +SOURCE$/m);
  assert.match(st.stdout, new RegExp(`^osv:PyPI +2661 +2661 +\\d+s +${zip}$`, 'm'));

  // ten days old, through the store API
  const s = VulnStore.open(db);
  s.setImportedAt('osv:PyPI', new Date(Date.now() - 10 * 86_400_000).toISOString());
  s.close();
  const old = bulwark(['db', 'status', '--db', db]);
  assert.equal(old.code, 0);
  assert.match(old.stdout, /^osv:PyPI +2661 +2661 +10d +/m);
  assert.equal(
    old.stderr,
    `bulwark: warning: ${db}: vulnerability database is 10d old (feed osv:PyPI; limit 7d): run \`bulwark db update\`\n`,
  );
  assert.equal(bulwark(['db', 'status', '--db', db, '--db-max-age', '30d']).stderr, '');
});

test('cli db: bad input is one line naming it, exit 2, nothing lost', () => {
  const db = join(tmp.path, 'errors', 'bulwark.db');
  assert.equal(bulwark(['db', 'import', join(OSV, 'Go', 'all.zip'), '--db', db]).code, 0);
  const missing = join(tmp.path, 'nothing');
  assert.deepEqual(bulwark(['db', 'import', missing, '--db', db]), {
    code: 2,
    stdout: '',
    stderr: `bulwark: NOT_FOUND (not found): ${missing}: no such file or directory\n`,
  });
  const dir = join(tmp.path, 'bad', 'Go');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'all.zip'),
    writeZip([{ name: 'GO-1.json', data: Buffer.from('{"id": "GO-1", "modified": "x"}') }]),
  );
  const bad = bulwark(['db', 'import', join(dir, 'all.zip'), '--db', db]);
  assert.deepEqual(
    [bad.code, bad.stderr],
    [
      2,
      `bulwark: CORRUPT (corrupt data): ${join(dir, 'all.zip')}:GO-1.json: unexpected content at modified: not a timestamp\n`,
    ],
  );
  const st = bulwark(['db', 'status', '--db', db]);
  assert.match(st.stdout, /^osv:Go +4291 +6125 /m);
  assert.deepEqual(
    bulwark(['db', 'status', '--db', db, '--db-max-age', 'soon']).stderr,
    'bulwark: USAGE (bad command line): soon: not an age (use e.g. 7d, 12h, 30m)\n',
  );
  const none = bulwark(['db', 'status', '--db', join(tmp.path, 'none.db')]);
  assert.equal(none.code, 2);
  assert.match(
    none.stderr,
    /^bulwark: NOT_FOUND \(not found\): .*none\.db: no vulnerability database: run `bulwark db update` or `bulwark db import PATH`\n$/,
  );
  for (const sub of ['update', 'import', 'status'])
    assert.match(bulwark(['db', sub, '--help']).stdout, /Examples?:\n {2}bulwark db /);
});

test('cli db: update from a loopback mirror, then 304; a killed update leaves the DB working', async () => {
  const db = join(tmp.path, 'update', 'bulwark.db');
  const first = await bulwarkAsync([
    'db',
    'update',
    '--mirror',
    server.url,
    '--ecosystems',
    'PyPI',
    '--severity-source',
    'none',
    '--db',
    db,
  ]).done;
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stderr, ''); // not a TTY: no progress bar
  assert.match(first.stdout, /^osv:PyPI +updated +2661 records, 2661 affected +2\.6 MB$/m);
  assert.match(first.stdout, new RegExp(`^database: ${db} \\(updated\\)$`, 'm'));
  const second = await bulwarkAsync(['db', 'update', '--mirror', server.url, '--db', db]).done;
  assert.match(second.stdout, /^osv:PyPI +unchanged$/m);
  // the default severity source, which this mirror lacks: reported, not an error
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /^osv:GIT +absent$/m);
  assert.match(
    second.stderr,
    /^bulwark: warning: severity source http:\/\/127\.0\.0\.1:\d+\/GIT\/all\.zip not found: findings their own feed leaves unrated stay UNKNOWN$/m,
  );
  assert.match(second.stdout, /\(unchanged\)$/m);

  // a body cut short: exit 2, one line, the DB as it was
  server.mode = 'truncate';
  try {
    const cut = await bulwarkAsync(['db', 'update', '--mirror', server.url, '--ecosystems', 'Go', '--db', db]).done;
    assert.equal(cut.code, 2);
    assert.match(
      cut.stderr,
      /^bulwark: TRUNCATED \(truncated data\): http:\/\/127\.0\.0\.1:\d+\/Go\/all\.zip: download interrupted after \d+ of 3179499 bytes \([^)]*\)\n$/,
    );
  } finally {
    server.mode = 'normal';
  }

  // AlmaLinux lands in the private copy, then Go hangs mid-body and the process is killed
  server.mode = 'stall';
  server.modePath = '/Go/';
  try {
    const run = bulwarkAsync(['db', 'update', '--mirror', server.url, '--ecosystems', 'AlmaLinux,Go', '--db', db]);
    await server.stalled;
    run.child.kill('SIGKILL');
    assert.equal((await run.done).signal, 'SIGKILL');
  } finally {
    server.mode = 'normal';
  }
  assert.equal(readdirSync(join(tmp.path, 'update')).filter((n) => n.endsWith('.tmp')).length, 1);
  const st = bulwark(['db', 'status', '--db', db]);
  assert.equal(st.code, 0, st.stderr);
  assert.doesNotMatch(st.stdout, /AlmaLinux/);
  const s = VulnStore.open(db, { readonly: true });
  assert.deepEqual(
    s.advisoriesFor('PyPI', 'cherrypy').map((r) => r.id),
    ['PYSEC-2006-1', 'PYSEC-2008-3'],
  );
  s.close();
  // the next update completes and clears the dead process's copy
  const next = await bulwarkAsync(['db', 'update', '--mirror', server.url, '--ecosystems', 'AlmaLinux,Go', '--db', db])
    .done;
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stdout, /^osv:AlmaLinux +updated +5637 records/m);
  assert.deepEqual(readdirSync(join(tmp.path, 'update')), ['bulwark.db']);
});
