/**
 * The hash Redis's HyperLogLog puts every element through: MurmurHash2 in its 64-bit form
 * (MurmurHash64A), reading the input as little-endian 64-bit words whatever the machine, with
 * the seed `0xadc83b19`. From the hash, the low 14 bits choose the register and the run of
 * zero bits above them, plus one, is the value the register is raised to (at most 51: bit 50
 * of the shifted hash is forced on so the run always ends).
 *
 * JavaScript has no 64-bit integer arithmetic short of BigInt, which is slow; the hash is
 * computed on pairs of 32-bit halves instead, multiplications split into 16-bit pieces.
 */
import type { ByteString } from '../../dataset/byte-string.js';

/** The seed hyperloglog.c hashes elements with. */
export const HLL_HASH_SEED = 0xadc83b19;

// The multiplier 0xc6a4a7935bd1e995, as halves.
const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;

// The 64-bit state of the running hash and the result of mulM, as unsigned 32-bit halves.
let hHi = 0;
let hLo = 0;
let rHi = 0;
let rLo = 0;

/** (hi, lo) × M mod 2^64 into rHi, rLo. */
function mulM(hi: number, lo: number): void {
  // The full 64-bit product of the two low halves, from 16-bit pieces (each product < 2^32).
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  const p00 = a0 * (M_LO & 0xffff);
  const p01 = a0 * (M_LO >>> 16);
  const p10 = a1 * (M_LO & 0xffff);
  const p11 = a1 * (M_LO >>> 16);
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const carryHi = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  rLo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  rHi = (carryHi + Math.imul(lo, M_HI) + Math.imul(hi, M_LO)) >>> 0;
}

/** Runs MurmurHash64A over the bytes of `s`; the result is left in hHi, hLo. */
function hash(s: ByteString, seed: number): void {
  const len = s.length;
  // h = seed ^ (len * m); len is a C int, so the product is of a small non-negative number.
  mulM(0, len >>> 0);
  hHi = rHi;
  hLo = (rLo ^ seed) >>> 0;
  const whole = len - (len & 7);
  let i = 0;
  for (; i < whole; i += 8) {
    const kLo = (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
    const kHi = (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)) >>> 0;
    // k *= m; k ^= k >> 47; k *= m;
    mulM(kHi, kLo);
    mulM(rHi, (rLo ^ (rHi >>> 15)) >>> 0);
    // h ^= k; h *= m;
    mulM((hHi ^ rHi) >>> 0, (hLo ^ rLo) >>> 0);
    hHi = rHi;
    hLo = rLo;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) {
      const byte = s.charCodeAt(i + j);
      if (j >= 4) hHi = (hHi ^ (byte << (8 * (j - 4)))) >>> 0;
      else hLo = (hLo ^ (byte << (8 * j))) >>> 0;
    }
    mulM(hHi, hLo);
    hHi = rHi;
    hLo = rLo;
  }
  // h ^= h >> 47; h *= m; h ^= h >> 47;
  mulM(hHi, (hLo ^ (hHi >>> 15)) >>> 0);
  hHi = rHi;
  hLo = (rLo ^ (rHi >>> 15)) >>> 0;
}

/** MurmurHash64A of the bytes of `s` (for tests and tools; {@link patternOf} is the fast path). */
export function murmurHash64A(s: ByteString, seed = HLL_HASH_SEED): bigint {
  hash(s, seed >>> 0);
  return (BigInt(hHi) << 32n) | BigInt(hLo);
}

/** Count of trailing zero bits of a non-zero 32-bit value. */
function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/**
 * The register an element goes to and the value it offers, packed as `count * 16384 + index`
 * (hyperloglog.c's `hllPatLen`, with its 14-bit register index): index = `r & 16383`,
 * count = `r >>> 14` (1–51).
 */
export function patternOf(ele: ByteString): number {
  hash(ele, HLL_HASH_SEED);
  const index = hLo & 0x3fff;
  // The hash shifted right by 14, with bit 50 set: the run of zeros counted from its bit 0.
  const lo = ((hLo >>> 14) | (hHi << 18)) >>> 0;
  const hi = (hHi >>> 14) | (1 << 18);
  const count = (lo !== 0 ? ctz32(lo) : 32 + ctz32(hi)) + 1;
  return count * 16384 + index;
}
