import { cmpDigits, cmpStrings, defineScheme, Invalid, isDigit, isLower } from '../../versions/scheme.js';

// apk-tools' version grammar: digits{.digits}...{letter}{_suffix{digits}}...{~hash}{-r digits}.
// A version is a list of tokens whose kinds follow that order; two versions are compared token
// by token while the kinds agree. Where they part, the version that ends sooner is older,
// except that a pre-release suffix (_alpha _beta _pre _rc) makes its own version older.

const enum T {
  First,
  Digit,
  Letter,
  Suffix,
  SuffixNo,
  Hash,
  Revision,
  End,
}

// suffix order: pre-releases below NONE (a plain version), post-releases above it
const SUFFIXES = new Map(Object.entries({ alpha: 1, beta: 2, pre: 3, rc: 4, cvs: 6, svn: 7, git: 8, hg: 9, p: 10 }));
const NONE = 5;

interface Token {
  kind: T;
  text: string;
  suffix: number;
}

const isHex = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

function digits(v: string, i: number): number {
  while (i < v.length && isDigit(v.charCodeAt(i))) i++;
  return i;
}

function parse(v: string): Token[] | Invalid {
  const out: Token[] = [];
  let i = digits(v, 0);
  if (i === 0) return new Invalid('does not start with a digit');
  out.push({ kind: T.First, text: v.slice(0, i), suffix: 0 });
  let last = T.First;
  while (i < v.length) {
    const c = v.charCodeAt(i);
    let kind: T;
    let start = i;
    let suffix = 0;
    if (isLower(c) && last <= T.Digit) {
      kind = T.Letter;
      i++;
    } else if (c === 46 && last <= T.Digit) {
      kind = T.Digit;
      start = ++i;
      i = digits(v, i);
    } else if (isDigit(c) && last === T.Suffix) {
      kind = T.SuffixNo;
      i = digits(v, i);
    } else if (c === 95 && last <= T.SuffixNo) {
      kind = T.Suffix;
      start = ++i;
      while (i < v.length && isLower(v.charCodeAt(i))) i++;
      suffix = SUFFIXES.get(v.slice(start, i)) ?? 0;
      if (suffix === 0) return new Invalid(`unknown suffix _${v.slice(start, i)}`);
    } else if (c === 126 && last < T.Hash) {
      kind = T.Hash;
      start = ++i;
      while (i < v.length && isHex(v.charCodeAt(i))) i++;
    } else if (c === 45 && v.charCodeAt(i + 1) === 114 && last < T.Revision) {
      kind = T.Revision;
      start = i += 2;
      i = digits(v, i);
    } else {
      return new Invalid(`unexpected '${v[i]}' at offset ${i}`);
    }
    if (i === start) return new Invalid(`empty ${kind === T.Hash ? 'hash' : 'number'} at offset ${i}`);
    out.push({ kind, text: v.slice(start, i), suffix });
    last = kind;
  }
  return out;
}

function cmpToken(a: Token, b: Token): number {
  switch (a.kind) {
    case T.Digit:
      // a leading zero makes the field a fraction-like string, as apk compares it
      if (a.text.charCodeAt(0) === 48 || b.text.charCodeAt(0) === 48) return cmpStrings(a.text, b.text);
      return cmpDigits(a.text, b.text);
    case T.First:
    case T.SuffixNo:
    case T.Revision:
      return cmpDigits(a.text, b.text);
    case T.Letter:
      return a.text.charCodeAt(0) - b.text.charCodeAt(0);
    case T.Suffix:
      return a.suffix - b.suffix;
    default:
      return cmpStrings(a.text, b.text);
  }
}

function cmp(a: Token[], b: Token[]): number {
  let i = 0;
  for (; i < a.length && i < b.length && a[i]!.kind === b[i]!.kind; i++) {
    const r = cmpToken(a[i]!, b[i]!);
    if (r !== 0) return r;
  }
  const ta = a[i];
  const tb = b[i];
  const ka = ta?.kind ?? T.End;
  const kb = tb?.kind ?? T.End;
  if (ka === kb) return 0;
  if (ta?.kind === T.Suffix && ta.suffix < NONE) return -1;
  if (tb?.kind === T.Suffix && tb.suffix < NONE) return 1;
  return kb - ka;
}

export const apkScheme = defineScheme<Token[]>('apk', parse, cmp);
