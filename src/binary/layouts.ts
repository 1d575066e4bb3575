/**
 * Fixed-size headers of the compact blobs embedded in RDB values (FORMATS.md §3.2–§3.4),
 * behind typed adapters that check the blob length first and report problems as located
 * `CorruptDataError`s (code `BLOB_CORRUPT`).
 *
 * Why no binary-parser here (STYLE.md §3, rule 3): these adapters run once per blob, and
 * listpacks/ziplists/intsets are decoded millions of times per file. Measured on Node 20 over
 * 1000 small listpack blobs at odd byte offsets: a top-level binary-parser `Parser`
 * (uint32le + uint16le) costs about 770 ns per call, because every `parse()` builds a
 * `DataView` and an object with `delete`d members; a fresh `DataView` alone costs about
 * 140 ns; direct byte arithmetic costs about 13 ns. So the bodies below read bytes directly.
 * The binary-parser definitions of the same layouts live in `test/binary/layouts.test.ts`,
 * which cross-checks these adapters against them.
 */

import { corrupt, hexByte, type CorruptDataError } from '../errors.js';

/** Where a blob starts in its file; positions inside the blob are added to `offset`. */
export interface BlobLocation {
  file?: string;
  /** Absolute file offset of the blob's first byte (or of the LZF string it came from). */
  offset: number;
}

/** Header sizes and markers of the compact encodings (names after the Redis macros). */
export const BLOB_LAYOUT = {
  /** ZIPLIST_HEADER_SIZE: zlbytes u32 + zltail u32 + zllen u16 (FORMATS.md §3.2). */
  ZIPLIST_HEADER_SIZE: 10,
  /** ZIP_END: ziplist terminator byte. */
  ZIP_END: 0xff,
  /** Ziplist zllen value meaning "count unknown, walk the entries". */
  ZIPLIST_LENGTH_UNKNOWN: 0xffff,
  /** LP_HDR_SIZE: total_bytes u32 + num_elements u16 (FORMATS.md §3.4). */
  LP_HDR_SIZE: 6,
  /** LP_EOF: listpack terminator byte. */
  LP_EOF: 0xff,
  /** LP_HDR_NUMELE_UNKNOWN: listpack count value meaning "walk the elements". */
  LP_HDR_NUMELE_UNKNOWN: 0xffff,
  /** Intset header: encoding u32 + length u32 (FORMATS.md §3.3). */
  INTSET_HEADER_SIZE: 8,
} as const;

/** Decoded listpack header (FORMATS.md §3.4). */
export interface ListpackHeader {
  /** Declared total size in bytes (equals the blob length once validated). */
  totalBytes: number;
  /** Declared element count; 65535 means "unknown, walk". */
  count: number;
}

/** Decoded ziplist header (FORMATS.md §3.2). */
export interface ZiplistHeader {
  /** Declared total size in bytes (equals the blob length once validated). */
  zlbytes: number;
  /** Byte position of the last entry inside the blob. */
  zltail: number;
  /** Declared entry count; 65535 means "unknown, walk". */
  zllen: number;
}

/** Decoded intset header (FORMATS.md §3.3). */
export interface IntsetHeader {
  /** Bytes per value: 2, 4 or 8. */
  encoding: 2 | 4 | 8;
  /** Number of values (≥ 1). */
  length: number;
}

/**
 * Builds the `BLOB_CORRUPT` error used by every blob decoder: `offset` is the blob's absolute
 * offset plus `pos`, and the reason names the structure and the position inside the blob.
 *
 * @param structure name of the encoding, e.g. `listpack`
 * @param pos byte position inside the blob where the problem starts
 * @param problem what is wrong, without location
 */
export function blobCorrupt(
  structure: string,
  at: BlobLocation,
  pos: number,
  problem: string,
  expected: string,
  found: string,
): CorruptDataError {
  return corrupt('BLOB_CORRUPT', `${structure}: ${problem} (blob position ${pos})`, {
    file: at.file,
    offset: at.offset + pos,
    expected,
    found,
  });
}

/** Reads an unsigned 32-bit little-endian integer at `pos` (caller checks bounds). */
export function u32le(b: Uint8Array, pos: number): number {
  return (b[pos] | (b[pos + 1] << 8) | (b[pos + 2] << 16)) + b[pos + 3] * 0x1000000;
}

/** Reads an unsigned 16-bit little-endian integer at `pos` (caller checks bounds). */
export function u16le(b: Uint8Array, pos: number): number {
  return b[pos] | (b[pos + 1] << 8);
}

/** 2^32, for combining 32-bit halves. */
const TWO_POW_32 = 0x1_0000_0000;

/**
 * Reads a signed 64-bit little-endian integer at `pos` (caller checks bounds). Returns a
 * `number` when the value is a safe integer, else a `bigint`.
 */
export function i64le(b: Uint8Array, pos: number): number | bigint {
  const lo = u32le(b, pos);
  const hi = b[pos + 4] | (b[pos + 5] << 8) | (b[pos + 6] << 16) | (b[pos + 7] << 24); // signed
  // hi * 2^32 is exact; the sum is exact whenever the true value is a safe integer, and it is
  // never a safe integer when the true value is not (|value| >= 2^53 rounds to >= 2^53).
  const v = hi * TWO_POW_32 + lo;
  if (Number.isSafeInteger(v)) return v;
  return (BigInt(hi) << 32n) + BigInt(lo);
}

/**
 * Reads and shallow-checks a listpack header: the blob holds at least the header and the
 * terminator, `total_bytes` equals the blob length, and the last byte is 0xFF.
 *
 * @param blob the whole listpack (may be a subarray)
 * @param at location of the blob's first byte
 * @throws CorruptDataError (`BLOB_CORRUPT`) if any check fails
 */
export function readListpackHeader(blob: Uint8Array, at: BlobLocation): ListpackHeader {
  const n = blob.length;
  if (n < BLOB_LAYOUT.LP_HDR_SIZE + 1) {
    throw blobCorrupt('listpack', at, 0, 'blob too short for header and terminator',
      `at least ${BLOB_LAYOUT.LP_HDR_SIZE + 1} bytes`, `${n} bytes`);
  }
  const totalBytes = u32le(blob, 0);
  if (totalBytes !== n) {
    throw blobCorrupt('listpack', at, 0, 'header total_bytes does not match the blob length',
      `${n}`, `${totalBytes}`);
  }
  if (blob[n - 1] !== BLOB_LAYOUT.LP_EOF) {
    throw blobCorrupt('listpack', at, n - 1, 'missing terminator', hexByte(BLOB_LAYOUT.LP_EOF), hexByte(blob[n - 1]));
  }
  return { totalBytes, count: u16le(blob, 4) };
}

/**
 * Reads and shallow-checks a ziplist header: the blob holds at least the header and the
 * terminator, `zlbytes` equals the blob length, the last byte is 0xFF, and `zltail` points
 * inside the blob (at most at the terminator).
 *
 * @param blob the whole ziplist (may be a subarray)
 * @param at location of the blob's first byte
 * @throws CorruptDataError (`BLOB_CORRUPT`) if any check fails
 */
export function readZiplistHeader(blob: Uint8Array, at: BlobLocation): ZiplistHeader {
  const n = blob.length;
  if (n < BLOB_LAYOUT.ZIPLIST_HEADER_SIZE + 1) {
    throw blobCorrupt('ziplist', at, 0, 'blob too short for header and terminator',
      `at least ${BLOB_LAYOUT.ZIPLIST_HEADER_SIZE + 1} bytes`, `${n} bytes`);
  }
  const zlbytes = u32le(blob, 0);
  if (zlbytes !== n) {
    throw blobCorrupt('ziplist', at, 0, 'header zlbytes does not match the blob length', `${n}`, `${zlbytes}`);
  }
  if (blob[n - 1] !== BLOB_LAYOUT.ZIP_END) {
    throw blobCorrupt('ziplist', at, n - 1, 'missing terminator', hexByte(BLOB_LAYOUT.ZIP_END), hexByte(blob[n - 1]));
  }
  const zltail = u32le(blob, 4);
  if (zltail > n - 1) {
    throw blobCorrupt('ziplist', at, 4, 'header zltail points past the terminator', `at most ${n - 1}`, `${zltail}`);
  }
  return { zlbytes, zltail, zllen: u16le(blob, 8) };
}

/**
 * Reads and checks an intset header: encoding is 2, 4 or 8, length is at least 1, and
 * `8 + length × encoding` equals the blob length (FORMATS.md §3.3).
 *
 * @param blob the whole intset (may be a subarray)
 * @param at location of the blob's first byte
 * @throws CorruptDataError (`BLOB_CORRUPT`) if any check fails
 */
export function readIntsetHeader(blob: Uint8Array, at: BlobLocation): IntsetHeader {
  const n = blob.length;
  if (n < BLOB_LAYOUT.INTSET_HEADER_SIZE) {
    throw blobCorrupt('intset', at, 0, 'blob too short for header',
      `at least ${BLOB_LAYOUT.INTSET_HEADER_SIZE} bytes`, `${n} bytes`);
  }
  const encoding = u32le(blob, 0);
  if (encoding !== 2 && encoding !== 4 && encoding !== 8) {
    throw blobCorrupt('intset', at, 0, 'invalid encoding', '2, 4 or 8', `${encoding}`);
  }
  const length = u32le(blob, 4);
  if (length === 0) {
    throw blobCorrupt('intset', at, 4, 'empty intset', 'length >= 1', '0');
  }
  const expectedBytes = BLOB_LAYOUT.INTSET_HEADER_SIZE + length * encoding;
  if (expectedBytes !== n) {
    throw blobCorrupt('intset', at, 4, 'length does not match the blob size',
      `${expectedBytes} bytes for ${length} values of ${encoding} bytes`, `${n} bytes`);
  }
  return { encoding, length };
}
