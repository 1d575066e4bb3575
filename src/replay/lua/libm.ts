/**
 * C library functions a Lua 5.1 script reaches, where JavaScript's answer can differ from
 * glibc's: `pow`, `frexp` and `ldexp`. glibc's `pow` is correctly rounded in all but rare hard
 * cases; V8's `Math.pow` is not (`Math.pow(10, -5)` is 9.999999999999999e-6, not 1e-5), and a
 * script's number reaches Redis as `%.17g` text, where the last bit shows. With an integer
 * exponent the power is computed here exactly and rounded once (up to a power of 8192 bits:
 * `1.1 ^ 150` is exact, `1.0001 ^ 1000` is V8's again); other exponents fall back to
 * `Math.pow`, and a negative base with a non-integer exponent gives glibc's NaN, whose sign
 * bit is set (printed `-nan`).
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** A NaN with the sign bit set, as x86's invalid operations produce it. */
export const NEGATIVE_NAN: number = (() => {
  u32[1] = 0xfff80000;
  u32[0] = 0;
  return f64[0];
})();

/** The exponents beyond which an integer power is computed with Math.pow (its result then over- or underflows or is exact). */
const MAX_EXACT_EXPONENT = 1100;
/** The largest exact power computed (bits of the mantissa's power): a few microseconds. */
const MAX_EXACT_BITS = 8192;

/** `x` as `m × 2^e` with an integer `m` (x finite and non-zero). */
function decompose(x: number): { m: bigint; e: number } {
  f64[0] = x;
  const hi = u32[1];
  const lo = u32[0];
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return { m, e: -1074 };
  m |= 1n << 52n;
  return { m, e: biased - 1075 };
}

const bitLength = (n: bigint): number => n.toString(2).length;

/** The double nearest `num / den × 2^e2` (num, den > 0), ties to even, subnormals and overflow included. */
function roundRational(num: bigint, den: bigint, e2: number): number {
  // Scale so that the integer quotient has 55 or 56 bits: at least two bits below the 53 kept.
  const shift = 55 - (bitLength(num) - bitLength(den));
  const n = shift >= 0 ? num << BigInt(shift) : num;
  const d = shift >= 0 ? den : den << BigInt(-shift);
  let q = n / d;
  const sticky = n % d !== 0n;
  let exp = e2 - shift;
  // Keep 53 bits, and no bit below 2^-1074 (a subnormal result keeps fewer).
  const drop = Math.max(bitLength(q) - 53, -1074 - exp);
  if (drop > 0) {
    const low = q & ((1n << BigInt(drop)) - 1n);
    const half = 1n << BigInt(drop - 1);
    q >>= BigInt(drop);
    exp += drop;
    if (low > half || (low === half && (sticky || (q & 1n) === 1n))) q += 1n;
  }
  // q ≤ 2^53 and exp ≥ -1074: the product is exact, or infinite past the largest double.
  return Number(q) * 2 ** exp;
}

/** C's `pow(x, y)` as glibc computes it (see the file comment). */
export function cPow(x: number, y: number): number {
  // C's pow is 1 for 1^y (NaN and infinities included), x^0 and (-1)^±inf, where JavaScript's is NaN.
  if (x === 1 || y === 0 || (x === -1 && (y === Infinity || y === -Infinity))) return 1;
  if (Number.isNaN(x) || Number.isNaN(y)) return x + y;
  if (x < 0 && Number.isFinite(x) && Number.isFinite(y) && !Number.isInteger(y)) return NEGATIVE_NAN;
  if (!Number.isInteger(y) || !Number.isFinite(x) || x === 0 || Math.abs(y) > MAX_EXACT_EXPONENT) return Math.pow(x, y);
  const neg = x < 0 && y % 2 !== 0;
  let { m, e } = decompose(Math.abs(x));
  while ((m & 1n) === 0n) {
    m >>= 1n;
    e++;
  }
  const n = Math.abs(y);
  // An exact power of a long mantissa gets costly: past a few thousand bits, V8's answer stands.
  if (bitLength(m) * n > MAX_EXACT_BITS) return Math.pow(x, y);
  // |x|^n = m^n × 2^(e·n); a negative exponent inverts it.
  const p = m ** BigInt(n);
  const v = y >= 0 ? roundRational(p, 1n, e * n) : roundRational(1n, p, -e * n);
  return neg ? -v : v;
}

/** C's `frexp`: `[m, e]` with `x = m × 2^e` and 0.5 ≤ |m| < 1 (x itself and 0 for zero, inf and NaN). */
export function cFrexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  f64[0] = x;
  let biased = (u32[1] >>> 20) & 0x7ff;
  let extra = 0;
  if (biased === 0) {
    // Subnormal: scale into the normal range first.
    f64[0] = x * 2 ** 64;
    biased = (u32[1] >>> 20) & 0x7ff;
    extra = -64;
  }
  const e = biased - 1022;
  u32[1] = (u32[1] & 0x800fffff) | (1022 << 20);
  return [f64[0], e + extra];
}

/** C's `ldexp(m, e)`: `m × 2^e`, rounded once. */
export function cLdexp(m: number, e: number): number {
  if (m === 0 || !Number.isFinite(m) || Number.isNaN(e)) return m;
  const n = Math.max(-2200, Math.min(2200, Math.trunc(e)));
  const { m: mant, e: me } = decompose(Math.abs(m));
  const v = roundRational(mant, 1n, me + n);
  return m < 0 ? -v : v;
}

/** What C's strtod reads at the start of `s`: the value and how many characters it took (0: no number). */
export function cStrtodPrefix(s: string): { value: number; length: number } {
  const m = STRTOD_RE.exec(s);
  if (m === null) return { value: 0, length: 0 };
  const [whole, sign, hexInt, hexFrac, hexExp, word] = m;
  const neg = sign === '-';
  let value: number;
  if (word !== undefined) {
    const nan = /^nan/i.test(word);
    value = nan ? (neg ? NEGATIVE_NAN : NaN) : neg ? -Infinity : Infinity;
    return { value, length: whole.length };
  }
  if (hexInt !== undefined || hexFrac !== undefined) {
    const digits = (hexInt ?? '') + (hexFrac ?? '');
    const mant = BigInt(`0x${digits || '0'}`);
    const exp = Number(hexExp ?? 0) - 4 * (hexFrac ?? '').length;
    value = mant === 0n ? 0 : roundRational(mant, 1n, Math.max(-4000, Math.min(4000, exp)));
  } else {
    value = Number(whole.replace(/^[+-]/, ''));
  }
  return { value: neg ? -value : value, length: whole.length };
}

/**
 * C99 strtod's forms: a sign, then inf/infinity/nan(…) (any case), a hex float (`0x` with
 * digits, an optional fraction and `p` exponent), or a decimal with an optional exponent.
 * An exponent letter not followed by digits is left unread, as is `0x` without a digit.
 */
const STRTOD_RE = /^([+-]?)(?:0[xX](?=\.?[0-9a-fA-F])([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?|(inf(?:inity)?|nan(?:\([0-9A-Za-z_]*\))?)|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)/i;
