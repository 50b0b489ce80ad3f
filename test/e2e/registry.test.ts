import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BulwarkError } from '../../src/core/errors.js';
import { makeTempDir, type TempDir } from '../../src/core/tempdir.js';
import type { Inventory, Package } from '../../src/core/types.js';
import { openImage } from '../../src/image/open.js';
import { hostPlatform } from '../../src/image/platform.js';
import { openRegistryImage, type RegistryImageOptions } from '../../src/image/registry.js';
import { RegistryClient } from '../../src/registry/client.js';
import { scanImage, type ScanResult } from '../../src/scan/scan.js';
import { fakeRegistry } from '../support/fake-registry.js';
import { buildFixture, bulwark, run } from '../support/fixtures.js';
import { dockerArchive, ociImage, ociIndex, type MemImage } from '../support/image-writer.js';
import { gzip, makeTar } from '../support/layers.js';
import {
  haveRegistryTools,
  makeCerts,
  skopeoCopy,
  startRegistry,
  startTokenServer,
  type TestCerts,
  type TestRegistry,
  type TokenServer,
} from '../support/registry.js';
import { have, requireAll } from '../support/require.js';

// Acceptance 1 of the registry issue, against Debian's docker-registry (distribution 2.8)
// on loopback ports: anonymous over plain http, htpasswd basic auth over TLS with a test
// CA, and token auth with a token server run here; images pushed by skopeo and by
// Bulwark's own push primitives.

const USER = 'alice';
const PASS = 's3cret pass';
const TOKEN_USER = 'bob';
const TOKEN_PASS = 'hunter2';
const SERVICE = 'bulwark-test-registry';
const ISSUER = 'bulwark-test-issuer';

let tmp: TempDir;
let certs: TestCerts;
let plain: TestRegistry;
let basic: TestRegistry;
let tokens: TokenServer;
let tokenReg: TestRegistry;
let small: string;
let noConfig: string;
let ready = false;

before(async () => {
  if (!Object.values(haveRegistryTools()).every(Boolean)) return;
  tmp = await makeTempDir();
  certs = makeCerts(join(tmp.path, 'certs'));
  noConfig = join(tmp.path, 'no-docker-config');
  mkdirSync(noConfig);
  const tls = { cert: certs.serverCert, key: certs.serverKey };
  plain = await startRegistry({ dir: join(tmp.path, 'plain') });
  basic = await startRegistry({ dir: join(tmp.path, 'basic'), tls, htpasswd: { username: USER, password: PASS } });
  tokens = await startTokenServer({ certs, service: SERVICE, issuer: ISSUER, users: { [TOKEN_USER]: TOKEN_PASS } });
  tokenReg = await startRegistry({
    dir: join(tmp.path, 'token'),
    tls,
    token: { realm: tokens.realm, service: SERVICE, issuer: ISSUER, rootCertBundle: certs.caCert },
  });
  const os = await makeTar([
    { name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.19.1\n' },
    { name: 'lib/apk/db/installed', content: 'P:musl\nV:1.2.4-r2\nA:x86_64\n\n' },
  ]);
  small = join(tmp.path, 'small.tar');
  writeFileSync(small, await dockerArchive([{ tar: os, createdBy: 'ADD rootfs' }]));
  ready = true;
});

after(async () => {
  await tokenReg?.stop();
  await tokens?.stop();
  await basic?.stop();
  await plain?.stop();
  await tmp?.remove();
});

function gate(t: TestContext, extra: Record<string, boolean> = {}): boolean {
  return requireAll(t, { ...haveRegistryTools(), ...extra, 'docker-registry started (before hook)': ready });
}

/** Options for a test registry: no ambient credentials, CA file or docker config. */
function hermetic(env: NodeJS.ProcessEnv = {}, more: RegistryImageOptions = {}): RegistryImageOptions {
  return { env: { DOCKER_CONFIG: noConfig, ...env }, ...more };
}

/** The login for the basic-auth registry, bound to it. */
const creds = (): Record<string, string> => ({
  BULWARK_REGISTRY: basic.host,
  BULWARK_REGISTRY_USERNAME: USER,
  BULWARK_REGISTRY_PASSWORD: PASS,
});

async function scan(ref: string, opts: RegistryImageOptions, cacheDir: string | null = null): Promise<ScanResult> {
  const img = await openRegistryImage(ref, opts);
  try {
    return await scanImage(img, { cacheDir });
  } finally {
    await img.close();
  }
}

function isError(code: string, pattern: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof BulwarkError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    return true;
  };
}

test('an anonymous plain-http registry on loopback is read with --insecure, and refused without it', async (t) => {
  if (!gate(t)) return;
  await skopeoCopy(`docker-archive:${small}`, `docker://${plain.host}/small/app:1`, {});
  const r = await scan(`${plain.host}/small/app:1`, hermetic({}, { insecure: true }));
  assert.equal(r.inventory.os?.family, 'alpine');
  assert.deepEqual(
    r.inventory.packages.map((p) => `${p.name} ${p.version}`),
    ['musl 1.2.4-r2'],
  );
  assert.equal(r.inventory.artifact.type, 'registry');
  await assert.rejects(
    openRegistryImage(`${plain.host}/small/app:1`, hermetic({}, { tries: 1 })),
    isError('TLS', /TLS with 127\.0\.0\.1:\d+ failed/),
  );
  const cli = bulwark(
    ['scan', 'image', `${plain.host}/small/app:1`, '--insecure', '--format', 'json', '--no-cache', '--quiet'],
    { DOCKER_CONFIG: noConfig },
  );
  assert.equal(cli.code, 0, cli.stderr);
  const inv = JSON.parse(cli.stdout) as Inventory;
  assert.equal(inv.artifact.type, 'registry');
  assert.deepEqual(inv.artifact.repoTags, [`${plain.host}/small/app:1`]);
  assert.match(inv.artifact.repoDigests[0] ?? '', new RegExp(`^${plain.host}/small/app@sha256:[0-9a-f]{64}$`));
  const refused = bulwark(['scan', 'image', 'registry:registry.example.invalid/app:1', '--insecure'], {
    DOCKER_CONFIG: noConfig,
  });
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--insecure is only allowed for loopback registries/);
});

test('htpasswd basic auth over TLS: credentials from the environment or docker config.json, CA from --ca-file or SSL_CERT_FILE', async (t) => {
  if (!gate(t)) return;
  await skopeoCopy(`docker-archive:${small}`, `docker://${basic.host}/small/app:1`, {
    creds: `${USER}:${PASS}`,
    certDir: certs.certDir,
  });
  const ref = `${basic.host}/small/app:1`;
  const ok = async (opts: RegistryImageOptions): Promise<void> =>
    assert.equal((await scan(ref, opts)).inventory.os?.version, '3.19.1');
  await ok(hermetic(creds(), { caFile: certs.caCert }));
  await ok(hermetic({ ...creds(), SSL_CERT_FILE: certs.caCert }));
  const config = (name: string, doc: object): string => {
    const dir = join(tmp.path, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(doc));
    return dir;
  };
  const auth = Buffer.from(`${USER}:${PASS}`).toString('base64');
  await ok({
    env: { DOCKER_CONFIG: config('login', { auths: { [`https://${basic.host}`]: { auth } } }) },
    caFile: certs.caCert,
  });
  await assert.rejects(
    openRegistryImage(ref, hermetic({}, { caFile: certs.caCert })),
    isError('LOGIN_REQUIRED', /set BULWARK_REGISTRY_USERNAME/),
  );
  await assert.rejects(
    openRegistryImage(ref, {
      env: { DOCKER_CONFIG: config('helper', { credsStore: 'secretservice' }) },
      caFile: certs.caCert,
    }),
    isError('LOGIN_REQUIRED', /credential helper docker-credential-secretservice for it, which Bulwark does not run/),
  );
  await assert.rejects(
    openRegistryImage(ref, hermetic({ ...creds(), BULWARK_REGISTRY_PASSWORD: 'wrong' }, { caFile: certs.caCert })),
    isError(
      'AUTH',
      /still answers 401 after authenticating: the credentials from BULWARK_REGISTRY_USERNAME\/PASSWORD \(BULWARK_REGISTRY=127\.0\.0\.1:\d+\) were refused/,
    ),
  );
  await assert.rejects(openRegistryImage(ref, hermetic(creds(), { tries: 1 })), isError('TLS', /--ca-file/));
  // --insecure on a loopback TLS registry skips verification (and still authenticates)
  await ok(hermetic(creds(), { insecure: true }));
  // the login is bound to this registry: another loopback origin asking for one gets nothing
  const hostile = await fakeRegistry({}, (_req, res) => {
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="hostile"' }).end();
    return true;
  });
  try {
    await assert.rejects(
      openRegistryImage(`${hostile.host}/small/app:1`, hermetic(creds(), { insecure: true })),
      isError('LOGIN_REQUIRED', /are for 127\.0\.0\.1:\d+ \(BULWARK_REGISTRY\), not this registry/),
    );
    assert.deepEqual(
      hostile.auths.filter((a) => a !== undefined),
      [],
    );
  } finally {
    await hostile.stop();
  }
});

test('bearer token auth: docker-registry trusts tokens from a token server, fetched with the login and cached per scope', async (t) => {
  if (!gate(t)) return;
  // skopeo runs asynchronously: the token server answers from this process
  await skopeoCopy(`docker-archive:${small}`, `docker://${tokenReg.host}/small/app:1`, {
    creds: `${TOKEN_USER}:${TOKEN_PASS}`,
    certDir: certs.certDir,
  });
  tokens.requests.length = 0;
  const opts = hermetic(
    { BULWARK_REGISTRY: tokenReg.host, BULWARK_REGISTRY_USERNAME: TOKEN_USER, BULWARK_REGISTRY_PASSWORD: TOKEN_PASS },
    { caFile: certs.caCert },
  );
  const r = await scan(`${tokenReg.host}/small/app:1`, opts);
  assert.equal(r.inventory.os?.version, '3.19.1');
  assert.deepEqual(
    tokens.requests,
    [{ scopes: ['repository:small/app:pull'], user: TOKEN_USER }],
    'one token for manifest, config and layer',
  );
  await assert.rejects(
    openRegistryImage(`${tokenReg.host}/small/app:1`, hermetic({}, { caFile: certs.caCert })),
    isError(
      'LOGIN_REQUIRED',
      /token server https:\/\/127\.0\.0\.1:\d+\/token refused to issue a token for repository:small\/app:pull \(HTTP 401\): no credentials were given/,
    ),
  );
});

async function alpine(
  version: string,
  platform: { os: string; architecture: string; variant?: string },
): Promise<MemImage> {
  const tar = await makeTar([{ name: 'etc/os-release', content: `ID=alpine\nVERSION_ID=${version}\n` }]);
  return ociImage([{ tar, stored: gzip(tar), createdBy: `alpine ${version}` }], platform);
}

test('push primitives: blobs, manifests and a two-platform index pushed by Bulwark, read back by platform and by skopeo; mounts and tag pages', async (t) => {
  if (!gate(t)) return;
  const client = await RegistryClient.create(basic.host, {
    caFile: certs.caCert,
    env: { DOCKER_CONFIG: noConfig, ...creds() },
  });
  try {
    const amd64 = await alpine('3.19.1', { os: 'linux', architecture: 'amd64' });
    const arm64 = await alpine('3.19.2', { os: 'linux', architecture: 'arm64', variant: 'v8' });
    for (const img of [amd64, arm64]) {
      for (const blob of img.blobs.values()) await client.pushBlob('multi/app', blob);
      assert.equal(await client.putManifest('multi/app', img.digest, img.manifest, img.mediaType), img.digest);
    }
    // already there: HEAD answers and nothing is uploaded again
    const [firstDigest, firstBlob] = [...amd64.blobs.entries()][0]!;
    assert.deepEqual(await client.pushBlob('multi/app', firstBlob), { digest: firstDigest, size: firstBlob.length });
    const index = ociIndex([
      { image: amd64, platform: { os: 'linux', architecture: 'amd64' } },
      { image: arm64, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ]);
    assert.equal(await client.putManifest('multi/app', 'multi', index.bytes, index.mediaType), index.digest);
    assert.deepEqual(await client.headManifest('multi/app', 'multi'), {
      digest: index.digest,
      mediaType: index.mediaType,
      size: index.bytes.length,
    });
    assert.equal(await client.headManifest('multi/app', 'missing'), undefined);

    const opts = hermetic(creds(), { caFile: certs.caCert });
    for (const [architecture, version, want] of [
      ['amd64', '3.19.1', amd64],
      ['arm64', '3.19.2', arm64],
    ] as const) {
      const img = await openRegistryImage(`${basic.host}/multi/app:multi`, {
        ...opts,
        platform: { os: 'linux', architecture },
      });
      try {
        assert.equal(img.artifact.digest, want.digest);
        assert.deepEqual(img.artifact.repoDigests, [`${basic.host}/multi/app@${index.digest}`]);
        assert.equal((await scanImage(img, { cacheDir: null })).inventory.os?.version, version);
      } finally {
        await img.close();
      }
    }
    await assert.rejects(
      openRegistryImage(`${basic.host}/multi/app:multi`, {
        ...opts,
        platform: { os: 'linux', architecture: 'ppc64le' },
      }),
      isError('PLATFORM', /has linux\/amd64, linux\/arm64\/v8/),
    );
    // skopeo reads what Bulwark pushed, byte for byte
    const raw = run('skopeo', [
      'inspect',
      '--raw',
      '--cert-dir',
      certs.certDir,
      '--creds',
      `${USER}:${PASS}`,
      `docker://${basic.host}/multi/app:multi`,
    ]);
    assert.equal(raw, index.bytes.toString());

    // a blob mounted from another repository, without uploading it
    const [layerDigest, layerBlob] = [...arm64.blobs.entries()].at(-1)!;
    assert.equal(await client.blobExists('mounted/app', layerDigest), false);
    await client.pushBlob('mounted/app', layerBlob, { mountFrom: 'multi/app' });
    assert.equal(await client.blobExists('mounted/app', layerDigest), true);

    const tags = ['t1', 't2', 't3', 't4', 't5'];
    for (const tag of tags) await client.putManifest('multi/app', tag, amd64.manifest, amd64.mediaType);
    assert.deepEqual((await client.listTags('multi/app', 2)).sort(), [...tags, 'multi'].sort());
  } finally {
    client.close();
  }
});

// ---- acceptance: a real Debian image, pushed, scans the same as its docker-archive ----

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return `sha256:${h.digest('hex')}`;
}

/** A docker-archive of the debootstrap root filesystem plus a layer that changes it, written without loading it in memory. */
async function debianArchive(dir: string): Promise<string> {
  const rootfs = join(buildFixture('debian-rootfs.sh'), 'rootfs.tar');
  const status = run('tar', ['-xOf', rootfs, './var/lib/dpkg/status']);
  const trimmed = status
    .split('\n\n')
    .filter((s) => !/^Package: ca-certificates$/m.test(s))
    .join('\n\n');
  assert.notEqual(trimmed, status);
  const top = await makeTar([
    { name: 'var/lib/dpkg/status', content: trimmed },
    { name: 'usr/share/doc/.wh.bash' },
    { name: 'etc/motd', content: 'pushed by the registry test\n' },
  ]);
  const ids = [await sha256File(rootfs), `sha256:${createHash('sha256').update(top).digest('hex')}`];
  const config = Buffer.from(
    JSON.stringify({
      architecture: hostPlatform().architecture,
      os: 'linux',
      created: '2026-01-01T00:00:00Z',
      rootfs: { type: 'layers', diff_ids: ids },
      history: [
        { created_by: 'debootstrap --variant=minbase bookworm' },
        { created_by: 'drop ca-certificates from the dpkg database; remove /usr/share/doc/bash' },
      ],
    }),
  );
  const cfgName = `${createHash('sha256').update(config).digest('hex')}.json`;
  const work = join(dir, 'debian-archive');
  const names = ids.map((id) => `${id.slice(7)}/layer.tar`);
  mkdirSync(join(work, ids[0]!.slice(7)), { recursive: true });
  mkdirSync(join(work, ids[1]!.slice(7)), { recursive: true });
  symlinkSync(rootfs, join(work, names[0]!));
  writeFileSync(join(work, names[1]!), top);
  writeFileSync(join(work, cfgName), config);
  writeFileSync(
    join(work, 'manifest.json'),
    JSON.stringify([{ Config: cfgName, RepoTags: ['bulwark-e2e/debian:bookworm'], Layers: names }]),
  );
  const out = join(dir, 'debian.tar');
  run('tar', ['-chf', out, '-C', work, 'manifest.json', cfgName, ...names]);
  return out;
}

const row = (x: Package): string =>
  [
    x.name,
    x.version,
    x.source?.name,
    x.source?.version,
    x.arch,
    x.licenses.join(','),
    x.files.length,
    x.layer.index,
    x.layer.diffId,
    x.purl,
  ].join('\t');

test('a real Debian image pushed to the registry scans to the same inventory as its docker-archive', async (t) => {
  if (!gate(t, { debootstrap: have('debootstrap') })) return;
  const archive = await debianArchive(tmp.path);
  const ref = `${basic.host}/debian:bookworm`;
  await skopeoCopy(`docker-archive:${archive}`, `docker://${ref}`, {
    creds: `${USER}:${PASS}`,
    certDir: certs.certDir,
  });
  const local = await openImage(archive);
  let reference: Inventory;
  try {
    reference = (await scanImage(local, { cacheDir: null })).inventory;
  } finally {
    await local.close();
  }
  const opts = hermetic(creds(), { caFile: certs.caCert });
  const remote = (await scan(ref, opts)).inventory;
  assert.ok(reference.packages.length > 80);
  assert.ok(!reference.packages.some((p) => p.name === 'ca-certificates'));
  assert.deepEqual(remote.packages.map(row), reference.packages.map(row));
  assert.deepEqual(remote.os, reference.os);
  assert.equal(remote.os?.codename, 'bookworm');
  assert.deepEqual(
    remote.layers.map((l) => [l.index, l.diffId, l.createdBy]),
    reference.layers.map((l) => [l.index, l.diffId, l.createdBy]),
  );
  assert.equal(remote.artifact.imageId, reference.artifact.imageId, 'the same config, so the same image id');
  assert.notEqual(remote.layers[0]!.digest, remote.layers[0]!.diffId, 'skopeo pushed the layers gzip-compressed');
  // layers already analysed from the archive are not fetched again
  const cache = join(tmp.path, 'cache');
  const img = await openImage(archive);
  await scanImage(img, { cacheDir: cache }).finally(() => img.close());
  assert.deepEqual((await scan(ref, opts, cache)).stats, { layersAnalysed: 0, layersFromCache: 2 });
  // and the CLI, given a bare reference with a registry host
  const cli = bulwark(['scan', 'image', ref, '--ca-file', certs.caCert, '--format', 'json', '--no-cache', '--quiet'], {
    DOCKER_CONFIG: noConfig,
    ...creds(),
  });
  assert.equal(cli.code, 0, cli.stderr);
  assert.deepEqual((JSON.parse(cli.stdout) as Inventory).packages.map(row), reference.packages.map(row));
});
