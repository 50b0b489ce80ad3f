import { Command } from 'commander';
import { BulwarkError } from '../core/errors.js';
import { removeLogin, saveLogin } from '../registry/docker-config.js';

// bulwark registry login/logout: a login for one registry in docker's config.json, where
// scans, verify, sign and push find it (and send it to that registry only).

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  // docker trims the line end a pipe or heredoc leaves
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export function registryCommand(): Command {
  const registry = new Command('registry').description(
    "registry logins (docker's config.json: $DOCKER_CONFIG or ~/.docker)",
  );
  registry
    .command('login')
    .description('store a login for one registry; it is sent to that registry (and its https token service) only')
    .argument('<host>', 'registry host[:port], e.g. ghcr.io or 127.0.0.1:5000 (docker.io for Docker Hub)')
    .requiredOption('-u, --username <user>', 'user name')
    .option('--password-stdin', 'read the password (or token) from stdin')
    .addHelpText('after', '\nExample:\n  printf %s "$TOKEN" | bulwark registry login ghcr.io -u ci --password-stdin')
    .action(async (host: string, f: { username: string; passwordStdin?: boolean }) => {
      if (!f.passwordStdin)
        throw new BulwarkError(
          'USAGE',
          'registry login',
          'give the password on stdin with --password-stdin (never on the command line)',
        );
      const done = saveLogin(host, { username: f.username, password: await readStdin() });
      if (done.helper)
        process.stderr.write(
          `Warning: ${done.config} names the credential helper ${done.helper} for ${done.key}; docker uses it instead of this login\n`,
        );
      process.stderr.write(`Login for ${done.key} stored in ${done.config}\n`);
    });
  registry
    .command('logout')
    .description('remove the stored login for one registry')
    .argument('<host>', 'registry host[:port]')
    .addHelpText('after', '\nExample:\n  bulwark registry logout ghcr.io')
    .action((host: string) => {
      const done = removeLogin(host);
      process.stderr.write(
        done.existed
          ? `Removed the login for ${done.key} from ${done.config}\n`
          : `No login for ${done.key} in ${done.config}\n`,
      );
    });
  return registry;
}
