import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerReport, RuntimeFactsReport } from '../../../events/server-api.js';
import { custodyOf } from '../../store/custody.js';
import { eachDialect } from '../../store/dialects.testing.js';
import { listHosts } from '../../store/hosts.js';
import { putImageScan, type FindingRecord } from '../../store/images.js';
import type { Store } from '../../store/open.js';
import { bearer, testApp, testDeps } from '../deps.testing.js';

// The agent's view of a host through the API: register, full resync, deltas, and the ranked
// vulnerable-containers answer built from them and from stored scans.

const D_WEB = `sha256:${'a'.repeat(64)}`;
const D_DB = `sha256:${'b'.repeat(64)}`;
const D_CLEAN = `sha256:${'c'.repeat(64)}`;

const QUIET: RuntimeFactsReport = {
  publishedPorts: [],
  privileged: false,
  user: 'app',
  capAdd: [],
  hostNetwork: false,
  hostPid: false,
  hostIpc: false,
  hostMounts: [],
};

function report(id: string, digest: string, runtime: Partial<RuntimeFactsReport> = {}): ContainerReport {
  return {
    id,
    name: id,
    imageRef: `${id}:1`,
    imageDigest: digest,
    labels: { app: id },
    startedAt: '2026-12-01T10:00:00.000Z',
    runtime: { ...QUIET, ...runtime },
  };
}

function finding(advisoryId: string, severity: string, fixed?: string): FindingRecord {
  return {
    advisoryId,
    aliases: [],
    packagePurl: `pkg:deb/debian/lib-${advisoryId}@1`,
    packageName: `lib-${advisoryId}`,
    installed: '1',
    severity,
    ...(fixed ? { fixed } : {}),
  };
}

async function scans(store: Store): Promise<void> {
  await putImageScan(store, {
    digest: D_WEB,
    repoTags: ['web:1'],
    packages: [],
    findings: [finding('CVE-2024-0001', 'HIGH', '2'), finding('CVE-2024-0002', 'LOW')],
  });
  await putImageScan(store, {
    digest: D_DB,
    repoTags: ['db:1'],
    packages: [],
    findings: [finding('CVE-2024-0003', 'HIGH')],
  });
  await putImageScan(store, { digest: D_CLEAN, repoTags: ['clean:1'], packages: [], findings: [] });
}

eachDialect((d) => {
  test('agent API: register, resync, deltas; vulnerable containers ranked; a stopped one leaves the answer', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    await scans(store);
    const { app, deps } = testApp({}, testDeps(store));
    const agent = bearer('agent');

    const early = await app.inject({
      method: 'PUT',
      url: '/api/v1/hosts/node-1/containers',
      headers: agent,
      payload: { containers: [] },
    });
    assert.equal(early.statusCode, 404, 'containers before register');

    const reg = await app.inject({
      method: 'POST',
      url: '/api/v1/hosts/node-1/register',
      headers: agent,
      payload: { name: 'node-1.example', agentVersion: '0.9.0' },
    });
    assert.equal(reg.statusCode, 200, reg.body);
    assert.deepEqual(
      (await listHosts(store)).map((h) => [h.id, h.name, h.agentVersion]),
      [['node-1', 'node-1.example', '0.9.0']],
    );

    // web: fixable HIGH, published on 0.0.0.0, root; db: unfixable HIGH, quiet; clean: no findings
    const list = [
      report('db', D_DB),
      report('web', D_WEB, {
        user: '',
        publishedPorts: [{ containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 }],
      }),
      report('clean', D_CLEAN, { privileged: true }),
    ];
    const put = await app.inject({
      method: 'PUT',
      url: '/api/v1/hosts/node-1/containers',
      headers: agent,
      payload: { containers: list },
    });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json(), { running: 3, stopped: 0, firstSeen: 3 });
    const custody = await custodyOf(store, D_WEB);
    assert.deepEqual(
      custody.map((c) => [c.kind, c.actor, c.details.host, c.details.container]),
      [['first-run', 'agent user', 'node-1', 'web']],
    );

    const viewer = bearer('viewer');
    const ranked = await app.inject({
      url: '/api/v1/containers?vulnerable=true&severity=HIGH,CRITICAL',
      headers: viewer,
    });
    assert.equal(ranked.statusCode, 200, ranked.body);
    const body = ranked.json<{
      containers: { id: string; score: number; reasons: string[]; findings: { advisoryId: string }[] }[];
    }>();
    assert.deepEqual(
      body.containers.map((c) => c.id),
      ['web', 'db'],
      'web (fixable, exposed, root) above db; clean has no HIGH/CRITICAL finding',
    );
    assert.deepEqual(
      body.containers[0]!.findings.map((f) => f.advisoryId),
      ['CVE-2024-0001'],
      'LOW filtered out',
    );
    assert.ok(body.containers[0]!.reasons.includes('port 80/tcp published on 0.0.0.0'));
    assert.ok(body.containers[0]!.reasons.includes('runs as root'));
    assert.ok(body.containers[0]!.score > body.containers[1]!.score);
    const all = (await app.inject({ url: '/api/v1/containers', headers: viewer })).json<{
      containers: { id: string }[];
    }>();
    assert.deepEqual(all.containers.map((c) => c.id).sort(), ['clean', 'db', 'web']);

    // the agent reconnects: web is gone from its list → stopped, out of the answer
    const again = await app.inject({
      method: 'PUT',
      url: '/api/v1/hosts/node-1/containers',
      headers: agent,
      payload: { containers: [list[0], list[2]] },
    });
    assert.deepEqual(again.json(), { running: 2, stopped: 1, firstSeen: 0 });
    const after = (
      await app.inject({ url: '/api/v1/containers?vulnerable=true&severity=HIGH', headers: viewer })
    ).json<{ containers: { id: string }[] }>();
    assert.deepEqual(
      after.containers.map((c) => c.id),
      ['db'],
    );

    // deltas: db dies, web starts again (not a first run: the host had it before)
    const changes = await app.inject({
      method: 'POST',
      url: '/api/v1/hosts/node-1/containers/changes',
      headers: agent,
      payload: {
        changes: [
          { kind: 'die', time: '2026-12-01T11:00:00.000Z', id: 'db' },
          { kind: 'start', time: '2026-12-01T11:00:01.000Z', container: list[1] },
        ],
      },
    });
    assert.equal(changes.statusCode, 200, changes.body);
    const now = (await app.inject({ url: '/api/v1/containers?vulnerable=true', headers: viewer })).json<{
      containers: { id: string }[];
    }>();
    assert.deepEqual(
      now.containers.map((c) => c.id),
      ['web'],
    );
    assert.equal((await custodyOf(store, D_WEB)).length, 1);

    const bad = await app.inject({ url: '/api/v1/containers?severity=SEVERE', headers: viewer });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      deps.entries.filter((e) => e.outcome === 'success').map((e) => e.action),
      ['host.register', 'host.containers.resync', 'host.containers.resync', 'host.containers.change'],
    );
  });
});
