import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { procStat } from '../proc.js';
import { waitUntil } from '../../../test/support/wait.js';
import { candidates, replicating, uptimeTicks } from './fork-containment.js';

// The bomb's copies are told from the container's own work by start time alone: real
// processes of this host, one started before the "calm" mark and copies after it.

const sleeper = (): ChildProcess => spawn('sleep', ['30'], { stdio: 'ignore' });

test('copies started since the calm mark are the bomb; a process of the same program from before is not', async () => {
  const old = sleeper();
  const kids = [old];
  try {
    await waitUntil('the old process running', () => procStat(old.pid!)?.comm === 'sleep');
    const oldStart = procStat(old.pid!)!.startTicks;
    await waitUntil('the clock past its start', () => uptimeTicks() > oldStart, { intervalMs: 5 });
    const since = uptimeTicks();
    const copies = [sleeper(), sleeper()];
    kids.push(...copies);
    await waitUntil('the copies running', () => copies.every((c) => procStat(c.pid!)?.comm === 'sleep'));
    const pids = kids.map((k) => k.pid!);
    // two copies since the mark do not stand out; counting the old one too would make three
    assert.deepEqual(
      candidates(pids, 0, since).map((c) => c.pid),
      copies.map((c) => c.pid),
    );
    assert.equal(replicating(candidates(pids, 0, since)), undefined);
    assert.equal(replicating(candidates(pids, 0)), 'sleep');
    // the first process is never a candidate
    assert.equal(replicating(candidates(pids, old.pid!)), undefined);
    const third = sleeper();
    kids.push(third);
    await waitUntil('the third copy running', () => procStat(third.pid!)?.comm === 'sleep');
    assert.equal(replicating(candidates([...pids, third.pid!], 0, since)), 'sleep');
  } finally {
    for (const k of kids) k.kill('SIGKILL');
  }
});
