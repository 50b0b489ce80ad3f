import { Command, Option } from 'commander';
import { join } from 'node:path';
import { BulwarkError } from '../core/errors.js';
import { ProfileStore, type ProfileMode } from '../runtime/profiles.js';
import { columns } from '../report/table.js';
import { writeOutput } from './output.js';

// bulwark profiles: the agent's learned executable profiles (one per image) — list them, show
// one, move one between learn, monitor and protect. A running agent takes the change in
// within seconds.

const STATE_DIR = '/var/lib/bulwark/agent';

function storeOf(stateDir: string): ProfileStore {
  return new ProfileStore(join(stateDir, 'profiles.json'));
}

/** The one profile KEY names: the key itself or a unique part of it (an image id prefix). */
function keyOf(store: ProfileStore, text: string): string {
  const keys = store.list().map((p) => p.key);
  if (keys.includes(text)) return text;
  const hits = keys.filter((k) => k.includes(text));
  if (hits.length === 1) return hits[0]!;
  throw new BulwarkError(
    hits.length ? 'USAGE' : 'NOT_FOUND',
    text,
    hits.length
      ? `names ${hits.length} profiles: ${hits.slice(0, 3).join(', ')}…`
      : 'no profile has this key (see bulwark profiles list)',
  );
}

/** A profile's programs, then its files: each file, then a program and its access per line. */
function showProfile(store: ProfileStore, key: string): string {
  const programs = store.allowed(key).map((p) => `  ${p}\n`);
  const files = store.files(key);
  if (files.length === 0) return programs.join('');
  const rows = files.flatMap((f) => f.programs.map((p) => [`  ${f.path}`, p.access, p.program]));
  return `programs:\n${programs.join('')}files:\n${columns([['  FILE', 'ACCESS', 'PROGRAM'], ...rows])}\n`;
}

export function profilesCommand(): Command {
  const cmd = new Command('profiles').description(
    "the runtime agent's learned executable profiles (learn, monitor, protect)",
  );
  const stateDir = (): Option => new Option('--state-dir <dir>', "the agent's state directory").default(STATE_DIR);
  cmd
    .command('list')
    .description('every profile: key (image id), mode, programs allowed, learning since')
    .addOption(stateDir())
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (f: { stateDir: string; format: 'table' | 'json' }) => {
      const list = storeOf(f.stateDir).list();
      if (f.format === 'json') return writeOutput(`${JSON.stringify(list, null, 2)}\n`, undefined);
      return writeOutput(
        `${columns([['KEY', 'MODE', 'PROGRAMS', 'LEARNING SINCE'], ...list.map((p) => [p.key, p.mode, String(p.programs), p.learnedSince])])}\n`,
        undefined,
      );
    });
  cmd
    .command('show <key>')
    .description('the programs a profile allows, and its protected files with the programs that open them (read/write)')
    .addOption(stateDir())
    .action(async (text: string, f: { stateDir: string }) => {
      const store = storeOf(f.stateDir);
      const key = keyOf(store, text);
      return writeOutput(`${key} (${store.mode(key)})\n${showProfile(store, key)}`, undefined);
    });
  cmd
    .command('mode <key> <mode>')
    .description('set a profile to learn, monitor (alert on unlisted programs) or protect (refuse them)')
    .addOption(stateDir())
    .action(async (text: string, mode: string, f: { stateDir: string }) => {
      if (!['learn', 'monitor', 'protect'].includes(mode))
        throw new BulwarkError('USAGE', mode, 'mode must be learn, monitor or protect');
      const store = storeOf(f.stateDir);
      const key = keyOf(store, text);
      store.setMode(key, mode as ProfileMode);
      store.save();
      process.stderr.write(`${key}: ${mode}\n`);
    });
  return cmd;
}
