import { BulwarkError } from '../../core/errors.js';
import { exeFormat, exeProblem, readAddr, readExe, type Exe, type Region } from './exe.js';
import { parseModinfo, type ModInfo } from './modinfo.js';

// The Go linker writes a 32-byte header, "\xff Go buildinf:" + pointer size + flags, at the
// start of the data (its own section, .go.buildinfo, on ELF). Go 1.18+ (flag 2) follows it
// with the toolchain version and module info as uvarint-length-prefixed strings; older
// toolchains store two pointers to Go string headers (address, length) instead.

export interface GoBuildInfo extends ModInfo {
  /** As the toolchain names itself: "go1.20.7", "go1.21rc2", "devel go1.22-…"; empty when unknown. */
  goVersion: string;
  /** The header had been removed: the module info was found by its sentinels alone. */
  headerless?: boolean;
}

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
// cmd/go frames the module info with these 16 bytes
const INFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
const INFO_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');
const ALIGN = 16;
const MAX_STRING = 64 << 20;

function candidates(exe: Exe): Region[] {
  const own = exe.sections.find((s) => s.name === '.go.buildinfo' || s.name === '__go_buildinfo');
  if (own) return [own];
  // No section of its own: the linker puts the blob at the start of the writable data.
  return (exe.format === 'elf' ? exe.segments : exe.format === 'pe' ? exe.sections : exe.segments).filter(
    (r) => r.writable && r.size > 0,
  );
}

/**
 * Where the magic occurs in the candidate regions, by file offset modulo ALIGN. Regions may
 * overlap (a file can map its bytes in 65,535 segments): their union is searched once.
 */
function magicOffsets(b: Buffer, regions: Region[]): number[][] {
  const byResidue = Array.from({ length: ALIGN }, (): number[] => []);
  const spans = regions.map((r): [number, number] => [r.offset, r.offset + r.size]).sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of spans) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  for (const [start, end] of merged) {
    const part = b.subarray(start, end);
    for (let i = part.indexOf(MAGIC); i >= 0; i = part.indexOf(MAGIC, i + 1))
      byResidue[(start + i) % ALIGN]!.push(start + i);
  }
  return byResidue;
}

/** The first value of an ascending list that is at least `min`. */
function firstFrom(list: number[], min: number): number | undefined {
  let [lo, hi] = [0, list.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < min) lo = mid + 1;
    else hi = mid;
  }
  return list[lo];
}

function findBlob(b: Buffer, exe: Exe): number | undefined {
  const regions = candidates(exe);
  if (regions.length === 0) return undefined;
  const found = magicOffsets(b, regions);
  for (const r of regions) {
    // aligned in memory: the file offset is congruent to the region's offset minus its address
    const at = firstFrom(found[(((r.offset - r.addr) % ALIGN) + ALIGN) % ALIGN]!, r.offset);
    if (at !== undefined && at + 32 <= r.offset + r.size) return at;
  }
  return undefined;
}

function uvarint(b: Buffer, at: number, input: string): [number, number] {
  let v = 0;
  for (let i = 0; i < 10 && at + i < b.length; i++) {
    const c = b[at + i]!;
    v += (c & 0x7f) * 2 ** (7 * i);
    if (c < 0x80) return [v, at + i + 1];
  }
  throw new BulwarkError('CORRUPT', input, 'Go build info: bad length prefix');
}

function inlineString(b: Buffer, at: number, input: string): [Buffer, number] {
  const [n, start] = uvarint(b, at, input);
  if (n > MAX_STRING || start + n > b.length)
    throw new BulwarkError('CORRUPT', input, `Go build info: string of ${n} bytes runs past the end of the file`);
  return [b.subarray(start, start + n), start + n];
}

function pointerString(b: Buffer, exe: Exe, addr: number, ptr: { size: number; be: boolean }, input: string): Buffer {
  const read = (buf: Buffer, off: number): number =>
    ptr.size === 4
      ? ptr.be
        ? buf.readUInt32BE(off)
        : buf.readUInt32LE(off)
      : Number(ptr.be ? buf.readBigUInt64BE(off) : buf.readBigUInt64LE(off));
  const hdr = readAddr(b, exe, addr, 2 * ptr.size);
  if (!hdr || hdr.length < 2 * ptr.size)
    throw new BulwarkError(
      'CORRUPT',
      input,
      `Go build info: string header address 0x${addr.toString(16)} is not in the file`,
    );
  const [data, len] = [read(hdr, 0), read(hdr, ptr.size)];
  if (len > MAX_STRING) throw new BulwarkError('CORRUPT', input, `Go build info: string of ${len} bytes`);
  const s = len === 0 ? Buffer.alloc(0) : readAddr(b, exe, data, len);
  if (!s || s.length < len)
    throw new BulwarkError('CORRUPT', input, `Go build info: string data at 0x${data.toString(16)} is not in the file`);
  return s;
}

// 16 sentinel bytes each side, the text ending in a newline
function stripFraming(raw: Buffer): string {
  return raw.length >= 33 && raw[raw.length - 17] === 0x0a ? raw.toString('utf8', 16, raw.length - 16) : '';
}

function decodeBlob(b: Buffer, exe: Exe, at: number, input: string): GoBuildInfo {
  const ptrSize = b[at + 14]!;
  const flags = b[at + 15]!;
  if (ptrSize !== 4 && ptrSize !== 8)
    throw new BulwarkError('CORRUPT', input, `Go build info: pointer size ${ptrSize}`);
  let vers: Buffer;
  let mod: Buffer;
  if (flags & 2) {
    let next: number;
    [vers, next] = inlineString(b, at + 32, input);
    [mod] = inlineString(b, next, input);
  } else {
    const be = (flags & 1) === 1;
    const ptr = (k: number): number => {
      const off = at + 16 + k * ptrSize;
      return ptrSize === 4
        ? be
          ? b.readUInt32BE(off)
          : b.readUInt32LE(off)
        : Number(be ? b.readBigUInt64BE(off) : b.readBigUInt64LE(off));
    };
    vers = pointerString(b, exe, ptr(0), { size: ptrSize, be }, input);
    mod = pointerString(b, exe, ptr(1), { size: ptrSize, be }, input);
  }
  if (vers.length === 0) throw new BulwarkError('CORRUPT', input, 'Go build info without a toolchain version');
  return { goVersion: vers.toString('utf8'), ...parseModinfo(stripFraming(mod), input) };
}

// Some projects delete the header (esbuild, to quiet scanners); cmd/go's module info, framed by
// its sentinels, and the runtime's version string are still there.
function looksLikeGo(exe: Exe): boolean {
  if (exe.format === 'pe') return true;
  if (exe.format === 'elf' && exe.sections.length === 0) return true;
  return exe.sections.some((s) => s.name === '.gopclntab' || s.name === '__gopclntab' || s.name === '.note.go.buildid');
}

const PATH_LINE = Buffer.from('path\t');
const MOD_LINE = Buffer.from('mod\t');
const bytesAt = (b: Buffer, at: number, want: Buffer): boolean =>
  at + want.length <= b.length && want.compare(b, at, at + want.length) === 0;

function headerless(b: Buffer, exe: Exe, input: string): GoBuildInfo | null {
  if (!looksLikeGo(exe)) return null;
  // The end sentinel after a candidate is the end after every candidate up to it: each is
  // searched for once, not once per start sentinel (a file of start sentinels was quadratic).
  let end = -1;
  for (let i = b.indexOf(INFO_START); i >= 0; i = b.indexOf(INFO_START, i + 1)) {
    const start = i + INFO_START.length;
    if (!bytesAt(b, start, PATH_LINE) && !bytesAt(b, start, MOD_LINE)) continue;
    if (end < start) end = b.indexOf(INFO_END, start);
    if (end < 0) return null; // none after this start, so none after any later one
    if (end - start > MAX_STRING || b[end - 1] !== 0x0a) continue;
    return {
      goVersion: runtimeVersion(b) ?? '',
      headerless: true,
      ...parseModinfo(b.toString('utf8', start, end), input),
    };
  }
  return null;
}

const GO1 = Buffer.from('go1.');
const BETA = Buffer.from('beta');
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
// [A-Za-z0-9_./-]: a version glued to one of these is part of a longer word
const isWordByte = (c: number): boolean =>
  isDigit(c) ||
  (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x61 && c <= 0x7a) ||
  c === 0x5f ||
  c === 0x2e ||
  c === 0x2f ||
  c === 0x2d;

/** Length of "go1.N[.M][rcK|betaK]" at `i` (N, M of 1–3 digits, K of 1–2), or 0: byte tests, no string per candidate. */
function versionLength(b: Buffer, i: number): number {
  let p = i + GO1.length;
  const minor = digits(b, p, 3);
  if (minor === 0) return 0;
  p += minor;
  if (b[p] === 0x2e && digits(b, p + 1, 3) > 0) p += 1 + digits(b, p + 1, 3);
  const tag = b[p] === 0x72 && b[p + 1] === 0x63 ? 2 : bytesAt(b, p, BETA) ? 4 : 0; // "rc", "beta"
  if (tag > 0 && digits(b, p + tag, 2) > 0) p += tag + digits(b, p + tag, 2);
  return p - i;
}

/** How many ASCII digits (at most `max`) start at `at`. */
function digits(b: Buffer, at: number, max: number): number {
  let n = 0;
  while (n < max && isDigit(b[at + n])) n++;
  return n;
}

/** runtime.buildVersion's text: the one "go1.N[.M]" standing alone (NUL-bounded first, else between non-word bytes). */
export function runtimeVersion(b: Buffer): string | undefined {
  const strict = new Set<string>();
  const loose = new Set<string>();
  for (let i = b.indexOf(GO1); i >= 0; i = b.indexOf(GO1, i + GO1.length)) {
    const prev = i > 0 ? b[i - 1]! : 0;
    if (isWordByte(prev)) continue;
    const len = versionLength(b, i);
    if (len === 0) continue;
    const next = b[i + len] ?? 0;
    if (isDigit(next) || next === 0x2e) continue;
    (prev === 0 && next === 0 ? strict : loose).add(b.toString('latin1', i, i + len));
    if (strict.size > 1 || loose.size > 8) break;
  }
  const pick = strict.size > 0 ? strict : loose;
  return pick.size === 1 ? [...pick][0] : undefined;
}

/**
 * The build info of a Go executable; null for anything else. Throws BulwarkError CORRUPT only
 * for Go build info that is present but malformed. `input` names the file.
 */
export function readGoBuildInfo(b: Buffer, input = 'executable'): GoBuildInfo | null {
  if (!exeFormat(b)) return null;
  let exe: Exe;
  try {
    exe = readExe(b, input);
  } catch (e) {
    if (b.includes(MAGIC))
      throw new BulwarkError('CORRUPT', input, `Go executable with malformed headers: ${exeProblem(e)}`, { cause: e });
    return null;
  }
  const at = findBlob(b, exe);
  return at === undefined ? headerless(b, exe, input) : decodeBlob(b, exe, at, input);
}
