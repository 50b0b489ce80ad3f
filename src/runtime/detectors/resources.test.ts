import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { haveBusybox, importBusybox, removeContainer, runContainer } from '../../testing/busybox.js';
import { engineUp, removeImage } from '../../testing/engine.js';
import { requireAll } from '../../testing/require.js';
import { ContainerTracker } from '../containers.js';
import { overThresholds, ResourceMonitor, type ResourceEvent } from './resources.js';

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
  assert.deepEqual(overThresholds(s(0, 10, 1), s(900e6, 10, 1), 1000, { cpuPercent: 80 }), [{ resource: 'cpu', value: 90, threshold: 80 }]);
  assert.deepEqual(overThresholds(s(0, 10, 1), s(500e6, 10, 1), 1000, { cpuPercent: 80 }), []);
  assert.deepEqual(overThresholds(undefined, s(0, 2048, 30), 0, { memoryBytes: 1024, pids: 20 }).map((x) => x.resource), ['memory', 'pids']);
});

test('a container burning a core crosses the CPU threshold once', async (t) => {
  if (!requireAll(t, { 'Docker Engine (dockerd)': await engineUp(), 'busybox (Debian busybox-static)': haveBusybox() }) || !ready) return;
  const id = await runContainer(IMAGE, ['sh', '-c', 'while :; do :; done']);
  const tracker = new ContainerTracker();
  const events: ResourceEvent[] = [];
  const monitor = new ResourceMonitor(() => tracker.all().filter((c) => c.id === id), { cpuPercent: 50 }, (e) => events.push(e), 500);
  try {
    await tracker.start();
    monitor.start();
    const deadline = Date.now() + 15_000;
    while (events.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(events.length, 1, `one event while it stays over: ${JSON.stringify(events.map((e) => [e.resource, e.value]))}`);
    assert.equal(events[0]!.resource, 'cpu');
    assert.ok(events[0]!.value > 50);
  } finally {
    monitor.stop();
    tracker.stop();
    await removeContainer(id);
  }
});
