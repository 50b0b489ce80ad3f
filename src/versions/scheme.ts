import { BulwarkError } from '../core/errors.js';

/** How one ecosystem orders its version strings. */
export interface VersionScheme {
  /** 'dpkg', 'rpm', 'apk', 'semver', 'pep440', 'maven', 'go', 'rubygems', 'nuget', 'composer' */
  id: string;
  isValid(v: string): boolean;
  /** -1, 0 or 1; throws BulwarkError('CORRUPT', <the version>, '<why> for <scheme>') for an invalid version. */
  compare(a: string, b: string): -1 | 0 | 1;
}

/** What a parser returns for a string that is not a version of its scheme. */
export class Invalid {
  constructor(readonly why: string) {}
}

// Matching compares one installed version with many fixed versions, so the last few parses
// are remembered. A large map cache was measured to be slower: on mostly distinct versions its
// entries outlive the young generation and the garbage collector dominates.
const MEMO = 4;
const EMPTY = new Invalid('empty version');

/** A scheme from a parser and a comparator of parsed forms. */
export function defineScheme<P>(
  id: string,
  parse: (v: string) => P | Invalid,
  cmp: (a: P, b: P) => number,
): VersionScheme {
  const keys: string[] = new Array<string>(MEMO).fill('');
  const values: (P | Invalid)[] = new Array<P | Invalid>(MEMO).fill(EMPTY);
  let next = 0;
  const parsed = (v: string): P | Invalid => {
    if (v.length === 0) return EMPTY;
    for (let i = 0; i < MEMO; i++) if (keys[i] === v) return values[i]!;
    const p = parse(v);
    keys[next] = v;
    values[next] = p;
    next = (next + 1) % MEMO;
    return p;
  };
  const valid = (v: string): P => {
    const p = parsed(v);
    if (p instanceof Invalid) throw new BulwarkError('CORRUPT', v, `${p.why} for ${id}`);
    return p;
  };
  return {
    id,
    isValid: (v) => !(parsed(v) instanceof Invalid),
    compare(a, b) {
      const pa = valid(a);
      const pb = valid(b);
      if (a === b) return 0;
      const r = cmp(pa, pb);
      return r < 0 ? -1 : r > 0 ? 1 : 0;
    },
  };
}

export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
export const isLower = (c: number): boolean => c >= 97 && c <= 122;
export const isAlpha = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
export const isAlnum = (c: number): boolean => isDigit(c) || isAlpha(c);

/** Numeric order of two digit strings of any length, leading zeros allowed. */
export function cmpDigits(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length - 1 && a.charCodeAt(i) === 48) i++;
  while (j < b.length - 1 && b.charCodeAt(j) === 48) j++;
  const la = a.length - i;
  const lb = b.length - j;
  if (la !== lb) return la - lb;
  for (; i < a.length; i++, j++) {
    const d = a.charCodeAt(i) - b.charCodeAt(j);
    if (d !== 0) return d;
  }
  return 0;
}

/** Byte order of two strings (ASCII in practice), as C's strcmp and Ruby's <=> give it. */
export function cmpStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
