import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { BulwarkError, messageOf } from '../core/errors.js';
import { normalizePackageName } from '../ecosystems/index.js';
import type { OsvRecord } from './osv.js';

// The local vulnerability DB (SQLite). Every feed owns its copies of the records it
// brought; a record id several feeds carry (a GHSA in PyPI and npm) keeps one copy per
// feed and reads return the newest `modified` copy, so replacing one feed never loses
// another feed's data. Records are validated before they are stored and trusted on read.

// 2: package names keyed by the ecosystems' name rules (schema 1 left crates.io and Packagist
// names unfolded); a schema-1 DB is re-keyed in place when opened.
const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE feeds (name TEXT PRIMARY KEY, source TEXT NOT NULL, etag TEXT, last_modified TEXT,
  sha256 TEXT NOT NULL, records INTEGER NOT NULL, affected INTEGER NOT NULL, imported_at TEXT NOT NULL);
CREATE TABLE advisories (id TEXT NOT NULL, feed TEXT NOT NULL, modified_ms INTEGER NOT NULL, withdrawn TEXT,
  record TEXT NOT NULL, UNIQUE (id, feed));
CREATE INDEX advisories_feed ON advisories (feed);
CREATE TABLE packages (ecosystem TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL, feed TEXT NOT NULL,
  PRIMARY KEY (ecosystem, name, id, feed)) WITHOUT ROWID;
CREATE INDEX packages_feed ON packages (feed, id);
CREATE TABLE aliases (alias TEXT NOT NULL, id TEXT NOT NULL, feed TEXT NOT NULL, kind TEXT NOT NULL,
  PRIMARY KEY (alias, id, feed, kind)) WITHOUT ROWID;
CREATE INDEX aliases_feed ON aliases (feed, id);
`;

export interface FeedMeta {
  /** "osv:PyPI", "alpine-secdb:v3.11/main", "json:/path/dir" */
  name: string;
  /** URL or absolute path the feed came from. */
  source: string;
  etag?: string | null;
  lastModified?: string | null;
  /** Of the downloaded or read bytes. */
  sha256: string;
  /** ISO 8601; default now. */
  importedAt?: string;
}

export interface FeedInfo {
  name: string;
  source: string;
  etag: string | null;
  lastModified: string | null;
  sha256: string;
  records: number;
  /** Affected entries of those records. */
  affected: number;
  /** ISO 8601 */
  importedAt: string;
}

export interface FeedCounts {
  records: number;
  affected: number;
}

interface FeedRow {
  name: string;
  source: string;
  etag: string | null;
  last_modified: string | null;
  sha256: string;
  records: number;
  affected: number;
  imported_at: string;
}

export class VulnStore {
  // the read path runs once per installed package: prepared once
  private readonly q: {
    newest: Database.Statement<[string], { record: string }>;
    aliases: Database.Statement<[string], { id: string }>;
    records: Database.Statement<[string, string], { id: string; record: string }>;
    ecosystem: Database.Statement<[string], { one: number }>;
  };
  private readonly ecosystems = new Map<string, boolean>();

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {
    this.q = {
      newest: db.prepare('SELECT record FROM advisories WHERE id = ? ORDER BY modified_ms DESC, feed LIMIT 1'),
      aliases: db.prepare('SELECT DISTINCT id FROM aliases WHERE alias = ? ORDER BY id'),
      // every copy of every record naming the package, newest first per id: one query per package
      records: db.prepare(
        'SELECT a.id AS id, a.record AS record FROM (SELECT DISTINCT id FROM packages WHERE ecosystem = ? AND name = ?) p ' +
          'JOIN advisories a ON a.id = p.id ORDER BY a.id, a.modified_ms DESC, a.feed',
      ),
      ecosystem: db.prepare('SELECT 1 AS one FROM packages WHERE ecosystem = ? LIMIT 1'),
    };
  }

  /** Opens (readonly: must exist) or creates the DB at `path` (":memory:" for tests). */
  static open(path: string, opts: { readonly?: boolean } = {}): VulnStore {
    const readonly = opts.readonly ?? false;
    const memory = path === ':memory:';
    if (readonly && !memory && !existsSync(path))
      throw new BulwarkError(
        'NOT_FOUND',
        path,
        'no vulnerability database: run `bulwark db update` or `bulwark db import PATH`',
      );
    if (!readonly && !memory) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    let db: Database.Database;
    try {
      db = new Database(path, { readonly, fileMustExist: readonly });
    } catch (e) {
      throw new BulwarkError('IO', path, `cannot open the vulnerability database (${messageOf(e)})`, { cause: e });
    }
    try {
      const version = db.pragma('user_version', { simple: true });
      const tables =
        db.prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get()?.n ?? 0;
      if (version === 0 && tables === 0 && !readonly) {
        db.exec(SCHEMA);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
      } else if (version === 1 && !memory) {
        db.close();
        rekeyNames(path);
        db = new Database(path, { readonly, fileMustExist: true });
      } else if (version !== SCHEMA_VERSION) {
        throw new BulwarkError(
          'CORRUPT',
          path,
          version === 0
            ? 'not a Bulwark vulnerability database'
            : `vulnerability database schema ${String(version)} (this Bulwark reads ${SCHEMA_VERSION}): run \`bulwark db update\` with a new --db`,
        );
      }
    } catch (e) {
      db.close();
      if (e instanceof BulwarkError) throw e;
      throw new BulwarkError('CORRUPT', path, `not a vulnerability database (${messageOf(e)})`, { cause: e });
    }
    return new VulnStore(db, path);
  }

  close(): void {
    this.db.close();
  }

  /** A consistent copy of the whole DB at `path` (SQLite's online backup). */
  async backupTo(path: string): Promise<void> {
    await this.db.backup(path);
  }

  /** Runs `fn` in one transaction (a savepoint when nested): all of it or nothing. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /**
   * Records with an affected entry for this OSV ecosystem (verbatim, e.g. "Alpine:v3.11",
   * "AlmaLinux:9") and package name (normalised as normalizePackageName does), newest copy
   * of each id, sorted by id. Withdrawn records are included: the caller skips them.
   */
  advisoriesFor(ecosystem: string, name: string): OsvRecord[] {
    const key = normalizePackageName(ecosystem, name);
    const out: OsvRecord[] = [];
    let last = '';
    for (const row of this.q.records.iterate(ecosystem, key)) {
      if (row.id === last) continue; // an older copy of the same record
      last = row.id;
      const r = JSON.parse(row.record) as OsvRecord;
      // the newest copy may come from a feed that no longer lists this package
      if (
        r.affected?.some(
          (a) => a.package?.ecosystem === ecosystem && normalizePackageName(ecosystem, a.package.name) === key,
        )
      )
        out.push(r);
    }
    return out;
  }

  /** Whether any advisory names this ecosystem: an empty one means its packages go unchecked. */
  hasEcosystem(ecosystem: string): boolean {
    let known = this.ecosystems.get(ecosystem);
    if (known === undefined) this.ecosystems.set(ecosystem, (known = this.q.ecosystem.get(ecosystem) !== undefined));
    return known;
  }

  /** The newest copy of a record, withdrawn or not. */
  byId(id: string): OsvRecord | undefined {
    const row = this.q.newest.get(id);
    return row ? (JSON.parse(row.record) as OsvRecord) : undefined;
  }

  /** Ids of records that list `alias` in `aliases` or `upstream`. */
  idsForAlias(alias: string): string[] {
    return this.q.aliases.all(alias).map((r) => r.id);
  }

  /** The newest copy of `id` and of every record naming it in `aliases` or `upstream`, by id. */
  recordsNaming(id: string): OsvRecord[] {
    const out: OsvRecord[] = [];
    for (const i of new Set([id, ...this.idsForAlias(id)])) {
      const r = this.byId(i);
      if (r) out.push(r);
    }
    return out;
  }

  feeds(): FeedInfo[] {
    return this.db.prepare<[], FeedRow>('SELECT * FROM feeds ORDER BY name').all().map(feedInfo);
  }

  feed(name: string): FeedInfo | undefined {
    const row = this.db.prepare<[string], FeedRow>('SELECT * FROM feeds WHERE name = ?').get(name);
    return row ? feedInfo(row) : undefined;
  }

  /** Sets a feed's import time (tests, and callers that import with an injected clock). */
  setImportedAt(feed: string, importedAt: string): void {
    this.db.prepare('UPDATE feeds SET imported_at = ? WHERE name = ?').run(importedAt, feed);
  }

  /**
   * Replaces everything `meta.name` holds with the records `fill` puts, in one transaction:
   * when `fill` throws, the feed keeps its previous records. Within one feed the newest
   * `modified` copy of an id wins.
   */
  replaceFeed(meta: FeedMeta, fill: (put: (r: OsvRecord) => void) => void): FeedCounts {
    const feed = meta.name;
    const existing = this.db.prepare<[string, string], { modified_ms: number; record: string }>(
      'SELECT modified_ms, record FROM advisories WHERE id = ? AND feed = ?',
    );
    const insert = this.db.prepare(
      'INSERT OR REPLACE INTO advisories (id, feed, modified_ms, withdrawn, record) VALUES (?, ?, ?, ?, ?)',
    );
    const pkg = this.db.prepare('INSERT OR IGNORE INTO packages (ecosystem, name, id, feed) VALUES (?, ?, ?, ?)');
    const alias = this.db.prepare('INSERT OR IGNORE INTO aliases (alias, id, feed, kind) VALUES (?, ?, ?, ?)');
    const unindex = [
      this.db.prepare('DELETE FROM packages WHERE feed = ? AND id = ?'),
      this.db.prepare('DELETE FROM aliases WHERE feed = ? AND id = ?'),
    ];
    return this.transaction(() => {
      for (const t of ['packages', 'aliases', 'advisories'])
        this.db.prepare(`DELETE FROM ${t} WHERE feed = ?`).run(feed);
      const counts: FeedCounts = { records: 0, affected: 0 };
      fill((r) => {
        const modified = Date.parse(r.modified);
        const old = existing.get(r.id, feed);
        if (old && old.modified_ms >= modified) return;
        if (old) {
          for (const s of unindex) s.run(feed, r.id);
          counts.affected -= (JSON.parse(old.record) as OsvRecord).affected?.length ?? 0;
        } else counts.records++;
        insert.run(r.id, feed, modified, r.withdrawn ?? null, JSON.stringify(r));
        counts.affected += r.affected?.length ?? 0;
        for (const a of r.affected ?? [])
          if (a.package)
            pkg.run(a.package.ecosystem, normalizePackageName(a.package.ecosystem, a.package.name), r.id, feed);
        for (const x of r.aliases ?? []) alias.run(x, r.id, feed, 'alias');
        for (const x of r.upstream ?? []) alias.run(x, r.id, feed, 'upstream');
      });
      this.db
        .prepare(
          'INSERT OR REPLACE INTO feeds (name, source, etag, last_modified, sha256, records, affected, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          feed,
          meta.source,
          meta.etag ?? null,
          meta.lastModified ?? null,
          meta.sha256,
          counts.records,
          counts.affected,
          meta.importedAt ?? new Date().toISOString(),
        );
      return counts;
    });
  }
}

/**
 * Schema 1 -> 2: re-keys the package index by today's name rules, once, whoever opens the
 * DB first (a readonly open too: the index is derived data, the records stay as they are).
 */
function rekeyNames(path: string): void {
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: true });
  } catch (e) {
    throw new BulwarkError(
      'IO',
      path,
      `vulnerability database of schema 1 needs re-indexing, which needs write access (${messageOf(e)}): run \`bulwark db update\``,
      { cause: e },
    );
  }
  try {
    db.transaction(() => {
      if (db.pragma('user_version', { simple: true }) !== 1) return; // another process did it
      const rows = db
        .prepare<[], { ecosystem: string; name: string }>('SELECT DISTINCT ecosystem, name FROM packages')
        .all();
      const rename = db.prepare('UPDATE OR IGNORE packages SET name = ? WHERE ecosystem = ? AND name = ?');
      const drop = db.prepare('DELETE FROM packages WHERE ecosystem = ? AND name = ?');
      for (const r of rows) {
        const key = normalizePackageName(r.ecosystem, r.name);
        if (key === r.name) continue;
        rename.run(key, r.ecosystem, r.name);
        drop.run(r.ecosystem, r.name); // rows whose re-keyed twin already existed
      }
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
  } finally {
    db.close();
  }
}

function feedInfo(r: FeedRow): FeedInfo {
  return {
    name: r.name,
    source: r.source,
    etag: r.etag,
    lastModified: r.last_modified,
    sha256: r.sha256,
    records: r.records,
    affected: r.affected,
    importedAt: r.imported_at,
  };
}
