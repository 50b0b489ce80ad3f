import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BulwarkError } from '../../core/errors.js';
import { WORKLOAD_KINDS, parseKubernetes } from './kubernetes.js';
import { readJsonDocument } from './source.js';
import { kubernetesFromDocuments } from './kubernetes.js';

const fixtures = join(import.meta.dirname, 'fixtures', 'k8s');

function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, needle);
  return i + 1;
}

/** The one-line BulwarkError parsing throws. */
function errorOf(text: string, file = 'm.yaml'): BulwarkError {
  try {
    parseKubernetes(text, file);
  } catch (e) {
    assert.ok(e instanceof BulwarkError, `not a BulwarkError: ${String(e)}`);
    assert.equal(e.code, 'CORRUPT');
    assert.equal(e.input, file);
    assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
    return e;
  }
  assert.fail(`accepted: ${text}`);
}

test('kubernetes: a multi-document file — the Deployment read, the Service and ConfigMap skipped with reasons', () => {
  const file = join(fixtures, 'web.yaml');
  const text = readFileSync(file, 'utf8');
  const r = parseKubernetes(text, file);
  assert.deepEqual(
    r.skipped.map((s) => [s.kind, s.name, s.line, s.reason]),
    [
      ['Service', 'web', lineOf(text, 'kind: Service') - 1, 'kind has no pod template'],
      ['ConfigMap', 'web-config', lineOf(text, 'kind: ConfigMap') - 1, 'kind has no pod template'],
    ],
  );
  assert.equal(r.workloads.length, 1);
  const w = r.workloads[0]!;
  assert.deepEqual(
    [w.target, w.kind, w.name, w.namespace, w.source],
    ['kubernetes', 'Deployment', 'web', 'shop', { file, line: lineOf(text, 'kind: Deployment') - 1 }],
  );
  const p = w.pod;
  assert.equal(p.field, 'spec.template.spec');
  assert.deepEqual(p.hostNetwork, {
    value: true,
    field: 'spec.template.spec.hostNetwork',
    line: lineOf(text, 'hostNetwork: true'),
  });
  assert.deepEqual(p.securityContext.runAsUser, {
    value: 10001,
    field: 'spec.template.spec.securityContext.runAsUser',
    line: lineOf(text, 'runAsUser: 10001'),
  });
  assert.equal(p.securityContext.seccompProfile?.value, 'RuntimeDefault');
  assert.deepEqual(
    [p.containers.map((c) => c.name), p.initContainers.map((c) => [c.name, c.role])],
    [['web', 'log-shipper'], [['migrate', 'initContainer']]],
  );
  const [web, shipper] = p.containers;
  assert.deepEqual(web!.securityContext.capabilities.add, [
    {
      value: 'NET_BIND_SERVICE',
      field: 'spec.template.spec.containers[0].securityContext.capabilities.add[0]',
      line: lineOf(text, 'add: ["NET_BIND_SERVICE"]'),
    },
  ]);
  assert.equal(web!.resources.limits.cpu?.value, '1');
  assert.equal(web!.resources.limits.memory?.value, '512Mi');
  assert.deepEqual(
    web!.ports.map((x) => [x.containerPort?.value, x.hostPort]),
    [[8080, undefined]],
  );
  assert.equal(web!.line, lineOf(text, '- name: web'));
  assert.deepEqual(shipper!.securityContext.privileged, {
    value: true,
    field: 'spec.template.spec.containers[1].securityContext.privileged',
    line: lineOf(text, 'privileged: true'),
  });
  assert.deepEqual(
    shipper!.volumeMounts.map((m) => [m.name, m.mountPath, m.readOnly]),
    [
      ['varlog', '/var/log', true],
      ['docker-sock', '/var/run/docker.sock', false],
    ],
  );
  assert.deepEqual(
    p.volumes.map((v) => [v.name, v.type, v.hostPath?.path.value, v.hostPath?.type?.value]),
    [
      ['tmp', 'emptyDir', undefined, undefined],
      ['varlog', 'hostPath', '/var/log', undefined],
      ['docker-sock', 'hostPath', '/var/run/docker.sock', 'Socket'],
    ],
  );
  const ann = p.annotations.get('container.apparmor.security.beta.kubernetes.io/log-shipper');
  assert.deepEqual(ann, {
    value: 'unconfined',
    field: 'spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/log-shipper"]',
    line: lineOf(text, 'container.apparmor'),
  });
});

test('kubernetes: CronJob pod template under jobTemplate; StatefulSet with init container, sysctls, hostPort', () => {
  const cron = readFileSync(join(fixtures, 'cronjob.yaml'), 'utf8');
  const [c] = parseKubernetes(cron, 'cronjob.yaml').workloads;
  assert.deepEqual([c!.kind, c!.name, c!.namespace], ['CronJob', 'nightly-report', 'reporting']);
  const report = c!.pod.containers[0]!;
  assert.equal(report.field, 'spec.jobTemplate.spec.template.spec.containers[0]');
  assert.deepEqual(report.securityContext.allowPrivilegeEscalation, {
    value: true,
    field: 'spec.jobTemplate.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation',
    line: lineOf(cron, 'allowPrivilegeEscalation'),
  });
  assert.match(report.image!.value, /@sha256:/);

  const sts = readFileSync(join(fixtures, 'statefulset.yaml'), 'utf8');
  const [s] = parseKubernetes(sts, 'statefulset.yaml').workloads;
  assert.deepEqual(s!.pod.securityContext.sysctls, [
    {
      value: 'net.core.somaxconn',
      field: 'spec.template.spec.securityContext.sysctls[0].name',
      line: lineOf(sts, '- name: net.core.somaxconn'),
    },
  ]);
  assert.equal(s!.pod.initContainers[0]!.securityContext.privileged?.value, true);
  assert.deepEqual(s!.pod.containers[0]!.ports[0]!.hostPort, {
    value: 6379,
    field: 'spec.template.spec.containers[0].ports[0].hostPort',
    line: lineOf(sts, 'hostPort: 6379'),
  });
});

test('kubernetes: kind List in JSON — items read with paths relative to each item, lines from the JSON text', () => {
  const file = join(fixtures, 'list.json');
  const text = readFileSync(file, 'utf8');
  const r = kubernetesFromDocuments([readJsonDocument(text, file)]);
  assert.deepEqual(
    r.workloads.map((w) => `${w.kind}/${w.name}`),
    ['Pod/debug-7f9c', 'ReplicaSet/web-5d8f'],
  );
  assert.deepEqual(
    r.skipped.map((s) => [s.kind, s.reason]),
    [['Service', 'kind has no pod template']],
  );
  const [pod, rs] = r.workloads;
  assert.deepEqual(pod!.pod.hostPID, { value: true, field: 'spec.hostPID', line: lineOf(text, '"hostPID"') });
  assert.equal(
    pod!.pod.containers[0]!.securityContext.privileged?.field,
    'spec.containers[0].securityContext.privileged',
  );
  assert.equal(rs!.pod.containers[0]!.ports[0]!.hostPort?.line, lineOf(text, '"hostPort": 8080'));
  assert.equal(rs!.source.line, lineOf(text, '"apiVersion": "apps/v1"') - 1);
  // the same text read as YAML gives the same workloads
  assert.deepEqual(
    parseKubernetes(text, file).workloads.map((w) => w.pod.containers[0]!.name),
    ['shell', 'web'],
  );
});

test('kubernetes: every pod-template kind, by its own path', () => {
  const spec = 'spec: {containers: [{name: c, image: x, securityContext: {privileged: true}}]}';
  const docs: Record<string, string> = {
    Pod: `apiVersion: v1\nkind: Pod\nmetadata: {name: n}\n${spec}\n`,
    PodTemplate: `apiVersion: v1\nkind: PodTemplate\nmetadata: {name: n}\ntemplate:\n  ${spec}\n`,
    CronJob: `apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: n}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        ${spec}\n`,
  };
  for (const kind of ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicationController'])
    docs[kind] = `apiVersion: v1\nkind: ${kind}\nmetadata: {name: n}\nspec:\n  template:\n    ${spec}\n`;
  assert.deepEqual(Object.keys(docs).sort(), [...WORKLOAD_KINDS].sort());
  const expected: Record<string, string> = {
    Pod: 'spec',
    PodTemplate: 'template.spec',
    CronJob: 'spec.jobTemplate.spec.template.spec',
  };
  for (const [kind, text] of Object.entries(docs)) {
    const [w] = parseKubernetes(text, 'k.yaml').workloads;
    const prefix = expected[kind] ?? 'spec.template.spec';
    assert.equal(
      w?.pod.containers[0]?.securityContext.privileged?.field,
      `${prefix}.containers[0].securityContext.privileged`,
      kind,
    );
  }
});

test('kubernetes: skipped — no apiVersion/kind, a controller without a template, other kinds; empty documents ignored', () => {
  const text =
    '---\n---\nfoo: bar\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 1}\n---\napiVersion: v1\nkind: Secret\nmetadata: {generateName: s-}\n---\n- a\n- b\n';
  const r = parseKubernetes(text, 'm.yaml');
  assert.deepEqual(r.workloads, []);
  assert.deepEqual(
    r.skipped.map((s) => [s.line, s.kind, s.name, s.reason]),
    [
      [3, undefined, undefined, 'not a Kubernetes object (no apiVersion and kind)'],
      [5, 'Deployment', 'd', 'no pod template at spec.template'],
      [10, 'Secret', 's-*', 'kind has no pod template'],
      [14, undefined, undefined, 'not a Kubernetes object (no apiVersion and kind)'],
    ],
  );
  assert.deepEqual(parseKubernetes('', 'e.yaml'), { workloads: [], skipped: [] });
  assert.deepEqual(parseKubernetes('# only a comment\n', 'e.yaml'), { workloads: [], skipped: [] });
});

test('kubernetes: an empty volume defaults to emptyDir; unnamed containers get their index', () => {
  const [w] = parseKubernetes(
    'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes: [{name: a}, {name: b, nfs: {server: s, path: /x}}, {name: c, configMap: null, secret: {secretName: s}}]\n  containers: [{image: x}]\n',
    'p.yaml',
  ).workloads;
  assert.deepEqual(
    w!.pod.volumes.map((v) => v.type),
    ['emptyDir', 'nfs', 'secret'],
  );
  assert.equal(w!.pod.containers[0]!.name, '#0');
});

test('kubernetes: wrong types are one-line errors naming the resource, the field and its line', () => {
  const text =
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          securityContext:\n            privileged: "yes"\n';
  assert.equal(
    errorOf(text).message,
    'm.yaml: Deployment/web: spec.template.spec.containers[0].securityContext.privileged: expected true or false, got "yes" (line 11)',
  );
  assert.equal(
    errorOf('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: {name: a}\n').message,
    'm.yaml: Pod/p: spec.containers: expected a list, got a mapping (line 5)',
  );
  assert.equal(
    errorOf('apiVersion: v1\nkind: Pod\nmetadata: [x]\n').message,
    'm.yaml: Pod: metadata: expected a mapping, got a list (line 3)',
  );
  assert.equal(
    errorOf(
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      ports: [{containerPort: 80, hostPort: 80.5}]\n',
    ).message,
    'm.yaml: Pod/p: spec.containers[0].ports[0].hostPort: expected a whole number, got 80.5 (line 7)',
  );
  assert.equal(
    errorOf('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template: [1]\n').message,
    'm.yaml: Deployment/d: spec.template: expected a mapping (the pod template) (line 5)',
  );
});

test('kubernetes: malformed YAML is a one-line error with its line', () => {
  assert.match(
    errorOf('apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n').message,
    /^m\.yaml: line 5, column 1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a \]$/,
  );
  assert.match(
    errorOf('apiVersion: v1\nkind: Pod\nkind: Pod\n').message,
    /^m\.yaml: line 3, column 1: invalid YAML: Map keys must be unique/,
  );
  assert.equal(
    errorOf('a: 1\nb: *nope\n').message,
    'm.yaml: invalid YAML: Unresolved alias (the anchor must be set before the alias): nope (line 2, column 4)',
  );
  assert.match(errorOf('\tkey: value\n').message, /^m\.yaml: line 1, column 1: invalid YAML: /);
  // alias bombs stop at the alias limit
  const bomb = [
    'a: &a [x, x, x, x, x, x, x, x, x, x]',
    ...Array.from(
      { length: 9 },
      (_, i) =>
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
    ),
  ].join('\n');
  assert.match(errorOf(bomb).message, /invalid YAML: .*alias/i);
});

test('kubernetes: merge keys work; __proto__ keys stay data', () => {
  const text =
    'x-common: &c {privileged: true}\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {__proto__: x, a: b}\nspec:\n  containers:\n    - name: a\n      securityContext:\n        <<: *c\n';
  const [w] = parseKubernetes(text, 'p.yaml').workloads;
  assert.equal(w!.pod.containers[0]!.securityContext.privileged?.value, true);
  assert.deepEqual([...w!.pod.annotations.keys()], ['__proto__', 'a']);
  assert.equal(({} as Record<string, unknown>).x, undefined);
});
