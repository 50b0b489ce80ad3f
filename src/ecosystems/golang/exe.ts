// Just enough of ELF, PE and Mach-O to find named sections and map virtual addresses
// to file offsets: what Go build info and cargo-auditable data need. Nothing is loaded
// or executed; every offset read from the file is checked against its length, and the work
// stays proportional to the file however its counts and offsets are set.
import { BulwarkError, messageOf } from '../../core/errors.js';

export type ExeFormat = 'elf' | 'pe' | 'macho';

/** A file-backed range of the executable: a section, or a loadable segment. */
export interface Region {
  name: string;
  /** Mach-O: the segment a section belongs to. */
  segment?: string;
  addr: number;
  offset: number;
  /** Bytes present in the file (0 for .bss-like ranges). */
  size: number;
  writable: boolean;
}

export interface Exe {
  format: ExeFormat;
  bits: 32 | 64;
  littleEndian: boolean;
  sections: Region[];
  segments: Region[];
}

/** The container format from the first bytes, or undefined: the cheap test before any parsing. */
export function exeFormat(b: Buffer): ExeFormat | undefined {
  if (b.length < 64) return undefined;
  if (b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46) return 'elf';
  if (b[0] === 0x4d && b[1] === 0x5a) return 'pe';
  const m = b.readUInt32BE(0);
  if (m === 0xfeedface || m === 0xfeedfacf || m === 0xcefaedfe || m === 0xcffaedfe) return 'macho';
  return undefined;
}

/** Bytes a name is read to at most: section names are short, and a name without its NUL must not scan the file. */
const MAX_NAME = 256;

class Reader {
  constructor(
    readonly b: Buffer,
    readonly le: boolean,
    readonly input: string,
  ) {}
  fail(reason: string): never {
    throw new BulwarkError('CORRUPT', this.input, reason);
  }
  check(off: number, n: number): void {
    if (!Number.isSafeInteger(off) || off < 0 || n < 0 || off + n > this.b.length)
      this.fail(`header field at offset ${off} lies outside the file`);
  }
  u16(off: number): number {
    this.check(off, 2);
    return this.le ? this.b.readUInt16LE(off) : this.b.readUInt16BE(off);
  }
  u32(off: number): number {
    this.check(off, 4);
    return this.le ? this.b.readUInt32LE(off) : this.b.readUInt32BE(off);
  }
  u64(off: number): number {
    this.check(off, 8);
    const v = this.le ? this.b.readBigUInt64LE(off) : this.b.readBigUInt64BE(off);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`value ${v} at offset ${off} is out of range`);
    return Number(v);
  }
  word(off: number, bits: 32 | 64): number {
    return bits === 64 ? this.u64(off) : this.u32(off);
  }
  /** A NUL-terminated string of at most `max` bytes: the search for the NUL stops there too. */
  cstr(off: number, max: number): string {
    this.check(off, 0);
    const bytes = this.b.subarray(off, Math.min(this.b.length, off + max));
    const z = bytes.indexOf(0);
    return bytes.toString('latin1', 0, z < 0 ? bytes.length : z);
  }
}

// A truncated file keeps what it still holds: ranges are clipped to the file, as a reader would find them.
function inFile(r: Reader, offset: number, size: number): number {
  return offset >= r.b.length ? 0 : Math.max(0, Math.min(size, r.b.length - offset));
}

function readElf(b: Buffer, input: string): Exe {
  const bits = b[4] === 1 ? 32 : b[4] === 2 ? 64 : undefined;
  const r: Reader = new Reader(b, b[5] === 1, input); // typed: r.fail() narrows only then
  if (!bits || (b[5] !== 1 && b[5] !== 2)) r.fail('ELF header: unknown class or byte order');
  const w = bits === 64 ? 8 : 4;
  const phoff = r.word(bits === 64 ? 0x20 : 0x1c, bits);
  const shoff = r.word(bits === 64 ? 0x28 : 0x20, bits);
  const base = bits === 64 ? 0x36 : 0x2a;
  const [phentsize, phnum, shentsize] = [r.u16(base), r.u16(base + 2), r.u16(base + 4)];
  let [shnum, shstrndx] = [r.u16(base + 6), r.u16(base + 8)];
  if (phnum > 0 && phentsize < (bits === 64 ? 56 : 32))
    r.fail(`ELF header: program header size ${phentsize} is too small`);
  const segments: Region[] = [];
  for (let i = 0; i < phnum && phoff > 0; i++) {
    const p = phoff + i * phentsize;
    if (r.u32(p) !== 1) continue; // PT_LOAD
    const flags = bits === 64 ? r.u32(p + 4) : r.u32(p + 24);
    const offset = r.word(p + (bits === 64 ? 8 : 4), bits);
    const addr = r.word(p + (bits === 64 ? 16 : 8), bits);
    const size = r.word(p + (bits === 64 ? 32 : 16), bits);
    segments.push({ name: `LOAD${i}`, addr, offset, size: inFile(r, offset, size), writable: (flags & 3) === 2 }); // PF_W without PF_X
  }
  const sections: Region[] = [];
  if (shoff > 0 && (shnum > 0 || shentsize > 0)) {
    if (shentsize < (bits === 64 ? 64 : 40)) r.fail(`ELF header: section header size ${shentsize} is too small`);
    // extended numbering: the real counts live in section 0
    if (shnum === 0) shnum = r.word(shoff + 4 + 4 + w * 3, bits);
    if (shstrndx === 0xffff) shstrndx = r.u32(shoff + 4 + 4 + w * 4);
    if (shnum * shentsize > b.length) r.fail('ELF header: more section headers than the file can hold');
    const sh = (i: number): number => shoff + i * shentsize;
    const field = (i: number, k: number): number => r.word(sh(i) + 8 + k * w, bits); // flags, addr, offset, size
    const strOff = shstrndx < shnum ? field(shstrndx, 2) : 0;
    for (let i = 1; i < shnum; i++) {
      const type = r.u32(sh(i) + 4);
      const [flags, addr, offset, size] = [field(i, 0), field(i, 1), field(i, 2), field(i, 3)];
      const bytes = type === 8 ? 0 : inFile(r, offset, size); // SHT_NOBITS: nothing in the file
      sections.push({
        name: strOff ? r.cstr(strOff + r.u32(sh(i)), MAX_NAME) : '',
        addr,
        offset,
        size: bytes,
        writable: (flags & 1) === 1,
      });
    }
  }
  return { format: 'elf', bits, littleEndian: r.le, sections, segments };
}

function readPe(b: Buffer, input: string): Exe {
  const r = new Reader(b, true, input);
  const pe = r.u32(0x3c);
  if (r.u32(pe) !== 0x00004550) r.fail('MZ file without a PE header');
  const nsect = r.u16(pe + 6);
  const symtab = r.u32(pe + 12);
  const nsyms = r.u32(pe + 16);
  const optSize = r.u16(pe + 20);
  const opt = pe + 24;
  const magic = r.u16(opt);
  if (magic !== 0x10b && magic !== 0x20b) r.fail(`PE optional header: unknown magic 0x${magic.toString(16)}`);
  const bits = magic === 0x20b ? 64 : 32;
  const imageBase = bits === 64 ? r.u64(opt + 24) : r.u32(opt + 28);
  const sections: Region[] = [];
  for (let i = 0; i < nsect; i++) {
    const s = opt + optSize + i * 40;
    let name = r.cstr(s, 8);
    // "/123": a long name in the COFF string table after the symbols
    if (name.startsWith('/') && symtab > 0) name = r.cstr(symtab + nsyms * 18 + Number(name.slice(1)), MAX_NAME);
    const [vsize, rva, rawSize, rawOff, chars] = [
      r.u32(s + 8),
      r.u32(s + 12),
      r.u32(s + 16),
      r.u32(s + 20),
      r.u32(s + 36),
    ];
    const size = rawOff === 0 ? 0 : inFile(r, rawOff, Math.min(rawSize, vsize || rawSize));
    sections.push({ name, addr: imageBase + rva, offset: rawOff, size, writable: (chars & 0x80000000) !== 0 });
  }
  return { format: 'pe', bits, littleEndian: true, sections, segments: sections };
}

// Mach-O load command sizes: segment_command(_64) and section(_64)
const SEGMENT_HEADER = { 32: 56, 64: 72 } as const;
const SECTION_SIZE = { 32: 68, 64: 80 } as const;

/** One LC_SEGMENT(_64): its sections must lie inside the command, so no two commands share them. */
function machoSegment(r: Reader, off: number, size: number, w: 32 | 64, out: Exe): void {
  const k = w / 8;
  const seg = r.cstr(off + 8, 16);
  const [addr, fileoff, filesize] = [r.word(off + 24, w), r.word(off + 24 + 2 * k, w), r.word(off + 24 + 3 * k, w)];
  const initprot = r.u32(off + 24 + 4 * k + 4);
  const nsects = r.u32(off + 24 + 4 * k + 8);
  if (size < SEGMENT_HEADER[w] + nsects * SECTION_SIZE[w])
    r.fail(`Mach-O segment ${seg}: ${nsects} sections do not fit its ${size}-byte load command`);
  out.segments.push({
    name: seg,
    addr,
    offset: fileoff,
    size: inFile(r, fileoff, filesize),
    writable: (initprot & 2) !== 0,
  });
  for (let j = 0, s = off + SEGMENT_HEADER[w]; j < nsects; j++, s += SECTION_SIZE[w]) {
    const [saddr, ssize] = [r.word(s + 32, w), r.word(s + 32 + k, w)];
    const soff = r.u32(s + 32 + 2 * k);
    const type = r.u32(s + 32 + 2 * k + 16) & 0xff;
    const zerofill = type === 0x1 || type === 0xc || type === 0x12;
    const bytes = zerofill || soff === 0 ? 0 : inFile(r, soff, ssize);
    out.sections.push({
      name: r.cstr(s, 16),
      segment: seg,
      addr: saddr,
      offset: soff,
      size: bytes,
      writable: (initprot & 2) !== 0,
    });
  }
}

function readMacho(b: Buffer, input: string): Exe {
  const le = b[0] === 0xce || b[0] === 0xcf;
  const r = new Reader(b, le, input);
  const bits = (r.u32(0) & 1) === 1 ? 64 : 32;
  const [ncmds, sizeofcmds] = [r.u32(16), r.u32(20)];
  let off = bits === 64 ? 32 : 28;
  // every command lies within sizeofcmds, itself within the file: ncmds cannot outrun the file
  const cmdsEnd = off + sizeofcmds;
  r.check(off, sizeofcmds);
  const exe: Exe = { format: 'macho', bits, littleEndian: le, sections: [], segments: [] };
  for (let i = 0; i < ncmds; i++) {
    const [cmd, size] = [r.u32(off), r.u32(off + 4)];
    if (size < 8 || off + size > cmdsEnd)
      r.fail(`Mach-O load command ${i} of ${size} bytes does not fit the ${sizeofcmds} bytes of load commands`);
    if (cmd === 0x19 || cmd === 0x1) machoSegment(r, off, size, cmd === 0x19 ? 64 : 32, exe); // LC_SEGMENT_64, LC_SEGMENT
    off += size;
  }
  return exe;
}

/** Parses the headers; throws BulwarkError CORRUPT on headers that point outside the file. `input` names the file. */
export function readExe(b: Buffer, input = 'executable'): Exe {
  switch (exeFormat(b)) {
    case 'elf':
      return readElf(b, input);
    case 'pe':
      return readPe(b, input);
    case 'macho':
      return readMacho(b, input);
    default:
      throw new BulwarkError('CORRUPT', input, 'not an ELF, PE or Mach-O executable');
  }
}

/** Why readExe refused a file, without the file name its error starts with (for a caller's own error). */
export function exeProblem(e: unknown): string {
  return e instanceof BulwarkError ? e.message.slice(e.input.length + 2) : messageOf(e);
}

/** The file bytes of a region. */
export function regionBytes(b: Buffer, r: Region): Buffer {
  return b.subarray(r.offset, r.offset + r.size);
}

/** Up to n bytes at a virtual address, from the segment that maps it; undefined when none does. */
export function readAddr(b: Buffer, exe: Exe, addr: number, n: number): Buffer | undefined {
  for (const s of exe.segments) {
    if (s.size > 0 && addr >= s.addr && addr < s.addr + s.size) {
      const start = s.offset + (addr - s.addr);
      return b.subarray(start, start + Math.min(n, s.addr + s.size - addr));
    }
  }
  return undefined;
}
