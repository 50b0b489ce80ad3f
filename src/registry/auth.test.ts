import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BulwarkError } from '../core/errors.js';
import { makeTempDir, type TempDir } from '../core/tempdir.js';
import { findCredentials, parseChallenges, RegistryAuth } from './auth.js';
import { rejectsCode } from '../../test/support/codes.js';

let tmp: TempDir;
before(async () => (tmp = await makeTempDir()));
after(() => tmp.remove());

function configDir(name: string, config: object): NodeJS.ProcessEnv {
  const dir = join(tmp.path, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return { DOCKER_CONFIG: dir };
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

test('WWW-Authenticate challenges parse with quoted, escaped and bare parameters', () => {
  assert.deepEqual(
    parseChallenges(
      'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push"',
    ),
    [
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.example.com/token',
          service: 'registry.example.com',
          scope: 'repository:a/b:pull,push',
        },
      },
    ],
  );
  assert.deepEqual(
    parseChallenges(['Basic realm="Registry \\"x\\""', 'Bearer realm=https://t/token, error=invalid_token']),
    [
      { scheme: 'basic', params: { realm: 'Registry "x"' } },
      { scheme: 'bearer', params: { realm: 'https://t/token', error: 'invalid_token' } },
    ],
  );
  assert.deepEqual(
    parseChallenges('Basic realm="a", Bearer realm="b"').map((c) => c.scheme),
    ['basic', 'bearer'],
  );
  assert.deepEqual(parseChallenges(undefined), []);
});

test('credentials: the environment first, then docker config auths (base64 or username/password), per registry host', () => {
  const env = configDir('plain', {
    auths: {
      'https://index.docker.io/v1/': { auth: b64('hub:pw:with:colons') },
      'registry.example.com': { username: 'u', password: 'p' },
      'http://127.0.0.1:5000/v2/': { auth: b64('loop:back') },
    },
  });
  assert.deepEqual(findCredentials('docker.io', env).credentials, { username: 'hub', password: 'pw:with:colons' });
  assert.deepEqual(findCredentials('registry.example.com', env).credentials, { username: 'u', password: 'p' });
  assert.deepEqual(findCredentials('127.0.0.1:5000', env).credentials, { username: 'loop', password: 'back' });
  assert.equal(findCredentials('127.0.0.1:5001', env).credentials, undefined);
  assert.match(
    findCredentials('registry.example.com', env).source ?? '',
    /config\.json \(auths\."registry\.example\.com"\)/,
  );
  const both = {
    ...env,
    BULWARK_REGISTRY: 'Registry.Example.com:443',
    BULWARK_REGISTRY_USERNAME: 'ci',
    BULWARK_REGISTRY_PASSWORD: 'token',
  };
  assert.deepEqual(findCredentials('registry.example.com', both).credentials, { username: 'ci', password: 'token' });
  assert.throws(
    () => findCredentials('x.io', { ...env, BULWARK_REGISTRY_USERNAME: 'ci' }),
    (e: unknown) => e instanceof BulwarkError && e.code === 'USAGE',
  );
  assert.deepEqual(findCredentials('x.io', { DOCKER_CONFIG: join(tmp.path, 'none') }), {
    config: join(tmp.path, 'none', 'config.json'),
  });
});

test('credentials from the environment belong to the registry BULWARK_REGISTRY names, and to no other', () => {
  const env = configDir('bound', { auths: { 'other.example.com': { auth: b64('o:p') } } });
  const login = {
    ...env,
    BULWARK_REGISTRY: 'registry.example.com',
    BULWARK_REGISTRY_USERNAME: 'ci',
    BULWARK_REGISTRY_PASSWORD: 'token',
  };
  assert.deepEqual(findCredentials('REGISTRY.example.com:443', login).credentials, {
    username: 'ci',
    password: 'token',
  });
  assert.match(findCredentials('registry.example.com', login).source ?? '', /BULWARK_REGISTRY=registry\.example\.com/);
  const elsewhere = findCredentials('evil.example.com', login);
  assert.equal(elsewhere.credentials, undefined);
  assert.match(elsewhere.note ?? '', /are for registry\.example\.com \(BULWARK_REGISTRY\), not this registry/);
  assert.deepEqual(
    findCredentials('other.example.com', login).credentials,
    { username: 'o', password: 'p' },
    'other hosts keep their own docker login',
  );
  assert.equal(
    findCredentials('registry.example.com:5000', login).credentials,
    undefined,
    'another port is another registry',
  );
  assert.deepEqual(
    findCredentials('docker.io', { ...login, BULWARK_REGISTRY: 'https://index.docker.io/v1/' }).credentials,
    { username: 'ci', password: 'token' },
  );
  for (const bad of [{ BULWARK_REGISTRY: undefined }, { BULWARK_REGISTRY: '' }, { BULWARK_REGISTRY: 'not a host' }]) {
    assert.throws(
      () => findCredentials('registry.example.com', { ...login, ...bad }),
      (e: unknown) => e instanceof BulwarkError && e.code === 'USAGE',
      JSON.stringify(bad),
    );
  }
});

test('credential helpers are named, never run; a 401 then says so', async () => {
  const env = configDir('helpers', {
    auths: { 'ghcr.io': {} },
    credsStore: 'desktop',
    credHelpers: { 'gcr.io': 'gcloud' },
  });
  assert.equal(findCredentials('gcr.io', env).helper, 'docker-credential-gcloud');
  assert.equal(findCredentials('ghcr.io', env).helper, 'docker-credential-desktop');
  assert.equal(findCredentials('ghcr.io', env).credentials, undefined);
  const auth = new RegistryAuth(
    'gcr.io',
    async () => ({ status: 500, body: Buffer.alloc(0) }),
    () => findCredentials('gcr.io', env),
  );
  await assert.rejects(auth.answer('Basic realm="r"', 'repository:a:pull', 'gcr.io/a:1'), (e: unknown) => {
    assert.ok(e instanceof BulwarkError && e.code === 'LOGIN_REQUIRED');
    assert.match(e.message, /credential helper docker-credential-gcloud.*does not run/);
    assert.match(e.message, /BULWARK_REGISTRY_USERNAME.*"auths" of .*helpers\/config\.json/);
    return true;
  });
  const secret = 'hunter2-sekrit';
  const garbled = configDir('garbled', {});
  writeFileSync(
    join(garbled.DOCKER_CONFIG!, 'config.json'),
    `{"auths":{"x.io":{"username":"u","password":${secret}}}}`,
  );
  assert.throws(
    () => findCredentials('x.io', garbled),
    (e: unknown) => e instanceof BulwarkError && e.code === 'CORRUPT' && !e.message.includes(secret.slice(0, 6)),
  );
  const broken = configDir('broken', { auths: { 'x.io': { auth: b64('no-colon') } } });
  assert.throws(
    () => findCredentials('x.io', broken),
    (e: unknown) => e instanceof BulwarkError && e.code === 'CORRUPT',
  );
});

test('bearer tokens are fetched from the realm with the challenge scope and basic credentials, and cached per scope', async () => {
  const asked: { url: URL; headers: Record<string, string> }[] = [];
  const auth = new RegistryAuth(
    'r.example.com',
    async (url, headers) => {
      asked.push({ url, headers });
      return { status: 200, body: Buffer.from(JSON.stringify({ access_token: `t${asked.length}`, expires_in: 300 })) };
    },
    () => ({ credentials: { username: 'u', password: 'p' }, source: 'test' }),
  );
  assert.equal(auth.header('repository:a:pull'), undefined);
  await auth.answer(
    'Bearer realm="https://auth.example.com/token",service="reg",scope="repository:a:pull"',
    'repository:a:pull',
    'x',
  );
  assert.equal(auth.header('repository:a:pull'), 'Bearer t1');
  assert.equal(auth.header('repository:b:pull'), undefined);
  assert.equal(asked[0]!.url.toString(), 'https://auth.example.com/token?service=reg&scope=repository%3Aa%3Apull');
  assert.equal(asked[0]!.headers.Authorization, `Basic ${b64('u:p')}`);
  await auth.answer(
    'Bearer realm="https://auth.example.com/token",service="reg",scope="repository:b:pull,push repository:a:pull"',
    'repository:b:pull,push',
    'x',
  );
  assert.deepEqual(asked[1]!.url.searchParams.getAll('scope'), ['repository:b:pull,push', 'repository:a:pull']);
  assert.equal(auth.header('repository:b:pull,push'), 'Bearer t2');
  assert.equal(auth.header('repository:a:pull'), 'Bearer t1');
});

test('a token server refusal is one error saying what was tried: LOGIN_REQUIRED without credentials, AUTH with', async () => {
  const auth = new RegistryAuth(
    'r.example.com',
    async () => ({ status: 401, body: Buffer.from('{}') }),
    () => ({}),
  );
  await assert.rejects(
    auth.answer('Bearer realm="https://a/token",service="s"', 'repository:a:pull', 'r.example.com/a:1'),
    (e: unknown) => {
      assert.ok(e instanceof BulwarkError && e.code === 'LOGIN_REQUIRED');
      assert.match(e.message, /refused to issue a token for repository:a:pull \(HTTP 401\): no credentials were given/);
      return true;
    },
  );
  const withCreds = new RegistryAuth(
    'r.example.com',
    async () => ({ status: 401, body: Buffer.from('{}') }),
    () => ({ credentials: { username: 'u', password: 'p' }, source: 'the test' }),
  );
  await rejectsCode(
    withCreds.answer('Bearer realm="https://a/token",service="s"', 'repository:a:pull', 'r.example.com/a:1'),
    'AUTH',
    'r.example.com/a:1',
  );
});
