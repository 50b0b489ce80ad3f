import { cmpDigits, cmpStrings, Invalid, isAlnum, isDigit } from './scheme.js';

// The shape SemVer 2.0.0 gives a version, shared by npm/crates.io, Go and NuGet, which differ
// only in what they accept: numeric core, optional pre-release identifiers, ignored build metadata.

export interface SemverLike {
  /** numeric core, digit strings (missing parts compare as 0) */
  core: string[];
  /** pre-release identifiers; null for a release */
  pre: string[] | null;
}

export interface Grammar {
  prefixV: boolean;
  minParts: number;
  maxParts: number;
  /** shorter cores only without pre-release or build (Go's v1, v1.2) */
  shortBare: boolean;
  leadingZeros: boolean;
  /** NuGet compares labels ignoring case */
  foldCase: boolean;
}

const isIdent = (c: number): boolean => isAlnum(c) || c === 45;

function allDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

/** Splits dot-separated identifiers from i up to the stop character (or the end). */
function identifiers(
  v: string,
  i: number,
  stop: number,
  g: Grammar,
  numericZeros: boolean,
): { ids: string[]; end: number } | Invalid {
  const ids: string[] = [];
  let start = i;
  for (; ; i++) {
    const c = i < v.length ? v.charCodeAt(i) : -1;
    if (c === 46 || c === -1 || c === stop) {
      if (i === start) return new Invalid('empty identifier');
      const id = v.slice(start, i);
      if (!numericZeros && id.length > 1 && id.charCodeAt(0) === 48 && allDigits(id))
        return new Invalid('leading zero in a numeric identifier');
      ids.push(g.foldCase ? id.toLowerCase() : id);
      start = i + 1;
      if (c !== 46) return { ids, end: i };
    } else if (!isIdent(c)) {
      return new Invalid(`invalid character '${v[i]}'`);
    }
  }
}

export function parseSemverLike(v: string, g: Grammar): SemverLike | Invalid {
  let i = g.prefixV && v.charCodeAt(0) === 118 ? 1 : 0;
  const core: string[] = [];
  for (;;) {
    const s = i;
    while (i < v.length && isDigit(v.charCodeAt(i))) i++;
    if (i === s) return new Invalid('expected a number');
    if (!g.leadingZeros && i - s > 1 && v.charCodeAt(s) === 48) return new Invalid('leading zero in a version number');
    core.push(v.slice(s, i));
    if (core.length < g.maxParts && v.charCodeAt(i) === 46) i++;
    else break;
  }
  if (core.length < g.minParts) return new Invalid(`expected at least ${g.minParts} numbers`);
  if (core.length < 3 && g.shortBare && i < v.length) return new Invalid('shortened version with a suffix');
  let pre: string[] | null = null;
  if (v.charCodeAt(i) === 45) {
    const r = identifiers(v, i + 1, 43, g, g.leadingZeros);
    if (r instanceof Invalid) return r;
    pre = r.ids;
    i = r.end;
  }
  if (v.charCodeAt(i) === 43) {
    const r = identifiers(v, i + 1, -2, g, true);
    if (r instanceof Invalid) return r;
    i = r.end;
  }
  if (i !== v.length) return new Invalid(`unexpected '${v[i]}' at offset ${i}`);
  return { core, pre };
}

function cmpIdent(a: string, b: string): number {
  const na = allDigits(a);
  const nb = allDigits(b);
  if (na && nb) return cmpDigits(a, b);
  if (na !== nb) return na ? -1 : 1;
  return cmpStrings(a, b);
}

export function cmpSemverLike(a: SemverLike, b: SemverLike): number {
  const n = Math.max(a.core.length, b.core.length);
  for (let i = 0; i < n; i++) {
    const d = cmpDigits(a.core[i] ?? '0', b.core[i] ?? '0');
    if (d !== 0) return d;
  }
  if (a.pre === null || b.pre === null) return a.pre === b.pre ? 0 : a.pre === null ? 1 : -1;
  for (let i = 0; i < a.pre.length && i < b.pre.length; i++) {
    const d = cmpIdent(a.pre[i]!, b.pre[i]!);
    if (d !== 0) return d;
  }
  return a.pre.length - b.pre.length;
}
