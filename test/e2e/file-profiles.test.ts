import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '../../src/core/tempdir.js';
import { inspectContainer } from '../../src/engine/containers.js';
import type { SecurityEvent } from '../../src/events/event.js';
import { startAgent } from '../../src/runtime/agent.js';
import { fanotifySupport } from '../../src/runtime/fanotify/index.js';
import { haveBusybox, importBusybox, removeContainer, runContainer } from '../support/busybox.js';
import { engineUp, removeImage } from '../support/engine.js';
import { have, requireSetUp } from '../support/require.js';
import { waitUntil } from '../support/wait.js';

// Acceptance 2 of issue 14, end to end: a container's own process (its command, no docker
// exec) reads /etc/passwd while its workload learns; in Protect mode its write to /etc/passwd
// is refused before open (EPERM, the file unchanged) while the read, the engine's bind-mounted
// /etc/hostname and /etc/hosts and a write to /tmp/x go on silently; in Monitor mode the same
// write goes through and is reported as "Unlisted file access". The test talks to the
// container through files in its root, written and read from the host (the agent allows its
// own process's opens, and /tmp is not protected).
// bulwark-test: exclusive (agent: kernel audit state)

const IMAGE = 'fileprofiles-test/busybox:files';
const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n';
let tmp: TempDir;
let ready = false;

// every program of the protect and monitor steps also runs while learning (cat, sleep, sh);
// the learning loop reads until told to stop, so it need not race the agent's first look
const SCRIPT = `
while [ ! -f /tmp/go-protect ]; do cat /etc/passwd > /tmp/learned; sleep 0.1; done
{ echo evil >> /etc/passwd; echo "write=$?"; cat /etc/passwd > /tmp/read; echo "read=$?";
  cat /etc/hostname /etc/hosts > /dev/null; echo "near=$?"; echo ok > /tmp/x; echo "tmp=$?"; } > /tmp/protect.tmp 2>&1
mv /tmp/protect.tmp /tmp/protect.out
while [ ! -f /tmp/go-monitor ]; do sleep 0.1; done
{ echo monitor >> /etc/passwd; echo "write=$?"; } > /tmp/monitor.tmp 2>&1
mv /tmp/monitor.tmp /tmp/monitor.out
sleep 300
`;

before(async () => {
  if (!(await engineUp()) || !haveBusybox() || !have('auditctl') || !fanotifySupport().ok) return;
  await importBusybox('fileprofiles-test/busybox', 'files', ['cat']);
  tmp = await makeTempDir();
  ready = true;
});

after(async () => {
  if (!ready) return;
  await removeImage(IMAGE);
  await tmp.remove();
});

test('file profile: learned read of /etc/passwd; in protect a write is refused before open, reads and near-misses pass; monitor alerts', async (t) => {
  const ok = await requireSetUp(
    t,
    {
      'Docker Engine (dockerd)': await engineUp(),
      'busybox (Debian busybox-static)': haveBusybox(),
      'auditctl (Debian auditd)': have('auditctl'),
      [`fanotify (${fanotifySupport().reason})`]: fanotifySupport().ok,
    },
    ready,
  );
  if (!ok) return;
  const events: SecurityEvent[] = [];
  const errors: string[] = [];
  const agent = await startAgent({
    stateDir: join(tmp.path, 'agent'),
    sinks: [{ type: 'jsonl', path: join(tmp.path, 'events.jsonl') }],
    forkGuard: false,
    defaultMode: 'learn',
    onEvent: (e) => events.push(e),
    onError: (e) => errors.push(e.message),
  });
  let id = '';
  try {
    id = await runContainer(IMAGE, ['sh', '-c', SCRIPT], { name: 'fileprofiles-e2e' });
    const info = await inspectContainer(id);
    const root = info?.GraphDriver?.Data?.MergedDir as string;
    const key = `image:${info?.Image}`;
    const inRoot = (p: string): string => join(root, p);
    await waitUntil('the profile to learn /etc/passwd', () =>
      agent.profiles.files(key).some((f) => f.path === '/etc/passwd'),
    );
    assert.deepEqual(
      agent.profiles.files(key).find((f) => f.path === '/etc/passwd')?.programs,
      // busybox sh runs its cat applet in-process: the program is busybox, which the protect
      // step's write also runs as — so the refusal below is read-only versus write, not an
      // unknown program
      [{ program: '/bin/busybox', access: 'read' }],
      'learned: busybox reads /etc/passwd',
    );
    const learnedEvents = events.length;

    agent.profiles.setMode(key, 'protect');
    writeFileSync(inRoot('/tmp/go-protect'), '');
    await waitUntil('the protect step', () => existsSync(inRoot('/tmp/protect.out')), { timeoutMs: 15_000 });
    const out = readFileSync(inRoot('/tmp/protect.out'), 'utf8');
    assert.match(out, /Operation not permitted/);
    assert.match(out, /^write=1$/m);
    assert.match(out, /^read=0$/m, out);
    assert.match(out, /^near=0$/m, out);
    assert.match(out, /^tmp=0$/m, out);
    assert.equal(readFileSync(inRoot('/etc/passwd'), 'utf8'), PASSWD, 'not a byte written');
    assert.equal(readFileSync(inRoot('/tmp/read'), 'utf8'), PASSWD, 'the learned read works');
    // (the file rules see the same write: "Write below etc" once it succeeds; this test is the profile's)
    const profileEvents = (from: number): SecurityEvent[] =>
      events.slice(from).filter((e) => e.rule === 'Unlisted file access');
    await waitUntil('the denial event', () => profileEvents(learnedEvents).length > 0);
    const denied = profileEvents(learnedEvents);
    assert.deepEqual(
      denied.map((e) => [e.rule, e.action, e.file?.path, e.file?.operation, e.process?.exe]),
      [['Unlisted file access', 'denied', '/etc/passwd', 'write', '/bin/busybox']],
      JSON.stringify(denied),
    );
    assert.equal(denied[0]!.container?.id, id);
    assert.equal(denied[0]!.container?.image, IMAGE);
    assert.equal(denied[0]!.stride, 'Tampering');
    assert.equal(denied[0]!.attack, 'T1565.001');

    const beforeMonitor = events.length;
    agent.profiles.setMode(key, 'monitor');
    writeFileSync(inRoot('/tmp/go-monitor'), '');
    await waitUntil('the monitor step', () => existsSync(inRoot('/tmp/monitor.out')), { timeoutMs: 15_000 });
    assert.match(readFileSync(inRoot('/tmp/monitor.out'), 'utf8'), /^write=0$/m);
    assert.equal(readFileSync(inRoot('/etc/passwd'), 'utf8'), `${PASSWD}monitor\n`, 'monitor does not block');
    await waitUntil('the monitor alert', () => profileEvents(beforeMonitor).length > 0);
    assert.deepEqual(
      profileEvents(beforeMonitor).map((e) => [e.rule, e.action, e.file?.path, e.file?.operation]),
      [['Unlisted file access', 'alert', '/etc/passwd', 'write']],
    );
  } catch (e) {
    if (errors.length) console.log(`agent errors: ${errors.slice(0, 10).join(' | ')}`);
    console.log(`profiles: ${JSON.stringify(agent.profiles.list())}`);
    throw e;
  } finally {
    if (id) await removeContainer(id);
    await agent.stop();
  }
});
