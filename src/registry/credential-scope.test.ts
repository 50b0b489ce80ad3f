import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { BulwarkError } from '../core/errors.js';
import { makeTempDir, type TempDir } from '../core/tempdir.js';
import { fakeRegistry, type FakeHandler, type FakeRegistry } from '../../test/support/fake-registry.js';
import { ociImage } from '../../test/support/image-writer.js';
import { gzip, makeTar } from '../../test/support/layers.js';
import { RegistryClient } from './client.js';

// Credentials belong to one registry. Two real loopback servers: "good", the registry the
// login is for, and "hostile", another origin that plays registry and token realm. Whatever
// good or hostile answer (challenges, token realms on the other origin, redirects), no
// Authorization header ever reaches hostile, and good gets the login only where it asks.

const USER = 'ci';
const PASS = 's3cret-pa55';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`;

let tmp: TempDir;
let noConfig: string;
before(async () => {
  tmp = await makeTempDir();
  noConfig = join(tmp.path, 'no-docker-config');
  mkdirSync(noConfig);
});
after(() => tmp.remove());

type Behaviour = 'basic' | 'bearer-own-realm' | 'bearer-hostile-realm' | 'redirect-blob';

interface Pair {
  good: FakeRegistry;
  hostile: FakeRegistry;
  image: ReturnType<typeof ociImage>;
  /** Environment: the login bound to good with BULWARK_REGISTRY, no docker config. */
  env: NodeJS.ProcessEnv;
}

/** Answers a request; true, as a handler that answered returns. */
function answer(res: ServerResponse, status: number, headers: Record<string, string> = {}, body = ''): true {
  res.writeHead(status, headers).end(body);
  return true;
}

/** good requires its login (Basic, or a token from a realm), then serves the image as a registry does. */
function goodHandler(behaviour: Behaviour, hostile: () => string, blobDigest: () => string): FakeHandler {
  return (req, res, url) => {
    const auth = req.headers.authorization;
    if (url.pathname === '/token') {
      return auth === BASIC ? answer(res, 200, {}, JSON.stringify({ token: 'good-token' })) : answer(res, 401);
    }
    const challenge = {
      basic: 'Basic realm="good"',
      'redirect-blob': 'Basic realm="good"',
      'bearer-own-realm': `Bearer realm="http://${req.headers.host}/token",service="good"`,
      'bearer-hostile-realm': `Bearer realm="http://${hostile()}/token",service="good"`,
    }[behaviour];
    const ok = behaviour.startsWith('bearer') ? auth === 'Bearer good-token' : auth === BASIC;
    if (!ok) return answer(res, 401, { 'WWW-Authenticate': challenge });
    if (behaviour === 'redirect-blob' && url.pathname.endsWith(`/blobs/${blobDigest()}`)) {
      return answer(res, 307, { Location: `http://${hostile()}${url.pathname}` });
    }
    return false;
  };
}

/** hostile challenges for a login and names a token realm on its own origin, which refuses anyone without one. */
const hostileHandler =
  (scheme: 'basic' | 'bearer'): FakeHandler =>
  (req, res, url) => {
    if (url.pathname === '/token') return answer(res, 401);
    const challenge =
      scheme === 'basic'
        ? 'Basic realm="hostile"'
        : `Bearer realm="http://${req.headers.host}/token",service="hostile"`;
    return answer(res, 401, { 'WWW-Authenticate': challenge });
  };

async function pair(
  behaviour: Behaviour,
  hostileScheme: 'basic' | 'bearer',
  body: (p: Pair) => Promise<void>,
): Promise<void> {
  const tar = await makeTar([{ name: 'etc/os-release', content: 'ID=alpine\n' }]);
  const image = ociImage([{ tar, stored: gzip(tar) }]);
  const layer = [...image.blobs.keys()].at(-1)!;
  const hostile = await fakeRegistry(
    { manifests: new Map([['1', { mediaType: image.mediaType, bytes: image.manifest }]]), blobs: image.blobs },
    hostileHandler(hostileScheme),
  );
  const good = await fakeRegistry(
    { manifests: new Map([['1', { mediaType: image.mediaType, bytes: image.manifest }]]), blobs: image.blobs },
    goodHandler(
      behaviour,
      () => hostile.host,
      () => layer,
    ),
  );
  try {
    await body({
      good,
      hostile,
      image,
      env: {
        BULWARK_REGISTRY: good.host,
        BULWARK_REGISTRY_USERNAME: USER,
        BULWARK_REGISTRY_PASSWORD: PASS,
        DOCKER_CONFIG: noConfig,
      },
    });
  } finally {
    await good.stop();
    await hostile.stop();
  }
}

async function client(host: string, env: NodeJS.ProcessEnv): Promise<RegistryClient> {
  return RegistryClient.create(host, { insecure: true, tries: 1, env });
}

const authError = (e: unknown): boolean => {
  assert.ok(e instanceof BulwarkError, String(e));
  assert.ok(e.code === 'AUTH' || e.code === 'LOGIN_REQUIRED' || e.code === 'REGISTRY', e.message);
  assert.ok(!e.message.includes(PASS), 'the password is never shown');
  return true;
};

test('the hostile origin never receives an Authorization header: as a registry (Basic or Bearer), as a token realm, or as a redirect target', async () => {
  for (const hostileScheme of ['basic', 'bearer'] as const) {
    for (const behaviour of ['basic', 'bearer-hostile-realm', 'redirect-blob'] as const) {
      await pair(behaviour, hostileScheme, async ({ good, hostile, image, env }) => {
        const h = await client(hostile.host, env);
        try {
          await assert.rejects(h.getManifest('app', '1'), authError);
        } finally {
          h.close();
        }
        const g = await client(good.host, env);
        try {
          const layer = [...image.blobs.keys()].at(-1)!;
          if (behaviour === 'bearer-hostile-realm') await assert.rejects(g.getManifest('app', '1'), authError);
          else assert.equal((await g.getManifest('app', '1')).digest, image.digest);
          if (behaviour === 'redirect-blob') await assert.rejects(g.readBlob('app', layer, 1 << 20), authError);
        } finally {
          g.close();
        }
        assert.ok(hostile.hits.length > 0, 'hostile was asked');
        assert.deepEqual(
          hostile.auths.filter((a) => a !== undefined),
          [],
          `${behaviour}/${hostileScheme}: hostile saw ${hostile.hits.join(', ')}`,
        );
        if (behaviour === 'basic') assert.ok(good.auths.includes(BASIC), 'good got its login');
      });
    }
  }
});

test("a registry's own token realm gets the login (over plain http only on its own loopback origin under --insecure)", async () => {
  await pair('bearer-own-realm', 'bearer', async ({ good, image, env }) => {
    const g = await client(good.host, env);
    try {
      assert.equal((await g.getManifest('app', '1')).digest, image.digest);
    } finally {
      g.close();
    }
    const token = good.hits.findIndex((x) => x.startsWith('GET /token'));
    assert.equal(good.auths[token], BASIC);
  });
});

test('credentials from the environment without BULWARK_REGISTRY are refused, not sent anywhere', async () => {
  await pair('basic', 'basic', async ({ good, env }) => {
    const unbound = { ...env, BULWARK_REGISTRY: undefined };
    const g = await client(good.host, unbound);
    try {
      await assert.rejects(
        g.getManifest('app', '1'),
        (e: unknown) => e instanceof BulwarkError && e.code === 'USAGE' && /BULWARK_REGISTRY=host/.test(e.message),
      );
    } finally {
      g.close();
    }
    assert.deepEqual(
      good.auths.filter((a) => a !== undefined),
      [],
    );
  });
});
