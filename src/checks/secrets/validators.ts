// Structural checks that turn a pattern match into a finding: checksums, decodable
// structure, entropy. Each one is cheap and runs only on a regex match, never on a whole file.

import { crc32 } from 'node:zlib';

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  const n = [...s].length;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Character classes present: lower, upper, digit, other. */
export function charClasses(s: string): { lower: boolean; upper: boolean; digit: boolean; other: boolean } {
  return { lower: /[a-z]/.test(s), upper: /[A-Z]/.test(s), digit: /[0-9]/.test(s), other: /[^A-Za-z0-9]/.test(s) };
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 (0-9, A-Z, a-z) of an unsigned 32-bit number, left-padded with '0' to `width`. */
export function base62(n: number, width: number): string {
  let v = n >>> 0;
  let out = '';
  do {
    out = BASE62[v % 62]! + out;
    v = Math.floor(v / 62);
  } while (v > 0);
  return out.padStart(width, '0');
}

/**
 * The checksummed token format GitHub (ghp_, gho_, ghu_, ghs_, ghr_) and npm (npm_) use:
 * a prefix, 30 random base62 characters, then the CRC-32 of those 30 characters in base62,
 * zero-padded to 6. Returns the 6-character checksum of `random`.
 */
export function tokenChecksum(random: string): string {
  return base62(crc32(Buffer.from(random, 'latin1')), 6);
}

/** True when `token` is prefix + 30 base62 + the right 6-character checksum. */
export function hasValidTokenChecksum(token: string, prefix: string): boolean {
  if (!token.startsWith(prefix)) return false;
  const body = token.slice(prefix.length);
  if (body.length !== 36 || !/^[A-Za-z0-9]{36}$/.test(body)) return false;
  return tokenChecksum(body.slice(0, 30)) === body.slice(30);
}

function readVarint(b: Buffer, at: number): { value: number; next: number } | null {
  let value = 0;
  let shift = 0;
  for (let i = at; i < b.length && i < at + 4; i++) {
    const byte = b[i]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
    shift += 7;
  }
  return null;
}

/**
 * A PyPI API token is "pypi-" + base64url of a v2 binary macaroon: version byte 2, then a
 * location field (type 1) naming pypi.org or test.pypi.org, then an identifier field (type 2).
 */
export function isPyPiMacaroon(token: string): boolean {
  if (!token.startsWith('pypi-')) return false;
  const b = Buffer.from(token.slice(5), 'base64url');
  if (b.length < 32 || b[0] !== 2 || b[1] !== 1) return false;
  const len = readVarint(b, 2);
  if (!len || len.value > 64) return false;
  const location = b.subarray(len.next, len.next + len.value).toString('latin1');
  if (location !== 'pypi.org' && location !== 'test.pypi.org') return false;
  const after = len.next + len.value;
  if (b[after] !== 2) return false;
  const idLen = readVarint(b, after + 1);
  return idLen !== null && idLen.value > 0 && idLen.next + idLen.value <= b.length;
}

/** Decodes one base64url JWT segment to a JSON object, or null. */
function jwtSegment(part: string): Record<string, unknown> | null {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : null;
}

/** A signed JWT: header JSON with a string "alg" other than "none", payload JSON, a signature. */
export function isSignedJwt(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[2]!.length < 16) return false;
  const header = jwtSegment(parts[0]!);
  if (!header || typeof header.alg !== 'string' || header.alg.toLowerCase() === 'none') return false;
  return jwtSegment(parts[1]!) !== null;
}

/** The payload of a JWT-shaped string, for allowlisting documented examples. */
export function jwtPayload(token: string): Record<string, unknown> | null {
  const part = token.split('.')[1];
  return part === undefined ? null : jwtSegment(part);
}

/** Strict standard base64 (with padding) of exactly the decoded bytes. */
export function decodeStrictBase64(s: string): Buffer | null {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return null;
  const b = Buffer.from(s, 'base64');
  return b.toString('base64') === s ? b : null;
}

/** Docker config "auth": base64 of "user:password", both non-empty printable text. */
export function decodeBasicAuth(s: string): { user: string; password: string } | null {
  const b = decodeStrictBase64(s);
  if (!b) return null;
  const text = b.toString('utf8');
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0xfffd) return null;
  }
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) return null;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}
