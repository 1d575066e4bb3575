/**
 * Test helpers for byte-level tests (blob walkers, LZF, CRC, layouts): building byte arrays
 * from text and hex, seeded randomness, views at awkward offsets, and the shared assertion for
 * BLOB_CORRUPT errors.
 */
import { expect } from 'vitest';
import type { BlobLocation } from '../../src/binary/layouts.js';
import { CorruptDataError } from '../../src/errors.js';

/** UTF-8 bytes of `s`. */
export function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Bytes from a hex string; whitespace is ignored, so `'0102 ff'` is three bytes. */
export function fromHex(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
}

/** Lower-case hex of `b`, no separators (handy for readable `toBe` comparisons). */
export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** Deterministic PRNG (mulberry32): returns a function yielding floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` random bytes drawn from `rand`, each in `[0, alphabet)` (a small alphabet makes data compressible). */
export function randomBytes(n: number, rand: () => number, alphabet = 256): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * alphabet);
  return out;
}

/** Where the blob tests pretend their blob starts: file `t.rdb`, offset 500. */
export const AT = { file: 't.rdb', offset: 500 };

/**
 * Copies `bytes` into a larger buffer filled with junk, so the result has a non-zero
 * byteOffset (`shift`) and `tail` junk bytes after it: catches code that ignores
 * `byteOffset` or reads past the view's end through `.buffer`.
 */
export function noisy(bytes: Uint8Array, shift = 3, fill = 0xee, tail = 5): Uint8Array {
  const backing = new Uint8Array(bytes.length + shift + tail).fill(fill);
  backing.set(bytes, shift);
  return backing.subarray(shift, shift + bytes.length);
}

/**
 * Asserts that `fn` throws a BLOB_CORRUPT {@link CorruptDataError} at absolute file `offset`
 * in `at.file`, with string `expected` and `found`, and returns the error for further checks.
 * When `structure` is a name (e.g. `'listpack'`), also checks that the reason reads
 * `"<structure>: ... (blob position N)"` with N = `offset - at.offset`; pass `null` to skip
 * the reason checks.
 */
export function expectBlobError(
  fn: () => unknown,
  offset: number,
  structure: string | null,
  at: BlobLocation = AT,
): CorruptDataError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CorruptDataError);
    const err = e as CorruptDataError;
    expect(err.code).toBe('BLOB_CORRUPT');
    expect(err.offset).toBe(offset);
    expect(err.file).toBe(at.file);
    if (structure !== null) {
      const name = structure.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(err.reason).toMatch(new RegExp(`^${name}: .*\\(blob position \\d+\\)$`));
      expect(err.reason).toContain(`blob position ${offset - at.offset}`);
    }
    expect(err.expected).toBeTypeOf('string');
    expect(err.found).toBeTypeOf('string');
    return err;
  }
  return expect.fail('expected BLOB_CORRUPT');
}
