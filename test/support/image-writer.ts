import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTar, sha256, type TestEntry } from './layers.js';

// Writes small images in the real docker-archive and OCI layout formats, for tests
// that need an image but not an engine (bad input, whiteouts, caching).

export interface TestLayer {
  /** The uncompressed layer tar. */
  tar: Buffer;
  /** How the layer is stored; defaults to the tar itself. */
  stored?: Buffer;
  createdBy?: string;
}

function config(layers: TestLayer[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2026-01-01T00:00:00Z',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256(l.tar)) },
      history: layers.map((l, i) => ({ created_by: l.createdBy ?? `layer ${i}` })),
    }),
  );
}

export async function dockerArchive(layers: TestLayer[], repoTags = ['test/image:1']): Promise<Buffer> {
  const cfg = config(layers);
  const cfgName = `${sha256(cfg).slice(7)}.json`;
  const entries: TestEntry[] = [{ name: cfgName, content: cfg }];
  const names = layers.map((l) => {
    const name = `${sha256(l.tar).slice(7, 71)}/layer.tar`;
    entries.push({ name, content: l.stored ?? l.tar });
    return name;
  });
  entries.push({
    name: 'manifest.json',
    content: JSON.stringify([{ Config: cfgName, RepoTags: repoTags, Layers: names }]),
  });
  return makeTar(entries);
}

export function ociLayout(dir: string, layers: TestLayer[], refName = 'latest'): void {
  const blob = (b: Buffer): string => {
    const d = sha256(b);
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'blobs', 'sha256', d.slice(7)), b);
    return d;
  };
  const cfg = config(layers);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: blob(cfg), size: cfg.length },
      layers: layers.map((l) => {
        const stored = l.stored ?? l.tar;
        return { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: blob(stored), size: stored.length };
      }),
    }),
  );
  const md = blob(manifest);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: md,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': refName },
        },
      ],
    }),
  );
}

export interface MemImage {
  manifest: Buffer;
  digest: string;
  mediaType: string;
  /** Config and layer blobs by digest. */
  blobs: Map<string, Buffer>;
}

/** One image as OCI manifest, config and gzip layers in memory (for registries), for a platform. */
export function ociImage(
  layers: TestLayer[],
  platform: { os: string; architecture: string; variant?: string } = { os: 'linux', architecture: 'amd64' },
): MemImage {
  const blobs = new Map<string, Buffer>();
  const cfg = Buffer.from(JSON.stringify({ ...JSON.parse(config(layers).toString()), ...platform }));
  blobs.set(sha256(cfg), cfg);
  const mediaType = 'application/vnd.oci.image.manifest.v1+json';
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(cfg), size: cfg.length },
      layers: layers.map((l) => {
        const stored = l.stored ?? l.tar;
        blobs.set(sha256(stored), stored);
        return {
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: sha256(stored),
          size: stored.length,
        };
      }),
    }),
  );
  return { manifest, digest: sha256(manifest), mediaType, blobs };
}

/** An OCI image index over images, each with its platform. */
export function ociIndex(
  images: { image: MemImage; platform: { os: string; architecture: string; variant?: string } }[],
): { bytes: Buffer; digest: string; mediaType: string } {
  const mediaType = 'application/vnd.oci.image.index.v1+json';
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      manifests: images.map(({ image, platform }) => ({
        mediaType: image.mediaType,
        digest: image.digest,
        size: image.manifest.length,
        platform,
      })),
    }),
  );
  return { bytes, digest: sha256(bytes), mediaType };
}

/** A cosign-style attachment manifest (".sig"/".att" tag): an empty config and one layer per payload. */
export function attachmentManifest(
  ...layers: { mediaType: string; payload: Buffer; annotations: Record<string, string> }[]
): Buffer {
  const cfg = Buffer.from('{}');
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(cfg), size: cfg.length },
      layers: layers.map((l) => ({
        mediaType: l.mediaType,
        digest: sha256(l.payload),
        size: l.payload.length,
        annotations: l.annotations,
      })),
    }),
  );
}
