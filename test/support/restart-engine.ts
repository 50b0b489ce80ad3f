import { spawn, spawnSync } from 'node:child_process';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import { engineUp } from './engine.js';

// Restarts the Docker Engine this host runs, the way it was started (same command line),
// for tests of what survives an engine restart. Only for engines started by hand (as
// scripts/engines.sh does); one run by systemd is restarted by systemd.

function dockerdPid(): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'dockerd') return Number(d);
    } catch {
      // gone
    }
  }
  return undefined;
}

async function until(what: string, ms: number, ok: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function restartEngine(): Promise<void> {
  const pid = dockerdPid();
  if (!pid) throw new Error('no dockerd process to restart');
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    .split('\0')
    .filter((a) => a !== '');
  if (spawnSync('systemctl', ['is-active', '--quiet', 'docker'], { stdio: 'ignore' }).status === 0) {
    await new Promise<void>((resolve, reject) =>
      spawn('systemctl', ['restart', 'docker'], { stdio: 'ignore' }).on('exit', (c) =>
        c === 0 ? resolve() : reject(new Error(`systemctl restart docker: ${c}`)),
      ),
    );
  } else {
    process.kill(pid, 'SIGTERM');
    await until('dockerd stopped', 60_000, () => dockerdPid() === undefined);
    const log = openSync('/var/log/bulwark-dockerd.log', 'a');
    spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', log, log] }).unref();
  }
  await until('dockerd answering again', 60_000, engineUp);
}
