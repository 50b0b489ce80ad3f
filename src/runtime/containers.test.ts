import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { engineUp, removeImage } from '../../test/support/engine.js';
import { containerPid, haveBusybox, importBusybox, removeContainer, runContainer } from '../../test/support/busybox.js';
import { requireSetUp } from '../../test/support/require.js';
import { ContainerTracker, containerIdFromCgroup, type ContainerInfo } from './containers.js';

// The container inventory against the real Docker Engine: containers running before the
// tracker starts and ones started after, their processes found through cgroups, their
// overlay directories, and removal.

const IMAGE = 'bulwark-test/busybox:runtime';
let ready = false;

before(async () => {
  if (!(await engineUp()) || !haveBusybox()) return;
  await importBusybox('bulwark-test/busybox', 'runtime');
  ready = true;
});

after(async () => {
  if (ready) await removeImage(IMAGE);
});

test('cgroup paths name the container (v1 cgroupfs, v2 systemd scope)', () => {
  const id = 'a'.repeat(64);
  assert.equal(containerIdFromCgroup(`12:pids:/docker/${id}\n0::/\n`), id);
  assert.equal(containerIdFromCgroup(`0::/system.slice/docker-${id}.scope\n`), id);
  assert.equal(containerIdFromCgroup('0::/user.slice/user-0.slice/session-1.scope\n'), undefined);
  assert.equal(containerIdFromCgroup(`4:memory:/process_api/${'b'.repeat(32)}\n`), undefined);
});

test('the tracker knows running containers, new ones, their processes and overlay dirs, and removals', async (t) => {
  if (
    !requireSetUp(
      t,
      { 'Docker Engine (dockerd)': await engineUp(), 'busybox (Debian busybox-static)': haveBusybox() },
      ready,
    )
  )
    return;
  const before = await runContainer(IMAGE, ['sleep', '300'], { pidsLimit: 64 });
  const events: [string, string][] = [];
  const tracker = new ContainerTracker({ onChange: (kind, c) => events.push([kind, c.id]) });
  let later = '';
  try {
    await tracker.start();
    const known = tracker.get(before);
    assert.ok(known?.running, 'a container running before start() is known');
    assert.equal(known.pidsLimit, 64);
    assert.ok(known.upperDir && existsSync(known.upperDir), 'overlay upper dir');
    assert.equal(known.image, IMAGE);
    const viaPid = await tracker.forPid(await containerPid(before));
    assert.equal(viaPid?.id, before);
    assert.equal(await tracker.forPid(process.pid), undefined, 'a host process is in no container');

    later = await runContainer(IMAGE, ['sleep', '300'], { name: `bulwark-tracker-${process.pid}` });
    const deadline = Date.now() + 10_000;
    let seen: ContainerInfo | undefined;
    while (!(seen = tracker.get(later))?.running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(seen?.name, `bulwark-tracker-${process.pid}`);
    assert.ok(events.some(([k, id]) => k === 'start' && id === later));
    await removeContainer(later);
    while (tracker.get(later) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(tracker.get(later), undefined, 'removed');
    assert.ok(events.some(([k, id]) => k === 'remove' && id === later));
  } finally {
    tracker.stop();
    await removeContainer(before);
    if (later) await removeContainer(later);
  }
});
