/**
 * Reading command arguments as Redis reads them: integers with `string2ll`'s strictness (no
 * sign but `-`, no leading zeros, no spaces, within 64 bits), doubles as `strtod` takes them
 * (`inf`, `-inf`, hex forms; never NaN; nothing left over), option words case-insensitively.
 */
import type { ByteString } from '../dataset/byte-string.js';
import { NOT_FLOAT, NOT_INTEGER, type CommandError } from './errors.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INT_RE = /^(0|-?[1-9][0-9]{0,19})$/;

/** The argument as a 64-bit integer, or null when Redis's `string2ll` would refuse it. */
export function toInt64(s: ByteString): bigint | null {
  if (s.length === 0 || s.length > 20 || !INT_RE.test(s)) return null;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

/**
 * The argument as an integer (a JS number: exact up to 2^53, which indexes, counts and times
 * never pass). @throws CommandError "value is not an integer or out of range".
 */
export function parseInteger(s: ByteString, err: CommandError = NOT_INTEGER): number {
  if (s.length > 0 && s.length < 16 && INT_RE.test(s)) return Number(s);
  const v = toInt64(s);
  if (v === null) throw err;
  return Number(v);
}

/** The argument as a 64-bit integer. @throws CommandError when it is not one. */
export function parseInt64(s: ByteString, err: CommandError = NOT_INTEGER): bigint {
  const v = toInt64(s);
  if (v === null) throw err;
  return v;
}

/** True when a bigint fits a signed 64-bit integer. */
export function fitsInt64(v: bigint): boolean {
  return v >= INT64_MIN && v <= INT64_MAX;
}

const DEC_RE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const HEX_RE = /^([+-]?)0[xX]((?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+))(?:[pP]([+-]?[0-9]+))?$/;
const INF_RE = /^([+-]?)(?:inf|infinity)$/i;

/** The argument as `strtod` reads it in full, or null (NaN, empty, leading space, anything left over). */
export function toDouble(s: ByteString): number | null {
  if (s.length === 0) return null;
  if (DEC_RE.test(s)) return Number(s);
  const inf = INF_RE.exec(s);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  const hex = HEX_RE.exec(s);
  if (hex) {
    const [intPart, fracPart = ''] = hex[2].split('.');
    let v = 0;
    for (const ch of intPart) v = v * 16 + parseInt(ch, 16);
    let scale = 1 / 16;
    for (const ch of fracPart) {
      v += parseInt(ch, 16) * scale;
      scale /= 16;
    }
    v *= 2 ** Number(hex[3] ?? 0);
    return hex[1] === '-' ? -v : v;
  }
  return null;
}

/** The argument as a double. @throws CommandError "value is not a valid float". */
export function parseDouble(s: ByteString, err: CommandError = NOT_FLOAT): number {
  const v = toDouble(s);
  if (v === null) throw err;
  return v;
}

/** ASCII case-insensitive equality with a lower-case word (option names). */
export function isWord(s: ByteString, lower: string): boolean {
  return s.length === lower.length && s.toLowerCase() === lower;
}

/** The argument lower-cased (for switching over option names). */
export function word(s: ByteString): string {
  return s.length > 32 ? '' : s.toLowerCase();
}

/** Redis's text form of a 64-bit integer reply stored as a string (`ll2string`). */
export function int64Text(v: bigint | number): ByteString {
  return typeof v === 'bigint' ? v.toString() : String(v);
}
