import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { createContainer, exportContainer, removeContainer } from '../../src/engine/containers.js';
import {
  buildImage as engineBuild,
  importImage,
  removeImage as engineRemoveImage,
  saveImage as engineSave,
} from '../../src/engine/images.js';
import { call } from '../../src/engine/socket.js';

// Test-side helpers for the real Docker Engine, through the engine client.

export async function engineUp(): Promise<boolean> {
  try {
    await call({ method: 'GET', path: '/_ping' });
    return true;
  } catch {
    return false;
  }
}

export async function importRootfs(stream: NodeJS.ReadableStream, repo: string, tag: string): Promise<void> {
  await importImage(stream, repo, tag);
}

/** Builds from a Dockerfile and context files given in memory, with no network. */
export type ContextFile = Buffer | string | { content: Buffer; mode: number };

/** `buildArgs`: values for the Dockerfile's ARGs (docker build --build-arg). */
export async function buildImage(
  tag: string,
  files: Record<string, ContextFile>,
  buildArgs?: Record<string, string>,
): Promise<void> {
  const pack = tar.pack();
  for (const [name, f] of Object.entries(files)) {
    if (typeof f === 'string' || Buffer.isBuffer(f)) pack.entry({ name }, typeof f === 'string' ? Buffer.from(f) : f);
    else pack.entry({ name, mode: f.mode }, f.content);
  }
  pack.finalize();
  await engineBuild(pack as unknown as NodeJS.ReadableStream, {
    t: tag,
    networkmode: 'none',
    rm: '1',
    forcerm: '1',
    ...(buildArgs ? { buildargs: JSON.stringify(buildArgs) } : {}),
  });
}

export async function saveImage(ref: string, file: string): Promise<void> {
  await pipeline(await engineSave(ref), createWriteStream(file));
}

/** The merged filesystem of an image, via a created (never started) container's export. */
export async function exportRootfs(ref: string, dir: string): Promise<void> {
  const id = await createContainer({ Image: ref, Cmd: ['true'] });
  try {
    const untar = spawn('tar', ['-x', '--no-same-owner', '-C', dir], { stdio: ['pipe', 'inherit', 'inherit'] });
    const done = new Promise<void>((resolve, reject) =>
      untar.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited ${code}`)))),
    );
    await pipeline(await exportContainer(id), untar.stdin);
    await done;
  } finally {
    await removeContainer(id, { force: true });
  }
}

export async function removeImage(ref: string): Promise<void> {
  await engineRemoveImage(ref);
}
