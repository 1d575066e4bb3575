/**
 * Listpack blobs (FORMATS.md §3.4): deep validation and element walk, plus an encoder that
 * produces the same bytes Redis produces for the same elements.
 *
 * Layout, in short: a 6-byte header (total size u32 LE, element count u16 LE), the elements,
 * then a single 0xFF. Each element is an encoding byte (which also tells integer from string
 * and how many length/data bytes follow), its data, and a "backlen": the size of encoding +
 * data written in 1–5 bytes of 7-bit groups so the list can also be walked from the end.
 */

import { UsageError, hexByte } from '../../errors.js';
import {
  BLOB_LAYOUT,
  blobCorrupt,
  i64le,
  readListpackHeader,
  u16le,
  u32le,
  type BlobLocation,
} from '../../binary/layouts.js';
import { parseCanonicalIntValue } from '../../binary/int-text.js';

/**
 * Receives one element of a listpack or ziplist.
 *
 * - String element: `str` is a zero-copy view into the blob (valid only while the blob is;
 *   copy it to keep it) and `int` is 0.
 * - Integer element: `str` is `null` and `int` is the value, a `number` when it is a safe
 *   integer, else a `bigint`. Integers are not turned into text here; callers do that lazily
 *   (e.g. with `intToBytes`).
 */
export type ElementVisitor = (str: Uint8Array | null, int: number | bigint) => void;

/**
 * An element callback given a string element where it is, without a view: `buf[start, start +
 * len)` (`buf` is the blob); an integer element comes with `start` −1 and its value in `int`
 * (as for {@link ElementVisitor}).
 */
export type RangeVisitor = (buf: Uint8Array, start: number, len: number, int: number | bigint) => void;

/** Element encodings by first byte (FORMATS.md §3.4; names after the Redis macros). */
export const LP_ENCODING = {
  /** LP_ENCODING_7BIT_UINT: 0xxxxxxx, value 0..127, 1 byte. */
  UINT7: 0x00,
  /** LP_ENCODING_6BIT_STR: 10xxxxxx, string of 0..63 bytes follows. */
  STR6: 0x80,
  /** LP_ENCODING_13BIT_INT: 110xxxxx yyyyyyyy, signed 13-bit value. */
  INT13: 0xc0,
  /** LP_ENCODING_12BIT_STR: 1110xxxx yyyyyyyy, string of up to 4095 bytes follows. */
  STR12: 0xe0,
  /** LP_ENCODING_32BIT_STR: 0xF0 + u32 LE length, then the string. */
  STR32: 0xf0,
  /** LP_ENCODING_16BIT_INT: 0xF1 + int16 LE. */
  INT16: 0xf1,
  /** LP_ENCODING_24BIT_INT: 0xF2 + int24 LE. */
  INT24: 0xf2,
  /** LP_ENCODING_32BIT_INT: 0xF3 + int32 LE. */
  INT32: 0xf3,
  /** LP_ENCODING_64BIT_INT: 0xF4 + int64 LE. */
  INT64: 0xf4,
  /** LP_EOF: terminator, never an element. */
  EOF: 0xff,
} as const;

/** Size limits the writer uses to pick encodings (FORMATS.md §3.4 writer rules). */
const LP_LIMITS = {
  /** Strings shorter than this use the 1-byte header. */
  STR6_MAX_EXCLUSIVE: 64,
  /** Strings shorter than this use the 2-byte header. */
  STR12_MAX_EXCLUSIVE: 4096,
  /** Largest blob the header can describe. */
  MAX_TOTAL_BYTES: 0xffffffff,
} as const;

/**
 * Bytes the backlen takes for an element whose encoding+data is `size` bytes. Redis uses
 * these exact thresholds (note the strict `<`: 16383 already needs 3 bytes), and a forward
 * walk must use them too, since the backlen size is not stored anywhere.
 */
export function listpackBacklenSize(size: number): number {
  if (size <= 127) return 1;
  if (size < 16383) return 2;
  if (size < 2097151) return 3;
  if (size < 268435455) return 4;
  return 5;
}

/**
 * Checks that the backlen at `pos` (of `blen` bytes) is exactly the encoding Redis writes for
 * `size`: most significant 7-bit group first with bit 7 clear, every later group with bit 7
 * set. `size` is < 2^32 because it fits inside a blob whose size is a u32.
 */
function backlenMatches(blob: Uint8Array, pos: number, blen: number, size: number): boolean {
  if (blen === 1) return blob[pos] === size;
  let shift = 7 * (blen - 1);
  if (blob[pos] !== size >>> shift) return false;
  for (let j = 1; j < blen; j++) {
    shift -= 7;
    if (blob[pos + j] !== (((size >>> shift) & 0x7f) | 0x80)) return false;
  }
  return true;
}

/** The stored backlen bytes as hex, for error messages. */
function describeBacklen(blob: Uint8Array, pos: number, blen: number): string {
  const bytes: string[] = [];
  for (let j = 0; j < blen; j++) bytes.push(blob[pos + j].toString(16).padStart(2, '0'));
  return `bytes ${bytes.join(' ')}`;
}

function expectedBacklen(size: number, blen: number): string {
  const bytes: string[] = [];
  if (blen === 1) bytes.push(size.toString(16).padStart(2, '0'));
  else {
    for (let j = 0; j < blen; j++) {
      const shift = 7 * (blen - 1 - j);
      const g = j === 0 ? size >>> shift : ((size >>> shift) & 0x7f) | 0x80;
      bytes.push(g.toString(16).padStart(2, '0'));
    }
  }
  return `backlen ${size} (bytes ${bytes.join(' ')})`;
}

/** Bytes of encoding header needed by each first-byte class ≥ 0xF0 (0 = invalid). */
function wideHeaderBytes(b: number): number {
  switch (b) {
    case LP_ENCODING.STR32:
      return 5;
    case LP_ENCODING.INT16:
      return 3;
    case LP_ENCODING.INT24:
      return 4;
    case LP_ENCODING.INT32:
      return 5;
    case LP_ENCODING.INT64:
      return 9;
    default:
      return 0;
  }
}

/**
 * Walks a listpack, validating it deeply, and calls `visit` for every element in order.
 *
 * Checks: header `total_bytes` equals the blob length; the blob ends with 0xFF and no element
 * starts with 0xFF before it; every encoding byte is defined; every element (encoding, data
 * and backlen) ends before the terminator; every backlen is byte-for-byte what the element's
 * size requires; the element count equals the header count unless that is 65535 ("unknown").
 * Per-type rules (pairs, unique fields, stream grammar) are the caller's job.
 *
 * With no visitor nothing is allocated. The visitor may already have seen some elements when a
 * later problem (e.g. a count mismatch) is detected and thrown.
 *
 * @param blob the whole listpack; may be a subarray at any byte offset
 * @param at absolute file location of the blob's first byte, for errors
 * @param visit optional element callback (see {@link ElementVisitor})
 * @param visitRange optional element callback taking string elements where they are (see
 *   {@link RangeVisitor}), called instead of `visit`
 * @returns the number of elements
 * @throws CorruptDataError (`BLOB_CORRUPT`) with `offset = at.offset + position in blob`
 */
export function walkListpack(blob: Uint8Array, at: BlobLocation, visit?: ElementVisitor, visitRange?: RangeVisitor): number {
  const header = readListpackHeader(blob, at);
  const end = blob.length - 1; // position of the terminator
  let pos: number = BLOB_LAYOUT.LP_HDR_SIZE;
  let count = 0;
  while (pos < end) {
    const b = blob[pos];
    let size: number; // encoding + data bytes
    let strStart = -1;
    let strLen = 0;
    let int: number | bigint = 0;
    if (b < 0x80) {
      // 0xxxxxxx: small unsigned integer in the byte itself.
      size = 1;
      int = b;
    } else if (b < 0xc0) {
      // 10xxxxxx: string, length in the low 6 bits.
      strLen = b & 0x3f;
      strStart = pos + 1;
      size = 1 + strLen;
    } else if (b < 0xe0) {
      // 110xxxxx yyyyyyyy: 13-bit two's complement integer.
      if (pos + 2 > end) throw truncatedElement(at, pos, 2, end);
      const raw = ((b & 0x1f) << 8) | blob[pos + 1];
      int = raw >= 4096 ? raw - 8192 : raw;
      size = 2;
    } else if (b < 0xf0) {
      // 1110xxxx yyyyyyyy: string, 12-bit length.
      if (pos + 2 > end) throw truncatedElement(at, pos, 2, end);
      strLen = ((b & 0x0f) << 8) | blob[pos + 1];
      strStart = pos + 2;
      size = 2 + strLen;
    } else {
      if (b === LP_ENCODING.EOF) {
        throw blobCorrupt('listpack', at, pos, 'terminator before the end of the blob',
          `an element (terminator at position ${end})`, hexByte(b));
      }
      const hdr = wideHeaderBytes(b);
      if (hdr === 0) {
        throw blobCorrupt('listpack', at, pos, 'invalid element encoding',
          'one of 0x00-0xEF, 0xF0-0xF4', hexByte(b));
      }
      if (pos + hdr > end) throw truncatedElement(at, pos, hdr, end);
      const p = pos + 1;
      switch (b) {
        case LP_ENCODING.STR32:
          strLen = u32le(blob, p);
          strStart = pos + 5;
          size = 5 + strLen;
          break;
        case LP_ENCODING.INT16: {
          const v = u16le(blob, p);
          int = v >= 0x8000 ? v - 0x10000 : v;
          size = 3;
          break;
        }
        case LP_ENCODING.INT24: {
          const v = blob[p] | (blob[p + 1] << 8) | (blob[p + 2] << 16);
          int = v >= 0x800000 ? v - 0x1000000 : v;
          size = 4;
          break;
        }
        case LP_ENCODING.INT32:
          int = blob[p] | (blob[p + 1] << 8) | (blob[p + 2] << 16) | (blob[p + 3] << 24);
          size = 5;
          break;
        default: // LP_ENCODING.INT64
          int = i64le(blob, p);
          size = 9;
          break;
      }
    }
    if (pos + size > end) {
      throw blobCorrupt('listpack', at, pos, 'element runs past the terminator',
        `at most ${end - pos} bytes`, `${size} bytes of encoding and data`);
    }
    const backlenPos = pos + size;
    const blen = listpackBacklenSize(size);
    if (backlenPos + blen > end) {
      throw blobCorrupt('listpack', at, backlenPos, 'element backlen runs past the terminator',
        `${blen} backlen bytes`, `${end - backlenPos} bytes before the terminator`);
    }
    if (!backlenMatches(blob, backlenPos, blen, size)) {
      throw blobCorrupt('listpack', at, backlenPos, `backlen of the element at position ${pos} is wrong`,
        expectedBacklen(size, blen), describeBacklen(blob, backlenPos, blen));
    }
    if (visitRange !== undefined) visitRange(blob, strStart, strLen, int);
    else if (visit !== undefined) {
      if (strStart >= 0) visit(blob.subarray(strStart, strStart + strLen), 0);
      else visit(null, int);
    }
    pos = backlenPos + blen;
    count++;
  }
  if (header.count !== BLOB_LAYOUT.LP_HDR_NUMELE_UNKNOWN && header.count !== count) {
    throw blobCorrupt('listpack', at, 4, 'header element count does not match the elements',
      `${count}`, `${header.count}`);
  }
  return count;
}

function truncatedElement(at: BlobLocation, pos: number, need: number, end: number): Error {
  return blobCorrupt('listpack', at, pos, 'element encoding runs past the terminator',
    `${need} encoding bytes`, `${end - pos} bytes before the terminator`);
}

/**
 * Shallow check plus element count: validates the header (`total_bytes` equals the blob
 * length) and the terminator, then returns the header count. When the header count is 65535
 * ("unknown") the elements are walked (with full validation) to count them.
 *
 * @param blob the whole listpack; may be a subarray
 * @param at absolute file location of the blob's first byte
 * @returns the number of elements
 * @throws CorruptDataError (`BLOB_CORRUPT`)
 */
export function listpackHeaderCount(blob: Uint8Array, at: BlobLocation): number {
  const { count } = readListpackHeader(blob, at);
  if (count !== BLOB_LAYOUT.LP_HDR_NUMELE_UNKNOWN) return count;
  return walkListpack(blob, at);
}

/** An element to encode: bytes (stored as an integer when canonical) or an integer. */
export type ListpackInput = Uint8Array | number | bigint;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Normalizes an integer input: safe numbers stay numbers, bigints in the safe range too. */
function checkedInt(v: number | bigint, where: string): number | bigint {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new UsageError(`${where}: ${v} is not a safe integer (pass a bigint)`);
    return v;
  }
  if (v < INT64_MIN || v > INT64_MAX) throw new UsageError(`${where}: ${v} is outside the int64 range`);
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

/** Encoding+data size of an integer element (smallest form, FORMATS.md §3.4). */
function intSize(v: number | bigint): number {
  if (typeof v === 'bigint') return 9;
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= -2147483648 && v <= 2147483647) return 5;
  return 9;
}

function strHeaderSize(len: number): number {
  if (len < LP_LIMITS.STR6_MAX_EXCLUSIVE) return 1;
  if (len < LP_LIMITS.STR12_MAX_EXCLUSIVE) return 2;
  return 5;
}

/** Bytes of an empty listpack: the 6-byte header and the terminator. */
export const LISTPACK_EMPTY_BYTES = BLOB_LAYOUT.LP_HDR_SIZE + 1;

/**
 * Bytes one element adds to a listpack that Redis builds (encoding, data and backlen), with
 * the same integer and string forms {@link encodeListpack} picks: what a writer needs to fill
 * quicklist nodes and stream nodes the way the server fills them.
 * @throws UsageError for a non-safe `number` or an out-of-range `bigint`
 */
export function listpackEntryBytes(e: ListpackInput): number {
  const v = e instanceof Uint8Array ? parseCanonicalIntValue(e) : checkedInt(e, 'listpackEntryBytes');
  const size = v !== null ? intSize(v) : strHeaderSize((e as Uint8Array).length) + (e as Uint8Array).length;
  return size + listpackBacklenSize(size);
}

/** Writes the little-endian two's complement of `v` in `width` bytes at `pos`. */
function writeIntLE(out: Uint8Array, pos: number, v: number | bigint, width: number): void {
  if (width <= 4) {
    const x = Number(v) | 0;
    for (let j = 0; j < width; j++) out[pos + j] = (x >>> (8 * j)) & 0xff;
    return;
  }
  const u = BigInt.asUintN(64, BigInt(v));
  const lo = Number(u & 0xffffffffn);
  const hi = Number(u >> 32n);
  for (let j = 0; j < 4; j++) out[pos + j] = (lo >>> (8 * j)) & 0xff;
  for (let j = 0; j < 4; j++) out[pos + 4 + j] = (hi >>> (8 * j)) & 0xff;
}

/** Writes the backlen for `size` at `pos`, returns its length. */
function writeBacklen(out: Uint8Array, pos: number, size: number): number {
  const blen = listpackBacklenSize(size);
  if (blen === 1) {
    out[pos] = size;
    return 1;
  }
  let shift = 7 * (blen - 1);
  out[pos] = size >>> shift;
  for (let j = 1; j < blen; j++) {
    shift -= 7;
    out[pos + j] = ((size >>> shift) & 0x7f) | 0x80;
  }
  return blen;
}

/**
 * Builds a listpack exactly as Redis would for the same elements (FORMATS.md §3.4 writer
 * rules): byte strings that are canonical int64 decimals are stored as integers, integers use
 * the smallest of the 7-bit/13-bit/16/24/32/64-bit forms, strings the smallest length header,
 * backlens Redis's size thresholds, and the header count is capped at 65535.
 *
 * @param elements strings (as bytes) and integers (safe `number`s or int64 `bigint`s)
 * @returns a new listpack blob
 * @throws UsageError for a non-safe `number`, an out-of-range `bigint`, or a result larger
 *   than 2^32 − 1 bytes
 */
export function encodeListpack(elements: readonly ListpackInput[]): Uint8Array {
  const n = elements.length;
  // Pass 1: decide each element's form and the total size.
  const ints: (number | bigint | null)[] = new Array<number | bigint | null>(n);
  const sizes = new Float64Array(n);
  let total = BLOB_LAYOUT.LP_HDR_SIZE + 1;
  for (let i = 0; i < n; i++) {
    const e = elements[i];
    let v: number | bigint | null;
    if (e instanceof Uint8Array) v = parseCanonicalIntValue(e);
    else v = checkedInt(e, 'encodeListpack');
    ints[i] = v;
    let size: number;
    if (v !== null) size = intSize(v);
    else {
      const len = (e as Uint8Array).length;
      size = strHeaderSize(len) + len;
    }
    sizes[i] = size;
    total += size + listpackBacklenSize(size);
  }
  if (total > LP_LIMITS.MAX_TOTAL_BYTES) {
    throw new UsageError(`encodeListpack: ${total} bytes exceed the listpack size limit`);
  }
  // Pass 2: write.
  const out = new Uint8Array(total);
  out[0] = total & 0xff;
  out[1] = (total >>> 8) & 0xff;
  out[2] = (total >>> 16) & 0xff;
  out[3] = (total >>> 24) & 0xff;
  const headerCount = Math.min(n, BLOB_LAYOUT.LP_HDR_NUMELE_UNKNOWN);
  out[4] = headerCount & 0xff;
  out[5] = headerCount >>> 8;
  let pos: number = BLOB_LAYOUT.LP_HDR_SIZE;
  for (let i = 0; i < n; i++) {
    const v = ints[i];
    const size = sizes[i];
    if (v !== null) {
      switch (size) {
        case 1:
          out[pos] = Number(v);
          break;
        case 2: {
          const raw = Number(v) & 0x1fff;
          out[pos] = LP_ENCODING.INT13 | (raw >>> 8);
          out[pos + 1] = raw & 0xff;
          break;
        }
        case 3:
          out[pos] = LP_ENCODING.INT16;
          writeIntLE(out, pos + 1, v, 2);
          break;
        case 4:
          out[pos] = LP_ENCODING.INT24;
          writeIntLE(out, pos + 1, v, 3);
          break;
        case 5:
          out[pos] = LP_ENCODING.INT32;
          writeIntLE(out, pos + 1, v, 4);
          break;
        default:
          out[pos] = LP_ENCODING.INT64;
          writeIntLE(out, pos + 1, v, 8);
          break;
      }
    } else {
      const s = elements[i] as Uint8Array;
      const len = s.length;
      let p = pos;
      if (len < LP_LIMITS.STR6_MAX_EXCLUSIVE) {
        out[p++] = LP_ENCODING.STR6 | len;
      } else if (len < LP_LIMITS.STR12_MAX_EXCLUSIVE) {
        out[p++] = LP_ENCODING.STR12 | (len >>> 8);
        out[p++] = len & 0xff;
      } else {
        out[p++] = LP_ENCODING.STR32;
        writeIntLE(out, p, len, 4);
        p += 4;
      }
      out.set(s, p);
    }
    pos += size;
    pos += writeBacklen(out, pos, size);
  }
  out[pos] = LP_ENCODING.EOF;
  return out;
}
