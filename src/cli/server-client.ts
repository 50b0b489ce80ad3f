import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { Command } from 'commander';
import { BulwarkError, ERROR_CODES, messageOf, type ErrorCode } from '../core/errors.js';

// The CLI's client of `bulwark server`: HTTPS with the server's CA when given, a bearer token
// (flag or BULWARK_TOKEN; never printed), JSON both ways, and the server's coded errors
// turned back into BulwarkErrors. Plain HTTP only to a loopback address.

export interface ServerFlags {
  server?: string;
  token?: string;
  serverCa?: string;
}

export interface ServerTarget {
  url: URL;
  token: string;
  ca?: string;
}

/** Adds --server, --token and --server-ca to a command. */
export function serverFlags(cmd: Command, what: string): Command {
  return cmd
    .option('--server <url>', `${what} (https://HOST:PORT of \`bulwark server\`)`)
    .option('--token <token>', 'API token for --server (default: $BULWARK_TOKEN)')
    .option(
      '--server-ca <file>',
      "PEM file of the CA or certificate to trust for --server (e.g. the server's server.crt)",
    );
}

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** The server, token and CA the flags name; errors before any scan or request is made. */
export function serverTarget(f: ServerFlags): ServerTarget {
  if (!f.server) throw new BulwarkError('USAGE', '--server', 'give the server URL');
  let url: URL;
  try {
    url = new URL(f.server);
  } catch {
    throw new BulwarkError('USAGE', '--server', 'not a URL');
  }
  if (url.username || url.password)
    throw new BulwarkError('USAGE', '--server', 'put the token in --token, not the URL');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname)))
    throw new BulwarkError('USAGE', url.origin, 'use https:// (plain http:// only to a loopback address)');
  const token = f.token ?? process.env.BULWARK_TOKEN;
  if (!token) throw new BulwarkError('USAGE', '--token', 'give an API token with --token or BULWARK_TOKEN');
  let ca: string | undefined;
  if (f.serverCa) {
    try {
      ca = readFileSync(f.serverCa, 'utf8');
    } catch (e) {
      throw new BulwarkError('IO', f.serverCa, messageOf(e));
    }
  }
  return { url, token, ...(ca !== undefined ? { ca } : {}) };
}

const TIMEOUT_MS = 60_000;

/** The server's coded error, as a BulwarkError about the URL called. */
function answerError(where: string, status: number, body: string): BulwarkError {
  let code: ErrorCode = 'NETWORK';
  let message = `answered ${status}`;
  try {
    const e = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
    if (typeof e?.code === 'string' && e.code in ERROR_CODES) code = e.code as ErrorCode;
    if (typeof e?.message === 'string') message = `answered ${status}: ${e.message}`;
  } catch {
    // not our server's JSON: the status says enough
  }
  return new BulwarkError(code, where, message);
}

/** One JSON request; resolves with the parsed answer of a 2xx. */
export function callServer(t: ServerTarget, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const url = new URL(path, t.url);
  const where = `${method} ${url.origin}${url.pathname}`;
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        timeout: TIMEOUT_MS,
        ...(t.ca !== undefined ? { ca: t.ca } : {}),
        headers: {
          authorization: `Bearer ${t.token}`,
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new BulwarkError('NETWORK', where, messageOf(e))));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) return reject(answerError(where, status, text));
          try {
            resolve(JSON.parse(text) as unknown);
          } catch {
            reject(new BulwarkError('NETWORK', where, 'the answer is not JSON'));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (e: NodeJS.ErrnoException) => {
      const tls = /certificate|self.signed|SSL|TLS/i.test(`${e.code ?? ''} ${e.message}`);
      reject(new BulwarkError(tls ? 'TLS' : 'NETWORK', where, messageOf(e)));
    });
    req.end(payload);
  });
}
