import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientKey, FailureLimiter } from './failure-limiter.js';

test('clientKey: IPv4 as is, IPv4-mapped as IPv4, IPv6 by its /64', () => {
  const table: [string, string][] = [
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['2001:db8:0:1::5', '2001:db8:0:1::/64'],
    ['2001:0db8:0000:0001:aaaa:bbbb:cccc:dddd', '2001:db8:0:1::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1', 'fe80:0:0:0::/64'],
  ];
  for (const [address, key] of table) assert.equal(clientKey(address), key, address);
});

test('blocks after maxFailures in a window, for blockMs, then counts afresh', () => {
  let now = 0;
  const l = new FailureLimiter({ maxFailures: 3, windowMs: 1000, blockMs: 5000, now: () => now });
  for (let i = 0; i < 3; i++) assert.equal(l.fail('10.0.0.1'), false);
  assert.equal(l.blockedFor('10.0.0.1'), 0);
  assert.equal(l.fail('10.0.0.1'), true, 'the fourth failure blocks');
  assert.equal(l.blockedFor('10.0.0.1'), 5000);
  assert.equal(l.blockedFor('10.0.0.2'), 0, 'another address is not refused');
  now = 4999;
  assert.equal(l.blockedFor('10.0.0.1'), 1);
  now = 5000;
  assert.equal(l.blockedFor('10.0.0.1'), 0);
  assert.equal(l.fail('10.0.0.1'), false, 'a new window');
});

test('failures spread wider than the window never block', () => {
  let now = 0;
  const l = new FailureLimiter({ maxFailures: 2, windowMs: 1000, now: () => now });
  for (let i = 0; i < 10; i++) {
    now += 600;
    assert.equal(l.fail('10.0.0.1'), false);
  }
});

test('memory stays bounded: at most maxTracked addresses', () => {
  const l = new FailureLimiter({ maxTracked: 100 });
  for (let i = 0; i < 1000; i++) l.fail(`10.0.${i >> 8}.${i & 255}`);
  assert.ok((l as unknown as { entries: Map<string, unknown> }).entries.size <= 100);
});
