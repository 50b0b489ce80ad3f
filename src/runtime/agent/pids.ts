import type { ContainerInfo } from '../containers.js';
import { liveProcess, procStat } from '../proc.js';
import type { Judgement } from './exec-judge.js';

// Whose a pid is. Short-lived processes are gone (with their cgroup file) by the time their
// audit records arrive, so what was learned while they lived (mostly while fanotify held
// their exec) is kept: container processes by pid, each entry valid only for the process
// that started at `start` (pids are reused). Host processes are not kept: a process enters
// its container's cgroup after it starts (runc moves it), never the other way.

const MAX_ENTRIES = 10_000;

/** The judgement of an exec, with the program it was about. */
export interface Judged {
  exe: string;
  judgement: Judgement;
}

/** What the agent knows of a pid: the process's start time, its container, the judgement of its exec. */
export interface PidEntry {
  start?: number;
  container: ContainerInfo;
  judged?: Judged;
}

export interface Identity extends Partial<PidEntry> {
  /** Running now (its cgroup was read); false: gone before its record was read. */
  live: boolean;
}

export interface PidTableSources {
  /** The container with this id (asking the engine when it is new). */
  containerById(id: string): Promise<ContainerInfo | undefined>;
  /** The running container whose overlay filesystem is this device. */
  containerByDevice(dev: number): ContainerInfo | undefined;
}

export class PidTable {
  private readonly entries = new Map<number, PidEntry>();

  constructor(private readonly sources: PidTableSources) {}

  remember(pid: number, start: number | undefined, container: ContainerInfo, judged?: Judged): void {
    this.entries.delete(pid); // re-inserted last: the map stays in age order
    this.entries.set(pid, { ...(start !== undefined ? { start } : {}), container, ...(judged ? { judged } : {}) });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  /**
   * The container of the process at `pid`. While it lives, its cgroup says (a cached answer
   * counts only for the same process: same start time). Once gone, what was recorded while it
   * ran, or else the filesystem of the file it ran (`dev`, for an exec); `ppid` (given for
   * file-rule records): else its parent's container, for a child that never ran exec.
   */
  async identify(pid: number, dev?: number, ppid?: number): Promise<Identity> {
    const cached = this.entries.get(pid);
    // a zombie is gone: its cgroup is no one's any more, what was recorded while it ran holds
    const seen = procStat(pid);
    const stat = seen?.state === 'Z' ? undefined : seen;
    if (stat && cached && cached.start === stat.startTicks) return { ...cached, live: true };
    const live = stat ? liveProcess(pid, stat) : undefined;
    if (live) {
      const container = live.containerId ? await this.sources.containerById(live.containerId) : undefined;
      if (container) this.remember(pid, live.startTicks, container);
      else this.entries.delete(pid);
      return { live: true, start: live.startTicks, ...(container ? { container } : {}) };
    }
    // gone: what was recorded while it ran (unless another process has the pid now)
    if (cached && !stat) return { ...cached, live: false };
    const container = dev !== undefined ? this.sources.containerByDevice(dev) : undefined;
    if (!container && ppid !== undefined && ppid !== pid) {
      // a child that never ran exec (busybox ash runs applets such as mkdir or chmod in a
      // forked copy of itself) left no record: it was forked into its parent's cgroup, and
      // moving it out takes the host's privileges
      const parent = await this.identify(ppid);
      if (parent.container) return { live: false, container: parent.container };
    }
    return { live: false, ...(container ? { container } : {}) };
  }
}
