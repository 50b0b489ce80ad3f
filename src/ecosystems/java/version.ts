import { cmpDigits, cmpStrings, defineScheme, isDigit } from '../../versions/scheme.js';

// Maven's ComparableVersion (3.8.7 / 3.9): the lower-cased version splits at '.', '-' and at
// digit/letter transitions into numbers and qualifiers; '-' and transitions open a nested list,
// which sorts below a number and above a qualifier. Trailing "null" items (0, "", ga, final,
// release, empty lists) are dropped from every list. Qualifiers order as
// alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp < others
// (alphabetically); a, b and m directly followed by a digit mean alpha, beta, milestone.
// Any string is a Maven version; only the empty one is refused.

type Item = { n: string } | { q: string } | Item[];

const KNOWN = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES = new Map([
  ['ga', ''],
  ['final', ''],
  ['release', ''],
  ['cr', 'rc'],
]);
const SHORT = new Map([
  ['a', 'alpha'],
  ['b', 'beta'],
  ['m', 'milestone'],
]);
const RELEASE = '5';

/** Sort key of a qualifier: its rank among the known ones, or after them by name. */
function qualifier(s: string, followedByDigit: boolean): { q: string } {
  const name = (followedByDigit ? SHORT.get(s) : undefined) ?? ALIASES.get(s) ?? s;
  const i = KNOWN.indexOf(name);
  return { q: i >= 0 ? String(i) : `7-${name}` };
}

function item(digits: boolean, s: string): Item {
  return digits ? { n: s } : qualifier(s, false);
}

function isNull(it: Item): boolean {
  if (Array.isArray(it)) return it.length === 0;
  return 'n' in it ? cmpDigits(it.n, '0') === 0 : it.q === RELEASE;
}

function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const it = list[i]!;
    if (isNull(it)) list.splice(i, 1);
    else if (!Array.isArray(it)) break;
  }
}

function parse(version: string): Item[] {
  const v = version.toLowerCase();
  const root: Item[] = [];
  const lists = [root];
  let list = root;
  const nest = (): void => {
    const sub: Item[] = [];
    list.push(sub);
    lists.push(sub);
    list = sub;
  };
  let digits = false;
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 46 || c === 45) {
      list.push(i === start ? { n: '0' } : item(digits, v.slice(start, i)));
      start = i + 1;
      if (c === 45) nest();
    } else if (isDigit(c)) {
      if (!digits && i > start) {
        // 1.0.0.X1 < 1.0.0-X2: a qualifier before digits is a nested one
        if (list.length > 0) nest();
        list.push(qualifier(v.slice(start, i), true));
        start = i;
        nest();
      }
      digits = true;
    } else {
      if (digits && i > start) {
        list.push({ n: v.slice(start, i) });
        start = i;
        nest();
      }
      digits = false;
    }
  }
  if (v.length > start) {
    if (!digits && list.length > 0) nest();
    list.push(item(digits, v.slice(start)));
  }
  for (let i = lists.length - 1; i >= 0; i--) normalize(lists[i]!);
  return root;
}

function cmp(a: Item, b: Item | null): number {
  if (Array.isArray(a)) {
    if (b === null) {
      for (const it of a) {
        const d = cmp(it, null);
        if (d !== 0) return d;
      }
      return 0;
    }
    if (!Array.isArray(b)) return 'n' in b ? -1 : 1;
    for (let i = 0; i < a.length || i < b.length; i++) {
      const l = a[i];
      const r = b[i];
      const d = l === undefined ? (r === undefined ? 0 : -cmp(r, null)) : cmp(l, r ?? null);
      if (d !== 0) return d;
    }
    return 0;
  }
  if ('n' in a) {
    if (b === null) return cmpDigits(a.n, '0') === 0 ? 0 : 1;
    return !Array.isArray(b) && 'n' in b ? cmpDigits(a.n, b.n) : 1;
  }
  if (b === null) return cmpStrings(a.q, RELEASE);
  return !Array.isArray(b) && 'q' in b ? cmpStrings(a.q, b.q) : -1;
}

export const mavenScheme = defineScheme<Item[]>('maven', parse, (a, b) => cmp(a, b));
