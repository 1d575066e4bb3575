/**
 * A fast 64-bit hash for the per-key digests of `diff`: two 32-bit lanes in the manner of
 * MurmurHash3 x86_128 (its block mixing, tail and finalisation, on two lanes instead of four),
 * eight bytes a step, read straight from a byte array or a byte string without copying.
 *
 * The same bytes give the same digest whether they come as a `Uint8Array` range (the RDB
 * decoder's views), as a {@link ByteString} (the dataset's values), in one piece or in parts
 * ({@link Hash64}): the digest of a key read from an RDB and of the same key replayed from an
 * AOF must agree.
 *
 * Results of the one-shot functions are left in {@link OUT} (no object per call). Not
 * cryptographic: it tells apart data that differs by accident, not by design.
 */
import type { ByteString } from '../dataset/byte-string.js';

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;

/** The last one-shot result: the low and high 32 bits (unsigned). */
export const OUT = { lo: 0, hi: 0 };

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The end of a digest: the tail words (`n` bytes, 0–7, little-endian in `t1`/`t2`), the total
 * length, the avalanche; into {@link OUT}.
 */
function finish(h1: number, h2: number, t1: number, t2: number, n: number, total: number): void {
  if (n > 4) {
    t2 = Math.imul(t2, C2);
    t2 = (t2 << 16) | (t2 >>> 16);
    h2 ^= Math.imul(t2, C3);
  }
  if (n > 0) {
    t1 = Math.imul(t1, C1);
    t1 = (t1 << 15) | (t1 >>> 17);
    h1 ^= Math.imul(t1, C2);
  }
  h1 ^= total | 0;
  h2 ^= (total / 0x100000000) | 0;
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  OUT.lo = h1 >>> 0;
  OUT.hi = h2 >>> 0;
}

/** The digest of `b[start, end)` with seeds `s1`, `s2`, into {@link OUT}. */
export function hashBytes(b: Uint8Array, start: number, end: number, s1: number, s2: number): void {
  let h1 = s1 | 0;
  let h2 = s2 | 0;
  let i = start;
  for (const stop = end - 8; i <= stop; i += 8) {
    let k1 = b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
    let k2 = b[i + 4] | (b[i + 5] << 8) | (b[i + 6] << 16) | (b[i + 7] << 24);
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
    h1 = (h1 << 19) | (h1 >>> 13);
    h1 = (h1 + h2) | 0;
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(k2, C2);
    k2 = (k2 << 16) | (k2 >>> 16);
    h2 ^= Math.imul(k2, C3);
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (h2 + h1) | 0;
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
  }
  let t1 = 0;
  let t2 = 0;
  const n = end - i;
  for (let j = n - 1; j >= 4; j--) t2 = (t2 << 8) | b[i + j];
  for (let j = Math.min(n, 4) - 1; j >= 0; j--) t1 = (t1 << 8) | b[i + j];
  finish(h1, h2, t1, t2, n, end - start);
}

/** The digest of the bytes of `s` (one char per byte) with seeds `s1`, `s2`, into {@link OUT}. */
export function hashChars(s: ByteString, s1: number, s2: number): void {
  let h1 = s1 | 0;
  let h2 = s2 | 0;
  let i = 0;
  const end = s.length;
  for (const stop = end - 8; i <= stop; i += 8) {
    let k1 = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24);
    let k2 = s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24);
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
    h1 = (h1 << 19) | (h1 >>> 13);
    h1 = (h1 + h2) | 0;
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(k2, C2);
    k2 = (k2 << 16) | (k2 >>> 16);
    h2 ^= Math.imul(k2, C3);
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (h2 + h1) | 0;
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
  }
  let t1 = 0;
  let t2 = 0;
  const n = end - i;
  for (let j = n - 1; j >= 4; j--) t2 = (t2 << 8) | s.charCodeAt(i + j);
  for (let j = Math.min(n, 4) - 1; j >= 0; j--) t1 = (t1 << 8) | s.charCodeAt(i + j);
  finish(h1, h2, t1, t2, n, end);
}

/**
 * A 32-bit hash of `b[start, end)` with seed `seed` (MurmurHash3 x86_32): for the table's
 * index of key names, where 32 bits do.
 */
export function hashName(b: Uint8Array, start: number, end: number, seed: number): number {
  let h = seed | 0;
  let i = start;
  for (const stop = end - 4; i <= stop; i += 4) {
    let k = b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  for (let j = end - i - 1; j >= 0; j--) k = (k << 8) | b[i + j];
  if (end > i) {
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  h ^= end - start;
  return fmix(h) >>> 0;
}

/**
 * The digest of two 8-byte words (`a` = a1 a2, `b` = b1 b2, each half little-endian), with
 * seeds `s1`, `s2`, into {@link OUT}: the digest {@link hashBytes} gives those 16 bytes. For
 * combining digests (a field's with its value's, a member's with its score).
 */
export function hashWords(s1: number, s2: number, a1: number, a2: number, b1: number, b2: number): void {
  let h1 = s1 | 0;
  let h2 = s2 | 0;
  let k1 = Math.imul(a1 | 0, C1);
  k1 = (k1 << 15) | (k1 >>> 17);
  h1 ^= Math.imul(k1, C2);
  h1 = (h1 << 19) | (h1 >>> 13);
  h1 = (h1 + h2) | 0;
  h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
  let k2 = Math.imul(a2 | 0, C2);
  k2 = (k2 << 16) | (k2 >>> 16);
  h2 ^= Math.imul(k2, C3);
  h2 = (h2 << 17) | (h2 >>> 15);
  h2 = (h2 + h1) | 0;
  h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
  k1 = Math.imul(b1 | 0, C1);
  k1 = (k1 << 15) | (k1 >>> 17);
  h1 ^= Math.imul(k1, C2);
  h1 = (h1 << 19) | (h1 >>> 13);
  h1 = (h1 + h2) | 0;
  h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
  k2 = Math.imul(b2 | 0, C2);
  k2 = (k2 << 16) | (k2 >>> 16);
  h2 ^= Math.imul(k2, C3);
  h2 = (h2 << 17) | (h2 >>> 15);
  h2 = (h2 + h1) | 0;
  h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
  finish(h1, h2, 0, 0, 0, 16);
}

/**
 * An incremental digest: bytes fed in any number of parts, and 8-byte words, give what
 * {@link hashBytes} gives for all of them at once. For a string read in parts, and for
 * ordered sequences of digests (a list's items).
 */
export class Hash64 {
  private h1 = 0;
  private h2 = 0;
  /** Bytes fed so far. */
  private total = 0;
  /** Fed bytes not yet mixed (0–7), little-endian in {@link w1} (bytes 0–3) and {@link w2}. */
  private pending = 0;
  private w1 = 0;
  private w2 = 0;

  /** Starts over with seeds `s1`, `s2`. */
  reset(s1: number, s2: number): this {
    this.h1 = s1 | 0;
    this.h2 = s2 | 0;
    this.total = 0;
    this.pending = 0;
    this.w1 = 0;
    this.w2 = 0;
    return this;
  }

  /** Feeds `b[start, end)`. */
  bytes(b: Uint8Array, start = 0, end = b.length): this {
    let i = start;
    this.total += end - start;
    // Complete a pending block first.
    while (this.pending !== 0 && i < end) {
      this.put(b[i++]);
    }
    let h1 = this.h1;
    let h2 = this.h2;
    for (const stop = end - 8; i <= stop; i += 8) {
      let k1 = b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
      let k2 = b[i + 4] | (b[i + 5] << 8) | (b[i + 6] << 16) | (b[i + 7] << 24);
      k1 = Math.imul(k1, C1);
      k1 = (k1 << 15) | (k1 >>> 17);
      h1 ^= Math.imul(k1, C2);
      h1 = (h1 << 19) | (h1 >>> 13);
      h1 = (h1 + h2) | 0;
      h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
      k2 = Math.imul(k2, C2);
      k2 = (k2 << 16) | (k2 >>> 16);
      h2 ^= Math.imul(k2, C3);
      h2 = (h2 << 17) | (h2 >>> 15);
      h2 = (h2 + h1) | 0;
      h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
    }
    this.h1 = h1;
    this.h2 = h2;
    while (i < end) this.put(b[i++]);
    return this;
  }

  /** Feeds one 8-byte word: the 4 bytes of `k1` then those of `k2`, little-endian. */
  words(k1: number, k2: number): this {
    if (this.pending !== 0) {
      // Off the block boundary (bytes fed before): byte by byte.
      this.total += 8;
      for (let i = 0; i < 4; i++) this.put((k1 >>> (8 * i)) & 255);
      for (let i = 0; i < 4; i++) this.put((k2 >>> (8 * i)) & 255);
      return this;
    }
    this.total += 8;
    this.mix(k1 | 0, k2 | 0);
    return this;
  }

  /** The digest of everything fed so far, into {@link OUT} (the state is left as it is). */
  digest(): void {
    finish(this.h1, this.h2, this.w1, this.w2, this.pending, this.total);
  }

  /** One byte into the pending block (the total is counted by the caller). */
  private put(byte: number): void {
    const p = this.pending;
    if (p < 4) this.w1 |= byte << (8 * p);
    else this.w2 |= byte << (8 * (p - 4));
    if (p === 7) {
      this.mix(this.w1, this.w2);
      this.pending = 0;
      this.w1 = 0;
      this.w2 = 0;
    } else this.pending = p + 1;
  }

  private mix(k1: number, k2: number): void {
    let h1 = this.h1;
    let h2 = this.h2;
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
    h1 = (h1 << 19) | (h1 >>> 13);
    h1 = (h1 + h2) | 0;
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(k2, C2);
    k2 = (k2 << 16) | (k2 >>> 16);
    h2 ^= Math.imul(k2, C3);
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (h2 + h1) | 0;
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
    this.h1 = h1;
    this.h2 = h2;
  }
}

const F64 = new Float64Array(1);
const F64_WORDS = new Uint32Array(F64.buffer);

/** The low 32 bits of the IEEE-754 form of `x` (call {@link doubleHigh} right after for the rest). */
export function doubleLow(x: number): number {
  F64[0] = x;
  return F64_WORDS[0];
}

/** The high 32 bits of the number last given to {@link doubleLow}. */
export function doubleHigh(): number {
  return F64_WORDS[1];
}
