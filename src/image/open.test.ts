import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBulwarkError } from '../core/errors.js';
import { gzip, makeTar } from '../../test/support/layers.js';
import { DEFAULT_LIMITS } from './limits.js';
import { openImage } from './open.js';

test('a gzip-compressed archive that expands past the ratio limit is refused while unpacking, naming the file, and leaves no temp file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'zip-open-'));
  const tmp = process.env.TMPDIR;
  t.after(() => {
    if (tmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmp;
    rmSync(dir, { recursive: true, force: true });
  });
  // 8 MiB of zeros gzip to ~8 KiB: a thousand-fold expansion
  const path = join(dir, 'bomb.tar.gz');
  const stored = gzip(await makeTar([{ name: 'zeros', content: Buffer.alloc(8 << 20) }]));
  writeFileSync(path, stored);
  assert.ok(stored.length * 200 < 8 << 20, `only ${stored.length} bytes compressed`);
  process.env.TMPDIR = dir;
  const limits = { ...DEFAULT_LIMITS, ratioFloorBytes: 1 << 20 };
  await assert.rejects(
    openImage(path, { limits }),
    (e: unknown) => isBulwarkError(e) && e.code === 'TOO_LARGE' && e.input === path,
  );
  assert.deepEqual(readdirSync(dir), ['bomb.tar.gz'], 'the partly unpacked temp file is removed');
  // the same file within the limits is unpacked in full: it then fails only for lacking a manifest
  await assert.rejects(
    openImage(path, { limits: { ...limits, ratioFloorBytes: 16 << 20 } }),
    (e: unknown) => isBulwarkError(e) && e.code === 'UNKNOWN_FORMAT',
  );
  await assert.rejects(
    openImage(path, { limits: { ...limits, maxLayerBytes: 4 << 20, ratioFloorBytes: 16 << 20 } }),
    (e: unknown) => isBulwarkError(e) && e.code === 'TOO_LARGE' && e.input === path,
  );
  assert.deepEqual(readdirSync(dir), ['bomb.tar.gz']);
});
