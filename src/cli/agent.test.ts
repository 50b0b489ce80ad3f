import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bulwark } from '../../test/support/fixtures.js';
import { agentServer, agentSinks, parseIoRate } from './agent.js';
import { throwsCode } from '../../test/support/codes.js';

test('--io-threshold: a size per second, with or without /s', () => {
  assert.equal(parseIoRate('10MiB/s'), 10 * 2 ** 20);
  assert.equal(parseIoRate('10MiB'), 10 * 2 ** 20);
  assert.equal(parseIoRate(' 1.5 GB/S '), 1.5e9);
  assert.equal(parseIoRate('4096'), 4096);
  for (const bad of ['0', '0MiB/s', 'fast', '10MiB/h', '/s', '-1MiB/s', '10MiB/s/s'])
    throwsCode(() => parseIoRate(bad), 'USAGE');
});

test('--io-threshold: a bad rate is a usage error before the agent starts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-agent-cli-'));
  try {
    const r = bulwark(['agent', '--state-dir', dir, '--io-threshold', 'fast']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^bulwark: USAGE \(bad command line\): fast: /);
    const z = bulwark(['agent', '--state-dir', dir, '--io-threshold', '0/s']);
    assert.equal(z.code, 2, z.stderr);
    assert.match(z.stderr, /--io-threshold must be a positive rate/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const SECRET = 'hec-4b1d-do-not-echo';

test('sinks from --sink-config, BULWARK_SINKS and --sink, in that order; JSON lines on stdout when none', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-agent-cli-'));
  try {
    const file = join(dir, 'sinks.yaml');
    writeFileSync(file, `- {type: splunk-hec, url: "https://splunk.example:8088", token: ${SECRET}}\n`, {
      mode: 0o600,
    });
    const env = { BULWARK_SINKS: '[{"type":"webhook","url":"https://hooks.example/x"}]' };
    assert.deepEqual(
      agentSinks({ sinkConfig: file, sink: ['{"type":"jsonl","path":"/tmp/x"}'] }, env).map((s) => s.type),
      ['splunk-hec', 'webhook', 'jsonl'],
    );
    assert.deepEqual(
      agentSinks({}, {}).map((s) => [s.type, s.type === 'jsonl' ? s.path : '']),
      [['jsonl', undefined]],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sink credentials are never echoed, and a sink file others may read is refused before the agent starts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-agent-cli-'));
  try {
    const bad = bulwark([
      'agent',
      '--state-dir',
      dir,
      '--sink',
      JSON.stringify({ type: 'splunk-hec', url: 'https://splunk.example:8088', token: SECRET, tokn: 1 }),
    ]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /^bulwark: USAGE \(bad command line\): --sink 1: .*tokn/);
    assert.ok(!bad.stderr.includes(SECRET), bad.stderr);
    const file = join(dir, 'sinks.json');
    writeFileSync(file, JSON.stringify([{ type: 'splunk-hec', url: 'https://splunk.example:8088', token: SECRET }]), {
      mode: 0o644,
    });
    const open = bulwark(['agent', '--state-dir', dir, '--sink-config', file]);
    assert.equal(open.code, 2, open.stderr);
    assert.match(open.stderr, /sinks\.json: holds secrets but group or others may read/);
    assert.ok(!open.stderr.includes(SECRET));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--server: https only, the token from --token or BULWARK_TOKEN; --token alone is a usage error', () => {
  assert.equal(agentServer({}, {}), undefined);
  assert.deepEqual(agentServer({ server: 'https://bulwark.example:8443/ui' }, { BULWARK_TOKEN: 'env-t' }), {
    url: 'https://bulwark.example:8443',
    token: 'env-t',
  });
  assert.deepEqual(
    agentServer({ server: 'https://s:1', token: 'flag-t', serverCa: '/ca.pem' }, { BULWARK_TOKEN: 'env-t' }),
    {
      url: 'https://s:1',
      token: 'flag-t',
      caFile: '/ca.pem',
    },
  );
  throwsCode(() => agentServer({ server: 'https://s:1' }, {}), 'USAGE');
  throwsCode(() => agentServer({ server: 'http://s:1', token: 't' }, {}), 'USAGE');
  throwsCode(() => agentServer({ token: 't' }, {}), 'USAGE');
});
