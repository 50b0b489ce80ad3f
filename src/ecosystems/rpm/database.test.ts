import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBulwarkError } from '../../core/errors.js';
import { readBdbPackages } from './bdb.js';
import { parseSourceRpm, readRpmDatabase, RPM_DB_PATHS, type RpmRecord } from './database.js';
import { BDB_VARIANTS, useRpmFixture } from './fixtures/build.js';
import { parseRpmHeader } from './header.js';
import { readNdbPackages } from './ndb.js';
import { readSqlitePackages } from './sqlite.js';

const fixture = useRpmFixture();

const byName = (records: RpmRecord[]) => [...records].sort((a, b) => a.name.localeCompare(b.name));

test('SQLite rpmdb.sqlite written by rpm gives exactly what rpm -qp says about the packages', (t) => {
  const f = fixture(t);
  if (!f) return;
  assert.deepEqual(byName(readRpmDatabase('var/lib/rpm/rpmdb.sqlite', f.sqlite)), f.expected);
  const alpha = f.expected.find((r) => r.name === 'bwalpha');
  assert.equal(alpha?.epoch, 2, 'rpm -qp reports the epoch');
  assert.equal(alpha?.modularityLabel, 'bwmod:1:20240101:abcd');
  assert.ok(f.expected.find((r) => r.name === 'bwbig')!.files.length > 400);
});

test('the gpg-pubkey pseudo-package is in the database but not in the records', (t) => {
  const f = fixture(t);
  if (!f) return;
  const names = f.blobs.map((b) => parseRpmHeader(b, 'rpmdb.sqlite').name);
  assert.deepEqual([...names].sort(), ['bwalpha', 'bwbeta', 'bwbig', 'gpg-pubkey']);
  assert.ok(!readRpmDatabase('rpmdb.sqlite', f.sqlite).some((r) => r.name === 'gpg-pubkey'));
});

test('the header parser reads summary, size and files the way rpm -qp does', (t) => {
  const f = fixture(t);
  if (!f) return;
  for (const blob of f.blobs) {
    const h = parseRpmHeader(blob, 'rpmdb.sqlite');
    const want = f.extra.get(h.name);
    if (!want) continue; // gpg-pubkey
    assert.equal(h.summary, want.summary);
    assert.equal(h.size, want.size);
    assert.deepEqual(h.files, f.expected.find((r) => r.name === h.name)!.files);
  }
});

for (const [i, v] of BDB_VARIANTS.entries()) {
  test(`Berkeley DB hash Packages (${v.name}) gives the same records`, (t) => {
    const f = fixture(t);
    if (!f) return;
    const file = f.bdb[i]!;
    assert.deepEqual(byName(readRpmDatabase('var/lib/rpm/Packages', file)), f.expected);
    // Byte-identical header blobs, in instance order, as SQLite holds them.
    assert.deepEqual(readBdbPackages(file, 'Packages'), f.blobs);
    // The big header spans several overflow pages at this page size.
    assert.ok(Math.max(...f.blobs.map((b) => b.length)) > 1.5 * v.pageSize);
  });
}

test('rpm itself reads the Berkeley DB fixtures (they are genuine BDB files)', (t) => {
  const f = fixture(t);
  if (!f) return;
  for (const [i, v] of BDB_VARIANTS.entries()) {
    if (v.checksum) continue; // rpm's read-only BDB backend does not handle page checksums
    const r: SpawnSyncReturns<string> = spawnSync(
      'rpm',
      ['--dbpath', join(f.dir, `bdb-${i}`), '--define', '_db_backend bdb_ro', '-qa', '--qf', '%{NAME}\\n'],
      { encoding: 'utf8' },
    );
    assert.deepEqual(r.stdout.trim().split('\n').sort(), ['bwalpha', 'bwbeta', 'bwbig', 'gpg-pubkey'], r.stderr);
  }
});

test('NDB Packages.db gives the same records and the same blobs', (t) => {
  const f = fixture(t);
  if (!f) return;
  assert.deepEqual(byName(readRpmDatabase('usr/lib/sysimage/rpm/Packages.db', f.ndb)), f.expected);
  assert.deepEqual(readNdbPackages(f.ndb, 'Packages.db'), f.blobs);
  assert.deepEqual(readSqlitePackages(f.sqlite, 'rpmdb.sqlite'), f.blobs);
});

test('an NDB file written by rpm 4.18 itself reads to the packages rpm -qp describes', (t) => {
  const f = fixture(t);
  if (!f) return;
  const file = readFileSync(join(import.meta.dirname, 'fixtures', 'ndb-by-rpm', 'Packages.db'));
  const want = f.expected.filter((r) => r.name === 'bwalpha' || r.name === 'bwbeta');
  assert.deepEqual(byName(readRpmDatabase('var/lib/rpm/Packages.db', file)), want);
});

test('magic bytes win over a misleading file name; unknown name and magic is CORRUPT', (t) => {
  const f = fixture(t);
  if (!f) return;
  assert.deepEqual(byName(readRpmDatabase('var/lib/rpm/Packages', f.sqlite)), f.expected);
  assert.deepEqual(byName(readRpmDatabase('some/other/name', f.ndb)), f.expected);
  assert.deepEqual(byName(readRpmDatabase('rpmdb.sqlite', f.bdb[0]!)), f.expected);
  assert.throws(
    () => readRpmDatabase('var/lib/rpm/unknown', Buffer.from('not a database at all')),
    (e) => isBulwarkError(e) && e.code === 'CORRUPT' && e.input === 'var/lib/rpm/unknown',
  );
});

test('source rpm file names split into source name and version-release', () => {
  const cases: [string, ReturnType<typeof parseSourceRpm>][] = [
    ['openssl-3.0.7-24.el9.src.rpm', { name: 'openssl', version: '3.0.7-24.el9' }],
    ['glibc-2.17-260.el7_6.4.src.rpm', { name: 'glibc', version: '2.17-260.el7_6.4' }],
    [
      'perl-IO-Socket-SSL-2.066-4.module+el8.3.0+6446+594cad75.src.rpm',
      { name: 'perl-IO-Socket-SSL', version: '2.066-4.module+el8.3.0+6446+594cad75' },
    ],
    ['bwbeta-0.9~rc1-1.src.rpm', { name: 'bwbeta', version: '0.9~rc1-1' }],
    ['kernel-5.14.0-1.nosrc.rpm', { name: 'kernel', version: '5.14.0-1' }],
    ['openssl-3.0.7.src.rpm', undefined],
    ['-1-2.src.rpm', undefined],
    ['openssl-3.0.7-24.el9.x86_64.rpm', undefined],
    ['', undefined],
  ];
  for (const [input, want] of cases) assert.deepEqual(parseSourceRpm(input), want, input);
});

test('RPM_DB_PATHS lists the six database locations, relative to the image root', () => {
  assert.equal(RPM_DB_PATHS.length, 6);
  for (const dir of ['var/lib/rpm', 'usr/lib/sysimage/rpm']) {
    for (const file of ['Packages', 'Packages.db', 'rpmdb.sqlite']) assert.ok(RPM_DB_PATHS.includes(`${dir}/${file}`));
  }
  assert.ok(RPM_DB_PATHS.every((p) => !p.startsWith('/')));
});
