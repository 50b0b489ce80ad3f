import { z } from 'zod';
import { SEVERITIES, type Severity } from '../core/types.js';
import { canonicalRegistry } from '../registry/reference.js';
import { parseDuration } from './duration.js';

// The ImagePolicy document (apiVersion bulwark.dev/v1). Every object is strict: an unknown
// or misspelt field is an error, never silently ignored, so a typo cannot weaken a policy.
//
//   apiVersion: bulwark.dev/v1
//   kind: ImagePolicy
//   metadata: { name: production }                    # DNS-1123 name; labels/annotations optional
//   spec:                                             # every rule optional; absent = not checked
//     registries: ["127.0.0.1:5000", "ghcr.io/acme"]  # image must live at or below one of these
//     allow: ["ghcr.io/acme/tools/**"]                # matching images skip every rule except deny
//     deny: ["**/*:latest-debug"]                     # always refused; deny wins over allow
//     keys: [{ name: release, path: cosign.pub }, { name: ci, publicKey: "-----BEGIN PUBLIC KEY-----…" }]
//     signatures: { required: true, keys: [release], minimum: 1 }
//     attestations: [{ predicateType: https://cyclonedx.org/bom, keys: [release], minimum: 1 }]
//     vulnerabilities: { maxSeverity: high, fixableOnly: true, ignore: [CVE-2023-0001], unknownAs: unknown }
//     maxScanAge: 24h
//     mutableTags: { forbid: true, tags: [latest] }
//     requireDigest: true
//     baseImages: [{ name: debian-12, layers: ["sha256:…"] }]

const API_VERSION = 'bulwark.dev/v1';
const KIND = 'ImagePolicy';

/** `maxSeverity` words, lowest first: "none" tolerates no finding at all. */
const MAX_SEVERITY_WORDS = ['none', ...SEVERITIES.map((s) => s.toLowerCase())] as const;
type MaxSeverity = Severity | 'NONE';

const custom = (ctx: { addIssue: (i: { code: 'custom'; message: string }) => void }, message: string) => {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
};

/** Quoted, shortened value for messages. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  return String(v);
}

function severityWord(allowNone: boolean) {
  const words = allowNone ? MAX_SEVERITY_WORDS : MAX_SEVERITY_WORDS.slice(1);
  return z.unknown().transform((v, ctx): MaxSeverity => {
    if (v === undefined) return custom(ctx, 'required field missing');
    const w = typeof v === 'string' ? v.toLowerCase() : undefined;
    if (w === undefined || !(words as readonly string[]).includes(w))
      return custom(ctx, `expected one of ${words.join(', ')}, got ${show(v)}`);
    return w.toUpperCase() as MaxSeverity;
  });
}

const duration = z.unknown().transform((v, ctx) => {
  const ms = typeof v === 'string' ? parseDuration(v) : undefined;
  if (ms === undefined) return custom(ctx, `expected a duration such as 30m, 24h or 7d, got ${show(v)}`);
  return { ms, text: v as string };
});

const count = z.number().int().min(1, 'expected a number of at least 1');
const keyName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'expected a key name (letters, digits, ".", "_", "-"; at most 63)');
const digest = z
  .string()
  .regex(/^(?:sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/, 'expected a layer digest sha256:<64 hex digits>');
const tagPattern = z
  .string()
  .regex(/^[A-Za-z0-9_*][A-Za-z0-9_.*-]{0,127}$/, 'expected a tag or a tag glob such as latest or *-SNAPSHOT');

function canonicalHost(hostPort: string): string | undefined {
  try {
    return canonicalRegistry(hostPort);
  } catch {
    return undefined;
  }
}

/** Why an image pattern can never match a normalised image name, if it cannot. */
function patternProblem(p: string): string | undefined {
  if (/\s/.test(p)) return 'contains whitespace';
  const comps = p.split('/');
  const first = comps[0]!;
  const [, host = '', port] = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(first) ?? [];
  const hostLike =
    host.includes('*') || host.includes('.') || host.toLowerCase() === 'localhost' || host.startsWith('[');
  if (!hostLike || (port !== undefined && !/^[0-9*]+$/.test(port)))
    return `the first component must be a registry host such as docker.io, ghcr.io or 127.0.0.1:5000 (Docker Hub: docker.io/library/${p})`;
  if (/^(?:index|registry-1)\.docker\.io$/i.test(host))
    return `write Docker Hub as docker.io (${p.replace(/^[^/]*/, 'docker.io')})`;
  const canonical = first.includes('*') ? first.toLowerCase() : canonicalHost(first);
  if (canonical === undefined) return 'the first component is not a valid registry host';
  // images are matched by their canonical name (lower case, no default port): so must patterns be
  if (canonical !== first) return `write the registry as images are named: ${p.replace(/^[^/]*/, canonical)}`;
  if (host === 'docker.io' && comps.length === 2 && !comps[1]!.includes('*'))
    return `Docker Hub official images are named docker.io/library/${comps[1]}`;
  const repo = comps
    .slice(1)
    .join('/')
    .replace(/@.*$/, '')
    .replace(/:[^/]*$/, '');
  if (/[A-Z]/.test(repo)) return 'repository names are lowercase';
  return undefined;
}

const imagePattern = z
  .string()
  .min(1, 'expected a non-empty pattern')
  .max(255, 'expected at most 255 characters')
  .superRefine((p, ctx) => {
    const why = patternProblem(p);
    if (why) ctx.addIssue({ code: 'custom', message: `${show(p)}: ${why}` });
  });

const Key = z.strictObject({
  name: keyName,
  /** PEM file, relative to the policy file's directory. */
  path: z.string().min(1, 'expected a file path').optional(),
  /** PEM text inline. */
  publicKey: z.string().min(1, 'expected a PEM public key').optional(),
});

const Signatures = z.strictObject({
  /** false turns the rule off (kept for staging a policy); default true. */
  required: z.boolean().default(true),
  /** Default: every key in spec.keys. */
  keys: z.array(keyName).min(1, 'expected at least one key name').optional(),
  /** How many of the listed keys must have signed; default 1. */
  minimum: count.optional(),
});

const Attestation = z.strictObject({
  predicateType: z.string().min(1, 'expected a predicate type URI'),
  keys: z.array(keyName).min(1, 'expected at least one key name').optional(),
  minimum: count.optional(),
});

const Vulnerabilities = z.strictObject({
  /** Findings above this severity are violations; "none" refuses every finding. */
  maxSeverity: severityWord(true),
  /** Count only findings with a fix available. */
  fixableOnly: z.boolean().default(false),
  /** Finding ids accepted whatever their severity. */
  ignore: z.array(z.string().min(1, 'expected a finding id')).default([]),
  /** The rank of findings without a severity; default unknown, the lowest (below low). */
  unknownAs: severityWord(false).optional(),
});

const checkId = z
  .string()
  .regex(/^BW-[A-Z0-9]+-\d{3}$/, 'expected a check id such as BW-IMG-001 (see `bulwark checks list`)');

const Checks = z.strictObject({
  /** Failed checks (secrets, image and filesystem misconfigurations) above this severity are violations. */
  maxSeverity: severityWord(true),
  /** Checks not to run. */
  skip: z.array(checkId).default([]),
  /** Checks reported at another severity. */
  severity: z.record(checkId, severityWord(false)).default({}),
});

const MutableTags = z.strictObject({
  forbid: z.boolean().default(true),
  tags: z.array(tagPattern).min(1, 'expected at least one tag').default(['latest']),
});

const BaseImage = z.strictObject({
  name: z.string().min(1, 'expected a name'),
  layers: z.array(digest).min(1, 'expected at least one layer digest'),
});

const Spec = z.strictObject({
  registries: z
    .array(imagePattern)
    .min(1, 'expected at least one registry (leave the field out to allow any)')
    .optional(),
  allow: z.array(imagePattern).default([]),
  deny: z.array(imagePattern).default([]),
  keys: z.array(Key).default([]),
  signatures: Signatures.optional(),
  attestations: z.array(Attestation).default([]),
  vulnerabilities: Vulnerabilities.optional(),
  checks: Checks.optional(),
  maxScanAge: duration.optional(),
  mutableTags: MutableTags.optional(),
  requireDigest: z.boolean().default(false),
  baseImages: z
    .array(BaseImage)
    .min(1, 'expected at least one base image (leave the field out to allow any)')
    .optional(),
});

const Metadata = z.strictObject({
  name: z
    .string()
    .max(253, 'expected at most 253 characters')
    .regex(
      /^[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?$/,
      'expected a lowercase name of letters, digits, "-" and "." (as Kubernetes names)',
    ),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export const PolicyDocument = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(KIND),
  metadata: Metadata,
  spec: Spec,
});
export type PolicyDocument = z.infer<typeof PolicyDocument>;

/** A loaded, checked policy: plain data, ready for `evaluate`. Absent rules are not checked. */
export interface Policy {
  /** metadata.name */
  name: string;
  /** Where it was loaded from, for messages. */
  source: string;
  /** Image location patterns; undefined = any registry. */
  registries?: readonly string[];
  allow: readonly string[];
  deny: readonly string[];
  /** Key name → PEM text (not parsed here). */
  keys: ReadonlyMap<string, string>;
  /** Undefined when not required. */
  signatures?: { keys: readonly string[]; minimum: number };
  attestations: readonly { predicateType: string; keys: readonly string[]; minimum: number }[];
  vulnerabilities?: { maxSeverity: MaxSeverity; fixableOnly: boolean; ignore: readonly string[]; unknownAs: Severity };
  /** Failed checks above maxSeverity are violations; skip and severity also steer the scan. */
  checks?: { maxSeverity: MaxSeverity; skip: readonly string[]; severity: ReadonlyMap<string, Severity> };
  maxScanAge?: { ms: number; text: string };
  /** Undefined when mutable tags are not forbidden. */
  mutableTags?: { tags: readonly string[] };
  requireDigest: boolean;
  baseImages?: readonly { name: string; layers: readonly string[] }[];
}
