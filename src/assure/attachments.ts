import { z } from 'zod';
import { BulwarkError } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import { digestOf, type RegistryClient } from '../registry/client.js';

// Signatures and attestations stored as cosign stores them (tag-based discovery): an OCI
// manifest tagged "sha256-<hex>.sig" (or ".att") beside the image, one layer per
// signed payload, the signature in the layer's annotations. skopeo and containers/image
// read and write the same layout ("sigstore attachments").

export type AttachmentKind = 'sig' | 'att';

export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const SIMPLE_SIGNING_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const DSSE_TYPE = 'application/vnd.dsse.envelope.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

/** More layers than anyone signs with; a bound on what a hostile registry can make us fetch. */
const MAX_LAYERS = 256;
const MAX_PAYLOAD = 16 << 20;

export interface Attachment {
  mediaType: string;
  payload: Buffer;
  annotations: Record<string, string>;
}

const Descriptor = z.looseObject({
  mediaType: z.string(),
  digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, 'not a sha256 digest'),
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
});
const AttachmentManifest = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: Descriptor,
  layers: z.array(Descriptor).max(MAX_LAYERS),
});
type AttachmentManifest = z.infer<typeof AttachmentManifest>;

export function attachmentTag(digest: string, kind: AttachmentKind): string {
  const [alg, hex] = digest.split(':');
  return `${alg}-${hex}.${kind}`;
}

async function readManifest(
  client: RegistryClient,
  repo: string,
  tag: string,
): Promise<AttachmentManifest | undefined> {
  if (!(await client.headManifest(repo, tag))) return undefined;
  const m = await client.getManifest(repo, tag);
  return parseJson(m.bytes, AttachmentManifest, `${client.registry}/${repo}:${tag}`);
}

/** Every attachment of a kind for an image digest; none when the tag does not exist. */
export async function readAttachments(
  client: RegistryClient,
  repo: string,
  digest: string,
  kind: AttachmentKind,
): Promise<Attachment[]> {
  const manifest = await readManifest(client, repo, attachmentTag(digest, kind));
  if (!manifest) return [];
  const out: Attachment[] = [];
  for (const layer of manifest.layers) {
    const payload = await client.readBlob(repo, layer.digest, MAX_PAYLOAD, layer.size);
    out.push({ mediaType: layer.mediaType, payload, annotations: { ...layer.annotations } });
  }
  return out;
}

function sameAttachment(d: z.infer<typeof Descriptor>, digest: string, annotations: Record<string, string>): boolean {
  if (d.digest !== digest) return false;
  const have = d.annotations ?? {};
  const keys = Object.keys(annotations);
  return keys.length === Object.keys(have).length && keys.every((k) => have[k] === annotations[k]);
}

/**
 * Adds one attachment to the image's ".sig" or ".att" manifest (created when missing),
 * keeping the ones already there; an identical attachment is not added twice.
 */
export async function appendAttachment(
  client: RegistryClient,
  repo: string,
  digest: string,
  kind: AttachmentKind,
  a: Attachment,
): Promise<string> {
  const tag = attachmentTag(digest, kind);
  const existing = await readManifest(client, repo, tag);
  const layers = existing?.layers ?? [];
  const payloadDigest = digestOf(a.payload);
  if (layers.some((d) => sameAttachment(d, payloadDigest, a.annotations))) return `${client.registry}/${repo}:${tag}`;
  if (layers.length >= MAX_LAYERS)
    throw new BulwarkError('REGISTRY', `${client.registry}/${repo}:${tag}`, `already holds ${MAX_LAYERS} attachments`);
  await client.pushBlob(repo, a.payload);
  const all = [
    ...layers,
    { mediaType: a.mediaType, digest: payloadDigest, size: a.payload.length, annotations: a.annotations },
  ];
  // the config lists the payload digests, as an image config lists its layers' diff ids
  const config = Buffer.from(
    JSON.stringify({
      architecture: '',
      os: '',
      config: {},
      rootfs: { type: 'layers', diff_ids: all.map((d) => d.digest) },
    }),
  );
  await client.pushBlob(repo, config);
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: digestOf(config), size: config.length },
    layers: all.map((d) => ({
      mediaType: d.mediaType,
      digest: d.digest,
      size: d.size,
      ...(d.annotations ? { annotations: d.annotations } : {}),
    })),
  };
  await client.putManifest(repo, tag, Buffer.from(JSON.stringify(manifest)), OCI_MANIFEST);
  return `${client.registry}/${repo}:${tag}`;
}
