import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isBulwarkError } from '../core/errors.js';
import { makeTempDir } from '../core/tempdir.js';
import { SHARED_DATA } from '../../test/support/osv-bucket.js';
import { importPath } from './import.js';
import { ageWarning, defaultDbPath, formatAge, parseMaxAge, warnIfOld } from './location.js';
import { VulnStore } from './store.js';

const DAY = 86_400_000;

test('location: ages are read and written the way people write them', () => {
  assert.deepEqual(['7d', '12h', '90m', '1w', '30s', '1.5d'].map(parseMaxAge), [
    7 * DAY,
    12 * 3_600_000,
    90 * 60_000,
    7 * DAY,
    30_000,
    1.5 * DAY,
  ]);
  for (const bad of ['7', 'd', '7y', '-1d', ''])
    assert.throws(
      () => parseMaxAge(bad),
      (e) => isBulwarkError(e) && e.code === 'USAGE',
      bad,
    );
  assert.deepEqual([45_000, 12 * 60_000, 5 * 3_600_000, 3 * DAY + 4 * 3_600_000, 12 * DAY].map(formatAge), [
    '45s',
    '12m',
    '5h',
    '3d 4h',
    '12d',
  ]);
});

test('location: the DB path is $BULWARK_DB, else under the cache dir', () => {
  const saved = { db: process.env.BULWARK_DB, cache: process.env.BULWARK_CACHE_DIR };
  try {
    process.env.BULWARK_DB = '/srv/x.db';
    assert.equal(defaultDbPath(), '/srv/x.db');
    delete process.env.BULWARK_DB;
    process.env.BULWARK_CACHE_DIR = '/var/cache/bw';
    assert.equal(defaultDbPath(), '/var/cache/bw/db/bulwark.db');
  } finally {
    for (const [k, v] of [
      ['BULWARK_DB', saved.db],
      ['BULWARK_CACHE_DIR', saved.cache],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});

test('location: the age warning names the oldest feed, from injected import times', async () => {
  const tmp = await makeTempDir();
  const db = join(tmp.path, 'bulwark.db');
  try {
    const now = new Date('2024-10-20T12:00:00Z');
    const store = VulnStore.open(db);
    importPath(store, join(SHARED_DATA, 'osv', 'PyPI', 'all.zip'), { now: new Date(now.getTime() - 10 * DAY) });
    importPath(store, join(SHARED_DATA, 'alpine-secdb', 'v3.4', 'community.yaml'), {
      now: new Date(now.getTime() - 2 * 3_600_000),
    });
    const feeds = store.feeds();
    assert.equal(ageWarning(db, feeds, 30 * DAY, now), undefined);
    assert.equal(
      ageWarning(db, feeds, 7 * DAY, now),
      `${db}: vulnerability database is 10d old (feed osv:PyPI; limit 7d): run \`bulwark db update\``,
    );
    // refreshed through the store: young again
    store.setImportedAt('osv:PyPI', now.toISOString());
    assert.equal(ageWarning(db, store.feeds(), 7 * DAY, now), undefined);
    assert.match(ageWarning(db, [], 7 * DAY, now) ?? '', /has no feeds/);
    store.setImportedAt('osv:PyPI', '2024-01-01T00:00:00Z');
    store.close();

    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => lines.push(s) > 0) as typeof process.stderr.write;
    try {
      warnIfOld(db, '7d', now);
      warnIfOld(join(tmp.path, 'missing.db'), '7d', now);
    } finally {
      process.stderr.write = write;
    }
    assert.deepEqual(lines, [
      `bulwark: warning: ${db}: vulnerability database is 293d old (feed osv:PyPI; limit 7d): run \`bulwark db update\`\n`,
    ]);
  } finally {
    await tmp.remove();
  }
});
