import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizePackageName, sameName } from './index.js';

// [ecosystem, a, b, same?]: spellings each registry documents as one package or as two
const TABLE: [string, string, string, boolean][] = [
  // PEP 503: lower case, runs of - _ . as one -
  ['PyPI', 'JW_Util', 'jw-util', true],
  ['PyPI', 'Foo.-_Bar', 'foo-bar', true],
  ['PyPI', 'zope.interface', 'zope-interface', true],
  ['PyPI', 'foobar', 'foo-bar', false],
  // NuGet ids are case-insensitive; dots are part of the id
  ['NuGet', 'Newtonsoft.Json', 'newtonsoft.json', true],
  ['NuGet', 'Newtonsoft.Json', 'Newtonsoft-Json', false],
  // Composer names are case-insensitive vendor/package
  ['Packagist', 'Symfony/Http-Kernel', 'symfony/http-kernel', true],
  ['Packagist', 'symfony/http-kernel', 'symfony/http_kernel', false],
  // crates.io: case and -/_ do not tell crates apart
  ['crates.io', 'serde_json', 'serde-json', true],
  ['crates.io', 'Serde_Json', 'serde-json', true],
  ['crates.io', 'serdejson', 'serde-json', false],
  // as given
  ['npm', 'JSONStream', 'jsonstream', false],
  ['npm', '@babel/core', '@babel/core', true],
  ['Go', 'github.com/BurntSushi/toml', 'github.com/burntsushi/toml', false],
  ['Maven', 'org.apache.logging.log4j:log4j-core', 'org.apache.logging.log4j:Log4j-Core', false],
  ['RubyGems', 'RedCloth', 'redcloth', false],
  ['Debian:12', 'openssl', 'OpenSSL', false],
  ['Alpine:v3.11', 'py3-Foo_bar', 'py3-foo-bar', false],
  ['AlmaLinux:9', 'openssl-libs', 'openssl_libs', false],
  ['Ubuntu:22.04:LTS', 'libxml2', 'libxml2', true],
];

test('names: spellings of one package are one name; different packages stay apart', () => {
  for (const [eco, a, b, same] of TABLE) assert.equal(sameName(eco, a, b), same, `${eco}: ${a} vs ${b}`);
});

test('names: the release suffix does not change the rule; unknown ecosystems keep names as given', () => {
  assert.equal(normalizePackageName('PyPI', 'Foo.-_Bar'), 'foo-bar');
  assert.equal(normalizePackageName('NuGet', 'Newtonsoft.Json'), 'newtonsoft.json');
  assert.equal(normalizePackageName('Hex', 'Plug_Cowboy'), 'Plug_Cowboy');
  assert.equal(normalizePackageName('constructor', 'X'), 'X');
});
