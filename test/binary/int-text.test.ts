import { describe, expect, it } from 'vitest';
import { intToBytes, parseCanonicalInt, parseCanonicalIntValue, writeIntText } from '../../src/binary/int-text.js';
import { UsageError } from '../../src/errors.js';
import { rng, text } from '../helpers/bytes.js';

const str = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

describe('intToBytes', () => {
  it.each([
    [0, '0'],
    [7, '7'],
    [9999, '9999'],
    [10000, '10000'],
    [-1, '-1'],
    [-300, '-300'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991'],
    [Number.MIN_SAFE_INTEGER, '-9007199254740991'],
    [-0, '0'],
  ])('%d → "%s"', (v, want) => {
    expect(str(intToBytes(v))).toBe(want);
  });

  it.each([
    [0n, '0'],
    [42n, '42'],
    [-42n, '-42'],
    [2n ** 63n - 1n, '9223372036854775807'],
    [-(2n ** 63n), '-9223372036854775808'],
    [2n ** 64n - 1n, '18446744073709551615'],
  ])('bigint %s', (v, want) => {
    expect(str(intToBytes(v))).toBe(want);
  });

  it('returns the same shared array for cached values, numbers and bigints alike', () => {
    expect(intToBytes(5)).toBe(intToBytes(5));
    expect(intToBytes(9999)).toBe(intToBytes(9999n));
    expect(intToBytes(10000)).not.toBe(intToBytes(10000));
  });

  it('rejects numbers that are not safe integers', () => {
    expect(() => intToBytes(1.5)).toThrow(UsageError);
    expect(() => intToBytes(2 ** 53)).toThrow(UsageError);
    expect(() => intToBytes(Number.NaN)).toThrow(UsageError);
  });
});

describe('writeIntText', () => {
  it('writes the bytes intToBytes makes, at the edges of every integer width and at random', () => {
    const rand = rng(3);
    const values: (number | bigint)[] = [0, -0, 1, -1, 9, 10, 99, 100, 2 ** 31 - 1, -(2 ** 31), -(2 ** 31) + 1, 2 ** 31, 2 ** 32, -(2 ** 32), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2n ** 63n - 1n, -(2n ** 63n), 12345678901234567890n];
    for (let i = 0; i < 2000; i++) values.push(Math.floor((rand() - 0.5) * 2 ** (1 + Math.floor(rand() * 53))));
    const out = new Uint8Array(24).fill(0xee);
    for (const v of values) {
      const n = writeIntText(v, out);
      expect(Buffer.from(out.subarray(0, n)).toString('latin1'), String(v)).toBe(Buffer.from(intToBytes(v)).toString('latin1'));
    }
  });
});

describe('parseCanonicalInt (FORMATS.md §1.6 rule 1)', () => {
  it.each([
    ['0', 0n],
    ['1', 1n],
    ['-1', -1n],
    ['12', 12n],
    ['-128', -128n],
    ['32768', 32768n],
    ['2147483648', 2147483648n],
    ['9007199254740993', 9007199254740993n],
    ['9223372036854775807', 2n ** 63n - 1n],
    ['-9223372036854775808', -(2n ** 63n)],
  ])('accepts "%s"', (s, want) => {
    expect(parseCanonicalInt(text(s))).toBe(want);
  });

  it.each([
    '',
    '-',
    '+1',
    '-0',
    '00',
    '007',
    '-01',
    ' 1',
    '1 ',
    '1a',
    '1.0',
    '1e3',
    '0x10',
    '9223372036854775808',
    '-9223372036854775809',
    '18446744073709551616',
    '123456789012345678901',
    '--1',
  ])('rejects "%s"', (s) => {
    expect(parseCanonicalInt(text(s))).toBeNull();
    expect(parseCanonicalIntValue(text(s))).toBeNull();
  });

  it('parseCanonicalIntValue returns numbers for safe values, bigints beyond', () => {
    expect(parseCanonicalIntValue(text('9007199254740991'))).toBe(9007199254740991);
    expect(parseCanonicalIntValue(text('-9007199254740991'))).toBe(-9007199254740991);
    expect(parseCanonicalIntValue(text('9007199254740992'))).toBe(9007199254740992n);
    expect(parseCanonicalIntValue(text('-9223372036854775808'))).toBe(-(2n ** 63n));
    expect(parseCanonicalIntValue(text('123456789012345'))).toBe(123456789012345);
  });

  it('round-trips random int64 values through intToBytes', () => {
    const rand = rng(5);
    for (let i = 0; i < 2000; i++) {
      const bits = 1 + Math.floor(rand() * 63);
      let v = 0n;
      for (let k = 0; k < bits; k++) v = (v << 1n) | (rand() < 0.5 ? 1n : 0n);
      if (rand() < 0.5) v = -v;
      expect(parseCanonicalInt(intToBytes(v))).toBe(v);
    }
    expect(parseCanonicalInt(intToBytes(-(2n ** 63n)))).toBe(-(2n ** 63n));
  });

  it('works on subarrays at a non-zero byteOffset', () => {
    const backing = text('xx-12345yy');
    expect(parseCanonicalInt(backing.subarray(2, 8))).toBe(-12345n);
  });
});
