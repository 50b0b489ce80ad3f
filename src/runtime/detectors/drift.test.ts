import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import tarStream from 'tar-stream';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { putArchive } from '../../engine/containers.js';
import { execInContainer } from '../../engine/exec.js';
import { haveBusybox, importBusybox, removeContainer, runContainer } from '../../../test/support/busybox.js';
import { engineUp, removeImage } from '../../../test/support/engine.js';
import { requireSetUp } from '../../../test/support/require.js';
import { ContainerTracker } from '../containers.js';
import { containerPath, DriftDetector } from './drift.js';

// Drift against a real container: a file copied in through the Engine API (as `docker cp`
// does) is drift, the image's own programs are not.

const IMAGE = 'bulwark-test/busybox:drift';
let ready = false;

before(async () => {
  if (!(await engineUp()) || !haveBusybox()) return;
  await importBusybox('bulwark-test/busybox', 'drift', ['cat', 'ls']);
  ready = true;
});

after(async () => {
  if (ready) await removeImage(IMAGE);
});

test('containerPath strips the merged dir; anything else must be absolute', () => {
  assert.equal(
    containerPath({ mergedDir: '/var/lib/docker/overlay2/x/merged' }, '/var/lib/docker/overlay2/x/merged/tmp/a'),
    '/tmp/a',
  );
  assert.equal(containerPath({ mergedDir: '/var/lib/docker/overlay2/x/merged' }, '/bin/sh'), '/bin/sh');
  assert.equal(containerPath({}, 'relative'), undefined);
});

test("a program copied into a running container is drift; the image's programs and odd paths are not", async (t) => {
  if (
    !requireSetUp(
      t,
      { 'Docker Engine (dockerd)': await engineUp(), 'busybox (Debian busybox-static)': haveBusybox() },
      ready,
    )
  )
    return;
  const id = await runContainer(IMAGE, ['sleep', '300']);
  const tracker = new ContainerTracker();
  try {
    await tracker.start();
    const c = tracker.get(id)!;
    const pack = tarStream.pack();
    pack.entry({ name: 'dropped', mode: 0o755 }, '#!/bin/sh\necho pwned\n');
    pack.finalize();
    await putArchive(id, '/tmp', pack as unknown as NodeJS.ReadableStream);
    const drift = new DriftDetector();
    const isDrift = async (exe: string): Promise<boolean> => (await drift.judge(c, exe)).drift;
    assert.deepEqual(await drift.judge(c, '/tmp/dropped'), { drift: true, reason: 'written' });
    assert.equal(await isDrift('/bin/busybox'), false);
    assert.equal(await isDrift('/tmp/../tmp/dropped'), true, 'normalised');
    assert.equal(await isDrift('/../../../etc/passwd'), false, 'never leaves the upper dir');
    assert.equal(await isDrift('tmp/dropped'), false);
  } finally {
    tracker.stop();
    await removeContainer(id);
  }
});

function gate(t: Parameters<typeof requireSetUp>[0], up: boolean): boolean {
  return requireSetUp(t, { 'Docker Engine (dockerd)': up, 'busybox (Debian busybox-static)': haveBusybox() }, ready);
}

async function sh(id: string, script: string): Promise<void> {
  const r = await execInContainer(id, ['sh', '-c', script]);
  assert.equal(r.exitCode, 0, r.output);
}

test("a copy-up by chown, chmod or touch keeps the image's bytes: not drift; a changed byte is", async (t) => {
  if (!gate(t, await engineUp())) return;
  const id = await runContainer(IMAGE, ['sleep', '300'], { name: 'drift-copyup-unit' });
  const tracker = new ContainerTracker();
  try {
    await tracker.start();
    const c = tracker.get(id)!;
    // each of these copies the whole file up to the container's layer (the upper dir)
    await sh(id, 'chown -R 65534:65534 /bin && chmod 700 /bin/ls && touch -d 2001-01-01 /bin/busybox');
    const drift = new DriftDetector();
    for (const exe of ['/bin/cat', '/bin/ls', '/bin/busybox']) {
      assert.ok(c.upperDir && existsSync(join(c.upperDir, exe)), `${exe} was copied up`);
      assert.deepEqual(await drift.judge(c, exe), { drift: false }, exe);
    }
    assert.deepEqual(await drift.judge(c, '/bin/ls'), { drift: false }, 'again, from the cache');
    assert.ok(drift.copies.stats.cached >= 1, 'the second answer came from the cache');
    // same size, one byte changed (the last one: an ELF's tail is section data)
    await sh(
      id,
      "cp /bin/cat /tmp/c && printf 'X' | dd of=/bin/cat bs=1 seek=$(($(wc -c < /tmp/c) - 1)) conv=notrunc 2>/dev/null",
    );
    assert.deepEqual(await drift.judge(c, '/bin/cat'), { drift: true, reason: 'written' });
    assert.deepEqual(await drift.judge(c, '/tmp/c'), { drift: true, reason: 'written' }, 'a new file');
  } finally {
    tracker.stop();
    await removeContainer(id);
  }
});

test('programs on a tmpfs or a bind mount are drift; a memfd is fileless drift', async (t) => {
  if (!gate(t, await engineUp())) return;
  const host = mkdtempSync(join(tmpdir(), 'drift-bind-'));
  writeFileSync(join(host, 'tool'), 'not a real program');
  const id = await runContainer(IMAGE, ['sleep', '300'], {
    name: 'drift-mounts-unit',
    tmpfs: { '/scratch': 'exec,size=8m' },
    binds: [`${host}:/data:ro`],
  });
  const tracker = new ContainerTracker();
  try {
    await tracker.start();
    const c = tracker.get(id)!;
    await sh(id, 'cp /bin/busybox /scratch/x');
    const drift = new DriftDetector();
    assert.deepEqual(await drift.judge(c, '/scratch/x'), { drift: true, reason: 'tmpfs' });
    assert.deepEqual(await drift.judge(c, '/dev/shm/x'), { drift: true, reason: 'tmpfs' });
    assert.deepEqual(await drift.judge(c, '/data/tool'), { drift: true, reason: 'volume' });
    assert.deepEqual(await drift.judge(c, '/memfd:payload (deleted)'), { drift: true, reason: 'memfd' });
    assert.deepEqual(await drift.judge(c, '/bin/busybox'), { drift: false });
  } finally {
    tracker.stop();
    await removeContainer(id);
    rmSync(host, { recursive: true, force: true });
  }
});
