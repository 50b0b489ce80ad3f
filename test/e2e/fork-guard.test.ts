import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '../../src/core/tempdir.js';
import type { SecurityEvent } from '../../src/events/event.js';
import { importBusybox, putFile, removeContainer, runContainer } from '../support/busybox.js';
import { importRootfs, removeImage } from '../support/engine.js';
import { buildFixture } from '../support/fixtures.js';
import { have } from '../support/require.js';
import { holdsThroughout, waitUntil } from '../support/wait.js';
import { agentGate, agentReady, cmdline, containerProcs, withAgent } from '../support/agent-run.js';

// Acceptance 4 of issue 14: a fork bomb run by a container's own command is one episode — one
// "Fork bomb" event as it starts, one as it is over, saying what was killed — and after it the
// bomb is gone (no process of it left in the container's cgroup) while the container's other
// process, a sleep started before, lives on. Two bombs: busybox sh's `b(){ b|b& }; b`, and bash's
// `:(){ :|:& };:` in a container with --pids-limit 64, where forks are refused and bash retries
// them (its copies are orphans that live for seconds: the case where the guard once killed 0).
// bulwark-test: exclusive (agent: kernel audit state)

const BUSYBOX = 'bulwark-test/forkguard:busybox';
const DEBIAN = 'bulwark-test/forkguard:debian';
const NEEDS = { 'debootstrap (the Debian rootfs fixture)': have('debootstrap') };
let tmp: TempDir;
let ready = false;

before(async () => {
  if (!(await agentReady(NEEDS))) return;
  await importBusybox('bulwark-test/forkguard', 'busybox');
  const deb = buildFixture('debian-rootfs.sh');
  await importRootfs(createReadStream(join(deb, 'rootfs.tar')), 'bulwark-test/forkguard', 'debian');
  tmp = await makeTempDir();
  ready = true;
});

after(async () => {
  if (!ready) return;
  await removeImage(BUSYBOX);
  await removeImage(DEBIAN);
  await tmp.remove();
});

const gate = (t: TestContext): Promise<boolean> => agentGate(t, ready, NEEDS);

/** The bomb waits for /tmp/go, so the test can note the container's processes before it. */
const script = (bomb: string): string => `sleep 3600 & while [ ! -e /tmp/go ]; do sleep 0.1; done; ${bomb}; wait`;

async function bombEpisode(
  t: TestContext,
  name: string,
  image: string,
  shell: string,
  bomb: string,
  pidsLimit: number,
  program: string,
): Promise<SecurityEvent[]> {
  // the engine's init reaps the dead copies; the limit keeps the bomb from the host whatever happens
  const id = await runContainer(image, [shell, '-c', script(bomb)], { pidsLimit, init: true });
  try {
    let before = new Map<number, string>();
    await waitUntil('the sleep started', async () => {
      before = await containerProcs(id);
      return [...before.values()].includes('sleep 3600');
    });
    const sleep = [...before].find(([, c]) => c === 'sleep 3600')![0];
    // the calm processes: init, the entrypoint shell, the sleep (not the polling sleep 0.1)
    const calm = new Set([...before].filter(([, c]) => c !== 'sleep 0.1').map(([p]) => p));
    let forks: SecurityEvent[] = [];
    await withAgent(join(tmp.path, name), {}, async (events) => {
      const mine = (): SecurityEvent[] => events.filter((e) => e.rule === 'Fork bomb' && e.container?.id === id);
      // the agent's first samples see the container calm
      await new Promise((r) => setTimeout(r, 500));
      await putFile(id, '/tmp', 'go', Buffer.from(''));
      await waitUntil('the episode over', () => mine().some((e) => e.fields?.phase === 'end'), {
        timeoutMs: 60_000,
      }).catch((e: Error) => assert.fail(`${e.message}: ${JSON.stringify(mine())}`));
      const gone = async (): Promise<void> => {
        const left = [...(await containerProcs(id))].filter(([p]) => !calm.has(p));
        assert.deepEqual(left, [], 'no process of the bomb left');
        assert.equal(cmdline(sleep), 'sleep 3600', 'the sleep started first lives');
      };
      await holdsThroughout('the bomb gone', 1500, gone);
      forks = mine();
    });
    t.diagnostic(forks.map((e) => e.message).join('\n'));
    assert.deepEqual(
      forks.map((e) => [e.fields?.phase, e.action]),
      [
        ['start', 'limited'],
        ['end', 'killed'],
      ],
      JSON.stringify(forks),
    );
    const [start, end] = forks as [SecurityEvent, SecurityEvent];
    assert.equal(start.fields?.pids_limit, pidsLimit);
    assert.ok(Number(start.fields?.processes) > 3, JSON.stringify(start));
    assert.equal(end.fields?.program, program, JSON.stringify(end));
    assert.ok(Number(end.fields?.killed) > 0, JSON.stringify(end));
    return forks;
  } finally {
    await removeContainer(id);
  }
}

test("busybox sh fork bomb: one start event, one end event, the bomb gone, the container's sleep alive", async (t) => {
  if (!(await gate(t))) return;
  // a generous safety limit: the guard must catch this one by its rate, long before it
  await bombEpisode(t, 'busybox', BUSYBOX, 'sh', 'b(){ b|b& }; b', 2000, 'sh');
});

test("bash's :(){ :|:& };: at --pids-limit 64: refused forks, its copies killed, the sleep alive", async (t) => {
  if (!(await gate(t))) return;
  const [start, end] = await bombEpisode(t, 'bash-64', DEBIAN, 'bash', ':(){ :|:& };:', 64, 'bash');
  assert.ok(Number(end!.fields?.peak) <= 64, JSON.stringify(end));
  assert.ok(start);
});
