import { DriftDetector, type DriftReason } from '../detectors/drift.js';
import type { ProfileMode, ProfileStore } from '../profiles.js';
import type { ContainerInfo } from '../containers.js';

// Whether a program that runs in a container drifted from its image or is outside the
// workload's profile, and whether it must be refused. Programs judged clean are remembered by
// file (device, inode, path): fanotify allows them again from its kernel-side cache, and
// their audit records skip judging. A changed profile or container clears that memory.

export interface Judgement {
  drift: boolean;
  /** Where the drifted program lives (written in the overlay, tmpfs, volume, memfd). */
  driftReason?: DriftReason;
  block: boolean;
  reason?: string;
  profileViolation: boolean;
}

const CLEAN: Judgement = { drift: false, block: false, profileViolation: false };

export interface ExecJudgeOptions {
  /** Mode for workloads without a profile yet. */
  defaultMode: ProfileMode;
  /** Refuse drifted programs in every container (else alert only). */
  blockDrift: boolean;
}

export class ExecJudge {
  /** Execs judged clean, as dev:ino:path. */
  private readonly clean = new Set<string>();
  private readonly drift = new DriftDetector();
  /** Told when the cache is cleared (fanotify's own cache must go too). */
  onClear?: () => void;

  constructor(
    private readonly profiles: ProfileStore,
    private readonly o: ExecJudgeOptions,
  ) {
    // a changed profile can make a cached answer wrong
    profiles.onChange = () => this.clear();
  }

  /** The profile key of a container: its image id. */
  static profileKey(container: Pick<ContainerInfo, 'imageId'>): string {
    return `image:${container.imageId}`;
  }

  modeOf(container: ContainerInfo): ProfileMode {
    const key = ExecJudge.profileKey(container);
    return this.profiles.hasProfile(key) ? this.profiles.mode(key) : this.o.defaultMode;
  }

  /** The container's profile key; a new profile starts in the mode for workloads without one. */
  ensureProfile(container: ContainerInfo): string {
    const key = ExecJudge.profileKey(container);
    if (!this.profiles.hasProfile(key)) this.profiles.setMode(key, this.modeOf(container));
    return key;
  }

  /** Whether an exec of `exe` (on device `dev`) in `c` must be refused, and why (the profile learns it in learn mode). */
  async judge(container: ContainerInfo, exe: string, dev?: number): Promise<Judgement> {
    const { drift, reason: driftReason } = await this.drift.judge(container, exe, dev);
    const key = ExecJudge.profileKey(container);
    if (!this.profiles.hasProfile(key)) this.profiles.setMode(key, this.modeOf(container));
    const verdict = this.profiles.observe(key, exe);
    const block = (drift && this.o.blockDrift) || verdict.block;
    return {
      drift,
      ...(driftReason ? { driftReason } : {}),
      block,
      profileViolation: verdict.violation,
      ...(verdict.reason ? { reason: verdict.reason } : {}),
    };
  }

  /** The judgement an audit record reuses: fanotify's for this process, a clean file's, or a new one. */
  async judgeRecord(
    container: ContainerInfo,
    exe: string,
    file: { dev?: number; ino?: number },
    held?: { exe: string; judgement: Judgement },
  ): Promise<Judgement> {
    if (held?.exe === exe) return held.judgement;
    return this.clean.has(fileKey(file.dev, file.ino, exe)) ? CLEAN : this.judge(container, exe, file.dev);
  }

  /** Remembers (or forgets) a file's exec as clean; true when it may be cached. */
  noteHeld(dev: number, ino: number, exe: string, judgement: Judgement): boolean {
    const key = fileKey(dev, ino, exe);
    const cacheable = !judgement.block && !judgement.drift && !judgement.profileViolation && dev >= 0;
    if (cacheable) this.clean.add(key);
    else this.clean.delete(key);
    return cacheable;
  }

  /** A shell started by the container's program `parent`: learned in learn mode, else true when the profile never saw it start one. */
  shellFromUnlearnedParent(container: ContainerInfo, parent: string): boolean {
    return this.profiles.shellFromUnlearnedParent(this.ensureProfile(container), parent);
  }

  /** The profile learns `name` too (a program run by another name: an applet, an alternatives link). */
  observeName(container: ContainerInfo, name: string): ReturnType<ProfileStore['observe']> {
    return this.profiles.observe(ExecJudge.profileKey(container), name);
  }

  clear(): void {
    this.clean.clear();
    this.drift.clearMounts();
    this.onClear?.();
  }
}

function fileKey(dev: number | undefined, ino: number | undefined, exe: string): string {
  return `${dev}:${ino}:${exe}`;
}
