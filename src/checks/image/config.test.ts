import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageConfig } from '../../image/image.js';
import type { CheckResult } from '../check.js';
import { secretInAssignment } from '../run.js';
import { IMAGE_CHECKS, type ImageFactsForChecks } from './config.js';
import { IMAGE_CHECK_INFO } from './info.js';

// Every image configuration and history check: a config that fails it and one that passes.

const L0 = { index: 0, diffId: `sha256:${'a'.repeat(64)}` };
const L1 = { index: 1, diffId: `sha256:${'b'.repeat(64)}` };

function image(
  config: Record<string, unknown>,
  history: string[] = ['ADD rootfs.tar /', 'CMD ["sh"]'],
  labels?: Record<string, string>,
): ImageFactsForChecks {
  const cfg: ImageConfig = {
    rootfs: { type: 'layers', diff_ids: [L0.diffId, L1.diffId] },
    config: { ...config, ...(labels ? { Labels: labels } : {}) },
  };
  let n = 0;
  const layers = [L0, L1];
  return {
    config: cfg,
    history: history.map((h) => ({
      createdBy: h,
      ...(/^(ADD|COPY|RUN)/.test(h.replace(/^\/bin\/sh -c (#\(nop\) )?/, '')) ? { layer: layers[n++] ?? L1 } : {}),
    })),
    secretIn: secretInAssignment,
  };
}

const HEALTHY = { Healthcheck: { Test: ['CMD', 'true'] }, User: 'app' };
const AWS_SECRET = 'q7Rf3kZp9XvB2mWcLs8TnYd4Hj6GaE1uQo0VrKxi';

const CASES: Record<string, { fail: ImageFactsForChecks; pass: ImageFactsForChecks; message: RegExp }> = {
  'BW-IMG-001': { fail: image({ User: '0:0' }), pass: image({ User: '10001' }), message: /USER 0:0 is root/ },
  'BW-IMG-002': {
    fail: image({ ExposedPorts: { '22/tcp': {}, '80/tcp': {} } }, ['ADD rootfs.tar /', 'EXPOSE 22 80']),
    pass: image({ ExposedPorts: { '8080/tcp': {} } }),
    message: /22\/tcp \(SSH\)/,
  },
  'BW-IMG-003': {
    fail: image({ Env: ['PATH=/usr/bin', `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`, 'DB_PASSWORD=hunter2-prod-9'] }),
    pass: image({ Env: ['PATH=/usr/bin', 'PASSWORD_FILE=/run/secrets/db', 'TOKEN_URL=', 'API_KEY=${API_KEY}'] }),
    message: /ENV (AWS_SECRET_ACCESS_KEY|DB_PASSWORD) holds a secret/,
  },
  'BW-IMG-004': {
    fail: image({}, undefined, { 'deploy.token': 'ghp-live-9f8e7d6c5b4a3f2e1d0c' }),
    pass: image({}, undefined, { 'org.opencontainers.image.source': 'https://example.com/app' }),
    message: /LABEL deploy\.token holds a secret/,
  },
  'BW-IMG-005': { fail: image({ Healthcheck: { Test: ['NONE'] } }), pass: image(HEALTHY), message: /HEALTHCHECK NONE/ },
  'BW-IMG-006': {
    fail: image({}, ['ADD https://example.com/tool.tgz /opt/']),
    pass: image({}, ['ADD --checksum=sha256:abc tool.tgz /opt/', 'ADD rootfs.tar /']),
    message: /ADD fetches from a URL/,
  },
  'BW-IMG-007': {
    fail: image({}, ['ADD rootfs.tar /', '/bin/sh -c curl -fsSL https://get.example.com | sh']),
    pass: image({}, [
      'ADD rootfs.tar /',
      '/bin/sh -c curl -fsSLo /tmp/x.tgz https://example.com/x.tgz && echo "abc  /tmp/x.tgz" | sha256sum -c',
    ]),
    message: /a downloaded script runs unverified/,
  },
  'BW-IMG-008': {
    fail: image({}, undefined, { 'org.opencontainers.image.base.name': 'docker.io/library/debian:latest' }),
    pass: image({}, undefined, {
      'org.opencontainers.image.base.name': 'docker.io/library/debian:12@sha256:' + 'c'.repeat(64),
    }),
    message: /mutable tag latest/,
  },
};

const run = (id: string, f: ImageFactsForChecks): CheckResult[] =>
  IMAGE_CHECKS[id]!(
    f,
    IMAGE_CHECK_INFO.find((c) => c.id === id)!,
  );

test('every image check has a failing and a passing fixture', () => {
  const ids = IMAGE_CHECK_INFO.filter((c) => c.id.startsWith('BW-IMG-')).map((c) => c.id);
  assert.deepEqual(Object.keys(IMAGE_CHECKS).sort(), ids.sort(), 'one implementation per catalog entry');
  for (const id of ids) {
    const c = CASES[id];
    assert.ok(c, `${id} has fixtures`);
    const failed = run(id, c.fail);
    assert.ok(failed.length > 0, `${id} fires on its failing fixture`);
    for (const r of failed) {
      assert.equal(r.checkId, id);
      assert.match(r.message, c.message);
    }
    assert.deepEqual(run(id, c.pass), [], `${id} stays quiet on its passing fixture`);
  }
});

test('results name the layer of the step that set them; secret values are never shown', () => {
  const f = image({ Env: [`AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`], ExposedPorts: { '2375/tcp': {} } }, [
    'ADD rootfs.tar /',
    `ENV AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`,
    'COPY app /app',
    'EXPOSE 2375',
  ]);
  const env = run('BW-IMG-003', f);
  assert.equal(env[0]!.location.layer?.index, 0, 'ENV after the first layer');
  assert.ok(!JSON.stringify(env).includes(AWS_SECRET.slice(4)));
  assert.equal(run('BW-IMG-002', f)[0]!.location.layer?.index, 1, 'EXPOSE after the second layer');
  assert.equal(run('BW-IMG-001', image({}))[0]!.message, 'no USER: the container runs as root');
});
