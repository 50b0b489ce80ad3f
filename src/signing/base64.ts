// Strict base64 for untrusted input: Buffer.from(s, 'base64') silently skips junk, so a
// corrupt field would otherwise decode to some other bytes instead of being refused.

const STD = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_SAFE = /^[A-Za-z0-9_-]*={0,2}$/;

/** Decodes standard base64 (padded, canonical); undefined when s is not exactly that. */
export function decodeStdBase64(s: string): Buffer | undefined {
  if (s.length % 4 !== 0 || !STD.test(s)) return undefined;
  const b = Buffer.from(s, 'base64');
  return b.toString('base64') === s ? b : undefined;
}

/**
 * Decodes standard or URL-safe base64, padding optional: the DSSE spec lets writers use
 * either alphabet, so readers must take both.
 */
export function decodeAnyBase64(s: string): Buffer | undefined {
  const url = !STD.test(s);
  if (url && !URL_SAFE.test(s)) return undefined;
  const bare = s.replace(/=+$/, '');
  if (bare.length % 4 === 1 || (s.length !== bare.length && s.length % 4 !== 0)) return undefined;
  const b = Buffer.from(bare, url ? 'base64url' : 'base64');
  const again = b.toString(url ? 'base64url' : 'base64').replace(/=+$/, '');
  return again === bare ? b : undefined;
}
