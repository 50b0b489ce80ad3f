import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:https';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { checkServerIdentity, connect, type PeerCertificate } from 'node:tls';
import { stopChild, trackChild } from './children.js';
import { waitUntil } from './wait.js';

// `bulwark server` as a user starts it (tsx, no build), and HTTPS requests to it that trust
// only the certificate whose fingerprint the server printed.

const ROOT = join(import.meta.dirname, '..', '..');

export interface ServerProcess extends Pinned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM; resolves with the exit code (null when killed by a signal). */
  stop(): Promise<number | null>;
}

export async function startServer(args: string[], env: Record<string, string>): Promise<ServerProcess> {
  const child = trackChild(
    spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'server', ...args], {
      env: { ...process.env, ...env },
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  await waitUntil(
    `the server's fingerprint line (stderr: ${err})`,
    () => /fingerprint [0-9A-F:]{95}\n/.test(err) || child.exitCode !== null,
    {
      timeoutMs: 30_000,
    },
  );
  if (child.exitCode !== null) throw new Error(`bulwark server exited ${child.exitCode}: ${err}`);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    url: /listening on (https:\/\/\S+)/.exec(err)![1]!,
    fingerprint: /fingerprint ([0-9A-F:]{95})/.exec(err)![1]!,
    ca: readFileSync(/TLS certificate \w+ \((.+)\)\n/.exec(err)![1]!, 'utf8'),
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      await stopChild(child);
      return exited;
    },
  };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The server's own (self-signed) certificate as the only CA, and its printed fingerprint as a pin. */
export interface Pinned {
  url: string;
  fingerprint: string;
  ca: string;
}

function pinCheck(fingerprint: string) {
  return (host: string, cert: PeerCertificate): Error | undefined =>
    checkServerIdentity(host, cert) ??
    (cert.fingerprint256 === fingerprint ? undefined : new Error(`certificate ${cert.fingerprint256} is not pinned`));
}

/** One HTTPS request pinned to the fingerprint the server printed. */
export function pinnedRequest(
  server: Pinned,
  path: string,
  o: { method?: string; token?: string; body?: string } = {},
): Promise<Answer> {
  const u = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port,
        path: u.pathname + u.search,
        method: o.method ?? 'GET',
        // a fresh connection each time: a kept-alive one would skip the pin check
        agent: false,
        ca: server.ca,
        checkServerIdentity: pinCheck(server.fingerprint),
        headers: {
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
          ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/**
 * POSTs a `size`-byte body (declared in Content-Length) over a raw pinned TLS socket, 64 KiB
 * at a time, stopping once the server answers; returns the status line's code, the body and
 * how many body bytes the socket took before the answer (a client refused early sees a closed
 * socket while writing, which Node's HTTP client reports as EPIPE instead of the answer).
 */
export function pinnedLargePost(
  server: Pinned,
  path: string,
  token: string,
  size: number,
): Promise<{ status: number; body: string; sent: number }> {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    let received = '';
    let sent = 0;
    const socket = connect({
      host: u.hostname,
      port: Number(u.port),
      ca: server.ca,
      checkServerIdentity: pinCheck(server.fingerprint),
    });
    const answered = (): boolean => received.includes('\r\n\r\n');

    socket.on('data', (c: Buffer) => (received += c.toString('utf8')));
    socket.on('error', () => undefined); // the server closes while we write: expected
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(received);
      if (!m) return reject(new Error(`no HTTP answer: ${received.slice(0, 200)}`));
      resolve({ status: Number(m[1]), body: received.slice(received.indexOf('\r\n\r\n') + 4), sent });
    });
    socket.once('secureConnect', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nhost: ${u.host}\r\nauthorization: Bearer ${token}\r\n` +
          `content-type: application/json\r\ncontent-length: ${size}\r\nconnection: close\r\n\r\n`,
      );
      // a chunk, then a pause for the server to answer: one that reads the whole body first cannot
      const chunk = Buffer.alloc(64 << 10, 0x20);
      const pump = (): void => {
        if (answered() || socket.destroyed) return void socket.end();
        if (sent >= size) return;
        const n = Math.min(chunk.length, size - sent);
        sent += n;
        socket.write(chunk.subarray(0, n), () => setTimeout(pump, 50));
      };
      pump();
    });
  });
}
