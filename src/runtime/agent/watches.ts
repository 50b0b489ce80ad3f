import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { messageOf } from '../../core/errors.js';
import { auditctlBatch } from '../audit/control.js';
import { containerFileRules, deleteArgs } from '../audit/file-rules.js';
import { sensitiveWatches } from '../audit/rules.js';
import type { ContainerInfo } from '../containers.js';
import { execMounts, readMounts, type Mount } from '../detectors/mounts.js';
import type { FileGuard } from '../fanotify/file-guard.js';
import type { ExecGuard } from '../fanotify/index.js';

// What the agent watches per running container: its overlay filesystem (its device names
// the container a file belongs to, and fanotify guards execs from it) and audit watches on
// its own copies of the sensitive files (audit watches see files by inode), and the file
// rules' watches on its system directories and procfs (audit/file-rules.ts). Added when the
// container starts (after runc set it up), removed when it stops.

export interface WatchOptions {
  sensitiveFiles: readonly string[];
  /** Directories watched for changes (audit/file-rules.ts FILE_WATCH_DIRS); false: no file rules' watches. */
  fileWatchDirs?: readonly string[] | false;
  /** Opens the exec guard on the first container's filesystem; undefined: fanotify is not used. */
  openGuard?: (firstPath: string) => ExecGuard;
  /** Opens the file guard (FAN_OPEN_PERM) with these host prefixes; undefined: no file profiles. */
  openFileGuard?: (firstPath: string, prefixes: string[]) => FileGuard;
  /** The protected prefixes inside a container (protected-paths.ts guardPrefixes). */
  fileGuardPrefixes?: readonly string[];
  /** Told when containers change: answers cached by device may now be wrong. */
  onChange(): void;
  onError(e: Error): void;
}

export class ContainerWatches {
  private readonly byDevice = new Map<number, ContainerInfo>();
  /** Container id → the audit watches added for it. */
  private readonly auditWatches = new Map<string, string[][]>();
  private guard?: ExecGuard;
  private fileGuard?: FileGuard;
  /** Id → running container whose root the file guard marks. */
  private readonly guarded = new Map<string, ContainerInfo>();

  constructor(private readonly o: WatchOptions) {}

  /** The running container whose overlay filesystem is `dev`. */
  containerByDevice(dev: number): ContainerInfo | undefined {
    return this.byDevice.get(dev);
  }

  /** The running, file-guarded container with this id. */
  guardedContainer(id: string): ContainerInfo | undefined {
    return this.guarded.get(id);
  }

  /** Guards file opens in a started container's root (FAN_OPEN_PERM on its overlay). */
  private watchFiles(container: ContainerInfo, root: string): void {
    if (!this.o.openFileGuard) return;
    this.guarded.set(container.id, container);
    // the container's opens name their files as its own mount namespace does (/etc/passwd):
    // the prefixes are paths inside containers, the same for all
    if (this.fileGuard) this.fileGuard.add(root);
    else this.fileGuard = this.o.openFileGuard(root, [...(this.o.fileGuardPrefixes ?? [])]);
  }

  private unwatchFiles(container: ContainerInfo): void {
    if (!container.mergedDir || !this.guarded.delete(container.id)) return;
    try {
      this.fileGuard?.remove(container.mergedDir);
    } catch {
      // its overlay is unmounted already: the kernel dropped the mark with it
    }
  }

  /** fanotify's caches of allowed execs and reads. */
  clearGuardCache(): void {
    this.guard?.clearCache();
    this.fileGuard?.clearCache();
  }

  async onContainer(kind: 'start' | 'stop' | 'remove', container: ContainerInfo): Promise<void> {
    // overlay devices are reused by later containers: cached answers name devices
    this.o.onChange();
    try {
      if (kind === 'start' && container.mergedDir) await this.watch(container, container.mergedDir);
      else if (kind !== 'start') await this.unwatch(container);
    } catch (e) {
      this.o.onError(new Error(`container ${container.name}: ${messageOf(e)}`));
    }
  }

  private async watch(container: ContainerInfo, root: string): Promise<void> {
    try {
      this.byDevice.set(statSync(root).dev, container);
    } catch {
      // gone already: pids say which container
    }
    const others = container.pid ? execMounts(readMounts(container.pid)) : [];
    // a tmpfs is the container's own: its device names the container of a process gone before
    // its exec's record is read (a volume's device is the host's, shared: it names no one)
    for (const m of others) if (m.fsType === 'tmpfs' && !this.byDevice.has(m.dev)) this.byDevice.set(m.dev, container);
    if (this.o.openGuard) {
      if (this.guard) this.guard.add(root);
      else this.guard = this.o.openGuard(root);
      this.guardOtherMounts(container, others);
    }
    this.watchFiles(container, root);
    // a watch needs its file's directory: a file the image lacks entirely costs no auditctl run
    const rules = [
      ...sensitiveWatches(this.o.sensitiveFiles, root).filter((w) => existsSync(dirname(w[1]!))),
      ...this.fileRules(container, root),
    ];
    const ok = await auditctlBatch(rules);
    this.auditWatches.set(
      container.id,
      rules.filter((_, i) => ok[i]),
    );
  }

  private fileRules(container: ContainerInfo, root: string): string[][] {
    if (this.o.fileWatchDirs === false) return [];
    return containerFileRules(root, procDevice(container.pid), this.o.fileWatchDirs);
  }

  /**
   * Programs run from the container's tmpfs mounts, volumes and bind mounts are drift too:
   * each such mount (seen through the container's own root, so the mark holds the container's
   * mount, not the host's view of it) is marked by itself. Its marks go with the mount when the
   * container stops. noexec mounts need none: the kernel refuses their programs already.
   */
  private guardOtherMounts(container: ContainerInfo, mounts: readonly Mount[]): void {
    if (!this.guard) return;
    for (const m of mounts) {
      try {
        this.guard.add(`/proc/${container.pid}/root${m.mountPoint}`, 'mount');
      } catch (e) {
        this.o.onError(new Error(`container ${container.name}: exec guard on ${m.mountPoint}: ${messageOf(e)}`));
      }
    }
  }

  private async unwatch(container: ContainerInfo): Promise<void> {
    for (const [dev, owner] of this.byDevice) if (owner.id === container.id) this.byDevice.delete(dev);
    this.unwatchFiles(container);
    if (container.mergedDir) this.guard?.remove(container.mergedDir);
    // -W deletes the watch -w added, -d the rule -a added
    await auditctlBatch((this.auditWatches.get(container.id) ?? []).map(deleteArgs));
    this.auditWatches.delete(container.id);
  }

  close(): void {
    this.guard?.close();
    this.fileGuard?.close();
  }
}

/** The device of the container's own procfs; undefined when unknown or the host's (never audit the host's /proc opens). */
function procDevice(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const dev = statSync(`/proc/${pid}/root/proc`).dev;
    return dev === statSync('/proc').dev ? undefined : dev;
  } catch {
    return undefined;
  }
}
