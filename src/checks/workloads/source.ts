import {
  LineCounter,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  parseAllDocuments,
  parseDocument,
  visit,
  type Document,
} from 'yaml';
import type { z } from 'zod';
import { BulwarkError } from '../../core/errors.js';
import type { Place, Val } from './model.js';

// Reading workload documents (YAML streams, JSON) into plain values that still know where each
// value came from: every model value carries its field path and, when known, its line. Errors
// are one line naming the file, the field and the line:
//   deploy.yaml: Deployment/web: spec.template.spec.hostNetwork: expected true or false, got "yes" (line 12)

export type Path = readonly (string | number)[];

const MAX_ALIASES = 100;

/** "spec.containers[0].securityContext", keys that are not plain names quoted: metadata.annotations["a.b/c"] */
function fieldPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** One document of a file: its value and a way to find the line of any path in it. */
export interface SourceDoc {
  file: string;
  value: unknown;
  /** Line where the document's content starts (1-based). */
  line?: number;
  /** Line of the deepest node on the way to `path` (the key's line for mapping entries). */
  lineOf(path: Path): number | undefined;
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function lineFinder(doc: Document | undefined, lines: LineCounter): (path: Path) => number | undefined {
  return (path) => {
    if (!doc) return undefined;
    const at = (offset: number) => lines.linePos(offset).line;
    let node: unknown = doc.contents;
    let line = isNode(node) && node.range ? at(node.range[0]) : undefined;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        if (isNode(pair.key) && pair.key.range) line = at(pair.key.range[0]);
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item: unknown = node.items[seg];
        if (!isNode(item)) break;
        if (item.range) line = at(item.range[0]);
        node = item;
      } else break;
    }
    return line;
  };
}

/** Parses a YAML stream (JSON is YAML too) into its documents; empty documents are dropped. */
export function readYamlDocuments(text: string, file: string): SourceDoc[] {
  const lines = new LineCounter();
  let docs: Document[];
  try {
    docs = [
      ...parseAllDocuments(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, merge: true }),
    ] as Document[];
  } catch (e) {
    throw new BulwarkError('CORRUPT', file, `invalid YAML: ${oneLine(e instanceof Error ? e.message : String(e))}`);
  }
  const out: SourceDoc[] = [];
  for (const doc of docs) {
    const bad = doc.errors[0];
    if (bad) {
      const pos = bad.linePos?.[0];
      const what = oneLine(bad.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''));
      throw new BulwarkError(
        'CORRUPT',
        file,
        `${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}invalid YAML: ${what}`,
      );
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (e) {
      // unresolved or too many aliases: point at the alias named in the message, else the document
      const what = oneLine(e instanceof Error ? e.message : String(e));
      let at = doc.contents?.range ? ` (document at line ${lines.linePos(doc.contents.range[0]).line})` : '';
      visit(doc, {
        Alias(_, node) {
          if (!node.range || !what.includes(node.source)) return undefined;
          const pos = lines.linePos(node.range[0]);
          at = ` (line ${pos.line}, column ${pos.col})`;
          return visit.BREAK;
        },
      });
      throw new BulwarkError('CORRUPT', file, `invalid YAML: ${what}${at}`);
    }
    if (value === null || value === undefined) continue;
    const line = doc.contents?.range ? lines.linePos(doc.contents.range[0]).line : undefined;
    out.push({ file, value, ...(line ? { line } : {}), lineOf: lineFinder(doc, lines) });
  }
  return out;
}

/** Parses one JSON document strictly; lines come from reading the same text as YAML, where that works. */
export function readJsonDocument(text: string, file: string): SourceDoc {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /at position (\d+)/.exec(msg);
    let where = '';
    if (m) {
      const before = text.slice(0, Number(m[1]));
      const line = before.split('\n').length;
      where = `line ${line}, column ${before.length - before.lastIndexOf('\n')}: `;
    }
    // V8 quotes the input around the fault; keep the reason only
    const reason = oneLine(
      msg.replace(/,\s*(?:\.\.\.)?"[^]*is not valid JSON$/, '').replace(/ in JSON at position \d+.*$/, ''),
    );
    throw new BulwarkError('CORRUPT', file, `${where}invalid JSON: ${reason}`);
  }
  const lines = new LineCounter();
  let doc: Document | undefined;
  try {
    doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
    if (doc.errors.length > 0) doc = undefined;
  } catch {
    doc = undefined;
  }
  return { file, value, ...(doc ? { line: 1 } : {}), lineOf: lineFinder(doc, lines) };
}

/** A place in a document: the absolute path (for lines) and the path shown to people (relative to the resource). */
export class Locator {
  constructor(
    readonly doc: SourceDoc,
    readonly abs: Path,
    readonly rel: Path,
    /** Names the resource in errors ("Deployment/web"). */
    readonly label: string,
  ) {}

  at(...segs: Path): Locator {
    return new Locator(this.doc, [...this.abs, ...segs], [...this.rel, ...segs], this.label);
  }

  get field(): string {
    return fieldPath(this.rel);
  }

  place(...segs: Path): Place {
    const l = segs.length > 0 ? this.at(...segs) : this;
    const line = l.doc.lineOf(l.abs);
    return line === undefined ? { field: l.field } : { field: l.field, line };
  }

  val<T>(value: T | null | undefined, ...segs: Path): Val<T> | undefined {
    if (value === null || value === undefined) return undefined;
    return { value, ...this.place(...segs) };
  }

  /** Throws the one-line error for a problem at a path below this place. */
  fail(segs: Path, message: string): never {
    const l = this.at(...segs);
    const line = l.doc.lineOf(l.abs);
    const field = l.field ? `${l.field}: ` : '';
    throw new BulwarkError(
      'CORRUPT',
      this.doc.file,
      oneLine(`${this.label ? `${this.label}: ` : ''}${field}${message}${line ? ` (line ${line})` : ''}`),
    );
  }
}

/** A short rendering of an unexpected value. */
function show(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}

const TYPE_WORDS = new Map([
  ['int', 'a whole number'],
  ['object', 'a mapping'],
  ['array', 'a list'],
  ['string', 'a string'],
  ['number', 'a number'],
  ['boolean', 'true or false'],
]);

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const seg of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

/** Validates `raw` (found at `loc`) against a schema; the first problem becomes a one-line error. */
export function validate<S extends z.ZodType>(schema: S, raw: unknown, loc: Locator): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const [path, message] = describe(r.error.issues[0]!, [], raw);
  return loc.fail(path, message);
}

type Issue = z.core.$ZodIssue;

/** The path and wording of a schema problem; for a union, the branch that got furthest. */
function describe(issue: Issue, prefix: (string | number)[], raw: unknown): [(string | number)[], string] {
  const path = [
    ...prefix,
    ...issue.path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number'),
  ];
  const value = valueAt(raw, path);
  if (issue.code === 'invalid_type') {
    return [
      path,
      value === undefined
        ? 'required field missing'
        : `expected ${TYPE_WORDS.get(issue.expected) ?? issue.expected}, got ${show(value)}`,
    ];
  }
  if (issue.code === 'invalid_union') {
    // a branch whose problems are all below this value accepted its type: its first problem says most
    const deeper = issue.errors.find((list) => list.length > 0 && list.every((i) => i.path.length > 0));
    if (deeper) return describe(deeper[0]!, path, raw);
    const types = [
      ...new Set(
        issue.errors.flatMap((list) =>
          list
            .filter((i) => i.code === 'invalid_type' && i.path.length === 0)
            .map((i) => (i.code === 'invalid_type' ? (TYPE_WORDS.get(i.expected) ?? i.expected) : '')),
        ),
      ),
    ];
    return [
      path,
      types.length > 0 ? `expected ${types.join(' or ')}, got ${show(value)}` : `unexpected value ${show(value)}`,
    ];
  }
  return [path, issue.message];
}

/** Own enumerable entries of a mapping (never inherited keys); [] for anything else. */
export function ownEntries(v: unknown): [string, unknown][] {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [];
  return Object.keys(v).map((k) => [k, (v as Record<string, unknown>)[k]]);
}

export function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** An own property of a mapping, or undefined. */
export function own(v: unknown, key: string): unknown {
  return isMapping(v) && Object.hasOwn(v, key) ? v[key] : undefined;
}
