// Secret scanning of one file. Clean text costs one UTF-8 decode and one pass of a combined,
// case-insensitive keyword regex; a rule's own regex runs only when one of its keywords is
// present. Matches are validated, de-duplicated (overlaps keep the most specific rule),
// and leave here only masked.

import type { CheckResult } from '../check.js';
import type { LayerRef, Severity } from '../../core/types.js';
import { SEVERITIES } from '../../core/types.js';
import { mask, maskLine, type Span } from './mask.js';
import { DEFAULT_MAX_BYTES, fileKinds, wantsFile, type FileKind } from './paths.js';
import { SECRET_RULES, type SecretContext, type SecretRule, type TextMode } from './rules.js';

export { DEFAULT_MAX_BYTES, wantsFile };

export interface ScanSecretsOptions {
  /** Larger content is not scanned (default 10 MiB). */
  maxBytes?: number;
  /** Recorded in every result's location. */
  layer?: LayerRef;
}

export interface SecretScanResult {
  results: CheckResult[];
  /** Why the content was not scanned. */
  skipped?: 'binary' | 'too-large';
}

/** Bytes examined to decide whether content is text. */
const SNIFF_BYTES = 8192;
/** More than this share of control bytes in the sniffed prefix means binary. */
const MAX_CONTROL_RATIO = 0.1;
/** Bounds on work and output for one file (a file with more findings is reported in part). */
const MAX_MATCHES_PER_RULE = 5000;
const MAX_RESULTS_PER_FILE = 200;
/** Context kept around a match before masking and cutting the evidence. */
const EVIDENCE_WINDOW = 400;

/** NUL in the first 8 KiB, or more than 10% control characters other than tab, CR, LF, FF, BS, ESC. */
export function looksBinary(content: Uint8Array): boolean {
  const n = Math.min(content.length, SNIFF_BYTES);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = content[i]!;
    if (b === 0) return true;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x08 && b !== 0x1b) || b === 0x7f)
      control++;
  }
  return control > n * MAX_CONTROL_RATIO;
}

interface Plan {
  rules: readonly SecretRule[];
  /**
   * The keywords to look for: every rule keyword that contains no other rule keyword
   * ("secret" stands for "client_secret" too, which can only occur where "secret" does).
   */
  keywords: readonly string[];
  index: ReadonlyMap<string, number>;
  /** Per rule: the indices of the scanned keywords that stand for its own keywords. */
  ruleKeywords: ReadonlyArray<readonly number[]>;
  /**
   * Per rule whose own keywords are longer than the scanned ones that stand for them: a
   * regex of its own keywords, tested (it stops at the first hit) before the rule runs.
   */
  exact: ReadonlyArray<RegExp | null>;
  combined: RegExp;
}

const plans = new Map<string, Plan>();

/** Image metadata (commands, ENV, labels) is read with the configuration-file rules too. */
const METADATA_KINDS: ReadonlySet<FileKind> = new Set(['config']);

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** The rules that apply to a kind of file and their combined keyword regex (cached per kind set). */
function planFor(kinds: ReadonlySet<FileKind>): Plan {
  const cacheKey = [...kinds].sort().join(',');
  const cached = plans.get(cacheKey);
  if (cached) return cached;
  const rules = SECRET_RULES.filter((r) => r.scope === undefined || kinds.has(r.scope));
  const all = [...new Set(rules.flatMap((r) => r.keywords.map((k) => k.toLowerCase())))];
  const keywords = all
    .filter((k) => !all.some((o) => o !== k && k.includes(o)))
    .sort((a, b) => b.length - a.length || a.localeCompare(b));
  const index = new Map(keywords.map((k, i) => [k, i] as const));
  const ruleKeywords = rules.map((r) => [
    ...new Set(r.keywords.flatMap((k) => keywords.flatMap((m, i) => (k.toLowerCase().includes(m) ? [i] : [])))),
  ]);
  const exact = rules.map((r) =>
    r.keywords.every((k) => index.has(k.toLowerCase())) ? null : new RegExp(r.keywords.map(escapeRegex).join('|'), 'i'),
  );
  const combined = new RegExp(keywords.map(escapeRegex).join('|'), 'gi');
  const plan: Plan = { rules, keywords, index, ruleKeywords, exact, combined };
  plans.set(cacheKey, plan);
  return plan;
}

/** Which keywords occur in the text: one pass of the combined regex, stopping once all are seen. */
function presentKeywords(text: string, plan: Plan): Uint8Array {
  const found = new Uint8Array(plan.keywords.length);
  let missing = plan.keywords.length;
  const re = plan.combined;
  re.lastIndex = 0;
  while (missing > 0) {
    const m = re.exec(text);
    if (m === null) break;
    const k = plan.index.get(m[0].toLowerCase());
    if (k !== undefined && found[k] === 0) {
      found[k] = 1;
      missing--;
    }
    // Keywords may overlap ("akia" inside "asiakia"): resume one character on.
    re.lastIndex = m.index + 1;
  }
  return found;
}

interface Candidate {
  rule: SecretRule;
  /** Whole match. */
  start: number;
  end: number;
  /** The secret value. */
  sStart: number;
  sEnd: number;
  secret: string;
  field?: { start: number; end: number; text: string };
}

const IDENT_CHAR = /[A-Za-z0-9_.-]/;

/** How far back per-match context looks (a minified file can be one huge line). */
const CONTEXT_BACK = 1024;

/** Start of the line holding `pos`, or `pos - CONTEXT_BACK` if the line starts further back. */
function nearLineStart(text: string, pos: number): number {
  const from = Math.max(0, pos - CONTEXT_BACK);
  const nl = text.slice(from, pos).lastIndexOf('\n');
  return nl >= 0 ? from + nl + 1 : from;
}

/** The key a value is assigned to: the "key" group widened to the whole identifier, or the "kind" label. */
function fieldOf(text: string, m: RegExpExecArray, base: number): Candidate['field'] {
  const key = m.indices?.groups?.key;
  if (key) {
    const keyStart = key[0] + base;
    const keyEnd = key[1] + base;
    let s = keyStart;
    while (s > 0 && keyStart - s < 64 && IDENT_CHAR.test(text[s - 1]!)) s--;
    return { start: s, end: keyEnd, text: text.slice(s, keyEnd) };
  }
  const kind = m.indices?.groups?.kind;
  if (kind) return { start: kind[0] + base, end: kind[1] + base, text: text.slice(kind[0] + base, kind[1] + base) };
  // Otherwise the identifier the match is assigned to on its line: KEY=…, "key": "…", key: ….
  const at = m.index + base;
  const lineStart = nearLineStart(text, at);
  const before = text.slice(Math.max(lineStart, at - 96), at);
  const a = /([A-Za-z_][A-Za-z0-9_.-]{0,63})["'`]?[ \t]*(?::=|=>|[:=])[ \t]*["'`]?$/.exec(before);
  if (!a) return undefined;
  const end = at - (before.length - a.index - a[1]!.length);
  return { start: end - a[1]!.length, end, text: a[1]! };
}

/** Merged [start, end) windows around the accepted matches of a rule's `near` anchor. */
function nearWindows(rule: SecretRule, text: string): Array<[number, number]> {
  const near = rule.near!;
  const windows: Array<[number, number]> = [];
  near.regex.lastIndex = 0;
  let n = 0;
  for (let m = near.regex.exec(text); m !== null && n < MAX_MATCHES_PER_RULE; m = near.regex.exec(text), n++) {
    if (m[0].length === 0) near.regex.lastIndex++;
    if (near.accept && !near.accept(m[0])) continue;
    const s = Math.max(0, m.index - near.within);
    const e = Math.min(text.length, m.index + m[0].length + near.within);
    const last = windows[windows.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else windows.push([s, e]);
  }
  return windows;
}

function matchRule(rule: SecretRule, path: string, mode: TextMode, text: string, out: Candidate[]): void {
  if (!rule.near) {
    matchIn(rule, path, mode, text, 0, text.length, out);
    return;
  }
  for (const [s, e] of nearWindows(rule, text)) matchIn(rule, path, mode, text, s, e, out);
}

/**
 * Runs the rule's regex over full[from, to). A window is cut from the text with one character
 * of context before it and 256 after, so that a match (near rules match under 256
 * characters) is neither started nor bounded falsely at a cut; matches starting past `to`
 * are dropped. Offsets given to validate and recorded are offsets in the full text.
 */
function matchIn(
  rule: SecretRule,
  path: string,
  mode: TextMode,
  full: string,
  from: number,
  to: number,
  out: Candidate[],
): void {
  const whole = from === 0 && to === full.length;
  const base = whole ? 0 : Math.max(0, from - 1);
  const text = whole ? full : full.slice(base, Math.min(full.length, to + 256));
  const re = rule.regex;
  re.lastIndex = from - base;
  let n = 0;
  let xmlComments: boolean | undefined;
  for (let m = re.exec(text); m !== null && m.index + base < to; m = re.exec(text)) {
    if (++n > MAX_MATCHES_PER_RULE) break;
    const raw = m.groups?.secret;
    const at = m.indices?.groups?.secret;
    if (raw === undefined || at === undefined || raw.length === 0) {
      re.lastIndex = m.index + 1;
      continue;
    }
    const groups = m.groups ?? {};
    let secret = raw;
    let end = m.index + m[0].length;
    if (rule.valueLength) {
      const len = Math.min(
        raw.length,
        rule.valueLength(raw, { path, mode, text: full, start: m.index + base, end: end + base, groups }),
      );
      secret = raw.slice(0, Math.max(0, len));
      end = at[0] + secret.length + (groups.q ? 1 : 0);
    }
    re.lastIndex = Math.max(m.index + 1, end);
    if (secret.length === 0) continue;
    const ctx: SecretContext = { path, mode, text: full, start: m.index + base, end: end + base, groups };
    let ok = false;
    try {
      ok = rule.validate ? rule.validate(secret, ctx) : true;
    } catch {
      ok = false;
    }
    if (!ok) continue;
    if (rule.skipComments && mode === 'file') {
      xmlComments ??= full.includes('<!--');
      if (inComment(full, ctx.start, xmlComments)) continue;
    }
    const field = fieldOf(full, m, base);
    const sStart = at[0] + base;
    out.push({
      rule,
      start: ctx.start,
      end: ctx.end,
      sStart,
      sEnd: sStart + secret.length,
      secret,
      ...(field ? { field } : {}),
    });
  }
}

/** Whether `pos` is on a comment line (#, ;, //, !, --) or inside an XML comment. */
function inComment(text: string, pos: number, xmlComments: boolean): boolean {
  const lineStart = nearLineStart(text, pos);
  const prefix = text.slice(lineStart, pos);
  if (/^[ \t]*(?:#|;|\/\/|!|--|\/?\*)/.test(prefix) || /(?:^|[ \t])#/.test(prefix)) return true;
  if (!xmlComments) return false;
  const before = text.slice(Math.max(0, pos - CONTEXT_BACK * 16), pos);
  const open = before.lastIndexOf('<!--');
  return open >= 0 && before.indexOf('-->', open) < 0;
}

const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

/** Overlapping matches keep the highest priority, then severity, then the longer match. */
function dedupe(candidates: Candidate[]): Candidate[] {
  const ordered = [...candidates].sort(
    (a, b) =>
      b.rule.priority - a.rule.priority ||
      severityRank(b.rule.severity) - severityRank(a.rule.severity) ||
      b.end - b.start - (a.end - a.start) ||
      a.start - b.start,
  );
  const kept: Candidate[] = [];
  for (const c of ordered) {
    if (kept.length >= MAX_RESULTS_PER_FILE) break;
    if (kept.some((k) => c.start < k.end && k.start < c.end)) continue;
    kept.push(c);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Every place in `window` (which starts at `offset` in the text) a found secret occupies or recurs. */
function secretSpansIn(
  window: string,
  offset: number,
  found: readonly Candidate[],
  distinct: readonly string[],
): Span[] {
  const spans: Span[] = [];
  const end = offset + window.length;
  for (const c of found) if (c.sStart < end && c.sEnd > offset) spans.push([c.sStart - offset, c.sEnd - offset]);
  for (const secret of distinct) {
    // A recurrence starts at most once per character; a masked stretch skips the rest of it.
    for (let i = window.indexOf(secret); i >= 0;) {
      let j = i + secret.length;
      for (let k = window.indexOf(secret, i + 1); k >= 0 && k <= j; k = window.indexOf(secret, k + 1))
        j = k + secret.length;
      spans.push([i, j]);
      i = window.indexOf(secret, j);
    }
  }
  return spans;
}

/** Where a text scan's results say they are: the file's path (and line), or a field of image metadata. */
export interface TextScanOptions {
  mode?: TextMode;
  layer?: LayerRef;
  /** Results name this field instead of the rule's key, and carry no line (image metadata). */
  field?: string;
  /** More spans to mask in every excerpt (values masked without being reported). */
  alsoMask?: readonly Span[];
}

export interface TextScanResult {
  results: CheckResult[];
  /** Every span a found secret occupies or recurs at, for masking the whole text. */
  spans: Span[];
  /** The raw value of each result, in order: for de-duplication by the caller, never for output. */
  values: string[];
}

/** The secrets in `text`, read as a file named `path` (modes: see TextMode). */
export function scanText(path: string, text: string, opts: TextScanOptions = {}): TextScanResult {
  const mode = opts.mode ?? 'file';
  const plan = planFor(mode === 'file' ? fileKinds(path) : METADATA_KINDS);
  const present = presentKeywords(text, plan);
  const candidates: Candidate[] = [];
  plan.rules.forEach((rule, i) => {
    const exact = plan.exact[i];
    if (plan.ruleKeywords[i]!.some((k) => present[k] === 1) && (!exact || exact.test(text)))
      matchRule(rule, path, mode, text, candidates);
  });
  if (candidates.length === 0) return { results: [], spans: [], values: [] };
  const found = dedupe(candidates);
  const distinct = [...new Set(found.map((c) => c.secret).filter((x) => x.length >= 4))];
  const out: TextScanResult = { results: [], spans: secretSpansIn(text, 0, found, distinct), values: [] };
  const reported = new Set<string>();
  let line = 1;
  let counted = 0;
  for (const c of found) {
    for (let i = text.indexOf('\n', counted); i >= 0 && i < c.start; i = text.indexOf('\n', i + 1)) line++;
    counted = c.start;
    // The same value found again by the same rule on the same line is one finding.
    const once = `${c.rule.id}\n${line}\n${c.secret}`;
    if (reported.has(once)) continue;
    reported.add(once);
    out.results.push(resultFor(c, path, text, line, found, distinct, opts));
    out.values.push(c.secret);
  }
  return out;
}

/** One result: rule, where, the masked message and a masked excerpt of its line. */
function resultFor(
  c: Candidate,
  path: string,
  text: string,
  line: number,
  found: readonly Candidate[],
  distinct: readonly string[],
  opts: TextScanOptions,
): CheckResult {
  // The line around the match, looked for no further than the evidence window needs.
  const lineStart = nearLineStart(text, c.start);
  const reach = Math.min(text.length, Math.max(c.sEnd, c.start) + EVIDENCE_WINDOW + 1);
  const nl = text.slice(c.start, reach).indexOf('\n');
  let lineEnd = nl >= 0 ? c.start + nl : reach;
  if (lineEnd > lineStart && text[lineEnd - 1] === '\r') lineEnd--;
  const from = Math.max(lineStart, c.start - EVIDENCE_WINDOW);
  const to = Math.min(lineEnd, Math.max(c.sEnd, c.start) + EVIDENCE_WINDOW);
  const window = text.slice(from, to);
  const extra = (opts.alsoMask ?? []).map(([s, e]): Span => [s - from, e - from]);
  let evidence = maskLine(window, [...secretSpansIn(window, from, found, distinct), ...extra]);
  if (from > lineStart && !evidence.startsWith('…')) evidence = `…${evidence}`;
  if (to < lineEnd && !evidence.endsWith('…')) evidence = `${evidence}…`;

  let field = opts.field ?? c.field?.text;
  if (
    !opts.field &&
    c.field &&
    found.some(
      (o) =>
        (o.sStart < c.field!.end && c.field!.start < o.sEnd) ||
        (o.secret.length >= 4 && c.field!.text.includes(o.secret)),
    )
  ) {
    field = undefined;
  }
  return {
    checkId: c.rule.id,
    severity: c.rule.severity,
    title: c.rule.title,
    message: `${c.rule.title}: ${mask(c.secret)}`,
    location: {
      path,
      ...(opts.field ? {} : { line }),
      ...(field ? { field } : {}),
      ...(opts.layer ? { layer: opts.layer } : {}),
    },
    evidence,
  };
}

/**
 * Scans one file's content for secrets. Binary content and content over maxBytes are skipped
 * (and say so); rules limited to configuration files run only when the path names one.
 */
export function scanSecrets(path: string, content: Buffer, opts: ScanSecretsOptions = {}): SecretScanResult {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (content.length > maxBytes) return { results: [], skipped: 'too-large' };
  if (looksBinary(content)) return { results: [], skipped: 'binary' };
  if (content.length === 0) return { results: [] };
  return { results: scanText(path, content.toString('utf8'), opts.layer ? { layer: opts.layer } : {}).results };
}
