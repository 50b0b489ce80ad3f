import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BulwarkError, isBulwarkError } from '../core/errors.js';
import { makeTempDir } from '../core/tempdir.js';
import { inspectImage, saveImage } from '../engine/images.js';
import type { ImageInspect } from '../engine/schema.js';
import { TarArchive } from './archive.js';
import { openDockerArchive } from './docker-archive.js';
import type { OpenedImage } from './image.js';

// An image in the local Docker Engine: inspected, saved to a private temp file, opened as a
// docker archive whose config must be the image the engine named.

async function inspected(ref: string, input: string): Promise<ImageInspect> {
  try {
    return await inspectImage(ref);
  } catch (e) {
    if (isBulwarkError(e) && e.code === 'NOT_FOUND')
      throw new BulwarkError('NOT_FOUND', input, 'no such image in the docker engine', { cause: e });
    throw e;
  }
}

export async function openEngineImage(ref: string, name: string): Promise<OpenedImage> {
  const input = `docker:${ref}`;
  const inspect = await inspected(ref, input);
  const tmp = await makeTempDir();
  try {
    const file = join(tmp.path, 'image.tar');
    await pipeline(await saveImage(ref), createWriteStream(file, { mode: 0o600 }));
    const image = await openDockerArchive(await TarArchive.open(file, input), name, tmp.remove);
    image.artifact.type = 'docker-engine';
    image.artifact.repoTags = inspect.RepoTags ?? image.artifact.repoTags;
    image.artifact.repoDigests = inspect.RepoDigests ?? [];
    if (image.artifact.imageId !== inspect.Id) {
      throw new BulwarkError(
        'DIGEST_MISMATCH',
        input,
        `exported config ${image.artifact.imageId} is not image ${inspect.Id}`,
      );
    }
    return image;
  } catch (e) {
    await tmp.remove();
    throw e;
  }
}
