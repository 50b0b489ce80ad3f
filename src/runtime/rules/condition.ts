import { BulwarkError } from '../../core/errors.js';

// Rule conditions, as Falco users write them: comparisons over event fields joined by
// and/or/not with parentheses, macros named by their name, lists used with `in`.
//   spawned_process and container and proc.name in (shell_binaries) and not proc.pname = runc
// Operators: = != < <= > >= in startswith endswith contains glob exists.

type Value = string | number | boolean | readonly string[] | undefined;
export type Fields = Readonly<Record<string, Value>>;

export type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; expr: Node }
  | { kind: 'macro'; name: string }
  | { kind: 'cmp'; field: string; op: CmpOp; value: string | number }
  | { kind: 'in'; field: string; items: string[] }
  | { kind: 'exists'; field: string };

type CmpOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'startswith' | 'endswith' | 'contains' | 'glob';

const WORD_OPS = new Set(['startswith', 'endswith', 'contains', 'glob', 'in', 'exists']);
const MAX_TOKENS = 10_000;
const MAX_DEPTH = 100;

interface Token {
  t: 'word' | 'str' | 'op' | '(' | ')' | ',';
  v: string;
  at: number;
}

function tokenize(src: string, input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    if (out.length > MAX_TOKENS) throw new BulwarkError('USAGE', input, `condition longer than ${MAX_TOKENS} tokens`);
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ t: c, v: c, at: i++ });
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let v = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) j++;
        v += src[j++];
      }
      if (j >= src.length) throw new BulwarkError('USAGE', input, `unterminated string at character ${i + 1}`);
      out.push({ t: 'str', v, at: i });
      i = j + 1;
    } else if (/[=!<>]/.test(c)) {
      const two = src.slice(i, i + 2);
      const op = ['!=', '<=', '>='].includes(two) ? two : c;
      if (op === '!')
        throw new BulwarkError('USAGE', input, `unexpected "!" at character ${i + 1} (use "not" or "!=")`);
      out.push({ t: 'op', v: op, at: i });
      i += op.length;
    } else {
      let j = i;
      while (j < src.length && !/[\s(),=!<>"']/.test(src[j]!)) j++;
      out.push({ t: 'word', v: src.slice(i, j), at: i });
      i = j;
    }
  }
  return out;
}

/** Parses a condition; macro names are resolved when it is evaluated. */
export function parseCondition(src: string, input: string): Node {
  const tokens = tokenize(src, input);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const fail = (why: string, tok = peek()): never => {
    throw new BulwarkError('USAGE', input, `${why} ${tok ? `at "${tok.v}" (character ${tok.at + 1})` : 'at the end'}`);
  };
  const word = (w: string): boolean => peek()?.t === 'word' && peek()!.v === w;

  const or = (depth: number): Node => {
    let left = and(depth);
    while (word('or')) {
      pos++;
      left = { kind: 'or', left, right: and(depth) };
    }
    return left;
  };
  const and = (depth: number): Node => {
    let left = unary(depth);
    while (word('and')) {
      pos++;
      left = { kind: 'and', left, right: unary(depth) };
    }
    return left;
  };
  const unary = (depth: number): Node => {
    if (depth > MAX_DEPTH) fail('nested too deeply');
    if (word('not')) {
      pos++;
      return { kind: 'not', expr: unary(depth + 1) };
    }
    if (peek()?.t === '(') {
      pos++;
      const e = or(depth + 1);
      if (peek()?.t !== ')') fail('expected ")"');
      pos++;
      return e;
    }
    return comparison();
  };
  const literal = (): string | number => {
    const tok = peek();
    if (!tok || (tok.t !== 'word' && tok.t !== 'str')) return fail('expected a value');
    pos++;
    if (tok.t === 'word' && /^-?\d+(\.\d+)?$/.test(tok.v)) return Number(tok.v);
    return tok.v;
  };
  const comparison = (): Node => {
    const tok = peek();
    if (!tok || tok.t !== 'word' || tok.v === 'and' || tok.v === 'or') return fail('expected a field or macro');
    pos++;
    const next = peek();
    const isOp = next && (next.t === 'op' || (next.t === 'word' && WORD_OPS.has(next.v)));
    if (!isOp) {
      if (!/^[A-Za-z_][\w-]*$/.test(tok.v)) fail('expected a macro name', tok);
      return { kind: 'macro', name: tok.v };
    }
    pos++;
    if (next.v === 'exists') return { kind: 'exists', field: tok.v };
    if (next.v === 'in') {
      if (peek()?.t !== '(') fail('expected "(" after in');
      pos++;
      const items: string[] = [];
      while (peek() && peek()!.t !== ')') {
        items.push(String(literal()));
        if (peek()?.t === ',') pos++;
      }
      if (peek()?.t !== ')') fail('expected ")"');
      pos++;
      return { kind: 'in', field: tok.v, items };
    }
    return { kind: 'cmp', field: tok.v, op: next.v as CmpOp, value: literal() };
  };

  if (tokens.length === 0) fail('empty condition');
  const node = or(0);
  if (pos < tokens.length) fail('unexpected');
  return node;
}

const globs = new Map<string, RegExp>();
function globRe(pattern: string): RegExp {
  let re = globs.get(pattern);
  if (!re) globs.set(pattern, (re = globToRegExp(pattern)));
  return re;
}

function globToRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}

function compare(actual: Value, op: CmpOp, expected: string | number): boolean {
  if (actual === undefined) return op === '!=';
  if (Array.isArray(actual)) {
    // a list field matches when any element does; != when none equals
    return op === '!=' ? !actual.some((a) => compare(a, '=', expected)) : actual.some((a) => compare(a, op, expected));
  }
  const a = typeof actual === 'boolean' ? String(actual) : actual;
  switch (op) {
    case '=':
      return String(a) === String(expected);
    case '!=':
      return String(a) !== String(expected);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const x = Number(a);
      const y = Number(expected);
      if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
      return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
    }
    case 'startswith':
      return String(a).startsWith(String(expected));
    case 'endswith':
      return String(a).endsWith(String(expected));
    case 'contains':
      return String(a).includes(String(expected));
    case 'glob':
      return globRe(String(expected)).test(String(a));
  }
}

export interface EvalContext {
  macros: ReadonlyMap<string, Node>;
  lists: ReadonlyMap<string, readonly string[]>;
}

/** Items of an `in (…)`, with list names expanded (lists may name other lists). */
function expandItems(
  items: readonly string[],
  lists: ReadonlyMap<string, readonly string[]>,
  seen = new Set<string>(),
): string[] {
  return items.flatMap((i) => {
    const l = lists.get(i);
    if (!l || seen.has(i)) return [i];
    return expandItems(l, lists, new Set([...seen, i]));
  });
}

// `in` items expanded once per node and list table: this runs for every event
const expanded = new WeakMap<Node, { lists: ReadonlyMap<string, readonly string[]>; set: Set<string> }>();
function expandedSet(node: Extract<Node, { kind: 'in' }>, lists: ReadonlyMap<string, readonly string[]>): Set<string> {
  const hit = expanded.get(node);
  if (hit?.lists === lists) return hit.set;
  const set = new Set(expandItems(node.items, lists));
  expanded.set(node, { lists, set });
  return set;
}

export function evaluate(node: Node, fields: Fields, ctx: EvalContext, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, fields, ctx, depth) && evaluate(node.right, fields, ctx, depth);
    case 'or':
      return evaluate(node.left, fields, ctx, depth) || evaluate(node.right, fields, ctx, depth);
    case 'not':
      return !evaluate(node.expr, fields, ctx, depth);
    case 'macro': {
      const m = ctx.macros.get(node.name);
      return m ? evaluate(m, fields, ctx, depth + 1) : false;
    }
    case 'exists':
      return fields[node.field] !== undefined;
    case 'in': {
      const v = fields[node.field];
      if (v === undefined) return false;
      // `in` compares as strings (like =): one set lookup, or any item for a list value
      const items = expandedSet(node, ctx.lists);
      return Array.isArray(v) ? v.some((x) => items.has(String(x))) : items.has(String(v));
    }
    case 'cmp':
      return compare(fields[node.field], node.op, node.value);
  }
}

/** Macro names a condition uses (to report undefined ones when rules load). */
export function macrosUsed(node: Node, out = new Set<string>()): Set<string> {
  if (node.kind === 'macro') out.add(node.name);
  else if (node.kind === 'and' || node.kind === 'or') {
    macrosUsed(node.left, out);
    macrosUsed(node.right, out);
  } else if (node.kind === 'not') macrosUsed(node.expr, out);
  return out;
}
