import { cmpDigits, defineScheme, Invalid, isAlnum, isAlpha, isDigit } from '../../versions/scheme.js';

// Debian Policy §5.6.12: [epoch:]upstream_version[-debian_revision]. Syntax dpkg only warns
// about (no leading digit, stray characters) is refused here: such a version cannot come from
// a package dpkg built, so it means corrupt input.

interface Dpkg {
  epoch: number;
  upstream: string;
  revision: string;
}

const EPOCH_MAX = 2147483647;

function parse(v: string): Dpkg | Invalid {
  const colon = v.indexOf(':');
  let epoch = 0;
  if (colon >= 0) {
    if (colon === 0) return new Invalid('empty epoch');
    for (let i = 0; i < colon; i++) if (!isDigit(v.charCodeAt(i))) return new Invalid('epoch is not a number');
    epoch = Number(v.slice(0, colon));
    if (epoch > EPOCH_MAX) return new Invalid('epoch too big');
  }
  const dash = v.lastIndexOf('-');
  const end = dash > colon ? dash : v.length;
  const upstream = v.slice(colon + 1, end);
  const revision = dash > colon ? v.slice(dash + 1) : '';
  if (upstream.length === 0) return new Invalid('empty upstream version');
  if (!isDigit(upstream.charCodeAt(0))) return new Invalid('upstream version does not start with a digit');
  for (let i = 0; i < upstream.length; i++) {
    const c = upstream.charCodeAt(i);
    if (!isAlnum(c) && c !== 46 && c !== 43 && c !== 126 && c !== 45 && c !== 58)
      return new Invalid('invalid character in upstream version');
  }
  if (dash > colon && revision.length === 0) return new Invalid('empty revision');
  for (let i = 0; i < revision.length; i++) {
    const c = revision.charCodeAt(i);
    if (!isAlnum(c) && c !== 46 && c !== 43 && c !== 126) return new Invalid('invalid character in revision');
  }
  return { epoch, upstream, revision };
}

// Weight of a character in the non-digit parts: '~' before the end, the end before
// letters, letters before everything else.
function order(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  if (isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === 126) return -1;
  return c + 256;
}

/** The policy's comparison of upstream versions or revisions: alternating non-digit and digit runs. */
function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const d = order(a, i) - order(b, j);
      if (d !== 0) return d;
      i++;
      j++;
    }
    const si = i;
    const sj = j;
    while (i < a.length && isDigit(a.charCodeAt(i))) i++;
    while (j < b.length && isDigit(b.charCodeAt(j))) j++;
    const d = cmpDigits(si < i ? a.slice(si, i) : '0', sj < j ? b.slice(sj, j) : '0');
    if (d !== 0) return d;
  }
  return 0;
}

export const dpkgScheme = defineScheme<Dpkg>(
  'dpkg',
  parse,
  (a, b) => a.epoch - b.epoch || verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision),
);
