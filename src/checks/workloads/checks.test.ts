import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEVERITIES } from '../../core/types.js';
import { STRIDE } from '../../core/threat.js';
import { checkWorkload, workloadChecks } from './checks.js';
import { parseCompose } from './compose.js';
import { scanConfigPath } from './discover.js';
import { parseDockerCreate } from './docker-create.js';
import { parseKubernetes } from './kubernetes.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const checkFixtures = join(fixtures, 'checks');

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string, from = 0): number {
  const lines = text.split('\n');
  const i = lines.findIndex((l, n) => n >= from && l.includes(needle));
  assert.ok(i >= 0, `no line with ${needle}`);
  return i + 1;
}

test('catalog: ids BW-WL-NNN in order, every field filled, severities, STRIDE and ATT&CK ids well-formed', () => {
  const checks = workloadChecks();
  assert.ok(checks.length >= 20);
  checks.forEach((c, i) => {
    assert.equal(c.id, `BW-WL-${String(i + 1).padStart(3, '0')}`);
    assert.ok(c.title && c.description.length > 40 && c.remediation.length > 20, c.id);
    assert.ok((SEVERITIES as readonly string[]).includes(c.severity) && c.severity !== 'UNKNOWN', c.id);
    assert.ok(STRIDE.includes(c.stride), c.id);
    assert.match(c.attack, /^T\d{4}(?:\.\d{3})?$/, c.id);
    assert.ok(
      c.targets.length > 0 && c.targets.every((t) => ['kubernetes', 'compose', 'docker-create'].includes(t)),
      c.id,
    );
  });
  assert.equal(new Set(checks.map((c) => c.title)).size, checks.length, 'titles are unique');
  // the catalog answers a fresh copy: callers cannot change it
  workloadChecks()[0]!.title = 'changed';
  assert.equal(workloadChecks()[0]!.title, 'Privileged container');
});

test('every check has failing fixtures that fire it and passing fixtures that do not', async (t) => {
  const ids = new Set(workloadChecks().map((c) => c.id));
  for (const dir of readdirSync(checkFixtures)) assert.ok(ids.has(dir), `fixtures/checks/${dir} names no check`);
  for (const info of workloadChecks()) {
    await t.test(info.id, async () => {
      let files: string[] = [];
      try {
        files = readdirSync(join(checkFixtures, info.id));
      } catch {
        assert.fail(`${info.id} (${info.title}) has no fixtures/checks/${info.id}/ directory`);
      }
      const fail = files.filter((f) => f.startsWith('fail'));
      const pass = files.filter((f) => f.startsWith('pass'));
      assert.ok(fail.length > 0, `${info.id}: no fail* fixture`);
      assert.ok(pass.length > 0, `${info.id}: no pass* fixture`);
      for (const f of [...fail, ...pass]) {
        const file = join(checkFixtures, info.id, f);
        const scan = await scanConfigPath(file);
        assert.deepEqual(scan.errors, [], f);
        assert.ok(scan.workloads.length > 0, `${f}: no workload read`);
        for (const w of scan.workloads)
          assert.ok(info.targets.includes(w.target), `${f}: ${w.target} is not a target of ${info.id}`);
        const hits = scan.workloads.flatMap(checkWorkload).filter((r) => r.checkId === info.id);
        if (f.startsWith('fail')) {
          assert.ok(hits.length > 0, `${info.id} did not fire on ${f}`);
          for (const h of hits) {
            assert.equal(h.severity, info.severity);
            assert.equal(h.title, info.title);
            assert.equal(h.location.path, file);
            assert.ok(h.location.field, `${f}: result without a field`);
            assert.ok(h.location.line && h.location.line > 0, `${f}: result without a line`);
          }
        } else {
          assert.deepEqual(
            hits.map((h) => h.message),
            [],
            `${info.id} fired on ${f}`,
          );
        }
      }
    });
  }
});

test('checks: a real-shaped Deployment — findings, fields and lines', () => {
  const file = join(fixtures, 'k8s', 'web.yaml');
  const text = readFileSync(file, 'utf8');
  const [w] = parseKubernetes(text, file).workloads;
  const results = checkWorkload(w!);
  const got = results.map((r) => [r.checkId, r.location.field, r.location.line]);
  const sp = 'spec.template.spec';
  const shipper = lineOf(text, '- name: log-shipper');
  assert.deepEqual(got, [
    ['BW-WL-001', `${sp}.containers[1].securityContext.privileged`, lineOf(text, 'privileged: true')],
    ['BW-WL-002', `${sp}.hostNetwork`, lineOf(text, 'hostNetwork: true')],
    ['BW-WL-005', `${sp}.hostUsers`, lineOf(text, 'spec:', lineOf(text, 'template:'))],
    ['BW-WL-006', `${sp}.volumes[1].hostPath.path`, lineOf(text, 'path: /var/log')],
    ['BW-WL-006', `${sp}.volumes[2].hostPath.path`, lineOf(text, 'path: /var/run/docker.sock')],
    ['BW-WL-007', `${sp}.volumes[2].hostPath.path`, lineOf(text, 'path: /var/run/docker.sock')],
    ['BW-WL-008', `${sp}.volumes[1].hostPath.path`, lineOf(text, 'path: /var/log')],
    ['BW-WL-011', `${sp}.containers[1].securityContext.capabilities.drop`, shipper],
    ['BW-WL-012', `${sp}.containers[1].securityContext.allowPrivilegeEscalation`, shipper],
    ['BW-WL-013', `${sp}.containers[1].securityContext.runAsUser`, lineOf(text, 'runAsUser: 0')],
    ['BW-WL-014', `${sp}.containers[1].securityContext.readOnlyRootFilesystem`, shipper],
    [
      'BW-WL-016',
      `spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/log-shipper"]`,
      lineOf(text, 'container.apparmor'),
    ],
    ['BW-WL-017', `${sp}.containers[1].resources.limits.cpu`, shipper],
    ['BW-WL-018', `${sp}.containers[1].resources.limits.memory`, shipper],
  ]);
  const byId = new Map(results.map((r) => [r.checkId, r]));
  assert.equal(byId.get('BW-WL-001')!.message, 'Deployment/web: container "log-shipper" is privileged');
  assert.equal(
    byId.get('BW-WL-007')!.message,
    'Deployment/web mounts the container runtime socket /var/run/docker.sock, mounted by container "log-shipper" at /var/run/docker.sock',
  );
  assert.equal(byId.get('BW-WL-007')!.evidence, '/var/run/docker.sock');
  assert.equal(byId.get('BW-WL-013')!.message, 'Deployment/web: container "log-shipper" runs as UID 0');
  assert.equal(byId.get('BW-WL-001')!.location.path, file);
});

test('checks: the compose fixture — the hardened service is clean, the agent is not', () => {
  const file = join(fixtures, 'compose', 'docker-compose.yml');
  const text = readFileSync(file, 'utf8');
  const ws = parseCompose(text, file).workloads;
  const ids = (name: string) => checkWorkload(ws.find((w) => w.name === name)!).map((r) => r.checkId);
  assert.deepEqual(ids('api'), []);
  assert.deepEqual(ids('db'), ['BW-WL-006', 'BW-WL-011', 'BW-WL-013', 'BW-WL-014', 'BW-WL-020']);
  const agent = checkWorkload(ws.find((w) => w.name === 'agent')!);
  assert.deepEqual(
    [...new Set(agent.map((r) => r.checkId))],
    [
      'BW-WL-001',
      'BW-WL-002',
      'BW-WL-003',
      'BW-WL-006',
      'BW-WL-007',
      'BW-WL-008',
      'BW-WL-009',
      'BW-WL-010',
      'BW-WL-011',
      'BW-WL-012',
      'BW-WL-013',
      'BW-WL-014',
      'BW-WL-015',
      'BW-WL-016',
      'BW-WL-017',
      'BW-WL-018',
      'BW-WL-019',
    ],
  );
  const at = (id: string) => agent.filter((r) => r.checkId === id).map((r) => [r.location.field, r.location.line]);
  assert.deepEqual(at('BW-WL-007'), [
    ['services.agent.volumes[0].source', lineOf(text, 'source: /var/run/docker.sock')],
  ]);
  assert.deepEqual(at('BW-WL-008'), [['services.agent.volumes[1]', lineOf(text, '- /:/host:ro')]]);
  assert.deepEqual(at('BW-WL-015'), [['services.agent.security_opt[0]', lineOf(text, 'seccomp:unconfined')]]);
  // the named volume declared as a bind mount is a host path too
  assert.deepEqual(
    agent.filter((r) => r.checkId === 'BW-WL-006').map((r) => r.evidence),
    ['/var/run/docker.sock', '/', '/srv/agent-cache'],
  );
  assert.ok(
    agent.some(
      (r) =>
        r.location.field === 'volumes.cache.driver_opts.device' &&
        r.location.line === lineOf(text, 'device: /srv/agent-cache'),
    ),
  );
});

test('checks: the Docker create body', () => {
  const file = join(fixtures, 'docker', 'create-body.json');
  const text = readFileSync(file, 'utf8');
  const r = checkWorkload(parseDockerCreate(text, file, 'web'));
  assert.deepEqual(
    r.map((x) => [x.checkId, x.location.field]),
    [
      ['BW-WL-003', 'HostConfig.PidMode'],
      ['BW-WL-005', 'HostConfig.UsernsMode'],
      ['BW-WL-006', 'HostConfig.Binds[0]'],
      ['BW-WL-006', 'HostConfig.Mounts[0].Source'],
      ['BW-WL-007', 'HostConfig.Mounts[0].Source'],
      ['BW-WL-008', 'HostConfig.Binds[0]'],
      ['BW-WL-009', 'HostConfig.CapAdd[0]'],
      ['BW-WL-010', 'HostConfig.CapAdd[1]'],
      ['BW-WL-011', 'HostConfig.CapDrop'],
      ['BW-WL-012', 'HostConfig.SecurityOpt'],
      ['BW-WL-013', 'User'],
      ['BW-WL-014', 'HostConfig.ReadonlyRootfs'],
      ['BW-WL-015', 'HostConfig.SecurityOpt[0]'],
      ['BW-WL-017', 'HostConfig.NanoCpus'],
      ['BW-WL-019', 'HostConfig.PidsLimit'],
      ['BW-WL-020', 'HostConfig.PortBindings["80/tcp"][0].HostPort'],
    ],
  );
  const m = new Map(r.map((x) => [x.checkId, x]));
  assert.equal(m.get('BW-WL-019')!.message, 'DockerContainer/web has no PIDs limit (-1 means unlimited)');
  assert.equal(m.get('BW-WL-019')!.location.line, lineOf(text, '"PidsLimit"'));
  assert.equal(m.get('BW-WL-017')!.location.line, lineOf(text, '"NanoCpus"'));
  assert.equal(
    m.get('BW-WL-020')!.message,
    'DockerContainer/web: container "web" publishes port 80 on host port 8080 on all interfaces',
  );
  assert.equal(m.get('BW-WL-010')!.message, 'DockerContainer/web: container "web" adds capability CHOWN');
});

test('checks: targets — no PIDs check on Kubernetes, no HostProcess check on Docker', () => {
  const pod = parseKubernetes(
    'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: x}]\n',
    'p.yaml',
  ).workloads[0]!;
  assert.ok(!checkWorkload(pod).some((r) => r.checkId === 'BW-WL-019'));
  const info = workloadChecks().find((c) => c.id === 'BW-WL-019')!;
  assert.deepEqual(info.targets, ['compose', 'docker-create']);
  assert.match(info.description, /Kubernetes has no per-pod field/);
});

test('checks: one result for a pod-level setting every container inherits', () => {
  const text = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext:
    seccompProfile: {type: Unconfined}
  containers:
    - {name: a, image: x}
    - {name: b, image: x}
`;
  const r = checkWorkload(parseKubernetes(text, 'p.yaml').workloads[0]!).filter((x) => x.checkId === 'BW-WL-015');
  assert.deepEqual(
    r.map((x) => [x.location.field, x.message]),
    [
      ['spec.securityContext.seccompProfile.type', 'Pod/p: container "a" runs with seccomp Unconfined'],
      ['spec.securityContext.seccompProfile.type', 'Pod/p: container "b" runs with seccomp Unconfined'],
    ],
  );
});

test('checks: host paths are normalised; sockets found by name anywhere and by their directories', () => {
  const hits = (path: string) => {
    const w = parseKubernetes(
      `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes: [{name: v, hostPath: {path: ${JSON.stringify(path)}}}]\n  containers: [{name: a, image: x}]\n`,
      'p.yaml',
    ).workloads[0]!;
    return checkWorkload(w)
      .filter((r) => ['BW-WL-006', 'BW-WL-007', 'BW-WL-008'].includes(r.checkId))
      .map((r) => r.checkId);
  };
  assert.deepEqual(hits('/var/run//docker.sock'), ['BW-WL-006', 'BW-WL-007']);
  assert.deepEqual(hits('/run/user/1000/docker.sock'), ['BW-WL-006', 'BW-WL-007']);
  assert.deepEqual(hits('/var/run/'), ['BW-WL-006', 'BW-WL-007']);
  assert.deepEqual(hits('/etc/../etc/ssh'), ['BW-WL-006', 'BW-WL-008']);
  assert.deepEqual(hits('/var/lib/kubelet/pods'), ['BW-WL-006', 'BW-WL-008']);
  assert.deepEqual(hits('/etcetera'), ['BW-WL-006']);
  assert.deepEqual(hits('/var/lib/app'), ['BW-WL-006']);
});

test('checks: Windows pods skip the Linux-only checks', () => {
  const text = `apiVersion: v1
kind: Pod
metadata: {name: w}
spec:
  os: {name: windows}
  containers: [{name: a, image: x, resources: {limits: {cpu: "1", memory: 1Gi}}, securityContext: {readOnlyRootFilesystem: true}}]
`;
  assert.deepEqual(
    checkWorkload(parseKubernetes(text, 'w.yaml').workloads[0]!).map((r) => r.checkId),
    [],
  );
});
