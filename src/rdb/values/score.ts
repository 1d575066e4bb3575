/**
 * Sorted-set scores stored as text: the type-3 length-prefixed doubles (FORMATS.md §1.7) and
 * the decimal strings inside ziplists/listpacks (§2.11, §2.13); read and written as each
 * Redis release writes them.
 */
import type { RdbCursor, RdbOutput } from '../primitives.js';
import { UsageError } from '../../errors.js';
import { formatG } from '../../binary/double-text.js';
import { latin1Text } from '../../io/bytes.js';

const RESULT = { v: 0 };

/**
 * Parses a score written as text (`1.5`, `-3`, `inf`, `-inf`, `1e+21`). Returns NaN when the
 * text is not a number Redis would accept.
 */
export function parseScore(bytes: Uint8Array): number {
  return parseScoreRange(bytes, 0, bytes.length);
}

/** {@link parseScore} of `buf[start, end)`. */
export function parseScoreRange(buf: Uint8Array, start: number, end: number): number {
  // Plain decimal text (what servers write): `Number` takes exactly the forms the pattern
  // below accepts once the text holds nothing but digits, points, signs and exponent marks.
  let plain = end > start;
  for (let i = start; i < end; i++) {
    if (PLAIN_SCORE_BYTE[buf[i]] === 0) {
      plain = false;
      break;
    }
  }
  if (plain) return Number(latin1Text(buf, start, end));
  return parseScoreText(latin1Text(buf, start, end));
}

/** Bytes of plain decimal score text: digits, `.`, `+`, `-`, `e`, `E` (1). */
const PLAIN_SCORE_BYTE = new Uint8Array(256);
for (const c of '0123456789.+-eE') PLAIN_SCORE_BYTE[c.charCodeAt(0)] = 1;

/** {@link parseScore} of any text (one char per byte): spaces, `inf`, `nan`, hexadecimal included. */
export function parseScoreText(s: string): number {
  const t = s.trim().toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === 'nan' || t === '-nan' || t.length === 0) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t) && !/^[+-]?0x[0-9a-f]+(\.[0-9a-f]*)?(p[+-]?\d+)?$/.test(t)) return NaN;
  if (t.includes('0x')) return parseHexFloat(t);
  return Number(t);
}

function parseHexFloat(t: string): number {
  const m = /^([+-]?)0x([0-9a-f]+)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/.exec(t);
  if (!m) return NaN;
  const frac = m[3] ?? '';
  let v = parseInt(m[2] + frac, 16) / 16 ** frac.length;
  v *= 2 ** Number(m[4] ?? 0);
  return m[1] === '-' ? -v : v;
}

/**
 * Reads a type-3 text double: one length byte (253 NaN, 254 +inf, 255 -inf) then that many
 * ASCII bytes. Returns null when more bytes are needed. The result object is reused.
 */
export function readTextDouble(c: RdbCursor): { v: number } | null {
  const r = c.r;
  const p = r.pos;
  if (p >= r.end) return (r.wanted = 1), null;
  const len = r.buf[p];
  if (len === 253) RESULT.v = NaN;
  else if (len === 254) RESULT.v = Infinity;
  else if (len === 255) RESULT.v = -Infinity;
  else {
    if (p + 1 + len > r.end) return (r.wanted = 1 + len), null;
    r.pos = p + 1 + len;
    RESULT.v = parseScore(r.buf.subarray(p + 1, p + 1 + len));
    return RESULT;
  }
  r.pos = p + 1;
  return RESULT;
}

// ---------------------------------------------------------------- the save side

const TWO_52 = 4503599627370496;
const TWO_62 = 4611686018427387904;
/** C's `printf("%.17g", v)` as glibc prints it (see binary/double-text.ts). */
export function formatG17(v: number): string {
  return formatG(v, 17);
}

/**
 * Redis 7.2's `fpconv_dtoa` for a finite, non-zero double: the shortest digits that read back
 * as `v`, laid out as fpconv lays them out — plain digits (with zeros) when the exponent is
 * small, `0.000ddd` or `dd.ddd` for moderate negative exponents, else `d.ddde±X` with no
 * zero padding of the exponent (`1e+21`, `1.5e-7`).
 */
export function formatShortest(v: number): string {
  const sci = Math.abs(v).toExponential(); // shortest round-trip digits, as String(v) has
  const at = sci.indexOf('e');
  const digits = sci.slice(0, at).replace('.', '');
  const nd = digits.length;
  const K = Number(sci.slice(at + 1)) - (nd - 1); // v = digits × 10^K
  const sign = v < 0 ? '-' : '';
  const exp = Math.abs(K + nd - 1);
  if (K >= 0 && exp < nd + 7) return sign + digits + '0'.repeat(K);
  if (K < 0 && (K > -7 || exp < 4)) {
    const offset = nd + K;
    if (offset <= 0) return `${sign}0.${'0'.repeat(-offset)}${digits}`;
    return `${sign}${digits.slice(0, offset)}.${digits.slice(offset)}`;
  }
  const mantissa = nd > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mantissa}e${K + nd - 1 < 0 ? '-' : '+'}${exp}`;
}

const ASCII = (s: string): Uint8Array => {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
};

/**
 * A sorted-set score as the element that follows its member in a ziplist or listpack, the way
 * the server of `style` stores it (`zzlInsertAt`, FORMATS.md §2.11, §2.13): an integer when
 * its `double2ll` accepts the score (7.0 on), otherwise the `d2string` text — which the blob
 * encoder still stores as an integer when the text is a canonical integer, as `lpAppend` and
 * `ziplistPush` do.
 * @throws UsageError for NaN (no sorted set holds it)
 */
export function scoreElement(v: number, style: '6.2' | '7.0' | '7.2'): Uint8Array | number | bigint {
  if (Number.isNaN(v)) throw new UsageError('a sorted-set score cannot be NaN');
  // −0 stays the text "-0" (as 2.6–6.2 store it, and as 7.0 on keep it when they load such a
  // file); 7.0's ZADD would store the integer 0, but then ZSCORE would no longer say -0.
  if (Object.is(v, -0)) return ASCII('-0');
  if (style !== '6.2' && v >= -TWO_62 && v <= TWO_62 && Number.isInteger(v)) {
    return Number.isSafeInteger(v) ? v : BigInt(v);
  }
  if (v === Infinity) return ASCII('inf');
  if (v === -Infinity) return ASCII('-inf');
  if (v === 0) return ASCII('0');
  if (style === '6.2' && v > -(TWO_52 - 1) && v < TWO_52 && Number.isInteger(v)) return ASCII(String(v));
  return ASCII(style === '7.2' ? formatShortest(v) : formatG17(v));
}

/**
 * Writes a type-3 text score (`rdbSaveDoubleValue`, FORMATS.md §1.7): 253 NaN, 254 +∞,
 * 255 −∞, otherwise a length byte and the text — the integer when the score is one within
 * ±(2^52 − 1), else `%.17g`. A −0 score is written `-0` (Redis writes `0`; the loader reads
 * either, and `-0` keeps the sign).
 */
export function writeTextDouble(out: RdbOutput, v: number): void {
  if (Number.isNaN(v)) return out.writeByte(253);
  if (v === Infinity) return out.writeByte(254);
  if (v === -Infinity) return out.writeByte(255);
  const text = Object.is(v, -0) ? '-0' : v > -(TWO_52 - 1) && v < TWO_52 && Number.isInteger(v) ? String(v) : formatG17(v);
  out.writeByte(text.length);
  out.writeLatin1(text);
}
