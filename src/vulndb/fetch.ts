import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { BulwarkError, messageOf } from '../core/errors.js';
import { MAX_FEED_BYTES } from './import.js';

// Downloads one feed file, whole or not at all: conditional on the validators of the copy
// we hold, refused past the size bound, and checked against Content-Length, so a body cut
// short never reaches the importer.

export interface Validators {
  etag?: string | null;
  lastModified?: string | null;
}

export type Fetched =
  { status: 'not-modified' } | { status: 'ok'; bytes: Buffer; etag: string | null; lastModified: string | null };

export interface DownloadProgress {
  start(label: string, totalBytes: number): void;
  advance(bytes: number): void;
  stop(): void;
}

export interface FetchOptions {
  progress?: DownloadProgress;
  label?: string;
  /** Abort when no byte arrives for this long. */
  idleTimeoutMs?: number;
  maxBytes?: number;
}

export async function fetchFeed(url: URL, have: Validators, o: FetchOptions = {}): Promise<Fetched> {
  if (url.protocol === 'file:') return readLocal(url, o.maxBytes ?? MAX_FEED_BYTES);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new BulwarkError('USAGE', url.href, 'mirror must be an http://, https:// or file:// URL');
  const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': 'bulwark' };
  if (have.etag) headers['if-none-match'] = have.etag;
  if (have.lastModified) headers['if-modified-since'] = have.lastModified;
  const ac = new AbortController();
  const idle = setTimeout(() => ac.abort(), o.idleTimeoutMs ?? 60_000);
  try {
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: ac.signal });
    } catch (e) {
      throw new BulwarkError('IO', url.href, `download failed (${causeOf(e)})`, { cause: e });
    }
    if (res.status === 304) {
      if (!have.etag && !have.lastModified)
        throw new BulwarkError('IO', url.href, 'HTTP 304 to an unconditional request');
      return { status: 'not-modified' };
    }
    if (res.status === 404) throw new BulwarkError('NOT_FOUND', url.href, 'no such feed (HTTP 404)');
    if (res.status !== 200 || !res.body) throw new BulwarkError('IO', url.href, `HTTP ${res.status}`);
    const declared =
      res.headers.get('content-length') !== null && !res.headers.get('content-encoding')
        ? Number(res.headers.get('content-length'))
        : undefined;
    const max = o.maxBytes ?? MAX_FEED_BYTES;
    if (declared !== undefined && declared > max)
      throw new BulwarkError('TOO_LARGE', url.href, `${declared} bytes (limit ${max})`);
    const chunks: Buffer[] = [];
    let got = 0;
    o.progress?.start(o.label ?? url.href, declared ?? 0);
    try {
      const reader = res.body.getReader();
      while (true) {
        let r: Awaited<ReturnType<typeof reader.read>>;
        try {
          r = await reader.read();
        } catch (e) {
          throw new BulwarkError(
            'TRUNCATED',
            url.href,
            `download interrupted after ${got}${declared !== undefined ? ` of ${declared}` : ''} bytes (${causeOf(e)})`,
            { cause: e },
          );
        }
        if (r.done) break;
        idle.refresh();
        got += r.value.length;
        if (got > max) {
          ac.abort();
          throw new BulwarkError('TOO_LARGE', url.href, `more than ${max} bytes`);
        }
        chunks.push(Buffer.from(r.value.buffer, r.value.byteOffset, r.value.length));
        o.progress?.advance(r.value.length);
      }
    } finally {
      o.progress?.stop();
    }
    if (declared !== undefined && got !== declared)
      throw new BulwarkError('TRUNCATED', url.href, `received ${got} of ${declared} bytes`);
    return {
      status: 'ok',
      bytes: Buffer.concat(chunks, got),
      etag: res.headers.get('etag'),
      lastModified: res.headers.get('last-modified'),
    };
  } finally {
    clearTimeout(idle);
  }
}

/** A file:// mirror: the bytes and the file time; "unchanged" is decided by content hash. */
async function readLocal(url: URL, max: number): Promise<Fetched> {
  const path = fileURLToPath(url);
  let size: number;
  let mtime: Date;
  try {
    ({ size, mtime } = await stat(path));
  } catch {
    throw new BulwarkError('NOT_FOUND', path, 'no such feed file');
  }
  if (size > max) throw new BulwarkError('TOO_LARGE', path, `${size} bytes (limit ${max})`);
  return { status: 'ok', bytes: await readFile(path), etag: null, lastModified: mtime.toUTCString() };
}

/** undici hides the socket error under `cause`. */
function causeOf(e: unknown): string {
  const c = e instanceof Error && e.cause instanceof Error ? e.cause : e;
  return messageOf(c) || messageOf(e);
}
