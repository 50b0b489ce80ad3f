import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { haveBusybox, importBusybox, removeContainer, runContainer } from '../../../test/support/busybox.js';
import { engineUp, removeImage } from '../../../test/support/engine.js';
import { requireSetUp } from '../../../test/support/require.js';
import { holdsThroughout, waitUntil } from '../../../test/support/wait.js';
import { call } from '../../engine/socket.js';
import { cgroupStats, pidsCounters } from '../cgroup.js';
import { ContainerTracker } from '../containers.js';
import { ForkGuard, judgeForks, type ForkGuardEvent } from './fork-guard.js';

// Acceptance 3 of the runtime issue: a fork bomb in a real container (with a safety pids
// limit set here) is detected and contained: the limit is capped, the bomb's processes
// killed, the container's other work left alone.

const IMAGE = 'bulwark-test/busybox:forks';
let ready = false;

before(async () => {
  if (!(await engineUp()) || !haveBusybox()) return;
  await importBusybox('bulwark-test/busybox', 'forks');
  ready = true;
});

/** A real engine and the busybox image, or the test fails under CI (skips loudly outside). */
const gate = async (t: TestContext): Promise<boolean> =>
  requireSetUp(
    t,
    { 'Docker Engine (dockerd)': await engineUp(), 'busybox (Debian busybox-static)': haveBusybox() },
    ready,
  );

after(async () => {
  if (ready) await removeImage(IMAGE);
});

test('judging: refused forks, share of the limit, no limit, fork rate', () => {
  const s = (pids: number, refused?: number) => ({
    pids,
    procs: [],
    ...(refused !== undefined ? { pidsRefused: refused } : {}),
  });
  assert.equal(judgeForks({ pidsLimit: 100 }, s(10, 0), s(12, 3), 100).bomb, true);
  assert.equal(judgeForks({ pidsLimit: 100 }, s(10, 0), s(85, 0), 1000).bomb, true);
  assert.equal(judgeForks({ pidsLimit: 100 }, s(10, 0), s(20, 0), 1000).bomb, false);
  assert.equal(judgeForks({}, undefined, s(600), 0).bomb, true);
  assert.match(judgeForks({}, s(10), s(60), 100).reason!, /500 new processes per second/);
  assert.equal(judgeForks({}, s(10), s(12), 1000).bomb, false);
});

test("the guard's counters agree with the container's full cgroup stats and with ps; a removed container reads empty", async (t) => {
  if (!(await gate(t))) return;
  const id = await runContainer(IMAGE, ['sh', '-c', 'sleep 300 & sleep 300 & sleep 300'], { pidsLimit: 50 });
  try {
    await waitUntil('three processes', () => pidsCounters(id).pids === 3);
    const fast = pidsCounters(id, true);
    const full = await cgroupStats(id);
    assert.equal(fast.pids, full.pids);
    assert.equal(fast.pidsRefused, full.pidsRefused);
    assert.deepEqual([...fast.procs].sort(), [...full.procs].sort());
    // the oracle: the engine's own list of the container's processes
    const top = JSON.parse((await call({ method: 'GET', path: `/containers/${id}/top` })).toString()) as {
      Processes: string[][];
    };
    assert.equal(fast.procs.length, top.Processes.length);
    assert.deepEqual(pidsCounters(id).procs, [], 'processes only when asked');
  } finally {
    await removeContainer(id);
  }
  assert.deepEqual(pidsCounters(id), { procs: [] });
});

test('a fork bomb in a container is detected and contained, and stays gone; the container keeps running', async (t) => {
  if (!(await gate(t))) return;
  // the safety limit keeps the bomb from the host whatever happens to the guard; the engine's
  // init reaps the dead copies (else they stay zombies, holding pids)
  const id = await runContainer(
    IMAGE,
    ['sh', '-c', 'sleep 300 & sleep 1; b(){ while :; do b & done; }; b & sleep 300'],
    { pidsLimit: 200, init: true },
  );
  const tracker = new ContainerTracker();
  const events: ForkGuardEvent[] = [];
  const guard = new ForkGuard(
    () => tracker.all().filter((c) => c.id === id),
    (e) => events.push(e),
    { intervalMs: 50 },
  );
  try {
    await tracker.start();
    guard.start();
    await waitUntil('the episode over', () => events.some((e) => e.phase === 'end'), {
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    assert.deepEqual(
      events.map((e) => e.phase),
      ['start', 'end'],
      JSON.stringify(events),
    );
    const end = events[1]!;
    assert.ok(end.phase === 'end' && end.error === undefined && end.cappedAt !== undefined, JSON.stringify(end));
    // the shell that replicates itself is killed — unless the bomb died of its own refused
    // forks before the guard looked (busybox sh exits on one): then nothing stands out
    if (end.killed > 0) assert.equal(end.program, 'sh', JSON.stringify(end));
    const contained = async (): Promise<void> => {
      const now = await cgroupStats(id);
      assert.ok(now.procs.length <= 4, `${now.procs.length} processes left`);
      assert.ok((now.pids ?? 0) <= 4, `${now.pids} pids still held`);
    };
    await waitUntil("the bomb's processes gone", async () =>
      contained().then(
        () => true,
        () => false,
      ),
    );
    await holdsThroughout('containment', 1000, contained);
    assert.equal(events.length, 2, 'no event after the end');
    guard.stop();
    assert.ok(tracker.get(id)?.running, 'the container still runs');
  } finally {
    guard.stop();
    tracker.stop();
    await removeContainer(id);
  }
});
