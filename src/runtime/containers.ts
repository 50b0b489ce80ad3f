import { readFileSync } from 'node:fs';
import { messageOf } from '../core/errors.js';
import { inspectContainer, listContainers } from '../engine/containers.js';
import { followEvents, type EventFeed } from '../engine/events.js';
import type { ContainerInspect, EngineEvent } from '../engine/schema.js';
import type { RuntimeFactsReport } from '../events/server-api.js';
import { runtimeFactsOf } from './runtime-facts.js';

// The containers on this Docker host, kept current from the Engine's event stream (and
// re-listed whenever the stream is re-established, so a restarted dockerd or agent loses
// nothing), with what detectors need: the init pid, the image, and the overlay directories
// that tell a file written in the container from one that came with the image.

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  imageId: string;
  /** Host pid of the container's first process (0 when not running). */
  pid: number;
  running: boolean;
  /** overlay2: the container's writable layer; a file there was written or changed in the container. */
  upperDir?: string;
  /** overlay2: the image's layers below upperDir, topmost first. */
  lowerDirs?: string[];
  /** overlay2: the merged view the container sees as /. */
  mergedDir?: string;
  /** The pids limit set on the container (0 or undefined: none). */
  pidsLimit?: number;
  labels: Record<string, string>;
  /** How it runs (ports, privileges, namespaces, host mounts), for the server's risk ranking. */
  facts?: RuntimeFactsReport;
  /** When its first process started (ISO 8601; absent when never started). */
  startedAt?: string;
}

function containerInfo(raw: ContainerInspect): ContainerInfo {
  const data = raw.GraphDriver?.Data ?? {};
  return {
    id: raw.Id,
    name: raw.Name.replace(/^\//, ''),
    image: raw.Config?.Image ?? '',
    imageId: raw.Image,
    pid: raw.State?.Pid ?? 0,
    running: raw.State?.Running ?? false,
    ...(data.UpperDir ? { upperDir: data.UpperDir } : {}),
    ...(data.LowerDir ? { lowerDirs: data.LowerDir.split(':') } : {}),
    ...(data.MergedDir ? { mergedDir: data.MergedDir } : {}),
    ...(raw.HostConfig?.PidsLimit ? { pidsLimit: raw.HostConfig.PidsLimit } : {}),
    labels: { ...(raw.Config?.Labels ?? {}) },
    facts: runtimeFactsOf(raw),
    ...(raw.State?.StartedAt && !raw.State.StartedAt.startsWith('0001-') ? { startedAt: raw.State.StartedAt } : {}),
  };
}

async function inspect(id: string): Promise<ContainerInfo | undefined> {
  const raw = await inspectContainer(id);
  return raw ? containerInfo(raw) : undefined;
}

/** The container id a cgroup path names (cgroup v1 "/docker/<id>", v2 "…/docker-<id>.scope"), if any. */
export function containerIdFromCgroup(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const m = /(?:\/docker[/-]|\/containerd[/-]|\/libpod-)([0-9a-f]{64})(?:\.scope)?(?:\/|$)/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

export interface TrackerOptions {
  onChange?(kind: 'start' | 'stop' | 'remove', c: ContainerInfo): void;
  /** A command started in a container through the engine (docker exec): the engine's "exec_start: CMD" event. */
  onExec?(c: ContainerInfo, command: string): void;
  onError?(e: Error): void;
  /** First reconnect delay; doubles to reconnectMaxMs. */
  reconnectMs?: number;
  reconnectMaxMs?: number;
}

export class ContainerTracker {
  private readonly byId = new Map<string, ContainerInfo>();
  private stopped = false;
  private current?: EventFeed;
  private timer?: NodeJS.Timeout;
  /** Resolves when the first listing after a (re)connect is done. */
  private synced!: Promise<void>;
  private markSynced!: () => void;

  constructor(private readonly o: TrackerOptions = {}) {
    this.resetSync();
  }

  private resetSync(): void {
    this.synced = new Promise((r) => (this.markSynced = r));
  }

  /** Starts following the engine; resolves once the containers running now are known. */
  async start(): Promise<void> {
    void this.connect(this.o.reconnectMs ?? 200);
    await this.synced;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.current?.close();
  }

  all(): ContainerInfo[] {
    return [...this.byId.values()];
  }

  get(id: string): ContainerInfo | undefined {
    return this.byId.get(id);
  }

  /** The container a host process belongs to, from its cgroup; undefined for host processes. */
  async forPid(pid: number): Promise<ContainerInfo | undefined> {
    let text: string;
    try {
      // /proc reads are memory copies: synchronous is far cheaper than a thread-pool round trip per exec
      text = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    } catch {
      return undefined; // gone already
    }
    const id = containerIdFromCgroup(text);
    return id ? this.forId(id) : undefined;
  }

  /** The container with this id, asking the engine when it is new to us. */
  async forId(id: string): Promise<ContainerInfo | undefined> {
    return this.byId.get(id) ?? (await this.refresh(id));
  }

  private async refresh(id: string): Promise<ContainerInfo | undefined> {
    const c = await inspect(id);
    if (c) this.byId.set(c.id, c);
    return c;
  }

  private async relist(): Promise<void> {
    const list = await listContainers();
    const seen = new Set<string>();
    for (const e of list) {
      const c = await inspect(e.Id);
      if (!c) continue;
      seen.add(c.id);
      const prev = this.byId.get(c.id);
      this.byId.set(c.id, c);
      // stopped and started again while we were not listening (dockerd restarted): a new
      // overlay mount and new processes, so the old one ends and the new one starts
      const restarted = prev?.running === true && prev.pid !== c.pid;
      if (restarted) this.o.onChange?.('stop', { ...prev, running: false, pid: 0 });
      if (restarted || !prev?.running) this.o.onChange?.('start', c);
    }
    for (const [id, c] of this.byId) {
      if (seen.has(id) || !c.running) continue;
      const stopped = { ...c, running: false, pid: 0 };
      this.byId.set(id, stopped);
      this.o.onChange?.('stop', stopped);
    }
  }

  private async connect(delay: number): Promise<void> {
    if (this.stopped) return;
    const retry = (e: unknown): void => {
      if (this.stopped) return;
      this.current?.close();
      this.o.onError?.(e instanceof Error ? e : new Error(messageOf(e)));
      this.timer = setTimeout(() => void this.connect(Math.min(delay * 2, this.o.reconnectMaxMs ?? 5000)), delay);
    };
    try {
      // subscribe first, then list: a container started in between is seen by one or the other
      this.current = await followEvents(
        { type: ['container'] },
        { onEvent: (e) => void this.onEvent(e), onEnd: retry },
      );
      await this.relist();
      delay = this.o.reconnectMs ?? 200;
      this.markSynced();
    } catch (e) {
      retry(e);
    }
  }

  private async onEvent(e: EngineEvent): Promise<void> {
    const id = e.Actor?.ID;
    if (e.Type !== 'container' || !id) return;
    try {
      if (e.Action?.startsWith('exec_start: ')) {
        const c = this.byId.get(id) ?? (await this.refresh(id));
        if (c) this.o.onExec?.(c, e.Action.slice('exec_start: '.length));
      } else if (e.Action === 'start' || e.Action === 'unpause' || e.Action === 'update') {
        const c = await this.refresh(id);
        if (c && e.Action === 'start') this.o.onChange?.('start', c);
      } else if (e.Action === 'die') {
        const c = this.byId.get(id);
        if (c && c.running) {
          const stopped = { ...c, running: false, pid: 0 };
          this.byId.set(id, stopped);
          this.o.onChange?.('stop', stopped);
        }
      } else if (e.Action === 'destroy') {
        const c = this.byId.get(id);
        this.byId.delete(id);
        if (c) this.o.onChange?.('remove', c);
      }
    } catch (err) {
      this.o.onError?.(err instanceof Error ? err : new Error(messageOf(err)));
    }
  }
}
