/**
 * LZF, the byte-oriented LZ77 variant Redis uses for compressed RDB strings
 * (FORMATS.md §4). Decompression follows the format definition of §4.1 exactly and rejects
 * anything it does not define; compression makes the same choices as liblzf built the way
 * Redis builds it (§4.2), so its output is byte for byte what Redis writes into an RDB.
 */

import { corrupt, UsageError } from '../errors.js';

/** LZF format limits (FORMATS.md §4.2; names after liblzf's macros). */
export const LZF = {
  /** Longest literal run one control byte can announce. */
  MAX_LIT: 32,
  /** Largest back-reference distance. */
  MAX_OFF: 8192,
  /** Longest back-reference (3 … 264 bytes). */
  MAX_REF: 264,
  /** Shortest back-reference worth encoding. */
  MIN_MATCH: 3,
  /** log2 of the compressor's hash table size (Redis builds liblzf with 16). */
  HLOG: 16,
  /**
   * Most output bytes one input byte can produce: a 3-byte long back-reference expands to
   * 264 bytes. Used to reject impossible `ulen`s before allocating.
   */
  MAX_EXPANSION: 88,
} as const;

/**
 * The typed-array `fill`, called directly: a Node `Buffer` (the writers' output slabs) has its
 * own `fill` that checks its arguments in JavaScript first, which made each padding run cost
 * about twice as much.
 */
const fillBytes = Uint8Array.prototype.fill;

/** Location used in error reports. */
export interface LzfLocation {
  file?: string;
  /** Absolute file offset reported in errors (the start of the LZF string). */
  offset?: number;
}

function lzfError(at: LzfLocation | undefined, reason: string, expected: string, found: string): Error {
  return corrupt('LZF_CORRUPT', `invalid LZF compressed string: ${reason}`, {
    file: at?.file,
    offset: at?.offset,
    expected,
    found,
  });
}

/**
 * Decompresses an LZF stream into `dst` (which must be exactly the expected output length).
 * Every token is checked: literal runs and back-references must stay inside both the input
 * and `dst`, back-references must not point before the start, and the output must come out at
 * exactly `dst.length` bytes.
 *
 * @param src the compressed bytes (all of them are consumed)
 * @param dst output buffer; its length is the expected uncompressed length
 * @param at location for error reports
 * @throws CorruptDataError (code `LZF_CORRUPT`) on any malformed or inconsistent input
 */
export function lzfDecompressInto(src: Uint8Array, dst: Uint8Array, at?: LzfLocation): void {
  lzfDecompressRangeInto(src, 0, src.length, dst, 0, dst.length, at);
}

/**
 * {@link lzfDecompressInto} of `src[srcStart, srcEnd)` into `dst[dstStart, dstStart + ulen)`,
 * without views (the rest of `dst` is untouched); positions in its errors count from the
 * ranges' starts, as they would for views of them.
 */
export function lzfDecompressRangeInto(src: Uint8Array, srcStart: number, srcEnd: number, dst: Uint8Array, dstStart: number, ulen: number, at?: LzfLocation): void {
  const inEnd = srcEnd;
  const outEnd = dstStart + ulen;
  let ip = srcStart;
  let op = dstStart;
  // Token grammar (FORMATS.md §4.1):
  //   000LLLLL                       literal run of L+1 bytes that follow
  //   LLLooooo oooooooo              back-reference, L = 1..6: copy L+2 bytes from distance o+1
  //   111ooooo LLLLLLLL oooooooo     back-reference of 7+L+2 bytes from distance o+1
  while (ip < inEnd) {
    const tokenPos = ip - srcStart;
    const ctrl = src[ip++];
    if (ctrl < 32) {
      const run = ctrl + 1;
      if (ip + run > inEnd) {
        throw lzfError(at, `literal run at input byte ${tokenPos} runs past the end of the input`,
          `${run} literal bytes`, `${inEnd - ip} bytes left`);
      }
      if (op + run > outEnd) {
        throw lzfError(at, `literal run at input byte ${tokenPos} overflows the output`,
          `at most ${outEnd - op} more bytes`, `${run} bytes`);
      }
      for (let k = 0; k < run; k++) dst[op++] = src[ip++];
      continue;
    }
    let len = ctrl >>> 5;
    if (len === 7) {
      if (ip >= inEnd) {
        throw lzfError(at, `back-reference at input byte ${tokenPos} is cut off`, 'a length byte', 'end of input');
      }
      len += src[ip++];
    }
    if (ip >= inEnd) {
      throw lzfError(at, `back-reference at input byte ${tokenPos} is cut off`, 'an offset byte', 'end of input');
    }
    const distance = (((ctrl & 0x1f) << 8) | src[ip++]) + 1;
    const count = len + 2;
    const from = op - distance;
    if (from < dstStart) {
      throw lzfError(at, `back-reference at input byte ${tokenPos} points before the start of the output`,
        `a distance of at most ${op - dstStart}`, `${distance}`);
    }
    if (op + count > outEnd) {
      throw lzfError(at, `back-reference at input byte ${tokenPos} overflows the output`,
        `at most ${outEnd - op} more bytes`, `${count} bytes`);
    }
    if (distance === 1 && count > 16) {
      // A run of one repeated byte (common: padding): a native fill.
      fillBytes.call(dst, dst[from], op, op + count);
      op += count;
    } else if (distance >= count && count > 32) {
      // No overlap and long enough to pay for the call: a native block copy.
      dst.copyWithin(op, from, from + count);
      op += count;
    } else {
      // Short or overlapping copies (an overlap repeats the last `distance` bytes) go byte by byte.
      for (let k = from, stop = op + count; op < stop; ) dst[op++] = dst[k++];
    }
  }
  if (op !== outEnd) {
    throw lzfError(at, 'decompressed length differs from the declared length', `${ulen} bytes`, `${op - dstStart} bytes`);
  }
}

/**
 * Whether the LZF stream `src[srcStart, srcEnd)` is well formed and decompresses to exactly
 * `ulen` bytes — what {@link lzfDecompressInto} into `ulen` bytes would accept — found without
 * producing them: each of its checks depends only on how many bytes have gone in and out, so
 * a checker, which needs the verdict and not the bytes, skips over literals and back-references
 * instead of copying them (and allocates nothing, whatever `ulen` is).
 */
export function lzfValid(src: Uint8Array, srcStart: number, srcEnd: number, ulen: number): boolean {
  let ip = srcStart;
  let op = 0;
  while (ip < srcEnd) {
    const ctrl = src[ip++];
    if (ctrl < 32) {
      const run = ctrl + 1;
      if (ip + run > srcEnd || op + run > ulen) return false;
      ip += run;
      op += run;
      continue;
    }
    let len = ctrl >>> 5;
    if (len === 7) {
      if (ip >= srcEnd) return false;
      len += src[ip++];
    }
    if (ip >= srcEnd) return false;
    const distance = (((ctrl & 0x1f) << 8) | src[ip++]) + 1;
    const count = len + 2;
    if (distance > op || op + count > ulen) return false;
    op += count;
  }
  return op === ulen;
}

/**
 * The first `want` bytes (default `dst.length`) the LZF stream `src[srcStart, srcEnd)` (default
 * all of `src`) decompresses to, into `dst` from index 0, without decompressing the rest (a
 * listpack's element count is in its first 6 bytes; the range spares the caller a view). Returns false, having filled an
 * unknown part of `dst`, when the stream is malformed before that many bytes are out or ends
 * first: a caller then decompresses it whole, which reports the damage precisely.
 */
export function lzfDecompressPrefix(src: Uint8Array, dst: Uint8Array, srcStart = 0, srcEnd = src.length, want = dst.length): boolean {
  const inEnd = srcEnd;
  let ip = srcStart;
  let op = 0;
  while (op < want) {
    if (ip >= inEnd) return false;
    const ctrl = src[ip++];
    if (ctrl < 32) {
      // Literal run of ctrl + 1 bytes.
      const run = ctrl + 1;
      if (ip + run > inEnd) return false;
      for (let k = 0; k < run && op < want; k++) dst[op++] = src[ip + k];
      ip += run;
      continue;
    }
    let len = ctrl >>> 5;
    if (len === 7) {
      if (ip >= inEnd) return false;
      len += src[ip++];
    }
    if (ip >= inEnd) return false;
    const from = op - ((((ctrl & 0x1f) << 8) | src[ip++]) + 1);
    if (from < 0) return false;
    for (let k = from, stop = op + len + 2; op < stop && op < want; ) dst[op++] = dst[k++];
  }
  return true;
}

/**
 * Decompresses an LZF stream whose uncompressed length is known (the `ulen` of an RDB 0xC3
 * string, FORMATS.md §1.6, §4.1). The caller is responsible for checking `ulen` against its
 * limits (`maxLzfBytes`) before calling; this function additionally rejects an `ulen` that no
 * LZF stream of `src.length` bytes could produce, without allocating.
 *
 * @param src the compressed bytes
 * @param ulen expected uncompressed length, in bytes
 * @param at file and absolute offset (of the LZF string) used in error reports
 * @returns a new array of exactly `ulen` bytes
 * @throws CorruptDataError (code `LZF_CORRUPT`) on any malformed input or length mismatch
 * @throws UsageError if `ulen` is not a non-negative safe integer
 */
export function lzfDecompress(src: Uint8Array, ulen: number, at?: LzfLocation): Uint8Array {
  if (!Number.isSafeInteger(ulen) || ulen < 0) {
    throw new UsageError(`lzfDecompress: ulen must be a non-negative integer, got ${ulen}`);
  }
  if (ulen > src.length * LZF.MAX_EXPANSION) {
    throw lzfError(at, `${src.length} compressed bytes cannot expand to the declared length`,
      `at most ${src.length * LZF.MAX_EXPANSION} bytes`, `${ulen} bytes`);
  }
  const dst = new Uint8Array(ulen);
  lzfDecompressInto(src, dst, at);
  return dst;
}

/** Slots in the compressor's hash table (2^HLOG). */
const HASH_SLOTS = 1 << LZF.HLOG;

/**
 * The compressor's hash table: slot → input position + 1 of the last position hashed into it.
 * liblzf keeps the table on the stack, uninitialised; in a fresh process every slot reads as
 * "no position" (a null pointer, which its match test rejects), and that is what a new call
 * sees here: a slot counts only when its stamp is the current call's.
 */
const slotPos = new Int32Array(HASH_SLOTS);
const slotStamp = new Uint32Array(HASH_SLOTS);
let stamp = 0;

/**
 * The slot of the three bytes whose hash value is `h` (only its low 24 bits count): liblzf's
 * VERY_FAST index, `((h >> 8) - h * 5) & (2^HLOG - 1)`, in 32-bit unsigned arithmetic.
 */
function slotOf(h: number): number {
  return ((h >>> 8) - Math.imul(h, 5)) & (HASH_SLOTS - 1);
}

/**
 * Compresses `src` into an LZF stream, making exactly the choices Redis's liblzf makes
 * (`lzf_compress` with HLOG 16, VERY_FAST, a fresh table): the same hash of each 3-byte
 * window, the same match search and length cut-offs, the same literal runs, and the same
 * test for running out of room. The output is therefore byte for byte what Redis stores for
 * the same string, and `null` exactly when Redis stores the string plain.
 *
 * As in Redis's `rdbSaveLzfStringObject` (FORMATS.md §1.6 rule 2, §4.2), the output room is
 * `src.length - 4` bytes: the compressed form is kept only if it is at least 4 bytes smaller
 * (liblzf gives up a little earlier than that, near the end of its room; so does this).
 * Inputs of 4 bytes or fewer are never compressed. (Redis only tries strings longer than 20
 * bytes; that choice is the caller's.)
 *
 * @param into where to compress when it has room (`src.length - 3` bytes or more): the result
 *   is then a view of it, valid until `into` is written again; otherwise a new array
 * @returns the compressed bytes, or `null` when liblzf would give up
 */
export function lzfCompress(src: Uint8Array, into?: Uint8Array): Uint8Array | null {
  const n = src.length;
  const outEnd = n - 4; // the room Redis gives the compressor
  if (n <= 4) return null;
  if (++stamp === 0xffffffff) {
    slotStamp.fill(0);
    stamp = 1;
  }
  const gen = stamp;
  const out = into !== undefined && into.length >= outEnd + 1 ? into : new Uint8Array(outEnd + 1);
  let op = 1; // out[0] is the control byte of the first literal run
  let lit = 0;
  let ip = 0;
  // Every position up to n - 3 starts a 3-byte window that is hashed and looked up.
  let h = (src[0] << 8) | src[1];
  while (ip < n - 2) {
    h = ((h << 8) | src[ip + 2]) & 0xffffff;
    const slot = slotOf(h);
    const ref = slotStamp[slot] === gen ? slotPos[slot] : -1;
    slotStamp[slot] = gen;
    slotPos[slot] = ip;
    // A match source must lie strictly after the first byte (liblzf compares against the
    // input start with `>`), at most 8192 bytes back, and start with the same 3 bytes.
    if (ref > 0 && ip - ref - 1 < LZF.MAX_OFF && src[ref + 2] === src[ip + 2] && src[ref] === src[ip] && src[ref + 1] === src[ip + 1]) {
      let len = 2;
      let maxlen = n - ip - len;
      if (maxlen > LZF.MAX_REF) maxlen = LZF.MAX_REF;
      // Room for a back-reference and the next run's control byte, tested as liblzf does.
      if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return null;
      out[op - lit - 1] = lit - 1; // close the literal run (an empty one is taken back below)
      if (lit === 0) op--;
      // liblzf compares the next 16 bytes unconditionally when more than 16 may match (they
      // are inside the input then), so a match can run up to 2 bytes past `maxlen`.
      let stopped = false;
      if (maxlen > 16) {
        for (let k = 0; k < 16; k++) {
          len++;
          if (src[ref + len] !== src[ip + len]) {
            stopped = true;
            break;
          }
        }
      }
      if (!stopped) {
        do len++;
        while (len < maxlen && src[ref + len] === src[ip + len]);
      }
      len -= 2; // now the match length minus 2, as the token stores it
      ip++;
      const off = ip - ref - 2; // the distance minus 1, as the token stores it
      if (len < 7) {
        out[op++] = (off >>> 8) + (len << 5);
      } else {
        out[op++] = (off >>> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // the next literal run's control byte
      ip += len + 1;
      if (ip >= n - 2) break;
      // VERY_FAST: hash the last two positions the match covered, then go on after it.
      ip -= 2;
      h = (src[ip] << 8) | src[ip + 1];
      h = ((h << 8) | src[ip + 2]) & 0xffffff;
      let s = slotOf(h);
      slotStamp[s] = gen;
      slotPos[s] = ip;
      ip++;
      h = ((h << 8) | src[ip + 2]) & 0xffffff;
      s = slotOf(h);
      slotStamp[s] = gen;
      slotPos[s] = ip;
      ip++;
    } else {
      if (op >= outEnd) return null;
      lit++;
      out[op++] = src[ip++];
      if (lit === LZF.MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  // The last one or two bytes cannot start a match: liblzf copies them as literals once it
  // knows 3 more bytes fit.
  if (op + 3 > outEnd) return null;
  while (ip < n) {
    lit++;
    out[op++] = src[ip++];
    if (lit === LZF.MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
  return out === into ? out.subarray(0, op) : out.slice(0, op);
}
