import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import type { OpenedImage, ImageLayer } from '../image/image.js';
import { digestOf, type BlobSource, type RegistryClient } from '../registry/client.js';

// Uploads an opened image to a registry: the stored manifest when the source has one (so
// the digest stays what was scanned), else an OCI manifest over the stored layer bytes
// and the config as it was (so the image id stays the same).

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

export interface PushPlan {
  manifest: Buffer;
  mediaType: string;
  digest: string;
  blobs: BlobSource[];
}

async function hashStream(layer: ImageLayer): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(
    layer.open(),
    new Writable({
      write(chunk: Buffer, _e, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb();
      },
    }),
  );
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

async function layerMediaType(layer: ImageLayer): Promise<string> {
  const head = await layer.peek(4);
  if (head[0] === 0x1f && head[1] === 0x8b) return 'application/vnd.oci.image.layer.v1.tar+gzip';
  if (head.readUInt32LE(0) === 0xfd2fb528) return 'application/vnd.oci.image.layer.v1.tar+zstd';
  return 'application/vnd.oci.image.layer.v1.tar';
}

/** What will be uploaded, and the digest the image will have, before anything is sent. */
export async function planPush(image: OpenedImage): Promise<PushPlan> {
  const config: BlobSource = {
    digest: digestOf(image.rawConfig),
    size: image.rawConfig.length,
    open: () => Readable.from([image.rawConfig]),
  };
  if (image.manifest) {
    const blobs = image.layers.map((l) => ({
      digest: l.blobDigest ?? l.digest,
      size: l.size ?? 0,
      open: () => l.open(),
    }));
    return {
      manifest: image.manifest.bytes,
      mediaType: image.manifest.mediaType,
      digest: digestOf(image.manifest.bytes),
      blobs: [config, ...blobs],
    };
  }
  const layers = [];
  for (const l of image.layers) {
    const { digest, size } =
      l.blobDigest && l.size !== undefined ? { digest: l.blobDigest, size: l.size } : await hashStream(l);
    layers.push({
      desc: { mediaType: await layerMediaType(l), digest, size },
      blob: { digest, size, open: () => l.open() },
    });
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size },
      layers: layers.map((l) => l.desc),
    }),
  );
  return {
    manifest,
    mediaType: OCI_MANIFEST,
    digest: digestOf(manifest),
    blobs: [config, ...layers.map((l) => l.blob)],
  };
}

/** Uploads every blob the registry lacks, then the manifest under the tag; returns the digest. */
export async function pushPlan(plan: PushPlan, client: RegistryClient, repo: string, tag: string): Promise<string> {
  for (const b of plan.blobs) await client.pushBlob(repo, b);
  return client.putManifest(repo, tag, plan.manifest, plan.mediaType);
}
