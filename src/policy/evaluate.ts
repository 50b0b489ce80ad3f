import { SEVERITIES, type Severity } from '../core/types.js';
import { formatDuration } from './duration.js';
import type { ImageFacts, ScanFinding } from './facts.js';
import { compileGlobs, compilePatterns } from '../core/glob.js';
import type { Policy } from './schema.js';

// The one policy evaluator: pure (no I/O, no crypto), shared by the push gate, `policy
// check`, admission and runtime. A rule is one small function plus one line in RULES; it
// returns a message when the image violates it and undefined otherwise (a rule the policy
// does not set is never violated). Every violated rule is reported.
//
// Semantics:
// - Image patterns (registries, allow, deny) are globs (see glob.ts) matched against the
//   image's location "registry/repository", "registry/repository:tag" and
//   "registry/repository@digest"; a pattern also covers everything below what it names
//   ("ghcr.io/acme" covers "ghcr.io/acme/app:1.0"). `registries` looks at the location only.
// - A reference with neither tag nor digest means tag latest, for patterns and mutable tags.
// - Allow-listed images skip every rule except deny; deny wins over allow.
// - Severities rank as in core/types (UNKNOWN < LOW < MEDIUM < HIGH < CRITICAL) unless
//   vulnerabilities.unknownAs ranks unknown ones elsewhere; a finding violates when it ranks
//   above maxSeverity ("none": any finding violates).

export type RuleName =
  | 'deny'
  | 'registries'
  | 'signatures'
  | 'attestations'
  | 'vulnerabilities'
  | 'checks'
  | 'scan-age'
  | 'mutable-tags'
  | 'require-digest'
  | 'base-images';

interface Violation {
  rule: RuleName;
  message: string;
}

export interface Verdict {
  allowed: boolean;
  /** The reference as given. */
  image: string;
  digest: string;
  /** The policy's metadata.name. */
  policy: string;
  /** Matched the allow list, so only deny applied. */
  allowListed: boolean;
  violations: Violation[];
}

/** Findings listed by name in a message before "and N more". */
export const MAX_LISTED = 5;

interface Compiled {
  registries?: RegExp;
  allow: RegExp;
  deny: { pattern: string; re: RegExp }[];
  ignore: ReadonlySet<string>;
  mutableTags?: RegExp;
  /** Rank above which a finding violates; -1 for "none". */
  maxRank: number;
  unknownRank: number;
}

interface Context {
  policy: Policy;
  compiled: Compiled;
  facts: ImageFacts;
  /** "registry/repository" */
  location: string;
  /** The location, with the tag and with the digest: what image patterns are matched against. */
  names: string[];
  /** The tag, or latest when the reference names neither tag nor digest. */
  tag?: string;
  now: Date;
}

type Rule = (x: Context) => string | undefined;

const RANK: Record<Severity, number> = Object.fromEntries(SEVERITIES.map((s, i) => [s, i])) as Record<Severity, number>;

const cache = new WeakMap<Policy, Compiled>();

function compile(policy: Policy): Compiled {
  let c = cache.get(policy);
  if (c) return c;
  const v = policy.vulnerabilities;
  c = {
    ...(policy.registries ? { registries: compilePatterns(policy.registries) } : {}),
    allow: compilePatterns(policy.allow),
    deny: policy.deny.map((pattern) => ({ pattern, re: compilePatterns([pattern]) })),
    ignore: new Set(v?.ignore ?? []),
    ...(policy.mutableTags ? { mutableTags: compileGlobs(policy.mutableTags.tags) } : {}),
    maxRank: v ? (v.maxSeverity === 'NONE' ? -1 : RANK[v.maxSeverity]) : Infinity,
    unknownRank: RANK[v?.unknownAs ?? 'UNKNOWN'],
  };
  cache.set(policy, c);
  return c;
}

const list = (xs: readonly string[]) => xs.join(', ');

/** "release", "all of a, b", "2 of a, b, c" */
function keysNeeded(keys: readonly string[], minimum: number): string {
  if (keys.length === 1) return keys[0]!;
  return minimum >= keys.length ? `all of ${list(keys)}` : `${minimum} of ${list(keys)}`;
}

const deny: Rule = ({ compiled, names }) => {
  for (const { pattern, re } of compiled.deny) {
    const name = names.find((n) => re.test(n));
    if (name !== undefined) return `${name} matches deny pattern ${pattern}`;
  }
  return undefined;
};

const registries: Rule = ({ policy, compiled, location }) =>
  compiled.registries && !compiled.registries.test(location)
    ? `${location} is not in an allowed registry (${list(policy.registries!)})`
    : undefined;

const signatures: Rule = ({ policy, facts }) => {
  const s = policy.signatures;
  if (!s) return undefined;
  const have = s.keys.filter((k) => facts.signatures.keys.includes(k));
  if (have.length >= s.minimum) return undefined;
  const others = facts.signatures.keys.filter((k) => !s.keys.includes(k));
  return (
    `needs a valid signature by ${keysNeeded(s.keys, s.minimum)}; ` +
    (have.length > 0 ? `signed by ${list(have)} only` : 'none found') +
    (others.length > 0 ? ` (also signed by ${list(others)}, not accepted by this rule)` : '')
  );
};

const attestations: Rule = ({ policy, facts }) => {
  const problems: string[] = [];
  for (const a of policy.attestations) {
    const ofType = facts.attestations.filter((x) => x.predicateType === a.predicateType);
    const have = a.keys.filter((k) => ofType.some((x) => x.keys.includes(k)));
    if (have.length >= a.minimum) continue;
    problems.push(
      ofType.length === 0
        ? `no verified ${a.predicateType} attestation (needs one signed by ${keysNeeded(a.keys, a.minimum)})`
        : `${a.predicateType} attestation signed by ${have.length > 0 ? list(have) : 'no accepted key'}, needs ${keysNeeded(a.keys, a.minimum)}`,
    );
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
};

const vulnerabilities: Rule = ({ policy, compiled, facts }) => {
  const v = policy.vulnerabilities;
  if (!v) return undefined;
  if (!facts.scan) return 'no vulnerability scan of this digest';
  const { ignore, maxRank, unknownRank } = compiled;
  const rank = (f: ScanFinding) => (f.severity === 'UNKNOWN' ? unknownRank : RANK[f.severity]);
  const over: ScanFinding[] = [];
  for (const f of facts.scan.findings)
    if (rank(f) > maxRank && (f.fixable || !v.fixableOnly) && !ignore.has(f.id)) over.push(f);
  if (over.length === 0) return undefined;
  over.sort((a, b) => rank(b) - rank(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const shown = over
    .slice(0, MAX_LISTED)
    .map((f) => `${f.id} (${f.severity.toLowerCase()}${f.pkg ? `, ${f.pkg}` : ''})`);
  const more = over.length > MAX_LISTED ? ` and ${over.length - MAX_LISTED} more` : '';
  const what = `${over.length} ${v.fixableOnly ? 'fixable ' : ''}finding${over.length === 1 ? '' : 's'}`;
  const limit = v.maxSeverity === 'NONE' ? 'none allowed' : `above ${v.maxSeverity.toLowerCase()}`;
  return `${what} ${v.maxSeverity === 'NONE' ? `(${limit})` : limit}: ${shown.join(', ')}${more}`;
};

const checks: Rule = ({ policy, facts }) => {
  const c = policy.checks;
  if (!c) return undefined;
  if (!facts.checks) return 'no secret and misconfiguration scan of this digest';
  const max = c.maxSeverity === 'NONE' ? -1 : RANK[c.maxSeverity];
  const over = facts.checks
    .filter((x) => !c.skip.includes(x.id))
    .map((x) => ({ ...x, severity: c.severity.get(x.id) ?? x.severity }))
    .filter((x) => RANK[x.severity] > max)
    .sort((a, b) => RANK[b.severity] - RANK[a.severity] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (over.length === 0) return undefined;
  const shown = over.slice(0, MAX_LISTED).map((x) => `${x.id} (${x.severity.toLowerCase()}: ${x.message})`);
  const more = over.length > MAX_LISTED ? ` and ${over.length - MAX_LISTED} more` : '';
  return `${over.length} failed check${over.length === 1 ? '' : 's'} ${c.maxSeverity === 'NONE' ? '(none allowed)' : `above ${c.maxSeverity.toLowerCase()}`}: ${shown.join(', ')}${more}`;
};

const scanAge: Rule = ({ policy, facts, now }) => {
  const max = policy.maxScanAge;
  if (!max) return undefined;
  if (!facts.scan) return `no vulnerability scan of this digest (scans may be at most ${max.text} old)`;
  const finished = Date.parse(facts.scan.finishedAt);
  if (Number.isNaN(finished)) return `scan time ${JSON.stringify(facts.scan.finishedAt)} is not a date`;
  const age = now.getTime() - finished;
  return age > max.ms
    ? `scan is ${formatDuration(age)} old (finished ${facts.scan.finishedAt}), allowed ${max.text}`
    : undefined;
};

const mutableTags: Rule = ({ compiled, facts, tag }) => {
  if (!compiled.mutableTags || facts.pinned || tag === undefined || !compiled.mutableTags.test(tag)) return undefined;
  return facts.tag === undefined
    ? 'the reference names neither tag nor digest, so it means latest, a mutable tag'
    : `tag ${tag} is mutable and the reference names no digest`;
};

const requireDigest: Rule = ({ policy, facts }) =>
  policy.requireDigest && !facts.pinned ? `reference ${facts.reference} names no digest` : undefined;

const baseImages: Rule = ({ policy, facts }) => {
  const bases = policy.baseImages;
  if (!bases) return undefined;
  const layers = facts.layers;
  const why: string[] = [];
  for (const b of bases) {
    let i = 0;
    while (i < b.layers.length && i < layers.length && b.layers[i] === layers[i]) i++;
    if (i === b.layers.length) return undefined;
    why.push(
      i === layers.length
        ? `${b.name} (image has only ${layers.length} layer${layers.length === 1 ? '' : 's'} of its ${b.layers.length})`
        : `${b.name} (differs at layer ${i + 1} of ${b.layers.length})`,
    );
  }
  const shown =
    why.slice(0, MAX_LISTED).join(', ') + (why.length > MAX_LISTED ? ` and ${why.length - MAX_LISTED} more` : '');
  return `the image's first layers match no approved base image: ${shown}`;
};

/** Every rule, in report order. */
export const RULES: readonly (readonly [RuleName, Rule])[] = [
  ['deny', deny],
  ['registries', registries],
  ['signatures', signatures],
  ['attestations', attestations],
  ['vulnerabilities', vulnerabilities],
  ['checks', checks],
  ['scan-age', scanAge],
  ['mutable-tags', mutableTags],
  ['require-digest', requireDigest],
  ['base-images', baseImages],
];

export function evaluate(policy: Policy, facts: ImageFacts): Verdict {
  const compiled = compile(policy);
  const location = `${facts.registry}/${facts.repository}`;
  const tag = facts.tag ?? (facts.pinned ? undefined : 'latest');
  const names = [location];
  if (tag !== undefined) names.push(`${location}:${tag}`);
  if (facts.digest) names.push(`${location}@${facts.digest}`);
  const allowListed = names.some((n) => compiled.allow.test(n));
  const x: Context = {
    policy,
    compiled,
    facts,
    location,
    names,
    ...(tag !== undefined ? { tag } : {}),
    now: facts.now ?? new Date(),
  };
  const violations: Violation[] = [];
  for (const [rule, check] of RULES) {
    if (allowListed && rule !== 'deny') continue;
    const message = check(x);
    if (message !== undefined) violations.push({ rule, message });
  }
  return {
    allowed: violations.length === 0,
    image: facts.reference,
    digest: facts.digest,
    policy: policy.name,
    allowListed,
    violations,
  };
}
