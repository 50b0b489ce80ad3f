import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '../../src/core/tempdir.js';
import type { SecurityEvent } from '../../src/events/event.js';
import { startAgent } from '../../src/runtime/agent.js';
import { procStat } from '../../src/runtime/proc.js';
import { containerPid, haveBusybox, importBusybox, removeContainer, runContainer } from '../support/busybox.js';
import { engineUp, removeImage } from '../support/engine.js';
import { have, requireSetUp } from '../support/require.js';
import { waitUntil } from '../support/wait.js';

// Acceptance 3 of the runtime-coverage issue, end to end (real dockerd, audit, fanotify where
// the kernel has it), each action done by a container's own command, with --block-drift:
// - a program copied to /dev/shm (an exec-able tmpfs) and run: "Drifted executable" (reason
//   tmpfs), refused before it runs (fanotify marks the container's tmpfs mount) or killed;
// - a program run from a memfd (memfd_create + fexecve): "Fileless execution", killed right
//   after its exec with what it started (no mount mark can reach a memfd);
// - the near-miss: an entrypoint that does chown -R /bin, chmod and touch (each copies files up
//   to the container's layer with the image's bytes), runs a shell script from /dev/shm through
//   the image's shell, then runs the copied-up programs: no drift; once one byte of a program
//   changes, running it is drift again.
// bulwark-test: exclusive (agent: kernel audit state)

const IMAGE = 'bulwark-test/busybox:drift-e2e';
let tmp: TempDir;
let ready = false;

/** The container's command waits for /tmp/go, so it acts only once the agent watches it. */
const WAIT = 'until [ -e /tmp/go ]; do sleep 0.05; done; ';

before(async () => {
  if (!(await engineUp()) || !haveBusybox() || !have('auditctl') || !have('gcc')) return;
  tmp = await makeTempDir();
  const out = join(tmp.path, 'memfd-exec');
  const cc = spawnSync(
    'gcc',
    ['-static', '-O2', '-o', out, join(import.meta.dirname, '..', 'fixtures', 'memfd-exec.c')],
    {
      encoding: 'utf8',
    },
  );
  if (cc.status !== 0) throw new Error(`gcc: ${cc.stderr}`);
  await importBusybox('bulwark-test/busybox', 'drift-e2e', ['cat', 'ls', 'head'], {
    'bin/memfd-exec': readFileSync(out),
  });
  ready = true;
});

after(async () => {
  if (!ready) return;
  await removeImage(IMAGE);
  await tmp.remove();
});

/** A file in the container, read through its first process's root. */
function inContainer(pid: number, path: string): string | undefined {
  const p = `/proc/${pid}/root${path}`;
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
}

async function go(pid: number): Promise<void> {
  spawnSync('touch', [`/proc/${pid}/root/tmp/go`]);
  assert.ok(existsSync(`/proc/${pid}/root/tmp/go`));
}

function gone(pid: number): boolean {
  const st = procStat(pid);
  return st === undefined || st.state === 'Z';
}

async function scenario(t: TestContext, fanotify: boolean): Promise<void> {
  const ok = requireSetUp(
    t,
    {
      'Docker Engine (dockerd)': await engineUp(),
      'busybox (Debian busybox-static)': haveBusybox(),
      'auditctl (Debian auditd)': have('auditctl'),
      'gcc (static build of the memfd test program)': have('gcc'),
    },
    ready,
  );
  if (!ok) return;
  const ids: string[] = [];
  const run = async (name: string, script: string, o: Parameters<typeof runContainer>[2] = {}): Promise<string> => {
    const id = await runContainer(IMAGE, ['sh', '-c', WAIT + script], {
      name: `drift-e2e-${name}-${fanotify ? 'fan' : 'kill'}`,
      ...o,
    });
    ids.push(id);
    return id;
  };
  try {
    const shm = await run(
      'shm',
      'cp /bin/busybox /dev/shm/sleep; /dev/shm/sleep 300 > /tmp/out 2>&1; echo "rc=$?" >> /tmp/out; touch /tmp/done; sleep 300',
      { tmpfs: { '/dev/shm': 'rw,exec,size=16m' } },
    );
    const memfd = await run('memfd', '/bin/memfd-exec /bin/busybox sleep 300 & touch /tmp/done; sleep 300');
    const benign = await run(
      'benign',
      [
        'chown -R 65534:65534 /bin && chmod 755 /bin/cat && touch -d 2001-01-01 /bin/ls',
        'printf "echo SCRIPT-RAN\\n" > /dev/shm/x.sh && /bin/busybox sh /dev/shm/x.sh > /tmp/out',
        '/bin/cat /etc/hostname >> /tmp/out && /bin/ls / >> /tmp/out && echo IMAGE-RAN >> /tmp/out',
        // the sentinel: one byte of /bin/head (copied up by chown -R, not run before: judging
        // after the fact sees a file as it is when its record is read) changed, then run, long
        // enough to be killed after its exec
        'cp /bin/head /tmp/h; printf X | dd of=/bin/head bs=1 seek=$(($(wc -c < /tmp/h) - 1)) conv=notrunc 2>/dev/null',
        '(sleep 300 | /bin/head -c 1) & touch /tmp/done; sleep 300',
      ].join('; '),
    );
    const pids = new Map<string, number>();
    for (const id of ids) pids.set(id, await containerPid(id));

    const events: SecurityEvent[] = [];
    const errors: string[] = [];
    // the containers run before the agent starts: startAgent returns once each is watched
    const agent = await startAgent({
      stateDir: join(tmp.path, 'state'),
      sinks: [{ type: 'jsonl', path: join(tmp.path, 'events.jsonl') }],
      forkGuard: false,
      blockDrift: true,
      fanotify,
      onEvent: (e) => events.push(e),
      onError: (e) => errors.push(e.message),
    });
    const DRIFT = ['Drifted executable', 'Fileless execution'];
    // (other rules, such as shells in containers, are not this test's business)
    const of = (id: string): SecurityEvent[] => events.filter((e) => e.container?.id === id && DRIFT.includes(e.rule));
    try {
      for (const pid of pids.values()) await go(pid);
      const enforced = agent.enforcement === 'deny-before-exec' ? 'denied' : 'killed';

      // /dev/shm
      await waitUntil('the /dev/shm container is done', () => inContainer(pids.get(shm)!, '/tmp/done') !== undefined);
      await waitUntil('drift from /dev/shm reported', () => of(shm).some((e) => e.rule === 'Drifted executable'));
      const e = of(shm).find((x) => x.rule === 'Drifted executable')!;
      assert.equal(e.file?.path, '/dev/shm/sleep');
      assert.equal(e.fields?.reason, 'tmpfs');
      assert.equal(e.container?.image, IMAGE);
      assert.equal(typeof e.process?.pid, 'number');
      assert.equal(e.action, enforced);
      // refused: execve fails (126); killed: SIGKILL (128 + 9) long before its 300 s
      const rc = /rc=(\d+)/.exec(inContainer(pids.get(shm)!, '/tmp/out') ?? '')?.[1];
      assert.equal(rc, fanotify ? '126' : '137');
      console.log(`/dev/shm (${agent.enforcement}): ${inContainer(pids.get(shm)!, '/tmp/out')?.trim()}`);

      // memfd
      await waitUntil('fileless execution reported', () => of(memfd).some((x) => x.rule === 'Fileless execution'));
      const f = of(memfd).find((x) => x.rule === 'Fileless execution')!;
      assert.equal(f.file?.path, '/memfd:payload (deleted)');
      assert.equal(f.fields?.reason, 'memfd');
      assert.equal(f.action, 'killed');
      assert.ok(f.process?.pid);
      await waitUntil('the memfd program is gone', () => gone(f.process!.pid!));
      assert.ok(!gone(pids.get(memfd)!), "the container's first process lives on");
      assert.deepEqual(
        of(memfd).map((x) => x.rule),
        ['Fileless execution'],
        'exactly that rule, not drift as well',
      );

      // the near-miss, then its sentinel
      await waitUntil('the benign container is done', () => inContainer(pids.get(benign)!, '/tmp/done') !== undefined);
      await waitUntil('the changed /bin/head reported', () =>
        of(benign).some((x) => x.rule === 'Drifted executable' && x.file?.path === '/bin/head'),
      );
      const out = inContainer(pids.get(benign)!, '/tmp/out') ?? '';
      assert.match(out, /SCRIPT-RAN/);
      assert.match(out, /IMAGE-RAN/, 'the copied-up image programs ran');
      const s = of(benign).find((x) => x.file?.path === '/bin/head')!;
      assert.equal(s.fields?.reason, 'written');
      assert.equal(s.action, enforced);
      // audit records are handled in order: everything the script ran before the sentinel was judged
      assert.deepEqual(
        of(benign).map((x) => `${x.rule} ${x.file?.path}`),
        ['Drifted executable /bin/head'],
        'no drift for the copy-ups or the script',
      );
    } catch (err) {
      if (errors.length) console.log(`agent errors: ${errors.slice(0, 10).join(' | ')}`);
      console.log(JSON.stringify(events.map((x) => [x.rule, x.container?.name, x.file?.path, x.action])));
      throw err;
    } finally {
      await agent.stop();
    }
  } finally {
    for (const id of ids) await removeContainer(id);
  }
}

for (const fanotify of [true, false])
  test(`/dev/shm and memfd programs are drift, ${fanotify ? 'refused' : 'killed (fanotify off)'}; chown -R, chmod, touch and sh /dev/shm/x.sh are not`, (t) =>
    scenario(t, fanotify));
