import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, visit, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { BulwarkError, isBulwarkError, messageOf } from '../core/errors.js';
import type { Severity } from '../core/types.js';
import { PolicyDocument, show, type Policy } from './schema.js';

// Reading an ImagePolicy: YAML → strict schema → cross-field checks → key files → Policy.
// Every problem is one line naming the file, the YAML path and, when known, the line:
//   policy.yaml: spec.vulnerabilities.maxSeverity: expected one of none, …, got "hihg" (line 14)

const MAX_POLICY_BYTES = 1 << 20;
const MAX_KEY_BYTES = 64 << 10;
const PEM = /^-----BEGIN PUBLIC KEY-----\r?\n(?:[A-Za-z0-9+/=]{1,128}\r?\n){1,200}-----END PUBLIC KEY-----$/;

type Path = readonly PropertyKey[];

/** "spec.keys[0].path" */
export function yamlPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_][\w-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/** The YAML node at a path (the key's node when `key`), or the deepest one on the way. */
function nodeAt(root: unknown, path: Path, key: boolean): YamlNode | undefined {
  let node = root as YamlNode | undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      next = key && last ? pair.key : (pair.value ?? pair.key);
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    }
    if (!next || !(next as YamlNode).range) break;
    node = next as YamlNode;
  }
  return node?.range ? node : undefined;
}

/** Field names the schema allows at a path (for "did you mean"). */
function fieldsAt(path: Path): string[] {
  let s: z.ZodType = PolicyDocument;
  for (const seg of [...path, '']) {
    for (;;) {
      if (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
      else break;
    }
    if (seg === '') break;
    if (s instanceof z.ZodObject && typeof seg === 'string' && Object.hasOwn(s.shape, seg))
      s = s.shape[seg] as z.ZodType;
    else if (s instanceof z.ZodArray && typeof seg === 'number') s = s.element as z.ZodType;
    else return [];
  }
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(
        row[j]! + 1,
        row[j - 1]! + 1,
        prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
      );
      prev = cur;
    }
  }
  return row[b.length]!;
}

function unknownField(name: string, path: Path): string {
  const fields = fieldsAt(path);
  const close = fields
    .filter((f) => distance(name, f) <= Math.max(1, Math.floor(f.length / 4)))
    .sort((a, b) => distance(name, a) - distance(name, b))[0];
  if (close) return `unknown field (did you mean ${close}?)`;
  return fields.length > 0 ? `unknown field (fields here: ${fields.join(', ')})` : 'unknown field';
}

const TYPE_WORDS: Record<string, string> = {
  int: 'a whole number',
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
};

function valueAt(raw: unknown, path: Path): unknown {
  let v = raw;
  for (const seg of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

class Problems {
  constructor(
    readonly input: string,
    readonly root: unknown,
    readonly lines: LineCounter,
  ) {}

  /** Throws the one-line error for a problem at a YAML path. */
  fail(path: Path, message: string, opts: { key?: boolean } = {}): never {
    const node = nodeAt(this.root, path, opts.key ?? false);
    const line = node?.range ? ` (line ${this.lines.linePos(node.range[0]).line})` : '';
    const where = path.length > 0 ? `${yamlPath(path)}: ` : '';
    throw new BulwarkError('POLICY', this.input, `${where}${message}${line}`.replace(/\s*[\r\n]+\s*/g, ' '));
  }

  fromZod(raw: unknown, issues: readonly z.core.$ZodIssue[]): never {
    // an unknown field first: a misspelt name also shows up as a missing required one
    const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const name = issue.keys[0]!;
      return this.fail([...issue.path, name], unknownField(name, issue.path), { key: true });
    }
    const value = valueAt(raw, issue.path);
    if (issue.code === 'invalid_type') {
      if (value === undefined) return this.fail(issue.path, 'required field missing');
      return this.fail(issue.path, `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}, got ${show(value)}`);
    }
    if (issue.code === 'invalid_value')
      return this.fail(issue.path, `expected ${issue.values.map(String).join(' or ')}, got ${show(value)}`);
    return this.fail(issue.path, issue.message);
  }
}

function readKeyFile(file: string): string {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    throw (e as NodeJS.ErrnoException).code === 'ENOENT'
      ? new BulwarkError('NOT_FOUND', file, 'no such file')
      : new BulwarkError('IO', file, (e as NodeJS.ErrnoException).code ?? 'unreadable');
  }
  if (size > MAX_KEY_BYTES) throw new BulwarkError('TOO_LARGE', file, `larger than ${MAX_KEY_BYTES} bytes`);
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new BulwarkError('IO', file, (e as NodeJS.ErrnoException).code ?? 'unreadable');
  }
}

/**
 * Parses and checks a policy. `input` names it in errors (usually the file name);
 * key paths resolve against `baseDir`, and their files are read.
 */
export function parsePolicy(text: string, input: string, baseDir: string): Policy {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, strict: true });
  const bad = doc.errors[0] ?? doc.warnings[0];
  if (bad) {
    const pos = bad.linePos?.[0];
    const what = bad.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new BulwarkError(
      'POLICY',
      input,
      `${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}invalid YAML: ${what}`,
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // unresolved or excessive aliases; an unquoted glob such as *.acme.io reads as an alias
    const what = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
    let at = '';
    visit(doc, {
      Alias(_, node) {
        if (node.range && what.includes(node.source)) {
          const pos = lines.linePos(node.range[0]);
          at = `line ${pos.line}, column ${pos.col}: `;
          return visit.BREAK;
        }
        return undefined;
      },
    });
    throw new BulwarkError(
      'POLICY',
      input,
      `${at}invalid YAML: ${what}${what.startsWith('Unresolved alias') ? ' (quote values that start with *)' : ''}`,
    );
  }
  const p = new Problems(input, doc.contents, lines);
  if (raw === null || raw === undefined)
    p.fail([], `empty document (expected an ImagePolicy: apiVersion, kind, metadata, spec)`);
  const r = PolicyDocument.safeParse(raw);
  if (!r.success) return p.fromZod(raw, r.error.issues);
  const { metadata, spec } = r.data;

  // keys: unique names, exactly one source each, PEM-shaped
  const keys = new Map<string, string>();
  spec.keys.forEach((k, i) => {
    if (keys.has(k.name)) p.fail(['spec', 'keys', i, 'name'], `duplicate key name ${k.name}`);
    if ((k.path === undefined) === (k.publicKey === undefined))
      p.fail(['spec', 'keys', i], 'expected exactly one of path or publicKey');
    let pem: string;
    if (k.path !== undefined) {
      const file = resolve(baseDir, k.path);
      try {
        pem = readKeyFile(file);
      } catch (e) {
        return p.fail(
          ['spec', 'keys', i, 'path'],
          `cannot read key file ${file}: ${isBulwarkError(e) ? e.reason : messageOf(e)}`,
        );
      }
      if (!PEM.test(pem.trim()))
        p.fail(
          ['spec', 'keys', i, 'path'],
          `${file} is not a PEM public key (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----)`,
        );
    } else {
      pem = k.publicKey!;
      if (!PEM.test(pem.trim()))
        p.fail(
          ['spec', 'keys', i, 'publicKey'],
          'expected a PEM public key (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----)',
        );
    }
    keys.set(k.name, `${pem.trim()}\n`);
  });
  const allKeys = [...keys.keys()];

  /** Listed key names (default: every policy key) and a minimum that can be met. */
  const keyRequirement = (at: Path, listed: string[] | undefined, minimum: number | undefined) => {
    (listed ?? []).forEach((name, j) => {
      if (!keys.has(name))
        p.fail(
          [...at, 'keys', j],
          `unknown key ${name} (${allKeys.length > 0 ? `spec.keys defines ${allKeys.join(', ')}` : 'spec.keys defines none'})`,
        );
      if (listed!.indexOf(name) !== j) p.fail([...at, 'keys', j], `key ${name} listed twice`);
    });
    const names = listed ?? allKeys;
    if (names.length === 0) p.fail(at, 'needs keys, but spec.keys defines none');
    const min = minimum ?? 1;
    if (min > names.length) p.fail([...at, 'minimum'], `minimum ${min} is more than the ${names.length} key(s) listed`);
    return { keys: names, minimum: min };
  };

  // signatures.required: false keeps the block (staged) but checks nothing
  const signatures = spec.signatures?.required
    ? keyRequirement(['spec', 'signatures'], spec.signatures.keys, spec.signatures.minimum)
    : undefined;
  const attestations = spec.attestations.map((a, i) => ({
    predicateType: a.predicateType,
    ...keyRequirement(['spec', 'attestations', i], a.keys, a.minimum),
  }));

  return {
    name: metadata.name,
    source: input,
    ...(spec.registries ? { registries: spec.registries } : {}),
    allow: spec.allow,
    deny: spec.deny,
    keys,
    ...(signatures ? { signatures } : {}),
    attestations,
    ...(spec.vulnerabilities
      ? {
          vulnerabilities: {
            maxSeverity: spec.vulnerabilities.maxSeverity,
            fixableOnly: spec.vulnerabilities.fixableOnly,
            ignore: spec.vulnerabilities.ignore,
            unknownAs: (spec.vulnerabilities.unknownAs ?? 'UNKNOWN') as Severity,
          },
        }
      : {}),
    ...(spec.checks
      ? {
          checks: {
            maxSeverity: spec.checks.maxSeverity,
            skip: spec.checks.skip,
            severity: new Map(Object.entries(spec.checks.severity) as [string, Severity][]),
          },
        }
      : {}),
    ...(spec.maxScanAge ? { maxScanAge: spec.maxScanAge } : {}),
    ...(spec.mutableTags?.forbid ? { mutableTags: { tags: spec.mutableTags.tags } } : {}),
    requireDigest: spec.requireDigest,
    ...(spec.baseImages ? { baseImages: spec.baseImages } : {}),
  };
}

/** Reads a policy file; key paths resolve against its directory. */
export function loadPolicy(file: string): Policy {
  let text: string;
  try {
    if (statSync(file).size > MAX_POLICY_BYTES)
      throw new BulwarkError('TOO_LARGE', file, `policy file larger than ${MAX_POLICY_BYTES} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof BulwarkError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BulwarkError('NOT_FOUND', file, 'no such policy file');
    throw new BulwarkError(
      'IO',
      file,
      `cannot read policy file (${code ?? (e instanceof Error ? e.message : String(e))})`,
    );
  }
  return parsePolicy(text, file, dirname(resolve(file)));
}
