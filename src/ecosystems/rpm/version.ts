import { cmpDigits, cmpStrings, defineScheme, Invalid, isAlnum, isAlpha, isDigit } from '../../versions/scheme.js';

// rpm's EVR: [epoch:]version[-release], compared as rpm 4.18 does: epoch (missing = 0), then
// version, then release, where a missing release sorts before any release. Each part uses
// rpmvercmp: runs of digits or letters, separators ignored, '~' sorts before everything
// (even the end), '^' after the end but before any further segment.

interface Evr {
  epoch: string;
  version: string;
  release: string | null;
}

function parse(v: string): Evr | Invalid {
  let i = 0;
  while (i < v.length && isDigit(v.charCodeAt(i))) i++;
  let epoch = '0';
  let start = 0;
  if (v.charCodeAt(i) === 58) {
    if (i === 0) return new Invalid('empty epoch');
    epoch = v.slice(0, i);
    start = i + 1;
  }
  const dash = v.lastIndexOf('-');
  const hasRelease = dash >= start;
  const version = v.slice(start, hasRelease ? dash : v.length);
  if (version.length === 0) return new Invalid('empty version');
  for (let k = 0; k < v.length; k++)
    if (v.charCodeAt(k) <= 32 || v.charCodeAt(k) === 127) return new Invalid('whitespace or control character');
  return { epoch, version, release: hasRelease ? v.slice(dash + 1) : null };
}

/** rpmvercmp: -1, 0 or 1 for two version (or release) strings. */
function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a.charCodeAt(i)) && a.charCodeAt(i) !== 126 && a.charCodeAt(i) !== 94) i++;
    while (j < b.length && !isAlnum(b.charCodeAt(j)) && b.charCodeAt(j) !== 126 && b.charCodeAt(j) !== 94) j++;
    const ca = i < a.length ? a.charCodeAt(i) : 0;
    const cb = j < b.length ? b.charCodeAt(j) : 0;
    if (ca === 126 || cb === 126) {
      if (ca !== 126) return 1;
      if (cb !== 126) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === 94 || cb === 94) {
      if (ca === 0) return -1;
      if (cb === 0) return 1;
      if (ca !== 94) return 1;
      if (cb !== 94) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === 0 || cb === 0) break;
    const si = i;
    const sj = j;
    const numeric = isDigit(ca);
    const same = numeric ? isDigit : isAlpha;
    while (i < a.length && same(a.charCodeAt(i))) i++;
    while (j < b.length && same(b.charCodeAt(j))) j++;
    // segments of different kinds: the numeric one is newer
    if (sj === j) return numeric ? 1 : -1;
    const d = numeric ? cmpDigits(a.slice(si, i), b.slice(sj, j)) : cmpStrings(a.slice(si, i), b.slice(sj, j));
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

function cmp(a: Evr, b: Evr): number {
  const e = cmpDigits(a.epoch, b.epoch);
  if (e !== 0) return e;
  const v = rpmvercmp(a.version, b.version);
  if (v !== 0 || a.release === b.release) return v;
  if (a.release === null) return -1;
  if (b.release === null) return 1;
  return rpmvercmp(a.release, b.release);
}

export const rpmScheme = defineScheme<Evr>('rpm', parse, cmp);
