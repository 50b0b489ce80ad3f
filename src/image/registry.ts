import { BulwarkError } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import { RegistryClient, type RegistryOptions } from '../registry/client.js';
import { formatReference, parseReference, repositoryName } from '../registry/reference.js';
import { configFields, ImageConfig, layerHistory, type ImageLayer, type OpenedImage } from './image.js';
import {
  checkLayerCount,
  chooseImage,
  collectImages,
  Index,
  INDEX_TYPES,
  Manifest,
  MANIFEST_TYPES,
  type LoadDocument,
} from './oci-layout.js';
import { hostPlatform, type Platform } from './platform.js';

// An image in an OCI distribution registry: the manifest (or the index, resolved by
// platform as for OCI layouts) and config are fetched and verified up front; layers
// stream from the registry when the walker reads them, verified against their digests.

export interface RegistryImageOptions extends RegistryOptions {
  platform?: Platform;
  /** What the user asked for, as given (default: the reference). */
  name?: string;
}

const MAX_CONFIG = 16 << 20;

export async function openRegistryImage(ref: string, opts: RegistryImageOptions = {}): Promise<OpenedImage> {
  const parsed = parseReference(ref);
  const repo = parsed.repository;
  const repoName = repositoryName(parsed);
  const input = formatReference(parsed);
  const client = await RegistryClient.create(parsed.registry, opts);
  try {
    const top = await client.getManifest(repo, parsed.digest ?? parsed.tag ?? 'latest');
    let chosen = top;
    if (INDEX_TYPES.has(top.mediaType)) {
      const index = parseJson(top.bytes, Index, input);
      const load: LoadDocument = async (d) => ({
        bytes: (await client.getManifest(repo, d.digest)).bytes,
        input: `${repoName}@${d.digest}`,
      });
      const candidate = chooseImage(
        await collectImages(index.manifests, load, input),
        { platform: opts.platform ?? hostPlatform() },
        input,
      );
      chosen = await client.getManifest(repo, candidate.desc.digest);
    }
    const where = `${repoName}@${chosen.digest}`;
    if (!MANIFEST_TYPES.has(chosen.mediaType)) {
      throw new BulwarkError(
        'UNKNOWN_FORMAT',
        where,
        `"${chosen.mediaType || 'no media type'}" is not an OCI or Docker v2 image manifest`,
      );
    }
    const manifest = parseJson(chosen.bytes, Manifest, where);
    const configBytes = await client.readBlob(repo, manifest.config.digest, MAX_CONFIG, manifest.config.size);
    const config = parseJson(configBytes, ImageConfig, `${repoName}@${manifest.config.digest}`);
    checkLayerCount(manifest, config, where);
    const history = layerHistory(config);
    const layers: ImageLayer[] = manifest.layers.map((d, index) => ({
      index,
      digest: d.digest,
      diffId: config.rootfs.diff_ids[index]!,
      ...(d.size !== undefined ? { size: d.size } : {}),
      ...(d.mediaType ? { mediaType: d.mediaType } : {}),
      createdBy: history[index],
      blobDigest: d.digest,
      input: `${repoName}@${d.digest}`,
      peek: (n: number) => client.peekBlob(repo, d.digest, n),
      open: () => client.openBlob(repo, d.digest, d.size),
    }));
    return {
      artifact: {
        name: opts.name ?? ref,
        type: 'registry',
        imageId: manifest.config.digest,
        digest: chosen.digest,
        repoTags: parsed.tag ? [`${repoName}:${parsed.tag}`] : [],
        repoDigests: [`${repoName}@${top.digest}`],
        ...configFields(config),
      },
      config,
      rawConfig: configBytes,
      manifest: { bytes: chosen.bytes, mediaType: chosen.mediaType },
      layers,
      close: async () => client.close(),
    };
  } catch (e) {
    client.close();
    throw e;
  }
}
