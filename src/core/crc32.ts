import { crc32 as zlibCrc32 } from 'node:zlib';

// CRC-32 as ZIP uses it (reflected polynomial 0xEDB88320, APPNOTE 4.4.7): zlib's, native (Node >= 20.15),
// so checking what an archive inflates to costs no more than inflating it.

export function crc32(buf: Uint8Array): number {
  return zlibCrc32(buf);
}
