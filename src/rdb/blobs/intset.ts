/**
 * Intset blobs (FORMATS.md §3.3): a sorted array of distinct signed integers, all stored with
 * the same width. Layout: width in bytes (u32 LE: 2, 4 or 8), value count (u32 LE), then the
 * values, little-endian two's complement, strictly ascending.
 */

import { UsageError } from '../../errors.js';
import { BLOB_LAYOUT, blobCorrupt, i64le, readIntsetHeader, u32le, type BlobLocation } from '../../binary/layouts.js';

/** Intset value widths (names after the Redis macros). */
export const INTSET_ENC = {
  /** INTSET_ENC_INT16 */
  INT16: 2,
  /** INTSET_ENC_INT32 */
  INT32: 4,
  /** INTSET_ENC_INT64 */
  INT64: 8,
} as const;

/** Options of {@link walkIntset}. */
export interface IntsetWalkOptions {
  /**
   * Also check that the values are strictly ascending (Redis's "deep" sanitization).
   * Default false: like Redis's default load, only the header and size are checked.
   */
  deep?: boolean;
}

function orderError(at: BlobLocation, pos: number, prev: number | bigint, v: number | bigint): Error {
  return blobCorrupt('intset', at, pos, 'values are not strictly ascending', `a value greater than ${prev}`, `${v}`);
}

/**
 * Validates an intset and calls `visit` with every value in stored order.
 *
 * Always checks that the width is 2, 4 or 8, that there is at least one value, and that
 * `8 + count × width` equals the blob length. With `opts.deep` it also checks that the values
 * are strictly ascending. Without a visitor and without `deep` only the header is read.
 *
 * @param blob the whole intset; may be a subarray at any byte offset
 * @param at absolute file location of the blob's first byte
 * @param visit optional value callback: a `number`, or a `bigint` when the value is not a safe
 *   integer
 * @returns the number of values
 * @throws CorruptDataError (`BLOB_CORRUPT`) with `offset = at.offset + position in blob`
 */
export function walkIntset(
  blob: Uint8Array,
  at: BlobLocation,
  visit?: (v: number | bigint) => void,
  opts?: IntsetWalkOptions,
): number {
  const { encoding, length } = readIntsetHeader(blob, at);
  const deep = opts?.deep === true;
  if (visit === undefined && !deep) return length;
  const first = BLOB_LAYOUT.INTSET_HEADER_SIZE;
  const end = first + length * encoding;
  if (encoding === INTSET_ENC.INT16) {
    let prev = -Infinity;
    for (let pos = first; pos < end; pos += 2) {
      const v = ((blob[pos] | (blob[pos + 1] << 8)) << 16) >> 16;
      if (deep && v <= prev) throw orderError(at, pos, prev, v);
      prev = v;
      if (visit !== undefined) visit(v);
    }
  } else if (encoding === INTSET_ENC.INT32) {
    let prev = -Infinity;
    for (let pos = first; pos < end; pos += 4) {
      const v = blob[pos] | (blob[pos + 1] << 8) | (blob[pos + 2] << 16) | (blob[pos + 3] << 24);
      if (deep && v <= prev) throw orderError(at, pos, prev, v);
      prev = v;
      if (visit !== undefined) visit(v);
    }
  } else {
    // Compare as (signed high half, unsigned low half) pairs so no BigInt is needed.
    let prevHi = 0;
    let prevLo = 0;
    for (let pos = first; pos < end; pos += 8) {
      const lo = u32le(blob, pos);
      const hi = blob[pos + 4] | (blob[pos + 5] << 8) | (blob[pos + 6] << 16) | (blob[pos + 7] << 24);
      if (deep && pos > first && (hi < prevHi || (hi === prevHi && lo <= prevLo))) {
        throw orderError(at, pos, i64le(blob, pos - 8), i64le(blob, pos));
      }
      prevHi = hi;
      prevLo = lo;
      if (visit !== undefined) visit(i64le(blob, pos));
    }
  }
  return length;
}

/** Smallest intset width that holds `v`. */
function widthOf(v: number | bigint): 2 | 4 | 8 {
  if (typeof v === 'number') {
    if (v >= -32768 && v <= 32767) return 2;
    if (v >= -2147483648 && v <= 2147483647) return 4;
    return 8;
  }
  if (v >= -32768n && v <= 32767n) return 2;
  if (v >= -2147483648n && v <= 2147483647n) return 4;
  return 8;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Builds an intset from a set of integers the way Redis builds one from scratch: values are
 * sorted ascending and de-duplicated, and the width is the smallest that holds them all
 * (unless `opts.encoding` asks for a wider one, as a Redis set that once held a big value
 * would keep).
 *
 * @param values safe `number`s or int64 `bigint`s, in any order
 * @param opts.encoding force a width of 2, 4 or 8 bytes (must hold every value)
 * @returns a new intset blob
 * @throws UsageError if `values` is empty, a value is not a safe integer / int64, or the
 *   forced width is too small
 */
export function encodeIntset(values: readonly (number | bigint)[], opts?: { encoding?: 2 | 4 | 8 }): Uint8Array {
  if (values.length === 0) throw new UsageError('encodeIntset: an intset needs at least one value');
  const big: bigint[] = values.map((v) => {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) {
      throw new UsageError(`encodeIntset: ${v} is not a safe integer (pass a bigint)`);
    }
    const b = BigInt(v);
    if (b < INT64_MIN || b > INT64_MAX) throw new UsageError(`encodeIntset: ${v} is outside the int64 range`);
    return b;
  });
  big.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const sorted: bigint[] = [];
  for (const v of big) if (sorted.length === 0 || sorted[sorted.length - 1] !== v) sorted.push(v);
  let width: 2 | 4 | 8 = 2;
  for (const v of sorted) {
    const w = widthOf(v);
    if (w > width) width = w;
  }
  if (opts?.encoding !== undefined) {
    if (opts.encoding < width) {
      throw new UsageError(`encodeIntset: width ${opts.encoding} cannot hold every value (needs ${width})`);
    }
    width = opts.encoding;
  }
  const out = new Uint8Array(BLOB_LAYOUT.INTSET_HEADER_SIZE + sorted.length * width);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, width, true);
  dv.setUint32(4, sorted.length, true);
  let pos = BLOB_LAYOUT.INTSET_HEADER_SIZE;
  for (const v of sorted) {
    if (width === 2) dv.setInt16(pos, Number(v), true);
    else if (width === 4) dv.setInt32(pos, Number(v), true);
    else dv.setBigInt64(pos, v, true);
    pos += width;
  }
  return out;
}
