import type { ChildProcess } from 'node:child_process';

// Server processes tests start (registries, rsyslogd, …): stopped by the test, and killed
// with the test process whatever happens (a crash, a cancelled run).

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export function trackChild(child: ChildProcess): ChildProcess {
  running.add(child);
  return child;
}

/** SIGTERM, then SIGKILL after 5 s; resolves once it has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
