/**
 * Numbers of the sorted-set commands as Redis reads and writes them: a score read strictly
 * (what `getDoubleFromObject` accepts — no NaN, no overflow to infinity, no underflow to
 * zero, but `inf`/`-inf` spelt out), a range bound read laxly (what `strtod` alone accepts,
 * as ZRANGEBYSCORE's bounds are), and a score written back as a reply (`%.17g`, the form
 * Redis up to 7.0 gives a Lua script).
 */
import type { ByteString } from '../../dataset/byte-string.js';
import { PACK_MAX_ITEMS, fitsPack } from '../../dataset/pack.js';
import { formatG } from '../../binary/double-text.js';
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

/**
 * A double as C's `%.17g` writes it: 17 significant digits, fixed notation for decimal
 * exponents −4 … 16 and exponent notation otherwise (at least two exponent digits),
 * trailing zeros dropped; `inf`/`-inf` for the infinities, as Redis replies a score.
 */
export function formatScore(x: number): ByteString {
  return formatG(x, 17);
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
