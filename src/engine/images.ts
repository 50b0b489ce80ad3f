import type { IncomingMessage } from 'node:http';
import { BulwarkError } from '../core/errors.js';
import { call, callJson, callName, callStream, type EngineCall, type RequestBody } from './socket.js';
import { ImageInspect, ProgressLine } from './schema.js';

// Images: inspect, save (docker save), import and build (progress streams), remove.

const at = (ref: string, rest = ''): string => `/images/${encodeURIComponent(ref)}${rest}`;

/** The image's inspect document (NOT_FOUND when the engine has no such image). */
export function inspectImage(ref: string): Promise<ImageInspect> {
  return callJson({ method: 'GET', path: at(ref, '/json') }, ImageInspect);
}

/** The image as a docker-archive tar stream. */
export function saveImage(ref: string): Promise<IncomingMessage> {
  return callStream({ method: 'GET', path: at(ref, '/get') });
}

export async function removeImage(ref: string): Promise<void> {
  await call({ method: 'DELETE', path: at(ref, '?force=1') }, { missingOk: true });
}

/** Checks a JSON-lines progress stream: a line with `error` fails the call. */
export function checkProgress(text: string, input: string): void {
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new BulwarkError('CORRUPT', input, 'progress line is not JSON');
    }
    const progress = ProgressLine.safeParse(parsed);
    if (!progress.success) throw new BulwarkError('CORRUPT', input, 'progress line is not an object');
    if (progress.data.error) throw new BulwarkError('ENGINE', input, progress.data.error.replace(/\s+/g, ' '));
  }
}

async function withProgress(c: EngineCall): Promise<void> {
  checkProgress((await call(c)).toString('utf8'), callName(c));
}

/** Imports a root filesystem tar as repo:tag (docker import). */
export function importImage(rootfs: RequestBody, repo: string, tag: string): Promise<void> {
  const query = new URLSearchParams({ fromSrc: '-', repo, tag });
  return withProgress({
    method: 'POST',
    path: `/images/create?${query}`,
    body: rootfs,
    contentType: 'application/x-tar',
  });
}

/** Builds from a tar build context; `query`: the engine's build parameters (t, networkmode, buildargs…). */
export function buildImage(context: RequestBody, query: Record<string, string>): Promise<void> {
  return withProgress({
    method: 'POST',
    path: `/build?${new URLSearchParams(query)}`,
    body: context,
    contentType: 'application/x-tar',
  });
}
