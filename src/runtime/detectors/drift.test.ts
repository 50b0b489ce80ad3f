import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import tarStream from 'tar-stream';
import { putArchive } from '../../engine/containers.js';
import { haveBusybox, importBusybox, removeContainer, runContainer } from '../../../test/support/busybox.js';
import { engineUp, removeImage } from '../../../test/support/engine.js';
import { requireSetUp } from '../../../test/support/require.js';
import { ContainerTracker } from '../containers.js';
import { containerPath, isDrift } from './drift.js';

// Drift against a real container: a file copied in through the Engine API (as `docker cp`
// does) is drift, the image's own programs are not.

const IMAGE = 'bulwark-test/busybox:drift';
let ready = false;

before(async () => {
  if (!(await engineUp()) || !haveBusybox()) return;
  await importBusybox('bulwark-test/busybox', 'drift');
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
    assert.equal(await isDrift(c, '/tmp/dropped'), true);
    assert.equal(await isDrift(c, '/bin/busybox'), false);
    assert.equal(await isDrift(c, '/tmp/../tmp/dropped'), true, 'normalised');
    assert.equal(await isDrift(c, '/../../../etc/passwd'), false, 'never leaves the upper dir');
    assert.equal(await isDrift(c, 'tmp/dropped'), false);
  } finally {
    tracker.stop();
    await removeContainer(id);
  }
});
