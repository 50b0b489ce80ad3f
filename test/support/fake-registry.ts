import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

// A small in-memory HTTP registry on 127.0.0.1 for client unit tests: it serves stored
// manifests and blobs the way the distribution spec describes, and a test's own handler
// may answer first (to fail, tamper, redirect or challenge). The real registry tests use
// Debian's docker-registry (test/support/registry.ts).

export interface FakeContent {
  /** By tag or digest. */
  manifests?: Map<string, { mediaType: string; bytes: Buffer }>;
  blobs?: Map<string, Buffer>;
}

/** Returns true when it answered the request itself. */
export type FakeHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface FakeRegistry {
  host: string;
  /** "METHOD path?query" of every request, in order. */
  hits: string[];
  /** The Authorization header of every request (undefined when none). */
  auths: (string | undefined)[];
  stop(): Promise<void>;
}

const digest = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function notFound(res: ServerResponse, code: string): void {
  res
    .writeHead(404, { 'Content-Type': 'application/json' })
    .end(JSON.stringify({ errors: [{ code, message: `${code.toLowerCase().replace('_', ' ')}` }] }));
}

export async function fakeRegistry(content: FakeContent = {}, handler?: FakeHandler): Promise<FakeRegistry> {
  const hits: string[] = [];
  const auths: (string | undefined)[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    hits.push(`${req.method} ${url.pathname}${url.search}`);
    auths.push(req.headers.authorization);
    void (async () => {
      if (handler && (await handler(req, res, url))) return;
      if (url.pathname === '/v2/') return void res.writeHead(200).end('{}');
      const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
      if (!m) return notFound(res, 'NAME_UNKNOWN');
      const [, , kind, ref] = m;
      if (kind === 'manifests') {
        const doc = content.manifests?.get(ref!);
        if (!doc) return notFound(res, 'MANIFEST_UNKNOWN');
        res.writeHead(200, {
          'Content-Type': doc.mediaType,
          'Content-Length': doc.bytes.length,
          'Docker-Content-Digest': digest(doc.bytes),
        });
        return void res.end(req.method === 'HEAD' ? undefined : doc.bytes);
      }
      const blob = content.blobs?.get(ref!);
      if (!blob) return notFound(res, 'BLOB_UNKNOWN');
      const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (range && req.method === 'GET') {
        const part = blob.subarray(Number(range[1]), Number(range[2]) + 1);
        res.writeHead(206, {
          'Content-Length': part.length,
          'Content-Range': `bytes ${range[1]}-${Number(range[1]) + part.length - 1}/${blob.length}`,
        });
        return void res.end(part);
      }
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': blob.length,
        'Docker-Content-Digest': ref,
      });
      res.end(req.method === 'HEAD' ? undefined : blob);
    })().catch((e: unknown) => res.destroy(e as Error));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    hits,
    auths,
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
