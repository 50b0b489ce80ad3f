import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanBudget } from '../core/zip.js';
import { walkLayer } from '../image/layer-walker.js';
import { DEFAULT_LIMITS, type Limits } from '../image/limits.js';
import { walkRootfs } from '../image/rootfs.js';
import { makeTar, memLayer } from '../../test/support/layers.js';
import type { Cataloger } from './analyzer.js';
import { Collector } from './collector.js';

// The user's limits (--max-file-size …) reach every analyzer's `wants` through the walker,
// for image layers and for directories alike.

function spy(): { cataloger: Cataloger<string>; seen: (Limits | undefined)[] } {
  const seen: (Limits | undefined)[] = [];
  const cataloger: Cataloger<string> = {
    id: 'spy',
    version: 1,
    ecosystem: 'npm',
    wants(path, _info, _target, limits) {
      seen.push(limits);
      return path === 'etc/wanted';
    },
    parse: (_path, content) => content.toString(),
    catalog: () => [],
  };
  return { cataloger, seen };
}

const user: Limits = { ...DEFAULT_LIMITS, maxFileBytes: 4096 };
const ctx = { maxFileBytes: user.maxFileBytes, inflate: scanBudget(user) };

test('a layer walk hands the user limits to each cataloger wants', async () => {
  const { cataloger, seen } = spy();
  const tar = await makeTar([
    { name: 'etc/wanted', content: 'yes' },
    { name: 'etc/other', content: 'no' },
  ]);
  const c = new Collector('d', 'image', [cataloger as Cataloger<unknown>], user, ctx);
  await walkLayer(memLayer(tar, tar), c, user);
  assert.ok(seen.length >= 2);
  for (const l of seen) assert.equal(l?.maxFileBytes, 4096);
  assert.deepEqual(c.analysis.files.spy?.['etc/wanted'], { data: 'yes' });
});

test('a directory walk hands the user limits to each cataloger wants', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eco-collector-'));
  try {
    await mkdir(join(dir, 'etc'));
    await writeFile(join(dir, 'etc', 'wanted'), 'yes');
    const { cataloger, seen } = spy();
    const c = new Collector('', 'fs', [cataloger as Cataloger<unknown>], user, ctx);
    await walkRootfs(dir, c, user);
    assert.ok(seen.length >= 1);
    for (const l of seen) assert.equal(l?.maxFileBytes, 4096);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
