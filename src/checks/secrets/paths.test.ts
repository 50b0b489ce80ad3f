import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_BYTES, fileKinds, normalizePath, wantsFile } from './paths.js';

test('wantsFile reads configuration, source and key files of any reasonable size', () => {
  for (const p of [
    '/app/.env',
    'app/config/settings.yaml',
    '/root/.ssh/id_rsa',
    '/root/.docker/config.json',
    '/etc/mysql/debian.cnf',
    '/srv/app/main.py',
    '/usr/lib/python3/dist-packages/requests/auth.py',
    '/app/node_modules/pkg/lib/index.js',
    '/etc/ssl/private/server.key',
    './deploy/.npmrc',
  ]) {
    assert.equal(wantsFile(p, 1000), true, p);
  }
  assert.equal(wantsFile('/app/.env', 0), false);
  assert.equal(wantsFile('/app/huge.log', DEFAULT_MAX_BYTES + 1), false);
  assert.equal(wantsFile('/app/huge.log', DEFAULT_MAX_BYTES), true);
  assert.equal(wantsFile('/app/big.json', 5000, 4096), false);
});

test('wantsFile skips binaries, media, archives, documentation trees, package databases and public certificates', () => {
  for (const p of [
    '/usr/lib/x86_64-linux-gnu/libssl.so.3',
    '/usr/lib/libfoo.so',
    '/usr/lib/libfoo.a',
    '/app/static/logo.png',
    '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
    '/app/vendor.tar.gz',
    '/app/lib/app.jar',
    '/usr/lib/python3.11/__pycache__/os.cpython-311.pyc',
    '/usr/share/doc/openssl/README',
    '/usr/share/man/man1/ls.1.gz',
    '/usr/share/locale/de/LC_MESSAGES/apt.mo',
    '/usr/share/zoneinfo/Asia/Tokyo',
    '/etc/ssl/certs/ca-certificates.crt',
    '/etc/ssl/certs/ISRG_Root_X1.pem',
    '/usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt',
    '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
    '/usr/lib/python3/dist-packages/certifi/cacert.pem',
    '/var/lib/dpkg/info/libc6.md5sums',
    '/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages',
    '/lib/apk/db/installed',
    '/usr/local/go/src/crypto/tls/handshake_test.go',
    '/root/go/pkg/mod/github.com/x/y@v1.0.0/key_test.go',
    '/usr/lib/python3/dist-packages/pip-23.0.dist-info/RECORD',
    '/app/go.sum',
    '/app/node_modules/jsonwebtoken/README.md',
    '/app/node_modules/pkg/test/fixtures/key.pem',
    '/app/node_modules/@types/node/crypto.d.ts',
    '/usr/lib/python3/dist-packages/paramiko/tests/test_rsa.key',
    '/usr/local/lib/python3.12/site-packages/pkg/LICENSE',
    '/app/dist/bundle.js.map',
    '/proc/1/environ',
  ]) {
    assert.equal(wantsFile(p, 1000), false, p);
  }
});

test('fileKinds: config formats, JSON, npm and netrc files', () => {
  const kinds = (p: string) => [...fileKinds(p)].sort();
  assert.deepEqual(kinds('/app/.env'), ['config']);
  assert.deepEqual(kinds('/app/.env.production'), ['config']);
  assert.deepEqual(kinds('/app/config.json'), ['config', 'json']);
  assert.deepEqual(kinds('/root/.docker/config.json'), ['config', 'json']);
  assert.deepEqual(kinds('/root/.npmrc'), ['config', 'npmrc']);
  assert.deepEqual(kinds('/root/.netrc'), ['config', 'netrc']);
  assert.deepEqual(kinds('/app/.git/config'), ['config']);
  assert.deepEqual(kinds('/root/.aws/credentials'), ['config']);
  for (const p of [
    '/app/a.properties',
    '/a.yaml',
    '/a.yml',
    '/a.ini',
    '/a.conf',
    '/a.cfg',
    '/my.cnf',
    '/a.toml',
    '/settings.xml',
    '/root/.pypirc',
    '/app/Dockerfile',
  ]) {
    assert.ok(fileKinds(p).has('config'), p);
  }
  for (const p of ['/app/main.py', '/app/index.js', '/app/README.md', '/usr/bin/config'])
    assert.deepEqual(kinds(p), [], p);
  assert.equal(normalizePath('./a\\b'), '/a/b');
});
