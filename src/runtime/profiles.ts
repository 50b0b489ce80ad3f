import { lstatSync } from 'node:fs';
import { z } from 'zod';
import { parseJson } from '../core/json.js';
import { globMatch } from '../core/glob.js';
import { readPrivateFile, writePrivateFile } from '../core/private-file.js';

// Executable allow lists per image or workload, in three modes: Learn records what runs,
// Monitor alerts on anything else, Protect blocks it. Deny patterns are refused in every
// mode. Profiles persist in one JSON file so the agent keeps them across restarts.

export type ProfileMode = 'learn' | 'monitor' | 'protect';

export interface Verdict {
  /** Not on the list (monitor/protect), or on the deny list. */
  violation: boolean;
  /** Protect mode (or a deny pattern): stop it. */
  block: boolean;
  reason?: string;
}

/** How a program opened a protected file: a write allows reads too. */
export type FileAccess = 'read' | 'write';

// Version 2 adds `files` (protected file → program → access); version 1 files load with none.
const Stored = z.object({
  version: z.union([z.literal(1), z.literal(2)]),
  profiles: z.record(
    z.string(),
    z.object({
      mode: z.enum(['learn', 'monitor', 'protect']),
      allowed: z.array(z.string()),
      deny: z.array(z.string()).default([]),
      learnedSince: z.string(),
      files: z.record(z.string(), z.record(z.string(), z.enum(['read', 'write']))).default({}),
      shellParents: z.array(z.string()).default([]),
    }),
  ),
});

interface Profile {
  mode: ProfileMode;
  allowed: Set<string>;
  deny: string[];
  learnedSince: string;
  /** Protected file → program → the widest access it was seen to use. */
  files: Map<string, Map<string, FileAccess>>;
  /** Programs seen starting a shell while learning (a service that never did, then does: a web shell). */
  shellParents: Set<string>;
}

const MAX_ALLOWED = 10_000;
const MAX_FILES = 10_000;

function filesOf(stored: Record<string, Record<string, FileAccess>>): Map<string, Map<string, FileAccess>> {
  return new Map(Object.entries(stored).map(([file, by]) => [file, new Map(Object.entries(by))]));
}

export class ProfileStore {
  private readonly profiles = new Map<string, Profile>();
  /** Changed since the last save. */
  private dirty = false;
  /** Told when a mode, a deny list or the stored profiles change (not when learning adds a program). */
  onChange?: () => void;

  /** The file's mtime when this store last read or wrote it: another change is someone's edit. */
  private seenMtimeMs: number | undefined;

  constructor(private readonly file?: string) {
    if (!file) return;
    for (const [k, p] of this.read() ?? []) this.profiles.set(k, p);
  }

  /** The stored profiles; undefined when there is no file. */
  private read(): [string, Profile][] | undefined {
    const file = this.file!;
    // never through a link planted at its name
    const text = readPrivateFile(file);
    if (text === undefined) return undefined;
    this.seenMtimeMs = lstatSync(file).mtimeMs;
    const doc = parseJson(text, Stored, file);
    return Object.entries(doc.profiles).map(([k, p]) => [
      k,
      { ...p, allowed: new Set(p.allowed), files: filesOf(p.files), shellParents: new Set(p.shellParents) },
    ]);
  }

  /**
   * Takes in edits made to the file by someone else (`bulwark profiles mode`) since this store
   * last read or wrote it: the file's version of each profile it holds wins.
   */
  reloadIfEdited(): boolean {
    if (!this.file) return false;
    let mtime: number;
    try {
      mtime = lstatSync(this.file).mtimeMs;
    } catch {
      return false;
    }
    if (mtime === this.seenMtimeMs) return false;
    for (const [k, p] of this.read() ?? []) this.profiles.set(k, p);
    this.onChange?.();
    return true;
  }

  hasProfile(key: string): boolean {
    return this.profiles.has(key);
  }

  /** The profile's mode; profiles start in learn mode. */
  mode(key: string): ProfileMode {
    return this.profiles.get(key)?.mode ?? 'learn';
  }

  private profile(key: string): Profile {
    let p = this.profiles.get(key);
    if (!p) {
      this.profiles.set(
        key,
        (p = {
          mode: 'learn',
          allowed: new Set(),
          deny: [],
          learnedSince: new Date().toISOString(),
          files: new Map(),
          shellParents: new Set(),
        }),
      );
      this.dirty = true;
    }
    return p;
  }

  setMode(key: string, mode: ProfileMode): void {
    const p = this.profile(key);
    if (p.mode === mode) return;
    p.mode = mode;
    if (mode === 'learn') p.learnedSince = new Date().toISOString();
    this.dirty = true;
    this.onChange?.();
  }

  setDeny(key: string, patterns: string[]): void {
    this.profile(key).deny = patterns;
    this.dirty = true;
    this.onChange?.();
  }

  /**
   * Moves every profile that has been learning for at least `periodMs` to `mode` (a learning
   * period, as the peers' "discover then protect"); returns the keys moved.
   */
  endLearning(periodMs: number, mode: Exclude<ProfileMode, 'learn'>, now = Date.now()): string[] {
    const moved: string[] = [];
    for (const [key, p] of this.profiles) {
      if (p.mode !== 'learn' || now - Date.parse(p.learnedSince) < periodMs) continue;
      p.mode = mode;
      moved.push(key);
    }
    if (moved.length) {
      this.dirty = true;
      this.onChange?.();
    }
    return moved;
  }

  /** Every profile's key, mode and size. */
  list(): { key: string; mode: ProfileMode; programs: number; files: number; learnedSince: string }[] {
    return [...this.profiles]
      .map(([key, p]) => ({
        key,
        mode: p.mode,
        programs: p.allowed.size,
        files: p.files.size,
        learnedSince: p.learnedSince,
      }))
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  allowed(key: string): string[] {
    return [...(this.profiles.get(key)?.allowed ?? [])].sort();
  }

  /** Judges one exec of `exe` (a path inside the container) under the profile `key`. */
  observe(key: string, exe: string): Verdict {
    const p = this.profile(key);
    const denied = p.deny.find((d) => globMatch(d, exe));
    if (denied) return { violation: true, block: true, reason: `${exe} matches deny pattern ${denied}` };
    if (p.mode === 'learn') {
      if (p.allowed.size < MAX_ALLOWED && !p.allowed.has(exe)) {
        p.allowed.add(exe);
        this.dirty = true;
      }
      return { violation: false, block: false };
    }
    if (p.allowed.has(exe)) return { violation: false, block: false };
    return {
      violation: true,
      block: p.mode === 'protect',
      reason: `${exe} is not in the learned profile of ${key} (${p.allowed.size} programs)`,
    };
  }

  /**
   * A shell started by `parent` (a program of the container, not itself a shell): learn mode
   * records the parent; afterwards true when a program the profile knows starts a shell it
   * never started while learning.
   */
  shellFromUnlearnedParent(key: string, parent: string): boolean {
    const p = this.profile(key);
    if (p.mode === 'learn') {
      if (p.shellParents.size < MAX_ALLOWED && !p.shellParents.has(parent)) {
        p.shellParents.add(parent);
        this.dirty = true;
      }
      return false;
    }
    return p.allowed.has(parent) && !p.shellParents.has(parent);
  }

  /** The protected files a profile allows, each with its programs and their access, sorted. */
  files(key: string): { path: string; programs: { program: string; access: FileAccess }[] }[] {
    return [...(this.profiles.get(key)?.files ?? [])]
      .map(([path, by]) => ({
        path,
        programs: [...by]
          .map(([program, access]) => ({ program, access }))
          .sort((a, b) => a.program.localeCompare(b.program)),
      }))
      .sort((a, b) => a.path.localeCompare(b.path));
  }

  /**
   * Judges one open of the protected `file` by `program` (paths inside the container) under
   * profile `key`: learn mode records it; monitor and protect allow what was learned — a read
   * where the program read or wrote the file, a write only where it wrote it.
   */
  observeFile(key: string, file: string, program: string, access: FileAccess): Verdict {
    const p = this.profile(key);
    const by = p.files.get(file);
    const known = by?.get(program);
    if (p.mode === 'learn') {
      if (known === 'write' || known === access) return { violation: false, block: false };
      if (!by && p.files.size >= MAX_FILES) return { violation: false, block: false };
      (by ?? p.files.set(file, new Map()).get(file)!).set(program, access);
      this.dirty = true;
      return { violation: false, block: false };
    }
    if (known === 'write' || (known === 'read' && access === 'read')) return { violation: false, block: false };
    return {
      violation: true,
      block: p.mode === 'protect',
      reason: known
        ? `${program} may only read ${file} in the learned profile of ${key}`
        : `${program} opening ${file} for ${access} is not in the learned profile of ${key}`,
    };
  }

  /** Writes the file if anything changed since the last save (the agent calls this periodically, so a crash loses little). */
  saveIfChanged(): void {
    if (this.dirty) this.save();
  }

  save(): void {
    if (!this.file) return;
    const doc = {
      version: 2,
      profiles: Object.fromEntries(
        [...this.profiles].map(([k, p]) => [
          k,
          {
            mode: p.mode,
            allowed: [...p.allowed].sort(),
            deny: p.deny,
            learnedSince: p.learnedSince,
            files: Object.fromEntries(
              this.files(k).map((f) => [f.path, Object.fromEntries(f.programs.map((x) => [x.program, x.access]))]),
            ),
            shellParents: [...p.shellParents].sort(),
          },
        ]),
      ),
    };
    writePrivateFile(this.file, `${JSON.stringify(doc, null, 2)}\n`);
    this.seenMtimeMs = lstatSync(this.file).mtimeMs;
    this.dirty = false;
  }
}
