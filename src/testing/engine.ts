import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { engineRequest, readBody } from '../image/engine.js';

// Test-side helpers for the real Docker Engine, over its API socket.

export async function engineUp(): Promise<boolean> {
  try {
    const r = await engineRequest('GET', '/_ping');
    await readBody(r.body);
    return r.status === 200;
  } catch {
    return false;
  }
}

/** Reads the engine's JSON-lines progress stream and fails on an error line. */
async function expectOk(what: string, res: Awaited<ReturnType<typeof engineRequest>>): Promise<string> {
  const body = (await readBody(res.body)).toString();
  if (res.status >= 300) throw new Error(`${what}: HTTP ${res.status}: ${body}`);
  for (const line of body.split('\n')) {
    if (!line.trim()) continue;
    const m = JSON.parse(line) as { error?: string };
    if (m.error) throw new Error(`${what}: ${m.error}`);
  }
  return body;
}

export async function importRootfs(stream: NodeJS.ReadableStream, repo: string, tag: string): Promise<void> {
  const q = new URLSearchParams({ fromSrc: '-', repo, tag });
  await expectOk('import', await engineRequest('POST', `/images/create?${q}`, stream, { 'Content-Type': 'application/x-tar' }));
}

/** Builds from a Dockerfile and context files given in memory, with no network. */
export type ContextFile = Buffer | string | { content: Buffer; mode: number };

/** `buildArgs`: values for the Dockerfile's ARGs (docker build --build-arg). */
export async function buildImage(tag: string, files: Record<string, ContextFile>, buildArgs?: Record<string, string>): Promise<void> {
  const pack = tar.pack();
  for (const [name, f] of Object.entries(files)) {
    if (typeof f === 'string' || Buffer.isBuffer(f)) pack.entry({ name }, typeof f === 'string' ? Buffer.from(f) : f);
    else pack.entry({ name, mode: f.mode }, f.content);
  }
  pack.finalize();
  const q = new URLSearchParams({ t: tag, networkmode: 'none', rm: '1', forcerm: '1', ...(buildArgs ? { buildargs: JSON.stringify(buildArgs) } : {}) });
  await expectOk(`build ${tag}`, await engineRequest('POST', `/build?${q}`, pack, { 'Content-Type': 'application/x-tar' }));
}

export async function saveImage(ref: string, file: string): Promise<void> {
  const r = await engineRequest('GET', `/images/${encodeURIComponent(ref)}/get`);
  if (r.status !== 200) throw new Error(`save ${ref}: HTTP ${r.status}`);
  await pipeline(r.body, createWriteStream(file));
}

/** The merged filesystem of an image, via a created (never started) container's export. */
export async function exportRootfs(ref: string, dir: string): Promise<void> {
  const c = await engineRequest('POST', '/containers/create', Buffer.from(JSON.stringify({ Image: ref, Cmd: ['true'] })), { 'Content-Type': 'application/json' });
  const { Id } = JSON.parse((await readBody(c.body)).toString()) as { Id: string };
  try {
    const r = await engineRequest('GET', `/containers/${Id}/export`);
    const untar = spawn('tar', ['-x', '--no-same-owner', '-C', dir], { stdio: ['pipe', 'inherit', 'inherit'] });
    const done = new Promise<void>((resolve, reject) => untar.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited ${code}`)))));
    await pipeline(r.body, untar.stdin);
    await done;
  } finally {
    await readBody((await engineRequest('DELETE', `/containers/${Id}?force=1`)).body);
  }
}

export async function removeImage(ref: string): Promise<void> {
  await readBody((await engineRequest('DELETE', `/images/${encodeURIComponent(ref)}?force=1`)).body);
}
