import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createContainer, inspectContainer, startContainer } from '../engine/containers.js';
import { makeTempDir } from '../core/tempdir.js';
import { engineUp, removeImage } from '../../test/support/engine.js';
import { haveBusybox, importBusybox, removeContainer } from '../../test/support/busybox.js';
import { requireSetUp } from '../../test/support/require.js';
import { runtimeFactsOf } from './runtime-facts.js';

// What the server ranks risk by, read from the real Engine's inspect of a container started
// with a loopback-published port, an added capability, the host pid namespace, a user and a
// read-only bind mount.

const IMAGE = 'bulwark-test/busybox:facts';
let ready = false;

before(async () => {
  if (!(await engineUp()) || !haveBusybox()) return;
  await importBusybox('bulwark-test/busybox', 'facts');
  ready = true;
});

after(async () => {
  if (ready) await removeImage(IMAGE);
});

test('runtime facts from inspect: published port, capability, host pid, user, bind mount', async (t) => {
  if (
    !requireSetUp(
      t,
      { 'Docker Engine (dockerd)': await engineUp(), 'busybox (Debian busybox-static)': haveBusybox() },
      ready,
    )
  )
    return;
  const dir = await makeTempDir('bulwark-facts-');
  let id: string | undefined;
  try {
    id = await createContainer({
      Image: IMAGE,
      Cmd: ['sleep', '30'],
      User: '65534',
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: {
        PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
        CapAdd: ['NET_ADMIN'],
        PidMode: 'host',
        Binds: [`${dir.path}:/data:ro`],
      },
    });
    await startContainer(id);
    const raw = await inspectContainer(id);
    const facts = runtimeFactsOf(raw!);
    assert.equal(facts.publishedPorts.length, 1);
    const [p] = facts.publishedPorts;
    assert.deepEqual({ ...p, hostPort: 0 }, { containerPort: 8080, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 0 });
    assert.ok(p!.hostPort > 0);
    assert.deepEqual(
      { ...facts, publishedPorts: [] },
      {
        publishedPorts: [],
        privileged: false,
        user: '65534',
        capAdd: ['NET_ADMIN'],
        hostNetwork: false,
        hostPid: true,
        hostIpc: false,
        hostMounts: [{ source: dir.path, readOnly: true }],
      },
    );
  } finally {
    if (id) await removeContainer(id);
    await dir.remove();
  }
});
