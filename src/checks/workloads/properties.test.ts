import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { BulwarkError } from '../../core/errors.js';
import { checkWorkload } from './checks.js';
import { parseCompose } from './compose.js';
import { parseDockerCreate } from './docker-create.js';
import { parseKubernetes } from './kubernetes.js';
import { allContainers, type Workload } from './model.js';
import { PSS_VERSIONS, evaluatePss } from './pss.js';

// Untrusted documents: whatever the text, the parsers return workloads or throw a one-line
// BulwarkError; whatever they return, the checks and the Pod Security Standards run on it.

const RUNS = { numRuns: 150 };

/** Runs a parser; anything thrown must be a one-line BulwarkError. */
function parsed<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    assert.ok(e instanceof BulwarkError, `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    assert.ok(!e.message.includes('\n'), `not one line: ${e.message}`);
    return undefined;
  }
}

function everyParser(text: string): Workload[] {
  return [
    ...(parsed(() => parseKubernetes(text, 'in.yaml'))?.workloads ?? []),
    ...(parsed(() => parseCompose(text, 'in.yaml'))?.workloads ?? []),
    ...[parsed(() => parseDockerCreate(text, 'in.json'))].filter((w): w is Workload => w !== undefined),
  ];
}

function runsOn(w: Workload): void {
  for (const r of checkWorkload(w)) assert.ok(typeof r.location.field === 'string' && r.message.length > 0);
  for (const level of ['baseline', 'restricted'] as const) evaluatePss(w, level);
}

const TOKENS = [
  'apiVersion: v1\n',
  'kind: Pod\n',
  'kind: List\n',
  'kind: CronJob\n',
  'metadata: {name: x}\n',
  'spec:\n',
  '  template:\n',
  '  containers:\n',
  '  - name: a\n',
  '    securityContext: {privileged: true}\n',
  '    ports: [{hostPort: 80}]\n',
  'items:\n',
  '- ',
  '---\n',
  '&a ',
  '*a',
  '<<: *a\n',
  '[',
  ']',
  '{',
  '}',
  ': ',
  '"',
  "'",
  '\t',
  '  ',
  '\n',
  'services:\n',
  '  web:\n',
  '    ports: ["80:80"]\n',
  '    volumes: ["/:/host"]\n',
  '{"HostConfig": {',
  '"Binds": ["/:/h"]',
  '"PortBindings": {"80/tcp": [{"HostPort": "1"}]}',
  ',',
  '}',
  'null',
  '1e400',
  '-',
  '?',
  '!!binary ',
  '!tag ',
  '%YAML 1.2\n',
  '__proto__: x\n',
];

test('properties: arbitrary text never throws anything but a one-line BulwarkError', () => {
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((t) => t.join('')),
  );
  fc.assert(
    fc.property(text, (t) => everyParser(t).forEach(runsOn)),
    { numRuns: 400 },
  );
});

test('properties: arbitrary JSON and YAML documents never throw anything but a one-line BulwarkError', () => {
  const doc = fc.oneof(
    fc.jsonValue({ maxDepth: 5 }),
    fc.record(
      {
        apiVersion: fc.constant('v1'),
        kind: fc.constantFrom('Pod', 'Deployment', 'List', 'CronJob'),
        metadata: fc.jsonValue({ maxDepth: 2 }),
        spec: fc.jsonValue({ maxDepth: 4 }),
        items: fc.jsonValue({ maxDepth: 3 }),
      },
      { requiredKeys: ['kind'] },
    ),
    fc.record({
      services: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
      volumes: fc.jsonValue({ maxDepth: 3 }),
    }),
    fc.record({
      HostConfig: fc.jsonValue({ maxDepth: 3 }),
      User: fc.jsonValue({ maxDepth: 1 }),
      ExposedPorts: fc.jsonValue({ maxDepth: 2 }),
    }),
  );
  fc.assert(
    fc.property(doc, (d) => {
      everyParser(JSON.stringify(d)).forEach(runsOn);
      everyParser(stringify(d)).forEach(runsOn);
    }),
    RUNS,
  );
});

// --- pod-shaped documents: mostly well typed, sometimes not -------------------------------

const bad = fc.jsonValue({ maxDepth: 1 });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 60, arbitrary: arb }, { weight: 1, arbitrary: bad });
const caps = fc.array(fc.constantFrom('ALL', 'NET_BIND_SERVICE', 'CHOWN', 'SYS_ADMIN', 'NET_RAW', 'all'), {
  maxLength: 3,
});
const profile = fc.record({ type: fc.constantFrom('RuntimeDefault', 'Localhost', 'Unconfined') });
const securityContext = fc.record(
  {
    privileged: maybe(fc.boolean()),
    allowPrivilegeEscalation: maybe(fc.boolean()),
    runAsNonRoot: maybe(fc.boolean()),
    runAsUser: maybe(fc.constantFrom(0, 1000)),
    readOnlyRootFilesystem: maybe(fc.boolean()),
    capabilities: maybe(fc.record({ add: caps, drop: caps }, { requiredKeys: [] })),
    seccompProfile: maybe(profile),
    appArmorProfile: maybe(profile),
    seLinuxOptions: maybe(
      fc.record(
        { type: fc.constantFrom('container_t', 'spc_t', 'container_engine_t'), user: fc.constantFrom('', 'u') },
        { requiredKeys: [] },
      ),
    ),
    procMount: maybe(fc.constantFrom('Default', 'Unmasked')),
    windowsOptions: maybe(fc.record({ hostProcess: fc.boolean() })),
  },
  { requiredKeys: [] },
);
const handler = fc.record({
  httpGet: fc.record({ host: fc.constantFrom('', 'localhost'), port: fc.constant(80) }, { requiredKeys: ['port'] }),
});
const container = fc.record(
  {
    name: fc.constantFrom('a', 'b', 'c'),
    image: fc.constant('x'),
    securityContext: maybe(securityContext),
    resources: maybe(
      fc.record({
        limits: fc.record(
          { cpu: fc.constantFrom('500m', '0', 1), memory: fc.constantFrom('1Gi', 0) },
          { requiredKeys: [] },
        ),
      }),
    ),
    ports: maybe(
      fc.array(
        fc.record(
          { containerPort: fc.constant(80), hostPort: fc.constantFrom(0, 8080) },
          { requiredKeys: ['containerPort'] },
        ),
        { maxLength: 2 },
      ),
    ),
    livenessProbe: maybe(handler),
  },
  { requiredKeys: ['name'] },
);
const podSpec = fc.record(
  {
    os: maybe(fc.record({ name: fc.constantFrom('linux', 'windows') })),
    hostNetwork: maybe(fc.boolean()),
    hostPID: maybe(fc.boolean()),
    hostIPC: maybe(fc.boolean()),
    hostUsers: maybe(fc.boolean()),
    securityContext: maybe(
      fc.record(
        {
          runAsNonRoot: fc.boolean(),
          runAsUser: fc.constantFrom(0, 1000),
          seccompProfile: profile,
          sysctls: fc.array(
            fc.record({
              name: fc.constantFrom('kernel.shm_rmid_forced', 'net.ipv4.tcp_rmem', 'kernel.msgmax'),
              value: fc.constant('1'),
            }),
            { maxLength: 2 },
          ),
        },
        { requiredKeys: [] },
      ),
    ),
    volumes: maybe(
      fc.array(
        fc.oneof(
          fc.record({
            name: fc.constant('h'),
            hostPath: fc.record({ path: fc.constantFrom('/', '/var/run/docker.sock', '/srv/x', '/etc/../etc') }),
          }),
          fc.record({ name: fc.constant('e'), emptyDir: fc.constant({}) }),
          fc.record({ name: fc.constant('n'), nfs: fc.constant({ server: 's', path: '/' }) }),
        ),
        { maxLength: 3 },
      ),
    ),
    containers: maybe(fc.array(container, { minLength: 1, maxLength: 3 })),
    initContainers: maybe(fc.array(container, { maxLength: 2 })),
    ephemeralContainers: maybe(fc.array(container, { maxLength: 1 })),
  },
  { requiredKeys: ['containers'] },
);
const annotations = fc.dictionary(
  fc.constantFrom('container.apparmor.security.beta.kubernetes.io/a', 'x'),
  fc.constantFrom('unconfined', 'runtime/default', 'localhost/p'),
);
const manifest = fc
  .tuple(fc.constantFrom('Pod', 'Deployment', 'CronJob', 'List'), podSpec, annotations)
  .map(([kind, spec, ann]) => {
    const template = { metadata: { annotations: ann }, spec };
    if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata: { name: 'p', annotations: ann }, spec };
    if (kind === 'CronJob')
      return { apiVersion: 'batch/v1', kind, metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template } } } };
    if (kind === 'List')
      return { apiVersion: 'v1', kind, items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec }] };
    return { apiVersion: 'apps/v1', kind, metadata: { name: 'd' }, spec: { template } };
  });

test('properties: pod-shaped manifests — checks and standards agree, restricted is never weaker than baseline', () => {
  const version = fc.constantFrom('latest', ...PSS_VERSIONS);
  fc.assert(
    fc.property(manifest, version, (m, v) => {
      const r = parsed(() => parseKubernetes(stringify(m), 'm.yaml'));
      for (const w of r?.workloads ?? []) {
        runsOn(w);
        const baseline = evaluatePss(w, 'baseline', v);
        const restricted = evaluatePss(w, 'restricted', v);
        if (restricted.allowed) assert.ok(baseline.allowed, 'allowed by restricted but not by baseline');
        const restrictedControls = new Set(restricted.violations.map((x) => x.control));
        for (const x of baseline.violations)
          assert.ok(restrictedControls.has(x.control), `${x.control} fails baseline but not restricted at ${v}`);
        for (const x of [...baseline.violations, ...restricted.violations])
          assert.ok(x.fields.length > 0 && x.message.includes('('));
        const ids = new Set(checkWorkload(w).map((x) => x.checkId));
        const privileged = allContainers(w.pod).some((c) => c.securityContext.privileged?.value === true);
        assert.equal(ids.has('BW-WL-001'), privileged);
        assert.equal(
          baseline.violations.some((x) => x.control === 'Privileged Containers'),
          privileged,
        );
        const hostPath = w.pod.volumes.some((x) => x.hostPath);
        assert.equal(ids.has('BW-WL-006'), hostPath);
        assert.equal(
          baseline.violations.some((x) => x.control === 'HostPath Volumes'),
          hostPath,
        );
      }
    }),
    RUNS,
  );
});
