import { createWriteStream } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { BulwarkError } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import { makeTempDir } from '../core/tempdir.js';
import { TarArchive } from './archive.js';
import { openDockerArchive } from './docker-archive.js';
import type { OpenedImage } from './image.js';

// The local Docker Engine, spoken to over its API socket (no docker CLI).

const API = '/v1.41';

export function engineSocket(): string {
  const host = process.env.DOCKER_HOST;
  if (host && !host.startsWith('unix://')) throw new BulwarkError('USAGE', host, 'only unix:// DOCKER_HOST sockets are supported');
  return host ? host.slice('unix://'.length) : '/var/run/docker.sock';
}

export interface EngineResponse {
  status: number;
  body: IncomingMessage;
}

export function engineRequest(method: string, path: string, body?: Buffer | { pipe(dest: NodeJS.WritableStream): unknown }, headers: Record<string, string> = {}): Promise<EngineResponse> {
  const socketPath = engineSocket();
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path: `${API}${path}`, headers }, (res) => resolve({ status: res.statusCode ?? 0, body: res }));
    req.on('error', (e) => reject(new BulwarkError('ENGINE', `docker engine at ${socketPath}`, e.message, { cause: e })));
    if (Buffer.isBuffer(body)) req.end(body);
    else if (body) body.pipe(req);
    else req.end();
  });
}

export async function readBody(res: IncomingMessage, max = 64 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res) {
    n += (c as Buffer).length;
    if (n > max) throw new BulwarkError('TOO_LARGE', 'docker engine response', `over ${max} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

const Inspect = z.looseObject({
  Id: z.string(),
  RepoTags: z.array(z.string()).nullish(),
  RepoDigests: z.array(z.string()).nullish(),
});

export async function openEngineImage(ref: string, name: string): Promise<OpenedImage> {
  const input = `docker:${ref}`;
  const enc = encodeURIComponent(ref);
  const ins = await engineRequest('GET', `/images/${enc}/json`);
  const insBody = await readBody(ins.body);
  if (ins.status === 404) throw new BulwarkError('NOT_FOUND', input, 'no such image in the docker engine');
  if (ins.status !== 200) throw new BulwarkError('ENGINE', input, `inspect failed with HTTP ${ins.status}: ${insBody.toString().trim()}`);
  const inspect = parseJson(insBody, Inspect, input);
  const tmp = await makeTempDir();
  try {
    const exp = await engineRequest('GET', `/images/${enc}/get`);
    if (exp.status !== 200) throw new BulwarkError('ENGINE', input, `export failed with HTTP ${exp.status}: ${(await readBody(exp.body)).toString().trim()}`);
    const file = join(tmp.path, 'image.tar');
    await pipeline(exp.body, createWriteStream(file, { mode: 0o600 }));
    const image = await openDockerArchive(await TarArchive.open(file, input), name, tmp.remove);
    image.artifact.type = 'docker-engine';
    image.artifact.repoTags = inspect.RepoTags ?? image.artifact.repoTags;
    image.artifact.repoDigests = inspect.RepoDigests ?? [];
    if (image.artifact.imageId !== inspect.Id) {
      throw new BulwarkError('DIGEST_MISMATCH', input, `exported config ${image.artifact.imageId} is not image ${inspect.Id}`);
    }
    return image;
  } catch (e) {
    await tmp.remove();
    throw e;
  }
}
