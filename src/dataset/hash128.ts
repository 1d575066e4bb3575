/**
 * A streaming 128-bit hash, MurmurHash3 x86_128 (Austin Appleby's public-domain design): four
 * 32-bit lanes, 16-byte blocks, `Math.imul` arithmetic. Fed byte by byte, so a value is
 * hashed where it lies without first being serialised; the digest equals the reference
 * MurmurHash3_x86_128 of the same bytes and seed (checked against it in the tests).
 *
 * The reference starts all four lanes from one seed, which leaves lanes 2–4 alike for inputs
 * shorter than a block; {@link reset} can start each lane from its own seed, which the digests
 * of this folder do ({@link LANE_SEEDS}).
 *
 * Not cryptographic: it tells datasets apart that differ by accident, not by design.
 */
import type { ByteString } from './byte-string.js';

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);

/** Four 32-bit lanes (h1 … h4 of the digest). */
export type Lanes = [number, number, number, number];

/** Distinct lane seeds (fractional digits of the golden ratio, √2, √3 and √5). */
export const LANE_SEEDS: Readonly<Lanes> = [0x9e3779b9, 0x6a09e667, 0xbb67ae85, 0x3c6ef372];

/** An incremental MurmurHash3 x86_128. */
export class Hash128 {
  private h1 = 0;
  private h2 = 0;
  private h3 = 0;
  private h4 = 0;
  private readonly block = new Uint8Array(16);
  private fill = 0;
  private total = 0;

  constructor(seed: number | Lanes = 0) {
    this.reset(seed);
  }

  /** Starts over with one seed for every lane (the reference) or one per lane. */
  reset(seed: number | Lanes = 0): this {
    if (typeof seed === 'number') this.h1 = this.h2 = this.h3 = this.h4 = seed >>> 0;
    else [this.h1, this.h2, this.h3, this.h4] = seed;
    this.fill = 0;
    this.total = 0;
    return this;
  }

  /** Feeds one byte. */
  byte(b: number): this {
    this.block[this.fill++] = b;
    this.total++;
    if (this.fill === 16) {
      this.mixBlock();
      this.fill = 0;
    }
    return this;
  }

  /** Feeds bytes. */
  bytes(b: Uint8Array): this {
    for (let i = 0; i < b.length; i++) this.byte(b[i]);
    return this;
  }

  /** Feeds the bytes of a byte string. */
  chars(s: ByteString): this {
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
    return this;
  }

  /** Feeds an unsigned 32-bit number, little-endian. */
  u32(n: number): this {
    return this.byte(n & 255)
      .byte((n >>> 8) & 255)
      .byte((n >>> 16) & 255)
      .byte((n >>> 24) & 255);
  }

  /** Feeds a number as its 8 IEEE-754 bytes (−0 and 0 differ; integers up to 2^53 exactly). */
  f64(x: number): this {
    F64[0] = x;
    for (let i = 0; i < 8; i++) this.byte(F64_BYTES[i]);
    return this;
  }

  /** Feeds a byte string with its length first, so that consecutive strings cannot run together. */
  framed(s: ByteString): this {
    return this.u32(s.length).chars(s);
  }

  /** Feeds four lanes (a digest or a sum of digests). */
  lanes(l: Lanes): this {
    return this.u32(l[0]).u32(l[1]).u32(l[2]).u32(l[3]);
  }

  /** The digest of everything fed so far (the state is left as it is). */
  digest(): Lanes {
    let h1 = this.h1;
    let h2 = this.h2;
    let h3 = this.h3;
    let h4 = this.h4;
    const t = this.block;
    const n = this.fill;
    let k1 = 0;
    let k2 = 0;
    let k3 = 0;
    let k4 = 0;
    // The tail: the last 1–15 bytes, little-endian into k1 … k4.
    if (n > 12) {
      for (let i = n - 1; i >= 12; i--) k4 = (k4 << 8) | t[i];
      k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1);
      h4 ^= k4;
    }
    if (n > 8) {
      for (let i = Math.min(n, 12) - 1; i >= 8; i--) k3 = (k3 << 8) | t[i];
      k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4);
      h3 ^= k3;
    }
    if (n > 4) {
      for (let i = Math.min(n, 8) - 1; i >= 4; i--) k2 = (k2 << 8) | t[i];
      k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3);
      h2 ^= k2;
    }
    if (n > 0) {
      for (let i = Math.min(n, 4) - 1; i >= 0; i--) k1 = (k1 << 8) | t[i];
      k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2);
      h1 ^= k1;
    }
    // Finalisation: the length (mod 2^32, as the reference's 32-bit length), then avalanche.
    const len = this.total | 0;
    h1 ^= len;
    h2 ^= len;
    h3 ^= len;
    h4 ^= len;
    h1 = (h1 + h2 + h3 + h4) | 0;
    h2 = (h2 + h1) | 0;
    h3 = (h3 + h1) | 0;
    h4 = (h4 + h1) | 0;
    h1 = fmix(h1);
    h2 = fmix(h2);
    h3 = fmix(h3);
    h4 = fmix(h4);
    h1 = (h1 + h2 + h3 + h4) | 0;
    h2 = (h2 + h1) | 0;
    h3 = (h3 + h1) | 0;
    h4 = (h4 + h1) | 0;
    return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
  }

  private mixBlock(): void {
    const b = this.block;
    let k1 = b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24);
    let k2 = b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24);
    let k3 = b[8] | (b[9] << 8) | (b[10] << 16) | (b[11] << 24);
    let k4 = b[12] | (b[13] << 8) | (b[14] << 16) | (b[15] << 24);
    let { h1, h2, h3, h4 } = this;
    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2);
    h1 ^= k1;
    h1 = (Math.imul((rotl(h1, 19) + h2) | 0, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3);
    h2 ^= k2;
    h2 = (Math.imul((rotl(h2, 17) + h3) | 0, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4);
    h3 ^= k3;
    h3 = (Math.imul((rotl(h3, 15) + h4) | 0, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1);
    h4 ^= k4;
    h4 = (Math.imul((rotl(h4, 13) + h1) | 0, 5) + 0x32ac3b17) | 0;
    this.h1 = h1;
    this.h2 = h2;
    this.h3 = h3;
    this.h4 = h4;
  }
}

/** Adds `b` into `a`, lane by lane modulo 2^32: an order-free way to combine digests. */
export function addLanes(a: Lanes, b: Lanes): void {
  a[0] = (a[0] + b[0]) >>> 0;
  a[1] = (a[1] + b[1]) >>> 0;
  a[2] = (a[2] + b[2]) >>> 0;
  a[3] = (a[3] + b[3]) >>> 0;
}

/** The 32 hex digits of a digest: each lane's 4 bytes little-endian, as the reference writes its output. */
export function lanesHex(l: Lanes): string {
  let out = '';
  for (const h of l) for (let i = 0; i < 4; i++) out += ((h >>> (8 * i)) & 255).toString(16).padStart(2, '0');
  return out;
}
