import { exeFormat, readAddr, readExe, regionBytes, type Exe, type Region } from './exe.js';
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
  return (exe.format === 'elf' ? exe.segments : exe.format === 'pe' ? exe.sections : exe.segments).filter((r) => r.writable && r.size > 0);
}

function findBlob(b: Buffer, exe: Exe): number | undefined {
  for (const r of candidates(exe)) {
    const data = regionBytes(b, r);
    for (let i = data.indexOf(MAGIC); i >= 0; i = data.indexOf(MAGIC, i + 1)) {
      if ((r.addr + i) % ALIGN === 0 && data.length - i >= 32) return r.offset + i;
    }
  }
  return undefined;
}

function uvarint(b: Buffer, at: number): [number, number] {
  let v = 0;
  for (let i = 0; i < 10 && at + i < b.length; i++) {
    const c = b[at + i]!;
    v += (c & 0x7f) * 2 ** (7 * i);
    if (c < 0x80) return [v, at + i + 1];
  }
  throw new Error('Go build info: bad length prefix');
}

function inlineString(b: Buffer, at: number): [Buffer, number] {
  const [n, start] = uvarint(b, at);
  if (n > MAX_STRING || start + n > b.length) throw new Error(`Go build info: string of ${n} bytes runs past the end of the file`);
  return [b.subarray(start, start + n), start + n];
}

function pointerString(b: Buffer, exe: Exe, addr: number, ptrSize: number, be: boolean): Buffer {
  const read = (buf: Buffer, off: number): number =>
    ptrSize === 4 ? (be ? buf.readUInt32BE(off) : buf.readUInt32LE(off)) : Number(be ? buf.readBigUInt64BE(off) : buf.readBigUInt64LE(off));
  const hdr = readAddr(b, exe, addr, 2 * ptrSize);
  if (!hdr || hdr.length < 2 * ptrSize) throw new Error(`Go build info: string header address 0x${addr.toString(16)} is not in the file`);
  const [data, len] = [read(hdr, 0), read(hdr, ptrSize)];
  if (len > MAX_STRING) throw new Error(`Go build info: string of ${len} bytes`);
  const s = len === 0 ? Buffer.alloc(0) : readAddr(b, exe, data, len);
  if (!s || s.length < len) throw new Error(`Go build info: string data at 0x${data.toString(16)} is not in the file`);
  return s;
}

// 16 sentinel bytes each side, the text ending in a newline
function stripFraming(raw: Buffer): string {
  return raw.length >= 33 && raw[raw.length - 17] === 0x0a ? raw.toString('utf8', 16, raw.length - 16) : '';
}

function decodeBlob(b: Buffer, exe: Exe, at: number): GoBuildInfo {
  const ptrSize = b[at + 14]!;
  const flags = b[at + 15]!;
  if (ptrSize !== 4 && ptrSize !== 8) throw new Error(`Go build info: pointer size ${ptrSize}`);
  let vers: Buffer;
  let mod: Buffer;
  if (flags & 2) {
    let next: number;
    [vers, next] = inlineString(b, at + 32);
    [mod] = inlineString(b, next);
  } else {
    const be = (flags & 1) === 1;
    const ptr = (k: number): number => {
      const off = at + 16 + k * ptrSize;
      return ptrSize === 4 ? (be ? b.readUInt32BE(off) : b.readUInt32LE(off)) : Number(be ? b.readBigUInt64BE(off) : b.readBigUInt64LE(off));
    };
    vers = pointerString(b, exe, ptr(0), ptrSize, be);
    mod = pointerString(b, exe, ptr(1), ptrSize, be);
  }
  if (vers.length === 0) throw new Error('Go build info without a toolchain version');
  return { goVersion: vers.toString('utf8'), ...parseModinfo(stripFraming(mod)) };
}

// Some projects delete the header (esbuild, to quiet scanners); cmd/go's module info, framed by
// its sentinels, and the runtime's version string are still there.
function looksLikeGo(exe: Exe): boolean {
  if (exe.format === 'pe') return true;
  if (exe.format === 'elf' && exe.sections.length === 0) return true;
  return exe.sections.some((s) => s.name === '.gopclntab' || s.name === '__gopclntab' || s.name === '.note.go.buildid');
}

function headerless(b: Buffer, exe: Exe): GoBuildInfo | null {
  if (!looksLikeGo(exe)) return null;
  for (let i = b.indexOf(INFO_START); i >= 0; i = b.indexOf(INFO_START, i + 1)) {
    const start = i + INFO_START.length;
    const head = b.toString('latin1', start, start + 5);
    if (!head.startsWith('path\t') && !head.startsWith('mod\t')) continue;
    const end = b.indexOf(INFO_END, start);
    if (end < 0 || end - start > MAX_STRING || b[end - 1] !== 0x0a) continue;
    return { goVersion: runtimeVersion(b) ?? '', headerless: true, ...parseModinfo(b.toString('utf8', start, end)) };
  }
  return null;
}

const WORD = /[A-Za-z0-9_./-]/;
const VERSION = /^go1\.\d{1,3}(?:\.\d{1,3})?(?:(?:rc|beta)\d{1,2})?/;

/** runtime.buildVersion's text: the one "go1.N[.M]" standing alone (NUL-bounded first, else between non-word bytes). */
export function runtimeVersion(b: Buffer): string | undefined {
  const strict = new Set<string>();
  const loose = new Set<string>();
  for (let i = b.indexOf('go1.'); i >= 0; i = b.indexOf('go1.', i + 4)) {
    const prev = i > 0 ? b[i - 1]! : 0;
    if (WORD.test(String.fromCharCode(prev))) continue;
    const m = VERSION.exec(b.toString('latin1', i, i + 24));
    if (!m) continue;
    const next = b[i + m[0].length] ?? 0;
    if ((next >= 0x30 && next <= 0x39) || next === 0x2e) continue;
    (prev === 0 && next === 0 ? strict : loose).add(m[0]);
    if (strict.size > 1 || loose.size > 8) break;
  }
  const pick = strict.size > 0 ? strict : loose;
  return pick.size === 1 ? [...pick][0] : undefined;
}

/** The build info of a Go executable; null for anything else. Throws only for Go build info that is present but malformed. */
export function readGoBuildInfo(b: Buffer): GoBuildInfo | null {
  if (!exeFormat(b)) return null;
  let exe: Exe;
  try {
    exe = readExe(b);
  } catch (e) {
    if (b.includes(MAGIC)) throw new Error(`Go executable with malformed headers: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
  const at = findBlob(b, exe);
  return at === undefined ? headerless(b, exe) : decodeBlob(b, exe, at);
}
