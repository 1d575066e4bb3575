/**
 * LZF, the byte-oriented LZ77 variant Redis uses for compressed RDB strings
 * (FORMATS.md §4). Decompression follows the format definition of §4.1 exactly and rejects
 * anything it does not define; compression produces a valid (not byte-identical to Redis)
 * stream with the same limits as Redis's build of liblzf (§4.2).
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
  const inEnd = src.length;
  const outEnd = dst.length;
  let ip = 0;
  let op = 0;
  // Token grammar (FORMATS.md §4.1):
  //   000LLLLL                       literal run of L+1 bytes that follow
  //   LLLooooo oooooooo              back-reference, L = 1..6: copy L+2 bytes from distance o+1
  //   111ooooo LLLLLLLL oooooooo     back-reference of 7+L+2 bytes from distance o+1
  while (ip < inEnd) {
    const tokenPos = ip;
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
    if (from < 0) {
      throw lzfError(at, `back-reference at input byte ${tokenPos} points before the start of the output`,
        `a distance of at most ${op}`, `${distance}`);
    }
    if (op + count > outEnd) {
      throw lzfError(at, `back-reference at input byte ${tokenPos} overflows the output`,
        `at most ${outEnd - op} more bytes`, `${count} bytes`);
    }
    if (distance === 1 && count > 16) {
      // A run of one repeated byte (common: padding): a native fill.
      dst.fill(dst[from], op, op + count);
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
    throw lzfError(at, 'decompressed length differs from the declared length', `${outEnd} bytes`, `${op} bytes`);
  }
}

/**
 * The first `dst.length` bytes an LZF stream decompresses to, without decompressing the rest
 * (a listpack's element count is in its first 6 bytes). Returns false, having filled an
 * unknown part of `dst`, when the stream is malformed before that many bytes are out or ends
 * first: a caller then decompresses it whole, which reports the damage precisely.
 */
export function lzfDecompressPrefix(src: Uint8Array, dst: Uint8Array): boolean {
  const inEnd = src.length;
  const want = dst.length;
  let ip = 0;
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

/** Size of the compressor's hash table (2^HLOG slots). */
const HASH_SIZE = 1 << LZF.HLOG;

/**
 * Hash table: slot → (position + generation base). A slot is valid for the current call only
 * if its value is ≥ the call's base, so the table never needs clearing between calls (it is
 * reset only when the generation counter would overflow). This keeps output deterministic.
 */
const hashTable = new Uint32Array(HASH_SIZE);
let generationBase = 1;

/** Slot for the three bytes at a position (multiplicative hash of the 24-bit value). */
function slotOf(b0: number, b1: number, b2: number): number {
  return Math.imul((b0 << 16) | (b1 << 8) | b2, 0x9e3779b1) >>> (32 - LZF.HLOG);
}

/**
 * Compresses `src` into an LZF stream that {@link lzfDecompress} (and Redis) can read.
 * Like Redis (FORMATS.md §1.6 rule 2, §4.2), compression only counts as successful when the
 * output is at least 4 bytes smaller than the input; otherwise `null` is returned and the
 * caller stores the string plain.
 *
 * Output is deterministic for a given input but is not byte-identical to Redis's compressor.
 *
 * @returns the compressed bytes (length ≤ `src.length - 4`), or `null`
 */
export function lzfCompress(src: Uint8Array): Uint8Array | null {
  const n = src.length;
  const capacity = n - 4;
  if (capacity <= 0) return null;

  if (generationBase + n + 1 >= 0xffffffff) {
    hashTable.fill(0);
    generationBase = 1;
  }
  const base = generationBase;
  generationBase += n + 1;

  // A few bytes of slack let the loop check capacity once per token instead of per write.
  const out = new Uint8Array(capacity + 8);
  let op = 1; // out[0] is reserved for the control byte of the first literal run
  let litCtrl = 0; // where the current literal run's control byte goes
  let lit = 0; // bytes in the current literal run
  let ip = 0;

  while (ip + 2 < n) {
    // The reserved control byte of an empty run may still be dropped, hence the +1.
    if (op > capacity + 1) return null;
    const slot = slotOf(src[ip], src[ip + 1], src[ip + 2]);
    const stored = hashTable[slot];
    hashTable[slot] = base + ip;
    const ref = stored - base; // negative (or stale) when the slot is from an older call
    const distance = ip - ref;
    if (
      stored >= base &&
      distance >= 1 &&
      distance <= LZF.MAX_OFF &&
      src[ref] === src[ip] &&
      src[ref + 1] === src[ip + 1] &&
      src[ref + 2] === src[ip + 2]
    ) {
      // Extend the match as far as the format and the input allow.
      const maxLen = Math.min(LZF.MAX_REF, n - ip);
      let len = LZF.MIN_MATCH;
      while (len < maxLen && src[ref + len] === src[ip + len]) len++;

      // Close the pending literal run (or give back its unused control byte).
      if (lit > 0) out[litCtrl] = lit - 1;
      else op--;

      // Back-reference token: length field = len - 2, offset field = distance - 1.
      const lenField = len - 2;
      const offField = distance - 1;
      if (lenField < 7) {
        out[op++] = (lenField << 5) | (offField >>> 8);
      } else {
        out[op++] = (7 << 5) | (offField >>> 8);
        out[op++] = lenField - 7;
      }
      out[op++] = offField & 0xff;

      // Hash only the last two positions covered by the match: enough to chain repeated
      // matches; hashing every covered position gave the same ratio on text/JSON-like data
      // and was up to 2.5x slower on long runs.
      const matchEnd = ip + len;
      for (let p = Math.max(ip + 1, matchEnd - 2); p + 2 < n && p < matchEnd; p++) {
        hashTable[slotOf(src[p], src[p + 1], src[p + 2])] = base + p;
      }
      ip = matchEnd;
      litCtrl = op++;
      lit = 0;
      continue;
    }
    out[op++] = src[ip++];
    if (++lit === LZF.MAX_LIT) {
      out[litCtrl] = LZF.MAX_LIT - 1;
      litCtrl = op++;
      lit = 0;
    }
  }
  // The last one or two bytes cannot start a match.
  while (ip < n) {
    if (op > capacity + 1) return null;
    out[op++] = src[ip++];
    if (++lit === LZF.MAX_LIT) {
      out[litCtrl] = LZF.MAX_LIT - 1;
      litCtrl = op++;
      lit = 0;
    }
  }
  if (lit > 0) out[litCtrl] = lit - 1;
  else op--;
  if (op > capacity) return null;
  return out.slice(0, op);
}
