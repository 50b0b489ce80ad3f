import { cmpDigits, cmpStrings, defineScheme, Invalid, isDigit } from '../../versions/scheme.js';

// RubyGems' Gem::Version: dot-separated segments of digits or letters; '-' means ".pre.".
// A letter segment makes the version a pre-release and sorts below any number (1.0.a < 1.0).
// Trailing zeros of the release part and of the pre-release part are insignificant (1.0.0 = 1).

const PATTERN = /^[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
const SEGMENT = /[0-9]+|[a-z]+/gi;

const isZero = (s: string): boolean => isDigit(s.charCodeAt(0)) && cmpDigits(s, '0') === 0;

function dropZeros(segs: string[]): string[] {
  let n = segs.length;
  while (n > 0 && isZero(segs[n - 1]!)) n--;
  return segs.slice(0, n);
}

/** Canonical segments; a segment is numeric when it starts with a digit. */
function parse(v: string): string[] | Invalid {
  const s = v.trim();
  if (!PATTERN.test(s)) return new Invalid('not a RubyGems version');
  const segs = s.replaceAll('-', '.pre.').match(SEGMENT) ?? [];
  const firstString = segs.findIndex((x) => !isDigit(x.charCodeAt(0)));
  if (firstString < 0) return dropZeros(segs);
  return [...dropZeros(segs.slice(0, firstString)), ...dropZeros(segs.slice(firstString))];
}

function cmp(a: string[], b: string[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const l = a[i] ?? '0';
    const r = b[i] ?? '0';
    const ln = isDigit(l.charCodeAt(0));
    const rn = isDigit(r.charCodeAt(0));
    if (ln !== rn) return ln ? 1 : -1;
    const d = ln ? cmpDigits(l, r) : cmpStrings(l, r);
    if (d !== 0) return d;
  }
  return 0;
}

export const rubygemsScheme = defineScheme<string[]>('rubygems', parse, cmp);
