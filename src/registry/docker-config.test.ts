import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BulwarkError } from '../core/errors.js';
import { makeTempDir, type TempDir } from '../core/tempdir.js';
import { findCredentials } from './auth.js';
import { removeLogin, saveLogin } from './docker-config.js';

// Logins written as `docker login` writes them (the oracle: docker's config.json format,
// base64 of "user:password" under "auths"."host", mode 0600) and read back per registry.

let tmp: TempDir;
before(async () => (tmp = await makeTempDir()));
after(() => tmp.remove());

const dir = (name: string, config?: object): NodeJS.ProcessEnv => {
  const d = join(tmp.path, name);
  if (config) {
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'config.json'), JSON.stringify(config), { mode: 0o644 });
  }
  return { DOCKER_CONFIG: d };
};
const file = (env: NodeJS.ProcessEnv) => join(env.DOCKER_CONFIG!, 'config.json');
const doc = (env: NodeJS.ProcessEnv) =>
  JSON.parse(readFileSync(file(env), 'utf8')) as { auths: Record<string, unknown>; [k: string]: unknown };

test('a login is stored under its canonical host, mode 0600, in a new directory, and read back for that registry only', () => {
  const env = dir('fresh');
  const done = saveLogin('Registry.Example.com:443', { username: 'ci', password: 'p:w' }, env);
  assert.deepEqual(done, { config: file(env), key: 'registry.example.com', existed: false });
  assert.deepEqual(doc(env), { auths: { 'registry.example.com': { auth: 'Y2k6cDp3' } } }, 'base64("ci:p:w")');
  assert.equal(statSync(file(env)).mode & 0o777, 0o600);
  assert.equal(statSync(env.DOCKER_CONFIG!).mode & 0o777, 0o700);
  assert.deepEqual(findCredentials('registry.example.com', env).credentials, { username: 'ci', password: 'p:w' });
  assert.equal(findCredentials('registry.example.com:5000', env).credentials, undefined);
  assert.equal(findCredentials('evil.example.com', env).credentials, undefined);
});

test('login keeps every other field, replaces older spellings of the same registry, and tightens the mode; logout removes them', () => {
  const env = dir('kept', {
    auths: { 'https://index.docker.io/v1/': { auth: 'b2xkOm9sZA==' }, 'ghcr.io': { auth: 'eDp5' } },
    credHelpers: { 'gcr.io': 'gcloud' },
    psFormat: 'table {{.ID}}',
  });
  assert.equal(saveLogin('docker.io', { username: 'hub', password: 'new' }, env).existed, true);
  assert.deepEqual(doc(env).auths, {
    'ghcr.io': { auth: 'eDp5' },
    'https://index.docker.io/v1/': { auth: Buffer.from('hub:new').toString('base64') },
  });
  assert.equal(doc(env).psFormat, 'table {{.ID}}');
  assert.deepEqual(doc(env).credHelpers, { 'gcr.io': 'gcloud' });
  assert.equal(statSync(file(env)).mode & 0o777, 0o600);
  assert.equal(saveLogin('gcr.io', { username: 'u', password: 'p' }, env).helper, 'docker-credential-gcloud');
  assert.deepEqual(removeLogin('index.docker.io', env), {
    config: file(env),
    key: 'https://index.docker.io/v1/',
    existed: true,
  });
  assert.deepEqual(Object.keys(doc(env).auths).sort(), ['gcr.io', 'ghcr.io']);
  assert.equal(removeLogin('quay.io', env).existed, false);
});

test('bad logins and bad config files are one-line errors with codes', () => {
  const env = dir('bad');
  for (const [c, code] of [
    [{ username: '', password: 'p' }, 'USAGE'],
    [{ username: 'a:b', password: 'p' }, 'USAGE'],
    [{ username: 'a', password: '' }, 'USAGE'],
  ] as const) {
    assert.throws(
      () => saveLogin('r.example.com', c, env),
      (e: unknown) => e instanceof BulwarkError && e.code === code && !e.message.includes('p:'),
    );
  }
  assert.throws(
    () => saveLogin('not a host', { username: 'a', password: 'p' }, env),
    (e: unknown) => e instanceof BulwarkError && e.code === 'USAGE',
  );
  const broken = dir('broken', {});
  writeFileSync(file(broken), '{"auths": [1, 2]}');
  assert.throws(
    () => saveLogin('r.example.com', { username: 'a', password: 'p' }, broken),
    (e: unknown) => e instanceof BulwarkError && e.code === 'CORRUPT',
  );
  assert.equal(readFileSync(file(broken), 'utf8'), '{"auths": [1, 2]}', 'a file that cannot be read is left as it was');
});
