import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeAnyBase64, decodeStdBase64 } from './base64.js';

test('base64: every byte string round-trips in both alphabets, padded or not', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (u) => {
      const b = Buffer.from(u);
      assert.deepEqual(decodeStdBase64(b.toString('base64')), b);
      assert.deepEqual(decodeAnyBase64(b.toString('base64')), b);
      assert.deepEqual(decodeAnyBase64(b.toString('base64').replace(/=+$/, '')), b);
      assert.deepEqual(decodeAnyBase64(b.toString('base64url')), b);
    }),
  );
});

test('base64: junk, non-canonical bits, bad padding and mixed alphabets are refused', () => {
  for (const bad of ['A', 'AA', 'AAA', 'YR==', 'YWJ=', 'Y W=', 'YQ', '-_8=', 'AA==AA==', '====', 'QQ=', '\n'])
    assert.equal(decodeStdBase64(bad), undefined, bad);
  for (const bad of ['A', 'YR==', 'YR', '+_8A', 'QQ=', 'QQ===', 'a$bc'])
    assert.equal(decodeAnyBase64(bad), undefined, bad);
  assert.deepEqual(decodeStdBase64(''), Buffer.alloc(0));
  assert.deepEqual(decodeAnyBase64('-_8'), Buffer.from([0xfb, 0xff]));
});
