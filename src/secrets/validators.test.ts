import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import {
  base62,
  decodeBasicAuth,
  hasValidTokenChecksum,
  isPyPiMacaroon,
  isSignedJwt,
  makeChecksumToken,
  shannonEntropy,
  tokenChecksum,
} from './validators.js';
import { isAllowlisted, isTrivial, isVariableReference } from './allowlist.js';
import { have, requireAll } from '../testing/require.js';
import * as t from './fixtures/tokens.js';

const BASE62 = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'];
const random30 = fc.string({ unit: fc.constantFrom(...BASE62), minLength: 30, maxLength: 30 });

test('base62 digits run 0-9, A-Z, a-z, left-padded to the width', () => {
  assert.equal(base62(0, 6), '000000');
  assert.equal(base62(61, 6), '00000z');
  assert.equal(base62(62, 6), '000010');
  assert.equal(base62(0xffffffff, 6), '4gfFC3');
  assert.equal(base62(3843, 2), 'zz');
});

test('token checksum: CRC-32 of the 30 random characters in base62 agrees with an independent CRC-32 (Python zlib)', (t) => {
  if (!requireAll(t, { python3: have('python3') })) return;
  const samples = ['aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1', 'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Jh1Gf0', '000000000000000000000000000000'];
  const py = spawnSync('python3', ['-c', 'import sys, zlib\nfor s in sys.argv[1:]: print(zlib.crc32(s.encode()))', ...samples], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  const crcs = py.stdout.trim().split('\n').map(Number);
  samples.forEach((s, i) => assert.equal(tokenChecksum(s), base62(crcs[i]!, 6), s));
});

test('token checksum: generated tokens verify; any single changed character fails (property)', () => {
  fc.assert(
    fc.property(random30, fc.constantFrom('ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'npm_'), fc.nat(35), fc.constantFrom(...BASE62), (random, prefix, at, ch) => {
      const token = makeChecksumToken(prefix, random);
      assert.equal(token.length, 40);
      assert.ok(hasValidTokenChecksum(token, prefix));
      const i = prefix.length + at;
      fc.pre(token[i] !== ch);
      const flipped = token.slice(0, i) + ch + token.slice(i + 1);
      assert.equal(hasValidTokenChecksum(flipped, prefix), false);
    }),
    { numRuns: 500 },
  );
  assert.equal(hasValidTokenChecksum('ghp_short', 'ghp_'), false);
  assert.equal(hasValidTokenChecksum(`ghp_${'a'.repeat(30)}-12345`, 'ghp_'), false);
  assert.throws(() => makeChecksumToken('ghp_', 'short'), RangeError);
});

test('PyPI macaroons: version 2, location pypi.org or test.pypi.org, an identifier', () => {
  assert.ok(isPyPiMacaroon(t.pypiToken()));
  assert.ok(isPyPiMacaroon(t.pypiToken('test.pypi.org')));
  assert.equal(isPyPiMacaroon(t.pypiToken('pypi.org.evil')), false);
  assert.equal(isPyPiMacaroon('pypi-AgEIcHlwaS5vcmc'), false);
  assert.equal(isPyPiMacaroon(`pypi-${Buffer.from([1, 1, 8, ...Buffer.from('pypi.org'), 2, 4, 1, 2, 3, 4, ...new Array(30).fill(0)]).toString('base64url')}`), false);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => typeof isPyPiMacaroon(`pypi-${Buffer.from(b).toString('base64url')}`) === 'boolean'));
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
  assert.deepEqual(decodeBasicAuth(Buffer.from('ci:p@ss:word').toString('base64')), { user: 'ci', password: 'p@ss:word' });
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
  for (const v of ['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'changeme', 'your_api_key', '<token>', '${TOKEN}', '$TOKEN', '{{ .Values.x }}', '%(pw)s', '********', 'xxxxxxxxxxxx', '12345678', 'abcdefgh', 'dummy-secret', 'null', 'sk_test_abc', '', '   ']) {
    assert.ok(isAllowlisted(v), v);
  }
  for (const v of ['Zk3Hq9Lm2Np7Rt5V', 'hunter2hunter3', 's3cr-Pa55']) assert.equal(isAllowlisted(v), false, v);
  assert.ok(isTrivial('abcabcabcabc') && isTrivial('98765432') && !isTrivial('Zk3Hq9Lm'));
  assert.ok(isVariableReference('ENV(DB_PASSWORD)') && isVariableReference('process.env.TOKEN') && !isVariableReference('p$ssword'));
});
