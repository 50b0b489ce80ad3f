import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { BulwarkError, messageOf } from '../core/errors.js';
import { generateKeyPair } from '../signing/keys.js';
import { keyPassword } from './key-files.js';

// bulwark key generate: an ECDSA P-256 key pair in cosign's files (PREFIX.key encrypted with
// the password, PREFIX.pub).

async function writeNew(file: string, text: string, mode: number, force: boolean): Promise<void> {
  try {
    await writeFile(file, text, { mode, flag: force ? 'w' : 'wx' });
  } catch (e) {
    throw new BulwarkError('IO', file, `cannot write the key (${(e as NodeJS.ErrnoException).code ?? messageOf(e)})`);
  }
}

export function keyCommand(): Command {
  const key = new Command('key').description('signing keys (cosign-compatible)');
  key
    .command('generate')
    .description('generate an ECDSA P-256 key pair: PREFIX.key (encrypted) and PREFIX.pub')
    .option('--output-key-prefix <prefix>', 'file name prefix', 'cosign')
    .option('--password-file <file>', 'password for the private key (default: $BULWARK_PASSWORD or $COSIGN_PASSWORD)')
    .option('--force', 'overwrite existing key files')
    .addHelpText('after', '\nExample:\n  COSIGN_PASSWORD=s3cret bulwark key generate --output-key-prefix release')
    .action(async (f: { outputKeyPrefix: string; passwordFile?: string; force?: boolean }) => {
      const priv = `${f.outputKeyPrefix}.key`;
      const pub = `${f.outputKeyPrefix}.pub`;
      for (const file of [priv, pub])
        if (!f.force && existsSync(file))
          throw new BulwarkError('IO', file, 'already exists (use --force to overwrite)');
      const pair = generateKeyPair(keyPassword(f.passwordFile));
      await writeNew(priv, pair.privatePem, 0o600, f.force ?? false);
      await writeNew(pub, pair.publicPem, 0o644, f.force ?? false);
      process.stderr.write(`Private key written to ${priv}\nPublic key written to ${pub}\n`);
    });
  return key;
}
