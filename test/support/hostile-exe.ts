// Tests and bench only: executables crafted to drive the ELF/PE/Mach-O and Go build-info
// readers to their worst case. Deterministic, any size (rounded down to what the shape needs).
// Each names the loop it attacks; bench/adversarial.ts times them, the readers' tests check
// the work stays proportional to the file.

const GO_INFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
const GO_INFO_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');

interface ElfTables {
  phoff?: number;
  phnum?: number;
  shoff?: number;
  shnum?: number;
  shstrndx?: number;
}

/** An ELF64 little-endian file header over a zeroed buffer of `size` bytes. */
function elf64(size: number, t: ElfTables): Buffer {
  const b = Buffer.alloc(size);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(62, 18); // x86-64
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(BigInt(t.phoff ?? 0), 0x20);
  b.writeBigUInt64LE(BigInt(t.shoff ?? 0), 0x28);
  b.writeUInt16LE(64, 0x34);
  b.writeUInt16LE(56, 0x36);
  b.writeUInt16LE(t.phnum ?? 0, 0x38);
  b.writeUInt16LE(t.shoff ? 64 : 0, 0x3a);
  b.writeUInt16LE(t.shnum ?? 0, 0x3c);
  b.writeUInt16LE(t.shstrndx ?? 0, 0x3e);
  return b;
}

/**
 * Half the file section headers (extended numbering: more than 65,535), half a string table
 * with no NUL: every section's name starts at the table and never ends.
 */
export function elfUnterminatedNames(size: number): Buffer {
  const count = Math.floor(size / 2 / 64);
  const strOff = 64 + count * 64;
  const b = elf64(size, { shoff: 64, shnum: 0, shstrndx: 0xffff });
  b.writeBigUInt64LE(BigInt(count), 64 + 32); // section 0's size: the real section count
  b.writeUInt32LE(1, 64 + 40); // section 0's link: the real string table index
  const strtab = 64 + 64;
  b.writeUInt32LE(3, strtab + 4); // SHT_STRTAB
  b.writeBigUInt64LE(BigInt(strOff), strtab + 24);
  b.writeBigUInt64LE(BigInt(size - strOff), strtab + 32);
  b.fill(0x41, strOff);
  return b;
}

/** `count` writable PT_LOAD segments (at most 65,535), each mapping the whole file. */
export function elfOverlappingSegments(size: number, count = 0xffff): Buffer {
  const b = elf64(Math.max(size, 64 + count * 56), { phoff: 64, phnum: count });
  for (let i = 0; i < count; i++) {
    const p = 64 + i * 56;
    b.writeUInt32LE(1, p); // PT_LOAD
    b.writeUInt32LE(6, p + 4); // PF_R|PF_W
    b.writeBigUInt64LE(BigInt(b.length), p + 32);
    b.writeBigUInt64LE(BigInt(b.length), p + 40);
  }
  return b;
}

/**
 * A PE32+ with `nsect` (at most 65,535) writable sections, each over the whole file and each
 * named "/0": a long name in the COFF string table, which here is the rest of the file, with no NUL.
 */
export function peLongNames(size: number, nsect = 0xffff): Buffer {
  const pe = 0x40;
  const opt = pe + 24;
  const optSize = 240;
  const sects = opt + optSize;
  const strtab = sects + nsect * 40;
  const b = Buffer.alloc(Math.max(size, strtab + 64));
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(pe, 0x3c);
  b.write('PE\0\0', pe, 'latin1');
  b.writeUInt16LE(0x8664, pe + 4);
  b.writeUInt16LE(nsect, pe + 6);
  b.writeUInt32LE(strtab, pe + 12); // symbol table: none, so the string table starts here
  b.writeUInt16LE(optSize, pe + 20);
  b.writeUInt16LE(0x20b, opt);
  b.writeBigUInt64LE(0x140000000n, opt + 24);
  for (let i = 0; i < nsect; i++) {
    const s = sects + i * 40;
    b.write('/0', s, 'latin1');
    b.writeUInt32LE(0x1000, s + 12);
    b.writeUInt32LE(b.length - 0x200, s + 16);
    b.writeUInt32LE(0x200, s + 20);
    b.writeUInt32LE(0xc0000040, s + 36); // initialised data, readable, writable
  }
  b.fill(0x41, strtab);
  return b;
}

/**
 * Mach-O 64 (arm64 executable) over `size` bytes, half of them LC_SEGMENT_64 load commands of
 * `cmdSize` bytes each; `fill` writes the rest of each command at its offset.
 */
function machoSegments(size: number, cmdSize: number, fill: (b: Buffer, at: number) => void): Buffer {
  const b = Buffer.alloc(size);
  const cmds = Math.floor((size / 2 - 32) / cmdSize);
  b.writeUInt32LE(0xfeedfacf, 0);
  b.writeUInt32LE(0x0100000c, 4); // arm64
  b.writeUInt32LE(2, 12); // MH_EXECUTE
  b.writeUInt32LE(cmds, 16);
  b.writeUInt32LE(cmds * cmdSize, 20);
  for (let at = 32; at + cmdSize <= 32 + cmds * cmdSize; at += cmdSize) {
    b.writeUInt32LE(0x19, at);
    b.writeUInt32LE(cmdSize, at + 4);
    fill(b, at);
  }
  return b;
}

/**
 * Mach-O 64 whose load commands each claim 24 bytes but declare as many sections as the rest
 * of the file can hold: the commands' section tables overlap, one table per command.
 */
export function machoOverlappingCommands(size: number): Buffer {
  const nsects = Math.floor((size / 2 - 128) / 80);
  // the command 48 bytes before reads words 3 and 4 as its initprot (writable) and nsects
  return machoSegments(size, 24, (b, at) => {
    b.writeUInt32LE(3, at + 12);
    b.writeUInt32LE(nsects, at + 16);
  });
}

/** Mach-O 64 with well-formed LC_SEGMENT_64 commands filling half the file, each writable and mapping the whole file. */
export function machoOverlappingSegments(size: number): Buffer {
  return machoSegments(size, 72, (b, at) => {
    b.writeBigUInt64LE(BigInt(size), at + 32); // vmsize
    b.writeBigUInt64LE(BigInt(size), at + 48); // filesize, from file offset 0
    b.writeUInt32LE(3, at + 56); // maxprot
    b.writeUInt32LE(3, at + 60); // initprot: read, write
  });
}

/**
 * An ELF without section headers whose body repeats Go's module-info start sentinel and
 * "path\t"; the end sentinel is missing, or (`endSentinel`) only at the very end, after a byte
 * that is not the newline module info ends with.
 */
export function goUnendedModinfo(size: number, endSentinel = false): Buffer {
  const b = elf64(size, {});
  const unit = Buffer.concat([GO_INFO_START, Buffer.from('path\t')]);
  const stop = endSentinel ? size - GO_INFO_END.length : size;
  for (let at = 64; at + unit.length <= stop; at += unit.length) unit.copy(b, at);
  if (endSentinel) GO_INFO_END.copy(b, stop);
  return b;
}

/** A header-less Go module info, then " go1.x" to the end: every candidate toolchain version fails to parse. */
export function goVersionNoise(size: number): Buffer {
  const b = elf64(size, {});
  const info = Buffer.concat([GO_INFO_START, Buffer.from('path\tx\nmod\tx\t(devel)\t\n'), GO_INFO_END]);
  info.copy(b, 64);
  const unit = Buffer.from(' go1.x');
  for (let at = 64 + info.length; at + unit.length <= size; at += unit.length) unit.copy(b, at);
  return b;
}
