import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeTempDir } from '../../core/tempdir.js';
import fc from 'fast-check';
import { catalogDir } from '../../../test/support/catalog-dir.js';
import { php } from './catalog.js';
import { parseComposerLock, parseInstalledJson } from './composer.js';
import { DEFAULT_LIMITS } from '../../image/limits.js';
import { throwsCode } from '../../../test/support/codes.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const MW = 'mediawiki/usr/share/mediawiki/vendor';

/** Composer's other record of the same install, installed.php: "'vendor/name' => array('pretty_version' => 'v1.0', …". */
function installedPhp(): string[] {
  const text = readFileSync(join(FIXTURES, MW, 'composer/installed.php'), 'utf8');
  return [...text.matchAll(/'([^']+)' => array\(\s*'pretty_version' => '([^']+)'/g)]
    .map((m) => `${m[1]}@${m[2]}`)
    .filter((s) => !s.startsWith('__root__@'))
    .sort();
}

test('an image with a Composer 2 vendor tree (MediaWiki, Debian 12) lists what installed.php says is installed', async () => {
  const { packages, issues } = await catalogDir(php, join(FIXTURES, 'mediawiki'), 'image');
  assert.deepEqual(issues, []);
  assert.ok(
    packages.every((p) => p.path === '/usr/share/mediawiki/vendor/composer/installed.json'),
    'composer.lock is not read in images',
  );
  assert.deepEqual(packages.map((p) => `${p.name}@${p.version}`).sort(), installedPhp());
  const yaml = packages.find((p) => p.name === 'symfony/yaml')!;
  assert.deepEqual([yaml.version, yaml.licenses, yaml.purl], ['v5.4.23', ['MIT'], 'pkg:composer/symfony/yaml@v5.4.23']);
  assert.deepEqual(packages.find((p) => p.name === 'pear/pear-core-minimal')!.licenses, ['BSD-3-Clause']);
  assert.ok(packages.every((p) => p.ecosystem === 'composer' && p.files.length === 0 && !p.metadata));
});

test('composer.lock lists runtime and dev packages, the dev ones marked', () => {
  const lock = parseComposerLock('composer.lock', readFileSync(join(FIXTURES, MW, 'composer.lock')));
  assert.equal(lock.length, 68);
  assert.deepEqual(
    lock.filter((e) => e.dev),
    [{ name: 'php-parallel-lint/php-parallel-lint', version: 'v1.3.1', licenses: ['BSD-2-Clause'], dev: true }],
  );
  const installed = parseInstalledJson('installed.json', readFileSync(join(FIXTURES, MW, 'composer/installed.json')));
  assert.deepEqual(
    lock.filter((e) => !e.dev),
    installed,
  );
});

test('Composer 1 installed.json (a bare array) and Composer 2 dev-package-names', async () => {
  // in the order installed.json lists them
  const { packages } = await catalogDir(php, join(FIXTURES, 'composer1'), 'image', { order: false });
  assert.deepEqual(
    packages.map((p) => p.purl),
    [
      'pkg:composer/psr/log@1.1.2',
      'pkg:composer/monolog/monolog@1.25.2',
      'pkg:composer/symfony/polyfill-mbstring@v1.13.1',
    ],
  );
  const v2 = {
    packages: [
      { name: 'a/b', version: '1.0.0', license: 'MIT' },
      { name: 'phpunit/phpunit', version: '9.6.0' },
    ],
    dev: true,
    'dev-package-names': ['phpunit/phpunit'],
  };
  assert.deepEqual(parseInstalledJson('i', Buffer.from(JSON.stringify(v2))), [
    { name: 'a/b', version: '1.0.0', licenses: ['MIT'] },
    { name: 'phpunit/phpunit', version: '9.6.0', licenses: [], dev: true },
  ]);
});

test('installed.json under any vendor dir in both targets; composer.lock in source trees, not inside an installed package', () => {
  const info = { size: 100, mode: 0o644 };
  for (const t of ['image', 'fs'] as const)
    assert.ok(
      php.wants('var/www/html/vendor/composer/installed.json', info, t, DEFAULT_LIMITS) &&
        php.wants('vendor/composer/installed.json', info, t, DEFAULT_LIMITS),
    );
  assert.ok(
    php.wants('composer.lock', info, 'fs', DEFAULT_LIMITS) &&
      php.wants('usr/share/mediawiki/vendor/composer.lock', info, 'fs', DEFAULT_LIMITS),
  );
  assert.ok(!php.wants('composer.lock', info, 'image', DEFAULT_LIMITS));
  assert.ok(!php.wants('vendor/guzzlehttp/guzzle/composer.lock', info, 'fs', DEFAULT_LIMITS));
  assert.ok(!php.wants('vendor/composer/installed.php', info, 'fs', DEFAULT_LIMITS));
});

test('malformed Composer files fail with the file named', () => {
  throwsCode(
    () => parseInstalledJson('i.json', Buffer.from('{"packages":[{"name":"nosl","version":"1"}]}')),
    'CORRUPT',
    'i.json',
  );
  throwsCode(() => parseInstalledJson('i.json', Buffer.from('{"packages":[{"name":"a/b"}]}')), 'CORRUPT', 'i.json');
  throwsCode(() => parseComposerLock('c.lock', Buffer.from('{"packages":')), 'CORRUPT', 'c.lock');
  throwsCode(() => parseComposerLock('c.lock', Buffer.from('[]')), 'CORRUPT', 'c.lock');
});

test('property: arbitrary JSON as installed.json or composer.lock parses or throws an Error', () => {
  const pkg = fc.record(
    {
      name: fc.oneof(fc.string({ maxLength: 12 }), fc.constant('a/b')),
      version: fc.string({ maxLength: 8 }),
      license: fc.option(fc.oneof(fc.string(), fc.array(fc.string()))),
    },
    { requiredKeys: [] },
  );
  const doc = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.array(pkg),
    fc.record({ packages: fc.array(pkg), 'packages-dev': fc.option(fc.array(pkg)) }),
  );
  fc.assert(
    fc.property(doc, fc.constantFrom('vendor/composer/installed.json', 'composer.lock'), (d, path) => {
      try {
        const r = php.parse(path, Buffer.from(JSON.stringify(d) ?? ''));
        assert.ok(Array.isArray(r));
      } catch (e) {
        assert.ok(e instanceof Error);
      }
    }),
    { numRuns: 200 },
  );
});

test("the project's own composer.json is the application component, once; an installed package's is not, nor one without a version", async () => {
  const tmp = await makeTempDir();
  try {
    const put = (rel: string, text: string): void => {
      mkdirSync(dirname(join(tmp.path, rel)), { recursive: true });
      writeFileSync(join(tmp.path, rel), text);
    };
    cpSync(join(FIXTURES, 'composer1'), join(tmp.path, 'app'), { recursive: true });
    put(
      'app/composer.json',
      JSON.stringify({ name: 'acme/shop', version: '1.4.0', license: 'MIT', require: { 'psr/log': '^1.1' } }),
    );
    // an installed package ships its own composer.json: that package is installed.json's business
    put('app/vendor/psr/log/composer.json', JSON.stringify({ name: 'psr/log', version: '1.1.2' }));
    put('tool/composer.json', JSON.stringify({ name: 'acme/tool', require: {} }));
    for (const target of ['image', 'fs'] as const) {
      const { packages, issues } = await catalogDir(php, tmp.path, target);
      assert.deepEqual(issues, []);
      const apps = packages.filter((p) => p.role === 'application');
      assert.deepEqual(
        apps.map((p) => [p.name, p.version, p.purl, p.path, p.licenses]),
        [['acme/shop', '1.4.0', 'pkg:composer/acme/shop@1.4.0', '/app/composer.json', ['MIT']]],
        target,
      );
      // installed.json's three, unchanged, and nothing from vendor/psr/log/composer.json
      assert.deepEqual(
        packages
          .filter((p) => !p.role)
          .map((p) => p.purl)
          .sort(),
        [
          'pkg:composer/monolog/monolog@1.25.2',
          'pkg:composer/psr/log@1.1.2',
          'pkg:composer/symfony/polyfill-mbstring@v1.13.1',
        ],
        target,
      );
    }
  } finally {
    await tmp.remove();
  }
});
