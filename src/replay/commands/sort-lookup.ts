/**
 * What SORT reads besides the key it sorts: the values its BY and GET patterns name, and the
 * number a value stands for when SORT compares numbers.
 *
 * Redis handles patterns and values as C strings here, so a NUL byte ends them for some
 * purposes and not others; the functions follow that byte for byte.
 */
import type { Database } from '../../dataset/database.js';
import type { ByteString } from '../../dataset/byte-string.js';
import { toDouble } from '../args.js';

/** The smallest normal double: a non-zero result below it is an underflow for `strtod`. */
const DBL_MIN = 2.2250738585072014e-308;

/** Length of `s` as a C string (up to its first NUL byte). */
function cLength(s: ByteString): number {
  const nul = s.indexOf('\0');
  return nul < 0 ? s.length : nul;
}

/**
 * The value a pattern names for one element `subst`, or null:
 *
 * - `#` is the element itself;
 * - otherwise the first `*` is replaced by the element to make a key name; a pattern without
 *   `*` names nothing;
 * - `->` after the `*` followed by at least one byte splits the pattern: the key is the part
 *   before it and the value is that hash's field named by the rest;
 * - the key must hold a string (or, with a field, a hash holding the field).
 */
export function patternValue(db: Database, pattern: ByteString, subst: ByteString): ByteString | null {
  const clen = cLength(pattern);
  if (clen === 1 && pattern.charCodeAt(0) === 0x23) return subst;
  const star = pattern.indexOf('*');
  if (star < 0 || star >= clen) return null;
  const arrow = pattern.indexOf('->', star + 1);
  const field = arrow >= 0 && arrow + 2 < clen ? pattern.slice(arrow + 2) : null;
  const key = pattern.slice(0, star) + subst + pattern.slice(star + 1, field === null ? pattern.length : arrow);
  const v = db.get(key);
  if (v === undefined) return null;
  if (field === null) return typeof v === 'string' ? v : null;
  if (typeof v === 'string' || v.type !== 'hash') return null;
  return v.get(field) ?? null;
}

const SPACE = /^[ \t\n\v\f\r]*/;
const NONZERO_DEC = /^[^eE]*[1-9]/;
const NONZERO_HEX = /^[+-]?0[xX][^pP]*[1-9a-fA-F]/;

/**
 * The number SORT compares a value as (C `strtod` over the value as a C string: leading
 * white space skipped, all of the rest consumed, an empty value 0), or null where Redis
 * refuses the sort ("One or more scores can't be converted into double"): no number, text
 * left over, NaN, or a result out of range (an overflow to infinity, or an underflow).
 * Redis does not clear `errno` first, so after one value out of range a server may refuse
 * later good values too; such a refused SORT is never logged, and the replay accepts them.
 */
export function sortScore(s: ByteString): number | null {
  const end = cLength(s);
  if (end === 0) return 0;
  const lead = SPACE.exec(s)![0].length;
  if (lead >= end) return null;
  const text = lead === 0 && end === s.length ? s : s.slice(lead, end);
  const v = toDouble(text);
  if (v === null || Number.isNaN(v)) return null;
  if (!Number.isFinite(v)) return /inf/i.test(text) ? v : null;
  if (v === 0 ? (/^[+-]?0[xX]/.test(text) ? NONZERO_HEX : NONZERO_DEC).test(text) : Math.abs(v) < DBL_MIN) return null;
  return v;
}

/**
 * C's `strcmp` order (bytes as unsigned, each string ending at its first NUL): how SORT's
 * ALPHA compares for a reply, `strcoll` in the C locale.
 */
export function compareC(a: ByteString, b: ByteString): number {
  const la = cLength(a);
  const lb = cLength(b);
  const x = la === a.length ? a : a.slice(0, la);
  const y = lb === b.length ? b : b.slice(0, lb);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Byte order (`memcmp`, then the shorter first): how SORT compares for STORE and breaks ties. */
export function compareBytes(a: ByteString, b: ByteString): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
