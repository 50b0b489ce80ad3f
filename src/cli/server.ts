import { Command } from 'commander';
import { EXIT_DENIED } from './exit.js';

// bulwark server: the API over HTTPS in the foreground until SIGINT or SIGTERM; its
// subcommands work on the store from the server's host (tokens, audit chain, backup).

interface StoreFlags {
  dataDir: string;
  database?: string;
}

interface ServerFlags extends StoreFlags {
  listen: string;
  tlsCert?: string;
  tlsKey?: string;
}

const DATA_DIR = '/var/lib/bulwark/server';

function withStoreFlags(c: Command): Command {
  return c
    .option('--data-dir <dir>', 'the SQLite store, the generated TLS certificate and the secrets key', DATA_DIR)
    .option('--database <url>', 'postgres://user:password@host/db (default: SQLite in --data-dir)');
}

const storeOptions = (f: StoreFlags): { url: string } | { dataDir: string } =>
  f.database !== undefined ? { url: f.database } : { dataDir: f.dataDir };

const say = (line: string): boolean => process.stderr.write(`bulwark server: ${line}\n`);

async function run(f: ServerFlags): Promise<void> {
  const { ensureStateDir } = await import('../core/private-file.js');
  const { serverDeps, ADMIN_TOKEN_ENV } = await import('../server/wiring/server-deps.js');
  const { serve } = await import('../server/http/serve.js');
  ensureStateDir(f.dataDir);
  const deps = await serverDeps({
    dataDir: f.dataDir,
    ...(f.database !== undefined ? { database: f.database } : {}),
    env: process.env,
  });
  // the token stays in this process only: nothing the server starts inherits it
  delete process.env[ADMIN_TOKEN_ENV];
  const server = await serve({
    dataDir: f.dataDir,
    listen: f.listen,
    deps,
    ...(f.tlsCert === undefined ? {} : { tlsCert: f.tlsCert }),
    ...(f.tlsKey === undefined ? {} : { tlsKey: f.tlsKey }),
  });
  say(`store ${deps.store.dialect} ${deps.store.location}`);
  say(`listening on ${server.url}`);
  say(`TLS certificate ${server.tls.origin} (${server.tls.certFile})`);
  say(`TLS certificate SHA-256 fingerprint ${server.tls.fingerprint}`);
  if (!deps.hasAdminToken) say(`no ${ADMIN_TOKEN_ENV} set: only tokens made with "bulwark server token create" work`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  say('stopping: finishing requests in flight');
  await server.close();
}

function tokenCommand(): Command {
  const token = new Command('token').description('API tokens: create (shown once), list, revoke');
  token.addCommand(
    withStoreFlags(new Command('create'))
      .requiredOption('--role <role>', 'admin, agent, scanner or viewer')
      .requiredOption('--name <name>', 'who or what uses it (e.g. ci-pipeline, host-17)')
      .description('make a token; its secret is printed once, on stdout, and stored only as a hash')
      .action(async (f: StoreFlags & { role: string; name: string }) => {
        const { createApiToken, parseRole } = await import('../server/wiring/admin.js');
        const t = await createApiToken(storeOptions(f), parseRole(f.role), f.name);
        process.stderr.write(`token ${t.id} (${t.role}, ${t.name}); the secret is shown only now:\n`);
        process.stdout.write(`${t.secret}\n`);
      }),
  );
  token.addCommand(
    withStoreFlags(new Command('list'))
      .description('every token: id, role, name, created, last used, revoked (never a secret)')
      .action(async (f: StoreFlags) => {
        const { listApiTokens } = await import('../server/wiring/admin.js');
        for (const t of await listApiTokens(storeOptions(f)))
          process.stdout.write(
            `${[t.id, t.role, t.name, t.createdAt, t.lastUsedAt ?? '-', t.revokedAt ? `revoked ${t.revokedAt}` : 'active'].join('\t')}\n`,
          );
      }),
  );
  token.addCommand(
    withStoreFlags(new Command('revoke'))
      .argument('<id>', 'the token id (from list)')
      .description('revoke a token: it stops working at once')
      .action(async (id: string, f: StoreFlags) => {
        const { revokeApiToken } = await import('../server/wiring/admin.js');
        if (!(await revokeApiToken(storeOptions(f), id))) {
          process.stderr.write(`bulwark server: no active token ${id}\n`);
          process.exitCode = EXIT_DENIED;
        }
      }),
  );
  return token;
}

function auditCommand(): Command {
  return new Command('audit').description('the audit log').addCommand(
    withStoreFlags(new Command('verify'))
      .description('walk the hash chain: exit 0 when intact, 1 naming the first entry edited, deleted or moved')
      .action(async (f: StoreFlags) => {
        const { verifyAuditLog } = await import('../server/wiring/admin.js');
        const v = await verifyAuditLog(storeOptions(f));
        if (v.ok) process.stdout.write(`audit log intact: ${v.entries} entries, head ${v.head}\n`);
        else {
          process.stdout.write(`audit log broken at entry ${v.seq}: ${v.code} (${v.reason})\n`);
          process.exitCode = EXIT_DENIED;
        }
      }),
  );
}

function backupCommands(): Command[] {
  const backup = withStoreFlags(new Command('backup'))
    .requiredOption('--to <file>', 'where the snapshot goes')
    .description('a consistent snapshot of the SQLite store, taken while the server runs (PostgreSQL: pg_dump)')
    .action(async (f: StoreFlags & { to: string }) => {
      const { backupServer } = await import('../server/wiring/admin.js');
      await backupServer(storeOptions(f), f.to);
      process.stderr.write(`bulwark server: backup written to ${f.to}\n`);
    });
  const restore = new Command('restore')
    .requiredOption('--from <file>', 'a snapshot made by bulwark server backup')
    .option('--data-dir <dir>', 'an empty data dir to restore into', DATA_DIR)
    .option('--overwrite', 'replace the store of a data dir that has one')
    .description('restore a backup into a data dir (with the server stopped)')
    .action(async (f: { from: string; dataDir: string; overwrite?: boolean }) => {
      const { restoreServer } = await import('../server/wiring/admin.js');
      await restoreServer(f.from, f.dataDir, f.overwrite === true);
      process.stderr.write(`bulwark server: restored ${f.from} into ${f.dataDir}\n`);
    });
  return [backup, restore];
}

export function serverCommand(): Command {
  const server = withStoreFlags(new Command('server'))
    .description('the Bulwark server: HTTPS API with API tokens and roles, store, audit log, metrics')
    .option('--listen <host:port>', 'address to listen on (port 0: any free port)', '127.0.0.1:8443')
    .option('--tls-cert <file>', 'certificate (PEM); default: self-signed, made on first start in --data-dir')
    .option('--tls-key <file>', 'private key (PEM) of --tls-cert, readable by its owner only')
    .addHelpText(
      'after',
      '\nExamples:\n  BULWARK_ADMIN_TOKEN=$(openssl rand -hex 32) bulwark server --data-dir /var/lib/bulwark/server --listen 0.0.0.0:8443\n  bulwark server --database postgres://bulwark:secret@db/bulwark --tls-cert tls.crt --tls-key tls.key\n  bulwark server token create --role scanner --name ci\n  bulwark server audit verify\n  bulwark server backup --to /backups/bulwark.db',
    )
    // --data-dir after a subcommand is the subcommand's
    .enablePositionalOptions()
    .action((f: ServerFlags) => run(f));
  server.addCommand(tokenCommand());
  server.addCommand(auditCommand());
  for (const c of backupCommands()) server.addCommand(c);
  return server;
}
