import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBulwarkError } from './errors.js';
import { listEntries } from './zip.js';
import { writeZip } from '../ecosystems/java/fixtures/zip-writer.js';
import { have, requireAll } from '../testing/require.js';

/** Info-ZIP's verdict on an archive (`unzip -tq`): 0 when sound, 12 for overlapped components (a zip bomb, Debian's UnZip 6.0). */
function unzipStatus(buf: Buffer): number {
  const dir = mkdtempSync(join(tmpdir(), 'zip-oracle-'));
  try {
    writeFileSync(join(dir, 'a.zip'), buf);
    return spawnSync('unzip', ['-tq', join(dir, 'a.zip')]).status ?? -1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function refusedAsCorrupt(buf: Buffer): boolean {
  try {
    listEntries(buf, '/b.jar', () => false);
    return false;
  } catch (e) {
    assert.ok(isBulwarkError(e), String(e));
    assert.equal(e.code, 'CORRUPT', e.message);
    return true;
  }
}

const hello = Buffer.from('hello, world\n'.repeat(20));

/** Three ways for entries to share bytes, as the "non-recursive zip bomb" constructions do. */
function overlapping(): Record<string, Buffer> {
  // one local header named by many directory records
  const shared = writeZip([{ name: 'a', data: hello, deflate: true }, ...Array.from({ length: 5 }, (_, i) => ({ name: `b${i}`, data: hello, deflate: true, sameAs: 0 }))]);
  // a stored entry whose data quotes a whole second entry, header and all
  const inner = writeZip([{ name: 'b', data: hello }]);
  const quoted = writeZip([{ name: 'a', data: inner.subarray(0, 30 + 1 + hello.length) }, { name: 'b', data: hello, at: 30 + 1 }]);
  // an entry whose data runs on into the central directory
  const into = writeZip([{ name: 'a', data: hello }]);
  const cd = into.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  into.writeUInt32LE(hello.length + 20, cd + 20);
  into.writeUInt32LE(hello.length + 20, cd + 24);
  into.writeUInt32LE(hello.length + 20, 18);
  into.writeUInt32LE(hello.length + 20, 22);
  return { shared, quoted, into };
}

test('entries sharing bytes with another entry or with the central directory are refused, as Info-ZIP refuses them', (t) => {
  if (!requireAll(t, { unzip: have('unzip') })) return;
  const sound = writeZip([{ name: 'a', data: hello, deflate: true }, { name: 'b', data: hello }]);
  assert.equal(unzipStatus(sound), 0);
  assert.equal(refusedAsCorrupt(sound), false);
  for (const [what, buf] of Object.entries(overlapping())) {
    assert.equal(unzipStatus(buf), 12, `unzip does not call ${what} overlapped`);
    assert.ok(refusedAsCorrupt(buf), `${what} was read`);
  }
});
