import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BulwarkError } from '../core/errors.js';
import { makeTempDir, type TempDir } from '../core/tempdir.js';
import { ociLayout } from '../../test/support/image-writer.js';
import { makeTar, sha256 } from '../../test/support/layers.js';
import { DirArchive } from './archive.js';
import { openOciLayout } from './oci-layout.js';
import { rejectsCode } from '../../test/support/codes.js';

let tmp: TempDir;
before(async () => (tmp = await makeTempDir()));
after(() => tmp.remove());

/** Rewrites a one-image layout into a multi-platform index of the same image plus an attestation entry. */
async function multiPlatform(dir: string): Promise<void> {
  ociLayout(dir, [{ tar: await makeTar([{ name: 'etc/os-release', content: 'ID=alpine\n' }]) }]);
  const idx = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
    manifests: { digest: string; size: number }[];
  };
  const m = idx.manifests[0]!;
  const plat = (architecture: string, variant?: string): object => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: m.digest,
    size: m.size,
    platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) },
  });
  const inner = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { ...plat('unknown'), platform: { os: 'unknown', architecture: 'unknown' } },
        plat('arm', 'v7'),
        plat('arm64', 'v8'),
        plat('amd64'),
      ],
    }),
  );
  const d = sha256(inner);
  writeFileSync(join(dir, 'blobs/sha256', d.slice(7)), inner);
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.index.v1+json',
          digest: d,
          size: inner.length,
          annotations: { 'org.opencontainers.image.ref.name': 'multi' },
        },
      ],
    }),
  );
}

test('an image index yields the manifest for the asked platform; a missing platform is an error naming what exists', async () => {
  const dir = join(tmp.path, 'multi');
  await multiPlatform(dir);
  const archive = await DirArchive.open(dir);
  for (const [os, architecture, variant] of [
    ['linux', 'amd64'],
    ['linux', 'arm64'],
    ['linux', 'arm', 'v7'],
  ] as const) {
    const img = await openOciLayout(archive, 'x', { platform: { os, architecture, ...(variant ? { variant } : {}) } });
    assert.deepEqual(img.artifact.repoTags, ['multi']);
    assert.equal(img.layers.length, 1);
  }
  await assert.rejects(
    openOciLayout(archive, 'x', { platform: { os: 'linux', architecture: 's390x' } }),
    (e: unknown) => {
      assert.ok(e instanceof BulwarkError && e.code === 'PLATFORM');
      assert.match(e.message, /no image for linux\/s390x \(has linux\/arm\/v7, linux\/arm64\/v8, linux\/amd64\)/);
      return true;
    },
  );
  await rejectsCode(
    openOciLayout(archive, 'x', { platform: { os: 'linux', architecture: 'amd64' }, refName: 'other' }),
    'NOT_FOUND',
  );
});

test('a blob whose content does not match its digest is refused', async () => {
  const dir = join(tmp.path, 'tampered');
  ociLayout(dir, [{ tar: await makeTar([{ name: 'a', content: 'a' }]) }]);
  const idx = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const manifest = join(dir, 'blobs/sha256', idx.manifests[0]!.digest.slice(7));
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('"schemaVersion":2', '"schemaVersion": 2'));
  await assert.rejects(
    openOciLayout(await DirArchive.open(dir), 'x', { platform: { os: 'linux', architecture: 'amd64' } }),
    (e: unknown) => e instanceof BulwarkError && e.code === 'DIGEST_MISMATCH',
  );
});
