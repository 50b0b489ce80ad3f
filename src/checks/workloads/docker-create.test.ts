import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BulwarkError } from '../../core/errors.js';
import { isDockerCreateBody, parseDockerCreate } from './docker-create.js';

const fixture = join(import.meta.dirname, 'fixtures', 'docker', 'create-body.json');

function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, needle);
  return i + 1;
}

function errorOf(text: string): BulwarkError {
  try {
    parseDockerCreate(text, 'body.json');
  } catch (e) {
    assert.ok(e instanceof BulwarkError, String(e));
    assert.equal(e.code, 'CORRUPT');
    assert.equal(e.input, 'body.json');
    assert.ok(!e.message.includes('\n'), e.message);
    return e;
  }
  assert.fail('accepted');
}

test('docker create: the fixture body mapped onto the model, with fields and lines', () => {
  const text = readFileSync(fixture, 'utf8');
  const w = parseDockerCreate(text, fixture);
  assert.deepEqual(
    [w.target, w.kind, w.name, w.source],
    ['docker-create', 'DockerContainer', 'create-body', { file: fixture, line: 1 }],
  );
  const p = w.pod;
  const c = p.containers[0]!;
  assert.deepEqual(c.image, { value: 'docker.io/library/nginx:1.27', field: 'Image', line: 2 });
  assert.deepEqual(
    [c.user?.value, c.securityContext.runAsUser?.value, c.securityContext.runAsUser?.field],
    ['root', 0, 'User'],
  );
  assert.deepEqual(
    [p.hostPID?.value, p.hostPID?.field, p.hostPID?.line, p.hostNetwork, p.hostIPC],
    [true, 'HostConfig.PidMode', lineOf(text, '"PidMode"'), undefined, undefined],
  );
  assert.deepEqual(p.hostUsers, { value: true, field: 'HostConfig.UsernsMode', line: lineOf(text, '"UsernsMode"') });
  assert.deepEqual(c.securityContext.privileged?.value, false);
  assert.deepEqual(
    c.securityContext.capabilities.add.map((a) => [a.value, a.field]),
    [
      ['NET_ADMIN', 'HostConfig.CapAdd[0]'],
      ['CAP_CHOWN', 'HostConfig.CapAdd[1]'],
    ],
  );
  assert.deepEqual(
    [c.securityContext.seccompProfile?.value, c.securityContext.seLinuxOptions.type?.value],
    ['Unconfined', 'spc_t'],
  );
  assert.deepEqual(
    p.volumes.map((v) => [v.name, v.type, v.hostPath?.path.value, v.field]),
    [
      ['/etc', 'hostPath', '/etc', 'HostConfig.Binds[0]'],
      ['nginx-cache', 'volume', undefined, 'HostConfig.Binds[1]'],
      ['/var/run/docker.sock', 'hostPath', '/var/run/docker.sock', 'HostConfig.Mounts[0]'],
      ['volume-3', 'tmpfs', undefined, 'HostConfig.Mounts[1]'],
    ],
  );
  assert.deepEqual(
    c.volumeMounts.map((m) => [m.mountPath, m.readOnly]),
    [
      ['/host-etc', true],
      ['/var/cache/nginx', false],
      ['/var/run/docker.sock', true],
      ['/run', false],
    ],
  );
  assert.deepEqual(
    [c.resources.limits.memory?.value, c.resources.limits.cpu?.value, p.pidsLimit?.value],
    [268435456, 0, -1],
  );
  assert.deepEqual(
    c.ports.map((x) => [x.containerPort?.value, x.hostPort?.value, x.hostIP?.value, x.protocol, x.hostPort?.field]),
    [
      [80, 8080, undefined, 'tcp', 'HostConfig.PortBindings["80/tcp"][0].HostPort'],
      [443, 8443, '127.0.0.1', 'tcp', 'HostConfig.PortBindings["443/tcp"][0].HostPort'],
    ],
  );
  assert.equal(parseDockerCreate(text, fixture, 'web').name, 'web');
});

test('docker create: PublishAllPorts publishes every exposed port on a random host port; CPU quota; sysctls', () => {
  const w = parseDockerCreate(
    JSON.stringify({
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      HostConfig: {
        PublishAllPorts: true,
        CpuQuota: 50000,
        PortBindings: { '80/tcp': [{ HostPort: '' }] },
        Sysctls: { 'net.ipv4.ip_forward': '1' },
      },
    }),
    'b.json',
  );
  const c = w.pod.containers[0]!;
  assert.deepEqual(
    c.ports.map((p) => [p.containerPort?.value, p.hostPort?.value, p.hostPort?.field]),
    [
      [80, 0, 'HostConfig.PortBindings["80/tcp"][0]'],
      [53, 0, 'HostConfig.PublishAllPorts'],
    ],
  );
  assert.deepEqual([c.resources.limits.cpu?.value, c.resources.limits.cpu?.field], [50000, 'HostConfig.CpuQuota']);
  assert.deepEqual(
    w.pod.securityContext.sysctls.map((s) => s.value),
    ['net.ipv4.ip_forward'],
  );
  assert.equal(
    parseDockerCreate(JSON.stringify({ HostConfig: { NanoCpus: 1500000000 } }), 'b.json').pod.containers[0]!.resources
      .limits.cpu?.value,
    1.5,
  );
  // no HostConfig at all: a container with Docker's defaults
  const bare = parseDockerCreate('{"Image": "alpine"}', 'b.json');
  assert.deepEqual([bare.pod.volumes, bare.pod.containers[0]!.ports, bare.pod.pidsLimit], [[], [], undefined]);
});

test('docker create: recognised by HostConfig', () => {
  assert.equal(isDockerCreateBody({ Image: 'x', HostConfig: {} }), true);
  assert.equal(isDockerCreateBody({ Image: 'x' }), false);
  assert.equal(isDockerCreateBody({ HostConfig: {}, kind: 'Pod' }), false);
  assert.equal(isDockerCreateBody([{ HostConfig: {} }]), false);
});

test('docker create: malformed JSON is a one-line error with line and column', () => {
  assert.match(
    errorOf('{\n  "HostConfig": {\n    "Privileged": true,\n  }\n}\n').message,
    /^body\.json: (?:line 4, column 3: )?invalid JSON: /,
  );
  assert.match(errorOf('{"a": 1').message, /^body\.json: (?:line 1, column \d+: )?invalid JSON: /);
  assert.match(errorOf('').message, /^body\.json: invalid JSON: Unexpected end of JSON input$/);
  assert.equal(
    errorOf('[1, 2]').message,
    'body.json: container body: expected a JSON object (a container-create body) (line 1)',
  );
});

test('docker create: wrong types name the field and its line', () => {
  assert.equal(
    errorOf('{\n  "HostConfig": {\n    "Privileged": "yes"\n  }\n}\n').message,
    'body.json: container body: HostConfig.Privileged: expected true or false, got "yes" (line 3)',
  );
  assert.equal(
    errorOf('{"HostConfig": {"Binds": "/:/host"}}').message,
    'body.json: container body: HostConfig.Binds: expected a list, got "/:/host" (line 1)',
  );
  assert.equal(
    errorOf('{"HostConfig": {"Memory": 1.5}}').message,
    'body.json: container body: HostConfig.Memory: expected a whole number, got 1.5 (line 1)',
  );
  assert.equal(
    errorOf('{"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": 8080}]}}}').message,
    'body.json: container body: HostConfig.PortBindings["80/tcp"][0].HostPort: expected a string, got 8080 (line 1)',
  );
  assert.equal(
    errorOf('{"HostConfig": {"PortBindings": [1]}}').message,
    'body.json: container body: HostConfig.PortBindings: expected a mapping (line 1)',
  );
});
