import { statSync } from 'node:fs';
import { Command } from 'commander';
import { importPath } from '../vulndb/import.js';
import { ageWarning, defaultDbPath, formatAge, parseMaxAge } from '../vulndb/location.js';
import { VulnStore, type FeedInfo } from '../vulndb/store.js';
import { DEFAULT_MIRROR, DEFAULT_SEVERITY_SOURCES, updateDb, type FeedUpdate } from '../vulndb/update.js';
import { downloadProgress } from './db-progress.js';

// `bulwark db update|import|status`: results on stdout, progress and warnings on stderr.

interface DbFlags {
  db?: string;
}
interface UpdateFlags extends DbFlags {
  mirror: string;
  ecosystems?: string;
  severitySource: string;
  offline?: boolean;
  quiet?: boolean;
}
interface StatusFlags extends DbFlags {
  dbMaxAge: string;
}

const DB_HELP = 'database file (default: $BULWARK_DB or <cache>/db/bulwark.db)';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function updateRow(f: FeedUpdate): string[] {
  const counts = f.records !== undefined ? `${f.records} records, ${f.affected ?? 0} affected` : '';
  return [
    f.feed,
    f.status === 'skipped-offline' ? 'skipped (offline)' : f.status,
    counts,
    f.bytes !== undefined ? mb(f.bytes) : '',
  ];
}

function statusRows(feeds: FeedInfo[], now: Date): string[][] {
  return [
    ['FEED', 'RECORDS', 'AFFECTED', 'AGE', 'SOURCE'],
    ...feeds.map((f) => [
      f.name,
      String(f.records),
      String(f.affected),
      formatAge(now.getTime() - Date.parse(f.importedAt)),
      f.source,
    ]),
  ];
}

export function dbCommand(): Command {
  const db = new Command('db').description('manage the local vulnerability database (OSV feeds, Alpine secdb)');
  db.command('update')
    .description('download the OSV feeds (one all.zip per ecosystem) into the local database')
    .option(
      '--mirror <url>',
      'base URL of the OSV bucket or a mirror in its layout: http://, https:// or file://',
      DEFAULT_MIRROR,
    )
    .option(
      '--ecosystems <list>',
      'comma-separated OSV ecosystems (default: those in the DB, or all supported when it is new)',
    )
    .option(
      '--severity-source <list>',
      "bucket folders read only to rate vulnerabilities their own feed leaves unrated (GIT: OSV's NVD-converted CVE records with NVD's CVSS vectors); none to skip",
      DEFAULT_SEVERITY_SOURCES.join(','),
    )
    .option('--db <path>', DB_HELP)
    .option('--offline', 'never use the network: only a file:// mirror is read')
    .option('-q, --quiet', 'no progress display')
    .addHelpText(
      'after',
      '\nExamples:\n  bulwark db update\n  bulwark db update --ecosystems PyPI,Go,AlmaLinux\n  bulwark db update --mirror file:///srv/osv-mirror --db ./bulwark.db',
    )
    .action(async (f: UpdateFlags) => {
      const ecosystems = f.ecosystems
        ?.split(',')
        .map((e) => e.trim())
        .filter(Boolean);
      const r = await updateDb({
        dbPath: f.db ?? defaultDbPath(),
        mirror: f.mirror,
        ...(ecosystems ? { ecosystems } : {}),
        severitySources:
          f.severitySource === 'none'
            ? []
            : f.severitySource
                .split(',')
                .map((e) => e.trim())
                .filter(Boolean),
        offline: f.offline ?? false,
        ...(f.quiet ? {} : { progress: downloadProgress(true) }),
      });
      if (r.feeds.some((x) => x.status === 'skipped-offline'))
        process.stderr.write(`bulwark: offline: nothing downloaded from ${f.mirror}; ${r.dbPath} unchanged\n`);
      for (const x of r.feeds.filter((y) => y.status === 'absent'))
        process.stderr.write(
          `bulwark: warning: severity source ${x.source} not found: findings their own feed leaves unrated stay UNKNOWN\n`,
        );
      process.stdout.write(table(r.feeds.map(updateRow)));
      process.stdout.write(`database: ${r.dbPath} (${r.written ? 'updated' : 'unchanged'})\n`);
    });
  db.command('import')
    .description('import an OSV all.zip, an OSV .json record, an Alpine secdb .yaml, or a directory of them')
    .argument('<path>', 'file or directory')
    .option('--db <path>', DB_HELP)
    .addHelpText(
      'after',
      '\nExamples:\n  bulwark db import ./osv/PyPI/all.zip\n  bulwark db import ./alpine-secdb --db ./bulwark.db',
    )
    .action((path: string, f: DbFlags) => {
      const store = VulnStore.open(f.db ?? defaultDbPath());
      try {
        const r = importPath(store, path);
        for (const s of r.skipped) process.stderr.write(`bulwark: warning: skipped ${s}\n`);
        process.stdout.write(
          table(r.feeds.map((x) => [x.name, `${x.records} records`, `${x.affected} affected`, x.source])),
        );
        process.stdout.write(
          `imported ${r.records} records, ${r.affected} affected entries, ${r.feeds.length} feeds into ${store.path}\n`,
        );
      } finally {
        store.close();
      }
    });
  db.command('status')
    .description('list the feeds in the database, their record counts, sources and ages')
    .option('--db <path>', DB_HELP)
    .option('--db-max-age <age>', 'warn when the database is older than this (e.g. 7d, 12h)', '7d')
    .addHelpText('after', '\nExamples:\n  bulwark db status\n  bulwark db status --db ./bulwark.db --db-max-age 12h')
    .action((f: StatusFlags) => {
      const maxAge = parseMaxAge(f.dbMaxAge);
      const path = f.db ?? defaultDbPath();
      const store = VulnStore.open(path, { readonly: true });
      try {
        const now = new Date();
        const feeds = store.feeds();
        process.stdout.write(
          `database: ${path} (${mb(statSync(path).size)}, ${feeds.reduce((n, x) => n + x.records, 0)} records)\n`,
        );
        process.stdout.write(table(statusRows(feeds, now)));
        const w = ageWarning(path, feeds, maxAge, now);
        if (w) process.stderr.write(`bulwark: warning: ${w}\n`);
      } finally {
        store.close();
      }
    });
  return db;
}
