import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bulwark } from '../testing/fixtures.js';
import { parseIoRate } from './agent.js';

test('--io-threshold: a size per second, with or without /s', () => {
  assert.equal(parseIoRate('10MiB/s'), 10 * 2 ** 20);
  assert.equal(parseIoRate('10MiB'), 10 * 2 ** 20);
  assert.equal(parseIoRate(' 1.5 GB/S '), 1.5e9);
  assert.equal(parseIoRate('4096'), 4096);
  for (const bad of ['0', '0MiB/s', 'fast', '10MiB/h', '/s', '-1MiB/s', '10MiB/s/s']) assert.throws(() => parseIoRate(bad), /USAGE|not a size|positive rate/, bad);
});

test('--io-threshold: a bad rate is a usage error before the agent starts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-agent-cli-'));
  try {
    const r = bulwark(['agent', '--state-dir', dir, '--io-threshold', 'fast']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^bulwark: fast: not a size/);
    const z = bulwark(['agent', '--state-dir', dir, '--io-threshold', '0/s']);
    assert.equal(z.code, 2, z.stderr);
    assert.match(z.stderr, /--io-threshold must be a positive rate/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
