import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { makeTempDir } from '../../core/tempdir.js';
import { sampleEvent } from '../../../test/support/security-events.js';
import { FileTransport } from './file.js';
import { createSink } from './index.js';

describe('jsonl sink', () => {
  const ids = (p: string): string[] =>
    readFileSync(p, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { id: string }).id);

  it('appends one JSON line per event to a private file, across sinks', async () => {
    const tmp = await makeTempDir();
    try {
      const path = join(tmp.path, 'events.jsonl');
      const a = createSink({ type: 'jsonl', path });
      const e1 = sampleEvent({ id: 'a', message: 'two\nlines' });
      a.emit(e1);
      await a.close();
      assert.equal(statSync(path).mode & 0o777, 0o600);

      const b = createSink({ type: 'jsonl', path });
      b.emit(sampleEvent({ id: 'b' }));
      await b.close();
      assert.deepEqual(b.stats(), { sent: 1, failed: 0, dropped: 0, queued: 0 });
      assert.deepEqual(ids(path), ['a', 'b']);
      assert.deepEqual(JSON.parse(readFileSync(path, 'utf8').split('\n')[0] ?? ''), e1);
    } finally {
      await tmp.remove();
    }
  });

  // The rotation check is throttled (default once a second); reopenCheckMs 0 checks before
  // every write, so the test needs no wait for the throttle to expire.
  it('follows rotation: once the file is moved away, writes go to a new file at the path', async () => {
    const tmp = await makeTempDir();
    const t = new FileTransport({ path: join(tmp.path, 'events.jsonl'), reopenCheckMs: 0 });
    try {
      const path = join(tmp.path, 'events.jsonl');
      const signal = new AbortController().signal;
      await t.send([sampleEvent({ id: 'a' }), sampleEvent({ id: 'b' })], signal);
      renameSync(path, `${path}.1`); // logrotate moves the file away
      await t.send([sampleEvent({ id: 'c' })], signal);
      assert.deepEqual(ids(`${path}.1`), ['a', 'b']);
      assert.deepEqual(ids(path), ['c']);
      assert.equal(statSync(path).mode & 0o777, 0o600);
    } finally {
      await t.close();
      await tmp.remove();
    }
  });

  it('writes to standard output when no path is given', () => {
    const index = fileURLToPath(new URL('./index.ts', import.meta.url));
    const script = `import { createSink } from ${JSON.stringify(index)};
const s = createSink({ type: 'jsonl' });
for (let i = 0; i < 3; i++) s.emit({ id: 'o' + i, time: '2024-01-01T00:00:00Z', rule: 'r', severity: 'LOW', message: 'm', stride: 'Tampering', attack: 'T1', action: 'alert' });
await s.close();`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id),
      ['o0', 'o1', 'o2'],
    );
  });

  it('counts a failure when the file cannot be written', async () => {
    const tmp = await makeTempDir();
    try {
      writeFileSync(join(tmp.path, 'not-a-dir'), '');
      const s = createSink({
        type: 'jsonl',
        path: join(tmp.path, 'not-a-dir', 'x.jsonl'),
        retry: { attempts: 2, initialDelayMs: 1, maxDelayMs: 1 },
      });
      s.emit(sampleEvent());
      await s.close();
      assert.deepEqual(s.stats(), { sent: 0, failed: 1, dropped: 0, queued: 0 });
    } finally {
      await tmp.remove();
    }
  });
});
