import { cmpDigits, defineScheme, Invalid, isDigit } from '../../versions/scheme.js';

// Composer: a version is first normalised as composer/semver's VersionParser does (optional 'v',
// up to four numbers or a date, a stability suffix: 1.0-RC1 -> 1.0.0.0-RC1, 2.x-dev ->
// 2.9999999.9999999.9999999-dev), then ordered as PHP's version_compare orders the result:
// dev < alpha < beta < RC < (a number, i.e. stable) < patch. dev-<branch> names have no order
// and are refused.

const MODIFIER = '[._-]?(?:(stable|beta|b|rc|alpha|a|patch|pl|p)((?:[.-]?\\d+)*)?)?([.-]?dev)?';
const CLASSIC = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}$`, 'i');
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3})?)${MODIFIER}$`, 'i');
const BRANCH = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/i;
const STABILITY = new Map([
  ['a', 'alpha'],
  ['b', 'beta'],
  ['p', 'patch'],
  ['pl', 'patch'],
  ['rc', 'RC'],
]);

/** composer/semver's normalised form, or undefined for branches and non-versions. */
function normalize(input: string): string | undefined {
  let v = input.trim();
  v = /^([^,\s]+) +as +[^,\s]+$/.exec(v)?.[1] ?? v;
  v = v.replace(/@(stable|rc|beta|alpha|dev)$/i, '');
  if (/^dev-/i.test(v) || v === 'master' || v === 'trunk' || v === 'default') return undefined;
  v = /^([^,\s+]+)\+\S+$/.exec(v)?.[1] ?? v;
  let m = CLASSIC.exec(v);
  let base: string | undefined;
  if (m) base = m[1]! + (m[2] ?? '.0') + (m[3] ?? '.0') + (m[4] ?? '.0');
  else if ((m = DATE.exec(v))) base = m[1]!.replace(/\D/g, '.');
  if (m && base !== undefined) {
    const n = m.length;
    const [stability, num, dev] = [m[n - 3], m[n - 2], m[n - 1]];
    if (stability) {
      // only a lower-case "stable" is dropped (with any -dev after it), as Composer does
      if (stability === 'stable') return base;
      const s = stability.toLowerCase();
      base += `-${STABILITY.get(s) ?? s}${num ? num.replace(/^[.-]+/, '') : ''}`;
    }
    return dev ? `${base}-dev` : base;
  }
  const b = /^(.*?)[.-]?dev$/i.exec(v);
  const bm = b ? BRANCH.exec(b[1]!.trim()) : null;
  if (!bm) return undefined;
  return `${[1, 2, 3, 4]
    .map((i) => (bm[i] ?? '.x').replace(/[X*]/g, 'x'))
    .join('')
    .replaceAll('x', '9999999')}-dev`;
}

// version_compare's special forms, matched by prefix; a number counts as '#'
const FORMS: [string, number][] = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];
const NUMBER = 4;

function rank(part: string): number {
  for (const [name, r] of FORMS) if (part.startsWith(name)) return r;
  return -6;
}

/** The normalised version's parts: digit strings, or ranks of special forms (as numbers). */
function parse(v: string): (string | number)[] | Invalid {
  const norm = normalize(v);
  if (norm === undefined)
    return new Invalid(
      /^dev-|^(master|trunk|default)$/i.test(v.trim()) ? 'a dev- branch has no order' : 'not a Composer version',
    );
  const parts: (string | number)[] = [];
  for (const p of norm.split(/[^0-9A-Za-z]+|(?<=\d)(?=\D)|(?<=\D)(?=\d)/))
    if (p) parts.push(isDigit(p.charCodeAt(0)) ? p : rank(p));
  return parts;
}

function cmpPart(a: string | number, b: string | number): number {
  if (typeof a === 'string' && typeof b === 'string') return cmpDigits(a, b);
  return (typeof a === 'string' ? NUMBER : a) - (typeof b === 'string' ? NUMBER : b);
}

function cmp(a: (string | number)[], b: (string | number)[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = cmpPart(a[i]!, b[i]!);
    if (d !== 0) return d;
  }
  // only the first extra part decides, as in version_compare
  if (a.length > n) return cmpPart(a[n]!, NUMBER) || (typeof a[n] === 'string' ? 1 : 0);
  if (b.length > n) return -(cmpPart(b[n]!, NUMBER) || (typeof b[n] === 'string' ? 1 : 0));
  return 0;
}

export const composerScheme = defineScheme<(string | number)[]>('composer', parse, cmp);
