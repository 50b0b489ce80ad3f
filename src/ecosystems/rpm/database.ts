// Reads an rpm package database in any of its three on-disk formats.
import { posix } from 'node:path';
import { BulwarkError } from '../../core/errors.js';
import type { SourcePackage } from '../../core/types.js';
import { readBdbPackages } from './bdb.js';
import { parseRpmHeader, type RpmRecord } from './header.js';

export type { RpmRecord } from './header.js';
import { readNdbPackages } from './ndb.js';
import { isSqlite, readSqlitePackages } from './sqlite.js';

/** Where images keep the rpm database, relative to the root (no leading slash). */
export const RPM_DB_PATHS: readonly string[] = [
  'var/lib/rpm/Packages',
  'var/lib/rpm/Packages.db',
  'var/lib/rpm/rpmdb.sqlite',
  'usr/lib/sysimage/rpm/Packages',
  'usr/lib/sysimage/rpm/Packages.db',
  'usr/lib/sysimage/rpm/rpmdb.sqlite',
];

type Format = 'bdb' | 'ndb' | 'sqlite';

const BY_NAME: Record<string, Format> = { Packages: 'bdb', 'Packages.db': 'ndb', 'rpmdb.sqlite': 'sqlite' };

const READERS: Record<Format, (content: Buffer, input: string) => Buffer[]> = {
  bdb: readBdbPackages,
  ndb: readNdbPackages,
  sqlite: readSqlitePackages,
};

function sniff(content: Buffer): Format | undefined {
  if (isSqlite(content)) return 'sqlite';
  if (content.toString('latin1', 0, 4) === 'RpmP') return 'ndb';
  if (content.length >= 16) {
    const hashMagic = 0x061561;
    if (content.readUInt32LE(12) === hashMagic || content.readUInt32BE(12) === hashMagic) return 'bdb';
  }
  return undefined;
}

/**
 * The packages in an rpm database file, gpg-pubkey pseudo-packages left out.
 * The magic bytes decide the format when they are recognised; otherwise the file name
 * does, so a damaged file still gets its own reader's error.
 */
export function readRpmDatabase(path: string, content: Buffer): RpmRecord[] {
  const format = sniff(content) ?? BY_NAME[posix.basename(path)];
  if (format === undefined) throw new BulwarkError('CORRUPT', path, 'not an rpm database (unknown name and magic)');
  const records: RpmRecord[] = [];
  READERS[format](content, path).forEach((blob, i) => {
    const header = parseRpmHeader(blob, path, `package record ${i + 1}`);
    if (header.name === 'gpg-pubkey') return;
    // RpmRecord is the catalogue's view: summary and size stay with the header.
    delete header.summary;
    delete header.size;
    records.push(header);
  });
  return records;
}

/**
 * Source package name and version from a SOURCERPM value:
 * "openssl-3.0.7-24.el9.src.rpm" is openssl 3.0.7-24.el9 (the epoch is not in file names).
 */
export function parseSourceRpm(sourceRpm: string): SourcePackage | undefined {
  // String operations rather than a regular expression: the value is untrusted and may be long.
  const suffix = ['.src.rpm', '.nosrc.rpm'].find((s) => sourceRpm.endsWith(s));
  if (suffix === undefined) return undefined;
  const nvr = sourceRpm.slice(0, -suffix.length);
  const releaseDash = nvr.lastIndexOf('-');
  const versionDash = releaseDash > 0 ? nvr.lastIndexOf('-', releaseDash - 1) : -1;
  if (versionDash <= 0 || versionDash + 1 === releaseDash || releaseDash + 1 === nvr.length) return undefined;
  return { name: nvr.slice(0, versionDash), version: nvr.slice(versionDash + 1) };
}
