import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBulwarkError } from '../core/errors.js';
import { makeTempDir } from '../core/tempdir.js';
import { importPath, zipFeedName } from './import.js';
import { VulnStore } from './store.js';
import { throwsCode } from '../../test/support/codes.js';

const rec = (id: string, name: string) => ({
  id,
  modified: '2024-05-01T00:00:00Z',
  affected: [{ package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }],
});

test('import: zip feed names follow the bucket layout', () => {
  assert.equal(zipFeedName('/m/osv/PyPI/all.zip'), 'osv:PyPI');
  assert.equal(zipFeedName('/m/osv/Rocky Linux/all.zip'), 'osv:Rocky Linux');
  assert.equal(zipFeedName('/tmp/npm.zip'), 'osv:npm');
});

test('import: loose .json records are one feed per directory; other files are reported, not imported', async () => {
  const tmp = await makeTempDir();
  try {
    const dir = join(tmp.path, 'advisories', 'npm');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'GHSA-1.json'), JSON.stringify(rec('GHSA-1', 'left-pad')));
    writeFileSync(join(dir, 'more.json'), JSON.stringify([rec('GHSA-2', 'left-pad'), rec('GHSA-3', 'lodash')]));
    writeFileSync(join(dir, 'README.md'), '# not a feed');
    writeFileSync(join(tmp.path, 'advisories', 'other.yaml'), 'a: 1\n');
    const store = VulnStore.open(':memory:');
    const r = importPath(store, join(tmp.path, 'advisories'));
    assert.deepEqual(
      r.feeds.map((f) => [f.name, f.records]),
      [[`json:${dir}`, 3]],
    );
    assert.deepEqual(r.skipped, [
      `${join(dir, 'README.md')}: not a feed file`,
      `${join(tmp.path, 'advisories', 'other.yaml')}: not an Alpine secdb document`,
    ]);
    assert.deepEqual(
      store.advisoriesFor('npm', 'left-pad').map((x) => x.id),
      ['GHSA-1', 'GHSA-2'],
    );
    // one file on its own is its own feed
    const one = importPath(store, join(dir, 'GHSA-1.json'));
    assert.deepEqual(
      one.feeds.map((f) => f.name),
      [`json:${join(dir, 'GHSA-1.json')}`],
    );
    // an array with a bad element names it
    writeFileSync(join(dir, 'more.json'), JSON.stringify([rec('GHSA-2', 'left-pad'), { id: 'GHSA-4' }]));
    throwsCode(() => importPath(store, dir), 'CORRUPT', join(dir, 'more.json'));
    assert.equal(store.feed(`json:${dir}`)?.records, 3);
    // a .yaml named on its own must be secdb
    assert.throws(
      () => importPath(store, join(tmp.path, 'advisories', 'other.yaml')),
      (e) => isBulwarkError(e) && e.code === 'UNKNOWN_FORMAT',
    );
    store.close();
  } finally {
    await tmp.remove();
  }
});
