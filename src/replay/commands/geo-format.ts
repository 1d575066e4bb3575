/**
 * How the geo commands write numbers: a distance with four decimals (Redis 7.0's
 * `fixedpoint_d2string`: the value times 10^4 rounded half to even by `llrint`), a coordinate
 * in the long-double "human" form (`%.17Lf`, trailing zeros and a bare `.` cut, `-0` written
 * `0`), and a coordinate in an error message (`%f`). The decimal expansions are exact, as
 * glibc's printf makes them: a double is `m · 2^e` and its digits are computed with bigints.
 */

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** A finite double's magnitude as `m · 2^e` (m a non-negative bigint). */
function mantissaExponent(x: number): { m: bigint; e: number } {
  F64[0] = x;
  const hi = U32[1];
  const lo = U32[0];
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return { m, e: -1074 };
  m |= 1n << 52n;
  return { m, e: biased - 1075 };
}

/**
 * `|x|` with exactly `digits` decimals, rounded to nearest with ties to even, without sign
 * (x finite).
 */
function fixedMagnitude(x: number, digits: number): string {
  const { m, e } = mantissaExponent(x);
  const scale = 10n ** BigInt(digits);
  let q: bigint;
  if (e >= 0) q = (m << BigInt(e)) * scale;
  else {
    const shift = BigInt(-e);
    const n = m * scale;
    q = n >> shift;
    const rest = n - (q << shift);
    const half = 1n << (shift - 1n);
    if (rest > half || (rest === half && (q & 1n) === 1n)) q += 1n;
  }
  if (digits === 0) return q.toString();
  const int = q / scale;
  const frac = (q % scale).toString().padStart(digits, '0');
  return `${int}.${frac}`;
}

/** C's `%.<digits>f` of a double (glibc: exact digits, ties to even, `-` kept on −0, `inf`/`nan` spelt so). */
export function printfFixed(x: number, digits: number): string {
  if (x !== x) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const negative = x < 0 || Object.is(x, -0);
  return (negative ? '-' : '') + fixedMagnitude(x, digits);
}

/**
 * A coordinate as Redis replies it (`addReplyHumanLongDouble` of a double, RESP2): 17
 * decimals, then the trailing zeros of the fraction and a bare `.` cut, and `-0` made `0`.
 */
export function formatCoordinate(x: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  let s = printfFixed(x, 17);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

/** `llrint` on x86-64: to nearest, ties to even; NaN and values outside int64 give −2^63. */
function llrint(x: number): bigint {
  if (!(x >= -9223372036854775808 && x < 9223372036854775808)) return -(2n ** 63n);
  if (Math.abs(x) >= 4503599627370496) return BigInt(x);
  const f = Math.floor(x);
  const r = x - f;
  const n = r > 0.5 || (r === 0.5 && f % 2 !== 0) ? f + 1 : f;
  return BigInt(n);
}

/**
 * A distance as Redis 7.0 replies it (addReplyDoubleDistance → fixedpoint_d2string with 4
 * decimals): zero is `0.0000`; otherwise the value times 10^4 rounded by `llrint` and written
 * with a `.` before its last four digits.
 */
export function formatDistance(d: number): string {
  if (d === 0) return '0.0000';
  const v = llrint(d * 10000);
  const negative = v < 0n;
  const digits = (negative ? -v : v).toString().padStart(5, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -4)}.${digits.slice(-4)}`;
}
