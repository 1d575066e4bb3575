/** Small edits of real RDB files for tests: a new CRC-64 trailer, another header version, lengths for new records. */
import { crc64 } from '../../src/binary/crc64.js';

/** `body` (magic … EOF byte) followed by its CRC-64, little-endian. */
export function withChecksum(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 8);
  out.set(body);
  new DataView(out.buffer).setBigUint64(body.length, crc64(body), true);
  return out;
}

/** The same file announcing another RDB version (4 header digits), checksum recomputed. */
export function withVersion(file: Uint8Array, version: number): Uint8Array {
  const body = file.slice(0, file.length - 8);
  body.set(new TextEncoder().encode(String(version).padStart(4, '0')), 5);
  return withChecksum(body);
}

/** An RDB length in its shortest form (FORMATS.md §1.3): 6-bit, 14-bit big-endian, or 0x80 and a 32-bit big-endian length. */
export function rdbLength(n: number): Buffer {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = 0x80;
  b.writeUInt32BE(n, 1);
  return b;
}
