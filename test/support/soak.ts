import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createContainer, removeContainer, startContainer } from '../../src/engine/containers.js';
import { call } from '../../src/engine/socket.js';
import { importBusybox } from './busybox.js';
import { buildImage, importRootfs, removeImage } from './engine.js';
import { buildFixture } from './fixtures.js';

// Benign workloads for the noise budget (issue 14, item 6): real programs doing normal work —
// a web server answering requests, a Python worker, a shell-script entrypoint with loops, a
// cron-like job, a package-less image (static busybox serving HTTP) — in images built here from
// the Debian rootfs fixture, on an --internal network of their own. The agent with its default
// rules must stay silent on all of them. Used by test/e2e/soak.test.ts (a minute) and
// bench/soak.ts (minutes).

const ENTRYPOINT = `#!/bin/sh
# a service's entrypoint: prepares its files, then loops over its log
set -e
mkdir -p /tmp/app
echo "starting at $(date)" > /tmp/app/log
n=0
while :; do
  n=$((n + 1))
  echo "$(date +%s) tick $n" >> /tmp/app/log
  lines=$(cat /tmp/app/log | grep -c tick)
  sed -n '$p' /tmp/app/log | sed 's/tick/tock/' > /tmp/app/last
  if [ "$lines" -gt 100 ]; then tail -n 10 /tmp/app/log > /tmp/app/log.new; mv /tmp/app/log.new /tmp/app/log; fi
  sleep 1
done
`;

const CRON = `#!/bin/sh
# a cron-like loop: every few seconds, the job
while :; do
  /app/job.sh
  sleep 3
done
`;

const JOB = `#!/bin/sh
# the job: a report of what is in /tmp, rotated
out=/tmp/report-$(date +%s)
ls -l /tmp > "$out"
wc -l "$out" >> /tmp/reports.log
find /tmp -maxdepth 1 -name 'report-*' -mmin +0 | sort | head -n -3 | xargs -r rm -f
gzip -c /tmp/reports.log > /tmp/reports.log.gz
`;

const WORKER = `
import hashlib, os, random, time
os.makedirs('/tmp/work', exist_ok=True)
n = 0
while True:
    n += 1
    data = os.urandom(4096) * random.randint(1, 16)
    path = f'/tmp/work/item-{n % 20}.bin'
    with open(path, 'wb') as f:
        f.write(data)
    with open(path, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    primes = [p for p in range(2, 3000) if all(p % d for d in range(2, int(p ** 0.5) + 1))]
    print(f'item {n} {digest[:12]} {len(primes)}', flush=True)
    time.sleep(0.5)
`;

const CLIENT = `
import sys, time, urllib.request, urllib.error
ok = 0
while True:
    for url in sys.argv[1:]:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                r.read()
            ok += 1
        except urllib.error.HTTPError:
            ok += 1  # an answer all the same (busybox httpd has no index page)
        except OSError as e:
            print(f'failed {url}: {e}', flush=True)
    print(f'answered {ok}', flush=True)
    time.sleep(0.5)
`;

export interface Soak {
  /** Container id → what it runs. */
  containers: Map<string, string>;
  /** Requests the web servers answered, from the client's log. */
  answered(): Promise<number>;
  stop(): Promise<void>;
}

interface Workload {
  name: string;
  image: 'app' | 'busybox';
  cmd: string[];
}

function workloads(prefix: string): Workload[] {
  const web = `${prefix}-web`;
  const tiny = `${prefix}-tiny`;
  return [
    { name: web, image: 'app', cmd: ['python3', '-m', 'http.server', '8080', '--directory', '/usr/share/doc'] },
    { name: tiny, image: 'busybox', cmd: ['busybox', 'httpd', '-f', '-p', '8081', '-h', '/tmp'] },
    { name: `${prefix}-worker`, image: 'app', cmd: ['python3', '/app/worker.py'] },
    { name: `${prefix}-entrypoint`, image: 'app', cmd: ['/app/entrypoint.sh'] },
    { name: `${prefix}-cron`, image: 'app', cmd: ['/app/cron.sh'] },
    {
      name: `${prefix}-client`,
      image: 'app',
      cmd: ['python3', '/app/client.py', `http://${web}:8080/`, `http://${web}:8080/python3/`, `http://${tiny}:8081/`],
    },
  ];
}

/** Builds the images (once per prefix) and the network; call before starting the agent. */
export async function prepareSoak(prefix: string): Promise<void> {
  await importBusybox(`${prefix}/busybox`, 'soak');
  const deb = buildFixture('debian-rootfs.sh');
  await importRootfs(createReadStream(join(deb, 'rootfs.tar')), `${prefix}/debian`, 'soak');
  const exe = (content: string): { content: Buffer; mode: number } => ({ content: Buffer.from(content), mode: 0o755 });
  await buildImage(`${prefix}/app:soak`, {
    Dockerfile: `FROM ${prefix}/debian:soak\nCOPY app /app\n`,
    'app/entrypoint.sh': exe(ENTRYPOINT),
    'app/cron.sh': exe(CRON),
    'app/job.sh': exe(JOB),
    'app/worker.py': WORKER,
    'app/client.py': CLIENT,
  });
  await call({ method: 'POST', path: '/networks/create', json: { Name: `${prefix}-net`, Internal: true } });
}

/** Starts every workload; returns them with a way to stop and remove them. */
export async function startSoak(prefix: string): Promise<Soak> {
  const containers = new Map<string, string>();
  let client = '';
  for (const w of workloads(prefix)) {
    const image = w.image === 'app' ? `${prefix}/app:soak` : `${prefix}/busybox:soak`;
    const id = await createContainer(
      { Image: image, Cmd: w.cmd, HostConfig: { NetworkMode: `${prefix}-net` } },
      w.name,
    );
    await startContainer(id);
    containers.set(id, `${w.name}: ${w.cmd.join(' ')}`);
    if (w.name.endsWith('-client')) client = id;
  }
  return {
    containers,
    answered: async () => {
      const log = (await call({ method: 'GET', path: `/containers/${client}/logs?stdout=1&stderr=1` })).toString(
        'latin1',
      );
      return Math.max(0, ...[...log.matchAll(/answered (\d+)/g)].map((m) => Number(m[1])));
    },
    stop: async () => {
      for (const id of containers.keys()) await removeContainer(id, { force: true });
    },
  };
}

/** Removes the network and images prepareSoak made. */
export async function cleanSoak(prefix: string): Promise<void> {
  await call({ method: 'DELETE', path: `/networks/${prefix}-net` }, { missingOk: true });
  for (const ref of [`${prefix}/app:soak`, `${prefix}/debian:soak`, `${prefix}/busybox:soak`])
    await removeImage(ref).catch(() => undefined);
}
