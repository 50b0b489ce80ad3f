import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { BulwarkError } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import { byteBudget, listEntries, readEntry } from '../core/zip.js';
import { convertSecdb, isSecdb } from './alpine-secdb.js';
import { osvRecordSchema, parseOsvRecord, type OsvRecord } from './osv.js';
import type { FeedCounts, VulnStore } from './store.js';

// `bulwark db import PATH`: an OSV all.zip, a directory of feeds, one OSV .json file or
// an Alpine secdb .yaml. Everything is read and validated inside one transaction, so a
// malformed record anywhere leaves the store as it was.

/** Bounds on one feed file and on what its zip may expand to. */
export const MAX_FEED_BYTES = 1 << 30;
const MAX_RECORD_BYTES = 32 << 20;
const MAX_EXPANDED_BYTES = 16 * 2 ** 30;

interface ImportedFeed extends FeedCounts {
  name: string;
  source: string;
}

export interface ImportReport extends FeedCounts {
  feeds: ImportedFeed[];
  /** Files, or secdb lines, that were passed over, with the reason. */
  skipped: string[];
}

export interface ImportOptions {
  /** Import time (tests inject one); default now. */
  now?: Date;
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function readBounded(path: string): Buffer {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new BulwarkError('NOT_FOUND', path, 'no such file');
  }
  if (size > MAX_FEED_BYTES) throw new BulwarkError('TOO_LARGE', path, `${size} bytes (limit ${MAX_FEED_BYTES})`);
  return readFileSync(path);
}

/** Every record of an OSV all.zip, each CRC-checked and validated; errors name zip:entry. */
export function forEachZipRecord(zip: Buffer, input: string, fn: (r: OsvRecord) => void): void {
  const budget = byteBudget(MAX_EXPANDED_BYTES);
  for (const e of listEntries(zip, input, (n) => n.endsWith('.json'))) {
    fn(parseOsvRecord(readEntry(zip, e, input, MAX_RECORD_BYTES, budget), `${input}:${e.name}`));
  }
}

/** The feed an all.zip is: its directory's name in the bucket layout (osv/PyPI/all.zip -> osv:PyPI). */
export function zipFeedName(path: string): string {
  const abs = resolve(path);
  return `osv:${basename(abs) === 'all.zip' ? basename(dirname(abs)) : basename(abs, '.zip')}`;
}

/** One .json file: a record, or an array of records. */
function jsonRecords(bytes: Buffer, input: string): OsvRecord[] {
  return bytes.toString('utf8').trimStart().startsWith('[')
    ? parseJson(bytes, z.array(osvRecordSchema), input)
    : [parseOsvRecord(bytes, input)];
}

interface Found {
  zips: string[];
  yamls: string[];
  /** Loose .json files by directory: one feed per directory. */
  jsonDirs: Map<string, string[]>;
  skipped: string[];
}

function walk(dir: string, found: Found): void {
  for (const d of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, d.name);
    if (d.isDirectory()) walk(p, found);
    else if (!d.isFile()) found.skipped.push(`${p}: not a regular file`);
    else if (d.name.endsWith('.zip')) found.zips.push(p);
    else if (d.name.endsWith('.json')) found.jsonDirs.set(dir, [...(found.jsonDirs.get(dir) ?? []), p]);
    else if (/\.ya?ml$/.test(d.name)) found.yamls.push(p);
    else found.skipped.push(`${p}: not a feed file`);
  }
}

export function importPath(store: VulnStore, path: string, opts: ImportOptions = {}): ImportReport {
  const abs = resolve(path);
  let isDir: boolean;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    throw new BulwarkError('NOT_FOUND', path, 'no such file or directory');
  }
  const found: Found = { zips: [], yamls: [], jsonDirs: new Map(), skipped: [] };
  if (isDir) walk(abs, found);
  else if (abs.endsWith('.zip')) found.zips.push(abs);
  else if (abs.endsWith('.json')) found.jsonDirs.set(abs, [abs]);
  else if (/\.ya?ml$/.test(abs)) found.yamls.push(abs);
  else
    throw new BulwarkError(
      'USAGE',
      path,
      'not a feed: expected an OSV all.zip, an OSV .json record, an Alpine secdb .yaml, or a directory of them',
    );

  const importedAt = (opts.now ?? new Date()).toISOString();
  const report: ImportReport = { feeds: [], records: 0, affected: 0, skipped: found.skipped };
  const add = (name: string, source: string, bytes: Buffer, fill: (put: (r: OsvRecord) => void) => void): void => {
    const twin = report.feeds.find((f) => f.name === name);
    if (twin) throw new BulwarkError('USAGE', source, `is feed ${name} as ${twin.source} is: import one of them`);
    const counts = store.replaceFeed({ name, source, sha256: sha256(bytes), importedAt }, fill);
    report.feeds.push({ name, source, ...counts });
    report.records += counts.records;
    report.affected += counts.affected;
  };
  store.transaction(() => {
    for (const zip of found.zips) {
      const bytes = readBounded(zip);
      add(zipFeedName(zip), zip, bytes, (put) => forEachZipRecord(bytes, zip, put));
    }
    for (const [where, files] of found.jsonDirs) {
      const parts = files.map((f) => ({ f, bytes: readBounded(f) }));
      const all = Buffer.concat(parts.map((p) => p.bytes));
      add(`json:${where}`, where, all, (put) => parts.forEach((p) => jsonRecords(p.bytes, p.f).forEach(put)));
    }
    for (const y of found.yamls) {
      const bytes = readBounded(y);
      const text = bytes.toString('utf8');
      if (!isSecdb(text)) {
        if (!isDir) throw new BulwarkError('UNKNOWN_FORMAT', y, 'not an Alpine secdb document');
        found.skipped.push(`${y}: not an Alpine secdb document`);
        continue;
      }
      const feed = convertSecdb(text, y, importedAt);
      report.skipped.push(...feed.skipped);
      add(feed.name, y, bytes, (put) => feed.records.forEach(put));
    }
  });
  return report;
}
