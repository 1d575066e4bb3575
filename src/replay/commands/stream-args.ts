/**
 * Stream IDs as the stream commands read them, and the replies they give about entries.
 *
 * An ID argument is `ms-seq`, `ms` alone (the sequence then defaults per command: 0 for a
 * range start, the largest for a range end), `-` / `+` where a range allows them, `ms-*`
 * for XADD; each part is read the way `string2ull` reads it — a plain decimal, or whatever
 * `strtoull` accepts in base 10 (leading spaces, a sign, leading zeros). An argument longer
 * than 127 bytes is refused, and the text ends at a NUL byte, as in C. IDs are kept as the
 * dataset's 16-byte keys ({@link StreamIdKey}), which compare with `<` as Redis compares IDs.
 */
import type { ByteString } from '../../dataset/byte-string.js';
import { MAX_STREAM_ID, MIN_STREAM_ID, streamIdText, type StreamIdKey } from '../../dataset/stream-id.js';
import type { StreamValue } from '../../dataset/stream.js';
import { argError, type CommandError } from '../errors.js';
import type { Reply } from '../reply.js';

/** Redis's reply to an ID it cannot read. */
export const INVALID_ID = argError('Invalid stream ID specified as stream command argument');

const TWO_32 = 2 ** 32;
const U64_MAX = (1n << 64n) - 1n;
/** The 8 chars of the largest u64. */
const U64_MAX_CHARS = '\xff'.repeat(8);
/** The 8 chars of 0. */
const ZERO_CHARS = '\0'.repeat(8);
const FAST_PART = /^[0-9]{1,15}$/;
const LOOSE_PART = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/;
const CANONICAL = /^(0|-?[1-9][0-9]*)$/;

/** The 8 big-endian chars of a u64 given as its 32-bit halves. */
function u64Chars(hi: number, lo: number): string {
  return String.fromCharCode(hi >>> 24, (hi >>> 16) & 255, (hi >>> 8) & 255, hi & 255, lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255);
}

/** The 8 big-endian chars of a u64 below 2^53. */
function smallChars(n: number): string {
  return u64Chars(Math.floor(n / TWO_32), n >>> 0);
}

/** The 8 big-endian chars of any u64. */
function bigChars(v: bigint): string {
  return u64Chars(Number(v >> 32n), Number(v & 0xffffffffn));
}

/**
 * One part of an ID read as `string2ull` reads it, as 8 chars; null when refused. A canonical
 * negative number is refused; any other form `strtoull` takes is accepted, a minus sign
 * wrapping the value around 2^64 as `strtoull` does.
 */
function u64Part(text: string): string | null {
  if (FAST_PART.test(text)) return smallChars(Number(text));
  const m = LOOSE_PART.exec(text);
  if (m === null) return null;
  if (m[1] === '-' && CANONICAL.test(text) && BigInt(text) >= -(1n << 63n)) return null;
  let v = BigInt(m[2]);
  if (v > U64_MAX) return null;
  if (m[1] === '-') v = (U64_MAX + 1n - v) & U64_MAX;
  return bigChars(v);
}

/** What {@link parseStreamId} read besides the ID: false when the ID was `ms-*`. */
export let seqGiven = true;

/**
 * Reads an ID argument (`streamGenericParseIDOrReply`): `missingSeq` fills a missing sequence
 * part (`'min'` 0, `'max'` the largest), `strict` refuses `-` and `+`, `allowSeqStar`
 * accepts `ms-*` (and sets {@link seqGiven} to false for it).
 * @throws CommandError "Invalid stream ID" when the argument is not an ID.
 */
export function parseStreamId(arg: ByteString, missingSeq: 'min' | 'max', strict: boolean, allowSeqStar = false, err: CommandError = INVALID_ID): StreamIdKey {
  seqGiven = true;
  if (arg.length > 127) throw err;
  const nul = arg.indexOf('\0');
  const s = nul < 0 ? arg : arg.slice(0, nul);
  if (s === '-' || s === '+') {
    if (strict) throw err;
    return s === '-' ? MIN_STREAM_ID : MAX_STREAM_ID;
  }
  const dash = s.indexOf('-');
  const ms = u64Part(dash < 0 ? s : s.slice(0, dash));
  if (ms === null) throw err;
  if (dash < 0) return ms + (missingSeq === 'min' ? ZERO_CHARS : U64_MAX_CHARS);
  const rest = s.slice(dash + 1);
  if (allowSeqStar && rest === '*') {
    seqGiven = false;
    return ms + ZERO_CHARS;
  }
  const seq = u64Part(rest);
  if (seq === null) throw err;
  return ms + seq;
}

/** Reads an ID argument, or returns null where Redis would stop quietly (XCLAIM's ID list). */
export function tryStreamId(arg: ByteString): StreamIdKey | null {
  try {
    return parseStreamId(arg, 'min', true);
  } catch {
    return null;
  }
}

/**
 * Reads a range bound: an ID, `-`/`+`, or (exclusive) `(` followed by a strict ID. Returns
 * the ID and whether it was exclusive.
 * @throws CommandError when it is not one.
 */
export function parseRangeId(arg: ByteString, missingSeq: 'min' | 'max'): { id: StreamIdKey; exclusive: boolean } {
  if (arg.length > 1 && arg.charCodeAt(0) === 0x28) return { id: parseStreamId(arg.slice(1), missingSeq, true), exclusive: true };
  return { id: parseStreamId(arg, missingSeq, false), exclusive: false };
}

/** The millisecond part of an ID key (its first 8 chars). */
export function msPart(id: StreamIdKey): string {
  return id.slice(0, 8);
}

/** The ID before `id`, or null before 0-0. */
export function prevStreamId(id: StreamIdKey): StreamIdKey | null {
  if (id === MIN_STREAM_ID) return null;
  const codes: number[] = [];
  for (let i = 0; i < 16; i++) codes.push(id.charCodeAt(i));
  for (let i = 15; i >= 0; i--) {
    if (codes[i] === 0) codes[i] = 255;
    else {
      codes[i]--;
      break;
    }
  }
  return String.fromCharCode(...codes);
}

/** An ID whose ms part is `ms` (a Unix time in ms) and whose sequence is 0. */
export function idAtMs(ms: number): StreamIdKey {
  return smallChars(Math.max(0, Math.floor(ms))) + ZERO_CHARS;
}

/** The `ms-seq` text of an ID as a reply. */
export function idReply(id: StreamIdKey): ByteString {
  return streamIdText(id);
}

/** An entry as XRANGE replies it: [id, [field, value, …]]. */
export function entryReply(id: StreamIdKey, fields: ByteString[]): Reply {
  return [streamIdText(id), fields];
}

/**
 * The entries of `s` between `start` and `end` inclusive, oldest first (or newest first with
 * `rev`), at most `count` of them when `count` > 0, as XRANGE replies them.
 */
export function rangeReply(s: StreamValue, start: StreamIdKey, end: StreamIdKey, count: number, rev: boolean): Reply[] {
  const out: Reply[] = [];
  if (start > end) return out;
  if (!rev) {
    for (let i = s.lowerBound(start); i < s.entryCount; i++) {
      const e = s.entryAt(i)!;
      if (e[0] > end) break;
      out.push(entryReply(e[0], e[1]));
      if (count > 0 && out.length === count) break;
    }
  } else {
    let i = s.lowerBound(end);
    if (i >= s.entryCount || s.idAt(i)! > end) i--;
    for (; i >= 0; i--) {
      const e = s.entryAt(i)!;
      if (e[0] < start) break;
      out.push(entryReply(e[0], e[1]));
      if (count > 0 && out.length === count) break;
    }
  }
  return out;
}
