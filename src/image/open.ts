import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BulwarkError, isBulwarkError, messageOf } from '../core/errors.js';
import { overExpansion } from '../core/expansion.js';
import { makeTempDir } from '../core/tempdir.js';
import { DirArchive, TarArchive, type Archive } from './archive.js';
import { sniffCompression } from './decompress.js';
import { openDockerArchive } from './docker-archive.js';
import { openEngineImage } from './engine-source.js';
import type { OpenedImage } from './image.js';
import { DEFAULT_LIMITS, layerExpansion, type Limits } from './limits.js';
import { openOciLayout } from './oci-layout.js';
import { hostPlatform, type Platform } from './platform.js';
import { openRegistryImage } from './registry.js';
import { hasRegistryHost } from '../registry/reference.js';

// Turns what the user typed into an opened image: docker:NAME, oci:PATH[:TAG],
// docker-archive:PATH, registry:REF, a path to a tar / tar.gz / layout directory, a
// reference naming a registry host (registry.example.com/app:1, localhost:5000/app),
// or a name the local engine knows.

export interface OpenOptions {
  platform?: Platform;
  limits?: Limits;
  /** Registries: plain http or unverified TLS, for loopback registries only. */
  insecure?: boolean;
  /** Registries: extra CA certificates (PEM). */
  caFile?: string;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Counts the bytes passing through, and checks them when asked to. */
function counter(check: (total: number) => void = () => {}): Transform & { bytes: number } {
  const t = Object.assign(
    new Transform({
      transform(chunk: Buffer, _e, cb) {
        t.bytes += chunk.length;
        try {
          check(t.bytes);
          cb(null, chunk);
        } catch (e) {
          cb(e as Error);
        }
      },
    }),
    { bytes: 0 },
  );
  return t;
}

/**
 * A gzip-compressed archive is unpacked once into a private temp file for random access,
 * never past the layer size limit nor the expansion ratio a layer may have.
 */
async function openTarFile(path: string, limits: Limits): Promise<{ archive: Archive; cleanup: () => Promise<void> }> {
  const fh = createReadStream(path, { start: 0, end: 3 });
  const head: Buffer[] = [];
  for await (const c of fh) head.push(c as Buffer);
  if (sniffCompression(Buffer.concat(head)) !== 'gzip')
    return { archive: await TarArchive.open(path), cleanup: async () => {} };
  const tmp = await makeTempDir();
  try {
    const file = join(tmp.path, 'image.tar');
    const stored = counter();
    const plain = counter((total) => {
      const why = overExpansion(layerExpansion(limits), total, stored.bytes);
      if (why) throw new BulwarkError('TOO_LARGE', path, why);
    });
    await pipeline(
      createReadStream(path),
      stored,
      createGunzip(),
      plain,
      createWriteStream(file, { mode: 0o600 }),
    ).catch((e: unknown) => {
      if (isBulwarkError(e)) throw e;
      throw new BulwarkError(
        /unexpected end/i.test(messageOf(e)) ? 'TRUNCATED' : 'CORRUPT',
        path,
        `bad gzip data (${messageOf(e)})`,
      );
    });
    return { archive: await TarArchive.open(file, path), cleanup: tmp.remove };
  } catch (e) {
    await tmp.remove();
    throw e;
  }
}

async function openArchiveImage(
  archive: Archive,
  name: string,
  opts: OpenOptions,
  cleanup: () => Promise<void>,
  refName?: string,
): Promise<OpenedImage> {
  try {
    // docker save (25+) writes index.json too; its manifest.json also carries the repo tags
    if (!refName && (await archive.has('manifest.json'))) return await openDockerArchive(archive, name, cleanup);
    if (await archive.has('index.json')) {
      return await openOciLayout(
        archive,
        name,
        { platform: opts.platform ?? hostPlatform(), ...(refName ? { refName } : {}) },
        cleanup,
      );
    }
    throw new BulwarkError(
      'UNKNOWN_FORMAT',
      archive.input,
      'neither a docker save archive (manifest.json) nor an OCI layout (index.json)',
    );
  } catch (e) {
    await cleanup();
    throw e;
  }
}

async function openPath(path: string, name: string, opts: OpenOptions, refName?: string): Promise<OpenedImage> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  if ((await stat(path)).isDirectory()) {
    const dir = await DirArchive.open(path);
    if (!(await dir.has('index.json')) && !(await dir.has('manifest.json'))) {
      throw new BulwarkError(
        'UNKNOWN_FORMAT',
        path,
        'directory is not an OCI image layout (for a root filesystem use "bulwark scan rootfs")',
      );
    }
    return openArchiveImage(dir, name, opts, async () => {}, refName);
  }
  const { archive, cleanup } = await openTarFile(path, limits);
  return openArchiveImage(archive, name, opts, cleanup, refName);
}

function openRegistry(ref: string, name: string, opts: OpenOptions): Promise<OpenedImage> {
  return openRegistryImage(ref, {
    name,
    ...(opts.platform ? { platform: opts.platform } : {}),
    ...(opts.insecure ? { insecure: true } : {}),
    ...(opts.caFile ? { caFile: opts.caFile } : {}),
  });
}

export async function openImage(target: string, opts: OpenOptions = {}): Promise<OpenedImage> {
  if (target.startsWith('docker:')) return openEngineImage(target.slice('docker:'.length), target);
  if (target.startsWith('registry:')) return openRegistry(target.slice('registry:'.length), target, opts);
  if (target.startsWith('docker-archive:')) {
    const p = target.slice('docker-archive:'.length);
    if (!(await exists(p))) throw new BulwarkError('NOT_FOUND', p, 'no such file');
    return openPath(p, target, opts);
  }
  if (target.startsWith('oci:')) {
    const rest = target.slice('oci:'.length);
    if (await exists(rest)) return openPath(rest, target, opts);
    const colon = rest.lastIndexOf(':');
    const p = colon > 0 ? rest.slice(0, colon) : rest;
    if (!(await exists(p))) throw new BulwarkError('NOT_FOUND', p, 'no such OCI layout');
    return openPath(p, target, opts, rest.slice(colon + 1));
  }
  if (await exists(target)) return openPath(target, target, opts);
  if (/^[./~]|\.(tar|tgz|gz)$/.test(target)) throw new BulwarkError('NOT_FOUND', target, 'no such file');
  if (hasRegistryHost(target)) return openRegistry(target, target, opts);
  try {
    return await openEngineImage(target, target);
  } catch (e) {
    if (isBulwarkError(e) && e.code === 'ENGINE')
      throw new BulwarkError(
        'NOT_FOUND',
        target,
        'no such file, and no docker engine to ask for an image of that name',
      );
    throw e;
  }
}
