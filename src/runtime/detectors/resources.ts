import { cgroupStats, enableIoAccounting, type CgroupStats } from '../cgroup.js';
import type { ContainerInfo } from '../containers.js';

// Per-container resource use against thresholds: CPU (share of one core over the sample
// interval), memory, process count and disk I/O (bytes/s over the interval), from the
// container's cgroup counters. One event per container and resource while it stays over;
// another once it has come back under.

export interface ResourceThresholds {
  /** Percent of one core, averaged over the interval. */
  cpuPercent?: number;
  memoryBytes?: number;
  pids?: number;
  /** Disk bytes read + written per second, averaged over the interval. */
  ioBytesPerSecond?: number;
}

export interface ResourceEvent {
  container: ContainerInfo;
  resource: 'cpu' | 'memory' | 'pids' | 'io';
  value: number;
  threshold: number;
}

type Resource = ResourceEvent['resource'];

/** The resources over their thresholds between two samples `elapsedMs` apart. */
export function overThresholds(
  prev: CgroupStats | undefined,
  now: CgroupStats,
  elapsedMs: number,
  t: ResourceThresholds,
): { resource: Resource; value: number; threshold: number }[] {
  const out: { resource: Resource; value: number; threshold: number }[] = [];
  if (t.cpuPercent !== undefined && prev?.cpuNs !== undefined && now.cpuNs !== undefined && elapsedMs > 0) {
    const pct = ((now.cpuNs - prev.cpuNs) / 1e6 / elapsedMs) * 100;
    if (pct > t.cpuPercent) out.push({ resource: 'cpu', value: Math.round(pct), threshold: t.cpuPercent });
  }
  if (t.memoryBytes !== undefined && now.memoryBytes !== undefined && now.memoryBytes > t.memoryBytes)
    out.push({ resource: 'memory', value: now.memoryBytes, threshold: t.memoryBytes });
  const pids = now.pids ?? now.procs.length;
  if (t.pids !== undefined && pids > t.pids) out.push({ resource: 'pids', value: pids, threshold: t.pids });
  if (t.ioBytesPerSecond !== undefined && prev?.ioBytes !== undefined && now.ioBytes !== undefined && elapsedMs > 0) {
    const rate = ((now.ioBytes - prev.ioBytes) * 1000) / elapsedMs;
    if (rate > t.ioBytesPerSecond) out.push({ resource: 'io', value: Math.round(rate), threshold: t.ioBytesPerSecond });
  }
  return out;
}

// Bytes in the largest binary unit that keeps at least 1, one decimal at most ("12.3 MiB", "10 MiB").
function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  for (; i < units.length - 1 && Math.abs(Number(n.toFixed(1))) >= 1024; i++) n /= 1024;
  return `${Number(n.toFixed(1))} ${units[i]}`;
}

/** The human text for a resource over its threshold, as the agent's event message shows it. */
export function describeResource(r: { resource: Resource; value: number; threshold: number }): string {
  switch (r.resource) {
    case 'cpu':
      return `${r.value}% of a core (threshold ${r.threshold}%)`;
    case 'memory':
      return `${(r.value / 2 ** 20).toFixed(0)} MiB of memory (threshold ${(r.threshold / 2 ** 20).toFixed(0)} MiB)`;
    case 'pids':
      return `${r.value} processes (threshold ${r.threshold})`;
    case 'io':
      return `${bytes(r.value)}/s of disk I/O (threshold ${bytes(r.threshold)}/s)`;
  }
}

export class ResourceMonitor {
  private timer?: NodeJS.Timeout;
  private readonly last = new Map<string, { at: number; stats: CgroupStats }>();
  private readonly over = new Set<string>();
  private readonly accounting = new Set<string>();
  private sampled = 0;

  constructor(
    private readonly containers: () => ContainerInfo[],
    private readonly thresholds: ResourceThresholds,
    private readonly onEvent: (e: ResourceEvent) => void,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Container samples taken so far (one per running container per tick). */
  get samples(): number {
    return this.sampled;
  }

  private async tick(): Promise<void> {
    for (const c of this.containers()) {
      if (!c.running) continue;
      if (this.thresholds.ioBytesPerSecond !== undefined && !this.accounting.has(c.id) && c.upperDir) {
        this.accounting.add(c.id);
        enableIoAccounting(c.id, c.upperDir);
      }
      const at = Date.now();
      const stats = await cgroupStats(c.id);
      const prev = this.last.get(c.id);
      this.last.set(c.id, { at, stats });
      this.sampled++;
      const now = new Set(
        overThresholds(prev?.stats, stats, prev ? at - prev.at : 0, this.thresholds).map((x) => {
          const key = `${c.id}:${x.resource}`;
          if (!this.over.has(key)) this.onEvent({ container: c, ...x });
          return key;
        }),
      );
      for (const key of [...this.over]) if (key.startsWith(`${c.id}:`) && !now.has(key)) this.over.delete(key);
      for (const key of now) this.over.add(key);
    }
  }
}
