import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '../../src/core/tempdir.js';
import { TOKENS, testDeps } from '../../src/server/http/deps.testing.js';
import { serverLogger } from '../../src/server/http/logging.js';
import { serve, type RunningServer } from '../../src/server/http/serve.js';
import { upsertContainer } from '../../src/server/store/containers.js';
import { upsertHost } from '../../src/server/store/hosts.js';
import { openStore, type Store } from '../../src/server/store/open.js';
import { EXIT_UPLOAD } from '../../src/cli/exit.js';
import { have, requireAll } from '../support/require.js';
import { scannableImage, type ScannableImage } from '../support/scanned-image.js';

// Issue 15, items 2 and 5 from the command line: `bulwark scan image … --server` uploads its
// report to a real HTTPS server (the app on its real listener with a real SQLite store, in
// this process until the server process is wired to its store), then `bulwark query vuln`
// finds the one running container of that image.

const ROOT = join(import.meta.dirname, '..', '..');
let tmp: TempDir;
let img: ScannableImage;
let store: Store;
let server: RunningServer;

/** The CLI as a child process, without blocking this process (it serves the requests). */
function bulwark(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, BULWARK_DB: join(tmp.path, 'no-such.db'), BULWARK_TOKEN: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

const scanArgs = (): string[] => ['scan', 'image', `oci:${img.layout}`, '--db', img.dbPath, '--format', 'json', '-q'];
const serverArgs = (): string[] => ['--server', server.url, '--server-ca', server.tls.certFile];

before(async () => {
  tmp = await makeTempDir('bulwark-server-scan-');
  img = await scannableImage(tmp.path);
  store = await openStore({ dataDir: join(tmp.path, 'store') });
  server = await serve({
    dataDir: join(tmp.path, 'server'),
    listen: '127.0.0.1:0',
    logger: serverLogger({ level: 'silent' }),
    deps: testDeps(store),
  });
});
after(async () => {
  await server?.close();
  await store?.close();
  await tmp?.remove();
});

test('scan --server uploads, query vuln finds exactly the running container; the scan output is unchanged', async (t) => {
  if (!requireAll(t, { openssl: have('openssl') })) return;
  const plain = await bulwark(scanArgs());
  assert.equal(plain.code, 0, plain.stderr);
  const up = await bulwark([...scanArgs(), ...serverArgs()], { BULWARK_TOKEN: TOKENS.scanner });
  assert.equal(up.code, 0, up.stderr);
  assert.equal(up.stdout, plain.stdout);
  assert.equal(up.stderr, '');
  assert.ok(!`${up.stdout}${up.stderr}`.includes(TOKENS.scanner));
  const digest = (JSON.parse(up.stdout) as { artifact: { digest: string } }).artifact.digest;

  await upsertHost(store, { id: 'h1', name: 'node-1' });
  await upsertHost(store, { id: 'h2', name: 'node-2' });
  const run = (hostId: string, id: string, imageDigest: string) =>
    upsertContainer(store, {
      hostId,
      id,
      name: `/${id}`,
      imageDigest,
      imageRef: 'server-test:1',
      labels: {},
      state: 'running',
    });
  await run('h1', 'c0ffee0000000001', digest);
  await run('h2', 'c0ffee0000000002', `sha256:${'e'.repeat(64)}`);

  const q = await bulwark([
    'query',
    'vuln',
    'GHSA-SRV-LODASH',
    ...serverArgs(),
    '--token',
    TOKENS.viewer,
    '--format',
    'json',
  ]);
  assert.equal(q.code, 0, q.stderr);
  const rows = (JSON.parse(q.stdout) as { containers: Record<string, unknown>[] }).containers;
  assert.deepEqual(
    rows.map((r) => [
      r.hostName,
      r.containerId,
      r.imageDigest,
      r.packageName,
      r.installed,
      r.fixed,
      r.severity,
      r.cvssScore,
    ]),
    [['node-1', 'c0ffee0000000001', digest, 'lodash', '4.17.11', '4.17.12', 'CRITICAL', 9.8]],
  );
  const tableOut = await bulwark(['query', 'vuln', 'CVE-2099-0001', ...serverArgs(), '--token', TOKENS.admin]);
  assert.equal(tableOut.code, 0, tableOut.stderr);
  const lines = tableOut.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 2, tableOut.stdout);
  assert.match(
    lines[1]!,
    /^node-1\s+c0ffee0000000001 \(c0ffee000000\)\s+server-test:1\s+CVE-2099-0001\s+lodash\s+4\.17\.11\s+4\.17\.12\s+CRITICAL\s+9\.8$/,
  );
});

test('a failed upload: one line and exit 3, the report still written; a failed gate keeps its code', async (t) => {
  if (!requireAll(t, { openssl: have('openssl') })) return;
  const bad = await bulwark([...scanArgs(), ...serverArgs(), '--token', 'not-a-token']);
  assert.equal(bad.code, EXIT_UPLOAD, bad.stderr);
  assert.ok(JSON.parse(bad.stdout));
  assert.match(bad.stderr, /^bulwark: upload failed: UNAUTHENTICATED .*\n$/);
  assert.ok(!bad.stderr.includes('not-a-token'));
  const viewer = await bulwark([...scanArgs(), '--fail-on', 'HIGH', ...serverArgs(), '--token', TOKENS.viewer]);
  assert.equal(viewer.code, 1, viewer.stderr);
  assert.match(viewer.stderr, /upload failed: FORBIDDEN/);
  const untrusted = await bulwark([...scanArgs(), '--server', server.url, '--token', TOKENS.scanner]);
  assert.equal(untrusted.code, EXIT_UPLOAD);
  assert.match(untrusted.stderr, /upload failed: TLS /);
  const plainHttp = await bulwark([
    ...scanArgs(),
    '--server',
    'http://bulwark.example:8443',
    '--token',
    TOKENS.scanner,
  ]);
  assert.equal(plainHttp.code, 2);
  assert.equal(plainHttp.stdout, '');
  assert.match(plainHttp.stderr, /USAGE .*https:\/\//);
  const clash = await bulwark([...scanArgs(), '--exit-code', '3', ...serverArgs(), '--token', TOKENS.scanner]);
  assert.equal(clash.code, 2);
  assert.match(clash.stderr, /USAGE .*upload failed/);
  const noToken = await bulwark(['query', 'vuln', 'CVE-2099-0001', ...serverArgs()]);
  assert.equal(noToken.code, 2);
  assert.match(noToken.stderr, /BULWARK_TOKEN/);
});
