import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../../core/tempdir.js';
import { ServerClient } from '../../events/server-client.js';
import { testDeps, TOKENS } from '../../server/http/deps.testing.js';
import { serve, type RunningServer } from '../../server/http/serve.js';
import { serverLogger } from '../../server/http/logging.js';
import { listContainers } from '../../server/store/containers.js';
import { custodyOf } from '../../server/store/custody.js';
import { listHosts } from '../../server/store/hosts.js';
import { openStore } from '../../server/store/open.js';
import type { ContainerInfo } from '../containers.js';
import { ContainerReporter } from './reporter.js';

// The reporter against the real server (HTTPS, SQLite store): register and full list at
// start, deltas after, and after the server was down a full list again that tells it what
// stopped meanwhile.

const DIGEST = `sha256:${'d'.repeat(64)}`;

function info(id: string, running = true): ContainerInfo {
  return {
    id,
    name: id,
    image: 'web:1',
    imageId: `sha256:${'e'.repeat(64)}`,
    pid: running ? 100 : 0,
    running,
    labels: { app: id },
    facts: {
      publishedPorts: [{ containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 }],
      privileged: false,
      user: '',
      capAdd: ['NET_ADMIN'],
      hostNetwork: false,
      hostPid: false,
      hostIpc: false,
      hostMounts: [],
    },
  };
}

async function until(cond: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('reporter: register + full list, deltas, and a full resync after the server was down', async () => {
  const dir = await makeTempDir('bulwark-reporter-');
  const dataDir = join(dir.path, 'data');
  const store = await openStore({ dataDir });
  const quiet = serverLogger({ level: 'silent' });
  const start = (listen: string): Promise<RunningServer> =>
    serve({ dataDir, listen, deps: { ...testDeps(store), close: undefined }, logger: quiet, drainMs: 100 });
  let server = await start('127.0.0.1:0');
  const running = new Map([
    ['a', info('a')],
    ['b', info('b')],
  ]);
  const errors: string[] = [];
  const reporter = new ContainerReporter({
    client: new ServerClient({ url: server.url, token: TOKENS.agent, ca: readFileSync(server.tls.certFile) }),
    hostId: 'node-1',
    hostName: 'node-1.example',
    agentVersion: '0.1.0',
    containers: () => [...running.values()],
    digestOf: async () => DIGEST,
    initialDelayMs: 50,
    maxDelayMs: 200,
    onError: (e) => errors.push(e.message),
  });
  const runningIds = async () =>
    (await listContainers(store, { hostId: 'node-1', state: 'running' })).map((c) => c.id).join(',');
  try {
    reporter.start();
    await until(async () => (await runningIds()) === 'a,b');
    assert.deepEqual(
      (await listHosts(store)).map((h) => [h.id, h.agentVersion]),
      [['node-1', '0.1.0']],
    );
    const [a] = await listContainers(store, { hostId: 'node-1' });
    assert.deepEqual(a!.runtime?.capAdd, ['NET_ADMIN'], 'runtime facts stored');
    assert.equal((await custodyOf(store, DIGEST)).length, 2, 'first run of a and b');

    running.set('c', info('c'));
    reporter.onChange('start', info('c'));
    running.delete('a');
    reporter.onChange('stop', info('a', false));
    await until(() => reporter.stats().changesSent === 2);
    assert.equal(await runningIds(), 'b,c');

    // the server goes away; b stops meanwhile (its delta fails); the server comes back on the same port
    const port = new URL(server.url).port;
    await server.close();
    running.delete('b');
    reporter.onChange('stop', info('b', false));
    await until(() => reporter.stats().failures > 0);
    server = await start(`127.0.0.1:${port}`);
    // a full list at start and after the outage (the store changes before the agent reads the answer)
    await until(() => reporter.stats().resyncs === 2);
    assert.equal(await runningIds(), 'c');
    const st = reporter.stats();
    assert.ok(st.connected);
    assert.ok(errors.some((m) => m.includes('full container list')));
    assert.ok(!errors.join('\n').includes(TOKENS.agent), 'the token is never in a message');
  } finally {
    await reporter.close();
    await server.close();
    await store.close();
    await dir.remove();
  }
});
