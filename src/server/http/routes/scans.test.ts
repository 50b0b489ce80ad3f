import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTempDir, type TempDir } from '../../../core/tempdir.js';
import { jsonReportOf, scannableImage } from '../../../../test/support/scanned-image.js';
import { upsertContainer } from '../../store/containers.js';
import { eachDialect } from '../../store/dialects.testing.js';
import { upsertHost } from '../../store/hosts.js';
import type { Store } from '../../store/open.js';
import { runningContainersWithAdvisory } from '../../store/vulnerable.js';
import { bearer, testApp, testDeps } from '../deps.testing.js';

// A real report (the scanner on a small OCI image with two vulnerable npm packages) uploaded,
// then the image and the vulnerability asked for, on SQLite and PostgreSQL.

let tmp: TempDir;
let report: Record<string, unknown>;
let digest: string;

before(async () => {
  tmp = await makeTempDir('bulwark-scans-route-');
  report = await jsonReportOf(await scannableImage(tmp.path));
  digest = (report.artifact as { digest: string }).digest;
});
after(async () => {
  await tmp.remove();
});

const upload = (store: Store, body: unknown, role: 'scanner' | 'admin' | 'viewer' = 'scanner') => {
  const ctx = testApp({}, testDeps(store));
  return {
    ctx,
    answer: ctx.app.inject({ method: 'POST', url: '/api/v1/scans', headers: bearer(role), payload: body as object }),
  };
};

async function runContainer(store: Store, host: string, id: string, imageDigest: string): Promise<void> {
  await upsertHost(store, { id: host, name: `${host}.example` });
  await upsertContainer(store, {
    hostId: host,
    id,
    name: `/${id}`,
    imageDigest,
    imageRef: 'server-test:1',
    labels: {},
    state: 'running',
  });
}

eachDialect((d) => {
  test('upload → image with findings and custody; a retry stores once; the CVE finds exactly its container', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    const { ctx, answer } = upload(store, { report, tool: { name: 'bulwark', version: '0.1.0' } });
    const first = await answer;
    assert.equal(first.statusCode, 201, first.body);
    assert.deepEqual(
      { ...first.json<object>(), report: undefined },
      { digest, report: undefined, stored: true, packages: 2, findings: 2 },
    );
    const again = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/scans',
      headers: bearer('admin'),
      payload: { report },
    });
    assert.equal(again.statusCode, 201);
    assert.equal(again.json().stored, false);
    assert.equal(again.json().report, first.json().report);
    assert.equal(ctx.deps.entries.filter((e) => e.action === 'scan.upload').length, 2);
    assert.equal(ctx.deps.entries[0]!.detail!.digest, digest);

    const image = await ctx.app.inject({ url: `/api/v1/images/${digest}?limit=1`, headers: bearer('viewer') });
    assert.equal(image.statusCode, 200, image.body);
    const v = image.json();
    assert.deepEqual(v.repoTags, ['server-test:1']);
    assert.deepEqual(v.inventory.byEcosystem, [{ ecosystem: 'npm', packages: 2 }]);
    assert.equal(v.findings.total, 2);
    assert.equal(v.findings.bySeverity.CRITICAL, 1);
    assert.equal(v.findings.bySeverity.MEDIUM, 1);
    assert.equal(v.findings.truncated, true);
    assert.deepEqual(
      v.findings.items.map((f: { advisoryId: string; fixed: string; cvssScore: number }) => [
        f.advisoryId,
        f.fixed,
        f.cvssScore,
      ]),
      [['CVE-2099-0001', '4.17.12', 9.8]],
    );
    // stored once: one custody entry for two uploads
    assert.equal(v.custody.length, 1);
    assert.equal(v.custody[0].kind, 'scanned');
    assert.equal(v.custody[0].actor, 'scanner user');
    assert.equal(v.custody[0].details.tool, 'bulwark 0.1.0');

    // the same image running on h1; another image running on h2; a stopped one on h1
    const other = `sha256:${'e'.repeat(64)}`;
    await runContainer(store, 'h1', 'c-vuln', digest);
    await runContainer(store, 'h2', 'c-other', other);
    await upsertHost(store, { id: 'h1', name: 'h1.example' });
    await upsertContainer(store, {
      hostId: 'h1',
      id: 'c-stopped',
      name: '/c-stopped',
      imageDigest: digest,
      imageRef: 'server-test:1',
      labels: {},
      state: 'stopped',
    });
    for (const id of ['CVE-2099-0001', 'GHSA-SRV-LODASH']) {
      const q = await ctx.app.inject({ url: `/api/v1/vulnerabilities/${id}/containers`, headers: bearer('viewer') });
      assert.equal(q.statusCode, 200, q.body);
      const rows = q.json().containers;
      assert.deepEqual(
        rows.map((r: Record<string, unknown>) => [
          r.hostName,
          r.containerId,
          r.imageDigest,
          r.packageName,
          r.installed,
          r.fixed,
          r.severity,
          r.cvssScore,
        ]),
        [['h1.example', 'c-vuln', digest, 'lodash', '4.17.11', '4.17.12', 'CRITICAL', 9.8]],
        id,
      );
      assert.deepEqual(rows[0].repoTags, ['server-test:1']);
      assert.equal(q.json().next, undefined);
    }
    const none = await ctx.app.inject({
      url: '/api/v1/vulnerabilities/CVE-2000-0001/containers',
      headers: bearer('admin'),
    });
    assert.deepEqual(none.json().containers, []);
  });

  test('a racing retry stores once; the vulnerability query pages with limit and cursor, in the same order', async (t) => {
    const store = await d.open(t);
    if (!store) return;
    // the same report twice at once: one stores, the other finds it stored
    const { ctx, answer } = upload(store, { report });
    const racing = ctx.app.inject({
      method: 'POST',
      url: '/api/v1/scans',
      headers: bearer('scanner'),
      payload: { report },
    });
    const both = await Promise.all([answer, racing]);
    assert.deepEqual(
      both.map((a) => a.statusCode),
      [201, 201],
    );
    assert.deepEqual(both.map((a) => a.json().stored).sort(), [false, true]);
    const image = (await ctx.app.inject({ url: `/api/v1/images/${digest}`, headers: bearer('viewer') })).json();
    assert.equal(image.custody.length, 1);
    // ids whose order differs between code points and a locale collation (PostgreSQL's default)
    const hosts = ['h-b', 'H_a', 'h_A', 'hB'];
    for (let i = 0; i < 6; i++)
      await runContainer(store, hosts[i % hosts.length]!, `c${i % 2 ? 'B' : 'a'}-${i}`, digest);
    const url = '/api/v1/vulnerabilities/CVE-2099-0002/containers';
    const whole = (await ctx.app.inject({ url, headers: bearer('viewer') })).json().containers;
    assert.equal(whole.length, 6);
    // the database's page order is the store's own (code-unit) order of the whole answer
    assert.deepEqual(whole, await runningContainersWithAdvisory(store, 'CVE-2099-0002'));
    const seen: unknown[] = [];
    let cursor: string | undefined;
    do {
      const q = `${url}?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await ctx.app.inject({ url: q, headers: bearer('viewer') })).json();
      assert.ok(page.containers.length <= 2);
      seen.push(...page.containers);
      cursor = page.next;
    } while (cursor);
    assert.deepEqual(seen, whole);
    const bad = await ctx.app.inject({ url: `${url}?cursor=nope`, headers: bearer('viewer') });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'INVALID_REQUEST');
  });
});

test('uploads refused: no digest, malformed, oversized, wrong role; unknown and malformed digests', async (t) => {
  const dir = await makeTempDir('bulwark-scans-refuse-');
  t.after(() => dir.remove());
  const { openStore } = await import('../../store/open.js');
  const store = await openStore({ dataDir: dir.path });
  t.after(() => store.close());
  const { app } = testApp({}, testDeps(store));
  const post = (payload: unknown, role: 'scanner' | 'viewer' = 'scanner', headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/scans',
      headers: { ...bearer(role), 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  const artifact = report.artifact as Record<string, unknown>;
  const noDigest = await post({ report: { ...report, artifact: { ...artifact, digest: undefined } } });
  assert.equal(noDigest.statusCode, 400);
  assert.equal(noDigest.json().error.code, 'MISSING_FIELD');
  const badDigest = await post({ report: { ...report, artifact: { ...artifact, digest: 'sha256:abc' } } });
  assert.equal(badDigest.json().error.code, 'INVALID_REQUEST');
  assert.equal(badDigest.json().error.path, 'body.report.artifact.digest');
  const notJson = await post('{"report": ');
  assert.equal(notJson.statusCode, 400);
  assert.equal(notJson.json().error.code, 'INVALID_REQUEST');
  const wrongShape = await post({ report: { ...report, packages: 'many' } });
  assert.equal(wrongShape.json().error.path, 'body.report.packages');
  const extra = await post({ report, admin: true });
  assert.equal(extra.json().error.code, 'INVALID_REQUEST');
  const huge = await post({ report: { ...report, padding: 'x'.repeat(33 << 20) } });
  assert.equal(huge.statusCode, 413);
  assert.equal(huge.json().error.code, 'TOO_LARGE');
  const viewer = await post({ report }, 'viewer');
  assert.equal(viewer.statusCode, 403);
  const unknown = await app.inject({ url: `/api/v1/images/sha256:${'0'.repeat(64)}`, headers: bearer('viewer') });
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json().error.code, 'NOT_FOUND');
  const malformed = await app.inject({ url: '/api/v1/images/latest', headers: bearer('viewer') });
  assert.equal(malformed.statusCode, 400);
  assert.equal(malformed.json().error.path, 'params.digest');
});
