/**
 * Ziplist blobs (FORMATS.md §3.2): deep validation and entry walk, plus an encoder that
 * produces what Redis produces for the same elements.
 *
 * Layout, in short: a 10-byte header (total size u32 LE, position of the last entry u32 LE,
 * entry count u16 LE), the entries, then 0xFF. Each entry starts with the size of the
 * previous entry (1 byte, or 0xFE + u32 LE), then an encoding byte that says whether a string
 * (with a 6/14/32-bit length) or an integer (8/16/24/32/64-bit, or a tiny value 0..12 kept in
 * the encoding byte itself) follows.
 */

import { UsageError, hexByte } from '../../errors.js';
import {
  BLOB_LAYOUT,
  blobCorrupt,
  i64le,
  readZiplistHeader,
  u32le,
  type BlobLocation,
} from '../../binary/layouts.js';
import { parseCanonicalIntValue } from '../../binary/int-text.js';
import type { ElementVisitor, ListpackInput, RangeVisitor } from './listpack.js';

export type { ElementVisitor } from './listpack.js';

/** Entry encoding bytes (FORMATS.md §3.2; names after the Redis macros). */
export const ZIP_ENCODING = {
  /** ZIP_STR_06B: 00xxxxxx, string up to 63 bytes. */
  STR_06B: 0x00,
  /** ZIP_STR_14B: 01xxxxxx yyyyyyyy, 14-bit big-endian length. */
  STR_14B: 0x40,
  /** ZIP_STR_32B: 10000000 + u32 big-endian length. */
  STR_32B: 0x80,
  /** ZIP_INT_16B: int16 LE follows. */
  INT_16B: 0xc0,
  /** ZIP_INT_32B: int32 LE follows. */
  INT_32B: 0xd0,
  /** ZIP_INT_64B: int64 LE follows. */
  INT_64B: 0xe0,
  /** ZIP_INT_24B: int24 LE follows. */
  INT_24B: 0xf0,
  /** ZIP_INT_8B: int8 follows. */
  INT_8B: 0xfe,
  /** ZIP_INT_IMM_MIN: 0xF1 holds the value 0 … */
  INT_IMM_MIN: 0xf1,
  /** ZIP_INT_IMM_MAX: … 0xFD holds 12. */
  INT_IMM_MAX: 0xfd,
  /** ZIP_END: terminator. */
  END: 0xff,
} as const;

/** ZIP_BIG_PREVLEN: first prevlen byte announcing the 5-byte form. */
const ZIP_BIG_PREVLEN = 0xfe;

/**
 * Walks a ziplist, validating it deeply, and calls `visit` for every entry in order.
 *
 * Checks: `zlbytes` equals the blob length; the blob ends with 0xFF and no entry starts with
 * 0xFF before it; `zltail` is inside the blob and, when there are entries, is the position of
 * the last one; every entry's prevlen equals the real size of the previous entry (0 for the
 * first; the 5-byte form is accepted for any value, as Redis's cascade updates leave it
 * behind); every encoding byte is defined; every entry ends before the terminator; the entry
 * count equals `zllen` unless that is 65535 ("unknown"). A 32-bit string header whose low 6
 * bits are not zero is accepted, as Redis reads only the top two bits there.
 *
 * With no visitor nothing is allocated. The visitor may already have seen some entries when a
 * later problem is detected and thrown.
 *
 * @param blob the whole ziplist; may be a subarray at any byte offset
 * @param at absolute file location of the blob's first byte
 * @param visit optional entry callback (see {@link ElementVisitor})
 * @param visitRange optional entry callback taking string entries where they are (see
 *   {@link RangeVisitor}), called instead of `visit`
 * @returns the number of entries
 * @throws CorruptDataError (`BLOB_CORRUPT`) with `offset = at.offset + position in blob`
 */
export function walkZiplist(blob: Uint8Array, at: BlobLocation, visit?: ElementVisitor, visitRange?: RangeVisitor): number {
  const visiting = visit !== undefined || visitRange !== undefined;
  const header = readZiplistHeader(blob, at);
  const end = blob.length - 1; // position of the terminator
  let pos: number = BLOB_LAYOUT.ZIPLIST_HEADER_SIZE;
  let count = 0;
  let prevSize = 0;
  let lastEntry = -1;
  while (pos < end) {
    const start = pos;
    const first = blob[pos];
    if (first === ZIP_ENCODING.END) {
      throw blobCorrupt('ziplist', at, pos, 'terminator before the end of the blob',
        `an entry (terminator at position ${end})`, hexByte(first));
    }
    // prevlen: one byte 0..253, or 0xFE followed by a u32 LE.
    let prevlen: number;
    let p: number;
    if (first < ZIP_BIG_PREVLEN) {
      prevlen = first;
      p = pos + 1;
    } else {
      if (pos + 5 >= end) throw truncatedEntry(at, start, end);
      prevlen = u32le(blob, pos + 1);
      p = pos + 5;
    }
    if (prevlen !== prevSize) {
      throw blobCorrupt('ziplist', at, start, "entry prevlen does not match the previous entry's size",
        `${prevSize}`, `${prevlen}`);
    }
    if (p >= end) throw truncatedEntry(at, start, end);
    const enc = blob[p];
    let payloadStart: number;
    let payloadLen: number;
    let isString = true;
    let int: number | bigint = 0;
    if (enc < 0xc0) {
      // String: the top two bits select the length form.
      const form = enc & 0xc0;
      if (form === ZIP_ENCODING.STR_06B) {
        payloadLen = enc & 0x3f;
        payloadStart = p + 1;
      } else if (form === ZIP_ENCODING.STR_14B) {
        if (p + 2 > end) throw truncatedEntry(at, start, end);
        payloadLen = ((enc & 0x3f) << 8) | blob[p + 1];
        payloadStart = p + 2;
      } else {
        if (p + 5 > end) throw truncatedEntry(at, start, end);
        payloadLen = blob[p + 1] * 0x1000000 + ((blob[p + 2] << 16) | (blob[p + 3] << 8) | blob[p + 4]);
        payloadStart = p + 5;
      }
    } else {
      isString = false;
      payloadStart = p + 1;
      switch (enc) {
        case ZIP_ENCODING.INT_8B:
          payloadLen = 1;
          break;
        case ZIP_ENCODING.INT_16B:
          payloadLen = 2;
          break;
        case ZIP_ENCODING.INT_24B:
          payloadLen = 3;
          break;
        case ZIP_ENCODING.INT_32B:
          payloadLen = 4;
          break;
        case ZIP_ENCODING.INT_64B:
          payloadLen = 8;
          break;
        default:
          if (enc >= ZIP_ENCODING.INT_IMM_MIN && enc <= ZIP_ENCODING.INT_IMM_MAX) {
            payloadLen = 0;
            int = (enc & 0x0f) - 1;
          } else {
            throw blobCorrupt('ziplist', at, p, 'invalid entry encoding',
              'a string header, 0xC0, 0xD0, 0xE0, 0xF0, 0xF1-0xFD or 0xFE', hexByte(enc));
          }
      }
    }
    const entryEnd = payloadStart + payloadLen;
    if (entryEnd > end) {
      throw blobCorrupt('ziplist', at, start, 'entry runs past the terminator',
        `at most ${end - start} bytes`, `${entryEnd - start} bytes`);
    }
    if (visiting && !isString && payloadLen > 0) {
      const q = payloadStart;
      switch (payloadLen) {
        case 1:
          int = (blob[q] << 24) >> 24;
          break;
        case 2:
          int = ((blob[q] | (blob[q + 1] << 8)) << 16) >> 16;
          break;
        case 3:
          int = ((blob[q] | (blob[q + 1] << 8) | (blob[q + 2] << 16)) << 8) >> 8;
          break;
        case 4:
          int = blob[q] | (blob[q + 1] << 8) | (blob[q + 2] << 16) | (blob[q + 3] << 24);
          break;
        default:
          int = i64le(blob, q);
          break;
      }
    }
    if (visitRange !== undefined) {
      if (isString) visitRange(blob, payloadStart, entryEnd - payloadStart, 0);
      else visitRange(blob, -1, 0, int);
    } else if (visit !== undefined) {
      if (isString) visit(blob.subarray(payloadStart, entryEnd), 0);
      else visit(null, int);
    }
    prevSize = entryEnd - start;
    lastEntry = start;
    pos = entryEnd;
    count++;
  }
  // An empty ziplist has no last entry; like Redis, any in-range zltail is accepted then.
  if (lastEntry >= 0 && header.zltail !== lastEntry) {
    throw blobCorrupt('ziplist', at, 4, 'header zltail is not the position of the last entry',
      `${lastEntry}`, `${header.zltail}`);
  }
  if (header.zllen !== BLOB_LAYOUT.ZIPLIST_LENGTH_UNKNOWN && header.zllen !== count) {
    throw blobCorrupt('ziplist', at, 8, 'header zllen does not match the entries', `${count}`, `${header.zllen}`);
  }
  return count;
}

function truncatedEntry(at: BlobLocation, start: number, end: number): Error {
  return blobCorrupt('ziplist', at, start, 'entry header runs past the terminator',
    'a complete entry header', `${end - start} bytes before the terminator`);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function checkedInt(v: number | bigint): number | bigint {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new UsageError(`encodeZiplist: ${v} is not a safe integer (pass a bigint)`);
    return v;
  }
  if (v < INT64_MIN || v > INT64_MAX) throw new UsageError(`encodeZiplist: ${v} is outside the int64 range`);
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

/** Payload bytes of an integer entry (0 for the immediate 0..12 form). */
function intPayload(v: number | bigint): number {
  if (typeof v === 'bigint') return 8;
  if (v >= 0 && v <= 12) return 0;
  if (v >= -128 && v <= 127) return 1;
  if (v >= -32768 && v <= 32767) return 2;
  if (v >= -8388608 && v <= 8388607) return 3;
  if (v >= -2147483648 && v <= 2147483647) return 4;
  return 8;
}

function strHeaderSize(len: number): number {
  if (len <= 0x3f) return 1;
  if (len <= 0x3fff) return 2;
  return 5;
}

/** Bytes of an empty ziplist: the 10-byte header and the terminator. */
export const ZIPLIST_EMPTY_BYTES = BLOB_LAYOUT.ZIPLIST_HEADER_SIZE + 1;

/**
 * Bytes an element takes when Redis appends it to a ziplist whose last entry takes
 * `prevEntryBytes` (0 for the first): the prevlen field, the encoding and the payload, with
 * the forms {@link encodeZiplist} picks.
 * @throws UsageError for a non-safe `number` or an out-of-range `bigint`
 */
export function ziplistEntryBytes(e: ListpackInput, prevEntryBytes: number): number {
  const v = e instanceof Uint8Array ? parseCanonicalIntValue(e) : checkedInt(e);
  const prevlenSize = prevEntryBytes < ZIP_BIG_PREVLEN ? 1 : 5;
  if (v !== null) return prevlenSize + 1 + intPayload(v);
  const len = (e as Uint8Array).length;
  return prevlenSize + strHeaderSize(len) + len;
}

/**
 * Builds a ziplist as Redis would for the same elements (FORMATS.md §3.2 writer rules):
 * canonical int64 decimals become integers in the smallest form (immediate 0..12, int8,
 * int16, int24, int32, int64), other strings use the smallest length header, prevlen uses
 * 1 byte below 254 and 5 bytes otherwise, `zltail` points at the last entry (10 when empty)
 * and `zllen` is capped at 65535.
 *
 * @param elements strings (as bytes) and integers (safe `number`s or int64 `bigint`s)
 * @returns a new ziplist blob
 * @throws UsageError for a non-safe `number`, an out-of-range `bigint`, or a result larger
 *   than 2^32 − 1 bytes
 */
export function encodeZiplist(elements: readonly ListpackInput[]): Uint8Array {
  const n = elements.length;
  const ints: (number | bigint | null)[] = new Array<number | bigint | null>(n);
  const sizes = new Float64Array(n);
  let total = BLOB_LAYOUT.ZIPLIST_HEADER_SIZE + 1;
  let prev = 0;
  let tail: number = BLOB_LAYOUT.ZIPLIST_HEADER_SIZE;
  for (let i = 0; i < n; i++) {
    const e = elements[i];
    const v = e instanceof Uint8Array ? parseCanonicalIntValue(e) : checkedInt(e);
    ints[i] = v;
    const prevlenSize = prev < ZIP_BIG_PREVLEN ? 1 : 5;
    let size: number;
    if (v !== null) size = prevlenSize + 1 + intPayload(v);
    else {
      const len = (e as Uint8Array).length;
      size = prevlenSize + strHeaderSize(len) + len;
    }
    sizes[i] = size;
    tail = total - 1; // this entry starts where the terminator would have been
    total += size;
    prev = size;
  }
  if (total > 0xffffffff) throw new UsageError(`encodeZiplist: ${total} bytes exceed the ziplist size limit`);
  const out = new Uint8Array(total);
  writeU32LE(out, 0, total);
  writeU32LE(out, 4, tail);
  const zllen = Math.min(n, BLOB_LAYOUT.ZIPLIST_LENGTH_UNKNOWN);
  out[8] = zllen & 0xff;
  out[9] = zllen >>> 8;
  let pos: number = BLOB_LAYOUT.ZIPLIST_HEADER_SIZE;
  prev = 0;
  for (let i = 0; i < n; i++) {
    let p = pos;
    if (prev < ZIP_BIG_PREVLEN) out[p++] = prev;
    else {
      out[p++] = ZIP_BIG_PREVLEN;
      writeU32LE(out, p, prev);
      p += 4;
    }
    const v = ints[i];
    if (v !== null) {
      const width = intPayload(v);
      switch (width) {
        case 0:
          out[p++] = ZIP_ENCODING.INT_IMM_MIN + Number(v);
          break;
        case 1:
          out[p++] = ZIP_ENCODING.INT_8B;
          break;
        case 2:
          out[p++] = ZIP_ENCODING.INT_16B;
          break;
        case 3:
          out[p++] = ZIP_ENCODING.INT_24B;
          break;
        case 4:
          out[p++] = ZIP_ENCODING.INT_32B;
          break;
        default:
          out[p++] = ZIP_ENCODING.INT_64B;
          break;
      }
      if (width > 0 && width <= 4) {
        const x = Number(v) | 0;
        for (let j = 0; j < width; j++) out[p++] = (x >>> (8 * j)) & 0xff;
      } else if (width === 8) {
        const u = BigInt.asUintN(64, BigInt(v));
        writeU32LE(out, p, Number(u & 0xffffffffn));
        writeU32LE(out, p + 4, Number(u >> 32n));
      }
    } else {
      const s = elements[i] as Uint8Array;
      const len = s.length;
      if (len <= 0x3f) out[p++] = ZIP_ENCODING.STR_06B | len;
      else if (len <= 0x3fff) {
        out[p++] = ZIP_ENCODING.STR_14B | (len >>> 8);
        out[p++] = len & 0xff;
      } else {
        out[p++] = ZIP_ENCODING.STR_32B;
        out[p++] = (len >>> 24) & 0xff;
        out[p++] = (len >>> 16) & 0xff;
        out[p++] = (len >>> 8) & 0xff;
        out[p++] = len & 0xff;
      }
      out.set(s, p);
    }
    pos += sizes[i];
    prev = sizes[i];
  }
  out[pos] = ZIP_ENCODING.END;
  return out;
}

function writeU32LE(out: Uint8Array, pos: number, v: number): void {
  out[pos] = v & 0xff;
  out[pos + 1] = (v >>> 8) & 0xff;
  out[pos + 2] = (v >>> 16) & 0xff;
  out[pos + 3] = (v >>> 24) & 0xff;
}
