import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { liveProcess, parseProcStat, procStat } from './proc.js';

test('/proc/<pid>/stat: comm with spaces and parentheses, ppid, state and start time (field 22)', () => {
  // the kernel's layout (proc(5)): pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime …
  const line =
    '4242 (a (b) c) S 17 4242 4242 0 -1 4194560 97 0 0 0 1 2 0 0 20 0 1 0 987654 5177344 212 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';
  assert.deepEqual(parseProcStat(line), { comm: 'a (b) c', ppid: 17, startTicks: 987654, state: 'S' });
  for (const bad of [
    '',
    '4242',
    '4242 (x',
    '4242 (x) S',
    '4242 (x) S 17 1 2 3',
    '4242 (x) SS 17 4242 4242 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5',
  ])
    assert.equal(parseProcStat(bad), undefined, bad);
});

test('parseProcStat never throws, and finds what it was given', () => {
  fc.assert(fc.property(fc.string(), (s) => void parseProcStat(s)));
  fc.assert(
    fc.property(fc.string({ maxLength: 15 }), fc.nat(), fc.nat(), (comm, ppid, start) => {
      const zeros = Array(17).fill('0').join(' '); // fields 5 to 21
      assert.deepEqual(parseProcStat(`1 (${comm}) R ${ppid} ${zeros} ${start} 0 0`), {
        comm,
        ppid,
        startTicks: start,
        state: 'R',
      });
    }),
  );
});

test('a live process: its start time agrees with ps (an independent reader); a gone one is undefined', async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    await new Promise((r) => child.once('spawn', r));
    const st = procStat(child.pid!);
    assert.equal(st?.ppid, process.pid);
    // field 22 read by hand
    assert.equal(
      st?.startTicks,
      Number(readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]),
    );
    assert.equal(liveProcess(child.pid!)?.startTicks, st?.startTicks);
    assert.equal(liveProcess(child.pid!)?.containerId, undefined, 'a host process is in no container');
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  assert.equal(liveProcess(child.pid!), undefined);
});
