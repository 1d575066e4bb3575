/**
 * CRC-64 as Redis computes it for the RDB trailer and DUMP payloads (FORMATS.md §1.11):
 * the "Jones" polynomial, reflected input and output, initial value 0, no final XOR.
 *
 * The 64-bit register is kept as two signed 32-bit halves (`lo`, `hi`) so the hot loop only
 * does int32 arithmetic; BigInt appears only when a caller asks for {@link Crc64.value}.
 * Throughput comes from "slicing-by-8": eight 256-entry tables let one loop step fold eight
 * input bytes at once. Each table exists twice, once per half, as `Int32Array`s.
 */

import { UsageError } from '../errors.js';

/** Parameters of the Redis CRC-64 variant (FORMATS.md §1.11). */
export const CRC64_PARAMS = {
  /** Reflected polynomial, high 32 bits (0x95AC9329AC4BC9B5 as a whole). */
  POLY_REFLECTED_HI: 0x95ac9329,
  /** Reflected polynomial, low 32 bits. */
  POLY_REFLECTED_LO: 0xac4bc9b5,
  /** Initial register value: Redis always starts from 0. */
  INIT: 0,
} as const;

/** Number of tables used by the slicing loop. */
const SLICES = 8;

/**
 * Table `k` (k = 0..7) at indices `k*256 .. k*256+255` maps a byte to the register change it
 * causes when it is followed by `k` more bytes. Table 0 is the classic byte-at-a-time table.
 */
const TABLE_LO = new Int32Array(256 * SLICES);
const TABLE_HI = new Int32Array(256 * SLICES);

function buildTables(): void {
  const polyLo = CRC64_PARAMS.POLY_REFLECTED_LO | 0;
  const polyHi = CRC64_PARAMS.POLY_REFLECTED_HI | 0;
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    // Eight reflected shift steps; the polynomial is folded in whenever a 1 bit drops out.
    for (let bit = 0; bit < 8; bit++) {
      const out = lo & 1;
      lo = (lo >>> 1) | (hi << 31);
      hi = hi >>> 1;
      if (out !== 0) {
        lo ^= polyLo;
        hi ^= polyHi;
      }
    }
    TABLE_LO[i] = lo;
    TABLE_HI[i] = hi;
  }
  // Table k = table k-1 pushed through one more zero byte.
  for (let k = 1; k < SLICES; k++) {
    for (let i = 0; i < 256; i++) {
      const prevLo = TABLE_LO[(k - 1) * 256 + i];
      const prevHi = TABLE_HI[(k - 1) * 256 + i];
      const idx = prevLo & 0xff;
      TABLE_LO[k * 256 + i] = ((prevLo >>> 8) | (prevHi << 24)) ^ TABLE_LO[idx];
      TABLE_HI[k * 256 + i] = (prevHi >>> 8) ^ TABLE_HI[idx];
    }
  }
}
buildTables();

/** True when the host stores integers little-endian (then an Int32Array view reads LE words). */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Below this many bytes the word loop is not worth creating an `Int32Array` view. */
const WORD_LOOP_MIN_BYTES = 64;

// Results of the word loop (returned through module state to avoid allocating a pair).
let outLo = 0;
let outHi = 0;

/**
 * Folds `count` int32 words (a multiple of 4, i.e. whole 16-byte blocks) of `words` into the
 * register. Two 8-byte steps per iteration; each step XORs the register into the next eight
 * input bytes and looks every resulting byte up in the table matching its distance from the
 * end of the step.
 */
function foldWords(words: Int32Array, count: number, lo: number, hi: number): void {
  const tl = TABLE_LO;
  const th = TABLE_HI;
  for (let k = 0; k < count; k += 4) {
    let a = lo ^ words[k];
    let c = hi ^ words[k + 1];
    lo =
      tl[1792 | (a & 255)] ^ tl[1536 | ((a >>> 8) & 255)] ^ tl[1280 | ((a >>> 16) & 255)] ^ tl[1024 | (a >>> 24)] ^
      tl[768 | (c & 255)] ^ tl[512 | ((c >>> 8) & 255)] ^ tl[256 | ((c >>> 16) & 255)] ^ tl[c >>> 24];
    hi =
      th[1792 | (a & 255)] ^ th[1536 | ((a >>> 8) & 255)] ^ th[1280 | ((a >>> 16) & 255)] ^ th[1024 | (a >>> 24)] ^
      th[768 | (c & 255)] ^ th[512 | ((c >>> 8) & 255)] ^ th[256 | ((c >>> 16) & 255)] ^ th[c >>> 24];
    a = lo ^ words[k + 2];
    c = hi ^ words[k + 3];
    lo =
      tl[1792 | (a & 255)] ^ tl[1536 | ((a >>> 8) & 255)] ^ tl[1280 | ((a >>> 16) & 255)] ^ tl[1024 | (a >>> 24)] ^
      tl[768 | (c & 255)] ^ tl[512 | ((c >>> 8) & 255)] ^ tl[256 | ((c >>> 16) & 255)] ^ tl[c >>> 24];
    hi =
      th[1792 | (a & 255)] ^ th[1536 | ((a >>> 8) & 255)] ^ th[1280 | ((a >>> 16) & 255)] ^ th[1024 | (a >>> 24)] ^
      th[768 | (c & 255)] ^ th[512 | ((c >>> 8) & 255)] ^ th[256 | ((c >>> 16) & 255)] ^ th[c >>> 24];
  }
  outLo = lo;
  outHi = hi;
}

/**
 * Folds `bytes[start, end)` into the register (lo, hi) and leaves the result in
 * `outLo`/`outHi`. Bounds must already be checked.
 */
function foldRange(bytes: Uint8Array, start: number, end: number, lo: number, hi: number): void {
  const tl = TABLE_LO;
  const th = TABLE_HI;
  let i = start;
  if (HOST_IS_LITTLE_ENDIAN && end - i >= WORD_LOOP_MIN_BYTES) {
    // Byte steps until the position is 4-byte aligned in the underlying buffer.
    while (((bytes.byteOffset + i) & 3) !== 0) {
      const idx = (lo ^ bytes[i]) & 255;
      lo = ((lo >>> 8) | (hi << 24)) ^ tl[idx];
      hi = (hi >>> 8) ^ th[idx];
      i++;
    }
    const wordCount = ((end - i) >>> 4) << 2;
    if (wordCount > 0) {
      foldWords(new Int32Array(bytes.buffer, bytes.byteOffset + i, wordCount), wordCount, lo, hi);
      lo = outLo;
      hi = outHi;
      i += wordCount * 4;
    }
  }
  for (; i < end; i++) {
    const idx = (lo ^ bytes[i]) & 255;
    lo = ((lo >>> 8) | (hi << 24)) ^ tl[idx];
    hi = (hi >>> 8) ^ th[idx];
  }
  outLo = lo;
  outHi = hi;
}

function checkRange(bytes: Uint8Array, start: number, end: number): void {
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= bytes.length)) {
    throw new UsageError(`crc64: range [${start}, ${end}) is outside the ${bytes.length}-byte input`);
  }
}

/**
 * Incremental CRC-64 (Redis variant, FORMATS.md §1.11). Feed bytes in any number of pieces;
 * the result equals the CRC of their concatenation.
 *
 * @example
 * const crc = new Crc64();
 * crc.update(chunk1); crc.update(chunk2);
 * crc.value(); // bigint
 */
export class Crc64 {
  private l = 0;
  private h = 0;

  /**
   * Adds `bytes[start, end)` to the checksum.
   * @param start first byte index (default 0)
   * @param end index after the last byte (default `bytes.length`)
   * @throws UsageError if the range is not inside `bytes`
   */
  update(bytes: Uint8Array, start = 0, end: number = bytes.length): void {
    checkRange(bytes, start, end);
    foldRange(bytes, start, end, this.l, this.h);
    this.l = outLo;
    this.h = outHi;
  }

  /** Low 32 bits of the current CRC, as an unsigned number. */
  get lo(): number {
    return this.l >>> 0;
  }

  /** High 32 bits of the current CRC, as an unsigned number. */
  get hi(): number {
    return this.h >>> 0;
  }

  /** The current CRC as an unsigned 64-bit bigint. */
  value(): bigint {
    return (BigInt(this.h >>> 0) << 32n) | BigInt(this.l >>> 0);
  }

  /** Continues from a saved state (the `hi`/`lo` of an earlier CRC). */
  restore(hi: number, lo: number): this {
    this.h = hi | 0;
    this.l = lo | 0;
    return this;
  }

  /** Returns to the initial state (CRC of no bytes, i.e. 0). */
  reset(): void {
    this.l = 0;
    this.h = 0;
  }
}

/**
 * CRC-64 (Redis variant) of `bytes[start, end)`, starting from 0.
 * @returns the CRC as an unsigned 64-bit bigint
 * @throws UsageError if the range is not inside `bytes`
 */
export function crc64(bytes: Uint8Array, start = 0, end: number = bytes.length): bigint {
  checkRange(bytes, start, end);
  foldRange(bytes, start, end, 0, 0);
  return (BigInt(outHi >>> 0) << 32n) | BigInt(outLo >>> 0);
}
