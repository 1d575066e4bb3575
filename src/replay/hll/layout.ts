/**
 * How Redis lays a HyperLogLog out in a string value (hyperloglog.c, unchanged from 2.8.10 to
 * 8.x and in Valkey):
 *
 * - a 16-byte header: the magic `HYLL`, one encoding byte (0 dense, 1 sparse), three unused
 *   bytes, and the cached cardinality as a little-endian 64-bit number whose top bit (bit 7 of
 *   byte 15) marks it stale. (Redis 2.8.9 alone kept the stale bit in byte 8, the lowest byte
 *   of the cache.)
 * - dense: 16384 registers of 6 bits packed from the least significant bit up, 12288 bytes;
 *   the whole value is 12304 bytes.
 * - sparse: run-length opcodes covering the 16384 registers in order — ZERO `00xxxxxx` (1–64
 *   zero registers), XZERO `01xxxxxx yyyyyyyy` (1–16384 zero registers, 14-bit length − 1),
 *   VAL `1vvvvvxx` (1–4 registers of value 1–32).
 */
import type { ByteString } from '../../dataset/byte-string.js';

/** Bits of the hash that choose a register. */
export const HLL_P = 14;
/** Bits left above them (the longest run of zeros is Q + 1). */
export const HLL_Q = 64 - HLL_P;
/** Number of registers. */
export const HLL_REGISTERS = 1 << HLL_P;
/** Header bytes. */
export const HLL_HDR_SIZE = 16;
/** Length of a dense value: header and 16384 six-bit registers. */
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + ((HLL_REGISTERS * 6 + 7) >>> 3);
/** Encoding byte of a dense value. */
export const HLL_DENSE = 0;
/** Encoding byte of a sparse value. */
export const HLL_SPARSE = 1;
/** Offset of the encoding byte. */
export const HLL_ENCODING_AT = 4;
/** Offset of the cached cardinality's most significant byte, whose top bit marks it stale. */
export const HLL_STALE_AT = 15;
/** Largest register value a sparse VAL opcode holds. */
export const HLL_SPARSE_VAL_MAX_VALUE = 32;
/** Most registers one VAL opcode covers. */
export const HLL_SPARSE_VAL_MAX_LEN = 4;
/** Most registers one ZERO opcode covers. */
export const HLL_SPARSE_ZERO_MAX_LEN = 64;
/** Most registers one XZERO opcode covers. */
export const HLL_SPARSE_XZERO_MAX_LEN = 16384;
/** `hll-sparse-max-bytes`' default: a sparse value that would grow past it turns dense. */
export const HLL_SPARSE_MAX_BYTES_DEFAULT = 3000;

/**
 * True when a string value is a HyperLogLog Redis accepts (`isHLLObjectOrReply`): at least a
 * header long, magic `HYLL`, a known encoding, and exactly 12304 bytes when dense. A sparse
 * value's opcodes are not checked here; the commands find damage as they read them.
 */
export function isHllString(s: ByteString): boolean {
  if (s.length < HLL_HDR_SIZE) return false;
  if (s.charCodeAt(0) !== 0x48 || s.charCodeAt(1) !== 0x59 || s.charCodeAt(2) !== 0x4c || s.charCodeAt(3) !== 0x4c) return false;
  const enc = s.charCodeAt(HLL_ENCODING_AT);
  if (enc > HLL_SPARSE) return false;
  return enc !== HLL_DENSE || s.length === HLL_DENSE_SIZE;
}

/** Register `regnum` of the dense registers starting at `off` in `b`. */
export function denseGet(b: Uint8Array, off: number, regnum: number): number {
  const bit = regnum * 6;
  const at = off + (bit >>> 3);
  const fb = bit & 7;
  // The byte after the last register is the string's terminator in Redis; its bits are
  // shifted out for the last register, so reading past the end (undefined → 0) is harmless.
  return ((b[at] >>> fb) | (b[at + 1] << (8 - fb))) & 63;
}

/** Sets register `regnum` of the dense registers at `off` to `val` (0–63). */
export function denseSetRaw(b: Uint8Array, off: number, regnum: number, val: number): void {
  const bit = regnum * 6;
  const at = off + (bit >>> 3);
  const fb = bit & 7;
  const fb8 = 8 - fb;
  b[at] = (b[at] & ~(63 << fb)) | (val << fb);
  // For the last register this touches the terminator byte with a mask that keeps it.
  b[at + 1] = (b[at + 1] & ~(63 >>> fb8)) | (val >>> fb8);
}

/**
 * Raises register `index` to `count` when it is lower (`hllDenseSet`); 1 when it changed.
 */
export function denseSet(b: Uint8Array, index: number, count: number): number {
  if (count > denseGet(b, HLL_HDR_SIZE, index)) {
    denseSetRaw(b, HLL_HDR_SIZE, index, count);
    return 1;
  }
  return 0;
}

/** Marks the cached cardinality stale. */
export function invalidateCache(b: Uint8Array): void {
  b[HLL_STALE_AT] |= 0x80;
}

/** True when the cached cardinality may be used. */
export function cacheValid(b: Uint8Array): boolean {
  return (b[HLL_STALE_AT] & 0x80) === 0;
}

/** The cached cardinality (exact up to 2^53). */
export function readCard(b: Uint8Array): number {
  let lo = 0;
  for (let i = 11; i >= 8; i--) lo = lo * 256 + b[i];
  let hi = 0;
  for (let i = 15; i >= 12; i--) hi = hi * 256 + b[i];
  return hi * 2 ** 32 + lo;
}

/** Stores a cardinality in the header's cache (its top bit clear, so the cache is valid). */
export function writeCard(b: Uint8Array, card: number): void {
  let lo = card % 2 ** 32;
  let hi = Math.floor(card / 2 ** 32);
  for (let i = 8; i < 12; i++) {
    b[i] = lo & 0xff;
    lo = Math.floor(lo / 256);
  }
  for (let i = 12; i < 16; i++) {
    b[i] = hi & 0xff;
    hi = Math.floor(hi / 256);
  }
}
