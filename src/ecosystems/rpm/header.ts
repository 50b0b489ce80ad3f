// Parses one RPM header blob as rpmdb stores it: no lead, no 8-byte header magic.
// Layout: index count and data length (u32 BE each), 16-byte index entries
// {tag, type, offset, count}, then the data store. The blob is untrusted: every
// offset and count is checked against the data store before it is read.
import { BulwarkError } from '../../core/errors.js';

export const TAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  MODULARITYLABEL: 5096,
} as const;

const TYPE = { INT32: 4, STRING: 6, STRING_ARRAY: 8, I18NSTRING: 9 } as const;

const INDEX_ENTRY_SIZE = 16;
// rpm's own sanity limits for a header (hdrchkTags / HEADER_DATA_MAX).
const MAX_TAGS = 0xffff;
const MAX_DATA = 256 * 1024 * 1024;
// File paths are a dirname and a basename each: one long dirname shared by many basenames
// expands to count × length. rpm's own headers hold far fewer path bytes than header bytes
// (a few percent: per-file digests, modes, owners take the room), so paths of more than four
// times the header are a crafted header, refused before they are built.
const MAX_PATHS_PER_HEADER_BYTE = 4;

/** One installed package as the catalogue keeps it. */
export interface RpmRecord {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  arch?: string;
  sourceRpm?: string;
  license?: string;
  vendor?: string;
  modularityLabel?: string;
  /** Absolute paths the package owns. */
  files: string[];
}

/** Everything the catalogue keeps (RpmRecord) plus what only the header parser reports. */
export interface RpmHeader extends RpmRecord {
  summary?: string;
  size?: number;
}

interface Entry {
  type: number;
  offset: number;
  count: number;
}

class HeaderReader {
  private readonly entries = new Map<number, Entry>();
  private readonly data: Buffer;
  /** Bytes of the header: index and data store. */
  private readonly size: number;

  constructor(
    blob: Buffer,
    private readonly input: string,
    private readonly where: string,
  ) {
    if (blob.length < 8) this.fail(`${blob.length} bytes is too short for a header`);
    const il = blob.readUInt32BE(0);
    const dl = blob.readUInt32BE(4);
    if (il === 0 || il > MAX_TAGS) this.fail(`implausible index count ${il}`);
    if (dl > MAX_DATA) this.fail(`implausible data length ${dl}`);
    const dataStart = 8 + il * INDEX_ENTRY_SIZE;
    if (dataStart + dl > blob.length) {
      this.fail(`index and data need ${dataStart + dl} bytes, blob has ${blob.length}`);
    }
    this.data = blob.subarray(dataStart, dataStart + dl);
    this.size = dataStart + dl;
    for (let i = 0; i < il; i++) {
      const at = 8 + i * INDEX_ENTRY_SIZE;
      const tag = blob.readInt32BE(at);
      const entry = {
        type: blob.readUInt32BE(at + 4),
        offset: blob.readInt32BE(at + 8),
        count: blob.readUInt32BE(at + 12),
      };
      // Region tags (HEADERIMMUTABLE and friends) point at trailers we never read; the
      // range check below still applies to them.
      if (entry.offset < 0 || entry.offset > dl)
        this.fail(`tag ${tag}: offset ${entry.offset} outside data (${dl} bytes)`);
      if (!this.entries.has(tag)) this.entries.set(tag, entry);
    }
  }

  fail(reason: string, code: 'CORRUPT' | 'TOO_LARGE' = 'CORRUPT'): never {
    throw new BulwarkError(code, this.input, `${this.where}: ${reason}`);
  }

  /** NUL-terminated string at `offset` in the data store, and where the next one starts. */
  private cString(tag: number, offset: number): [string, number] {
    const end = this.data.indexOf(0, offset);
    if (end < 0) this.fail(`tag ${tag}: string runs past the data store`);
    return [this.data.toString('utf8', offset, end), end + 1];
  }

  string(tag: number): string | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    // An i18n string holds one string per locale; the first is the untranslated one.
    if (e.type !== TYPE.STRING && e.type !== TYPE.I18NSTRING) this.fail(`tag ${tag}: type ${e.type} is not a string`);
    if (e.count === 0) this.fail(`tag ${tag}: empty string entry`);
    return this.cString(tag, e.offset)[0];
  }

  /** A string array's entry, its type and count checked, its strings not read yet. */
  private stringArrayEntry(tag: number): Entry | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    if (e.type !== TYPE.STRING_ARRAY && e.type !== TYPE.I18NSTRING)
      this.fail(`tag ${tag}: type ${e.type} is not a string array`);
    // Every string takes at least its NUL byte, so a larger count cannot fit.
    if (e.count > this.data.length - e.offset) this.fail(`tag ${tag}: ${e.count} strings cannot fit`);
    return e;
  }

  stringArray(tag: number): string[] | undefined {
    const e = this.stringArrayEntry(tag);
    if (!e) return undefined;
    const out: string[] = [];
    let at = e.offset;
    for (let i = 0; i < e.count; i++) {
      const [s, next] = this.cString(tag, at);
      out.push(s);
      at = next;
    }
    return out;
  }

  int32Array(tag: number): number[] | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    if (e.type !== TYPE.INT32) this.fail(`tag ${tag}: type ${e.type} is not int32`);
    if (e.count > (this.data.length - e.offset) / 4)
      this.fail(`tag ${tag}: ${e.count} int32 values run past the data store`);
    const out: number[] = [];
    for (let i = 0; i < e.count; i++) out.push(this.data.readUInt32BE(e.offset + 4 * i));
    return out;
  }

  int32(tag: number): number | undefined {
    const values = this.int32Array(tag);
    if (values === undefined) return undefined;
    if (values.length === 0) this.fail(`tag ${tag}: no value`);
    return values[0];
  }

  required(tag: number, what: string): string {
    const s = this.string(tag);
    if (s === undefined || s === '') this.fail(`no ${what}`);
    return s;
  }

  files(): string[] {
    const base = this.stringArrayEntry(TAG.BASENAMES);
    if (base === undefined) return this.stringArray(TAG.OLDFILENAMES) ?? [];
    const dirindexes = this.int32Array(TAG.DIRINDEXES) ?? [];
    if (dirindexes.length !== base.count) this.fail(`${base.count} basenames but ${dirindexes.length} dir indexes`);
    const dirnames = this.stringArray(TAG.DIRNAMES) ?? [];
    const dirs = dirindexes.map((d, i) => {
      const dir = dirnames[d];
      if (dir === undefined) this.fail(`file ${i}: dir index ${d} outside ${dirnames.length} dirnames`);
      return dir;
    });
    // the directories alone may pass the bound: then no basename is read
    this.checkPathLength(dirs, []);
    const basenames = this.stringArray(TAG.BASENAMES)!;
    this.checkPathLength(dirs, basenames);
    return basenames.map((name, i) => dirs[i]! + name);
  }

  private checkPathLength(dirs: string[], basenames: string[]): void {
    let length = 0;
    for (let i = 0; i < dirs.length; i++) length += dirs[i]!.length + (basenames[i]?.length ?? 0);
    if (length > MAX_PATHS_PER_HEADER_BYTE * this.size) {
      this.fail(
        `${dirs.length} file paths would take ${length} characters, more than ${MAX_PATHS_PER_HEADER_BYTE} times the ${this.size}-byte header`,
        'TOO_LARGE',
      );
    }
  }
}

/**
 * Reads the package identity and file list from an rpmdb header blob.
 * `input` names the database file; `where` says which record, for the error message.
 */
export function parseRpmHeader(blob: Buffer, input: string, where = 'header'): RpmHeader {
  const h = new HeaderReader(blob, input, where);
  return {
    name: h.required(TAG.NAME, 'name'),
    version: h.required(TAG.VERSION, 'version'),
    release: h.required(TAG.RELEASE, 'release'),
    ...definedOnly({
      epoch: h.int32(TAG.EPOCH),
      arch: h.string(TAG.ARCH),
      sourceRpm: h.string(TAG.SOURCERPM),
      license: h.string(TAG.LICENSE),
      vendor: h.string(TAG.VENDOR),
      summary: h.string(TAG.SUMMARY),
      size: h.int32(TAG.SIZE),
      modularityLabel: h.string(TAG.MODULARITYLABEL),
    }),
    files: h.files(),
  };
}

/** Drops absent tags, so records compare and serialise without `undefined` keys. */
function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
