import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BulwarkError } from '../core/errors.js';
import { defaultCacheDir } from '../core/cache-dir.js';
import { VulnStore, type FeedInfo } from './store.js';

// Where the DB lives and how old it is.

/** $BULWARK_DB, else <cache dir>/db/bulwark.db. */
export function defaultDbPath(): string {
  return process.env.BULWARK_DB || join(defaultCacheDir(), 'db', 'bulwark.db');
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "7d", "12h", "90m", "1w", "30s" -> milliseconds. */
export function parseMaxAge(s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/.exec(s);
  if (!m) throw new BulwarkError('USAGE', s, 'not an age (use e.g. 7d, 12h, 30m)');
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** A short age for people: "45s", "12m", "5h", "3d 4h". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  return h > 0 && d < 10 ? `${d}d ${h}h` : `${d}d`;
}

/** The DB is as old as its least recently imported feed. */
function oldestFeed(feeds: FeedInfo[]): FeedInfo | undefined {
  return [...feeds].sort((a, b) => Date.parse(a.importedAt) - Date.parse(b.importedAt))[0];
}

/** The one-line warning for a DB older than maxAgeMs, or undefined. */
export function ageWarning(dbPath: string, feeds: FeedInfo[], maxAgeMs: number, now: Date): string | undefined {
  const oldest = oldestFeed(feeds);
  if (!oldest) return `${dbPath}: vulnerability database has no feeds: run \`bulwark db update\``;
  const age = now.getTime() - Date.parse(oldest.importedAt);
  if (age <= maxAgeMs) return undefined;
  return `${dbPath}: vulnerability database is ${formatAge(age)} old (feed ${oldest.name}; limit ${formatAge(maxAgeMs)}): run \`bulwark db update\``;
}

/** Writes the age warning to stderr when the DB at dbPath is older than maxAge ("7d"). */
export function warnIfOld(dbPath: string, maxAge: string, now = new Date()): void {
  const limit = parseMaxAge(maxAge);
  if (!existsSync(dbPath)) return;
  const store = VulnStore.open(dbPath, { readonly: true });
  try {
    const w = ageWarning(dbPath, store.feeds(), limit, now);
    if (w) process.stderr.write(`bulwark: warning: ${w}\n`);
  } finally {
    store.close();
  }
}
