import { createPublicKey, type KeyObject } from 'node:crypto';
import { loadPublicKey } from '../signing/keys.js';

/** A public key as policies and commands name it: "release", or the file it came from. */
export interface NamedKey {
  name: string;
  key: KeyObject;
}

/** A policy's named keys, parsed. */
export function policyKeys(keys: ReadonlyMap<string, string>, source: string): NamedKey[] {
  return [...keys].map(([name, pem]) => ({ name, key: loadPublicKey(pem, `${source}: key ${name}`) }));
}

/** Names of the keys that are the public half of a private key. */
export function namesOf(keys: NamedKey[], privateKey: KeyObject): string[] {
  const spki = (k: KeyObject): Buffer => k.export({ type: 'spki', format: 'der' });
  const mine = spki(createPublicKey(privateKey));
  return keys.filter((k) => spki(k.key).equals(mine)).map((k) => k.name);
}
