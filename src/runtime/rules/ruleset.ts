import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ATTACK_ID, STRIDE, type Stride } from '../../core/threat.js';
import { BulwarkError, messageOf } from '../../core/errors.js';
import { SEVERITIES, type Severity } from '../../core/types.js';
import { evaluate, macrosUsed, parseCondition, type Fields, type Node } from './condition.js';
import { DEFAULT_RULES_YAML } from './default-rules.js';
import { eventTypesOf } from './event-types.js';

// Rule files (YAML lists of `list`, `macro` and `rule` items, as Falco's), loaded in order:
// later items with the same name replace earlier ones, `append: true` extends them,
// `enabled: false` turns a rule off. The default set ships in default-rules.ts.

const ListItem = z.strictObject({
  list: z.string().min(1),
  items: z.array(z.union([z.string(), z.number()]).transform(String)),
  append: z.boolean().optional(),
});
const MacroItem = z.strictObject({
  macro: z.string().regex(/^[A-Za-z_][\w-]*$/, 'expected a macro name'),
  condition: z.string().min(1),
  append: z.boolean().optional(),
});
const RuleItem = z.strictObject({
  rule: z.string().min(1),
  desc: z.string().optional(),
  condition: z.string().min(1).optional(),
  output: z.string().optional(),
  severity: z.enum(SEVERITIES).optional(),
  stride: z.enum(STRIDE as [Stride, ...Stride[]]).optional(),
  attack: z.string().regex(ATTACK_ID, 'expected a MITRE ATT&CK technique id such as T1059.004').optional(),
  action: z.enum(['alert', 'kill', 'pause', 'stop']).optional(),
  tags: z.array(z.string()).optional(),
  enabled: z.boolean().optional(),
  append: z.boolean().optional(),
});
const Item = z.union([ListItem, MacroItem, RuleItem]);

type RuleAction = 'alert' | 'kill' | 'pause' | 'stop';

export interface Rule {
  name: string;
  desc: string;
  condition: Node;
  output: string;
  severity: Severity;
  stride: Stride;
  attack: string;
  action: RuleAction;
  tags: string[];
  source: string;
}

export interface RuleMatch {
  rule: Rule;
  message: string;
}

/** A rule as files declare it, before its condition is parsed. */
interface RawRule extends Omit<Rule, 'condition'> {
  condition: string;
  enabled: boolean;
}

function itemsOf(text: string, input: string): { item: z.infer<typeof Item>; where: string }[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length)
    throw new BulwarkError('USAGE', input, `not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  if (doc.contents === null) return [];
  if (!isSeq(doc.contents)) throw new BulwarkError('USAGE', input, 'expected a list of list, macro and rule items');
  return doc.contents.items.map((node, i) => {
    const line = isMap(node) && node.range ? lines.linePos(node.range[0]).line : undefined;
    const where = `${input}: item ${i + 1}${line ? ` (line ${line})` : ''}`;
    const r = Item.safeParse((node as { toJSON(): unknown }).toJSON());
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new BulwarkError(
        'USAGE',
        where,
        `${issue?.path.length ? `${issue.path.join('.')}: ` : ''}${issue?.message ?? 'invalid'}`,
      );
    }
    return { item: r.data, where };
  });
}

export class RuleSet {
  readonly rules: Rule[];
  private readonly macros: Map<string, Node>;
  private readonly lists: Map<string, string[]>;
  /** Per rule, the event types it can fire on (undefined: any). */
  private readonly types: (Set<string> | undefined)[];
  /** evt.type → the rules that can fire on it, in order (made on first use). */
  private readonly byType = new Map<string, Rule[]>();

  private constructor(rules: Rule[], macros: Map<string, Node>, lists: Map<string, string[]>) {
    this.rules = rules;
    this.macros = macros;
    this.lists = lists;
    this.types = rules.map((r) => eventTypesOf(r.condition, { macros, lists }));
  }

  /** Loads rule texts in order (the default set first, unless told otherwise). */
  static fromTexts(texts: { text: string; input: string }[]): RuleSet {
    const lists = new Map<string, string[]>();
    const macroText = new Map<string, { condition: string; where: string }>();
    const raw = new Map<string, RawRule>();
    for (const { text, input } of texts) {
      for (const { item, where } of itemsOf(text, input)) {
        if ('list' in item) {
          lists.set(item.list, item.append ? [...(lists.get(item.list) ?? []), ...item.items] : item.items);
        } else if ('macro' in item) {
          const prev = macroText.get(item.macro);
          macroText.set(item.macro, {
            condition: item.append && prev ? `(${prev.condition}) ${item.condition}` : item.condition,
            where,
          });
        } else {
          const prev = raw.get(item.rule);
          if (item.append) {
            if (!prev)
              throw new BulwarkError('USAGE', where, `append to rule "${item.rule}", which no earlier file defines`);
            raw.set(item.rule, {
              ...prev,
              condition: item.condition ? `(${prev.condition}) ${item.condition}` : prev.condition,
              tags: [...prev.tags, ...(item.tags ?? [])],
              enabled: item.enabled ?? prev.enabled,
            });
            continue;
          }
          if (prev && item.condition === undefined) {
            // a partial override: change fields of an existing rule (enabled, severity, action…)
            raw.set(item.rule, {
              ...prev,
              ...defined({
                desc: item.desc,
                output: item.output,
                severity: item.severity,
                stride: item.stride,
                attack: item.attack,
                action: item.action,
                tags: item.tags,
                enabled: item.enabled,
              }),
            });
            continue;
          }
          if (!item.condition) throw new BulwarkError('USAGE', where, `rule "${item.rule}" needs a condition`);
          for (const k of ['output', 'severity', 'stride', 'attack'] as const)
            if (item[k] === undefined) throw new BulwarkError('USAGE', where, `rule "${item.rule}" needs ${k}`);
          raw.set(item.rule, {
            name: item.rule,
            desc: item.desc ?? '',
            condition: item.condition,
            output: item.output!,
            severity: item.severity!,
            stride: item.stride!,
            attack: item.attack!,
            action: item.action ?? 'alert',
            tags: item.tags ?? [],
            enabled: item.enabled ?? true,
            source: where,
          });
        }
      }
    }
    const macros = new Map<string, Node>();
    for (const [name, m] of macroText) macros.set(name, parseCondition(m.condition, `${m.where}: macro ${name}`));
    // every macro a condition names must exist, and macros may not refer to themselves
    const check = (node: Node, where: string, path: string[]): void => {
      for (const name of macrosUsed(node)) {
        if (path.includes(name))
          throw new BulwarkError('USAGE', where, `macro ${name} refers to itself (${[...path, name].join(' → ')})`);
        const m = macros.get(name);
        if (!m) throw new BulwarkError('USAGE', where, `unknown macro or field test "${name}"`);
        check(m, where, [...path, name]);
      }
    };
    for (const [name, m] of macros) check(m, `${macroText.get(name)!.where}: macro ${name}`, [name]);
    const rules: Rule[] = [];
    for (const r of raw.values()) {
      if (!r.enabled) continue;
      const condition = parseCondition(r.condition, `${r.source}: rule "${r.name}"`);
      check(condition, `${r.source}: rule "${r.name}"`, []);
      rules.push({
        name: r.name,
        desc: r.desc,
        condition,
        output: r.output,
        severity: r.severity,
        stride: r.stride,
        attack: r.attack,
        action: r.action,
        tags: r.tags,
        source: r.source,
      });
    }
    return new RuleSet(rules, macros, lists);
  }

  /** The default rules followed by the user's files. */
  static load(userFiles: string[] = [], withDefaults = true): RuleSet {
    const read = (f: string): { text: string; input: string } => {
      try {
        return { text: readFileSync(f, 'utf8'), input: f };
      } catch (e) {
        throw new BulwarkError(
          'NOT_FOUND',
          f,
          `cannot read the rule file (${(e as NodeJS.ErrnoException).code ?? messageOf(e)})`,
        );
      }
    };
    return RuleSet.fromTexts([
      ...(withDefaults ? [{ text: DEFAULT_RULES_YAML, input: 'default rules' }] : []),
      ...userFiles.map(read),
    ]);
  }

  /** A list's items after every file loaded (the agent watches the files of `sensitive_files`). */
  list(name: string): readonly string[] | undefined {
    return this.lists.get(name);
  }

  /** The rules that can fire on an event of this type (all of them when it has none). */
  private candidates(type: Fields[string]): Rule[] {
    if (typeof type !== 'string') return this.rules;
    let hit = this.byType.get(type);
    if (!hit) {
      hit = this.rules.filter((_, i) => this.types[i]?.has(type) ?? true);
      if (this.byType.size < 64) this.byType.set(type, hit); // types are the agent's own, few
    }
    return hit;
  }

  /** Every enabled rule the event's fields satisfy, with its output filled in. */
  match(fields: Fields): RuleMatch[] {
    const ctx = { macros: this.macros, lists: this.lists };
    return this.candidates(fields['evt.type'])
      .filter((r) => evaluate(r.condition, fields, ctx))
      .map((rule) => ({ rule, message: render(rule.output, fields) }));
  }
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** "%proc.name" → the field's value ("<NA>" when absent); lists are joined with spaces. */
export function render(template: string, fields: Fields): string {
  return template.replace(/%([a-z_][\w.]*[\w])/gi, (_, f: string) => {
    const v = fields[f];
    if (v === undefined) return '<NA>';
    return Array.isArray(v) ? v.join(' ') : String(v);
  });
}
