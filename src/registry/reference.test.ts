import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BulwarkError } from '../core/errors.js';
import { formatReference, hasRegistryHost, isLoopback, parseReference, registryEndpoint } from './reference.js';

const D = `sha256:${'a'.repeat(64)}`;

test('references normalise as docker does: Docker Hub defaults, registry hosts, tags and digests', () => {
  const table: [string, string, string, string?, string?][] = [
    ['debian', 'docker.io', 'library/debian'],
    ['debian:bookworm', 'docker.io', 'library/debian', 'bookworm'],
    ['bitnami/redis:7.2', 'docker.io', 'bitnami/redis', '7.2'],
    ['docker.io/debian', 'docker.io', 'library/debian'],
    ['index.docker.io/library/debian:12', 'docker.io', 'library/debian', '12'],
    ['ghcr.io/org/team/app:v1.2.3', 'ghcr.io', 'org/team/app', 'v1.2.3'],
    ['localhost/app', 'localhost', 'app'],
    ['localhost:5000/app:dev', 'localhost:5000', 'app', 'dev'],
    ['127.0.0.1:5000/a/b', '127.0.0.1:5000', 'a/b'],
    ['[::1]:5000/app:1', '[::1]:5000', 'app', '1'],
    ['Registry/app', 'registry', 'app'],
    ['Docker.IO/ubuntu', 'docker.io', 'library/ubuntu'],
    ['INDEX.docker.io:443/library/ubuntu:22.04', 'docker.io', 'library/ubuntu', '22.04'],
    ['registry-1.docker.io/ubuntu:Latest', 'docker.io', 'library/ubuntu', 'Latest'],
    ['GHCR.io:443/org/app', 'ghcr.io', 'org/app'],
    ['localhost:80/app', 'localhost', 'app'],
    ['127.0.0.1:80/app', '127.0.0.1', 'app'],
    ['127.1:5000/app', '127.0.0.1:5000', 'app'],
    ['[0:0:0:0:0:0:0:1]:443/app', '[::1]', 'app'],
    ['registry.example.com:80/app', 'registry.example.com:80', 'app'],
    ['registry.example.com:05000/app', 'registry.example.com:5000', 'app'],
    ['localhost:5000', 'docker.io', 'library/localhost', '5000'],
    [`quay.io/app@${D}`, 'quay.io', 'app', undefined, D],
    [`quay.io/app:1@${D}`, 'quay.io', 'app', '1', D],
    ['my-registry.example.com:443/a_b/c.d/e--f:tag_1.0-rc', 'my-registry.example.com', 'a_b/c.d/e--f', 'tag_1.0-rc'],
  ];
  for (const [input, registry, repository, tag, digest] of table) {
    assert.deepEqual(
      parseReference(input),
      { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) },
      input,
    );
  }
  assert.equal(formatReference(parseReference('debian:12')), 'docker.io/library/debian:12');
  assert.equal(registryEndpoint('docker.io'), 'registry-1.docker.io');
  assert.equal(registryEndpoint('ghcr.io'), 'ghcr.io');
});

test('invalid references are usage errors naming the reference', () => {
  for (const bad of [
    '',
    'upper/Case',
    'Debian',
    'ghcr.io/Org/app',
    'app:',
    'app:-tag',
    'app@sha256:abc',
    'ghcr.io/',
    'a//b',
    'host:99999/app',
    '999.1.1.1/app',
    '[:::]/app',
    `app@sha256:${'A'.repeat(64)}`,
    `app@SHA256:${'a'.repeat(64)}`,
    '-bad.example/app',
    'a'.repeat(64),
    `r.io/${'a'.repeat(260)}`,
  ]) {
    assert.throws(
      () => parseReference(bad),
      (e: unknown) => e instanceof BulwarkError && e.code === 'USAGE',
      bad,
    );
  }
});

test('a bare target names a registry when its first component has a dot or a colon or is localhost', () => {
  for (const yes of [
    'ghcr.io/app',
    'localhost/app',
    'localhost:5000/app',
    '127.0.0.1:5000/app:1',
    'registry.local/a/b',
  ])
    assert.ok(hasRegistryHost(yes), yes);
  for (const no of ['debian', 'debian:12', 'bitnami/redis', 'MyDir/image', 'ghcr.io'])
    assert.ok(!hasRegistryHost(no), no);
});

test('loopback is localhost, 127.0.0.0/8 and ::1, with or without a port', () => {
  for (const yes of ['localhost', 'localhost:5000', '127.0.0.1', '127.1.2.3:443', '[::1]:5000', '::1'])
    assert.ok(isLoopback(yes), yes);
  for (const no of [
    'registry.example.com',
    '10.0.0.1:5000',
    '128.0.0.1',
    'localhost.example.com',
    '127.0.0.1.nip.io',
    '[::2]:5000',
    '0.0.0.0',
  ])
    assert.ok(!isLoopback(no), no);
});
