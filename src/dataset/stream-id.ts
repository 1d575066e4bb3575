/**
 * Stream IDs as the dataset holds them: 16 bytes, the millisecond part then the sequence part,
 * each big-endian 64-bit, in a {@link ByteString}. Two IDs then compare with `<` exactly as
 * Redis compares them (ms first, then seq), a sorted array of them can be binary-searched,
 * and they cost a short string each instead of two BigInts.
 */
import type { StreamId } from '../model/events.js';
import { UsageError } from '../errors.js';
import type { ByteString } from './byte-string.js';

/** A stream ID as 16 big-endian bytes (ms, seq) in a byte string. */
export type StreamIdKey = ByteString;

const TWO_32 = 2 ** 32;
const U64_MAX = (1n << 64n) - 1n;

/** The smallest ID, 0-0. */
export const MIN_STREAM_ID: StreamIdKey = '\0'.repeat(16);
/** The largest ID, 18446744073709551615-18446744073709551615. */
export const MAX_STREAM_ID: StreamIdKey = '\xff'.repeat(16);

/** The 8 chars of a u64 given as its high and low 32-bit halves. */
function u64Chars(hi: number, lo: number): string {
  return String.fromCharCode(hi >>> 24, (hi >>> 16) & 255, (hi >>> 8) & 255, hi & 255, lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255);
}

/** Parses one decimal u64 part of an ID into its 8 chars; null when it is not one. */
function partChars(text: string): string | null {
  if (!/^[0-9]{1,20}$/.test(text)) return null;
  if (text.length <= 15) {
    const n = Number(text);
    return u64Chars(Math.floor(n / TWO_32), n >>> 0);
  }
  const n = BigInt(text);
  if (n > U64_MAX) return null;
  return u64Chars(Number(n >> 32n), Number(n & 0xffffffffn));
}

/**
 * The key of an ID written `ms-seq` (as the decoder reports IDs and as commands carry them).
 * @throws UsageError when the text is not two decimal u64 parts joined by `-`.
 */
export function streamIdKey(text: StreamId): StreamIdKey {
  const dash = text.indexOf('-');
  const ms = dash > 0 ? partChars(text.slice(0, dash)) : null;
  const seq = ms === null ? null : partChars(text.slice(dash + 1));
  if (ms === null || seq === null) throw new UsageError(`not a stream ID: ${JSON.stringify(text)}`, { expected: 'ms-seq (two unsigned 64-bit decimals)', found: text });
  return ms + seq;
}

/** The key of an ID given as its two parts. */
export function streamIdFromParts(ms: bigint, seq: bigint): StreamIdKey {
  return u64Chars(Number((ms >> 32n) & 0xffffffffn), Number(ms & 0xffffffffn)) + u64Chars(Number((seq >> 32n) & 0xffffffffn), Number(seq & 0xffffffffn));
}

/** Reads the u64 at `at` (0: ms, 8: seq) of a key as a decimal string. */
function partText(key: StreamIdKey, at: number): string {
  const hi = ((key.charCodeAt(at) << 24) | (key.charCodeAt(at + 1) << 16) | (key.charCodeAt(at + 2) << 8) | key.charCodeAt(at + 3)) >>> 0;
  const lo = ((key.charCodeAt(at + 4) << 24) | (key.charCodeAt(at + 5) << 16) | (key.charCodeAt(at + 6) << 8) | key.charCodeAt(at + 7)) >>> 0;
  if (hi < 2 ** 21) return String(hi * TWO_32 + lo);
  return String((BigInt(hi) << 32n) | BigInt(lo));
}

/** The `ms-seq` text of an ID key. */
export function streamIdText(key: StreamIdKey): StreamId {
  return `${partText(key, 0)}-${partText(key, 8)}`;
}

/** The two parts of an ID key. */
export function streamIdParts(key: StreamIdKey): { ms: bigint; seq: bigint } {
  return { ms: BigInt(partText(key, 0)), seq: BigInt(partText(key, 8)) };
}

/** The ID right after `key` (seq + 1, carrying into ms), or null after the largest ID. */
export function nextStreamId(key: StreamIdKey): StreamIdKey | null {
  if (key === MAX_STREAM_ID) return null;
  const codes: number[] = [];
  for (let i = 0; i < 16; i++) codes.push(key.charCodeAt(i));
  for (let i = 15; i >= 0; i--) {
    if (codes[i] === 255) codes[i] = 0;
    else {
      codes[i]++;
      break;
    }
  }
  return String.fromCharCode(...codes);
}
