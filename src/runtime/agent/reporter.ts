import { messageOf } from '../../core/errors.js';
import type { ContainerChange, ContainerReport, RuntimeFactsReport } from '../../events/server-api.js';
import type { ServerClient } from '../../events/server-client.js';
import { DeliveryError, sleep } from '../../events/sinks/sink.js';
import type { ContainerInfo } from '../containers.js';

// Keeps the Bulwark server's view of this host's containers current: register and PUT the
// whole list when it starts and after every failure (a reconnect), then POST start/stop/die
// deltas as they happen. A failed delta is never replayed: the next pass resyncs instead, so
// an outage of any length costs one full list, and the pending deltas are bounded.

type Client = Pick<ServerClient, 'register' | 'putContainers' | 'postChanges'>;

export interface ReporterOptions {
  client: Client;
  hostId: string;
  hostName: string;
  agentVersion: string;
  /** The containers known now (the tracker's view). */
  containers(): readonly ContainerInfo[];
  /** The image digest the server keys findings by: the repo digest when known, else the image id. */
  digestOf(c: ContainerInfo): Promise<string>;
  /** First retry delay (default 500 ms), doubling to maxDelayMs (default 30 s) or the server's Retry-After. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Deltas waiting at most (default 1000); past it they are replaced by a full resync. */
  maxPending?: number;
  onError?(e: Error): void;
}

export interface ReporterStats {
  /** Full lists the server took. */
  resyncs: number;
  /** Deltas the server took. */
  changesSent: number;
  /** Deltas not sent because a full resync replaced them (after a failure or a full buffer). */
  changesSuperseded: number;
  /** Failed calls (each followed by a resync). */
  failures: number;
  /** The last call succeeded. */
  connected: boolean;
}

interface Pending {
  kind: 'start' | 'stop' | 'die';
  time: string;
  c: ContainerInfo;
}

const DELTAS_PER_REQUEST = 500;

/** Nothing reported (a ContainerInfo built without inspect data). */
const NO_FACTS: RuntimeFactsReport = {
  publishedPorts: [],
  privileged: false,
  user: '',
  capAdd: [],
  hostNetwork: false,
  hostPid: false,
  hostIpc: false,
  hostMounts: [],
};

export class ContainerReporter {
  private readonly pending: Pending[] = [];
  private readonly counts: ReporterStats = {
    resyncs: 0,
    changesSent: 0,
    changesSuperseded: 0,
    failures: 0,
    connected: false,
  };
  private needRegister = true;
  private needResync = true;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly stop = new AbortController();

  constructor(private readonly o: ReporterOptions) {}

  /** Starts reporting in the background (register, full list, then deltas). */
  start(): void {
    this.loop ??= this.run();
  }

  /** From the container tracker: a start, a stop (a die), or a removal. */
  onChange(kind: 'start' | 'stop' | 'remove', c: ContainerInfo): void {
    if (this.stop.signal.aborted) return;
    if (this.pending.length >= (this.o.maxPending ?? 1000)) {
      this.counts.changesSuperseded += this.pending.length + 1;
      this.pending.length = 0;
      this.needResync = true;
    } else {
      this.pending.push({
        kind: kind === 'start' ? 'start' : kind === 'stop' ? 'die' : 'stop',
        time: new Date().toISOString(),
        c,
      });
    }
    this.wake?.();
  }

  /** Sends the whole list on the next pass (the engine's event stream was re-established). */
  resync(): void {
    this.needResync = true;
    this.wake?.();
  }

  stats(): ReporterStats {
    return { ...this.counts };
  }

  /** Stops after the call in flight (bounded by the client's timeout). */
  async close(): Promise<void> {
    this.stop.abort();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const initial = this.o.initialDelayMs ?? 500;
    let delay = initial;
    while (!this.stop.signal.aborted) {
      try {
        if (!(await this.pass())) await new Promise<void>((r) => (this.wake = r));
        this.wake = undefined;
        this.counts.connected = true;
        delay = initial;
      } catch (e) {
        if (this.stop.signal.aborted) return;
        this.counts.failures++;
        this.counts.connected = false;
        this.needRegister = true;
        this.counts.changesSuperseded += this.pending.length;
        this.pending.length = 0;
        this.needResync = true;
        this.o.onError?.(new Error(`server ${messageOf(e)}; sending the full container list when it answers`));
        const after = e instanceof DeliveryError ? (e.retryAfterMs ?? 0) : 0;
        await sleep(Math.max(after, delay / 2 + (Math.random() * delay) / 2), this.stop.signal);
        delay = Math.min(this.o.maxDelayMs ?? 30_000, delay * 2);
      }
    }
  }

  /** One call to the server; false when there was nothing to send. */
  private async pass(): Promise<boolean> {
    const { client, hostId } = this.o;
    const signal = this.stop.signal;
    if (this.needRegister) {
      await client.register(hostId, { name: this.o.hostName, agentVersion: this.o.agentVersion }, signal);
      this.needRegister = false;
      return true;
    }
    if (this.needResync) {
      // deltas queued before this snapshot are in it; later ones follow it
      this.needResync = false;
      this.counts.changesSuperseded += this.pending.length;
      this.pending.length = 0;
      const running = this.o.containers().filter((c) => c.running);
      try {
        await client.putContainers(hostId, await Promise.all(running.map((c) => this.report(c))), signal);
      } catch (e) {
        this.needResync = true;
        throw e;
      }
      this.counts.resyncs++;
      return true;
    }
    if (this.pending.length === 0) return false;
    const batch = this.pending.splice(0, DELTAS_PER_REQUEST);
    await client.postChanges(hostId, await Promise.all(batch.map((p) => this.change(p))), signal);
    this.counts.changesSent += batch.length;
    return true;
  }

  private async report(c: ContainerInfo): Promise<ContainerReport> {
    return {
      id: c.id,
      name: c.name,
      imageRef: c.image,
      imageDigest: await this.o.digestOf(c),
      labels: c.labels,
      runtime: c.facts ?? NO_FACTS,
      ...(c.startedAt ? { startedAt: c.startedAt } : {}),
    };
  }

  private async change(p: Pending): Promise<ContainerChange> {
    return p.kind === 'start'
      ? { kind: 'start', time: p.time, container: await this.report(p.c) }
      : { kind: p.kind, time: p.time, id: p.c.id };
  }
}
