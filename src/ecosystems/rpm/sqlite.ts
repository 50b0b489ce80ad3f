// Reads rpm's SQLite package database (rpmdb.sqlite: Fedora >= 33, RHEL 9, rpm >= 4.16).
// The bytes are opened as an in-memory database (SQLite deserialisation): no temp file.
import Database from 'better-sqlite3';
import { BulwarkError, messageOf } from '../../core/errors.js';

const SQLITE_MAGIC = 'SQLite format 3\0';
const HEADER_SIZE = 100;

export function isSqlite(content: Buffer): boolean {
  return content.toString('latin1', 0, SQLITE_MAGIC.length) === SQLITE_MAGIC;
}

/** Refuses a file shorter than its own header says, which SQLite might partly read without complaint. */
function checkSize(content: Buffer, input: string): void {
  const rawPageSize = content.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  const pageCount = content.readUInt32BE(28);
  // The page count is only meaningful while "version-valid-for" equals the change counter.
  const countValid = content.readUInt32BE(92) === content.readUInt32BE(24);
  if (countValid && pageCount * pageSize > content.length) {
    throw new BulwarkError('TRUNCATED', input, `header says ${pageCount * pageSize} bytes, file has ${content.length}`);
  }
}

/** The header blobs of the Packages table, in hnum (install) order. */
export function readSqlitePackages(content: Buffer, input: string): Buffer[] {
  if (content.length < HEADER_SIZE)
    throw new BulwarkError('TRUNCATED', input, `${content.length} bytes is too short for SQLite`);
  if (!isSqlite(content)) throw new BulwarkError('CORRUPT', input, 'no SQLite magic');
  checkSize(content, input);
  // rpm keeps the database in WAL mode, which an in-memory image cannot open; the
  // file alone is what the image holds, so read it in rollback-journal mode.
  const image = Buffer.from(content);
  image[18] = 1;
  image[19] = 1;
  let db: Database.Database | undefined;
  try {
    db = new Database(image, { readonly: true });
    db.pragma('trusted_schema = OFF');
    const kind = db.prepare("SELECT type FROM sqlite_master WHERE name = 'Packages'").pluck().get();
    if (kind !== 'table') throw new BulwarkError('CORRUPT', input, 'no Packages table');
    const rows = db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').raw().all() as unknown[][];
    return rows.map(([hnum, blob]) => {
      if (!Buffer.isBuffer(blob))
        throw new BulwarkError('CORRUPT', input, `package ${String(hnum)}: blob is not binary`);
      return blob;
    });
  } catch (e) {
    if (e instanceof BulwarkError) throw e;
    throw new BulwarkError('CORRUPT', input, `SQLite: ${messageOf(e)}`, { cause: e });
  } finally {
    db?.close();
  }
}
