import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

// Test-only: a loopback HTTP server in the OSV bucket layout (<root>/<Ecosystem>/all.zip)
// that can misbehave on demand, and the CLI run asynchronously so it can talk to it.

const ROOT = join(import.meta.dirname, '..', '..');
/** The shared real data beside the clone (here and in CI). */
export const SHARED_DATA = join(ROOT, '..', 'shared', 'data');

type BucketMode =
  | 'normal'
  /** Full Content-Length, half the body, then the socket is destroyed. */
  | 'truncate'
  /** Some bytes of the zip flipped (a new ETag, so the client downloads it). */
  | 'corrupt'
  /** Half the body, then nothing: the client waits until killed. */
  | 'stall';

interface SeenRequest {
  path: string;
  headers: IncomingHttpHeaders;
  status: number;
}

export interface BucketServer {
  url: string;
  requests: SeenRequest[];
  mode: BucketMode;
  /** Misbehave only for paths starting with this (default: all). */
  modePath: string;
  /** Resolves once a stalled response has sent its half. */
  stalled: Promise<void>;
  close(): Promise<void>;
}

function flipBytes(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i < 64; i++) out[Math.floor(out.length / 2) + i * 7]! ^= 0xa5;
  return out;
}

export async function serveBucket(root: string): Promise<BucketServer> {
  let markStalled = (): void => {};
  const state: BucketServer = {
    url: '',
    requests: [],
    mode: 'normal',
    modePath: '/',
    stalled: new Promise((r) => (markStalled = r)),
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const seen: SeenRequest = { path, headers: req.headers, status: 200 };
    state.requests.push(seen);
    const file = join(root, path);
    let bytes: Buffer;
    let mtime: Date;
    try {
      if (path.includes('..')) throw new Error('unsafe');
      bytes = readFileSync(file);
      mtime = statSync(file).mtime;
    } catch {
      res.writeHead((seen.status = 404)).end();
      return;
    }
    const mode = path.startsWith(state.modePath) ? state.mode : 'normal';
    if (mode === 'corrupt') bytes = flipBytes(bytes);
    const etag = `"${createHash('sha256').update(bytes).digest('hex').slice(0, 20)}"`;
    const headers = {
      etag,
      'last-modified': mtime.toUTCString(),
      'content-type': 'application/zip',
      'content-length': String(bytes.length),
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead((seen.status = 304), { etag }).end();
      return;
    }
    res.writeHead(200, headers);
    if (mode === 'truncate' || mode === 'stall') {
      res.write(bytes.subarray(0, bytes.length >> 1), () => {
        if (mode === 'truncate') res.socket?.destroy();
        else markStalled();
      });
      return;
    }
    res.end(bytes);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The CLI through tsx, without blocking this process (which may be serving it). */
export function bulwarkAsync(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}
