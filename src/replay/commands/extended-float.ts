/**
 * The x87 80-bit `long double` arithmetic that INCRBYFLOAT and HINCRBYFLOAT compute with on
 * x86-64 (64-bit significand, exponents down to subnormals at 2^-16445), done exactly with
 * BigInt: `strtold` as Redis's `string2ld` calls it, one addition, and `ld2string`'s human
 * form (`%.17Lf` with the trailing zeros of the fraction and a bare `.` cut, `-0` written
 * `0`). Every step rounds to nearest, ties to even, as glibc does.
 *
 * A value is held as `m · 2^e` (m a signed BigInt of at most 64 significant bits), or as an
 * infinity. These commands are rare in a file (Redis logs their results since 2.6), so
 * clarity beats speed here.
 */
import type { ByteString } from '../../dataset/byte-string.js';

/** A finite long double `m · 2^e`, or an infinity (`m` is then ±1 and `e` is NaN). */
export interface LongDouble {
  readonly m: bigint;
  readonly e: number;
}

/** Bits of the x87 significand (the integer bit is explicit). */
const PRECISION = 64;
/** Exponent of the smallest subnormal's unit: 2^-16445. */
const MIN_QUANTUM = -16445;
/** Largest exponent of a finite value's leading bit. */
const MAX_LEAD = 16383;
/** `string2ld` copies into a buffer of 5 KiB (MAX_LONG_DOUBLE_CHARS) and refuses longer text. */
const MAX_TEXT = 5 * 1024;

const INF: LongDouble = { m: 1n, e: NaN };
const NEG_INF: LongDouble = { m: -1n, e: NaN };
const ZERO: LongDouble = { m: 0n, e: 0 };

/** True for ±infinity. */
export function isInfinite(v: LongDouble): boolean {
  return Number.isNaN(v.e);
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * Rounds `mag · 2^e` (mag ≥ 0; `sticky` when nonzero bits were already cut below 2^e) to the
 * nearest long double, ties to even, and gives it the sign.
 */
function round(negative: boolean, mag: bigint, e: number, sticky = false): LongDouble {
  if (mag === 0n) return ZERO;
  const len = bitLength(mag);
  const quantum = Math.max(e + len - PRECISION, MIN_QUANTUM);
  if (quantum > e) {
    const shift = BigInt(quantum - e);
    const kept = mag >> shift;
    const rest = mag - (kept << shift);
    const half = 1n << (shift - 1n);
    let q = kept;
    if (rest > half || (rest === half && (sticky || (kept & 1n) === 1n))) q += 1n;
    mag = q;
    e = quantum;
  }
  if (mag === 0n) return ZERO;
  if (e + bitLength(mag) - 1 > MAX_LEAD) return negative ? NEG_INF : INF;
  return { m: negative ? -mag : mag, e };
}

const DECIMAL = /^([+-]?)(?:([0-9]+)\.?([0-9]*)|\.([0-9]+))(?:[eE]([+-]?[0-9]+))?$/;
const HEX = /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?[0-9]+))?$/;
const INFINITY = /^([+-]?)(?:inf|infinity)$/i;

/** An exponent written in the text, saturated far outside any finite long double's range. */
function exponentOf(s: string | undefined): number {
  if (s === undefined) return 0;
  const n = Number(s);
  return Math.max(-1e7, Math.min(1e7, n));
}

/**
 * The text as Redis's `string2ld` reads it: the whole text taken by `strtold` (decimal, hex
 * with a binary exponent, `inf`/`infinity`), no leading space, at most 5119 bytes; null
 * when it refuses it — NaN, an overflow to infinity, an underflow to zero, anything else.
 * A finite value that rounds to a subnormal is accepted.
 */
export function parseLongDouble(s: ByteString): LongDouble | null {
  if (s.length === 0 || s.length >= MAX_TEXT) return null;
  let m = DECIMAL.exec(s);
  if (m !== null) {
    const intDigits = m[2] ?? '';
    const fracDigits = m[3] ?? m[4] ?? '';
    const digits = (intDigits + fracDigits).replace(/^0+/, '');
    if (digits === '') return m[1] === '-' ? { m: 0n, e: 0 } : ZERO;
    const exp10 = exponentOf(m[5]) - fracDigits.length;
    const magnitude = exp10 + digits.length; // value < 10^magnitude
    if (magnitude - 1 > 4940) return null; // ≥ 1e4941 > LDBL_MAX: ERANGE
    if (magnitude < -4960) return null; // < 1e-4960: rounds to zero, ERANGE
    const mant = BigInt(digits);
    const v = decimalToLongDouble(m[1] === '-', mant, exp10);
    return v.m === 0n || isInfinite(v) ? null : v;
  }
  m = HEX.exec(s);
  if (m !== null) {
    const intDigits = m[2] ?? '';
    const fracDigits = m[3] ?? m[4] ?? '';
    const digits = (intDigits + fracDigits).replace(/^0+/, '');
    if (digits === '') return ZERO;
    const exp2 = exponentOf(m[5]) - 4 * fracDigits.length;
    const lead = exp2 + 4 * digits.length;
    if (lead > MAX_LEAD + 8) return null;
    if (lead < MIN_QUANTUM - 8) return null;
    const v = round(m[1] === '-', BigInt('0x' + digits), exp2);
    return v.m === 0n || isInfinite(v) ? null : v;
  }
  m = INFINITY.exec(s);
  if (m !== null) return m[1] === '-' ? NEG_INF : INF;
  return null;
}

/** `mant · 10^exp10`, rounded to a long double. */
function decimalToLongDouble(negative: boolean, mant: bigint, exp10: number): LongDouble {
  if (exp10 >= 0) return round(negative, mant * 10n ** BigInt(exp10), 0);
  // mant / 10^k = mant / 5^k · 2^-k: divide by 5^k with enough quotient bits to round.
  const k = -exp10;
  const five = 5n ** BigInt(k);
  const scale = Math.max(0, PRECISION + 3 + bitLength(five) - bitLength(mant));
  const num = mant << BigInt(scale);
  const q = num / five;
  return round(negative, q, -k - scale, q * five !== num);
}

/** The long double of a 64-bit integer (exact). */
export function longDoubleOfInteger(n: bigint): LongDouble {
  return round(n < 0n, n < 0n ? -n : n, 0);
}

/** `a + b`, rounded once; ±infinity on overflow (both inputs finite). */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (isInfinite(a) || isInfinite(b)) {
    if (isInfinite(a) && isInfinite(b) && a.m !== b.m) return { m: 0n, e: NaN }; // NaN
    return isInfinite(a) ? a : b;
  }
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const sum = (a.m << BigInt(a.e - e)) + (b.m << BigInt(b.e - e));
  return round(sum < 0n, sum < 0n ? -sum : sum, e);
}

/** True for a NaN (an infinity minus itself). */
export function isNaNLongDouble(v: LongDouble): boolean {
  return isInfinite(v) && v.m === 0n;
}

const TEN17 = 10n ** 17n;

/**
 * `ld2string(…, LD_STR_HUMAN)`: the value with 17 decimals, rounded to nearest (ties to even,
 * as glibc's printf), trailing zeros of the fraction removed, a trailing `.` removed, and
 * `-0` written `0`. Infinities are `inf`/`-inf`.
 */
export function formatLongDoubleHuman(v: LongDouble): string {
  if (isInfinite(v)) return v.m > 0n ? 'inf' : '-inf';
  const negative = v.m < 0n;
  const mag = negative ? -v.m : v.m;
  let text: string;
  if (v.e >= 0) {
    text = (mag << BigInt(v.e)).toString();
  } else {
    const shift = BigInt(-v.e);
    const n = mag * TEN17;
    let q = n >> shift;
    const rest = n - (q << shift);
    const half = 1n << (shift - 1n);
    if (rest > half || (rest === half && (q & 1n) === 1n)) q += 1n;
    const frac = (q % TEN17).toString().padStart(17, '0').replace(/0+$/, '');
    text = (q / TEN17).toString() + (frac === '' ? '' : '.' + frac);
  }
  if (negative && text !== '0') return '-' + text;
  return text;
}
