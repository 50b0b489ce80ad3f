import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BulwarkError } from '../core/errors.js';
import { scanImage } from '../scan/scan.js';
import { fakeRegistry, type FakeContent, type FakeHandler } from '../../test/support/fake-registry.js';
import { ociImage, ociIndex, type MemImage } from '../../test/support/image-writer.js';
import { gzip, makeTar } from '../../test/support/layers.js';
import { openImage } from './open.js';
import { openRegistryImage } from './registry.js';

// The registry image source against an in-memory registry on 127.0.0.1 (the real
// docker-registry runs in test/e2e/registry.test.ts).

const isCode =
  (code: string) =>
  (e: unknown): boolean =>
    e instanceof BulwarkError && e.code === code;
const opts = { insecure: true, retryBaseMs: 1, credentials: () => ({}) };

async function alpine(
  version: string,
  platform: { os: string; architecture: string; variant?: string },
): Promise<MemImage> {
  const tar = await makeTar([{ name: 'etc/os-release', content: `ID=alpine\nVERSION_ID=${version}\n` }]);
  return ociImage([{ tar, stored: gzip(tar) }], platform);
}

async function multiPlatform(): Promise<{
  content: FakeContent;
  amd64: MemImage;
  arm64: MemImage;
  index: { digest: string };
}> {
  const amd64 = await alpine('3.19.1', { os: 'linux', architecture: 'amd64' });
  const arm64 = await alpine('3.19.2', { os: 'linux', architecture: 'arm64', variant: 'v8' });
  const index = ociIndex([
    { image: amd64, platform: { os: 'linux', architecture: 'amd64' } },
    { image: arm64, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ]);
  const manifests = new Map([
    ['multi', { mediaType: index.mediaType, bytes: index.bytes }],
    [amd64.digest, { mediaType: amd64.mediaType, bytes: amd64.manifest }],
    [arm64.digest, { mediaType: arm64.mediaType, bytes: arm64.manifest }],
  ]);
  return { content: { manifests, blobs: new Map([...amd64.blobs, ...arm64.blobs]) }, amd64, arm64, index };
}

test('an index is resolved by platform like an OCI layout; the artifact names the repository, tag and index digest', async () => {
  const { content, amd64, arm64, index } = await multiPlatform();
  const reg = await fakeRegistry(content);
  try {
    for (const [platform, want, version] of [
      [{ os: 'linux', architecture: 'amd64' }, amd64, '3.19.1'],
      [{ os: 'linux', architecture: 'arm64' }, arm64, '3.19.2'],
    ] as const) {
      const img = await openRegistryImage(`${reg.host}/team/app:multi`, { ...opts, platform });
      try {
        assert.equal(img.artifact.type, 'registry');
        assert.equal(img.artifact.digest, want.digest);
        assert.deepEqual(img.artifact.repoTags, [`${reg.host}/team/app:multi`]);
        assert.deepEqual(img.artifact.repoDigests, [`${reg.host}/team/app@${index.digest}`]);
        assert.equal(img.artifact.architecture, platform.architecture);
        assert.ok(img.layers[0]!.blobDigest);
        const r = await scanImage(img, { cacheDir: null });
        assert.equal(r.inventory.os?.version, version);
      } finally {
        await img.close();
      }
    }
    await assert.rejects(
      openRegistryImage(`${reg.host}/team/app:multi`, { ...opts, platform: { os: 'linux', architecture: 's390x' } }),
      (e: unknown) => {
        assert.ok(isCode('PLATFORM')(e));
        assert.match((e as Error).message, /no image for linux\/s390x \(has linux\/amd64, linux\/arm64\/v8\)/);
        return true;
      },
    );
  } finally {
    await reg.stop();
  }
});

test('a layer served with other content fails the scan with DIGEST_MISMATCH', async () => {
  const { content, amd64 } = await multiPlatform();
  const layer = JSON.parse(amd64.manifest.toString()) as { layers: { digest: string }[] };
  const evil = gzip(await makeTar([{ name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=9.9.9\n' }]));
  const tamper: FakeHandler = (req, res, url) => {
    if (!url.pathname.endsWith(layer.layers[0]!.digest)) return false;
    res.writeHead(200).end(req.headers.range ? evil.subarray(0, 4) : evil);
    return true;
  };
  const reg = await fakeRegistry(content, tamper);
  try {
    const img = await openRegistryImage(`${reg.host}/app@${amd64.digest}`, opts);
    try {
      await assert.rejects(
        scanImage(img, { cacheDir: null }),
        (e: unknown) =>
          isCode('DIGEST_MISMATCH')(e) && (e as BulwarkError).input === `${reg.host}/app@${layer.layers[0]!.digest}`,
      );
    } finally {
      await img.close();
    }
  } finally {
    await reg.stop();
  }
});

test('schema 1 manifests and other artifacts are not images', async () => {
  const v1 = Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'app', tag: 'old', fsLayers: [] }));
  const reg = await fakeRegistry({
    manifests: new Map([
      ['old', { mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws', bytes: v1 }],
    ]),
  });
  try {
    await assert.rejects(
      openRegistryImage(`${reg.host}/app:old`, opts),
      (e: unknown) =>
        isCode('UNKNOWN_FORMAT')(e) &&
        /manifest\.v1\+prettyjws" is not an OCI or Docker v2 image manifest/.test((e as Error).message),
    );
  } finally {
    await reg.stop();
  }
});

test('openImage sends registry:REF and references with a registry host to the registry', async () => {
  const { content } = await multiPlatform();
  const reg = await fakeRegistry(content);
  try {
    for (const target of [`registry:${reg.host}/app:multi`, `${reg.host}/app:multi`]) {
      const img = await openImage(target, { insecure: true, platform: { os: 'linux', architecture: 'amd64' } });
      assert.equal(img.artifact.type, 'registry');
      assert.equal(img.artifact.name, target);
      await img.close();
    }
    await assert.rejects(openImage('registry.example.invalid/app:1', { insecure: true }), isCode('USAGE'));
    await assert.rejects(openImage('registry:Not_A/Reference'), isCode('USAGE'));
  } finally {
    await reg.stop();
  }
});
