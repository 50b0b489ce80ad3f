import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '../../src/core/types.js';
import { makeTempDir } from '../../src/core/tempdir.js';
import { bulwark } from '../support/fixtures.js';

// `scan fs` as a user runs it on a source tree: lockfiles of several ecosystems are read,
// a malformed one is a warning naming the file, and the scan still succeeds.

const ECO = join(import.meta.dirname, '..', '..', 'src', 'ecosystems');

test('scan fs reads an npm and a Poetry lockfile, and reports a malformed one without failing', async () => {
  const tmp = await makeTempDir();
  try {
    const repo = join(tmp.path, 'repo');
    cpSync(join(ECO, 'npm/fixtures/lockfiles/npm-v3'), join(repo, 'web'), { recursive: true });
    cpSync(join(ECO, 'python/fixtures/project/poetry.lock'), join(repo, 'api/poetry.lock'));
    mkdirSync(join(repo, 'broken'));
    writeFileSync(
      join(repo, 'broken/package-lock.json'),
      '{"lockfileVersion": 3, "packages": {"node_modules/x": {"version": 7}}}',
    );
    const r = bulwark(['scan', 'fs', repo, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const inv = JSON.parse(r.stdout) as Inventory;
    assert.equal(inv.artifact.type, 'fs');
    const by = (eco: string, dir: string): string[] =>
      inv.packages.filter((p) => p.ecosystem === eco && p.path.startsWith(`/${dir}/`)).map((p) => p.name);
    assert.ok(by('npm', 'web').length > 0, 'npm packages from web/package-lock.json');
    assert.ok(by('pypi', 'api').length > 0, 'PyPI packages from api/poetry.lock');
    assert.ok(
      inv.packages.every((p) => p.purl.startsWith(`pkg:${p.ecosystem}/`)),
      'every package has its purl',
    );
    assert.equal(inv.issues.length, 1);
    assert.equal(inv.issues[0]!.path, '/broken/package-lock.json');
    const table = bulwark(['scan', 'fs', repo]);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /\/broken\/package-lock\.json: .*\[npm\]/);
  } finally {
    await tmp.remove();
  }
});
