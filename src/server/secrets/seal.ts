import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BulwarkError } from '../../core/errors.js';
import { ensureStateDir, readPrivateFile } from '../../core/private-file.js';

// Secrets at rest (registry credentials, notification tokens): AES-256-GCM under one key
// kept in <data-dir>/secret.key (32 random bytes, base64, mode 0600, created on first use).
// A sealed value is "v1:<iv>:<tag>:<ciphertext>" (base64 each). The secret's name is
// authenticated too (GCM additional data), so a sealed value copied under another name
// fails like an edited one. Errors name the secret, never its value.

const VERSION = 'v1';
const KEY_FILE = 'secret.key';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The 32-byte key of a data directory: read, or made (0600) when there is none yet. */
export function loadOrCreateKey(dataDir: string): Buffer {
  ensureStateDir(dataDir);
  const file = join(dataDir, KEY_FILE);
  const text = readPrivateFile(file, { secret: true }) ?? create(file);
  const key = Buffer.from(text.trim(), 'base64');
  if (!B64.test(text.trim()) || key.length !== KEY_BYTES)
    throw new BulwarkError('KEY', file, `not a base64 ${KEY_BYTES}-byte key (its content is not shown)`);
  return key;
}

/** Writes a new key under a temporary name and links it into place: a concurrent creator's key wins whole. */
function create(file: string): string {
  const text = `${randomBytes(KEY_BYTES).toString('base64')}\n`;
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new BulwarkError('IO', file, 'cannot create the key');
    return readPrivateFile(file, { secret: true }) ?? '';
  } finally {
    unlinkSync(tmp);
  }
  return text;
}

const aad = (name: string): Buffer => Buffer.from(`bulwark-secret ${VERSION} ${name}`);

/** Seals one secret value under its name. */
export function seal(key: Buffer, name: string, value: string): string {
  const iv = randomBytes(IV_BYTES);
  const c = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(name));
  const ct = Buffer.concat([c.update(value, 'utf8'), c.final()]);
  return [VERSION, iv.toString('base64'), c.getAuthTag().toString('base64'), ct.toString('base64')].join(':');
}

/** The value sealed under this name; BAD_SIGNATURE when it was edited, sealed under another name or key. */
export function unseal(key: Buffer, name: string, sealed: string): string {
  const input = `secret "${name}"`;
  const parts = sealed.split(':');
  if (parts[0] !== VERSION)
    throw new BulwarkError(
      parts.length === 4 && /^v\d+$/.test(parts[0]!) ? 'UNSUPPORTED' : 'CORRUPT',
      input,
      `not a sealed value of version ${VERSION}`,
    );
  if (parts.length !== 4 || !parts.slice(1).every((p) => B64.test(p)))
    throw new BulwarkError('CORRUPT', input, `not a sealed value ("${VERSION}:<iv>:<tag>:<ciphertext>", base64)`);
  const [iv, tag, ct] = parts.slice(1).map((p) => Buffer.from(p, 'base64')) as [Buffer, Buffer, Buffer];
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
    throw new BulwarkError('CORRUPT', input, 'sealed value has a wrong IV or tag length');
  try {
    const d = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES }).setAAD(aad(name));
    d.setAuthTag(tag);
    return Buffer.concat([d.update(ct), d.final()]).toString('utf8');
  } catch {
    throw new BulwarkError(
      'BAD_SIGNATURE',
      input,
      'sealed value does not authenticate: it was altered, or sealed under another name or key',
    );
  }
}

/** A secret as logs and errors may show it. */
export function mask(value: string): string {
  return value === '' ? '(empty)' : '****';
}
