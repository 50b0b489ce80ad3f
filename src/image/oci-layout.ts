import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BulwarkError } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import type { Archive } from './archive.js';
import {
  archivedLayer,
  blobPath,
  configFields,
  Digest,
  ImageConfig,
  layerHistory,
  type ImageLayer,
  type OpenedImage,
} from './image.js';
import { formatPlatform, platformMatches, type Platform } from './platform.js';

// OCI image layouts (directory or tar): index.json → (nested) indexes → one image
// manifest chosen by platform and, when given, by its org.opencontainers.image.ref.name.

export const Descriptor = z.looseObject({
  mediaType: z.string().optional(),
  digest: Digest,
  size: z.number().int().nonnegative().optional(),
  platform: z.looseObject({ os: z.string(), architecture: z.string(), variant: z.string().optional() }).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type Descriptor = z.infer<typeof Descriptor>;

export const Index = z.looseObject({ mediaType: z.string().optional(), manifests: z.array(Descriptor) });
export const Manifest = z.looseObject({
  mediaType: z.string().optional(),
  config: Descriptor,
  layers: z.array(Descriptor),
});
export type Manifest = z.infer<typeof Manifest>;

export const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);
export const MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
]);
const REF_NAME = 'org.opencontainers.image.ref.name';
const MAX_JSON = 16 << 20;

async function readBlob(archive: Archive, d: Descriptor): Promise<Buffer> {
  const path = blobPath(d.digest);
  if (!(await archive.has(path))) throw new BulwarkError('NOT_FOUND', archive.input, `blob ${d.digest} is missing`);
  const bytes = await archive.read(path, MAX_JSON);
  const [alg] = d.digest.split(':');
  const actual = `${alg}:${createHash(alg!).update(bytes).digest('hex')}`;
  if (actual !== d.digest)
    throw new BulwarkError('DIGEST_MISMATCH', `${archive.input}:${path}`, `content has digest ${actual}`);
  return bytes;
}

export interface Candidate {
  desc: Descriptor;
  platform?: Partial<Platform>;
  refName?: string;
}

/** Fetches the (verified) bytes of a descriptor's document and says how to name it in errors. */
export type LoadDocument = (d: Descriptor) => Promise<{ bytes: Buffer; input: string }>;

/** Every image manifest reachable from these descriptors, through nested indexes. */
export async function collectImages(
  descs: Descriptor[],
  load: LoadDocument,
  input: string,
  refName?: string,
  depth = 0,
  out: Candidate[] = [],
): Promise<Candidate[]> {
  if (depth > 4) throw new BulwarkError('CORRUPT', input, 'image indexes nested too deeply');
  for (const d of descs) {
    const name = d.annotations?.[REF_NAME] ?? refName;
    if (d.mediaType && INDEX_TYPES.has(d.mediaType)) {
      const doc = await load(d);
      const idx = parseJson(doc.bytes, Index, doc.input);
      await collectImages(idx.manifests, load, input, name, depth + 1, out);
    } else {
      out.push({ desc: d, ...(d.platform ? { platform: d.platform } : {}), ...(name ? { refName: name } : {}) });
    }
  }
  return out;
}

export interface OciOptions {
  platform: Platform;
  /** Pick the manifest with this ref name (the ":tag" of "oci:dir:tag"). */
  refName?: string;
}

/** The image manifest for the asked platform (and ref name); one image with no platform is taken as-is. */
export function chooseImage(all: Candidate[], opts: OciOptions, input: string): Candidate {
  const named = opts.refName ? all.filter((c) => c.refName === opts.refName) : all;
  if (named.length === 0) throw new BulwarkError('NOT_FOUND', input, `no image named "${opts.refName}" in the layout`);
  // Attestation manifests carry platform unknown/unknown; images without a platform are taken as-is.
  const images = named.filter((c) => c.platform?.os !== 'unknown');
  const chosen =
    images.length === 1 && !images[0]!.platform
      ? images[0]
      : images.find((c) => !c.platform || platformMatches(opts.platform, c.platform));
  if (!chosen) {
    const have = images.map((c) => (c.platform ? formatPlatform(c.platform as Platform) : '?')).join(', ');
    throw new BulwarkError('PLATFORM', input, `no image for ${formatPlatform(opts.platform)} (has ${have || 'none'})`);
  }
  return chosen;
}

/** The manifest and its config must agree on the number of layers. */
export function checkLayerCount(manifest: Manifest, config: ImageConfig, input: string): void {
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new BulwarkError(
      'CORRUPT',
      input,
      `manifest lists ${manifest.layers.length} layers but the config has ${config.rootfs.diff_ids.length} diff ids`,
    );
  }
}

export async function openOciLayout(
  archive: Archive,
  name: string,
  opts: OciOptions,
  cleanup: () => Promise<void> = async () => {},
): Promise<OpenedImage> {
  const input = archive.input;
  if (!(await archive.has('index.json')))
    throw new BulwarkError('UNKNOWN_FORMAT', input, 'no index.json: not an OCI image layout');
  const index = parseJson(await archive.read('index.json', MAX_JSON), Index, `${input}:index.json`);
  const load: LoadDocument = async (d) => ({
    bytes: await readBlob(archive, d),
    input: `${input}:${blobPath(d.digest)}`,
  });
  const chosen = chooseImage(await collectImages(index.manifests, load, input), opts, input);
  const manifestBytes = await readBlob(archive, chosen.desc);
  const manifest = parseJson(manifestBytes, Manifest, `${input}:${blobPath(chosen.desc.digest)}`);
  const rawConfig = await readBlob(archive, manifest.config);
  const config = parseJson(rawConfig, ImageConfig, `${input}:${blobPath(manifest.config.digest)}`);
  checkLayerCount(manifest, config, input);
  const history = layerHistory(config);
  const layers: ImageLayer[] = await Promise.all(
    manifest.layers.map(async (d, index) => {
      const path = blobPath(d.digest);
      if (!(await archive.has(path))) throw new BulwarkError('NOT_FOUND', input, `layer blob ${d.digest} is missing`);
      return archivedLayer(archive, path, {
        index,
        digest: d.digest,
        diffId: config.rootfs.diff_ids[index]!,
        ...(d.mediaType ? { mediaType: d.mediaType } : {}),
        createdBy: history[index],
        blobDigest: d.digest,
      });
    }),
  );
  return {
    artifact: {
      name,
      type: 'oci-layout',
      imageId: manifest.config.digest,
      digest: chosen.desc.digest,
      repoTags: chosen.refName ? [chosen.refName] : [],
      repoDigests: [],
      ...configFields(config),
    },
    config,
    rawConfig,
    manifest: {
      bytes: manifestBytes,
      mediaType: manifest.mediaType ?? chosen.desc.mediaType ?? 'application/vnd.oci.image.manifest.v1+json',
    },
    layers,
    close: cleanup,
  };
}
