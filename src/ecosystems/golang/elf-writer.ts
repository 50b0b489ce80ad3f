// Tests only: writes minimal ELF files (ELF header, one PT_LOAD per section, optional section
// headers) following the System V ABI layout, for shapes no installed toolchain produces.

export interface ElfSection {
  name: string;
  data: Buffer;
  addr: number;
  writable?: boolean;
}

export interface ElfOptions {
  bits: 32 | 64;
  littleEndian: boolean;
  sections: ElfSection[];
  /** false: no section headers at all, as sstrip or `strip --strip-section-headers` leave a binary. */
  sectionHeaders?: boolean;
}

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

export function writeElf(o: ElfOptions): Buffer {
  const is64 = o.bits === 64;
  const [ehsize, phentsize, shentsize] = is64 ? [64, 56, 64] : [52, 32, 40];
  const phoff = ehsize;
  let off = align(phoff + phentsize * o.sections.length, 16);
  const placed = o.sections.map((s) => {
    const at = off;
    off = align(off + s.data.length, 16);
    return { ...s, offset: at };
  });
  const names = Buffer.from(['', ...o.sections.map((s) => s.name), '.shstrtab'].join('\0') + '\0', 'latin1');
  const strtabOff = off;
  const shoff = align(strtabOff + names.length, 8);
  const withHeaders = o.sectionHeaders !== false;
  const total = withHeaders ? shoff + shentsize * (o.sections.length + 2) : strtabOff;
  const b = Buffer.alloc(total);
  const u16 = (v: number, at: number): void => { if (o.littleEndian) b.writeUInt16LE(v, at); else b.writeUInt16BE(v, at); };
  const u32 = (v: number, at: number): void => { if (o.littleEndian) b.writeUInt32LE(v, at); else b.writeUInt32BE(v, at); };
  const word = (v: number, at: number): void => {
    if (!is64) return u32(v, at);
    if (o.littleEndian) b.writeBigUInt64LE(BigInt(v), at); else b.writeBigUInt64BE(BigInt(v), at);
  };
  b.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, o.littleEndian ? 1 : 2, 1], 0);
  u16(2, 16); // ET_EXEC
  u16(is64 ? 62 : 8, 18); // x86-64 / MIPS: any machine will do
  u32(1, 20);
  word(phoff, is64 ? 0x20 : 0x1c);
  word(withHeaders ? shoff : 0, is64 ? 0x28 : 0x20);
  const h = is64 ? 0x34 : 0x28;
  u16(ehsize, h);
  u16(phentsize, h + 2);
  u16(o.sections.length, h + 4);
  u16(withHeaders ? shentsize : 0, h + 6);
  u16(withHeaders ? o.sections.length + 2 : 0, h + 8);
  u16(withHeaders ? o.sections.length + 1 : 0, h + 10);
  placed.forEach((s, i) => {
    s.data.copy(b, s.offset);
    const p = phoff + i * phentsize;
    const flags = s.writable ? 6 : 4; // PF_R|PF_W or PF_R
    u32(1, p);
    if (is64) {
      u32(flags, p + 4); word(s.offset, p + 8); word(s.addr, p + 16); word(s.addr, p + 24); word(s.data.length, p + 32); word(s.data.length, p + 40); word(16, p + 48);
    } else {
      word(s.offset, p + 4); word(s.addr, p + 8); word(s.addr, p + 12); word(s.data.length, p + 16); word(s.data.length, p + 20); u32(flags, p + 24); word(16, p + 28);
    }
  });
  if (!withHeaders) return b;
  names.copy(b, strtabOff);
  const w = is64 ? 8 : 4;
  let nameOff = 1;
  const sh = (i: number, name: number, type: number, flags: number, addr: number, offset: number, size: number): void => {
    const at = shoff + i * shentsize;
    u32(name, at); u32(type, at + 4); word(flags, at + 8); word(addr, at + 8 + w); word(offset, at + 8 + 2 * w); word(size, at + 8 + 3 * w);
  };
  placed.forEach((s, i) => {
    sh(i + 1, nameOff, 1, s.writable ? 3 : 2, s.addr, s.offset, s.data.length); // PROGBITS, ALLOC(|WRITE)
    nameOff += s.name.length + 1;
  });
  sh(o.sections.length + 1, nameOff, 3, 0, 0, strtabOff, names.length); // STRTAB
  return b;
}

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
export const INFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
export const INFO_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');

/**
 * A Go binary as toolchains before 1.18 wrote it: the header holds the addresses of two Go
 * string headers (runtime.buildVersion, runtime.modinfo), whose bytes live in .rodata.
 */
export function legacyGoElf(o: { bits: 32 | 64; littleEndian: boolean; goVersion: string; modinfo: string; sectionHeaders?: boolean }): Buffer {
  const ptr = o.bits / 8;
  const [dataAddr, roAddr] = o.bits === 64 ? [0x5a0000, 0x480000] : [0x8150000, 0x8100000];
  const mod = Buffer.concat([INFO_START, Buffer.from(o.modinfo, 'utf8'), INFO_END]);
  const vers = Buffer.from(o.goVersion, 'utf8');
  // .rodata: two string headers, then the bytes they point to
  const ro = Buffer.alloc(4 * ptr + vers.length + mod.length);
  const put = (buf: Buffer, v: number, at: number): void => {
    if (ptr === 4) { if (o.littleEndian) buf.writeUInt32LE(v, at); else buf.writeUInt32BE(v, at); }
    else if (o.littleEndian) buf.writeBigUInt64LE(BigInt(v), at); else buf.writeBigUInt64BE(BigInt(v), at);
  };
  put(ro, roAddr + 4 * ptr, 0);
  put(ro, vers.length, ptr);
  put(ro, roAddr + 4 * ptr + vers.length, 2 * ptr);
  put(ro, mod.length, 3 * ptr);
  vers.copy(ro, 4 * ptr);
  mod.copy(ro, 4 * ptr + vers.length);
  const hdr = Buffer.alloc(32);
  MAGIC.copy(hdr, 0);
  hdr[14] = ptr;
  hdr[15] = o.littleEndian ? 0 : 1;
  put(hdr, roAddr, 16);
  put(hdr, roAddr + 2 * ptr, 16 + ptr);
  return writeElf({
    bits: o.bits,
    littleEndian: o.littleEndian,
    sectionHeaders: o.sectionHeaders ?? true,
    sections: [
      { name: '.text', data: Buffer.alloc(2048, 0xcc), addr: roAddr - 0x80000 },
      { name: '.rodata', data: ro, addr: roAddr },
      { name: '.go.buildinfo', data: hdr, addr: dataAddr, writable: true },
      { name: '.noptrdata', data: Buffer.alloc(64), addr: dataAddr + 0x100, writable: true },
    ],
  });
}
