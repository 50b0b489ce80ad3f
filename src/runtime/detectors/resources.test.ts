import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execInContainer } from '../../engine/exec.js';
import { haveBusybox, importBusybox, removeContainer, runContainer } from '../../../test/support/busybox.js';
import { engineUp, removeImage } from '../../../test/support/engine.js';
import { requireSetUp } from '../../../test/support/require.js';
import { waitUntil } from '../../../test/support/wait.js';
import { cgroupStats } from '../cgroup.js';
import { ContainerTracker } from '../containers.js';
import { describeResource, overThresholds, ResourceMonitor, type ResourceEvent } from './resources.js';

const IMAGE = 'bulwark-test/busybox:resources';
let ready = false;

before(async () => {
  if (!(await engineUp()) || !haveBusybox()) return;
  await importBusybox('bulwark-test/busybox', 'resources');
  ready = true;
});

after(async () => {
  if (ready) await removeImage(IMAGE);
});

test('thresholds: CPU share from two samples, memory, pids', () => {
  const s = (cpuNs: number, memoryBytes: number, pids: number) => ({ cpuNs, memoryBytes, pids, procs: [] });
  assert.deepEqual(overThresholds(s(0, 10, 1), s(900e6, 10, 1), 1000, { cpuPercent: 80 }), [
    { resource: 'cpu', value: 90, threshold: 80 },
  ]);
  assert.deepEqual(overThresholds(s(0, 10, 1), s(500e6, 10, 1), 1000, { cpuPercent: 80 }), []);
  assert.deepEqual(
    overThresholds(undefined, s(0, 2048, 30), 0, { memoryBytes: 1024, pids: 20 }).map((x) => x.resource),
    ['memory', 'pids'],
  );
});

test('thresholds: disk bytes per second from two samples', () => {
  const s = (ioBytes?: number) => ({ ...(ioBytes !== undefined ? { ioBytes } : {}), procs: [] });
  const t = { ioBytesPerSecond: 10 * 2 ** 20 };
  assert.deepEqual(overThresholds(s(0), s(25 * 2 ** 20), 2000, t), [
    { resource: 'io', value: 12.5 * 2 ** 20, threshold: t.ioBytesPerSecond },
  ]);
  assert.deepEqual(overThresholds(s(0), s(5 * 2 ** 20), 500, t), [], 'exactly at the threshold is not over');
  assert.deepEqual(
    overThresholds(s(0), s(1000), 3, { ioBytesPerSecond: 1000 }),
    [{ resource: 'io', value: 333333, threshold: 1000 }],
    'rounded bytes/s',
  );
  assert.deepEqual(overThresholds(undefined, s(2 ** 40), 0, t), [], 'no rate from one sample');
  assert.deepEqual(overThresholds(s(), s(2 ** 40), 1000, t), [], 'no counter before');
  assert.deepEqual(overThresholds(s(2 ** 40), s(0), 1000, t), [], 'a counter that went back');
  assert.deepEqual(overThresholds(s(0), s(2 ** 40), 0, t), []);
});

test('describeResource: the text for each resource', () => {
  assert.equal(describeResource({ resource: 'cpu', value: 87, threshold: 50 }), '87% of a core (threshold 50%)');
  assert.equal(
    describeResource({ resource: 'memory', value: 300 * 2 ** 20, threshold: 256 * 2 ** 20 }),
    '300 MiB of memory (threshold 256 MiB)',
  );
  assert.equal(describeResource({ resource: 'pids', value: 120, threshold: 100 }), '120 processes (threshold 100)');
  assert.equal(
    describeResource({ resource: 'io', value: Math.round(12.3 * 2 ** 20), threshold: 10 * 2 ** 20 }),
    '12.3 MiB/s of disk I/O (threshold 10 MiB/s)',
  );
  assert.equal(
    describeResource({ resource: 'io', value: 1536, threshold: 1000 }),
    '1.5 KiB/s of disk I/O (threshold 1000 B/s)',
  );
  assert.equal(
    describeResource({ resource: 'io', value: 2 ** 20 - 1, threshold: 3 * 2 ** 30 }),
    '1 MiB/s of disk I/O (threshold 3 GiB/s)',
  );
});

test('a container burning a core crosses the CPU threshold once', async (t) => {
  if (
    !requireSetUp(
      t,
      { 'Docker Engine (dockerd)': await engineUp(), 'busybox (Debian busybox-static)': haveBusybox() },
      ready,
    )
  )
    return;
  const id = await runContainer(IMAGE, ['sh', '-c', 'while :; do :; done']);
  const tracker = new ContainerTracker();
  const events: ResourceEvent[] = [];
  const monitor = new ResourceMonitor(
    () => tracker.all().filter((c) => c.id === id),
    { cpuPercent: 50 },
    (e) => events.push(e),
    500,
  );
  try {
    await tracker.start();
    monitor.start();
    await waitUntil('a CPU event', () => events.length > 0, { timeoutMs: 15_000 });
    // three more samples while the loop keeps burning: still over, so no second event
    const seen = monitor.samples;
    await waitUntil('three more samples', () => monitor.samples >= seen + 3, { timeoutMs: 15_000 });
    assert.equal(
      events.length,
      1,
      `one event while it stays over: ${JSON.stringify(events.map((e) => [e.resource, e.value]))}`,
    );
    assert.equal(events[0]!.resource, 'cpu');
    assert.ok(events[0]!.value > 50);
  } finally {
    monitor.stop();
    tracker.stop();
    await removeContainer(id);
  }
});

// (on cgroup v1 the monitor first turns the kernel's counting on for the container: enableIoAccounting)
test('a container writing 64 MiB straight to disk: its I/O counter grows by as much and crosses the I/O threshold', async (t) => {
  const root = process.getuid?.() === 0;
  if (
    !requireSetUp(
      t,
      {
        'root (cgroup files)': root,
        'Docker Engine (dockerd)': await engineUp(),
        'busybox (Debian busybox-static)': haveBusybox(),
      },
      ready,
    )
  )
    return;
  const id = await runContainer(IMAGE, ['sleep', '600']);
  const tracker = new ContainerTracker();
  const events: ResourceEvent[] = [];
  const threshold = 8 * 2 ** 20;
  const monitor = new ResourceMonitor(
    () => tracker.all().filter((c) => c.id === id),
    { ioBytesPerSecond: threshold },
    (e) => events.push(e),
    500,
  );
  try {
    await tracker.start();
    monitor.start();
    await waitUntil('a first sample to measure from', () => monitor.samples >= 1, { timeoutMs: 15_000 });
    const before = await cgroupStats(id);
    assert.ok(before.ioBytes !== undefined, 'an I/O counter for the container');
    // O_DIRECT: the bios are issued by dd itself, so charged to its cgroup (v1 charges page-cache writeback to the root)
    const dd = await execInContainer(id, [
      'busybox',
      'dd',
      'if=/dev/zero',
      'of=/tmp/f',
      'bs=1M',
      'count=64',
      'oflag=direct',
    ]);
    assert.equal(dd.exitCode, 0, dd.output);
    const grown = (await cgroupStats(id)).ioBytes! - before.ioBytes;
    assert.ok(grown >= 64 * 2 ** 20, `I/O counter grew by ${grown} bytes`);
    await waitUntil('an io event', () => events.some((e) => e.resource === 'io')).catch(() => undefined); // the assertion below says what came
    const io = events.find((e) => e.resource === 'io');
    assert.ok(io, `an io event: ${JSON.stringify(events.map((e) => [e.resource, e.value]))}`);
    assert.equal(io.container.id, id);
    assert.ok(io.value > threshold && io.threshold === threshold);
    assert.match(describeResource(io), /^[\d.]+ [KMG]iB\/s of disk I\/O \(threshold 8 MiB\/s\)$/);
  } finally {
    monitor.stop();
    tracker.stop();
    await removeContainer(id);
  }
});
