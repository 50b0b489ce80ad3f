import { BulwarkError } from '../core/errors.js';
import { decodeStdBase64 } from './base64.js';

// PEM as Go's encoding/pem writes it (64-column base64, no headers). Reading takes the
// first block, as pem.Decode does, except that "EC PARAMETERS" blocks are passed over
// (`openssl ecparam -genkey` writes one before the key); a body that is not clean base64
// is refused.

export interface PemBlock {
  type: string;
  bytes: Buffer;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]{1,64})-----\r?\n([\s\S]*?)-----END \1-----/g;

export function encodePem(type: string, bytes: Buffer): string {
  const b64 = bytes.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${type}-----\n${lines.join('\n')}${lines.length > 0 ? '\n' : ''}-----END ${type}-----\n`;
}

// Key files are a few hundred bytes; the cap keeps the block search cheap on junk input.
const MAX_PEM = 1 << 20;

export function decodePem(text: string, input: string): PemBlock {
  if (text.length > MAX_PEM)
    throw new BulwarkError('TOO_LARGE', input, `more than ${MAX_PEM} characters for a PEM file`);
  const m = [...text.matchAll(BLOCK)].find((b) => b[1] !== 'EC PARAMETERS');
  if (!m) throw new BulwarkError('CORRUPT', input, 'no PEM block found');
  const type = m[1] ?? '';
  const body = (m[2] ?? '').replace(/[ \t\r\n]/g, '');
  if (body.includes(':'))
    throw new BulwarkError('CORRUPT', input, `PEM block ${type} has headers, which are not supported`);
  const bytes = decodeStdBase64(body);
  if (!bytes || bytes.length === 0) throw new BulwarkError('CORRUPT', input, `PEM block ${type} is not valid base64`);
  return { type, bytes };
}
