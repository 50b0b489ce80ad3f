import { Command } from 'commander';

// bulwark server: the API over HTTPS in the foreground until SIGINT or SIGTERM.

interface ServerFlags {
  dataDir: string;
  listen: string;
  tlsCert?: string;
  tlsKey?: string;
}

export function serverCommand(): Command {
  return new Command('server')
    .description('the Bulwark server: HTTPS API with API tokens and roles, audit log, metrics')
    .option('--data-dir <dir>', 'database, audit log and the generated TLS certificate', '/var/lib/bulwark/server')
    .option('--listen <host:port>', 'address to listen on (port 0: any free port)', '127.0.0.1:8443')
    .option('--tls-cert <file>', 'certificate (PEM); default: self-signed, made on first start in --data-dir')
    .option('--tls-key <file>', 'private key (PEM) of --tls-cert, readable by its owner only')
    .addHelpText(
      'after',
      '\nExamples:\n  BULWARK_ADMIN_TOKEN=$(openssl rand -hex 32) bulwark server --data-dir /var/lib/bulwark/server --listen 0.0.0.0:8443\n  bulwark server --tls-cert /etc/bulwark/tls.crt --tls-key /etc/bulwark/tls.key',
    )
    .action(async (f: ServerFlags) => {
      const { ensureStateDir } = await import('../core/private-file.js');
      const { serverDeps, ADMIN_TOKEN_ENV } = await import('../server/wiring/server-deps.js');
      const { serve } = await import('../server/http/serve.js');
      ensureStateDir(f.dataDir);
      const deps = serverDeps({ dataDir: f.dataDir, env: process.env });
      // the token stays in this process only: nothing the server starts inherits it
      delete process.env[ADMIN_TOKEN_ENV];
      const server = await serve({
        dataDir: f.dataDir,
        listen: f.listen,
        deps,
        ...(f.tlsCert === undefined ? {} : { tlsCert: f.tlsCert }),
        ...(f.tlsKey === undefined ? {} : { tlsKey: f.tlsKey }),
      });
      const say = (line: string): boolean => process.stderr.write(`bulwark server: ${line}\n`);
      say(`listening on ${server.url}`);
      say(`TLS certificate ${server.tls.origin} (${server.tls.certFile})`);
      say(`TLS certificate SHA-256 fingerprint ${server.tls.fingerprint}`);
      if (!deps.hasAdminToken) say(`no ${ADMIN_TOKEN_ENV} set: every route but /healthz and /readyz refuses`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      say('stopping: finishing requests in flight');
      await server.close();
    });
}
