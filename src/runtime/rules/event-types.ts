import type { Node } from './condition.js';

// Which event types (evt.type) can satisfy a condition, so that an event is matched only
// against the rules that could fire on it: every exec need not walk the file, network and
// detector rules. Conservative: undefined means "any type" whenever the condition does not
// pin evt.type down (a `not`, an `or` with an unpinned side, a field other than evt.type).

type Ctx = { macros: ReadonlyMap<string, Node>; lists: ReadonlyMap<string, readonly string[]> };

const MAX_DEPTH = 100;

function expand(items: readonly string[], lists: Ctx['lists'], seen = new Set<string>()): string[] {
  return items.flatMap((i) => {
    const l = lists.get(i);
    return l && !seen.has(i) ? expand(l, lists, new Set([...seen, i])) : [i];
  });
}

/** The evt.type values a condition requires; undefined when it may hold for any. */
export function eventTypesOf(node: Node, ctx: Ctx, depth = 0): Set<string> | undefined {
  if (depth > MAX_DEPTH) return undefined;
  switch (node.kind) {
    case 'cmp':
      return node.field === 'evt.type' && node.op === '=' ? new Set([String(node.value)]) : undefined;
    case 'in':
      return node.field === 'evt.type' ? new Set(expand(node.items, ctx.lists)) : undefined;
    case 'macro': {
      const m = ctx.macros.get(node.name);
      return m ? eventTypesOf(m, ctx, depth + 1) : undefined;
    }
    case 'and': {
      const l = eventTypesOf(node.left, ctx, depth);
      const r = eventTypesOf(node.right, ctx, depth);
      if (!l || !r) return l ?? r;
      return new Set([...l].filter((t) => r.has(t)));
    }
    case 'or': {
      const l = eventTypesOf(node.left, ctx, depth);
      const r = eventTypesOf(node.right, ctx, depth);
      return l && r ? new Set([...l, ...r]) : undefined;
    }
    default:
      return undefined;
  }
}
