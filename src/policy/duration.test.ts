import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from './duration.js';

test('durations: 30m, 24h, 7d, 1d12h; anything else is refused; formatting is compact', () => {
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.equal(parseDuration('24h'), 86_400_000);
  assert.equal(parseDuration('7d'), 604_800_000);
  assert.equal(parseDuration('1d12h'), 129_600_000);
  assert.equal(parseDuration('2w'), 1_209_600_000);
  for (const bad of ['', '0h', '24', 'h', '1.5h', '1 d', '-1h', '24H', '1y'])
    assert.equal(parseDuration(bad), undefined, bad);
  assert.equal(formatDuration(30 * 3_600_000 + 5 * 60_000), '1d 6h');
  assert.equal(formatDuration(5 * 3_600_000 + 12 * 60_000 + 9000), '5h 12m');
  assert.equal(formatDuration(42_000), '42s');
  assert.equal(formatDuration(0), '0s');
});
