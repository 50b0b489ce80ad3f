import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isBulwarkError } from '../../core/errors.js';
import { makeTempDir } from '../../core/tempdir.js';
import { loadSinkConfigFile, parseSinkDocument, sinksFromEnv } from './document.js';

const TOKEN = 'hec-0f3c9a8e-secret';

test('a sink document: YAML or JSON, a list or {sinks: [...]}, each sink validated with defaults', () => {
  const yaml = `sinks:\n  - type: splunk-hec\n    url: https://splunk.example:8088\n    token: ${TOKEN}\n  - type: jsonl\n`;
  const json = JSON.stringify([
    { type: 'splunk-hec', url: 'https://splunk.example:8088', token: TOKEN },
    { type: 'jsonl' },
  ]);
  for (const text of [yaml, json]) {
    const sinks = parseSinkDocument(text, 'test');
    assert.deepEqual(
      sinks.map((s) => s.type),
      ['splunk-hec', 'jsonl'],
    );
    const first = sinks[0];
    assert.equal(first?.type === 'splunk-hec' && first.token, TOKEN);
    assert.equal(sinks[0]!.queueSize, 10_000, 'defaults filled in');
  }
  assert.deepEqual(
    sinksFromEnv({ BULWARK_SINKS: json })?.map((s) => s.type),
    ['splunk-hec', 'jsonl'],
  );
  assert.equal(sinksFromEnv({}), undefined);
});

test('a bad sink document is a USAGE error naming the sink and field, never a value', () => {
  const cases = [
    `[{"type":"splunk-hec","url":"ftp://x","token":"${TOKEN}"}]`,
    `[{"type":"splunk-hec","url":"https://x","token":"${TOKEN}","tokn":"${TOKEN}"}]`,
    `{"sinks": {"type": "jsonl"}, "token": "${TOKEN}"}`,
    `sinks: [ {type: webhook, url: "${TOKEN}" `,
    `"${TOKEN}"`,
  ];
  for (const text of cases) {
    assert.throws(
      () => parseSinkDocument(text, 'sinks.yaml'),
      (e: unknown) =>
        isBulwarkError(e) && e.code === 'USAGE' && !e.message.includes(TOKEN) && e.message.startsWith('sinks.yaml'),
      text,
    );
  }
});

test('parseSinkDocument: any text either parses or fails with a BulwarkError', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
      try {
        parseSinkDocument(text, 'x');
      } catch (e) {
        assert.ok(isBulwarkError(e), String(e));
      }
    }),
  );
});

test('--sink-config files: only a private regular file is read', async () => {
  const tmp = await makeTempDir();
  try {
    const f = join(tmp.path, 'sinks.yaml');
    writeFileSync(
      f,
      `- type: webhook\n  url: https://hooks.example/x\n  headers: {Authorization: "Bearer ${TOKEN}"}\n`,
      { mode: 0o600 },
    );
    assert.equal(loadSinkConfigFile(f)[0]?.type, 'webhook');
    chmodSync(f, 0o644);
    assert.throws(() => loadSinkConfigFile(f), { code: 'UNSAFE_PATH' });
    chmodSync(f, 0o600);
    symlinkSync(f, join(tmp.path, 'link.yaml'));
    assert.throws(() => loadSinkConfigFile(join(tmp.path, 'link.yaml')), { code: 'UNSAFE_PATH' });
    assert.throws(() => loadSinkConfigFile(join(tmp.path, 'none.yaml')), { code: 'NOT_FOUND' });
  } finally {
    await tmp.remove();
  }
});
