import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../src/core/tempdir.js';
import { bulwark } from '../support/fixtures.js';

// `bulwark scan config` and `bulwark checks list` as a user runs them: a directory with a
// Kubernetes Deployment, a compose file and a container-create body.

interface Check {
  checkId: string;
  severity: string;
  message: string;
  location: { path: string; line?: number; field?: string };
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      hostPID: true
      containers:
        - name: nginx
          image: nginx:1.27
          securityContext: { privileged: true }
`;
const SAFE_POD = `apiVersion: v1
kind: Pod
metadata: { name: safe }
spec:
  securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
  containers:
    - name: app
      image: app:1
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
`;
const COMPOSE = `services:
  agent:
    image: agent:1
    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]
`;
const CREATE = JSON.stringify({ Image: 'busybox', HostConfig: { NetworkMode: 'host', PidsLimit: 0 } });

test('scan config: Kubernetes, compose and create bodies; PSS levels; gate and formats', async () => {
  const tmp = await makeTempDir();
  try {
    const dir = join(tmp.path, 'cfg');
    mkdirSync(dir);
    writeFileSync(join(dir, 'web.yaml'), DEPLOYMENT);
    writeFileSync(join(dir, 'safe.yaml'), SAFE_POD);
    writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE);
    writeFileSync(join(dir, 'create.json'), CREATE);
    const r = bulwark(['scan', 'config', dir, '--pss', 'baseline', '-f', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const checks = (JSON.parse(r.stdout) as { checks: Check[] }).checks;
    const on = (file: string, id: string): Check[] =>
      checks.filter((c) => c.location.path.endsWith(file) && c.checkId === id);
    assert.equal(on('web.yaml', 'BW-WL-001').length, 1, 'privileged');
    assert.equal(on('web.yaml', 'BW-WL-001')[0]!.location.line, 13);
    assert.equal(on('web.yaml', 'BW-WL-003').length, 1, 'host PID');
    assert.ok(
      on('web.yaml', 'BW-PSS-001').some((c) => /privileged/.test(c.message)),
      'PSS baseline: privileged',
    );
    assert.ok(
      on('web.yaml', 'BW-PSS-001').some((c) => /host namespaces/i.test(c.message)),
      'PSS baseline: host namespaces',
    );
    assert.equal(on('docker-compose.yml', 'BW-WL-007').length, 1, 'docker.sock');
    assert.equal(on('create.json', 'BW-WL-002').length, 1, 'host network');
    assert.equal(
      checks.filter((c) => c.location.path.endsWith('safe.yaml') && c.checkId.startsWith('BW-PSS')).length,
      0,
      'the safe pod passes baseline',
    );
    const restricted = (
      JSON.parse(bulwark(['scan', 'config', join(dir, 'safe.yaml'), '--pss', 'restricted', '-f', 'json']).stdout) as {
        checks: Check[];
      }
    ).checks;
    assert.deepEqual(
      restricted.filter((c) => c.checkId.startsWith('BW-PSS')),
      [],
      'and restricted',
    );
    const webRestricted = (
      JSON.parse(bulwark(['scan', 'config', join(dir, 'web.yaml'), '--pss', 'restricted', '-f', 'json']).stdout) as {
        checks: Check[];
      }
    ).checks;
    assert.ok(
      webRestricted.some((c) => c.checkId === 'BW-PSS-002' && /runAsNonRoot/.test(c.message)),
      'restricted: non-root required',
    );
    assert.ok(!webRestricted.some((c) => c.checkId === 'BW-PSS-001'), 'one level at a time');

    const gate = bulwark(['scan', 'config', dir, '--severity', 'CRITICAL', '--exit-code', '4']);
    assert.equal(gate.code, 4);
    assert.match(gate.stdout, /BW-WL-001 +CRITICAL/);
    assert.doesNotMatch(gate.stdout, /BW-WL-003/, 'HIGH is filtered out');
    const sarif = JSON.parse(bulwark(['scan', 'config', dir, '-f', 'sarif']).stdout) as {
      runs: { tool: { driver: { rules: { id: string; properties: { tags: string[] } }[] } } }[];
    };
    const rule = sarif.runs[0]!.tool.driver.rules.find((x) => x.id === 'BW-WL-001')!;
    assert.ok(rule.properties.tags.includes('ElevationOfPrivilege') && rule.properties.tags.includes('T1611'));
    const bad = bulwark(['scan', 'config', join(dir, 'missing')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^bulwark: NOT_FOUND \(not found\): .*missing: no such file or directory\n$/);
  } finally {
    await tmp.remove();
  }
});

test('checks list: every check with its STRIDE threat and ATT&CK technique', () => {
  const r = bulwark(['checks', 'list', '-f', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const list = JSON.parse(r.stdout) as { id: string; stride: string; attack: string; targets: string[] }[];
  assert.equal(new Set(list.map((c) => c.id)).size, list.length, 'ids are unique');
  for (const c of list) {
    assert.match(c.attack, /^T\d{4}(\.\d{3})?$/, c.id);
    assert.ok(
      [
        'Spoofing',
        'Tampering',
        'Repudiation',
        'InformationDisclosure',
        'DenialOfService',
        'ElevationOfPrivilege',
      ].includes(c.stride),
      c.id,
    );
  }
  for (const prefix of ['BW-IMG-', 'BW-FS-', 'BW-SEC-', 'BW-WL-', 'BW-PSS-'])
    assert.ok(
      list.some((c) => c.id.startsWith(prefix)),
      prefix,
    );
  const table = bulwark(['checks', 'list', '--target', 'secret']);
  assert.match(table.stdout, /^ID +SEVERITY +STRIDE +ATT&CK +TARGETS +TITLE\n/);
  assert.doesNotMatch(table.stdout, /BW-WL-/);
});
