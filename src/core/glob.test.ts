import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compilePatterns, globMatch } from './glob.js';

test('glob: * stays within a component, ** crosses them (and as a whole component may match none)', () => {
  const cases: [string, string, boolean][] = [
    ['ghcr.io/acme/*', 'ghcr.io/acme/app', true],
    ['ghcr.io/acme/*', 'ghcr.io/acme/app/sub', false],
    ['ghcr.io/acme/**', 'ghcr.io/acme/app/sub', true],
    ['ghcr.io/acme/**', 'ghcr.io/acme', true],
    ['ghcr.io/acme/**', 'ghcr.io/acmex', false],
    ['**/*:latest-debug', 'docker.io/library/app:latest-debug', true],
    ['**/*:latest-debug', '127.0.0.1:5000/a/b/c:latest-debug', true],
    ['**/*:latest-debug', 'docker.io/library/app:latest', false],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**/b', 'a/xb', false],
    ['a/**/**/b', 'a/b', true],
    ['*.acme.io/*', 'eu.acme.io/app', true],
    ['*.acme.io/*', 'acme.io/app', false],
    ['app-**', 'app-x/y', true],
    ['ghcr.io/a.b', 'ghcr.io/aXb', false],
    ['ghcr.io/a+b', 'ghcr.io/a+b', true],
    ['ghcr.io/(a|b)', 'ghcr.io/a', false],
  ];
  for (const [p, s, want] of cases) assert.equal(globMatch(p, s), want, `${p} ~ ${s}`);
});

test('image patterns cover what they name and everything below (the evaluator also tries the bare location)', () => {
  const re = compilePatterns(['127.0.0.1:5000', 'ghcr.io/acme/*', 'docker.io/library/ubuntu']);
  for (const s of [
    '127.0.0.1:5000/team/app',
    'ghcr.io/acme/app',
    'ghcr.io/acme/app/sub',
    'ghcr.io/acme/app:1.0',
    'docker.io/library/ubuntu',
  ])
    assert.ok(re.test(s), s);
  for (const s of [
    '127.0.0.1:50000/team/app',
    'ghcr.io/acme',
    'ghcr.io/acmecorp/app',
    'docker.io/library/ubuntu-debug',
    'docker.io/library/debian',
    '127.0.0.1/x',
  ])
    assert.ok(!re.test(s), s);
  assert.ok(!compilePatterns([]).test(''));
});

const text = fc.string({ unit: fc.constantFrom(...'ab/.:*?+()[]{}|^$\\\n-@'.split('')), maxLength: 20 });
const literal = text.map((s) => s.replaceAll('*', ''));

test('property: a pattern without * matches exactly itself (as an image pattern: itself and below)', () => {
  fc.assert(
    fc.property(literal, text, (p, s) => {
      assert.equal(globMatch(p, p), true);
      assert.equal(globMatch(p, s), s === p);
      assert.equal(compilePatterns([p]).test(s), s === p || s.startsWith(`${p}/`));
    }),
    { numRuns: 3000 },
  );
});

test('property: ** matches everything; * never matches across "/"; a pattern matches what it generates', () => {
  fc.assert(
    fc.property(text, literal, literal, (s, a, b) => {
      assert.equal(globMatch('**', s), true);
      assert.equal(globMatch('*', s), !s.includes('/'));
      assert.equal(globMatch(`${a}**${b}`, `${a}${s}${b}`), true);
      if (!s.includes('/')) assert.equal(globMatch(`${a}*${b}`, `${a}${s}${b}`), true);
    }),
    { numRuns: 3000 },
  );
});
