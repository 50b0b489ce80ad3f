import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BulwarkError } from '../../core/errors.js';
import { isComposeDocument, parseCompose } from './compose.js';
import { parsePortSpec } from './engine.js';
import type { Workload } from './model.js';
import { Locator } from './source.js';

const fixture = join(import.meta.dirname, 'fixtures', 'compose', 'docker-compose.yml');

function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, needle);
  return i + 1;
}

function service(body: string, extra = ''): Workload {
  const text = `services:\n  s:\n${body.replace(/^/gm, '    ')}\n${extra}`;
  const r = parseCompose(text, 'compose.yaml');
  assert.equal(r.workloads.length, 1);
  return r.workloads[0]!;
}

function errorOf(text: string): BulwarkError {
  try {
    parseCompose(text, 'compose.yaml');
  } catch (e) {
    assert.ok(e instanceof BulwarkError, String(e));
    assert.equal(e.input, 'compose.yaml');
    assert.ok(!e.message.includes('\n'));
    return e;
  }
  assert.fail('accepted');
}

test('compose: the fixture — services, anchors merged, host namespaces, volumes, limits, sysctls', () => {
  const text = readFileSync(fixture, 'utf8');
  const r = parseCompose(text, fixture);
  assert.deepEqual(
    r.workloads.map((w) => [w.target, w.kind, w.name, w.source.line]),
    [
      ['compose', 'ComposeService', 'api', lineOf(text, '  api:')],
      ['compose', 'ComposeService', 'db', lineOf(text, '  db:')],
      ['compose', 'ComposeService', 'agent', lineOf(text, '  agent:')],
    ],
  );
  const [api, db, agent] = r.workloads.map((w) => w.pod);
  // api: everything from the x-hardening anchor
  const a = api!.containers[0]!;
  assert.deepEqual(
    [
      a.securityContext.readOnlyRootFilesystem?.value,
      a.securityContext.allowPrivilegeEscalation?.value,
      a.securityContext.capabilities.drop.map((d) => d.value),
    ],
    [true, false, ['ALL']],
  );
  assert.deepEqual(
    [a.user?.value, a.securityContext.runAsUser?.value, a.securityContext.runAsGroup?.value],
    ['10001:10001', 10001, 10001],
  );
  assert.deepEqual(
    [a.resources.limits.cpu?.value, a.resources.limits.memory?.value, api!.pidsLimit?.value],
    ['0.50', '256M', 200],
  );
  assert.equal(a.resources.limits.cpu?.field, 'services.api.deploy.resources.limits.cpus');
  assert.deepEqual(
    a.ports.map((p) => [p.hostIP?.value, p.hostPort?.value, p.containerPort?.value]),
    [['127.0.0.1', 8080, 8080]],
  );
  // db: a named volume, a relative bind, mem_limit/cpus/pids_limit
  assert.deepEqual(
    db!.volumes.map((v) => [v.name, v.type, v.hostPath?.path.value]),
    [
      ['db-data', 'volume', undefined],
      ['./initdb', 'hostPath', './initdb'],
    ],
  );
  assert.deepEqual(
    db!.containers[0]!.volumeMounts.map((m) => [m.mountPath, m.readOnly]),
    [
      ['/var/lib/postgresql/data', false],
      ['/docker-entrypoint-initdb.d', true],
    ],
  );
  assert.deepEqual(
    [
      db!.containers[0]!.resources.limits.memory?.value,
      db!.containers[0]!.resources.limits.cpu?.value,
      db!.pidsLimit?.value,
    ],
    ['1g', 1.5, 500],
  );
  assert.equal(db!.containers[0]!.securityContext.allowPrivilegeEscalation?.value, false);
  // agent
  assert.deepEqual(
    [agent!.hostNetwork?.field, agent!.hostPID?.field, agent!.hostIPC],
    ['services.agent.network_mode', 'services.agent.pid', undefined],
  );
  const g = agent!.containers[0]!;
  assert.deepEqual(g.securityContext.privileged, {
    value: true,
    field: 'services.agent.privileged',
    line: lineOf(text, 'privileged: true'),
  });
  assert.deepEqual(
    g.securityContext.capabilities.add.map((c) => c.value),
    ['SYS_ADMIN', 'NET_RAW'],
  );
  assert.deepEqual(
    [g.securityContext.seccompProfile?.value, g.securityContext.appArmorProfile?.value],
    ['Unconfined', 'Unconfined'],
  );
  assert.deepEqual(
    agent!.volumes.map((v) => [v.name, v.type, v.hostPath?.path.field]),
    [
      ['/var/run/docker.sock', 'hostPath', 'services.agent.volumes[0].source'],
      ['/', 'hostPath', 'services.agent.volumes[1]'],
      ['cache', 'hostPath', 'volumes.cache.driver_opts.device'],
    ],
  );
  assert.deepEqual(
    agent!.securityContext.sysctls.map((s) => s.value),
    ['net.core.somaxconn'],
  );
  assert.equal(r.skipped.length, 0);
});

test('compose: short port syntax', () => {
  const loc = new Locator({ file: 'c', value: null, lineOf: () => 7 }, [], ['p'], '');
  const port = (s: string) => {
    const p = parsePortSpec(s, loc);
    return p && [p.hostIP?.value, p.hostPort?.value, p.containerPort?.value, p.protocol];
  };
  assert.deepEqual(port('3000'), [undefined, 0, 3000, undefined]);
  assert.deepEqual(port('3000-3005'), [undefined, 0, 3000, undefined]);
  assert.deepEqual(port('8000:80'), [undefined, 8000, 80, undefined]);
  assert.deepEqual(port('9090-9091:8080-8081'), [undefined, 9090, 8080, undefined]);
  assert.deepEqual(port('127.0.0.1:8001:8001'), ['127.0.0.1', 8001, 8001, undefined]);
  assert.deepEqual(port('127.0.0.1::5000'), ['127.0.0.1', 0, 5000, undefined]);
  assert.deepEqual(port('[::1]:6001:6001'), ['::1', 6001, 6001, undefined]);
  assert.deepEqual(port('::1:6001:6001'), ['::1', 6001, 6001, undefined]);
  assert.deepEqual(port('6060:6060/udp'), [undefined, 6060, 6060, 'udp']);
  assert.equal(port('http'), undefined);
  assert.equal(port('[::1'), undefined);
  assert.deepEqual(parsePortSpec('80', loc)?.hostPort, { value: 0, field: 'p', line: 7 });
});

test('compose: long port syntax and ports as numbers', () => {
  const w = service(
    'ports:\n  - 3000\n  - target: 80\n    published: "8080-8081"\n    host_ip: 0.0.0.0\n  - target: 443\n  - {target: 53, published: 53, protocol: udp}',
  );
  assert.deepEqual(
    w.pod.containers[0]!.ports.map((p) => [
      p.hostIP?.value,
      p.hostPort?.value,
      p.hostPort?.field,
      p.containerPort?.value,
      p.protocol,
    ]),
    [
      [undefined, 0, 'services.s.ports[0]', 3000, undefined],
      ['0.0.0.0', 8080, 'services.s.ports[1].published', 80, undefined],
      [undefined, 0, 'services.s.ports[2].target', 443, undefined],
      [undefined, 53, 'services.s.ports[3].published', 53, 'udp'],
    ],
  );
});

test('compose: volume forms — short, long, anonymous, tmpfs, npipe, Windows drive paths', () => {
  const w = service(
    'volumes:\n  - /data\n  - ~/cfg:/cfg:ro,z\n  - ../src:/src\n  - "C:\\\\logs:/logs"\n  - cache:/cache:rw\n  - {type: tmpfs, target: /tmp}\n  - {type: npipe, source: "\\\\\\\\.\\\\pipe\\\\docker_engine", target: "\\\\\\\\.\\\\pipe\\\\docker_engine"}\n  - {type: volume, source: data, target: /d, read_only: "true"}',
  );
  assert.deepEqual(
    w.pod.volumes.map((v) => [v.type, v.hostPath?.path.value]),
    [
      ['volume', undefined],
      ['hostPath', '~/cfg'],
      ['hostPath', '../src'],
      ['hostPath', 'C:\\logs'],
      ['volume', undefined],
      ['tmpfs', undefined],
      ['npipe', '\\\\.\\pipe\\docker_engine'],
      ['volume', undefined],
    ],
  );
  assert.deepEqual(
    w.pod.containers[0]!.volumeMounts.map((m) => [m.mountPath, m.readOnly]),
    [
      ['/data', false],
      ['/cfg', true],
      ['/src', false],
      ['/logs', false],
      ['/cache', false],
      ['/tmp', false],
      ['\\\\.\\pipe\\docker_engine', false],
      ['/d', true],
    ],
  );
});

test('compose: security_opt forms', () => {
  const sc = (opts: string[]) => service(`security_opt: ${JSON.stringify(opts)}`).pod.containers[0]!.securityContext;
  assert.equal(sc(['seccomp=unconfined']).seccompProfile?.value, 'Unconfined');
  assert.equal(sc(['seccomp:unconfined']).seccompProfile?.value, 'Unconfined');
  assert.equal(sc(['seccomp=/etc/docker/profile.json']).seccompProfile?.value, 'Localhost');
  assert.equal(sc(['apparmor:unconfined']).appArmorProfile?.value, 'Unconfined');
  assert.equal(sc(['apparmor=docker-default']).appArmorProfile?.value, 'RuntimeDefault');
  assert.equal(sc(['no-new-privileges']).allowPrivilegeEscalation?.value, false);
  assert.equal(sc(['no-new-privileges=true']).allowPrivilegeEscalation?.value, false);
  assert.equal(sc(['no-new-privileges:false']).allowPrivilegeEscalation?.value, true);
  assert.equal(sc(['no-new-privileges:maybe']).allowPrivilegeEscalation, undefined);
  assert.equal(sc(['label=disable']).seLinuxOptions.type?.value, 'spc_t');
  assert.equal(sc(['label:type:svirt_apache_t']).seLinuxOptions.type?.value, 'svirt_apache_t');
  assert.equal(sc(['label=user:USER']).seLinuxOptions.user?.value, 'USER');
  assert.equal(sc(['systempaths=unconfined']).procMount?.value, 'Unmasked');
  assert.deepEqual(sc(['seccomp=unconfined', 'apparmor=unconfined']).appArmorProfile, {
    value: 'Unconfined',
    field: 'services.s.security_opt[1]',
    line: 3,
  });
});

test('compose: user, interpolated values, limit sources, sysctls as a list', () => {
  const c = (body: string) => service(body).pod.containers[0]!;
  assert.deepEqual([c('user: 1000').securityContext.runAsUser?.value, c('user: 1000').user?.value], [1000, '1000']);
  assert.equal(c('user: root').securityContext.runAsUser?.value, 0);
  assert.equal(c('user: "0:0"').securityContext.runAsUser?.value, 0);
  assert.deepEqual([c('user: app').securityContext.runAsUser, c('user: app').user?.value], [undefined, 'app']);
  assert.equal(c('privileged: "${PRIVILEGED:-false}"').securityContext.privileged, undefined);
  assert.equal(c('privileged: "true"').securityContext.privileged?.value, true);
  assert.equal(c('read_only: "False"').securityContext.readOnlyRootFilesystem?.value, false);
  const w = service(
    'cpus: 2\ncpu_quota: 50000\nmem_limit: 1g\npids_limit: "100"\ndeploy:\n  resources:\n    limits: {cpus: "0.5", memory: 512M, pids: 50}\nsysctls: ["net.core.somaxconn=1024", "net.ipv4.tcp_syncookies=0"]',
  );
  assert.deepEqual(
    [
      w.pod.containers[0]!.resources.limits.cpu?.value,
      w.pod.containers[0]!.resources.limits.memory?.value,
      w.pod.pidsLimit?.value,
      w.pod.pidsLimit?.field,
    ],
    ['0.5', '512M', 50, 'services.s.deploy.resources.limits.pids'],
  );
  assert.deepEqual(
    w.pod.securityContext.sysctls.map((s) => s.value),
    ['net.core.somaxconn', 'net.ipv4.tcp_syncookies'],
  );
  assert.equal(service('cpu_quota: 50000').pod.containers[0]!.resources.limits.cpu?.field, 'services.s.cpu_quota');
  assert.deepEqual(
    service('userns_mode: host\nipc: host\nnetwork_mode: "service:db"').pod.hostUsers?.field,
    'services.s.userns_mode',
  );
  assert.equal(service('network_mode: "service:db"').pod.hostNetwork, undefined);
});

test('compose: an empty service, and services with odd names', () => {
  const r = parseCompose('services:\n  empty:\n  "web.v2":\n    image: x\n', 'c.yaml');
  assert.deepEqual(
    r.workloads.map((w) => [w.name, w.pod.field]),
    [
      ['empty', 'services.empty'],
      ['web.v2', 'services["web.v2"]'],
    ],
  );
  assert.deepEqual(parseCompose('', 'c.yaml'), {
    workloads: [],
    skipped: [{ file: 'c.yaml', reason: 'empty compose file' }],
  });
  assert.equal(isComposeDocument({ services: {} }), true);
  assert.equal(isComposeDocument({ services: [] }), false);
  assert.equal(isComposeDocument({ apiVersion: 'v1', kind: 'X', services: {} }), false);
});

test('compose: wrong shapes are one-line errors with field and line', () => {
  assert.equal(
    errorOf('services:\n  web:\n    image: x\n    cap_add: SYS_ADMIN\n').message,
    'compose.yaml: service web: services.web.cap_add: expected a list, got "SYS_ADMIN" (line 4)',
  );
  assert.equal(errorOf('services: [web]\n').message, 'compose.yaml: services: expected a mapping of services (line 1)');
  assert.equal(
    errorOf('services:\n  web: nginx\n').message,
    'compose.yaml: service web: services.web: expected a mapping (line 2)',
  );
  assert.equal(
    errorOf('services:\n  web:\n    ports: [{target: 80, published: [1]}]\n').message,
    'compose.yaml: service web: services.web.ports[0].published: expected a number or a string, got a list (line 3)',
  );
  assert.equal(
    errorOf('services:\n  web:\n    user: [1]\n').message,
    'compose.yaml: service web: services.web.user: expected a string or a number, got a list (line 3)',
  );
  assert.equal(errorOf('- a\n').message, 'compose.yaml: expected a compose file (a mapping with services) (line 1)');
  assert.match(
    errorOf('services:\n  web:\n    image: [x\n').message,
    /^compose\.yaml: line \d+, column \d+: invalid YAML: /,
  );
});
