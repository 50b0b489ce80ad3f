import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  base62,
  decodeBasicAuth,
  hasValidTokenChecksum,
  isPyPiMacaroon,
  isSignedJwt,
  shannonEntropy,
  tokenChecksum,
} from './validators.js';
import { isAllowlisted, isTrivial, isVariableReference } from './allowlist.js';
import * as t from './fixtures/tokens.js';

const BASE62 = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'];

test('base62 digits run 0-9, A-Z, a-z, left-padded to the width', () => {
  assert.equal(base62(0, 6), '000000');
  assert.equal(base62(61, 6), '00000z');
  assert.equal(base62(62, 6), '000010');
  assert.equal(base62(0xffffffff, 6), '4gfFC3');
  assert.equal(base62(3843, 2), 'zz');
});

test('token checksum: real GitHub tokens (published, revoked) verify under every prefix', () => {
  for (const body of t.REAL_GITHUB_TOKEN_BODIES) {
    for (const prefix of ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'npm_'])
      assert.ok(hasValidTokenChecksum(prefix + body, prefix), prefix + body.slice(0, 6));
    assert.equal(tokenChecksum(body.slice(0, 30)), body.slice(30));
  }
});

test('token checksum: agrees with Python (zlib.crc32 and a base62 written in Python) on fresh tokens', () => {
  const bodies = t.checksummedBodies();
  assert.ok(bodies.length >= 100);
  for (const body of bodies) {
    assert.equal(tokenChecksum(body.slice(0, 30)), body.slice(30), body);
    assert.ok(hasValidTokenChecksum(`npm_${body}`, 'npm_'));
  }
});

test('token checksum: any single changed character of a real or Python-made token fails (property)', () => {
  const bodies = [...t.REAL_GITHUB_TOKEN_BODIES, ...t.checksummedBodies()];
  fc.assert(
    fc.property(
      fc.constantFrom(...bodies),
      fc.constantFrom('ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'npm_'),
      fc.nat(35),
      fc.constantFrom(...BASE62),
      (body, prefix, at, ch) => {
        fc.pre(body[at] !== ch);
        const flipped = prefix + body.slice(0, at) + ch + body.slice(at + 1);
        assert.equal(hasValidTokenChecksum(flipped, prefix), false);
      },
    ),
    { numRuns: 500 },
  );
  assert.equal(hasValidTokenChecksum('ghp_short', 'ghp_'), false);
  assert.equal(hasValidTokenChecksum(`ghp_${'a'.repeat(30)}-12345`, 'ghp_'), false);
  assert.equal(hasValidTokenChecksum(`ghp_${t.REAL_GITHUB_TOKEN_BODIES[0]}`, 'npm_'), false);
});

test('PyPI macaroons: version 2, location pypi.org or test.pypi.org, an identifier', () => {
  assert.ok(isPyPiMacaroon(t.pypiToken()));
  assert.ok(isPyPiMacaroon(t.pypiToken('test.pypi.org')));
  assert.equal(isPyPiMacaroon(t.pypiToken('pypi.org.evil')), false);
  assert.equal(isPyPiMacaroon('pypi-AgEIcHlwaS5vcmc'), false);
  assert.equal(
    isPyPiMacaroon(
      `pypi-${Buffer.from([1, 1, 8, ...Buffer.from('pypi.org'), 2, 4, 1, 2, 3, 4, ...new Array(30).fill(0)]).toString('base64url')}`,
    ),
    false,
  );
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 300 }),
      (b) => typeof isPyPiMacaroon(`pypi-${Buffer.from(b).toString('base64url')}`) === 'boolean',
    ),
  );
});

test('JWTs: JSON header with a real "alg", JSON payload, a signature', () => {
  assert.ok(isSignedJwt(t.jwt()));
  assert.ok(isSignedJwt(t.jwt({ alg: 'RS256', kid: 'k1' }, { iss: 'x', exp: 1 })));
  assert.equal(isSignedJwt(t.jwt({ alg: 'none' })), false);
  assert.equal(isSignedJwt(t.jwt({ typ: 'JWT' })), false);
  assert.equal(isSignedJwt(t.jwt({ alg: 'HS256' }, 'not json')), false);
  assert.equal(isSignedJwt(t.jwt({ alg: 'HS256' }, [1, 2])), false);
  assert.equal(isSignedJwt(t.jwt().split('.').slice(0, 2).join('.') + '.short'), false);
});

test('docker auth decodes to user:password', () => {
  assert.deepEqual(decodeBasicAuth(Buffer.from('ci:p@ss:word').toString('base64')), {
    user: 'ci',
    password: 'p@ss:word',
  });
  assert.equal(decodeBasicAuth(Buffer.from('nocolon').toString('base64')), null);
  assert.equal(decodeBasicAuth(Buffer.from(':pw').toString('base64')), null);
  assert.equal(decodeBasicAuth(Buffer.from('u:').toString('base64')), null);
  assert.equal(decodeBasicAuth(Buffer.from([0x75, 0x3a, 0x00, 0x01]).toString('base64')), null);
  assert.equal(decodeBasicAuth('not base64!'), null);
});

test('entropy and the allowlist', () => {
  assert.equal(shannonEntropy(''), 0);
  assert.equal(shannonEntropy('aaaa'), 0);
  assert.equal(shannonEntropy('abcd'), 2);
  assert.ok(shannonEntropy(t.randomBase62(32)) > 4);
  for (const v of [
    'AKIAIOSFODNN7EXAMPLE',
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'changeme',
    'your_api_key',
    '<token>',
    '${TOKEN}',
    '$TOKEN',
    '{{ .Values.x }}',
    '%(pw)s',
    '********',
    'xxxxxxxxxxxx',
    '12345678',
    'abcdefgh',
    'dummy-secret',
    'null',
    'sk_test_abc',
    '',
    '   ',
  ]) {
    assert.ok(isAllowlisted(v), v);
  }
  for (const v of ['Zk3Hq9Lm2Np7Rt5V', 'hunter2hunter3', 's3cr-Pa55']) assert.equal(isAllowlisted(v), false, v);
  assert.ok(isTrivial('abcabcabcabc') && isTrivial('98765432') && !isTrivial('Zk3Hq9Lm'));
  assert.ok(
    isVariableReference('ENV(DB_PASSWORD)') &&
      isVariableReference('process.env.TOKEN') &&
      !isVariableReference('p$ssword'),
  );
});
