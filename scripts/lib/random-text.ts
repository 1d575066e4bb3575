/**
 * Seeded random data for the benchmark datasets: a small PRNG and a pool of random base64
 * text to cut values from (cheap to draw, incompressible).
 */

/** mulberry32: a small seeded PRNG, good enough for test data. Returns [0, 2^32). */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The base64 alphabet the text is drawn from. */
export const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Random base64 text drawn from a fixed pool: substrings at random offsets. */
export class TextPool {
  private readonly pool: string;
  private poolBytes: Buffer | null = null;
  constructor(
    private readonly rnd: () => number,
    poolChars = 4 << 20,
  ) {
    const chars = new Array<string>(poolChars);
    for (let i = 0; i < poolChars; i++) chars[i] = B64[rnd() & 63];
    this.pool = chars.join('');
  }
  /** `len` characters (len ≤ pool size). */
  text(len: number): string {
    const start = this.rnd() % (this.pool.length - len);
    return this.pool.slice(start, start + len);
  }
  /** A string of a length uniformly in [min, max] (max ≤ pool size). */
  between(min: number, max: number): string {
    return this.text(min + (this.rnd() % (max - min + 1)));
  }
  /** Like {@link TextPool.between}, as a view of the pool's bytes (no copy; for large values). */
  bytesBetween(min: number, max: number): Buffer {
    const bytes = (this.poolBytes ??= Buffer.from(this.pool, 'latin1'));
    const len = min + (this.rnd() % (max - min + 1));
    const start = this.rnd() % (bytes.length - len);
    return bytes.subarray(start, start + len);
  }
}
