import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../core/tempdir.js';
import { throwsCode } from '../../../test/support/codes.js';
import { loadWatcherConfig, parseWatcherConfig, watches } from './config.js';

// The watcher's config file: registries by URL, secrets by name, insecure only on loopback.

const reg = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  url: 'https://registry.example.com',
  repositories: ['app'],
  ...over,
});

test('a YAML file loads, registries are named as references name them', async () => {
  const tmp = await makeTempDir();
  try {
    const file = join(tmp.path, 'watch.yaml');
    writeFileSync(
      file,
      [
        'pollIntervalSeconds: 60',
        'registries:',
        '  - url: https://Registry.Example.com:443',
        '    credentials: example-pull',
        '    notificationToken: example-events',
        '    repositories: [app, "team/*"]',
        '  - url: http://127.0.0.1:5000',
        '    insecure: true',
        '    repositories: ["**"]',
      ].join('\n'),
    );
    const c = loadWatcherConfig(file);
    assert.equal(c.pollIntervalSeconds, 60);
    assert.deepEqual(c.registries[0], {
      registry: 'registry.example.com',
      insecure: false,
      credentials: 'example-pull',
      notificationToken: 'example-events',
      repositories: ['app', 'team/*'],
    });
    assert.equal(c.registries[1]!.registry, '127.0.0.1:5000');
    assert.equal(watches(c.registries[0]!, 'team/x'), true);
    assert.equal(watches(c.registries[0]!, 'team/x/y'), false);
    assert.equal(watches(c.registries[0]!, 'app2'), false);
    assert.equal(watches(c.registries[1]!, 'a/b/c'), true);
    throwsCode(() => loadWatcherConfig(join(tmp.path, 'none.yaml')), 'NOT_FOUND');
    writeFileSync(file, 'registries: [');
    throwsCode(() => loadWatcherConfig(file), 'CORRUPT', file);
  } finally {
    await tmp.remove();
  }
});

test('insecure and plain http only for 127.0.0.1, ::1 and localhost', () => {
  for (const url of ['http://127.0.0.1:5000', 'http://[::1]:5000', 'https://localhost:5000'])
    parseWatcherConfig({ registries: [reg({ url, insecure: true })] }, 'w');
  for (const url of ['http://10.0.0.1:5000', 'https://registry.example.com', 'http://127.0.0.2:5000'])
    throwsCode(
      () => parseWatcherConfig({ registries: [reg({ url, insecure: true })] }, 'w'),
      'CORRUPT',
      /registries\.0/,
    );
  throwsCode(() => parseWatcherConfig({ registries: [reg({ url: 'http://127.0.0.1:5000' })] }, 'w'), 'CORRUPT');
});

test('bad entries are refused naming the field; secrets are names, not values', () => {
  const bad: [unknown, RegExp][] = [
    [{ registries: [reg({ url: 'https://u:p@registry.example.com' })] }, /credentials go in a secret/],
    [{ registries: [reg({ url: 'ftp://registry.example.com' })] }, /https/],
    [{ registries: [reg({ url: 'https://registry.example.com/v2/' })] }, /host and port only/],
    [{ registries: [reg({ password: 'hunter2' })] }, /registries\.0/],
    [{ registries: [reg({ credentials: 'user:hunter2' })] }, /registries\.0\.credentials/],
    [{ registries: [reg({ repositories: [] })] }, /registries\.0\.repositories/],
    [{ registries: [reg({ repositories: ['App'] })] }, /registries\.0\.repositories\.0/],
    [{ registries: [reg(), reg()] }, /twice/],
    [{ registries: [], pollIntervalSeconds: 1 }, /pollIntervalSeconds/],
    [{ registries: 'all' }, /registries/],
  ];
  for (const [doc, why] of bad) {
    const e = throwsCode(() => parseWatcherConfig(doc, 'w.yaml'), 'CORRUPT', /^w\.yaml/);
    assert.match(e.message, why);
    assert.doesNotMatch(e.message, /hunter2/);
  }
});
