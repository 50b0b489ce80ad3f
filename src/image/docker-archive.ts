import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BulwarkError } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import type { Archive } from './archive.js';
import { archivedLayer, configFields, ImageConfig, layerHistory, type ImageLayer, type OpenedImage } from './image.js';

// `docker save` archives: manifest.json names the config and the layer tars, in
// both the classic layout (<id>/layer.tar) and the OCI-style one Docker 25+ writes
// (blobs/sha256/<hex>).

const Manifest = z
  .array(
    z.looseObject({
      Config: z.string(),
      RepoTags: z.array(z.string()).nullish(),
      Layers: z.array(z.string()),
    }),
  )
  .min(1, 'no images in manifest.json');

const MAX_JSON = 16 << 20;

function hexIn(path: string): string | undefined {
  return /(?:^|\/)([a-f0-9]{64})(?:\.json)?$/.exec(path)?.[1];
}

export async function openDockerArchive(
  archive: Archive,
  name: string,
  cleanup: () => Promise<void> = async () => {},
): Promise<OpenedImage> {
  const input = archive.input;
  if (!(await archive.has('manifest.json'))) {
    throw new BulwarkError('UNKNOWN_FORMAT', input, 'no manifest.json: not a docker save archive');
  }
  const manifest = parseJson(await archive.read('manifest.json', MAX_JSON), Manifest, `${input}:manifest.json`);
  const entry = manifest[0]!;
  const configBytes = await archive.read(entry.Config, MAX_JSON);
  const imageId = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
  const named = hexIn(entry.Config);
  if (named && `sha256:${named}` !== imageId) {
    throw new BulwarkError('DIGEST_MISMATCH', `${input}:${entry.Config}`, `config content has digest ${imageId}`);
  }
  const config = parseJson(configBytes, ImageConfig, `${input}:${entry.Config}`);
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== entry.Layers.length) {
    throw new BulwarkError(
      'CORRUPT',
      `${input}:manifest.json`,
      `${entry.Layers.length} layers listed but the config has ${diffIds.length} diff ids`,
    );
  }
  const history = layerHistory(config);
  const layers: ImageLayer[] = await Promise.all(
    entry.Layers.map((path, index) => {
      const diffId = diffIds[index]!;
      const blobHex = path.startsWith('blobs/') ? hexIn(path) : undefined;
      return archivedLayer(archive, path, {
        index,
        digest: blobHex ? `sha256:${blobHex}` : diffId,
        diffId,
        createdBy: history[index],
        ...(blobHex ? { blobDigest: `sha256:${blobHex}` } : {}),
      });
    }),
  );
  return {
    artifact: {
      name,
      type: 'docker-archive',
      imageId,
      repoTags: entry.RepoTags ?? [],
      repoDigests: [],
      ...configFields(config),
    },
    config,
    rawConfig: configBytes,
    layers,
    close: cleanup,
  };
}
