import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { BulwarkError } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import { globMatch } from '../policy/glob.js';

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

const Stored = z.object({
  version: z.literal(1),
  profiles: z.record(z.string(), z.object({ mode: z.enum(['learn', 'monitor', 'protect']), allowed: z.array(z.string()), deny: z.array(z.string()).default([]), learnedSince: z.string() })),
});

interface Profile {
  mode: ProfileMode;
  allowed: Set<string>;
  deny: string[];
  learnedSince: string;
}

const MAX_ALLOWED = 10_000;

export class ProfileStore {
  private readonly profiles = new Map<string, Profile>();

  constructor(private readonly file?: string) {
    if (!file) return;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new BulwarkError('IO', file, `cannot read profiles (${(e as NodeJS.ErrnoException).code})`);
    }
    const doc = parseJson(text, Stored, file);
    for (const [k, p] of Object.entries(doc.profiles)) this.profiles.set(k, { ...p, allowed: new Set(p.allowed) });
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
    if (!p) this.profiles.set(key, (p = { mode: 'learn', allowed: new Set(), deny: [], learnedSince: new Date().toISOString() }));
    return p;
  }

  setMode(key: string, mode: ProfileMode): void {
    this.profile(key).mode = mode;
  }

  setDeny(key: string, patterns: string[]): void {
    this.profile(key).deny = patterns;
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
      if (p.allowed.size < MAX_ALLOWED) p.allowed.add(exe);
      return { violation: false, block: false };
    }
    if (p.allowed.has(exe)) return { violation: false, block: false };
    return { violation: true, block: p.mode === 'protect', reason: `${exe} is not in the learned profile of ${key} (${p.allowed.size} programs)` };
  }

  save(): void {
    if (!this.file) return;
    const doc = { version: 1, profiles: Object.fromEntries([...this.profiles].map(([k, p]) => [k, { mode: p.mode, allowed: [...p.allowed].sort(), deny: p.deny, learnedSince: p.learnedSince }])) };
    const tmp = `${this.file}.${process.pid}.partial`;
    writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
