// Reads rpm's NDB package database (Packages.db: SUSE, and rpm >= 4.16 when built with it).
// Layout, all integers little-endian: a 32-byte file header ("RpmP", version,
// generation, slot page count, next package index) at the start of the first of
// `slotnpages` 4096-byte slot pages; 16-byte slots ("Slot", pkgIdx, blkOff, blkCnt)
// fill the rest of them; blobs live after the slot pages at blkOff * 16, each framed as
// "BlbS", pkgIdx, generation, length, header blob, padding, then adler32, length, "BlbE".
import { BulwarkError } from '../../core/errors.js';

const MAGIC = 'RpmP';
const SLOT_MAGIC = 'Slot';
const BLOB_HEAD_MAGIC = 'BlbS';
const BLOB_TAIL_MAGIC = 'BlbE';

const VERSION = 0;
const FILE_HEADER_SIZE = 32;
const PAGE_SIZE = 4096;
const SLOT_SIZE = 16;
const BLOCK_SIZE = 16;
const BLOB_HEAD_SIZE = 16;
const BLOB_TAIL_SIZE = 12;

function magicAt(buf: Buffer, at: number, magic: string): boolean {
  return buf.toString('latin1', at, at + 4) === magic;
}

interface Slot {
  pkgIdx: number;
  blkOff: number;
  blkCnt: number;
}

/** The header blobs of an NDB Packages.db, in package index order. */
export function readNdbPackages(content: Buffer, input: string): Buffer[] {
  const fail = (code: 'CORRUPT' | 'TRUNCATED', reason: string): never => {
    throw new BulwarkError(code, input, reason);
  };
  if (content.length < FILE_HEADER_SIZE) fail('TRUNCATED', `${content.length} bytes is too short for an NDB database`);
  if (!magicAt(content, 0, MAGIC)) fail('CORRUPT', 'no NDB "RpmP" magic');
  const version = content.readUInt32LE(4);
  if (version !== VERSION) fail('CORRUPT', `unsupported NDB version ${version}`);
  const slotPages = content.readUInt32LE(12);
  if (slotPages === 0) fail('CORRUPT', 'no slot pages');
  if (slotPages * PAGE_SIZE > content.length) {
    fail('TRUNCATED', `${slotPages} slot pages need ${slotPages * PAGE_SIZE} bytes, file has ${content.length}`);
  }

  const slots: Slot[] = [];
  const firstBlobBlock = (slotPages * PAGE_SIZE) / BLOCK_SIZE;
  // The file header takes the place of the first slots on page 0.
  for (let at = FILE_HEADER_SIZE; at < slotPages * PAGE_SIZE; at += SLOT_SIZE) {
    if (!magicAt(content, at, SLOT_MAGIC)) fail('CORRUPT', `slot at ${at} has no "Slot" magic`);
    const slot = {
      pkgIdx: content.readUInt32LE(at + 4),
      blkOff: content.readUInt32LE(at + 8),
      blkCnt: content.readUInt32LE(at + 12),
    };
    if (slot.blkOff === 0) continue; // free slot
    if (slot.pkgIdx === 0 || slot.blkCnt === 0 || slot.blkOff < firstBlobBlock) {
      fail('CORRUPT', `slot at ${at} is invalid (package ${slot.pkgIdx}, block ${slot.blkOff}+${slot.blkCnt})`);
    }
    if ((slot.blkOff + slot.blkCnt) * BLOCK_SIZE > content.length) {
      fail('TRUNCATED', `package ${slot.pkgIdx} ends past the end of the file`);
    }
    slots.push(slot);
  }

  // rpm gives every blob blocks of its own. Blobs nested inside one another would have their
  // headers parse the same bytes once per enclosing blob: quadratic in the file.
  slots.sort((a, b) => a.blkOff - b.blkOff);
  slots.forEach((slot, i) => {
    const prev = slots[i - 1];
    if (prev && prev.blkOff + prev.blkCnt > slot.blkOff)
      fail('CORRUPT', `packages ${prev.pkgIdx} and ${slot.pkgIdx} share blocks`);
  });
  slots.sort((a, b) => a.pkgIdx - b.pkgIdx);
  slots.forEach((slot, i) => {
    if (i > 0 && slots[i - 1]?.pkgIdx === slot.pkgIdx) fail('CORRUPT', `package ${slot.pkgIdx} has two slots`);
  });
  return slots.map((slot) => {
    const start = slot.blkOff * BLOCK_SIZE;
    const end = start + slot.blkCnt * BLOCK_SIZE;
    const what = `package ${slot.pkgIdx}`;
    if (slot.blkCnt * BLOCK_SIZE < BLOB_HEAD_SIZE + BLOB_TAIL_SIZE) fail('CORRUPT', `${what}: blob too small`);
    if (!magicAt(content, start, BLOB_HEAD_MAGIC)) fail('CORRUPT', `${what}: no "BlbS" blob magic`);
    if (content.readUInt32LE(start + 4) !== slot.pkgIdx) fail('CORRUPT', `${what}: blob belongs to another package`);
    const length = content.readUInt32LE(start + 12);
    // The slot's block count must be exactly what the framed blob needs, as rpm writes it.
    const blocks = Math.ceil((BLOB_HEAD_SIZE + length + BLOB_TAIL_SIZE) / BLOCK_SIZE);
    if (blocks !== slot.blkCnt) fail('CORRUPT', `${what}: blob of ${length} bytes does not fill ${slot.blkCnt} blocks`);
    const tail = end - BLOB_TAIL_SIZE;
    if (content.readUInt32LE(tail + 4) !== length || !magicAt(content, tail + 8, BLOB_TAIL_MAGIC)) {
      fail('CORRUPT', `${what}: bad blob trailer`);
    }
    // rpm does not check the adler32 when it reads, so neither do we: the header
    // parser bounds-checks whatever the blob holds.
    return content.subarray(start + BLOB_HEAD_SIZE, start + BLOB_HEAD_SIZE + length);
  });
}
