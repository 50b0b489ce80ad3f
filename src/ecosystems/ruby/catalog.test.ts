import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import fc from 'fast-check';
import type { Package } from '../../core/types.js';
import { catalogDir } from '../../../test/support/catalog-dir.js';
import { ruby } from './catalog.js';
import { parseGemfileLock } from './gemfile-lock.js';
import { parseGemspec } from './gemspec.js';
import { DEFAULT_LIMITS } from '../../image/limits.js';
import { throwsCode } from '../../../test/support/codes.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const ROOTFS = join(FIXTURES, 'rootfs');

function gemspecFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.gemspec'))
    .map((f) => join(dir, f));
}

test('every real gemspec (Debian ruby, rake, rack, bundler, nokogiri) gives the name and version RubyGems put in its file name', async () => {
  const { packages, issues } = await catalogDir(ruby, ROOTFS, 'image');
  assert.deepEqual(issues, []);
  const files = gemspecFiles(ROOTFS);
  assert.equal(packages.length, files.length);
  for (const p of packages) {
    // RubyGems names the file after the spec's full name: name-version[-platform]
    const full = [p.name, p.version, p.metadata?.platform].filter(Boolean).join('-');
    assert.equal(basename(p.path), `${full}.gemspec`, p.path);
  }
  const at = (path: string): Package => packages.find((p) => p.path === `/${path}`)!;
  const rack = at('usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec');
  assert.deepEqual(
    [rack.name, rack.version, rack.licenses, rack.purl],
    ['rack', '2.2.22', ['MIT'], 'pkg:gem/rack@2.2.22'],
  );
  const json = at('usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec');
  assert.deepEqual([json.licenses, json.metadata], [['Ruby'], { default: 'true' }]);
  assert.deepEqual(at('usr/lib/ruby/gems/3.1.0/specifications/default/stringio-3.0.1.2.gemspec').licenses, [
    'Ruby',
    'BSD-2-Clause',
  ]);
  const native = at('usr/local/bundle/specifications/nokogiri-1.15.4-x86_64-linux.gemspec');
  assert.equal(native.purl, 'pkg:gem/nokogiri@1.15.4?platform=x86_64-linux');
  // the Debian build of nokogiri is compiled for the "ruby" platform: no qualifier
  assert.equal(
    at('usr/lib/x86_64-linux-gnu/rubygems-integration/3.1.0/specifications/nokogiri-1.13.10.gemspec').purl,
    'pkg:gem/nokogiri@1.13.10',
  );
});

test('gemspecs are wanted only inside a specifications directory, Gemfile.lock only in source trees', () => {
  const info = { size: 100, mode: 0o644 };
  for (const p of [
    'usr/local/bundle/specifications/rack-2.2.8.gemspec',
    'var/lib/gems/3.1.0/specifications/rake-13.0.6.gemspec',
    'usr/local/lib/ruby/gems/3.3.0/specifications/default/uri-0.13.0.gemspec',
  ]) {
    assert.ok(ruby.wants(p, info, 'image', DEFAULT_LIMITS), p);
  }
  for (const p of ['usr/local/bundle/gems/rack-2.2.8/rack.gemspec', 'app/myapp.gemspec', 'specifications/x/y.gemspec'])
    assert.ok(!ruby.wants(p, info, 'fs', DEFAULT_LIMITS), p);
  assert.ok(
    ruby.wants('app/Gemfile.lock', info, 'fs', DEFAULT_LIMITS) && ruby.wants('gems.locked', info, 'fs', DEFAULT_LIMITS),
  );
  assert.ok(!ruby.wants('app/Gemfile.lock', info, 'image', DEFAULT_LIMITS));
});

test('gemspec forms beyond what RubyGems writes: Gem::Version.new, a single licence, single quotes', () => {
  const text = `Gem::Specification.new do |spec|\n  spec.name    = 'mygem'\n  spec.version = Gem::Version.new("2.0.0.pre1")\n  spec.license = 'Apache-2.0'\n  spec.required_ruby_version = ">= 3.0"\nend\n`;
  assert.deepEqual(parseGemspec('specifications/mygem-2.0.0.pre1.gemspec', text), {
    name: 'mygem',
    version: '2.0.0.pre1',
    licenses: ['Apache-2.0'],
  });
  throwsCode(
    () => parseGemspec('s.gemspec', 'Gem::Specification.new do |s|\n  s.name = "x"\n  s.version = X::VERSION\nend\n'),
    'MISSING_FIELD',
    's.gemspec',
  );
  throwsCode(() => parseGemspec('s.gemspec', '# just a comment\n'), 'MISSING_FIELD', 's.gemspec');
  throwsCode(() => parseGemspec('s.gemspec', 's.name = "x y"\ns.version = "1"\n'), 'CORRUPT', 's.gemspec');
});

test('Gemfile.lock lists the gems of its GEM, GIT and PATH sections, platform variants apart', () => {
  const path = 'project/Gemfile.lock';
  const gems = parseGemfileLock(path, readFileSync(join(FIXTURES, path), 'utf8'));
  assert.deepEqual(
    gems.map((g) => [g.name, g.version, g.platform ?? '', g.metadata?.source ?? 'gem'].join(' ')),
    [
      'activesupport 7.1.3.4  git',
      'myapp 0.1.0  path',
      'base64 0.2.0  gem',
      'bigdecimal 3.1.8  gem',
      'concurrent-ruby 1.3.4  gem',
      'i18n 1.14.5  gem',
      'mini_portile2 2.8.7  gem',
      'minitest 5.24.1  gem',
      'nokogiri 1.16.7  gem',
      'nokogiri 1.16.7 x86_64-linux gem',
      'racc 1.8.1  gem',
      'rack 2.2.9  gem',
      'rake 13.2.1  gem',
      'tzinfo 2.0.6  gem',
    ],
  );
  assert.deepEqual(gems[0]!.metadata, {
    source: 'git',
    remote: 'https://github.com/rails/rails.git',
    revision: '0e1d8a0b4a5c1f2e3d4c5b6a79881726354a6b5c',
  });
});

test('a source tree scan reads the lockfile and the installed specifications together', async () => {
  const { packages, issues } = await catalogDir(ruby, FIXTURES, 'fs');
  assert.deepEqual(issues, []);
  const native = packages.find((p) => p.path === '/project/Gemfile.lock' && p.metadata?.platform === 'x86_64-linux')!;
  assert.equal(native.purl, 'pkg:gem/nokogiri@1.16.7?platform=x86_64-linux');
  assert.equal(packages.filter((p) => p.path === '/project/Gemfile.lock').length, 14);
});

test('malformed Gemfile.lock fails with the line', () => {
  throwsCode(() => parseGemfileLock('G', 'GEM\n  specs:\n    rack 2.2.9\n'), 'CORRUPT', 'G: line 3');
  throwsCode(() => parseGemfileLock('G', '<<<<<<< HEAD\nGEM\n'), 'CORRUPT', 'G: line 1');
  throwsCode(() => parseGemfileLock('G', '    rack (1.0)\n'), 'CORRUPT', 'G: line 1');
  throwsCode(() => parseGemfileLock('G', ''), 'UNKNOWN_FORMAT', 'G');
  // sections Bundler added later (CHECKSUMS) and plugin sources are not gem sources
  assert.deepEqual(parseGemfileLock('G', 'GEM\n  specs:\n    rack (2.2.9)\n\nCHECKSUMS\n  rack (2.2.9) sha256=ab\n'), [
    { name: 'rack', version: '2.2.9', licenses: [] },
  ]);
});

test('property: arbitrary text as a gemspec or a Gemfile.lock parses or throws an Error', () => {
  const line = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      'GEM',
      'GIT',
      '  specs:',
      '  remote: x',
      '    a (1.0)',
      '    b (1.0-x86_64-linux)',
      '      c (>= 1)',
      's.name = "a"',
      's.version = "1"',
    ),
  );
  fc.assert(
    fc.property(
      fc.array(line, { maxLength: 12 }),
      fc.constantFrom('specifications/a-1.gemspec', 'Gemfile.lock'),
      (lines, path) => {
        try {
          const r = ruby.parse(path, Buffer.from(lines.join('\n')));
          assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
        } catch (e) {
          assert.ok(e instanceof Error);
        }
      },
    ),
    { numRuns: 200 },
  );
});
