import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { BulwarkError } from '../core/errors.js';
import { makeTempDir, type TempDir } from '../core/tempdir.js';
import { makeTar } from '../../test/support/layers.js';
import { TarArchive } from './archive.js';
import { indexTar } from './tar-index.js';

let tmp: TempDir;
before(async () => (tmp = await makeTempDir()));
after(() => tmp.remove());

let n = 0;
function write(buf: Buffer): string {
  const p = join(tmp.path, `t${n++}.tar`);
  writeFileSync(p, buf);
  return p;
}

test('indexes ustar, pax long names and links, and reads entries at random', async () => {
  const long = `${'d'.repeat(120)}/${'f'.repeat(130)}.json`;
  const tar = await makeTar([
    { name: 'manifest.json', content: '[1]' },
    { name: long, content: 'long' },
    { name: 'blobs/sha256/aa', content: 'blob' },
    { name: 'hard', type: 'link', linkname: 'blobs/sha256/aa' },
    { name: 'dir/', type: 'directory' },
  ]);
  const path = write(tar);
  const idx = await indexTar(path);
  assert.deepEqual([...idx.keys()], ['manifest.json', long, 'blobs/sha256/aa', 'hard', 'dir']);
  const a = await TarArchive.open(path);
  assert.equal((await a.read(long, 100)).toString(), 'long');
  assert.equal((await a.read('hard', 100)).toString(), 'blob', 'hard links resolve to their target');
  assert.equal((await a.readRange('manifest.json', 1, 1)).toString(), '1');
  await assert.rejects(a.read('manifest.json', 2), (e: unknown) => e instanceof BulwarkError && e.code === 'TOO_LARGE');
  await assert.rejects(a.read('absent', 2), (e: unknown) => e instanceof BulwarkError && e.code === 'NOT_FOUND');
});

test(
  'property: any corruption of a real tar gives entries or a BulwarkError, never a crash or hang',
  { timeout: 120_000 },
  async () => {
    const tar = await makeTar([
      { name: 'manifest.json', content: '[{"Config":"c.json","Layers":[]}]' },
      { name: `${'x'.repeat(150)}/long`, content: 'y'.repeat(700) },
      { name: 'link', type: 'symlink', linkname: 'manifest.json' },
    ]);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.nat(tar.length - 1), byte: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.option(fc.nat(tar.length), { nil: undefined }),
        async (flips, cut) => {
          const bad = Buffer.from(tar.subarray(0, cut ?? tar.length));
          for (const f of flips) if (f.at < bad.length) bad[f.at] = f.byte;
          try {
            const idx = await indexTar(write(bad));
            for (const e of idx.values())
              assert.ok(e.offset + e.size <= bad.length && !e.path.split('/').includes('..'));
          } catch (e) {
            if (!(e instanceof BulwarkError)) throw e;
          }
        },
      ),
      { numRuns: 300 },
    );
  },
);
