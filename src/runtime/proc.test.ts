import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, type StdioOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { makeTempDir } from '../core/tempdir.js';
import { liveProcess, parseProcStat, procStat, streamKindOf } from './proc.js';

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

test('streamKindOf: what a live process has on stdin and stdout — a TCP connection, a unix socket, /dev/null, a file', async () => {
  const server = createServer((c) => c.on('error', () => undefined));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const tcp = connect(port, '127.0.0.1');
  await new Promise((r) => tcp.once('connect', r));
  const tmp = await makeTempDir();
  const unixServer = createServer((c) => c.on('error', () => undefined));
  await new Promise<void>((r) => unixServer.listen(join(tmp.path, 'sock'), r));
  const unixClient = connect(join(tmp.path, 'sock'));
  await new Promise((r) => unixClient.once('connect', r));
  const file = openSync(join(tmp.path, 'out'), 'w');
  const kids: ChildProcess[] = [];
  const run = (stdio: StdioOptions): ChildProcess => {
    const c = spawn('sleep', ['30'], { stdio });
    kids.push(c);
    return c;
  };
  try {
    const net = run([tcp, 'pipe', 'ignore']);
    const unix = run([unixClient, file, 'ignore']);
    const none = run(['ignore', 'ignore', 'ignore']);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(streamKindOf(net.pid!, 0), 'network');
    assert.equal(streamKindOf(net.pid!, 1), 'socket', "libuv's stdio 'pipe' is a unix socket pair: not the network");
    assert.equal(streamKindOf(unix.pid!, 0), 'socket');
    assert.equal(streamKindOf(unix.pid!, 1), 'file');
    assert.equal(streamKindOf(none.pid!, 0), 'null');
    assert.equal(streamKindOf(2 ** 22 + 7, 0), '', 'no such process');
  } finally {
    for (const k of kids) k.kill('SIGKILL');
    tcp.destroy();
    unixClient.destroy();
    unixServer.close();
    closeSync(file);
    server.close();
    await tmp.remove();
  }
});
