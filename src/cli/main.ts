#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { errorLine, isBulwarkError, messageOf } from '../core/errors.js';
import { EXIT_ERROR } from './exit.js';

// Each command's module loads only when that command runs: start-up time is most of a
// short command (verify, policy check), and module loading is most of start-up.
const COMMANDS: Record<string, () => Promise<Command[]>> = {
  scan: async () => [(await import('./scan.js')).scanCommand()],
  db: async () => [(await import('./db.js')).dbCommand()],
  version: async () => [(await import('./version.js')).versionCommand()],
  key: async () => [(await import('./key.js')).keyCommand()],
  sign: async () => (await import('./sign.js')).signCommands(),
  policy: async () => [(await import('./policy.js')).policyCommand()],
  push: async () => [(await import('./push.js')).pushCommand()],
  checks: async () => [(await import('./checks.js')).checksCommand()],
  agent: async () => [(await import('./agent.js')).agentCommand()],
  profiles: async () => [(await import('./profiles.js')).profilesCommand()],
  registry: async () => [(await import('./registry.js')).registryCommand()],
  server: async () => [(await import('./server.js')).serverCommand()],
  query: async () => [(await import('./query.js')).queryCommand()],
};
const ALIASES: Record<string, string> = { verify: 'sign', attest: 'sign', 'verify-attestation': 'sign' };

/** The program with the commands argv needs: the named one, or all of them for help and errors. */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('bulwark')
    .description('Container security: scan images, assure, admit and protect workloads')
    .version('0.1.0')
    .exitOverride()
    // a subcommand's options are its own, even where its parent has one of the same name
    .enablePositionalOptions()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const first = argv[0] ?? '';
  const only = COMMANDS[first] ? first : ALIASES[first];
  for (const load of only ? [COMMANDS[only]!] : Object.values(COMMANDS))
    for (const c of await load()) program.addCommand(c);
  // commands built elsewhere do not inherit these settings; usage errors must exit 2, not 1
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const c of all(program)) c.exitOverride().configureOutput({ writeErr: (s) => process.stderr.write(s) });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help'
        ? 0
        : EXIT_ERROR;
    }
    const line = isBulwarkError(e) ? errorLine(e) : `internal error: ${messageOf(e)}`;
    // an error can quote what it read (a config value, a URL with a password): masked; loaded only on this path
    const { maskMetadata } = await import('../checks/secrets/metadata.js');
    process.stderr.write(`bulwark: ${maskMetadata(line.replace(/\n/g, ' '))}\n`);
    if (process.env.BULWARK_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return EXIT_ERROR;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/bulwark')) {
  // a pipe may still hold queued report bytes: exit only once stdout has taken them all
  main(process.argv.slice(2)).then((code) => process.stdout.write('', () => process.exit(code)));
}
