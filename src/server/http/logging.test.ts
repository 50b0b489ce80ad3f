import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskUrl, redact } from './logging.js';

test('maskUrl masks the values of sensitive query parameters only', () => {
  assert.equal(maskUrl('/a?token=abc&x=1'), '/a?token=[redacted]&x=1');
  assert.equal(maskUrl('/a?api_key=abc&Password=p'), '/a?api_key=[redacted]&Password=[redacted]');
  assert.equal(maskUrl('/a?since=2024'), '/a?since=2024');
  assert.equal(maskUrl('/a'), '/a');
});

test('redact masks fields named like secrets at any depth, and bearer tokens in text', () => {
  assert.deepEqual(
    redact({
      a: { token: 't', nested: [{ clientSecret: 's' }], ok: 1 },
      headers: { Authorization: 'Bearer x' },
      msg: 'sent Bearer abc.def to them',
      password: undefined,
    }),
    {
      a: { token: '[redacted]', nested: [{ clientSecret: '[redacted]' }], ok: 1 },
      headers: { Authorization: '[redacted]' },
      msg: 'sent Bearer [redacted] to them',
      password: undefined,
    },
  );
});
