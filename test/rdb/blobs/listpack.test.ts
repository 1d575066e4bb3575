import { describe, expect, it } from 'vitest';
import {
  LP_ENCODING,
  encodeListpack,
  listpackBacklenSize,
  listpackHeaderCount,
  walkListpack,
  type ListpackInput,
} from '../../../src/rdb/blobs/listpack.js';
import { CorruptDataError, UsageError } from '../../../src/errors.js';
import { AT, expectBlobError, fromHex, noisy, rng, text, toHex } from '../../helpers/bytes.js';

type Out = string | number | bigint;
/** Walks and returns elements (strings as latin1 text, integers as numbers/bigints). */
function collect(blob: Uint8Array, at = AT): Out[] {
  const out: Out[] = [];
  const n = walkListpack(blob, at, (s, i) => {
    if (s !== null) {
      expect(i).toBe(0);
      out.push(Buffer.from(s).toString('latin1'));
    } else out.push(i);
  });
  expect(n).toBe(out.length);
  return out;
}

/** FORMATS.md §3.4 example: ["hello", 1, -1, 300, "x" x 70]. */
const EXAMPLE = fromHex(
  '5f000000 0500' +
    '85 68656c6c6f 06' +
    '01 01' +
    'df ff 02' +
    'c1 2c 02' +
    'e0 46' + '78'.repeat(70) + '48' +
    'ff',
);
const EXAMPLE_ELEMENTS: ListpackInput[] = [text('hello'), 1, -1, 300, text('x'.repeat(70))];

describe('listpack vectors (FORMATS.md §3.4, §10.2, §10.3, §10.5)', () => {
  it('empty listpack', () => {
    const blob = fromHex('07000000 0000 ff');
    expect(walkListpack(blob, AT)).toBe(0);
    expect(listpackHeaderCount(blob, AT)).toBe(0);
    expect(encodeListpack([])).toEqual(blob);
  });

  it('the §3.4 example decodes and is reproduced byte for byte', () => {
    expect(EXAMPLE.length).toBe(0x5f);
    expect(collect(EXAMPLE)).toEqual(['hello', 1, -1, 300, 'x'.repeat(70)]);
    expect(toHex(encodeListpack(EXAMPLE_ELEMENTS))).toBe(toHex(EXAMPLE));
    // Digit strings are stored as integers, exactly as the numbers are.
    expect(encodeListpack([text('hello'), text('1'), text('-1'), text('300'), text('x'.repeat(70))])).toEqual(EXAMPLE);
  });

  it.each([
    ['quicklist node ["a", 1]', '0c000000 0200 8161 02 0101 ff', ['a', 1]],
    ['set listpack ["a","b",1]', '0f000000 0300 8161 02 8162 02 0101 ff', ['a', 'b', 1]],
    [
      'hash listpack-ex with int64 TTLs',
      '35000000 0900 82663303 82763303 f46051c22cbb030000 09 82663203 82763203 f400d8c32cbb030000 09 82663103 82763103 0001 ff',
      ['f3', 'v3', 4102444700000, 'f2', 'v2', 4102444800000, 'f1', 'v1', 0],
    ],
    [
      'stream node listpack of §10.3',
      '39000000 1600 0301 0001 0101 816602 0001 0201 0001 0001 817602 0401 0201 0001 0101 82763203 0401' +
        ' 0001 0001 0201 0101 816702 817802 0601 ff',
      [3, 0, 1, 'f', 0, 2, 0, 0, 'v', 4, 2, 0, 1, 'v2', 4, 0, 0, 2, 1, 'g', 'x', 6],
    ],
  ])('%s', (_name, hex, want) => {
    const blob = fromHex(hex);
    expect(collect(blob)).toEqual(want);
    expect(listpackHeaderCount(blob, AT)).toBe(want.length);
    const inputs = want.map((v) => (typeof v === 'string' ? text(v) : v));
    expect(toHex(encodeListpack(inputs))).toBe(toHex(blob));
  });
});

describe('listpack integer and string forms', () => {
  // [value, first byte of the element, encoding+data size]
  const INT_CASES: [number | bigint, number, number][] = [
    [0, 0x00, 1],
    [127, 0x7f, 1],
    [128, 0xc0, 2],
    [4095, 0xcf, 2],
    [-1, 0xdf, 2],
    [-4096, 0xd0, 2],
    [4096, LP_ENCODING.INT16, 3],
    [-4097, LP_ENCODING.INT16, 3],
    [32767, LP_ENCODING.INT16, 3],
    [-32768, LP_ENCODING.INT16, 3],
    [32768, LP_ENCODING.INT24, 4],
    [-32769, LP_ENCODING.INT24, 4],
    [8388607, LP_ENCODING.INT24, 4],
    [-8388608, LP_ENCODING.INT24, 4],
    [8388608, LP_ENCODING.INT32, 5],
    [-8388609, LP_ENCODING.INT32, 5],
    [2147483647, LP_ENCODING.INT32, 5],
    [-2147483648, LP_ENCODING.INT32, 5],
    [2147483648, LP_ENCODING.INT64, 9],
    [-2147483649, LP_ENCODING.INT64, 9],
    [Number.MAX_SAFE_INTEGER, LP_ENCODING.INT64, 9],
    [Number.MIN_SAFE_INTEGER, LP_ENCODING.INT64, 9],
    [2n ** 53n, LP_ENCODING.INT64, 9],
    [-(2n ** 53n), LP_ENCODING.INT64, 9],
    [2n ** 63n - 1n, LP_ENCODING.INT64, 9],
    [-(2n ** 63n), LP_ENCODING.INT64, 9],
  ];

  it.each(INT_CASES)('%s uses first byte 0x%s', (v, firstByte, size) => {
    const blob = encodeListpack([v]);
    expect(blob[6]).toBe(firstByte);
    expect(blob.length).toBe(6 + size + 1 + 1);
    expect(blob[6 + size]).toBe(size); // 1-byte backlen
    const [got] = collect(blob);
    expect(BigInt(got as number | bigint)).toBe(BigInt(v));
    // Safe integers come back as numbers, others as bigints.
    expect(typeof got).toBe(Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === BigInt(v) ? 'number' : 'bigint');
    // The same value given as text is encoded identically.
    expect(encodeListpack([text(String(v))])).toEqual(blob);
  });

  it.each([
    [0, 0x80, 1],
    [63, 0xbf, 1],
    [64, 0xe0, 2],
    [4095, 0xef, 2],
    [4096, LP_ENCODING.STR32, 5],
  ])('string of %d bytes uses first byte 0x%s', (len, firstByte, hdr) => {
    const s = new Uint8Array(len).fill(0x61);
    const blob = encodeListpack([s]);
    expect(blob[6]).toBe(firstByte);
    expect(blob.length).toBe(6 + hdr + len + listpackBacklenSize(hdr + len) + 1);
    expect(collect(blob)).toEqual(['a'.repeat(len)]);
  });

  it('non-canonical digit strings stay strings', () => {
    const inputs = ['0123', '+5', '-0', ' 1', '1 ', '9223372036854775808', '1.5', ''].map(text);
    expect(collect(encodeListpack(inputs))).toEqual(['0123', '+5', '-0', ' 1', '1 ', '9223372036854775808', '1.5', '']);
  });

  it('backlen size thresholds follow Redis exactly', () => {
    const cases: [number, number][] = [
      [1, 1], [127, 1], [128, 2], [16382, 2], [16383, 3], [2097150, 3], [2097151, 4],
      [268435454, 4], [268435455, 5], [0xffffffff, 5],
    ];
    for (const [size, blen] of cases) expect(listpackBacklenSize(size)).toBe(blen);
  });

  it.each([
    [127, 1, [0x7f]],
    [128, 2, [0x01, 0x80]],
    [16382, 2, [0x7f, 0xfe]],
    [16383, 3, [0x00, 0xff, 0xff]],
    [2097150, 3, [0x7f, 0xff, 0xfe]],
    [2097151, 4, [0x00, 0xff, 0xff, 0xff]],
  ])('element of %d bytes gets a %d-byte backlen', (size, blen, bytes) => {
    // String length that makes encoding+data exactly `size` bytes.
    const len = size - (size - 2 < 64 ? 1 : size - 2 < 4096 ? 2 : 5);
    const blob = encodeListpack([new Uint8Array(len).fill(0x7a)]);
    expect(blob.length).toBe(6 + size + blen + 1);
    expect([...blob.subarray(6 + size, 6 + size + blen)]).toEqual(bytes);
    expect(walkListpack(blob, AT)).toBe(1);
    let seen = 0;
    walkListpack(blob, AT, (s) => {
      expect(s!.length).toBe(len);
      seen++;
    });
    expect(seen).toBe(1);
  });

  it('visited strings are zero-copy views into the blob', () => {
    const blob = noisy(EXAMPLE);
    walkListpack(blob, AT, (s) => {
      if (s === null) return;
      expect(s.buffer).toBe(blob.buffer);
      expect(s.byteOffset).toBeGreaterThan(blob.byteOffset);
      expect(s.byteOffset + s.length).toBeLessThan(blob.byteOffset + blob.length);
    });
  });

  it('rejects inputs the encoder cannot represent', () => {
    expect(() => encodeListpack([2 ** 53])).toThrow(UsageError);
    expect(() => encodeListpack([1.5])).toThrow(UsageError);
    expect(() => encodeListpack([2n ** 63n])).toThrow(UsageError);
  });
});

describe('listpack round trips', () => {
  const BOUNDARY_INTS: (number | bigint)[] = [
    0, 1, 12, 13, 127, 128, -1, -4096, 4095, 4096, -4097, 32767, 32768, -32768, -32769, 8388607, 8388608,
    -8388608, -8388609, 2147483647, 2147483648, -2147483648, -2147483649, 2 ** 53 - 1, -(2 ** 53 - 1),
    2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n),
  ];

  function randomElement(rand: () => number): ListpackInput {
    const r = rand();
    if (r < 0.3) return BOUNDARY_INTS[Math.floor(rand() * BOUNDARY_INTS.length)];
    if (r < 0.45) return Math.floor((rand() - 0.5) * 2 ** 40);
    if (r < 0.55) return text(String(Math.floor((rand() - 0.5) * 1e6)));
    const lens = [0, 1, 5, 63, 64, 200, 4095, 4096, 5000];
    const len = lens[Math.floor(rand() * lens.length)];
    const s = new Uint8Array(len);
    for (let i = 0; i < len; i++) s[i] = Math.floor(rand() * 256);
    return s;
  }

  function expected(e: ListpackInput): Out {
    if (!(e instanceof Uint8Array)) return Number.isSafeInteger(Number(e)) && BigInt(Number(e)) === BigInt(e) ? Number(e) : e;
    const t = Buffer.from(e).toString('latin1');
    if (/^(0|-?[1-9][0-9]{0,18})$/.test(t)) {
      const v = BigInt(t);
      if (v >= -(2n ** 63n) && v < 2n ** 63n) return Number.isSafeInteger(Number(v)) ? Number(v) : v;
    }
    return t;
  }

  it('random element mixes decode to what was encoded, also at a non-zero byteOffset', () => {
    const rand = rng(21);
    for (let round = 0; round < 200; round++) {
      const n = Math.floor(rand() * 40);
      const elements = Array.from({ length: n }, () => randomElement(rand));
      const blob = encodeListpack(elements);
      const want = elements.map(expected);
      expect(collect(blob)).toEqual(want);
      expect(collect(noisy(blob, 1 + (round % 7)))).toEqual(want);
      expect(walkListpack(blob, AT)).toBe(n);
      expect(listpackHeaderCount(blob, AT)).toBe(n);
    }
  });

  it('65535 or more elements: header says "unknown" and counts come from walking', () => {
    const many = Array.from({ length: 70_000 }, (_, i) => i % 100);
    const blob = encodeListpack(many);
    expect(blob[4]).toBe(0xff);
    expect(blob[5]).toBe(0xff);
    expect(walkListpack(blob, AT)).toBe(70_000);
    expect(listpackHeaderCount(blob, AT)).toBe(70_000);
    const exact = encodeListpack(many.slice(0, 65_535));
    expect(listpackHeaderCount(exact, AT)).toBe(65_535);
  });

  it('a header count of 65535 also accepts fewer elements', () => {
    const blob = encodeListpack([1, 2, 3]);
    blob[4] = 0xff;
    blob[5] = 0xff;
    expect(walkListpack(blob, AT)).toBe(3);
    expect(listpackHeaderCount(blob, AT)).toBe(3);
  });
});

describe('listpack corruption is reported as BLOB_CORRUPT at the exact offset', () => {
  // EXAMPLE layout: "hello" at 6 (backlen at 12), 1 at 13, -1 at 15, 300 at 18,
  // "x"*70 at 21 (length byte at 22, backlen at 93), terminator at 94.
  const mutate = (f: (b: Uint8Array) => void): Uint8Array => {
    const b = EXAMPLE.slice();
    f(b);
    return b;
  };

  it('blob shorter than header + terminator', () => {
    expectBlobError(() => walkListpack(EXAMPLE.subarray(0, 6), AT), 500, 'listpack');
    expectBlobError(() => listpackHeaderCount(new Uint8Array(0), AT), 500, 'listpack');
  });

  it('total_bytes different from the blob length', () => {
    const err = expectBlobError(() => walkListpack(mutate((b) => (b[0] = 0x60)), AT), 500, 'listpack');
    expect(err.expected).toBe('95');
    expect(err.found).toBe('96');
    expectBlobError(() => listpackHeaderCount(mutate((b) => (b[3] = 1)), AT), 500, 'listpack');
  });

  it('missing terminator', () => {
    expectBlobError(() => walkListpack(mutate((b) => (b[94] = 0)), AT), 594, 'listpack');
    expectBlobError(() => listpackHeaderCount(mutate((b) => (b[94] = 0)), AT), 594, 'listpack');
  });

  it('header count different from the elements', () => {
    const err = expectBlobError(() => walkListpack(mutate((b) => (b[4] = 4)), AT), 504, 'listpack');
    expect(err.expected).toBe('5');
    expect(err.found).toBe('4');
  });

  it('wrong backlen', () => {
    expectBlobError(() => walkListpack(mutate((b) => (b[12] = 7)), AT), 512, 'listpack');
    expectBlobError(() => walkListpack(mutate((b) => (b[93] = 0x49)), AT), 593, 'listpack');
    expectBlobError(() => walkListpack(mutate((b) => (b[14] = 0x81)), AT), 514, 'listpack');
  });

  it('invalid encoding byte', () => {
    for (const bad of [0xf5, 0xf9, 0xfe]) {
      const err = expectBlobError(() => walkListpack(mutate((b) => (b[13] = bad)), AT), 513, 'listpack');
      expect(err.found).toBe('0x' + bad.toString(16).toUpperCase());
    }
  });

  it('terminator byte before the end', () => {
    expectBlobError(() => walkListpack(mutate((b) => (b[13] = 0xff)), AT), 513, 'listpack');
  });

  it('string running past the terminator', () => {
    expectBlobError(() => walkListpack(mutate((b) => (b[22] = 0x50)), AT), 521, 'listpack');
    expectBlobError(() => walkListpack(mutate((b) => (b[21] = 0xef)), AT), 521, 'listpack');
    // A longer length that still fits is caught by the backlen check where the element ends.
    expectBlobError(() => walkListpack(mutate((b) => (b[6] = 0xbf)), AT), 570, 'listpack');
  });

  it('huge 32-bit string length', () => {
    const blob = fromHex('0d000000 0100 f0 ffffffff 00 ff');
    expectBlobError(() => walkListpack(blob, AT), 506, 'listpack');
  });

  it('encoding header cut off by the terminator', () => {
    expectBlobError(() => walkListpack(fromHex('0a000000 0100 f4 0102 ff'), AT), 506, 'listpack');
    expectBlobError(() => walkListpack(fromHex('08000000 0100 c1 ff'), AT), 506, 'listpack');
    expectBlobError(() => walkListpack(fromHex('08000000 0100 e1 ff'), AT), 506, 'listpack');
  });

  it('backlen cut off by the terminator', () => {
    expectBlobError(() => walkListpack(fromHex('08000000 0100 01 ff'), AT), 507, 'listpack');
  });

  it('every truncation point (with header and terminator patched) is rejected', () => {
    for (let cut = 6; cut < EXAMPLE.length - 1; cut++) {
      const b = new Uint8Array(cut + 1);
      b.set(EXAMPLE.subarray(0, cut));
      b[cut] = 0xff;
      new DataView(b.buffer).setUint32(0, b.length, true);
      try {
        walkListpack(b, AT);
        expect.fail(`cut at ${cut} was accepted`);
      } catch (e) {
        expect(e).toBeInstanceOf(CorruptDataError);
        const err = e as CorruptDataError;
        expect(err.code).toBe('BLOB_CORRUPT');
        expect(err.offset).toBeGreaterThanOrEqual(500);
        expect(err.offset).toBeLessThanOrEqual(500 + cut);
      }
    }
  });

  it('random byte damage only ever yields BLOB_CORRUPT (never RangeError or a crash)', () => {
    const rand = rng(22);
    const base = encodeListpack([text('hello'), 1, -1, 300, text('x'.repeat(70)), 2n ** 60n, -5000, 70000, text('')]);
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const b = noisy(base, 1 + (i % 5)).slice();
      const flips = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < flips; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      try {
        walkListpack(b, AT, () => {});
      } catch (e) {
        expect(e).toBeInstanceOf(CorruptDataError);
        expect((e as CorruptDataError).code).toBe('BLOB_CORRUPT');
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(1000); // most damage outside string data is caught
  });

  it('errors carry the absolute offset when the blob is a subarray', () => {
    const b = noisy(mutate((x) => (x[12] = 7)), 11);
    expectBlobError(() => walkListpack(b, AT), 512, 'listpack');
  });
});
