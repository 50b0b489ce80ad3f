import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { BulwarkError, messageOf } from '../core/errors.js';
import type { NamedKey } from '../assure/keys.js';
import { loadPrivateKey, loadPublicKey } from '../signing/keys.js';

// Key files named on the command line, and the password for a private one: --password-file,
// else $BULWARK_PASSWORD, else $COSIGN_PASSWORD (as cosign reads it; may be empty).

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new BulwarkError(
      'NOT_FOUND',
      file,
      `cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? messageOf(e)})`,
    );
  }
}

export function keyPassword(passwordFile: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (passwordFile !== undefined) return readText(passwordFile, 'password file').replace(/\r?\n$/, '');
  const p = env.BULWARK_PASSWORD ?? env.COSIGN_PASSWORD;
  if (p === undefined)
    throw new BulwarkError(
      'USAGE',
      'password',
      'give --password-file, or set BULWARK_PASSWORD or COSIGN_PASSWORD (it may be empty)',
    );
  return p;
}

export function readPrivateKey(file: string, passwordFile: string | undefined): KeyObject {
  return loadPrivateKey(readText(file, 'private key'), keyPassword(passwordFile), file);
}

export function readPublicKeys(files: string[]): NamedKey[] {
  return files.map((f) => ({ name: f, key: loadPublicKey(readText(f, 'public key'), f) }));
}
