import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { SEVERITIES } from '../core/types.js';
import { evaluate, MAX_LISTED, RULES, type RuleName } from './evaluate.js';
import type { ImageFacts, ScanFinding } from './facts.js';
import { loadPolicy, parsePolicy } from './load.js';
import type { Policy } from './schema.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const production = loadPolicy(join(fixtures, 'production.yaml'));

const DEBIAN = 'sha256:0b49f2fcef2b0f0ee5162462d575e19632eb780ff1dfc4423bcf6d8ccdc0b5e6';
const DISTROLESS = [
  'sha256:27ac5e6c0960eaa0112304fc0e30fafb197ba6be742aa08c7d9b3620a1ea625c',
  'sha256:1d3c95655b0a7083c1848d119486924869ba4eb3b57fedc66377c2bb9d4381aa',
];
const APP_LAYER = `sha256:${'ab'.repeat(32)}`;
const DIGEST = `sha256:${'d1'.repeat(32)}`;
const NOW = new Date('2026-11-22T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
const BOM = 'https://cyclonedx.org/bom';
const VULN = 'https://cosign.sigstore.dev/attestation/vuln/v1';

/** An image production accepts: signed, attested, fresh scan with only tolerated findings. */
function good(): ImageFacts {
  return {
    reference: '127.0.0.1:5000/team/app:1.0',
    registry: '127.0.0.1:5000',
    repository: 'team/app',
    tag: '1.0',
    pinned: false,
    digest: DIGEST,
    layers: [DEBIAN, APP_LAYER],
    signatures: { keys: ['release'] },
    attestations: [
      { predicateType: BOM, keys: ['release'] },
      { predicateType: VULN, keys: ['release'] },
    ],
    scan: {
      finishedAt: hoursAgo(1),
      findings: [
        { id: 'CVE-2024-1000', severity: 'HIGH', fixable: true, pkg: 'openssl' }, // at the maximum, not above
        { id: 'CVE-2024-2000', severity: 'CRITICAL', fixable: false, pkg: 'zlib' }, // no fix: fixableOnly
        { id: 'CVE-2023-0001', severity: 'CRITICAL', fixable: true, pkg: 'curl' }, // ignored
        { id: 'CVE-2024-3000', severity: 'UNKNOWN', fixable: true },
      ],
    },
    now: NOW,
  };
}

const withFinding = (f: ScanFinding) => (x: ImageFacts) => ({
  scan: { ...x.scan!, findings: [...x.scan!.findings, f] },
});
const at = (registry: string, repository: string, tag?: string) => ({
  registry,
  repository,
  tag,
  reference: `${registry}/${repository}${tag ? `:${tag}` : ''}`,
});

/** A stricter policy: digests required, no finding tolerated, two of three keys. */
const strictText = `
apiVersion: bulwark.dev/v1
kind: ImagePolicy
metadata: { name: strict }
spec:
  keys:
    - { name: release, path: cosign.pub }
    - { name: ci, path: cosign.pub }
    - { name: audit, path: cosign.pub }
  signatures: { minimum: 2 }
  vulnerabilities: { maxSeverity: none }
  requireDigest: true
`;
const strict = parsePolicy(strictText, 'strict.yaml', fixtures);
const unknownHigh = parsePolicy(
  `apiVersion: bulwark.dev/v1\nkind: ImagePolicy\nmetadata: { name: u }\nspec:\n  vulnerabilities: { maxSeverity: medium, unknownAs: high }\n`,
  'u.yaml',
  fixtures,
);
const unknownDefault = parsePolicy(
  `apiVersion: bulwark.dev/v1\nkind: ImagePolicy\nmetadata: { name: u }\nspec:\n  vulnerabilities: { maxSeverity: low }\n`,
  'u.yaml',
  fixtures,
);

interface Case {
  name: string;
  policy?: Policy;
  facts: (x: ImageFacts) => Partial<ImageFacts>;
  allowed: boolean;
  rules: RuleName[];
  allowListed?: boolean;
}

const MATRIX: Case[] = [
  { name: 'the good image', facts: () => ({}), allowed: true, rules: [] },
  { name: 'unsigned', facts: () => ({ signatures: { keys: [] } }), allowed: false, rules: ['signatures'] },
  {
    name: 'signed with the wrong key',
    facts: () => ({ signatures: { keys: ['ci'] } }),
    allowed: false,
    rules: ['signatures'],
  },
  {
    name: 'signed by the right key among others',
    facts: () => ({ signatures: { keys: ['ci', 'release'] } }),
    allowed: true,
    rules: [],
  },
  {
    name: 'registry allowed (registry glob one level below)',
    facts: () => at('ghcr.io', 'acme/app', '2.0'),
    allowed: true,
    rules: [],
  },
  {
    name: 'registry allowed (nested repository)',
    facts: () => at('ghcr.io', 'acme/app/worker', '2.0'),
    allowed: true,
    rules: [],
  },
  {
    name: 'registry not allowed',
    facts: () => at('quay.io', 'acme/app', '1.0'),
    allowed: false,
    rules: ['registries'],
  },
  {
    name: 'registry prefix is not a component prefix',
    facts: () => at('ghcr.io', 'acmecorp/app', '1.0'),
    allowed: false,
    rules: ['registries'],
  },
  {
    name: 'fixable critical above high',
    facts: withFinding({ id: 'CVE-2024-9', severity: 'CRITICAL', fixable: true }),
    allowed: false,
    rules: ['vulnerabilities'],
  },
  {
    name: 'unfixable critical with fixableOnly',
    facts: withFinding({ id: 'CVE-2024-9', severity: 'CRITICAL', fixable: false }),
    allowed: true,
    rules: [],
  },
  {
    name: 'fixable high at the maximum',
    facts: withFinding({ id: 'CVE-2024-9', severity: 'HIGH', fixable: true }),
    allowed: true,
    rules: [],
  },
  {
    name: 'ignored critical',
    facts: withFinding({ id: 'CVE-2023-0001', severity: 'CRITICAL', fixable: true, pkg: 'libc6' }),
    allowed: true,
    rules: [],
  },
  { name: 'scan missing', facts: () => ({ scan: undefined }), allowed: false, rules: ['vulnerabilities', 'scan-age'] },
  {
    name: 'scan too old',
    facts: () => ({ scan: { ...good().scan!, finishedAt: hoursAgo(25) } }),
    allowed: false,
    rules: ['scan-age'],
  },
  {
    name: 'scan just young enough',
    facts: () => ({ scan: { ...good().scan!, finishedAt: hoursAgo(24) } }),
    allowed: true,
    rules: [],
  },
  {
    name: 'scan time unreadable',
    facts: () => ({ scan: { ...good().scan!, finishedAt: 'yesterday' } }),
    allowed: false,
    rules: ['scan-age'],
  },
  {
    name: 'tag latest',
    facts: () => at('127.0.0.1:5000', 'team/app', 'latest'),
    allowed: false,
    rules: ['mutable-tags'],
  },
  {
    name: 'tag glob *-SNAPSHOT',
    facts: () => at('127.0.0.1:5000', 'team/app', '1.1-SNAPSHOT'),
    allowed: false,
    rules: ['mutable-tags'],
  },
  {
    name: 'neither tag nor digest means latest',
    facts: () => at('127.0.0.1:5000', 'team/app'),
    allowed: false,
    rules: ['mutable-tags'],
  },
  {
    name: 'latest pinned by digest',
    facts: () => ({ tag: 'latest', pinned: true, reference: `127.0.0.1:5000/team/app:latest@${DIGEST}` }),
    allowed: true,
    rules: [],
  },
  {
    name: 'digest only',
    facts: () => ({ tag: undefined, pinned: true, reference: `127.0.0.1:5000/team/app@${DIGEST}` }),
    allowed: true,
    rules: [],
  },
  {
    name: 'base image not approved',
    facts: () => ({ layers: [APP_LAYER, DEBIAN] }),
    allowed: false,
    rules: ['base-images'],
  },
  { name: 'two-layer base approved', facts: () => ({ layers: [...DISTROLESS, APP_LAYER] }), allowed: true, rules: [] },
  { name: 'only part of a base', facts: () => ({ layers: [DISTROLESS[0]!] }), allowed: false, rules: ['base-images'] },
  { name: 'no layers', facts: () => ({ layers: [] }), allowed: false, rules: ['base-images'] },
  {
    name: 'attestation missing',
    facts: () => ({ attestations: [{ predicateType: BOM, keys: ['release'] }] }),
    allowed: false,
    rules: ['attestations'],
  },
  {
    name: 'attestation by a listed second key',
    facts: () => ({
      attestations: [
        { predicateType: BOM, keys: ['ci'] },
        { predicateType: VULN, keys: ['release'] },
      ],
    }),
    allowed: true,
    rules: [],
  },
  {
    name: 'attestation by a key not listed for it',
    facts: () => ({
      attestations: [
        { predicateType: BOM, keys: ['release'] },
        { predicateType: VULN, keys: ['ci'] },
      ],
    }),
    allowed: false,
    rules: ['attestations'],
  },
  {
    name: 'allow list skips every rule but deny',
    facts: () => ({
      ...at('ghcr.io', 'acme/tools/builder', 'latest'),
      signatures: { keys: [] },
      attestations: [],
      scan: undefined,
      layers: [],
    }),
    allowed: true,
    rules: [],
    allowListed: true,
  },
  {
    name: 'deny wins over allow',
    facts: () => ({ ...at('ghcr.io', 'acme/tools/builder', 'latest-debug'), signatures: { keys: [] } }),
    allowed: false,
    rules: ['deny'],
    allowListed: true,
  },
  {
    name: 'denied repository, any tag',
    facts: () => at('docker.io', 'library/ubuntu', '22.04'),
    allowed: false,
    rules: ['deny', 'registries'],
  },
  {
    name: 'denied tag glob',
    facts: () => at('127.0.0.1:5000', 'team/app', 'latest-debug'),
    allowed: false,
    rules: ['deny'],
  },
  {
    name: 'denied by digest',
    policy: withDeny(`127.0.0.1:5000/team/app@${DIGEST}`),
    facts: () => ({}),
    allowed: false,
    rules: ['deny'],
  },
  {
    name: 'everything wrong',
    facts: () => ({
      ...at('quay.io', 'x/y'),
      signatures: { keys: [] },
      attestations: [],
      scan: { finishedAt: hoursAgo(100), findings: [{ id: 'CVE-1', severity: 'CRITICAL', fixable: true }] },
      layers: [APP_LAYER],
    }),
    allowed: false,
    rules: ['registries', 'signatures', 'attestations', 'vulnerabilities', 'scan-age', 'mutable-tags', 'base-images'],
  },
  // the strict policy
  {
    name: 'strict: two of three keys',
    policy: strict,
    facts: () => ({
      pinned: true,
      signatures: { keys: ['ci', 'audit'] },
      scan: { finishedAt: hoursAgo(1), findings: [] },
    }),
    allowed: true,
    rules: [],
  },
  {
    name: 'strict: one of three keys',
    policy: strict,
    facts: () => ({ pinned: true, scan: { finishedAt: hoursAgo(1), findings: [] } }),
    allowed: false,
    rules: ['signatures'],
  },
  {
    name: 'strict: digest required',
    policy: strict,
    facts: () => ({ signatures: { keys: ['ci', 'release'] }, scan: { finishedAt: hoursAgo(1), findings: [] } }),
    allowed: false,
    rules: ['require-digest'],
  },
  {
    name: 'strict: maxSeverity none refuses an unknown finding',
    policy: strict,
    facts: () => ({
      pinned: true,
      signatures: { keys: ['ci', 'release'] },
      scan: { finishedAt: hoursAgo(1), findings: [{ id: 'X', severity: 'UNKNOWN', fixable: false }] },
    }),
    allowed: false,
    rules: ['vulnerabilities'],
  },
  {
    name: 'unknown ranks lowest by default',
    policy: unknownDefault,
    facts: () => ({ scan: { finishedAt: hoursAgo(1), findings: [{ id: 'X', severity: 'UNKNOWN', fixable: true }] } }),
    allowed: true,
    rules: [],
  },
  {
    name: 'low passes maxSeverity low',
    policy: unknownDefault,
    facts: () => ({ scan: { finishedAt: hoursAgo(1), findings: [{ id: 'X', severity: 'LOW', fixable: true }] } }),
    allowed: true,
    rules: [],
  },
  {
    name: 'unfixable medium counts without fixableOnly',
    policy: unknownDefault,
    facts: () => ({ scan: { finishedAt: hoursAgo(1), findings: [{ id: 'X', severity: 'MEDIUM', fixable: false }] } }),
    allowed: false,
    rules: ['vulnerabilities'],
  },
  {
    name: 'unknownAs: high ranks unknown above medium',
    policy: unknownHigh,
    facts: () => ({ scan: { finishedAt: hoursAgo(1), findings: [{ id: 'X', severity: 'UNKNOWN', fixable: true }] } }),
    allowed: false,
    rules: ['vulnerabilities'],
  },
];

function withDeny(pattern: string): Policy {
  return { ...production, deny: [pattern] };
}

test('policy matrix: allowed and the exact set of violated rules', () => {
  for (const c of MATRIX) {
    const base = good();
    const v = evaluate(c.policy ?? production, { ...base, ...c.facts(base) });
    const rules = v.violations.map((x) => x.rule);
    assert.deepEqual([...rules].sort(), [...c.rules].sort(), `${c.name}: ${JSON.stringify(v.violations)}`);
    assert.equal(rules.length, new Set(rules).size, `${c.name}: one violation per rule`);
    assert.equal(v.allowed, c.allowed, c.name);
    assert.equal(v.allowListed, c.allowListed ?? false, c.name);
    assert.equal(v.policy, (c.policy ?? production).name);
  }
});

test('verdict: image, digest, policy name; violations in rule-table order', () => {
  const v = evaluate(production, { ...good(), ...at('quay.io', 'x/y', 'latest'), signatures: { keys: [] } });
  assert.equal(v.image, 'quay.io/x/y:latest');
  assert.equal(v.digest, DIGEST);
  assert.equal(v.policy, 'production');
  const order = RULES.map(([r]) => r);
  const got = v.violations.map((x) => order.indexOf(x.rule));
  assert.deepEqual(
    got,
    [...got].sort((a, b) => a - b),
  );
});

test('messages are concrete: registry, keys, CVEs with severities (capped), scan age, tag, base', () => {
  const msg = (facts: Partial<ImageFacts>, policy = production) => {
    const v = evaluate(policy, { ...good(), ...facts });
    return Object.fromEntries(v.violations.map((x) => [x.rule, x.message]));
  };
  assert.equal(
    msg(at('quay.io', 'acme/app', '1.0')).registries,
    'quay.io/acme/app is not in an allowed registry (127.0.0.1:5000, ghcr.io/acme/*)',
  );
  assert.equal(
    msg({ signatures: { keys: ['ci'] } }).signatures,
    'needs a valid signature by release; none found (also signed by ci, not accepted by this rule)',
  );
  assert.equal(
    msg({ pinned: true, signatures: { keys: ['ci'] } }, strict).signatures,
    'needs a valid signature by 2 of release, ci, audit; signed by ci only',
  );
  assert.equal(
    msg({ attestations: [{ predicateType: BOM, keys: ['other'] }] }).attestations,
    `${BOM} attestation signed by no accepted key, needs 1 of release, ci; no verified ${VULN} attestation (needs one signed by release)`,
  );
  const many: ScanFinding[] = Array.from({ length: MAX_LISTED + 3 }, (_, i) => ({
    id: `CVE-2024-${1000 + i}`,
    severity: i % 2 ? 'CRITICAL' : 'HIGH',
    fixable: true,
    pkg: `p${i}`,
  }));
  assert.equal(
    msg({ scan: { finishedAt: hoursAgo(1), findings: many } }, unknownDefault).vulnerabilities,
    '8 findings above low: CVE-2024-1001 (critical, p1), CVE-2024-1003 (critical, p3), CVE-2024-1005 (critical, p5), CVE-2024-1007 (critical, p7), CVE-2024-1000 (high, p0) and 3 more',
  );
  assert.equal(
    msg({ scan: { finishedAt: hoursAgo(1), findings: [many[1]!] } }).vulnerabilities,
    '1 fixable finding above high: CVE-2024-1001 (critical, p1)',
  );
  assert.equal(
    msg(
      {
        pinned: true,
        signatures: { keys: ['ci', 'release'] },
        scan: { finishedAt: hoursAgo(1), findings: [many[0]!] },
      },
      strict,
    ).vulnerabilities,
    '1 finding (none allowed): CVE-2024-1000 (high, p0)',
  );
  assert.equal(msg({ scan: undefined }).vulnerabilities, 'no vulnerability scan of this digest');
  assert.equal(
    msg({ scan: undefined })['scan-age'],
    'no vulnerability scan of this digest (scans may be at most 24h old)',
  );
  assert.equal(
    msg({ scan: { finishedAt: hoursAgo(30.5), findings: [] } })['scan-age'],
    `scan is 1d 6h old (finished ${hoursAgo(30.5)}), allowed 24h`,
  );
  assert.equal(
    msg(at('127.0.0.1:5000', 'team/app', 'latest'))['mutable-tags'],
    'tag latest is mutable and the reference names no digest',
  );
  assert.equal(
    msg(at('127.0.0.1:5000', 'team/app'))['mutable-tags'],
    'the reference names neither tag nor digest, so it means latest, a mutable tag',
  );
  assert.equal(
    msg({ signatures: { keys: ['ci', 'release'] }, scan: { finishedAt: hoursAgo(1), findings: [] } }, strict)[
      'require-digest'
    ],
    'reference 127.0.0.1:5000/team/app:1.0 names no digest',
  );
  assert.equal(
    msg({ layers: [DISTROLESS[0]!] })['base-images'],
    "the image's first layers match no approved base image: debian-12 (differs at layer 1 of 1), distroless (image has only 1 layer of its 2)",
  );
  assert.equal(
    msg(at('docker.io', 'library/ubuntu', '22.04')).deny,
    'docker.io/library/ubuntu matches deny pattern docker.io/library/ubuntu',
  );
  assert.equal(
    msg(at('127.0.0.1:5000', 'team/app', 'latest-debug')).deny,
    '127.0.0.1:5000/team/app:latest-debug matches deny pattern **/*:latest-debug',
  );
});

test('a policy with no rules allows everything; now defaults to the clock', () => {
  const empty = parsePolicy(
    'apiVersion: bulwark.dev/v1\nkind: ImagePolicy\nmetadata: { name: open }\nspec: {}\n',
    'open.yaml',
    fixtures,
  );
  const facts: ImageFacts = { ...good(), scan: undefined, signatures: { keys: [] }, tag: undefined };
  delete facts.now;
  assert.deepEqual(evaluate(empty, facts), {
    allowed: true,
    image: facts.reference,
    digest: DIGEST,
    policy: 'open',
    allowListed: false,
    violations: [],
  });
  const fresh = parsePolicy(
    'apiVersion: bulwark.dev/v1\nkind: ImagePolicy\nmetadata: { name: fresh }\nspec: { maxScanAge: 1h }\n',
    'fresh.yaml',
    fixtures,
  );
  assert.equal(
    evaluate(fresh, { ...facts, scan: { finishedAt: new Date(Date.now() - 60_000).toISOString(), findings: [] } })
      .allowed,
    true,
  );
  assert.equal(
    evaluate(fresh, { ...facts, scan: { finishedAt: new Date(Date.now() - 7_200_000).toISOString(), findings: [] } })
      .allowed,
    false,
  );
});

const keyName = fc.constantFrom('release', 'ci', 'audit', 'other');
const factsArb: fc.Arbitrary<ImageFacts> = fc.record({
  reference: fc.string(),
  registry: fc.constantFrom('127.0.0.1:5000', 'ghcr.io', 'docker.io', 'quay.io'),
  repository: fc.constantFrom('team/app', 'acme/app', 'acme/tools/builder', 'library/ubuntu', 'a/b/c'),
  tag: fc.option(fc.constantFrom('latest', '1.0', 'latest-debug', '2-SNAPSHOT'), { nil: undefined }),
  pinned: fc.boolean(),
  digest: fc.constantFrom(DIGEST, ''),
  layers: fc.array(fc.constantFrom(DEBIAN, APP_LAYER, ...DISTROLESS), { maxLength: 4 }),
  signatures: fc.record({ keys: fc.uniqueArray(keyName) }),
  attestations: fc.array(fc.record({ predicateType: fc.constantFrom(BOM, VULN, 'x'), keys: fc.uniqueArray(keyName) }), {
    maxLength: 3,
  }),
  scan: fc.option(
    fc.record({
      finishedAt: fc.oneof(fc.constant('nonsense'), fc.integer({ min: -100, max: 100 }).map(hoursAgo)),
      findings: fc.array(
        fc.record({
          id: fc.constantFrom('CVE-2023-0001', 'CVE-1', 'CVE-2'),
          severity: fc.constantFrom(...SEVERITIES),
          fixable: fc.boolean(),
        }),
        { maxLength: 8 },
      ),
    }),
    { nil: undefined },
  ),
  now: fc.constant(NOW),
});

test('property: verdicts are consistent whatever the facts', () => {
  fc.assert(
    fc.property(factsArb, fc.constantFrom(production, strict, unknownHigh), (facts, policy) => {
      const v = evaluate(policy, facts);
      assert.equal(v.allowed, v.violations.length === 0);
      const rules = v.violations.map((x) => x.rule);
      assert.equal(new Set(rules).size, rules.length);
      if (v.allowListed) assert.ok(rules.every((r) => r === 'deny'));
      for (const x of v.violations) assert.ok(x.message.length > 0 && !x.message.includes('\n'));
      assert.deepEqual(evaluate(policy, facts), v, 'deterministic');
    }),
    { numRuns: 2000 },
  );
});
