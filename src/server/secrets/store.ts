import { join } from 'node:path';
import { z } from 'zod';
import { BulwarkError } from '../../core/errors.js';
import { parseJson } from '../../core/json.js';
import { readPrivateFile, writePrivateFile } from '../../core/private-file.js';
import { loadOrCreateKey, seal, unseal } from './seal.js';

// Named secrets sealed in <data-dir>/secrets.json (mode 0600): the file holds only sealed
// values, so a copy of it without secret.key reveals nothing. Until the database holds
// them, this is where the watcher's registry credentials and notification tokens live.

/** What consumers need: a secret by name (undefined when there is none). */
export interface SecretSource {
  get(name: string): string | undefined;
}

const FILE = 'secrets.json';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SecretsFile = z.strictObject({
  version: z.literal(1),
  secrets: z.record(z.string().regex(NAME), z.string().max(1 << 16)),
});

export class SealedSecrets implements SecretSource {
  private readonly file: string;
  private readonly key: Buffer;

  constructor(dataDir: string) {
    this.key = loadOrCreateKey(dataDir);
    this.file = join(dataDir, FILE);
  }

  private read(): Map<string, string> {
    const text = readPrivateFile(this.file, { secret: true });
    if (text === undefined) return new Map();
    return new Map(Object.entries(parseJson(text, SecretsFile, this.file).secrets));
  }

  private write(all: Map<string, string>): void {
    writePrivateFile(this.file, `${JSON.stringify({ version: 1, secrets: Object.fromEntries(all) }, null, 2)}\n`);
  }

  get(name: string): string | undefined {
    const sealed = this.read().get(name);
    return sealed === undefined ? undefined : unseal(this.key, name, sealed);
  }

  put(name: string, value: string): void {
    if (!NAME.test(name))
      throw new BulwarkError('USAGE', `secret "${name.slice(0, 64)}"`, 'names are letters, digits, ".", "_", "-"');
    const all = this.read();
    all.set(name, seal(this.key, name, value));
    this.write(all);
  }

  delete(name: string): boolean {
    const all = this.read();
    const had = all.delete(name);
    if (had) this.write(all);
    return had;
  }

  names(): string[] {
    return [...this.read().keys()].sort();
  }
}
