import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { safeUrl, sourceOf } from './links.js';

const ajv = new Ajv();
addFormats.default(ajv);
const isUri = ajv.compile({ type: 'string', format: 'uri' });

test('links: the source of an id, by its prefix', () => {
  assert.deepEqual(sourceOf('CVE-2023-5752'), { name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-5752' });
  assert.deepEqual(sourceOf('GHSA-mq26-g339-26xf'), {
    name: 'GitHub Advisory Database',
    url: 'https://github.com/advisories/GHSA-mq26-g339-26xf',
  });
  assert.deepEqual(sourceOf('GO-2023-1840'), {
    name: 'Go Vulnerability Database',
    url: 'https://pkg.go.dev/vuln/GO-2023-1840',
  });
  assert.deepEqual(sourceOf('PYSEC-2023-228'), { name: 'OSV', url: 'https://osv.dev/vulnerability/PYSEC-2023-228' });
  assert.equal(sourceOf('ALSA-2024:2447').url, 'https://osv.dev/vulnerability/ALSA-2024%3A2447');
  assert.equal(sourceOf('a b/\uD800').url, 'https://osv.dev/vulnerability/a%20b%2F%EF%BF%BD');
});

test('links: safe URLs are absolute http(s) RFC 3986 URIs; others are refused', () => {
  for (const ok of [
    'https://github.com/pypa/pip/pull/12306',
    'https://www.openssl.org/news/secadv/20240125.txt',
    'http://x.example/a?b=c#d',
    'https://example.com/a(b)',
  ])
    assert.equal(safeUrl(ok), ok);
  for (const bad of [
    'javascript:alert(1)',
    'ftp://x/',
    'https://',
    'https:///x',
    'https://a b/',
    'https://x/a b',
    'https://x/%zz',
    'https://user@x/',
    'https://x/#a#b',
    'https://[::1]/',
    'https://x/<script>',
    'https://x/é',
    '/relative',
    '',
  ])
    assert.equal(safeUrl(bad), undefined, bad);
});

test('links: whatever safeUrl accepts, the URI format validators accept too', () => {
  const uriChar = fc.constantFrom(...'abcXYZ019-._~:/?#[]@!$&\'()*+,;=%<>" é|\\^`{}'.split(''));
  const tail = fc.string({ unit: uriChar, maxLength: 30 });
  const candidate = fc.oneof(
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    tail.map((t) => `https://${t}`),
    tail.map((t) => `http://example.com/${t}`),
  );
  fc.assert(
    fc.property(candidate, (s) => {
      const u = safeUrl(s);
      if (u !== undefined) assert.ok(isUri(u), `accepted but not a URI: ${u}`);
    }),
    { numRuns: 2000 },
  );
});
