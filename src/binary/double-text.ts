/**
 * Doubles as C's `printf("%.<p>g")` writes them with glibc, digit for digit: the form Redis
 * gives a double as text — `%.17g` for sorted-set scores in replies and in ziplists/listpacks
 * before 7.2 (FORMATS.md §2.13), and Lua 5.1's `%.14g` (`tostring`, `..`, cjson) and the
 * `%.17g` of a number passed to `redis.call`. JavaScript's own forms differ in three ways
 * this file handles: the switch to an exponent (C: below 1e-4 or at 10^p and above), the
 * exponent's two digits (`1e+20`, `1e-05`), and ties (glibc rounds the exact binary value
 * half to even; `toExponential` rounds a tie up).
 */

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17];

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** True when the sign bit of `n` is set (glibc prints such a NaN as `-nan`). */
function signBit(n: number): boolean {
  f64[0] = n;
  return (u32[1] & 0x80000000) !== 0;
}

/**
 * `n` as `printf("%.<precision>g", n)` prints it with glibc (precision 1–17).
 * Infinities are `inf`/`-inf`, NaN `nan` or `-nan` by its sign bit, negative zero `-0`.
 */
/** Powers of ten that are exact doubles (up to 10^22). */
const EXACT_POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * The fewest fraction digits `k` (0 to 22) for which the decimal `m / 10^k`, `m` an integer
 * below 2^53, is exactly `x` as a double: `Math.round(x * 10^k)` is that `m`, and the text of
 * `m` with its last `k` digits after a point reads back (strtod, `Number`) as `x` — the
 * division of two exact doubles rounds once, as the parse does. −1 when there is no such
 * decimal (very large or very small magnitudes, or more than 15–17 significant digits), or
 * `x` is not finite.
 */
export function exactFractionDigits(x: number): number {
  if (!Number.isFinite(x)) return -1;
  for (let k = 0; k < EXACT_POW10.length; k++) {
    const p = EXACT_POW10[k];
    const m = Math.round(x * p);
    if (m > MAX_EXACT || m < -MAX_EXACT) return -1;
    if (m / p === x) return k;
  }
  return -1;
}

const MAX_EXACT = 2 ** 53 - 1;

/** `10^k` for a `k` from {@link exactFractionDigits}. */
export function exactPow10(k: number): number {
  return EXACT_POW10[k];
}

export function formatG(n: number, precision: number): string {
  if (Number.isSafeInteger(n) && n !== 0 && Math.abs(n) < POW10[precision]) return String(n);
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  if (!Number.isFinite(n)) {
    if (Number.isNaN(n)) return signBit(n) ? '-nan' : 'nan';
    return n > 0 ? 'inf' : '-inf';
  }
  const neg = n < 0;
  const x = neg ? -n : n;
  const e = x.toExponential(precision - 1);
  const ePos = e.indexOf('e');
  let digits = precision === 1 ? e.slice(0, ePos) : e[0] + e.slice(2, ePos);
  let exp = Number(e.slice(ePos + 1));
  const exact = tiePossible(x, precision) ? tieDigits(x, precision) : null;
  if (exact !== null) {
    // A tie: glibc keeps the even last digit, toExponential rounded up.
    const down = exact.digits.slice(0, precision);
    if ((down.charCodeAt(precision - 1) - 48) % 2 === 0) {
      digits = down;
      exp = exact.exp;
    }
  }
  let out: string;
  if (exp < -4 || exp >= precision) {
    const frac = withoutTrailingZeros(digits, 1);
    const ae = exp < 0 ? -exp : exp;
    out = digits[0] + (frac === '' ? '' : '.' + frac) + (exp < 0 ? 'e-' : 'e+') + (ae < 10 ? '0' + ae : String(ae));
  } else if (exp >= 0) {
    const frac = withoutTrailingZeros(digits, exp + 1);
    out = frac === '' ? digits.slice(0, exp + 1) : digits.slice(0, exp + 1) + '.' + frac;
  } else {
    out = '0.' + '0'.repeat(-exp - 1) + withoutTrailingZeros(digits, 0);
  }
  return neg ? '-' + out : out;
}

/** `s` from index `from` on, without its trailing zeros. */
function withoutTrailingZeros(s: string, from: number): string {
  let end = s.length;
  while (end > from && s.charCodeAt(end - 1) === 48) end--;
  return end > from ? s.slice(from, end) : '';
}

/**
 * False when `x` (positive, finite) cannot be a tie for rounding to `precision` significant
 * digits, which needs its exact decimal value to have exactly `precision + 1` of them: a value
 * M × 2^−k (M odd, k > 0) has the digits of M × 5^k, at least k × log10(5) of them. Typical
 * fractional scores have k of 30 or more, and skip the two extra conversions a tie needs.
 */
function tiePossible(x: number, precision: number): boolean {
  f64[0] = x;
  const hi = u32[1];
  const lo = u32[0];
  const biased = (hi >>> 20) & 0x7ff;
  // Subnormals: the slow path decides.
  if (biased === 0) return true;
  // The significand's trailing zero bits (it has its implicit leading 1, so it is not 0).
  const tz = lo !== 0 ? 31 - Math.clz32(lo & -lo) : 63 - Math.clz32(((hi & 0xfffff) | 0x100000) & -((hi & 0xfffff) | 0x100000));
  const k = 1075 - biased - tz;
  // log10(5) rounded down: the test errs on the side of the slow path.
  return k <= 0 || k * 0.69897 < precision + 1;
}

/**
 * When `x`'s exact decimal value has exactly `precision + 1` significant digits and the last
 * one is 5 (a tie for rounding to `precision` digits), those digits and the exponent; else null.
 */
function tieDigits(x: number, precision: number): { digits: string; exp: number } | null {
  const probe = x.toExponential(precision);
  if (probe[probe.indexOf('e') - 1] !== '5') return null;
  // A double's exact expansion that ends at digit p+1 shows in full within 101 digits.
  const full = x.toExponential(100);
  const ePos = full.indexOf('e');
  const digits = full[0] + full.slice(2, ePos);
  if (digits[precision] !== '5' || !/^0*$/.test(digits.slice(precision + 1))) return null;
  return { digits, exp: Number(full.slice(ePos + 1)) };
}
