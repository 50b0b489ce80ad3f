import { createHash, type Hash } from 'node:crypto';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { BulwarkError, isBulwarkError, messageOf } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import { errCode, header, readLimited, Transport, type RegistryOptions } from './transport.js';

export type { RegistryOptions } from './transport.js';

// An OCI distribution client: manifests and blobs (read, verified while streaming),
// blob upload and manifest push, tag listing, over one registry's Transport.

const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface ManifestInfo {
  digest: string;
  mediaType: string;
  size: number;
}

/** A blob to upload: a buffer, or something that can be read again for a retry. */
export interface BlobSource {
  digest: string;
  size: number;
  open(): Readable;
}

const MAX_TAG_PAGES = 10_000;

export function digestOf(bytes: Buffer, alg = 'sha256'): string {
  return `${alg}:${createHash(alg).update(bytes).digest('hex')}`;
}

/** Passes bytes through, and fails at the end (or as soon as the size is exceeded) unless they have the digest. */
class DigestCheck extends Transform {
  private readonly hash: Hash;
  private bytes = 0;
  constructor(
    private readonly digest: string,
    private readonly size: number | undefined,
    private readonly input: string,
  ) {
    super();
    this.hash = createHash(digest.split(':')[0]!);
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.size !== undefined && this.bytes > this.size) {
      cb(new BulwarkError('DIGEST_MISMATCH', this.input, `more than the ${this.size} bytes its descriptor gives`));
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    const actual = `${this.digest.split(':')[0]}:${this.hash.digest('hex')}`;
    if (actual !== this.digest)
      cb(new BulwarkError('DIGEST_MISMATCH', this.input, `content has digest ${actual}, expected ${this.digest}`));
    else if (this.size !== undefined && this.bytes !== this.size)
      cb(new BulwarkError('DIGEST_MISMATCH', this.input, `${this.bytes} bytes, its descriptor gives ${this.size}`));
    else cb();
  }
}

const pullScope = (repo: string): string => `repository:${repo}:pull`;
const pushScope = (repo: string): string => `repository:${repo}:pull,push`;

export class RegistryClient {
  private constructor(private readonly t: Transport) {}

  static async create(registry: string, opts: RegistryOptions = {}): Promise<RegistryClient> {
    return new RegistryClient(await Transport.create(registry, opts));
  }

  /** The registry as references name it ("docker.io", "127.0.0.1:5000"). */
  get registry(): string {
    return this.t.registry;
  }

  close(): void {
    this.t.close();
  }

  private input(repo: string, ref: string): string {
    return `${this.registry}/${repo}${ref.includes(':') ? '@' : ':'}${ref}`;
  }

  async getManifest(repo: string, reference: string): Promise<FetchedManifest> {
    const input = this.input(repo, reference);
    const res = await this.t.request('GET', this.t.url(`/v2/${repo}/manifests/${reference}`), pullScope(repo), {
      input,
      headers: { Accept: MANIFEST_MEDIA_TYPES.join(', ') },
    });
    if (res.status !== 200) return this.t.fail(res, input, 'manifest');
    const bytes = await readLimited(res.body, this.t.maxManifestBytes, input);
    const claimed = reference.includes(':') ? reference : header(res.headers, 'docker-content-digest');
    const alg = claimed?.split(':')[0] ?? 'sha256';
    if (alg !== 'sha256' && alg !== 'sha512')
      throw new BulwarkError('REGISTRY', input, `unsupported digest algorithm ${alg}`);
    const digest = digestOf(bytes, alg);
    if (claimed && claimed !== digest)
      throw new BulwarkError('DIGEST_MISMATCH', input, `manifest has digest ${digest}, expected ${claimed}`);
    return { digest, mediaType: mediaTypeOf(bytes, header(res.headers, 'content-type')), bytes };
  }

  /** Digest, type and size of a manifest without its body; undefined when there is none. */
  async headManifest(repo: string, reference: string): Promise<ManifestInfo | undefined> {
    const input = this.input(repo, reference);
    const res = await this.t.request('HEAD', this.t.url(`/v2/${repo}/manifests/${reference}`), pullScope(repo), {
      input,
      headers: { Accept: MANIFEST_MEDIA_TYPES.join(', ') },
    });
    res.body.resume();
    if (res.status === 404) return undefined;
    if (res.status !== 200) return this.t.fail(res, input, 'manifest');
    const digest = header(res.headers, 'docker-content-digest');
    if (!digest) {
      const m = await this.getManifest(repo, reference);
      return { digest: m.digest, mediaType: m.mediaType, size: m.bytes.length };
    }
    return {
      digest,
      mediaType: (header(res.headers, 'content-type') ?? '').split(';')[0]!.trim(),
      size: Number(header(res.headers, 'content-length') ?? 0),
    };
  }

  async blobExists(repo: string, digest: string, scope = pullScope(repo)): Promise<boolean> {
    const input = this.input(repo, digest);
    const res = await this.t.request('HEAD', this.t.url(`/v2/${repo}/blobs/${digest}`), scope, { input });
    res.body.resume();
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    return this.t.fail(res, input, 'blob');
  }

  /** The blob's bytes as a stream that fails with DIGEST_MISMATCH unless they have its digest (and size, when given). */
  openBlob(repo: string, digest: string, size?: number): Readable {
    const input = this.input(repo, digest);
    const out = new PassThrough();
    this.t
      .request('GET', this.t.url(`/v2/${repo}/blobs/${digest}`), pullScope(repo), { input })
      .then(async (res) => {
        if (res.status !== 200) return this.t.fail(res, input, 'blob');
        await pipeline(res.body, new DigestCheck(digest, size, input), out);
      })
      .catch((e: unknown) => {
        if (out.destroyed) return;
        out.destroy(
          isBulwarkError(e)
            ? e
            : new BulwarkError('NETWORK', input, `reading the blob failed (${errCode(e) || messageOf(e)})`, {
                cause: e,
              }),
        );
      });
    return out;
  }

  /** A verified blob read whole, refusing more than max bytes. */
  async readBlob(repo: string, digest: string, max: number, size?: number): Promise<Buffer> {
    const input = this.input(repo, digest);
    if (size !== undefined && size > max)
      throw new BulwarkError('TOO_LARGE', input, `${size} bytes, over the ${max}-byte limit`);
    const chunks: Buffer[] = [];
    let n = 0;
    const stream = this.openBlob(repo, digest, size);
    for await (const c of stream) {
      n += (c as Buffer).length;
      if (n > max) {
        stream.destroy();
        throw new BulwarkError('TOO_LARGE', input, `over the ${max}-byte limit`);
      }
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks);
  }

  /** The first n bytes of a blob (unverified: for sniffing), by a Range request when the registry honours it. */
  async peekBlob(repo: string, digest: string, n: number): Promise<Buffer> {
    const input = this.input(repo, digest);
    if (n <= 0) return Buffer.alloc(0);
    const res = await this.t.request('GET', this.t.url(`/v2/${repo}/blobs/${digest}`), pullScope(repo), {
      input,
      headers: { Range: `bytes=0-${n - 1}` },
    });
    if (res.status !== 200 && res.status !== 206) return this.t.fail(res, input, 'blob');
    const chunks: Buffer[] = [];
    let got = 0;
    try {
      for await (const c of res.body) {
        chunks.push(c as Buffer);
        got += (c as Buffer).length;
        if (got >= n) break;
      }
    } catch (e) {
      throw new BulwarkError('NETWORK', input, `reading the blob failed (${errCode(e) || messageOf(e)})`, { cause: e });
    } finally {
      res.body.destroy();
    }
    return Buffer.concat(chunks).subarray(0, n);
  }

  /** Uploads a blob unless the repository has it: HEAD, then POST and one monolithic PUT (or a cross-repository mount). */
  async pushBlob(
    repo: string,
    blob: Buffer | BlobSource,
    opts: { mountFrom?: string } = {},
  ): Promise<{ digest: string; size: number }> {
    const src: BlobSource = Buffer.isBuffer(blob)
      ? { digest: digestOf(blob), size: blob.length, open: () => Readable.from([blob]) }
      : blob;
    const input = this.input(repo, src.digest);
    const scope = pushScope(repo);
    const done = { digest: src.digest, size: src.size };
    if (await this.blobExists(repo, src.digest, scope)) return done;
    const start = this.t.url(`/v2/${repo}/blobs/uploads/`);
    let startScope = scope;
    if (opts.mountFrom) {
      start.searchParams.set('mount', src.digest);
      start.searchParams.set('from', opts.mountFrom);
      startScope = `${scope} ${pullScope(opts.mountFrom)}`;
    }
    const res = await this.t.request('POST', start, startScope, {
      input,
      headers: { 'Content-Length': '0' },
      follow: false,
    });
    if (res.status === 201 && opts.mountFrom) {
      res.body.resume();
      return done;
    }
    if (res.status !== 202) return this.t.fail(res, input, 'blob upload');
    res.body.resume();
    const location = header(res.headers, 'location');
    if (!location) throw new BulwarkError('REGISTRY', input, 'upload started with no Location');
    const put = new URL(location, start);
    this.t.checkTarget(start, put, input);
    put.searchParams.set('digest', src.digest);
    const body = Buffer.isBuffer(blob) ? blob : () => src.open();
    const fin = await this.t.request('PUT', put, scope, {
      input,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(src.size) },
      body,
      follow: false,
    });
    if (fin.status !== 201) return this.t.fail(fin, input, 'blob upload');
    fin.body.resume();
    const stored = header(fin.headers, 'docker-content-digest');
    if (stored && stored !== src.digest)
      throw new BulwarkError('DIGEST_MISMATCH', input, `the registry stored the upload as ${stored}`);
    return done;
  }

  /** Puts a manifest (or index) under a tag or its digest; returns its digest. */
  async putManifest(repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const input = this.input(repo, reference);
    const digest = digestOf(bytes);
    if (reference.includes(':') && reference !== digest)
      throw new BulwarkError('DIGEST_MISMATCH', input, `manifest has digest ${digest}`);
    const res = await this.t.request('PUT', this.t.url(`/v2/${repo}/manifests/${reference}`), pushScope(repo), {
      input,
      headers: { 'Content-Type': mediaType, 'Content-Length': String(bytes.length) },
      body: bytes,
      follow: false,
    });
    if (res.status !== 201) return this.t.fail(res, input, 'manifest push');
    res.body.resume();
    const stored = header(res.headers, 'docker-content-digest');
    if (stored && stored !== digest)
      throw new BulwarkError(
        'DIGEST_MISMATCH',
        input,
        `the registry stored the manifest as ${stored}, expected ${digest}`,
      );
    return digest;
  }

  /** Every tag of a repository, following Link: <…>; rel="next" pages. */
  async listTags(repo: string, pageSize?: number): Promise<string[]> {
    const input = `${this.registry}/${repo}`;
    return this.listPages(
      `/v2/${repo}/tags/list`,
      pullScope(repo),
      input,
      'tag list',
      pageSize,
      (b) => parseJson(b, TagList, `${input} tag list`).tags ?? [],
    );
  }

  /** Every repository the registry's catalog lists to us (distribution's /v2/_catalog), following pages. */
  async listRepositories(pageSize?: number): Promise<string[]> {
    const input = `${this.registry} catalog`;
    return this.listPages(
      '/v2/_catalog',
      'registry:catalog:*',
      input,
      'catalog',
      pageSize,
      (b) => parseJson(b, Catalog, input).repositories ?? [],
    );
  }

  private async listPages(
    path: string,
    scope: string,
    input: string,
    what: string,
    pageSize: number | undefined,
    names: (body: Buffer) => string[],
  ): Promise<string[]> {
    let url = this.t.url(path);
    if (pageSize) url.searchParams.set('n', String(pageSize));
    const out: string[] = [];
    for (let page = 0; page < MAX_TAG_PAGES; page++) {
      const res = await this.t.request('GET', url, scope, { input });
      if (res.status !== 200) return this.t.fail(res, input, what);
      const link = header(res.headers, 'link');
      out.push(...names(await readLimited(res.body, this.t.maxManifestBytes, input)));
      const next = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1] : undefined;
      if (!next) return out;
      const nextUrl = new URL(next, url);
      if (nextUrl.origin !== url.origin)
        throw new BulwarkError('REGISTRY', input, `${what} page link leaves ${url.host}`);
      url = nextUrl;
    }
    throw new BulwarkError('REGISTRY', input, `more than ${MAX_TAG_PAGES} pages of ${what}`);
  }
}

const TagList = z.looseObject({ name: z.string().optional(), tags: z.array(z.string()).nullish() });
const Catalog = z.looseObject({ repositories: z.array(z.string()).nullish() });

/** A manifest's type: its own mediaType field, else the Content-Type it was served with. */
function mediaTypeOf(bytes: Buffer, contentType: string | undefined): string {
  try {
    const doc = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown; manifests?: unknown };
    if (typeof doc.mediaType === 'string' && doc.mediaType) return doc.mediaType;
    if (Array.isArray(doc.manifests)) return 'application/vnd.oci.image.index.v1+json';
  } catch {
    // parsed (and reported) by the caller's schema
  }
  return (contentType ?? '').split(';')[0]!.trim();
}
