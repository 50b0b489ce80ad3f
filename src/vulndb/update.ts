import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BulwarkError, isBulwarkError } from '../core/errors.js';
import { DEFAULT_FEEDS } from '../ecosystems/index.js';
import { fetchFeed, type DownloadProgress } from './fetch.js';
import { forEachZipRecord, sha256 } from './import.js';
import { VulnStore, type FeedInfo } from './store.js';

// `bulwark db update`: each requested ecosystem's all.zip from the OSV bucket (or a mirror
// in the same layout), conditionally. Changed feeds go into a copy of the DB beside it,
// which replaces the DB by rename only once every feed has downloaded whole and every
// record validated: an interrupted download, a corrupt zip or a crash leaves the previous
// DB in place and working. When nothing changed the DB file is not touched at all.

export const DEFAULT_MIRROR = 'https://osv-vulnerabilities.storage.googleapis.com';
/**
 * Bucket folders fetched for their severities, not their packages: OSV's synthetic `GIT`
 * ecosystem holds its NVD-converted CVE-* records (GIT ranges only, NVD's CVSS vectors),
 * which rate the CVEs that feeds such as Go's leave unrated.
 */
export const DEFAULT_SEVERITY_SOURCES = ['GIT'];
/** The feeds of a new DB: each ecosystem's own (src/ecosystems/<id>/index.ts, defaultFeeds). */
const DEFAULT_ECOSYSTEMS: readonly string[] = DEFAULT_FEEDS;

export interface UpdateOptions {
  dbPath: string;
  /** http(s):// or file:// base of the bucket layout; default DEFAULT_MIRROR. */
  mirror?: string;
  /** Default: the osv:* feeds already in the DB, else DEFAULT_ECOSYSTEMS. */
  ecosystems?: string[];
  /** Bucket folders read for severities only (DEFAULT_SEVERITY_SOURCES); one the mirror lacks is reported absent. Default none. */
  severitySources?: string[];
  /** Never use the network: only a file:// mirror is read. */
  offline?: boolean;
  progress?: DownloadProgress;
  now?: Date;
}

export interface FeedUpdate {
  feed: string;
  source: string;
  status: 'updated' | 'unchanged' | 'skipped-offline' | 'absent';
  records?: number;
  affected?: number;
  bytes?: number;
}

export interface UpdateReport {
  dbPath: string;
  feeds: FeedUpdate[];
  /** Whether the DB file was replaced. */
  written: boolean;
}

function mirrorUrl(mirror: string): URL {
  let u: URL;
  try {
    u = new URL(mirror);
  } catch {
    throw new BulwarkError('USAGE', mirror, 'not a URL (use http://, https:// or file://)');
  }
  if (!['http:', 'https:', 'file:'].includes(u.protocol))
    throw new BulwarkError('USAGE', mirror, 'mirror must be an http://, https:// or file:// URL');
  return u;
}

export function feedUrl(base: URL, ecosystem: string): URL {
  if (!ecosystem || /[/\\]|^\.\.?$/.test(ecosystem))
    throw new BulwarkError('USAGE', ecosystem, 'not an OSV ecosystem name');
  const root = base.href.endsWith('/') ? base.href : `${base.href}/`;
  return new URL(`${encodeURIComponent(ecosystem)}/all.zip`, root);
}

function existingFeeds(dbPath: string): FeedInfo[] {
  if (!existsSync(dbPath)) return [];
  const s = VulnStore.open(dbPath, { readonly: true });
  try {
    return s.feeds();
  } finally {
    s.close();
  }
}

interface Planned {
  ecosystem: string;
  /** A severity source: absent from the mirror is reported, not an error. */
  optional: boolean;
}

function plan(o: UpdateOptions, old: Map<string, FeedInfo>): Planned[] {
  const severity = o.severitySources ?? [];
  const inDb = [...old.keys()]
    .filter((n) => n.startsWith('osv:'))
    .map((n) => n.slice(4))
    .filter((e) => !severity.includes(e));
  const ecosystems = o.ecosystems ?? (inDb.length > 0 ? inDb : DEFAULT_ECOSYSTEMS);
  return [
    ...ecosystems.map((ecosystem) => ({ ecosystem, optional: false })),
    ...severity.filter((e) => !ecosystems.includes(e)).map((ecosystem) => ({ ecosystem, optional: true })),
  ];
}

export async function updateDb(o: UpdateOptions): Promise<UpdateReport> {
  const base = mirrorUrl(o.mirror ?? DEFAULT_MIRROR);
  const old = new Map(existingFeeds(o.dbPath).map((f) => [f.name, f]));
  const planned = plan(o, old);
  const report: UpdateReport = { dbPath: o.dbPath, feeds: [], written: false };
  if (o.offline && base.protocol !== 'file:') {
    report.feeds = planned.map((p) => ({
      feed: `osv:${p.ecosystem}`,
      source: feedUrl(base, p.ecosystem).href,
      status: 'skipped-offline',
    }));
    return report;
  }
  const dir = dirname(o.dbPath);
  const tmp = join(dir, `.${basename(o.dbPath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let next: VulnStore | undefined;
  try {
    for (const { ecosystem: eco, optional } of planned) {
      const feed = `osv:${eco}`;
      const url = feedUrl(base, eco);
      const had = old.get(feed);
      // validators only for the same source: another mirror's ETag means nothing here
      const same = had?.source === url.href;
      const got = await fetchFeed(url, same ? { etag: had.etag, lastModified: had.lastModified } : {}, {
        ...(o.progress ? { progress: o.progress } : {}),
        label: feed,
      }).catch((e: unknown) => {
        if (optional && isBulwarkError(e) && e.code === 'NOT_FOUND') return undefined;
        throw e;
      });
      if (!got) {
        report.feeds.push({ feed, source: url.href, status: 'absent' });
        continue;
      }
      if (got.status === 'not-modified' || (same && sha256(got.bytes) === had.sha256)) {
        report.feeds.push({ feed, source: url.href, status: 'unchanged' });
        continue;
      }
      if (!next) next = await openCopy(o.dbPath, tmp);
      const input = url.protocol === 'file:' ? fileURLToPath(url) : url.href;
      const bytes = got.bytes;
      const counts = next.replaceFeed(
        {
          name: feed,
          source: url.href,
          etag: got.etag,
          lastModified: got.lastModified,
          sha256: sha256(bytes),
          importedAt: (o.now ?? new Date()).toISOString(),
        },
        (put) => forEachZipRecord(bytes, input, put),
      );
      report.feeds.push({ feed, source: url.href, status: 'updated', ...counts, bytes: bytes.length });
    }
    if (next) {
      next.close();
      next = undefined;
      renameSync(tmp, o.dbPath);
      report.written = true;
    }
    return report;
  } finally {
    next?.close();
    if (!report.written) rmSync(tmp, { force: true });
    rmSync(`${tmp}-journal`, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e instanceof Error && 'code' in e && e.code === 'EPERM';
  }
}

/** Copies left behind by an update that was killed: their process is gone. */
function removeStaleCopies(dbPath: string): void {
  const prefix = `.${basename(dbPath)}.`;
  for (const n of readdirSync(dirname(dbPath))) {
    const m = n.startsWith(prefix) ? /^(\d+)\.[0-9a-f]+\.tmp(-journal)?$/.exec(n.slice(prefix.length)) : null;
    if (m && !alive(Number(m[1]))) rmSync(join(dirname(dbPath), n), { force: true });
  }
}

/** A private copy of the current DB (or a new one) beside it, to be renamed over it. */
async function openCopy(dbPath: string, tmp: string): Promise<VulnStore> {
  mkdirSync(dirname(dbPath), { recursive: true, mode: 0o700 });
  removeStaleCopies(dbPath);
  if (existsSync(dbPath)) {
    const cur = VulnStore.open(dbPath, { readonly: true });
    try {
      await cur.backupTo(tmp);
    } finally {
      cur.close();
    }
  }
  return VulnStore.open(tmp);
}
