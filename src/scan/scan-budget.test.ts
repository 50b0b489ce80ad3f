import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../core/tempdir.js';
import { nestedJars } from '../ecosystems/java/fixtures/zip-writer.js';
import { DEFAULT_LIMITS } from '../image/limits.js';
import { scanRootfs } from './scan.js';

// Each jar: ~1.2 KiB that read ~900 KiB through three nested levels, under a 1 MiB ratio floor alone.
// (Found by file name alone, they have no groupId and so no purl: those issues are not the subject.)
const limits = { ...DEFAULT_LIMITS, ratioFloorBytes: 1 << 20 };

async function scanJars(names: string[]): Promise<{ packages: string[]; issues: string[] }> {
  const dir = await makeTempDir('zip-scan-');
  try {
    mkdirSync(join(dir.path, 'opt'));
    for (const n of names) writeFileSync(join(dir.path, 'opt', `${n}-1.0.jar`), nestedJars(n, 3, 300 << 10));
    const { inventory } = await scanRootfs(dir.path, 'jars', { limits, pkgTypes: ['library'] });
    return {
      packages: inventory.packages.map((p) => p.name).sort(),
      issues: inventory.issues
        .filter((i) => i.analyzer === 'java' && !i.message.includes('no valid purl'))
        .map((i) => `${i.path}: ${i.message}`),
    };
  } finally {
    await dir.remove();
  }
}

test('the archives of one scan share one inflate budget: two jars, each within the limits alone, are not both read', async () => {
  for (const n of ['a', 'b']) {
    const alone = await scanJars([n]);
    assert.deepEqual(alone.packages, [n, `${n}1`, `${n}2`, `${n}3`]);
    assert.deepEqual(alone.issues, []);
  }
  const both = await scanJars(['a', 'b']);
  assert.deepEqual(both.packages, ['a', 'a1', 'a2', 'a3'], 'the second jar is refused whole');
  assert.equal(
    both.issues.filter((i) => /^\/opt\/b-1\.0\.jar: .*expands more than 5-fold: a decompression bomb$/.test(i)).length,
    1,
    both.issues.join('\n'),
  );
});
