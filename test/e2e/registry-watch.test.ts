import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '../../src/core/tempdir.js';
import { parseWatcherConfig, type WatcherConfig } from '../../src/server/registry-watch/config.js';
import type { RegistryAccess, ScanRequest } from '../../src/server/registry-watch/triage.js';
import { notificationStatus, Watcher } from '../../src/server/registry-watch/watcher.js';
import { SealedSecrets } from '../../src/server/secrets/store.js';
import { ociLayout } from '../support/image-writer.js';
import { makeTar } from '../support/layers.js';
import {
  haveRegistryTools,
  makeCerts,
  skopeoCopy,
  startRegistry,
  type TestCerts,
  type TestRegistry,
} from '../support/registry.js';
import { requireSetUp } from '../support/require.js';
import { waitUntil } from '../support/wait.js';

// The registry watcher against Debian's docker-registry on loopback: one registry sends
// its notifications to a receiver in this test, which hands them to the Watcher as the
// server's HTTP route will; another sends none and is found by polling tags. Images are
// pushed and pulled by skopeo, whose digest file and raw manifest are the oracle.

let tmp: TempDir;
let notifying: TestRegistry;
let silent: TestRegistry;
let secure: TestRegistry;
let certs: TestCerts;
let secrets: SealedSecrets;
let receiver: Server;
let watcher: Watcher;
const answers: number[] = [];
const scans: ScanRequest[] = [];
const access: RegistryAccess[] = [];
let failNextEnqueueOf: string | undefined;
let images: string[] = [];
let setUp = false;

const tools = haveRegistryTools();
const ready = (t: TestContext): boolean => requireSetUp(t, tools, setUp);

function startReceiver(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      watcher.handleNotification(Buffer.concat(chunks), req.headers).then(
        () => {
          answers.push(200);
          res.writeHead(200).end();
        },
        (e: unknown) => {
          answers.push(notificationStatus(e));
          res.writeHead(notificationStatus(e)).end();
        },
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/registry-events` }),
    ),
  );
}

before(async () => {
  if (!Object.values(tools).every(Boolean)) return;
  tmp = await makeTempDir();
  secrets = new SealedSecrets(join(tmp.path, 'data'));
  certs = makeCerts(join(tmp.path, 'certs'));
  secrets.put('secure-pull', JSON.stringify({ username: USER, password: PASS }));
  const secureToken = randomBytes(24).toString('base64url');
  secrets.put('secure-events', secureToken);
  secrets.put('wrong-pull', JSON.stringify({ username: USER, password: 'not-the-password' }));
  const token = randomBytes(24).toString('base64url');
  secrets.put('local-events', token);
  const r = await startReceiver();
  receiver = r.server;
  notifying = await startRegistry({
    dir: join(tmp.path, 'notifying'),
    notify: { url: r.url, headers: { Authorization: [`Bearer ${token}`] } },
  });
  silent = await startRegistry({ dir: join(tmp.path, 'silent') });
  secure = await startRegistry({
    dir: join(tmp.path, 'secure'),
    tls: { cert: certs.serverCert, key: certs.serverKey },
    htpasswd: { username: USER, password: PASS },
    notify: { url: r.url, headers: { Authorization: [`Bearer ${secureToken}`] } },
  });
  const config = parseWatcherConfig(
    {
      pollIntervalSeconds: 3600,
      registries: [
        {
          url: `http://${notifying.host}`,
          insecure: true,
          notificationToken: 'local-events',
          repositories: ['team/*', 'team/app'],
        },
        { url: `http://${silent.host}`, insecure: true, repositories: ['solo', 'group/*'] },
        {
          url: `https://${secure.host}`,
          caFile: certs.caCert,
          credentials: 'secure-pull',
          notificationToken: 'secure-events',
          repositories: ['locked'],
        },
      ],
    },
    'test config',
  );
  watcher = new Watcher({
    config,
    secrets,
    enqueueScan: (s) => {
      if (failNextEnqueueOf === s.repository) {
        failNextEnqueueOf = undefined;
        throw new Error('queue unavailable');
      }
      scans.push(s);
    },
    recordAccess: (a) => void access.push(a),
  });
  images = [];
  for (const n of [1, 2, 3]) {
    const dir = join(tmp.path, `img${n}`);
    ociLayout(dir, [{ tar: await makeTar([{ name: 'hello.txt', content: `image ${n}\n` }]) }]);
    images.push(dir);
  }
  setUp = true;
});

after(async () => {
  await notifying?.stop();
  await silent?.stop();
  await secure?.stop();
  await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
  await tmp?.remove();
});

/** Pushes with skopeo; returns the manifest digest skopeo reports. */
async function push(image: string, ref: string, creds?: string): Promise<string> {
  const digestFile = join(tmp.path, `digest-${randomBytes(4).toString('hex')}`);
  await skopeoCopy(`oci:${image}:latest`, `docker://${ref}`, {
    digestFile,
    ...(creds ? { creds, certDir: certs.certDir } : {}),
  });
  return readFileSync(digestFile, 'utf8').trim();
}

/** The oracle for a pull: skopeo fetches the raw manifest, we hash its bytes. */
function pullDigest(ref: string): string {
  const r = spawnSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`], { maxBuffer: 1 << 20 });
  assert.equal(r.status, 0, r.stderr?.toString());
  return `sha256:${createHash('sha256').update(r.stdout).digest('hex')}`;
}

const WAIT = { timeoutMs: 20_000 };
const USER = 'watcher';
const PASS = 'pull-secret-7f3a';

test('a push is enqueued from the registry notification, once, and audited; a pull is audited', async (t) => {
  if (!ready(t)) return;
  const digest = await push(images[0]!, `${notifying.host}/team/app:1`);
  await waitUntil('the push notification enqueues the manifest', () => scans.some((s) => s.digest === digest), WAIT);
  await waitUntil('the push access entry', () => access.some((a) => a.action === 'push' && a.digest === digest), WAIT);
  assert.deepEqual(scans, [{ registry: notifying.host, repository: 'team/app', digest, tag: '1' }]);
  const pushed = access.filter((a) => a.digest === digest);
  assert.deepEqual(
    pushed.map((a) => [a.action, a.repository, a.tag, a.registry, a.mediaType]),
    [['push', 'team/app', '1', notifying.host, 'application/vnd.oci.image.manifest.v1+json']],
  );
  assert.match(pushed[0]!.address ?? '', /^127\.0\.0\.1:\d+$/);
  assert.match(pushed[0]!.userAgent ?? '', /skopeo/);
  assert.ok(pushed[0]!.eventId);
  // blob pushes reached the receiver too (they were answered 200) but are neither scanned nor audited
  assert.ok(answers.filter((a) => a === 200).length >= 3, `answers ${answers.join(',')}`);

  assert.equal(pullDigest(`${notifying.host}/team/app:1`), digest);
  await waitUntil('the pull access entry', () => access.some((a) => a.action === 'pull' && a.digest === digest), WAIT);
  assert.equal(scans.length, 1, 'a pull is not scan work');

  // the poller finds the same digest under team/app and does not enqueue it again
  const polled = await watcher.pollOnce();
  const teamApp = polled.find((p) => p.registry === notifying.host && p.repository === 'team/app');
  assert.deepEqual(teamApp?.errors, []);
  assert.deepEqual(teamApp?.enqueued, []);
  assert.equal(scans.length, 1);
});

test('a failed enqueue loses nothing: the registry resends and the digest is enqueued once', async (t) => {
  if (!ready(t)) return;
  failNextEnqueueOf = 'team/flaky';
  const before = answers.length;
  const digest = await push(images[1]!, `${notifying.host}/team/flaky:2`);
  await waitUntil('the resent notification enqueues it', () => scans.some((s) => s.digest === digest), WAIT);
  assert.ok(answers.slice(before).includes(500), `answers ${answers.slice(before).join(',')}`);
  assert.equal(scans.filter((s) => s.digest === digest).length, 1);
  // unwatched repositories are audited but never enqueued
  const other = await push(images[2]!, `${notifying.host}/elsewhere/app:1`);
  await waitUntil(
    'its push is audited',
    () => access.some((a) => a.digest === other && a.repository === 'elsewhere/app'),
    WAIT,
  );
  assert.equal(
    scans.some((s) => s.repository === 'elsewhere/app'),
    false,
  );
});

test('the poller finds digests pushed to a registry that sends no notifications, once', async (t) => {
  if (!ready(t)) return;
  const d1 = await push(images[0]!, `${silent.host}/solo:1`);
  const d2 = await push(images[1]!, `${silent.host}/solo:2`);
  await push(images[1]!, `${silent.host}/solo:again`);
  const d3 = await push(images[2]!, `${silent.host}/group/x:1`);
  const first = await watcher.pollOnce();
  const group = first.find((p) => p.registry === silent.host && p.repository === 'group/x');
  assert.deepEqual(group?.enqueued, [{ registry: silent.host, repository: 'group/x', digest: d3, tag: '1' }]);
  const solo = first.find((p) => p.registry === silent.host && p.repository === 'solo');
  assert.deepEqual(solo?.errors, []);
  assert.deepEqual(
    solo?.enqueued.map((s) => [s.digest, s.tag]).sort(),
    [
      [d1, '1'],
      [d2, '2'],
    ].sort(),
  );
  assert.equal(pullDigest(`${silent.host}/solo:2`), d2);
  const second = await watcher.pollOnce();
  assert.deepEqual(second.find((p) => p.registry === silent.host)?.enqueued, []);
});

test('the receiver refuses envelopes without the token, of the wrong type, or malformed', async (t) => {
  if (!ready(t)) return;
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/registry-events`;
  const post = async (headers: Record<string, string>, body: string): Promise<number> =>
    (await fetch(url, { method: 'POST', headers, body })).status;
  const type = { 'Content-Type': 'application/vnd.docker.distribution.events.v1+json' };
  assert.equal(await post(type, '{"events": []}'), 401);
  assert.equal(await post({ ...type, Authorization: 'Bearer not-the-token' }, '{"events": []}'), 401);
  const token = new SealedSecrets(join(tmp.path, 'data')).get('local-events')!;
  const auth = { Authorization: `Bearer ${token}` };
  assert.equal(await post({ ...auth, 'Content-Type': 'application/json' }, '{"events": []}'), 415);
  assert.equal(await post({ ...auth, ...type }, '{"events": [{"action": "push"}]}'), 400);
  assert.equal(await post({ ...auth, ...type }, ' '.repeat((1 << 20) + 1)), 413);
  assert.equal(await post({ ...auth, ...type }, '{"events": []}'), 200);
});

test('a registry with logins: the actor is audited; sealed credentials poll it over TLS; wrong ones are AUTH, unshown', async (t) => {
  if (!ready(t)) return;
  const digest = await push(images[2]!, `${secure.host}/locked:1`, `${USER}:${PASS}`);
  await waitUntil(
    'the notification from the registry with logins',
    () => scans.some((s) => s.digest === digest && s.registry === secure.host),
    WAIT,
  );
  const pushed = access.find((a) => a.registry === secure.host && a.action === 'push' && a.digest === digest);
  assert.equal(pushed?.actor, USER);

  // a watcher that has not heard the notification finds it by polling, with the sealed login
  const polling = new Watcher({
    config: parseWatcherConfig(
      {
        registries: [
          { url: `https://${secure.host}`, caFile: certs.caCert, credentials: 'secure-pull', repositories: ['locked'] },
        ],
      },
      'poll config',
    ),
    secrets,
    enqueueScan: () => {},
    recordAccess: () => {},
  });
  const [locked] = await polling.pollOnce();
  assert.deepEqual(locked?.errors, []);
  assert.deepEqual(locked?.enqueued, [{ registry: secure.host, repository: 'locked', digest, tag: '1' }]);

  const config: WatcherConfig = parseWatcherConfig(
    {
      registries: [
        { url: `https://${secure.host}`, caFile: certs.caCert, credentials: 'wrong-pull', repositories: ['locked'] },
      ],
    },
    'wrong config',
  );
  const wrong = new Watcher({
    config,
    secrets,
    enqueueScan: () => assert.fail('nothing to enqueue'),
    recordAccess: () => {},
  });
  const [r] = await wrong.pollOnce();
  assert.equal(r?.errors[0]?.error.code, 'AUTH');
  assert.doesNotMatch(JSON.stringify(r?.errors.map((e) => e.error.message)), /not-the-password|pull-secret/);
});
