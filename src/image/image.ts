import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { Artifact } from '../core/types.js';
import type { Archive } from './archive.js';

export const Digest = z.string().regex(/^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/, 'not a valid digest');

/** The parts of an OCI / Docker image config the scanner reads. */
export const ImageConfig = z.looseObject({
  architecture: z.string().optional(),
  os: z.string().optional(),
  variant: z.string().optional(),
  created: z.string().optional(),
  config: z.looseObject({}).nullish(),
  rootfs: z.object({ type: z.string(), diff_ids: z.array(Digest) }),
  history: z.array(z.looseObject({ created_by: z.string().optional(), empty_layer: z.boolean().optional() })).nullish(),
});
export type ImageConfig = z.infer<typeof ImageConfig>;

export interface ImageLayer {
  index: number;
  /** The layer as stored: blob digest (OCI) or diff id (classic docker-archive). */
  digest: string;
  diffId: string;
  size?: number;
  mediaType?: string;
  createdBy?: string;
  /** Digest of the stored bytes, verified while reading, where the format records one. */
  blobDigest?: string;
  /** How to name this layer in errors. */
  input: string;
  /** First bytes of the stored blob, to tell the compression. */
  peek(n: number): Promise<Buffer>;
  open(): Readable;
  /**
   * Bytes [start, start+len) of the stored blob, where it is a local file (an image archive or
   * layout on disk): lets a walk read a few entries again without streaming the whole layer.
   */
  readRange?(start: number, len: number): Promise<Buffer>;
}

export interface OpenedImage {
  artifact: Artifact;
  config: ImageConfig;
  /** The config as stored: its digest is the image id, so a push must keep these bytes. */
  rawConfig: Buffer;
  /** The image manifest as stored, where the source has one (OCI layout, registry). */
  manifest?: { bytes: Buffer; mediaType: string };
  layers: ImageLayer[];
  close(): Promise<void>;
}

/** created_by of each non-empty layer, in order (history also lists metadata-only steps). */
export function layerHistory(config: ImageConfig): (string | undefined)[] {
  return (config.history ?? []).filter((h) => !h.empty_layer).map((h) => h.created_by);
}

export function blobPath(digest: string): string {
  const [alg, hex] = digest.split(':');
  return `blobs/${alg}/${hex}`;
}

/** The artifact fields every image format takes from its config. */
export function configFields(config: ImageConfig): Pick<Artifact, 'os' | 'architecture' | 'variant' | 'created'> {
  return {
    ...(config.os ? { os: config.os } : {}),
    ...(config.architecture ? { architecture: config.architecture } : {}),
    ...(config.variant ? { variant: config.variant } : {}),
    ...(config.created ? { created: config.created } : {}),
  };
}

/** A layer stored as one file of an archive (docker save tar, OCI layout). */
export async function archivedLayer(
  archive: Archive,
  path: string,
  layer: Omit<ImageLayer, 'input' | 'peek' | 'open' | 'size'>,
): Promise<ImageLayer> {
  return {
    ...layer,
    size: await archive.size(path),
    input: `${archive.input}:${path}`,
    peek: (n: number) => archive.readRange(path, 0, n),
    open: () => archive.stream(path),
    readRange: (start: number, len: number) => archive.readRange(path, start, len),
  };
}
