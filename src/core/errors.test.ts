import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BulwarkError, isBulwarkError } from './errors.js';

test('BulwarkError names its input in the message and keeps the code', () => {
  const e = new BulwarkError('CORRUPT', 'image.tar', 'not a tar archive');
  assert.equal(e.message, 'image.tar: not a tar archive');
  assert.equal(e.code, 'CORRUPT');
  assert.ok(isBulwarkError(e));
  assert.ok(!isBulwarkError(new Error('x')));
});
