// Masking: a secret leaves the scanner only as a short prefix and a fixed run of '*', so
// neither its value nor its length can be read back from a report.

/** Every masked value is this long, whatever the secret's length. */
export const MASKED_LENGTH = 12;
/** Evidence excerpts are cut to about this many characters. */
export const EVIDENCE_LENGTH = 120;

/**
 * Keeps at most the first 4 characters — one per 6 characters of the secret, none under 8 —
 * and pads with '*' to MASKED_LENGTH.
 */
export function mask(secret: string): string {
  const chars = Array.from(secret);
  const keep = chars.length < 8 ? 0 : Math.min(4, Math.floor(chars.length / 6));
  const prefix = chars
    .slice(0, keep)
    .join('')
    .replace(/[\s\\]/g, '*');
  return prefix + '*'.repeat(MASKED_LENGTH - keep);
}

export type Span = readonly [start: number, end: number];

function mergeSpans(spans: readonly Span[], length: number): Array<[number, number]> {
  const clipped = spans
    .map(([s, e]): [number, number] => [Math.max(0, s), Math.min(length, e)])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Array<[number, number]> = [];
  for (const span of clipped) {
    const last = out[out.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else out.push([span[0], span[1]]);
  }
  return out;
}

/** Control characters become spaces so an excerpt stays one printable line. */
function printable(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0) ? ' ' : ch;
  }
  return out;
}

/**
 * The line with every secret span (offsets into `line`, end exclusive) masked, then cut to
 * about `maxLength` characters around the first span, with '…' where it was cut.
 */
export function maskLine(line: string, secretSpans: readonly Span[], maxLength = EVIDENCE_LENGTH): string {
  const spans = mergeSpans(secretSpans, line.length);
  let masked = '';
  let at = 0;
  let firstMask = -1;
  for (const [s, e] of spans) {
    masked += printable(line.slice(at, s));
    if (firstMask < 0) firstMask = masked.length;
    masked += mask(line.slice(s, e));
    at = e;
  }
  masked += printable(line.slice(at));
  const trimmedStart = masked.length - masked.trimStart().length;
  masked = masked.trim();
  firstMask = Math.max(0, firstMask - trimmedStart);
  if (masked.length <= maxLength) return masked;
  const lead = Math.min(firstMask, Math.floor(maxLength / 3));
  const from = Math.max(0, firstMask - lead);
  const to = Math.min(masked.length, from + maxLength);
  return (from > 0 ? '…' : '') + masked.slice(from, to) + (to < masked.length ? '…' : '');
}
