/**
 * formatG against an exact reference: the double's exact decimal expansion (BigInt), rounded
 * half to even to the precision and laid out as C's `%g` does — what glibc's printf prints.
 * Random doubles of every magnitude, the short decimals sorted-set scores often are, exact
 * ties (where toExponential rounds up and glibc to even), subnormals and large integers.
 */
import { describe, expect, it } from 'vitest';
import { formatG } from '../../src/binary/double-text.js';

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** `%.<p>g` of a finite non-zero `x`, from its exact value. */
function exactG(x: number, p: number): string {
  const neg = x < 0;
  f64[0] = Math.abs(x);
  const bits = u64[0];
  const biased = Number(bits >> 52n);
  const frac = bits & ((1n << 52n) - 1n);
  const m = biased === 0 ? frac : frac | (1n << 52n);
  const e2 = (biased === 0 ? 1 : biased) - 1075;
  // The exact value as digits × 10^(exp10 − len + 1).
  let n: bigint;
  let shift: number; // x = n / 10^shift
  if (e2 >= 0) {
    n = m << BigInt(e2);
    shift = 0;
  } else {
    n = m * 5n ** BigInt(-e2);
    shift = -e2;
  }
  let digits = n.toString();
  let exp = digits.length - 1 - shift;
  if (digits.length > p) {
    const keep = digits.slice(0, p);
    const rest = digits.slice(p);
    const half = '5' + '0'.repeat(rest.length - 1);
    let up = rest > half;
    if (rest === half) up = (Number(keep[p - 1]) & 1) === 1;
    let kept = BigInt(keep);
    if (up) kept += 1n;
    digits = kept.toString();
    if (digits.length > p) {
      // 99…9 rounded up.
      digits = digits.slice(0, p);
      exp++;
    }
  } else digits = digits.padEnd(p, '0');
  let out: string;
  if (exp < -4 || exp >= p) {
    const fr = digits.slice(1).replace(/0+$/, '');
    const ae = Math.abs(exp);
    out = `${digits[0]}${fr ? '.' + fr : ''}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' + ae : ae}`;
  } else if (exp >= 0) {
    const fr = digits.slice(exp + 1).replace(/0+$/, '');
    out = digits.slice(0, exp + 1) + (fr ? '.' + fr : '');
  } else {
    out = '0.' + '0'.repeat(-exp - 1) + digits.replace(/0+$/, '');
  }
  return neg ? '-' + out : out;
}

/** A small seeded generator (xorshift32). */
function rng(seed: number): () => number {
  let s = seed | 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

describe('formatG matches the exact %g of glibc', () => {
  const r = rng(20261207);
  const values: number[] = [];
  // Every magnitude: random bit patterns of finite doubles.
  const buf = new Uint32Array(f64.buffer);
  while (values.length < 3000) {
    buf[0] = (r() * 2 ** 32) >>> 0;
    buf[1] = (r() * 2 ** 32) >>> 0;
    if (Number.isFinite(f64[0]) && f64[0] !== 0) values.push(f64[0]);
  }
  // Scores as people write them, and as a ZINCRBY sum makes them.
  for (let i = 0; i < 2000; i++) values.push(Number((r() * 1e6).toFixed(4)), r() * 1000, -r() * 10 ** Math.floor(r() * 30 - 15), 0.1 * i + 0.2);
  // Exact ties at some precision: few significant bits.
  for (let i = 1; i < 400; i++) values.push(i / 2, i / 4, i / 8, i / 1024, i * 2 ** 60, (2 * i + 1) / 2 ** 20, 2 ** -i, 2 ** i);
  // Subnormals, extremes, integers past 2^53.
  values.push(5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308, 2 ** 53 + 2, 123456789012345680000, 1e21, 1e-5, 0.0001, 0.00001, 99999999999999990000);
  for (const p of [1, 2, 3, 6, 14, 15, 16, 17]) {
    it(`precision ${p}, ${values.length} values`, () => {
      const wrong: string[] = [];
      for (const v of values) {
        const want = exactG(v, p);
        const got = formatG(v, p);
        if (got !== want && wrong.length < 5) wrong.push(`${v}: ${got} (want ${want})`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it('ties round to the even digit, as glibc does', () => {
    expect(formatG(2.5, 1)).toBe('2');
    expect(formatG(3.5, 1)).toBe('4');
    expect(formatG(0.125, 2)).toBe('0.12');
    expect(formatG(1.5, 1)).toBe('2');
    expect(formatG(2 ** 60, 17)).toBe('1.152921504606847e+18');
    expect(formatG(-0.375, 2)).toBe('-0.38');
  });

  it('zero, infinities and NaN', () => {
    expect(formatG(0, 17)).toBe('0');
    expect(formatG(-0, 17)).toBe('-0');
    expect(formatG(Infinity, 17)).toBe('inf');
    expect(formatG(-Infinity, 17)).toBe('-inf');
    expect(formatG(NaN, 17)).toBe('nan');
  });
});
