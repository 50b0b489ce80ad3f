import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SEVERITIES } from '../../core/types.js';
import { rankContainers, riskOf, type ContainerRiskInput, type RiskFinding, type RuntimeFacts } from './rank.js';

// The ranking's promises as properties: more findings or more privilege never lower a score;
// a fixable CRITICAL outranks an unfixable LOW whatever else the two containers share.

const finding: fc.Arbitrary<RiskFinding> = fc.record({
  id: fc.string({ minLength: 1, maxLength: 8 }),
  severity: fc.constantFrom(...SEVERITIES),
  fixable: fc.boolean(),
});
const runtime: fc.Arbitrary<RuntimeFacts> = fc.record({
  publishedPorts: fc.array(
    fc.record({
      containerPort: fc.integer({ min: 1, max: 65535 }),
      protocol: fc.constantFrom('tcp' as const, 'udp' as const),
      hostIp: fc.constantFrom('0.0.0.0', '::', '127.0.0.1', '10.0.0.5'),
      hostPort: fc.integer({ min: 1, max: 65535 }),
    }),
    { maxLength: 3 },
  ),
  privileged: fc.boolean(),
  user: fc.constantFrom('', 'root', '0', '1000', 'app', '0:0'),
  capAdd: fc.array(fc.constantFrom('SYS_ADMIN', 'NET_ADMIN', 'CHOWN', 'CAP_SYS_PTRACE', 'NET_RAW'), { maxLength: 3 }),
  hostNetwork: fc.boolean(),
  hostPid: fc.boolean(),
  hostIpc: fc.boolean(),
  hostMounts: fc.array(
    fc.record({ source: fc.constantFrom('/', '/var/run/docker.sock', '/data', '/etc/ssl'), readOnly: fc.boolean() }),
    {
      maxLength: 2,
    },
  ),
});
const container: fc.Arbitrary<ContainerRiskInput> = fc.record({
  id: fc.nat().map((n) => n.toString(16).padStart(12, '0')),
  imageDigest: fc.constant('sha256:x'),
  findings: fc.array(finding, { maxLength: 20 }),
  runtime,
});
const score = (c: ContainerRiskInput): number => riskOf(c).score;

test('adding a finding never lowers the score', () => {
  fc.assert(fc.property(container, finding, (c, f) => score({ ...c, findings: [...c.findings, f] }) >= score(c)));
});

test('adding a privilege, a capability, a namespace, a mount or a published port never lowers the score', () => {
  const more: ((r: RuntimeFacts) => RuntimeFacts)[] = [
    (r) => ({ ...r, privileged: true }),
    (r) => ({ ...r, user: 'root' }),
    (r) => ({ ...r, capAdd: [...r.capAdd, 'SYS_ADMIN'] }),
    (r) => ({ ...r, hostNetwork: true }),
    (r) => ({ ...r, hostPid: true }),
    (r) => ({ ...r, hostIpc: true }),
    (r) => ({ ...r, hostMounts: [...r.hostMounts, { source: '/var/run/docker.sock', readOnly: false }] }),
    (r) => ({
      ...r,
      publishedPorts: [...r.publishedPorts, { containerPort: 443, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 443 }],
    }),
  ];
  fc.assert(
    fc.property(
      container,
      fc.integer({ min: 0, max: more.length - 1 }),
      (c, i) => score({ ...c, runtime: more[i]!(c.runtime) }) >= score(c),
    ),
  );
});

test('a fixable CRITICAL outranks an unfixable LOW (same runtime, same other findings)', () => {
  fc.assert(
    fc.property(container, (c) => {
      const crit = {
        ...c,
        id: 'a',
        findings: [...c.findings, { id: 'X', severity: 'CRITICAL' as const, fixable: true }],
      };
      const low = { ...c, id: 'b', findings: [...c.findings, { id: 'Y', severity: 'LOW' as const, fixable: false }] };
      return score(crit) > score(low) && rankContainers([low, crit])[0]!.id === 'a';
    }),
  );
});

test('fixable ranks above unfixable at the same severity; each severity above the one below', () => {
  fc.assert(
    fc.property(container, fc.integer({ min: 1, max: SEVERITIES.length - 1 }), (c, i) => {
      const add = (severity: RiskFinding['severity'], fixable: boolean): number =>
        score({ ...c, findings: [...c.findings, { id: 'Z', severity, fixable }] });
      const s = SEVERITIES[i]!;
      const below = SEVERITIES[i - 1]!;
      return add(s, true) > add(s, false) && (below === 'UNKNOWN' || add(s, false) > add(below, false));
    }),
  );
});

test('reasons name what counted; the query filter keeps only the asked severities', () => {
  const web: ContainerRiskInput = {
    id: 'web',
    host: 'node-1',
    imageDigest: 'sha256:a',
    findings: [
      { id: 'CVE-1', severity: 'CRITICAL', fixable: true },
      { id: 'CVE-2', severity: 'CRITICAL', fixable: true },
      { id: 'CVE-3', severity: 'CRITICAL', fixable: true },
      { id: 'CVE-4', severity: 'LOW', fixable: false },
    ],
    runtime: {
      publishedPorts: [{ containerPort: 443, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8443 }],
      privileged: true,
      user: '1000',
      capAdd: [],
      hostNetwork: false,
      hostPid: false,
      hostIpc: false,
      hostMounts: [],
    },
  };
  const quiet: ContainerRiskInput = {
    ...web,
    id: 'quiet',
    findings: [{ id: 'CVE-4', severity: 'LOW', fixable: false }],
  };
  const [first, ...rest] = rankContainers([quiet, web], { severities: ['HIGH', 'CRITICAL'], vulnerableOnly: true });
  assert.equal(rest.length, 0);
  assert.deepEqual(first!.reasons, ['3 CRITICAL fixable', 'port 443/tcp published on 0.0.0.0', 'privileged']);
  // (1 + 3 × 10 × 1.5) × (1 + 0.5) × (1 + 1)
  assert.equal(first!.score, 138);
});
