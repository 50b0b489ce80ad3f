import { createHash, timingSafeEqual } from 'node:crypto';
import { BulwarkError } from '../../core/errors.js';

// A notification endpoint is reachable by anyone who can reach the server, so each watched
// registry gets its own token, and its config sends it with every envelope:
//   notifications: {endpoints: [{name: bulwark, url: https://bulwark/…,
//                                headers: {Authorization: [Bearer <token>]}}]}
// The token says which registry the events come from. Tokens are compared as SHA-256
// digests in constant time, and never appear in an error.

const INPUT = 'registry notification';

export type HeaderBag = Record<string, string | string[] | undefined>;

export function headerValue(h: HeaderBag, name: string): string | undefined {
  const key = Object.keys(h).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : h[key];
  return Array.isArray(v) ? v[0] : v;
}

const hash = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** The registry whose token the Authorization header carries; AUTH otherwise. */
export function authenticate(headers: HeaderBag, tokens: ReadonlyMap<string, string>): string {
  const auth = headerValue(headers, 'authorization');
  if (auth === undefined) throw new BulwarkError('AUTH', INPUT, 'no Authorization header (expected "Bearer <token>")');
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(auth);
  if (!m) throw new BulwarkError('AUTH', INPUT, 'Authorization is not "Bearer <token>"');
  const given = hash(m[1]!);
  let found: string | undefined;
  // every token is compared, so the time taken does not say which one came close
  for (const [registry, token] of tokens) if (timingSafeEqual(given, hash(token)) && !found) found = registry;
  if (!found) throw new BulwarkError('AUTH', INPUT, 'the bearer token is not one of a watched registry');
  return found;
}
