import { randomBytes, scryptSync } from 'node:crypto';
import nacl from 'tweetnacl';
import { z } from 'zod';
import { BulwarkError } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import { decodeStdBase64 } from './base64.js';
import { goJson } from './go-json.js';

// The "encrypted" format of go-securesystemslib, which cosign uses for private keys:
// scrypt derives a 32-byte key from the password, NaCl secretbox seals the plaintext.
// Go marshals []byte as standard base64, hence the base64 strings.

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** What cosign writes (go-securesystemslib's default). */
export const COSIGN_SCRYPT: ScryptParams = { N: 32768, r: 8, p: 1 };

// Parameters come from the file being read, so they are bounded: scrypt needs about
// 128·N·r bytes and time proportional to N·r·p.
const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;

const b64 = (len?: number) =>
  z.string().refine(
    (s) => {
      const b = decodeStdBase64(s);
      return b !== undefined && (len === undefined || b.length === len);
    },
    len === undefined ? 'not standard base64' : `not standard base64 of ${len} bytes`,
  );

const Encrypted = z.object({
  kdf: z.object({
    name: z.literal('scrypt'),
    params: z.object({
      N: z
        .number()
        .int()
        .min(2)
        .max(1 << 20)
        .refine((n) => (n & (n - 1)) === 0, 'N must be a power of two'),
      r: z.number().int().min(1).max(32),
      p: z.number().int().min(1).max(16),
    }),
    salt: b64(),
  }),
  cipher: z.object({ name: z.literal('nacl/secretbox'), nonce: b64(nacl.secretbox.nonceLength) }),
  ciphertext: b64(),
});

function deriveKey(password: string, salt: Buffer, { N, r, p }: ScryptParams, input: string): Uint8Array {
  const need = 128 * N * r + 128 * r * p;
  if (need > MAX_SCRYPT_MEMORY)
    throw new BulwarkError('KEY', input, `scrypt parameters need ${need} bytes of memory, more than allowed`);
  return scryptSync(Buffer.from(password, 'utf8'), salt, nacl.secretbox.keyLength, {
    N,
    r,
    p,
    maxmem: need + 1024 * 1024,
  });
}

/** The encrypted JSON document for plaintext (fresh 32-byte salt, 24-byte nonce). */
export function encrypt(plaintext: Buffer, password: string, params: ScryptParams = COSIGN_SCRYPT): Buffer {
  const salt = randomBytes(32);
  const nonce = randomBytes(nacl.secretbox.nonceLength);
  const sealed = nacl.secretbox(plaintext, nonce, deriveKey(password, salt, params, 'new key'));
  const doc = {
    kdf: { name: 'scrypt', params: { N: params.N, r: params.r, p: params.p }, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(sealed).toString('base64'),
  };
  return Buffer.from(goJson(doc));
}

/** Opens an encrypted document; a failed secretbox open means a wrong password (or tampering). */
export function decrypt(doc: Buffer, password: string, input: string): Buffer {
  const e = parseJson(doc, Encrypted, input);
  const key = deriveKey(password, decodeStdBase64(e.kdf.salt) as Buffer, e.kdf.params, input);
  const opened = nacl.secretbox.open(
    decodeStdBase64(e.ciphertext) as Buffer,
    decodeStdBase64(e.cipher.nonce) as Buffer,
    key,
  );
  if (!opened) throw new BulwarkError('KEY', input, 'wrong password or corrupt key');
  return Buffer.from(opened);
}
