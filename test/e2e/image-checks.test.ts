import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '../../src/core/tempdir.js';
import tarStream from 'tar-stream';
import { buildImage, engineUp, importRootfs, removeImage, saveImage } from '../support/engine.js';
import { bulwark, run } from '../support/fixtures.js';
import { requireAll } from '../support/require.js';

// Acceptance 4 of the checks issue: an image built by the real Docker Engine with a root
// user, an exposed port 22, a secret in ENV, a private key file and a SUID binary reports
// each of them, with the layer that introduced it, in every report format — and the
// secrets never unmasked.

const TAG = 'bulwark-e2e/checks:1';
const BASE = 'bulwark-e2e/checks-base:1';
// synthetic credentials in the documented formats (not the documented example values)
const ACCESS_KEY_ID = 'AKIA2E0A8F3B244C9986';
const SECRET_KEY = 'q7Rf3kZp9XvB2mWcLs8TnYd4Hj6GaE1uQo0VrKxi';

let tmp: TempDir;
let archive = '';
let privateKey = '';

before(async () => {
  if (!(await engineUp())) return;
  tmp = await makeTempDir();
  run('openssl', ['genrsa', '-out', join(tmp.path, 'id_rsa'), '2048']);
  privateKey = readFileSync(join(tmp.path, 'id_rsa'), 'utf8');
  // the engine's COPY drops set-id bits: the SUID file comes in an imported base layer, whose modes are kept
  const base = tarStream.pack();
  base.entry({ name: 'etc/os-release', mode: 0o644 }, 'ID=alpine\nVERSION_ID=3.19.1\n');
  base.entry({ name: 'usr/local/bin/helper', mode: 0o4755 }, '\x7fELF not really a program\n');
  base.finalize();
  await importRootfs(base as unknown as NodeJS.ReadableStream, 'bulwark-e2e/checks-base', '1');
  await buildImage(TAG, {
    Dockerfile: [
      `FROM ${BASE}`,
      `ENV AWS_ACCESS_KEY_ID=${ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY=${SECRET_KEY}`,
      'EXPOSE 22/tcp 8080/tcp',
      'COPY id_rsa /root/.ssh/id_rsa',
      'CMD ["/usr/local/bin/helper"]',
    ].join('\n'),
    id_rsa: privateKey,
  });
  archive = join(tmp.path, 'checks.tar');
  await saveImage(TAG, archive);
});

after(async () => {
  if (!archive) return;
  await removeImage(TAG);
  await removeImage(BASE);
  await tmp.remove();
});

interface Check {
  checkId: string;
  severity: string;
  message: string;
  evidence?: string;
  location: { path: string; field?: string; layer?: { index: number; diffId: string } };
}

test('root user, port 22, an ENV secret, a private key and a SUID binary are each reported with their layer', async (t) => {
  if (
    !requireAll(t, {
      'Docker Engine (dockerd on /var/run/docker.sock)': await engineUp(),
      'fixture image built and saved (before hook)': archive !== '',
    })
  )
    return;
  const r = bulwark(['scan', 'image', archive, '--scanners', 'secret,misconfig', '-f', 'json', '-q', '--no-cache']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    checks: Check[];
    layers: { index: number; diffId: string; createdBy?: string }[];
  };
  const layerOf = (re: RegExp): number => doc.layers.find((l) => re.test(l.createdBy ?? ''))!.index;
  const one = (id: string, where: (c: Check) => boolean): Check => {
    const found = doc.checks.filter((c) => c.checkId === id && where(c));
    assert.equal(found.length, 1, `${id}: ${JSON.stringify(doc.checks.filter((c) => c.checkId === id))}`);
    return found[0]!;
  };

  const root = one('BW-IMG-001', () => true);
  assert.match(root.message, /no USER/);
  const port = one('BW-IMG-002', () => true);
  assert.match(port.message, /22\/tcp \(SSH\)/);
  assert.ok(!doc.checks.some((c) => c.checkId === 'BW-IMG-002' && /8080/.test(c.message)), '8080 is not sensitive');
  const env = one('BW-IMG-003', (c) => /AWS_SECRET_ACCESS_KEY/.test(c.message));
  assert.equal(env.location.layer?.index, 0, 'ENV comes after the imported base layer: the layer it sits on');
  const key = doc.checks.filter((c) => c.location.path === '/root/.ssh/id_rsa');
  assert.ok(key.length >= 1, 'the private key file is reported');
  assert.equal(key[0]!.location.layer?.index, layerOf(/id_rsa/));
  const suid = one('BW-FS-007', (c) => c.location.path === '/usr/local/bin/helper');
  assert.match(suid.message, /set-user-id \(mode 4755\) and no OS package installed it/);
  assert.equal(suid.severity, 'HIGH', 'no OS package installed it: an application layer did');
  assert.equal(suid.location.layer?.index, 0);
  assert.equal(suid.location.layer?.diffId, doc.layers[0]!.diffId);

  // every format shows the results, none shows a secret
  const body = privateKey.split('\n')[1]!;
  for (const format of ['json', 'table', 'sarif', 'markdown', 'cyclonedx']) {
    const out = bulwark(['scan', 'image', archive, '--scanners', 'secret,misconfig', '-f', format, '-q']);
    assert.equal(out.code, 0, out.stderr);
    for (const secret of [SECRET_KEY, SECRET_KEY.slice(8, 24), body, body.slice(10, 30)])
      assert.ok(!out.stdout.includes(secret), `${format} leaks ${secret.slice(0, 6)}…`);
    if (format !== 'cyclonedx')
      for (const id of ['BW-IMG-001', 'BW-IMG-002', 'BW-IMG-003', 'BW-FS-007'])
        assert.ok(out.stdout.includes(id), `${format} lists ${id}`);
  }
  // the gate counts checks too; a skipped check is gone, a re-graded one carries its new severity
  assert.equal(bulwark(['scan', 'image', archive, '--scanners', 'misconfig', '--exit-code', '3', '-q']).code, 3);
  const tuned = bulwark([
    'scan',
    'image',
    archive,
    '--scanners',
    'misconfig',
    '-f',
    'json',
    '-q',
    '--skip-checks',
    'BW-IMG-001',
    '--check-severity',
    'BW-FS-007=CRITICAL',
  ]);
  const checks = (JSON.parse(tuned.stdout) as { checks: Check[] }).checks;
  assert.ok(!checks.some((c) => c.checkId === 'BW-IMG-001'));
  assert.equal(checks.find((c) => c.checkId === 'BW-FS-007')?.severity, 'CRITICAL');
});
