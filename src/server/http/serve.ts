import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ensureStateDir } from '../../core/private-file.js';
import { tlsIdentity, type TlsIdentity } from '../tls/certificate.js';
import { buildServerApp } from './app.js';
import type { ServerDeps } from './deps.js';
import { parseListen } from './listen.js';

// The app on a real HTTPS listener: the data dir made private, the TLS identity loaded or
// made, and a close that stops accepting, lets in-flight requests finish, then closes deps.

export interface ServeOptions {
  dataDir: string;
  listen: string;
  tlsCert?: string;
  tlsKey?: string;
  deps: ServerDeps;
  logger?: Logger;
  /** How long close waits for in-flight requests before dropping them. */
  drainMs?: number;
}

export interface RunningServer {
  url: string;
  tls: TlsIdentity;
  close(): Promise<void>;
}

const UNSPECIFIED = new Set(['0.0.0.0', '::']);

export async function serve(o: ServeOptions): Promise<RunningServer> {
  ensureStateDir(o.dataDir);
  const { host, port } = parseListen(o.listen);
  const hosts = [...new Set([host, 'localhost', '127.0.0.1', '::1'])].filter((h) => !UNSPECIFIED.has(h));
  const tls = tlsIdentity({
    dataDir: o.dataDir,
    ...(o.tlsCert === undefined ? {} : { certFile: o.tlsCert }),
    ...(o.tlsKey === undefined ? {} : { keyFile: o.tlsKey }),
    hosts,
  });
  const app = buildServerApp(o.deps, {
    https: { key: tls.key, cert: tls.cert },
    ...(o.logger ? { logger: o.logger } : {}),
  });
  await app.listen({ host, port });
  const a = app.server.address() as AddressInfo;
  const url = `https://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  return {
    url,
    tls,
    close: async () => {
      const drop = setTimeout(() => app.server.closeAllConnections(), o.drainMs ?? 10_000);
      try {
        await app.close();
      } finally {
        clearTimeout(drop);
      }
      await o.deps.close?.();
    },
  };
}
