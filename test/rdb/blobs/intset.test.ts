import { describe, expect, it } from 'vitest';
import { encodeIntset, walkIntset } from '../../../src/rdb/blobs/intset.js';
import { CorruptDataError, UsageError } from '../../../src/errors.js';
import { AT, expectBlobError, fromHex, noisy, rng, toHex } from '../../helpers/bytes.js';

function collect(blob: Uint8Array, deep = true): (number | bigint)[] {
  const out: (number | bigint)[] = [];
  const n = walkIntset(blob, AT, (v) => out.push(v), { deep });
  expect(n).toBe(out.length);
  return out;
}

describe('intset vectors (FORMATS.md §3.3, §10.4, §10.5)', () => {
  it.each([
    ['{-2, 5, 1000}', '02000000 03000000 feff 0500 e803', [-2, 5, 1000]],
    ['{1, 2^40}', '08000000 02000000 0100000000000000 0000000000010000', [1, 2 ** 40]],
    ['{1, 2, 3, 70000}', '04000000 04000000 01000000 02000000 03000000 70110100', [1, 2, 3, 70000]],
  ])('%s', (_name, hex, values) => {
    const blob = fromHex(hex);
    expect(collect(blob)).toEqual(values);
    expect(collect(noisy(blob))).toEqual(values);
    expect(toHex(encodeIntset(values))).toBe(toHex(blob));
    expect(walkIntset(blob, AT)).toBe(values.length);
  });
});

describe('intset round trips', () => {
  const BOUNDARIES: (number | bigint)[] = [
    0, 1, -1, 32767, -32768, 32768, -32769, 2147483647, -2147483648, 2147483648, -2147483649,
    Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n),
  ];

  it('every width boundary, in every width that can hold it', () => {
    for (const v of BOUNDARIES) {
      const big = BigInt(v);
      for (const width of [2, 4, 8] as const) {
        const fits = width === 8 || (width === 4 ? big >= -(2n ** 31n) && big < 2n ** 31n : big >= -32768n && big <= 32767n);
        if (!fits) {
          expect(() => encodeIntset([v], { encoding: width })).toThrow(UsageError);
          continue;
        }
        const blob = encodeIntset([v], { encoding: width });
        expect(blob[0]).toBe(width);
        const [got] = collect(blob);
        expect(BigInt(got)).toBe(big);
        expect(typeof got).toBe(Number.isSafeInteger(Number(big)) && BigInt(Number(big)) === big ? 'number' : 'bigint');
      }
    }
  });

  it('sorts, de-duplicates and picks the minimal width', () => {
    expect(collect(encodeIntset([5, -2, 1000, 5, -2]))).toEqual([-2, 5, 1000]);
    expect(encodeIntset([1, 32767])[0]).toBe(2);
    expect(encodeIntset([1, 32768])[0]).toBe(4);
    expect(encodeIntset([1, 2n ** 31n])[0]).toBe(8);
  });

  it('random sets in each width decode to the sorted values, also at a non-zero byteOffset', () => {
    const rand = rng(41);
    const ranges = [2 ** 15, 2 ** 31, 2 ** 62];
    for (let round = 0; round < 150; round++) {
      const range = ranges[round % 3];
      const n = 1 + Math.floor(rand() * 50);
      const values: (number | bigint)[] = [];
      for (let i = 0; i < n; i++) {
        const x = BigInt(Math.floor((rand() - 0.5) * 2 * range));
        values.push(Number.isSafeInteger(Number(x)) ? Number(x) : x);
      }
      const blob = encodeIntset(values);
      const sorted = [...new Set(values.map((v) => BigInt(v)))].sort((a, b) => (a < b ? -1 : 1));
      const got = collect(noisy(blob, 1 + (round % 7)));
      expect(got.map((v) => BigInt(v))).toEqual(sorted);
    }
  });

  it('rejects what an intset cannot hold', () => {
    expect(() => encodeIntset([])).toThrow(UsageError);
    expect(() => encodeIntset([1.5])).toThrow(UsageError);
    expect(() => encodeIntset([2n ** 63n])).toThrow(UsageError);
  });
});

describe('intset ordering (deep validation)', () => {
  it('unordered values are rejected only in deep mode, at the offending value', () => {
    const blob = fromHex('02000000 03000000 0500 feff e803');
    const err = expectBlobError(() => collect(blob, true), 510, 'intset');
    expect(err.expected).toBe('a value greater than 5');
    expect(err.found).toBe('-2');
    expect(collect(blob, false)).toEqual([5, -2, 1000]);
    expect(walkIntset(blob, AT)).toBe(3);
    expectBlobError(() => walkIntset(blob, AT, undefined, { deep: true }), 510, 'intset');
  });

  it('duplicates are rejected in deep mode', () => {
    expectBlobError(() => collect(fromHex('04000000 03000000 01000000 07000000 07000000')), 516, 'intset');
  });

  it('64-bit ordering compares the low half unsigned and the high half signed', () => {
    const enc = (vals: bigint[]): Uint8Array => {
      const b = new Uint8Array(8 + 8 * vals.length);
      const dv = new DataView(b.buffer);
      dv.setUint32(0, 8, true);
      dv.setUint32(4, vals.length, true);
      vals.forEach((v, i) => dv.setBigInt64(8 + 8 * i, v, true));
      return b;
    };
    const ascending = [-(2n ** 63n), -(2n ** 32n), -1n, 0n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 2n ** 32n, 2n ** 63n - 1n];
    expect(collect(enc(ascending)).map((v) => BigInt(v))).toEqual(ascending);
    expectBlobError(() => collect(enc([0x80000000n, 0x7fffffffn])), 516, 'intset');
    expectBlobError(() => collect(enc([0n, -1n])), 516, 'intset');
    expectBlobError(() => collect(enc([2n ** 40n, 2n ** 40n])), 516, 'intset');
  });
});

describe('intset header errors', () => {
  it.each([
    ['too short', '02000000 010000', 500],
    ['encoding 3', '03000000 01000000 000000', 500],
    ['encoding 0', '00000000 01000000', 500],
    ['length 0', '02000000 00000000', 504],
    ['size mismatch (extra byte)', '02000000 01000000 050000', 504],
    ['size mismatch (missing byte)', '04000000 02000000 01000000 020000', 504],
  ])('%s', (_name, hex, offset) => {
    expectBlobError(() => walkIntset(fromHex(hex), AT), offset, 'intset');
    expectBlobError(() => walkIntset(noisy(fromHex(hex)), AT, () => {}, { deep: true }), offset, 'intset');
  });

  it('random damage only ever yields BLOB_CORRUPT', () => {
    const rand = rng(42);
    const base = encodeIntset([-5, 1, 2, 3, 100, 1000, 40000, 2n ** 40n]);
    for (let i = 0; i < 2000; i++) {
      const b = base.slice(0, base.length - (i % 3 === 0 ? Math.floor(rand() * base.length) : 0));
      if (b.length > 0) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      try {
        walkIntset(b, AT, () => {}, { deep: true });
      } catch (e) {
        expect(e).toBeInstanceOf(CorruptDataError);
        expect((e as CorruptDataError).code).toBe('BLOB_CORRUPT');
      }
    }
  });
});
