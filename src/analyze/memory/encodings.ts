/**
 * The sizes of Redis's small encodings, computed from lengths and values (the allocator's
 * rounding is the model's, model.ts): an sds string's header (its type follows its length), a listpack entry (an integer or a string
 * entry, then its back-length), a ziplist entry (6.x: the previous entry's length, then an
 * integer or a string encoding), an intset, and the text of a sorted-set score as 7.0 writes
 * it into a listpack (`%.17g`). Layouts from sds.h/sds.c, listpack.c, ziplist.c, intset.c and
 * util.c.
 */
/**
 * The sds header of a string of `len` bytes: sdshdr5 (1 byte) below 32 bytes, sdshdr8 (3)
 * below 256 — and for the empty string, which is never given the 5-bit type —, sdshdr16 (5)
 * below 64 KiB, sdshdr32 (9) below 4 GiB, sdshdr64 (17) beyond.
 */
export function sdsHeaderBytes(len: number): number {
  if (len === 0) return 3;
  if (len < 32) return 1;
  if (len < 256) return 3;
  if (len < 65536) return 5;
  if (len < 0x100000000) return 9;
  return 17;
}

/**
 * The sds header Valkey 8 gives a string of `len` bytes: its types end where the header, the
 * bytes and the NUL still fit the type's largest allocation (252, 65,530, 2^32 − 10 bytes).
 */
export function valkeySdsHeaderBytes(len: number): number {
  if (len === 0) return 3;
  if (len < 32) return 1;
  if (len <= 252) return 3;
  if (len <= 65530) return 5;
  if (len <= 0xfffffff6) return 9;
  return 17;
}

/** The longest string Redis tries as a 64-bit integer (`LONG_STR_SIZE` − 1). */
const INT_TEXT_MAX = 20;
const INT64_MAX_DIGITS = [57, 50, 50, 51, 51, 55, 50, 48, 51, 54, 56, 53, 52, 55, 55, 53, 56, 48, 55]; // "9223372036854775807"

/**
 * Reads `b` as Redis reads a string that may be an integer (`string2ll`, `lpStringToInt64`):
 * an optional `-`, then `0` alone or digits not starting with `0`, 20 characters at most,
 * within the signed 64-bit range. Returns the value (exact up to 2^53, beyond that only its
 * magnitude is meaningful), or NaN when `b` is not such an integer.
 */
export function parseRedisInt(b: Uint8Array): number {
  const n = b.length;
  if (n === 0 || n > INT_TEXT_MAX) return NaN;
  if (n === 1 && b[0] === 48) return 0;
  let i = 0;
  const neg = b[0] === 45;
  if (neg) {
    if (n === 1) return NaN;
    i = 1;
  }
  if (b[i] < 49 || b[i] > 57) return NaN;
  let v = 0;
  for (let j = i; j < n; j++) {
    const d = b[j] - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  const digits = n - i;
  if (digits > 19) return NaN;
  if (digits === 19) {
    // Compare with 9223372036854775807 (…808 for a negative number).
    for (let j = 0; j < 19; j++) {
      const limit = j === 18 && neg ? 56 : INT64_MAX_DIGITS[j];
      const c = b[i + j];
      if (c < limit) break;
      if (c > limit) return NaN;
    }
  }
  return neg ? -v : v;
}

/** Bytes of a listpack integer entry's encoding for `v` (7-bit, 13, 16, 24, 32 or 64-bit). */
function listpackIntEncodingBytes(v: number): number {
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= -2147483648 && v <= 2147483647) return 5;
  return 9;
}

/** Bytes of a listpack entry's back-length for an encoding of `l` bytes. */
function listpackBacklenBytes(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/** Bytes of a listpack string entry of `len` bytes (header, bytes, back-length). */
function listpackStringEntryBytes(len: number): number {
  const enc = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  return enc + listpackBacklenBytes(enc);
}

/** Bytes of a listpack integer entry holding `v`. */
export function listpackIntEntryBytes(v: number): number {
  return listpackIntEncodingBytes(v) + 1;
}

/** Bytes of the listpack entry `lpAppend` makes of `b` (an integer entry when `b` reads as one). */
export function listpackEntryBytes(b: Uint8Array): number {
  const v = b.length <= INT_TEXT_MAX ? parseRedisInt(b) : NaN;
  return Number.isNaN(v) ? listpackStringEntryBytes(b.length) : listpackIntEntryBytes(v);
}

/** An empty listpack: the 6-byte header (total bytes, count) and the end byte. */
export const LISTPACK_EMPTY_BYTES = 7;

/**
 * Bytes of the listpack entry a sorted-set score becomes: an integer entry, or its text —
 * `%.17g` before 7.2, the shortest text that reads back as the same double from 7.2 on
 * (`shortest`).
 */
export function listpackScoreEntryBytes(score: number, shortest = false): number {
  if (Number.isInteger(score) && Math.abs(score) <= 4611686018427387903) return listpackIntEntryBytes(score === 0 ? 0 : score);
  return listpackStringEntryBytes(shortest ? formatShortestLength(score) : formatG17Length(score));
}

/**
 * The length of the text 7.2+ writes for a double that is not an integer (util.c `d2string`,
 * `fpconv_dtoa`): the shortest digits that read back as the same double, as an integer with
 * zeros added when the decimal exponent allows, in fixed notation from 1e-7-ish to 1e21-ish,
 * otherwise as `d.ddde±X`; `nan`, `inf`, `-inf`, `-0`.
 */
export function formatShortestLength(x: number): number {
  if (Number.isNaN(x)) return 3;
  if (!Number.isFinite(x)) return x < 0 ? 4 : 3;
  if (x === 0) return 1 / x < 0 ? 2 : 1;
  const neg = x < 0 ? 1 : 0;
  const s = Math.abs(x).toExponential(); // shortest digits: d.ddde±X
  const ePos = s.indexOf('e');
  let ndigits = ePos > 1 ? ePos - 1 : 1;
  const e10 = Number(s.slice(ePos + 1));
  const K = e10 - ndigits + 1;
  let exp = Math.abs(e10);
  if (K >= 0 && exp < ndigits + 7) return neg + ndigits + K;
  if (K < 0 && (K > -7 || exp < 4)) {
    const offset = ndigits + K;
    return neg + (offset <= 0 ? ndigits + 2 - offset : ndigits + 1);
  }
  ndigits = Math.min(ndigits, 18 - neg);
  let len = 1 + (ndigits > 1 ? ndigits : 0) + 2; // digit, point and the rest, 'e', sign
  len += exp > 99 ? 3 : exp > 9 ? 2 : 1;
  return neg + len;
}

/**
 * The length of `%.17g` of `x` as C's printf writes it: 17 significant digits with trailing
 * zeros dropped, in fixed notation when the decimal exponent is from −4 to 16, otherwise as
 * `d.ddde±XX`; `inf`, `-inf`, `nan`.
 */
export function formatG17Length(x: number): number {
  if (Number.isNaN(x)) return 3;
  if (!Number.isFinite(x)) return x < 0 ? 4 : 3;
  const sign = x < 0 || (x === 0 && 1 / x < 0) ? 1 : 0;
  if (x === 0) return sign + 1;
  const s = Math.abs(x).toExponential(16); // d.dddddddddddddddde±X, correctly rounded
  const ePos = s.indexOf('e');
  const exp = Number(s.slice(ePos + 1));
  let k = 17; // significant digits left once trailing zeros are dropped
  for (let i = ePos - 1; k > 1 && s.charCodeAt(i) === 48; i--) k--;
  if (exp < -4 || exp >= 17) {
    const expDigits = Math.max(2, String(Math.abs(exp)).length);
    return sign + (k > 1 ? k + 1 : 1) + 2 + expDigits;
  }
  if (exp >= 0) {
    const frac = Math.max(0, k - (exp + 1));
    return sign + exp + 1 + (frac > 0 ? 1 + frac : 0);
  }
  return sign + 2 + (-exp - 1) + k;
}

/** The intset width (2, 4 or 8 bytes) an integer needs. */
export function intsetWidth(v: number): number {
  if (v >= -32768 && v <= 32767) return 2;
  if (v >= -2147483648 && v <= 2147483647) return 4;
  return 8;
}

/** The bytes of an intset of `count` members of `width` bytes: an 8-byte header, then the members. */
export function intsetBytes(count: number, width: number): number {
  return 8 + count * width;
}

/** An empty ziplist (Redis 6.x and older): the 10-byte header (total bytes, tail offset, count) and the end byte. */
export const ZIPLIST_EMPTY_BYTES = 11;

/** Bytes of a ziplist integer entry's encoding for `v`: 0 to 12 in the header byte, else 8, 16, 24, 32 or 64 bits after it. */
function ziplistIntEncodingBytes(v: number): number {
  if (v >= 0 && v <= 12) return 1;
  if (v >= -128 && v <= 127) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= -2147483648 && v <= 2147483647) return 5;
  return 9;
}

/** Bytes of a ziplist string entry's encoding of `len` bytes (header and bytes). */
function ziplistStringEncodingBytes(len: number): number {
  return (len <= 63 ? 1 : len <= 16383 ? 2 : 5) + len;
}

/**
 * Bytes of the ziplist entry `ziplistPush` makes of `b` after an entry of `prevBytes` bytes
 * (0: the first): the previous entry's length (1 byte below 254, else 5), then an integer
 * encoding when `b` is the text of one (`zipTryEncoding`: under 32 bytes, `string2ll`), else
 * a string one.
 */
export function ziplistEntryBytes(b: Uint8Array, prevBytes: number): number {
  const prevlen = prevBytes < 254 ? 1 : 5;
  const v = b.length < 32 ? parseRedisInt(b) : NaN;
  return prevlen + (Number.isNaN(v) ? ziplistStringEncodingBytes(b.length) : ziplistIntEncodingBytes(v));
}

/**
 * Bytes of the ziplist entry a sorted-set score becomes (`zzlInsertAt`: `d2string`, then
 * `ziplistPush`): an integer in (−2^52, 2^52) is written as one, anything else as `%.17g`,
 * which the ziplist stores as an integer again when it reads as one (integers below 1e17).
 */
export function ziplistScoreEntryBytes(score: number, prevBytes: number): number {
  const prevlen = prevBytes < 254 ? 1 : 5;
  if (Number.isInteger(score) && Math.abs(score) < 1e17 && !Object.is(score, -0)) return prevlen + ziplistIntEncodingBytes(score);
  return prevlen + ziplistStringEncodingBytes(formatG17Length(score));
}
