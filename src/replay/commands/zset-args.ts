/**
 * Numbers of the sorted-set commands as Redis reads and writes them: a score read strictly
 * (what `getDoubleFromObject` accepts — no NaN, no overflow to infinity, no underflow to
 * zero, but `inf`/`-inf` spelt out), a range bound read laxly (what `strtod` alone accepts,
 * as ZRANGEBYSCORE's bounds are), and a score written back as a reply (`%.17g`, the form
 * Redis up to 7.0 gives a Lua script).
 */
import type { ByteString } from '../../dataset/byte-string.js';
import { PACK_MAX_ITEMS, fitsPack } from '../../dataset/pack.js';
import { toDouble } from '../args.js';
import { NOT_FLOAT, type CommandError } from '../errors.js';

const INF_WORD = /inf/i;
/** The digits of a decimal mantissa (before any exponent). */
const DEC_MANTISSA = /^[+-]?([0-9]*\.?[0-9]*)/;
/** The digits of a hexadecimal mantissa (before any `p` exponent). */
const HEX_MANTISSA = /^[+-]?0[xX]([0-9a-fA-F]*\.?[0-9a-fA-F]*)/;

/**
 * A score argument (ZADD, ZINCRBY, WEIGHTS, GEOADD's coordinates, a radius): a full
 * `strtod` reading that is neither NaN, nor an overflow to ±infinity (unless the argument
 * says `inf`), nor a non-zero number that underflows to zero.
 * @throws CommandError `err` (default "value is not a valid float").
 */
export function parseScore(s: ByteString, err: CommandError = NOT_FLOAT): number {
  const v = toDouble(s);
  if (v === null) throw err;
  if (v === Infinity || v === -Infinity) {
    if (!INF_WORD.test(s)) throw err;
  } else if (v === 0 && underflows(s)) throw err;
  return v;
}

/** True when a number that reads as zero has a non-zero digit (strtod's ERANGE underflow). */
function underflows(s: ByteString): boolean {
  const hex = HEX_MANTISSA.exec(s);
  const digits = hex ? hex[1] : DEC_MANTISSA.exec(s)![1];
  return /[1-9a-fA-F]/.test(digits);
}

/** C's isspace in the "C" locale. */
function isSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/**
 * A bound of a score range as `strtod` reads it with nothing left over: leading white space
 * skipped, an empty argument read as 0, overflow to ±infinity accepted, NaN refused; the
 * argument ends at its first NUL byte, as a C string does. Null when refused.
 */
export function toRangeDouble(s: ByteString): number | null {
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  if (s.length === 0) return 0;
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  if (i === s.length) return null;
  return toDouble(i === 0 ? s : s.slice(i));
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** The exact decimal digits of a finite positive double (no leading or trailing zeros) and its decimal exponent. */
function exactDigits(x: number): { digits: string; exp10: number } {
  F64[0] = x;
  const hi = U32[1];
  const lo = U32[0];
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (biased === 0) e2 = -1074;
  else {
    mant |= 1n << 52n;
    e2 = biased - 1075;
  }
  // x = mant * 2^e2 = mant * 5^-e2 / 10^-e2 when e2 < 0.
  let digits: string;
  let exp10: number;
  if (e2 >= 0) {
    digits = (mant << BigInt(e2)).toString();
    exp10 = digits.length - 1;
  } else {
    digits = (mant * 5n ** BigInt(-e2)).toString();
    exp10 = digits.length - 1 + e2;
  }
  digits = digits.replace(/0+$/, '');
  return { digits, exp10 };
}

/**
 * The 17 significant digits of a finite non-zero |x| rounded as C's printf rounds them (to
 * nearest, ties to even), and the decimal exponent of the first. JavaScript's
 * `toExponential` rounds ties away from zero; a tie needs an exact expansion of 18 digits
 * ending in 5, rare enough to check with bigints only then.
 */
function digits17(ax: number): { d: string; e: number } {
  const t = ax.toExponential(17);
  if (t.charCodeAt(18) === 0x35 /* '5' */) {
    const ex = exactDigits(ax);
    if (ex.digits.length === 18) {
      // A tie: keep the 17 digits when the last is even, else round up.
      const keep = ex.digits.slice(0, 17);
      if ((keep.charCodeAt(16) - 48) % 2 === 0) return { d: keep, e: ex.exp10 };
    }
  }
  const r = ax.toExponential(16);
  return { d: r[0] + r.slice(2, 18), e: Number(r.slice(r.indexOf('e') + 1)) };
}

/**
 * A double as C's `%.17g` writes it: 17 significant digits, fixed notation for decimal
 * exponents −4 … 16 and exponent notation otherwise (at least two exponent digits),
 * trailing zeros dropped; `inf`/`-inf` for the infinities, as Redis replies a score.
 */
export function formatScore(x: number): ByteString {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const sign = x < 0 ? '-' : '';
  const { d, e } = digits17(Math.abs(x));
  if (e >= -4 && e < 17) {
    let text: string;
    if (e >= 0) {
      const int = d.slice(0, e + 1);
      const frac = d.slice(e + 1).replace(/0+$/, '');
      text = frac.length > 0 ? `${int}.${frac}` : int;
    } else {
      const frac = ('0'.repeat(-e - 1) + d).replace(/0+$/, '');
      text = `0.${frac}`;
    }
    return sign + text;
  }
  const frac = d.slice(1).replace(/0+$/, '');
  const ee = Math.abs(e);
  return `${sign}${d[0]}${frac.length > 0 ? '.' + frac : ''}e${e < 0 ? '-' : '+'}${ee < 10 ? '0' : ''}${ee}`;
}

/**
 * The score Redis keeps when it writes `score` into a sorted set that is (or becomes) a listpack:
 * a listpack stores an integral score as an integer, so −0 becomes 0 there, while a skiplist
 * keeps −0. `packed` says whether the set holds the member in its small form after the write.
 */
export function writtenScore(score: number, packed: boolean): number {
  return packed && score === 0 ? 0 : score;
}

/** Whether a sorted set of `members` is small enough for a listpack (Redis's default limits). */
export function fitsListpack(members: readonly ByteString[]): boolean {
  return members.length <= PACK_MAX_ITEMS && members.every(fitsPack);
}
