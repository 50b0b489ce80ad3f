import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BulwarkError, messageOf } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import { engineRequest, readBody } from '../image/engine.js';

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
  /** overlay2: the merged view the container sees as /. */
  mergedDir?: string;
  /** The pids limit set on the container (0 or undefined: none). */
  pidsLimit?: number;
  labels: Record<string, string>;
}

const Inspect = z.looseObject({
  Id: z.string(),
  Name: z.string().default(''),
  Image: z.string().default(''),
  Config: z.looseObject({ Image: z.string().default(''), Labels: z.record(z.string(), z.string()).nullish() }).nullish(),
  State: z.looseObject({ Pid: z.number().default(0), Running: z.boolean().default(false) }).nullish(),
  HostConfig: z.looseObject({ PidsLimit: z.number().nullish() }).nullish(),
  GraphDriver: z.looseObject({ Name: z.string().optional(), Data: z.record(z.string(), z.string()).nullish() }).nullish(),
});

const ListEntry = z.looseObject({ Id: z.string() });
const Event = z.looseObject({ Type: z.string().optional(), Action: z.string().optional(), Actor: z.looseObject({ ID: z.string().optional() }).optional() });

export function containerInfo(raw: z.infer<typeof Inspect>): ContainerInfo {
  const data = raw.GraphDriver?.Data ?? {};
  return {
    id: raw.Id,
    name: raw.Name.replace(/^\//, ''),
    image: raw.Config?.Image ?? '',
    imageId: raw.Image,
    pid: raw.State?.Pid ?? 0,
    running: raw.State?.Running ?? false,
    ...(data.UpperDir ? { upperDir: data.UpperDir } : {}),
    ...(data.MergedDir ? { mergedDir: data.MergedDir } : {}),
    ...(raw.HostConfig?.PidsLimit ? { pidsLimit: raw.HostConfig.PidsLimit } : {}),
    labels: { ...(raw.Config?.Labels ?? {}) },
  };
}

async function inspect(id: string): Promise<ContainerInfo | undefined> {
  const r = await engineRequest('GET', `/containers/${encodeURIComponent(id)}/json`);
  const body = await readBody(r.body);
  if (r.status === 404) return undefined;
  if (r.status !== 200) throw new BulwarkError('ENGINE', `container ${id}`, `inspect failed with HTTP ${r.status}`);
  return containerInfo(parseJson(body, Inspect, `container ${id}`));
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
  private current?: { destroy(): void };
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
    this.current?.destroy();
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
    const r = await engineRequest('GET', '/containers/json');
    const list = parseJson(await readBody(r.body), z.array(ListEntry), 'docker engine container list');
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
      this.o.onError?.(e instanceof Error ? e : new Error(messageOf(e)));
      this.timer = setTimeout(() => void this.connect(Math.min(delay * 2, this.o.reconnectMaxMs ?? 5000)), delay);
    };
    try {
      // subscribe first, then list: a container started in between is seen by one or the other
      const filters = encodeURIComponent(JSON.stringify({ type: ['container'] }));
      const r = await engineRequest('GET', `/events?filters=${filters}`);
      if (r.status !== 200) throw new BulwarkError('ENGINE', 'docker engine events', `HTTP ${r.status}`);
      this.current = r.body;
      let pending = '';
      r.body.on('data', (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        let nl: number;
        while ((nl = pending.indexOf('\n')) !== -1) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (line) void this.onEvent(line);
        }
        if (pending.length > 1 << 20) pending = '';
      });
      r.body.on('end', () => retry(new BulwarkError('ENGINE', 'docker engine events', 'the event stream ended')));
      r.body.on('error', retry);
      await this.relist();
      delay = this.o.reconnectMs ?? 200;
      this.markSynced();
    } catch (e) {
      retry(e);
    }
  }

  private async onEvent(line: string): Promise<void> {
    let e: z.infer<typeof Event>;
    try {
      e = Event.parse(JSON.parse(line));
    } catch {
      return;
    }
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
