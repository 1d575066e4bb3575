/**
 * Integers as decimal ASCII text, the way Redis turns integer-encoded strings and integer
 * listpack/ziplist elements back into bytes, plus Redis's strict "is this text a canonical
 * int64?" test that decides when a writer may store a string as an integer
 * (FORMATS.md §1.6 rule 1, §3.2, §3.4).
 */

import { UsageError } from '../errors.js';

/** Limits of the canonical integer text form (FORMATS.md §1.6). */
export const CANONICAL_INT = {
  /** Longest canonical int64 text: "-9223372036854775808" (LONG_STR_SIZE - 1 in Redis). */
  MAX_CHARS: 20,
  /** Smallest int64. */
  MIN: -(2n ** 63n),
  /** Largest int64. */
  MAX: 2n ** 63n - 1n,
} as const;

/** How many small non-negative integers have a cached text form. */
const CACHED_INTS = 10_000;

/**
 * Decimal text of 0 .. CACHED_INTS-1 (shared, never to be mutated), each made the first time
 * it is asked for: building all of them when the module loads would cost every process that
 * loads it, also one that reads a few keys.
 */
const SMALL_INT_TEXT: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(CACHED_INTS).fill(undefined);

/** The shared text of a small non-negative integer `v` (< CACHED_INTS). */
function smallIntText(v: number): Uint8Array {
  return (SMALL_INT_TEXT[v] ??= asciiBytes(String(v)));
}

function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * The decimal ASCII text of an integer (`-300` → the bytes of "-300").
 *
 * Values 0 … 9999 return one of a set of **shared, cached arrays**: callers must treat the
 * result as read-only and copy it before changing it or handing it to code that might.
 *
 * @param v a safe integer number or a bigint (any size)
 * @throws UsageError if `v` is a number that is not a safe integer
 */
export function intToBytes(v: number | bigint): Uint8Array {
  if (typeof v === 'number') {
    if (v >= 0 && v < CACHED_INTS && (v | 0) === v) return smallIntText(v);
    if (!Number.isSafeInteger(v)) throw new UsageError(`intToBytes: ${v} is not a safe integer`);
    // String(-0) is "0", which is what we want.
    return asciiBytes(String(v));
  }
  if (v >= 0n && v < BigInt(CACHED_INTS)) return smallIntText(Number(v));
  return asciiBytes(v.toString());
}

/**
 * Writes the decimal text of the integer `v` into `out` from index 0 (at least 20 bytes long)
 * and returns its length: the bytes {@link intToBytes} gives, without an array of their own.
 */
export function writeIntText(v: number | bigint, out: Uint8Array): number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) {
    if (v < 0) {
      out[0] = 0x2d;
      return 1 + writeDigits(-v, out, 1);
    }
    return writeDigits(v, out, 0);
  }
  const b = intToBytes(v);
  out.set(b);
  return b.length;
}

/** The digits of the non-negative integer `x` (below 2^53) at `out[p…]`; their count. */
function writeDigits(x: number, out: Uint8Array, p: number): number {
  const n = digitCount(x);
  writeLowDigits(x, out, p + n, n);
  return n;
}

/** How many decimal digits the non-negative integer `x` (below 2^53) has (1 for 0). */
export function digitCount(x: number): number {
  let n = 1;
  for (let t = 10; t <= x; t *= 10) n++;
  return n;
}

/**
 * Writes the lowest `count` decimal digits of the non-negative integer `x` (below 2^53) into
 * `out[end - count, end)`, zero-padded; returns what is left of `x` above them.
 */
export function writeLowDigits(x: number, out: Uint8Array, end: number, count: number): number {
  const stop = end - count;
  let i = end - 1;
  // Digits of a value above 2^31 in floating point (at most six steps below 2^53), the rest
  // in int32 arithmetic, which divides by 10 with a multiplication.
  for (; i >= stop && x > 0x7fffffff; i--) {
    const q = Math.floor(x / 10);
    out[i] = 0x30 + (x - q * 10);
    x = q;
  }
  if (i < stop) return x;
  let v = x | 0;
  for (; i >= stop; i--) {
    const q = (v / 10) | 0;
    out[i] = 0x30 + (v - q * 10);
    v = q;
  }
  return v;
}

const DIGIT_0 = 0x30;
const DIGIT_1 = 0x31;
const DIGIT_9 = 0x39;
const MINUS = 0x2d;

/** Up to 15 digits always fit in a double exactly (10^15 < 2^53). */
const MAX_NUMBER_DIGITS = 15;

/**
 * Checks Redis's canonical int64 text rule and returns the value as a `number` when it is a
 * safe integer, else as a `bigint`. Returns `null` when the bytes are not canonical.
 * Same rule as {@link parseCanonicalInt}; this variant avoids BigInt for common values and is
 * what the encoders use.
 */
export function parseCanonicalIntValue(bytes: Uint8Array): number | bigint | null {
  const n = bytes.length;
  if (n === 0 || n > CANONICAL_INT.MAX_CHARS) return null;
  let i = 0;
  const negative = bytes[0] === MINUS;
  if (negative) {
    i = 1;
    if (n === 1) return null;
  }
  const first = bytes[i];
  if (first === DIGIT_0) {
    // "0" alone is canonical; "-0", "00", "01" are not.
    return n === 1 ? 0 : null;
  }
  if (first < DIGIT_1 || first > DIGIT_9) return null;
  const digits = n - i;
  if (digits <= MAX_NUMBER_DIGITS) {
    let v = 0;
    for (; i < n; i++) {
      const d = bytes[i] - DIGIT_0;
      if (d < 0 || d > 9) return null;
      v = v * 10 + d;
    }
    return negative ? -v : v;
  }
  // 16 … 20 characters: may exceed 2^53 or even int64; do it in bigint.
  let v = 0n;
  for (; i < n; i++) {
    const d = bytes[i] - DIGIT_0;
    if (d < 0 || d > 9) return null;
    v = v * 10n + BigInt(d);
  }
  if (negative) v = -v;
  if (v < CANONICAL_INT.MIN || v > CANONICAL_INT.MAX) return null;
  return Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === v ? Number(v) : v;
}

/**
 * Redis's canonical-int64 test (FORMATS.md §1.6 item 1): at most 20 characters, an optional
 * leading '-', then digits with no leading zero ("0" itself is allowed, "-0" is not), no '+',
 * no spaces, and the value inside the int64 range.
 *
 * @returns the value, or `null` if the bytes are not a canonical int64
 */
export function parseCanonicalInt(bytes: Uint8Array): bigint | null {
  const v = parseCanonicalIntValue(bytes);
  if (v === null) return null;
  return typeof v === 'bigint' ? v : BigInt(v);
}
