import { describe, expect, it } from 'vitest';
import { ZIP_ENCODING, encodeZiplist, walkZiplist } from '../../../src/rdb/blobs/ziplist.js';
import type { ListpackInput } from '../../../src/rdb/blobs/listpack.js';
import { CorruptDataError, UsageError } from '../../../src/errors.js';
import { AT, expectBlobError, fromHex, noisy, rng, text, toHex } from '../../helpers/bytes.js';

type Out = string | number | bigint;
function collect(blob: Uint8Array, at = AT): Out[] {
  const out: Out[] = [];
  const n = walkZiplist(blob, at, (s, i) => {
    if (s !== null) {
      expect(i).toBe(0);
      out.push(Buffer.from(s).toString('latin1'));
    } else out.push(i);
  });
  expect(n).toBe(out.length);
  return out;
}

/**
 * ["2","5","hello","-100000","9999999999"] (the §10.4 list), built by hand:
 * entries at 10, 12, 14, 21, 26; terminator at 36.
 */
const LIST = fromHex(
  '25000000 1a000000 0500' +
    '00 f3' + // "2": immediate
    '02 f6' + // "5": immediate
    '02 05 68656c6c6f' + // "hello"
    '07 f0 6079fe' + // -100000: int24
    '05 e0 ffe30b5402000000' + // 9999999999: int64
    'ff',
);

describe('ziplist vectors (FORMATS.md §3.2, §10.4, §10.5)', () => {
  it('["2","5"] from the format description', () => {
    const blob = fromHex('0f000000 0c000000 0200 00f3 02f6 ff');
    expect(collect(blob)).toEqual([2, 5]);
    expect(toHex(encodeZiplist([text('2'), text('5')]))).toBe(toHex(blob));
  });

  it('empty ziplist', () => {
    const blob = fromHex('0b000000 0a000000 0000 ff');
    expect(walkZiplist(blob, AT)).toBe(0);
    expect(encodeZiplist([])).toEqual(blob);
  });

  it('the §10.4 list decodes and is reproduced byte for byte', () => {
    expect(collect(LIST)).toEqual([2, 5, 'hello', -100000, 9999999999]);
    const inputs = ['2', '5', 'hello', '-100000', '9999999999'].map(text);
    expect(toHex(encodeZiplist(inputs))).toBe(toHex(LIST));
  });

  it('zset ziplist [a, 1, b, "2.5"]', () => {
    const blob = encodeZiplist([text('a'), text('1'), text('b'), text('2.5')]);
    expect(collect(blob)).toEqual(['a', 1, 'b', '2.5']);
  });
});

describe('ziplist integer and string forms', () => {
  // [value, encoding byte, payload bytes]
  const INT_CASES: [number | bigint, number, number][] = [
    [0, 0xf1, 0],
    [12, 0xfd, 0],
    [13, ZIP_ENCODING.INT_8B, 1],
    [-1, ZIP_ENCODING.INT_8B, 1],
    [127, ZIP_ENCODING.INT_8B, 1],
    [-128, ZIP_ENCODING.INT_8B, 1],
    [128, ZIP_ENCODING.INT_16B, 2],
    [-129, ZIP_ENCODING.INT_16B, 2],
    [32767, ZIP_ENCODING.INT_16B, 2],
    [-32768, ZIP_ENCODING.INT_16B, 2],
    [32768, ZIP_ENCODING.INT_24B, 3],
    [-32769, ZIP_ENCODING.INT_24B, 3],
    [8388607, ZIP_ENCODING.INT_24B, 3],
    [-8388608, ZIP_ENCODING.INT_24B, 3],
    [8388608, ZIP_ENCODING.INT_32B, 4],
    [-8388609, ZIP_ENCODING.INT_32B, 4],
    [2147483647, ZIP_ENCODING.INT_32B, 4],
    [-2147483648, ZIP_ENCODING.INT_32B, 4],
    [2147483648, ZIP_ENCODING.INT_64B, 8],
    [-2147483649, ZIP_ENCODING.INT_64B, 8],
    [Number.MAX_SAFE_INTEGER, ZIP_ENCODING.INT_64B, 8],
    [2n ** 53n, ZIP_ENCODING.INT_64B, 8],
    [2n ** 63n - 1n, ZIP_ENCODING.INT_64B, 8],
    [-(2n ** 63n), ZIP_ENCODING.INT_64B, 8],
  ];

  it.each(INT_CASES)('%s uses encoding 0x%s', (v, enc, payload) => {
    const blob = encodeZiplist([v]);
    expect(blob[11]).toBe(enc);
    expect(blob.length).toBe(10 + 2 + payload + 1);
    const [got] = collect(blob);
    expect(BigInt(got as number | bigint)).toBe(BigInt(v));
    expect(typeof got).toBe(Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === BigInt(v) ? 'number' : 'bigint');
    expect(encodeZiplist([text(String(v))])).toEqual(blob);
  });

  it.each([
    [0, 1],
    [63, 1],
    [64, 2],
    [16383, 2],
    [16384, 5],
  ])('string of %d bytes has a %d-byte header', (len, hdr) => {
    const blob = encodeZiplist([new Uint8Array(len).fill(0x62)]);
    expect(blob.length).toBe(10 + 1 + hdr + len + 1);
    expect(collect(blob)).toEqual(['b'.repeat(len)]);
  });

  it('uses a 5-byte prevlen after an entry of 254 bytes or more', () => {
    const big = new Uint8Array(300).fill(0x63);
    const blob = encodeZiplist([big, text('z')]);
    const second = 10 + 1 + 2 + 300;
    expect(blob[second]).toBe(0xfe);
    expect(new DataView(blob.buffer).getUint32(second + 1, true)).toBe(303);
    expect(new DataView(blob.buffer).getUint32(4, true)).toBe(second);
    expect(collect(blob)).toEqual(['c'.repeat(300), 'z']);
    // Boundary: an entry of exactly 253 bytes keeps the 1-byte form, 254 needs 5 bytes.
    const e253 = encodeZiplist([new Uint8Array(250), text('z')]); // 1 + 2 + 250 = 253
    expect(e253[10 + 253]).toBe(253);
    const e254 = encodeZiplist([new Uint8Array(251), text('z')]);
    expect(e254[10 + 254]).toBe(0xfe);
    expect(walkZiplist(e253, AT)).toBe(2);
    expect(walkZiplist(e254, AT)).toBe(2);
  });

  it('accepts the 5-byte prevlen form for small sizes (Redis cascade-update leftovers)', () => {
    // ["a","b"] with the second entry's prevlen (3) widened to 5 bytes.
    const blob = fromHex('15000000 0d000000 0200 00 01 61 fe03000000 01 62 ff');
    expect(collect(blob)).toEqual(['a', 'b']);
  });

  it('accepts a 32-bit string header with non-zero low bits, as Redis does', () => {
    const blob = fromHex('13000000 0a000000 0100 00 bf 00000002 6869 ff');
    expect(collect(blob)).toEqual(['hi']);
  });

  it('visited strings are zero-copy views into the blob', () => {
    const blob = noisy(LIST);
    walkZiplist(blob, AT, (s) => {
      if (s !== null) expect(s.buffer).toBe(blob.buffer);
    });
  });

  it('rejects inputs the encoder cannot represent', () => {
    expect(() => encodeZiplist([2 ** 53])).toThrow(UsageError);
    expect(() => encodeZiplist([-(2n ** 63n) - 1n])).toThrow(UsageError);
  });
});

describe('ziplist round trips', () => {
  const BOUNDARY_INTS: (number | bigint)[] = [
    0, 12, 13, -1, 127, 128, -128, -129, 32767, 32768, -32768, -32769, 8388607, 8388608, -8388608, -8388609,
    2147483647, 2147483648, -2147483648, -2147483649, 2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n),
  ];

  function randomElement(rand: () => number): ListpackInput {
    const r = rand();
    if (r < 0.3) return BOUNDARY_INTS[Math.floor(rand() * BOUNDARY_INTS.length)];
    if (r < 0.45) return Math.floor((rand() - 0.5) * 2 ** 45);
    if (r < 0.55) return text(String(Math.floor((rand() - 0.5) * 1e9)));
    const lens = [0, 1, 63, 64, 250, 251, 300, 16383, 16384];
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
    const rand = rng(31);
    for (let round = 0; round < 150; round++) {
      const n = Math.floor(rand() * 30);
      const elements = Array.from({ length: n }, () => randomElement(rand));
      const blob = encodeZiplist(elements);
      const want = elements.map(expected);
      expect(collect(blob)).toEqual(want);
      expect(collect(noisy(blob, 1 + (round % 7)))).toEqual(want);
      expect(walkZiplist(blob, AT)).toBe(n);
    }
  });

  it('65535 or more entries: zllen says "unknown" and the count comes from walking', () => {
    const blob = encodeZiplist(Array.from({ length: 70_000 }, (_, i) => i % 300));
    expect(blob[8]).toBe(0xff);
    expect(blob[9]).toBe(0xff);
    expect(walkZiplist(blob, AT)).toBe(70_000);
    const few = encodeZiplist([1, 2]);
    few[8] = 0xff;
    few[9] = 0xff;
    expect(walkZiplist(few, AT)).toBe(2);
  });
});

describe('ziplist corruption is reported as BLOB_CORRUPT at the exact offset', () => {
  const mutate = (f: (b: Uint8Array) => void): Uint8Array => {
    const b = LIST.slice();
    f(b);
    return b;
  };

  it('blob shorter than header + terminator', () => {
    expectBlobError(() => walkZiplist(LIST.subarray(0, 10), AT), 500, 'ziplist');
  });

  it('zlbytes different from the blob length', () => {
    expectBlobError(() => walkZiplist(mutate((b) => (b[0] = 0x24)), AT), 500, 'ziplist');
  });

  it('missing terminator', () => {
    expectBlobError(() => walkZiplist(mutate((b) => (b[36] = 0x00)), AT), 536, 'ziplist');
  });

  it('zltail past the terminator', () => {
    expectBlobError(() => walkZiplist(mutate((b) => (b[4] = 37)), AT), 504, 'ziplist');
  });

  it('zltail not pointing at the last entry', () => {
    const err = expectBlobError(() => walkZiplist(mutate((b) => (b[4] = 21)), AT), 504, 'ziplist');
    expect(err.expected).toBe('26');
    expect(err.found).toBe('21');
    expectBlobError(() => walkZiplist(mutate((b) => (b[4] = 36)), AT), 504, 'ziplist');
  });

  it('zllen different from the entries', () => {
    const err = expectBlobError(() => walkZiplist(mutate((b) => (b[8] = 4)), AT), 508, 'ziplist');
    expect(err.expected).toBe('5');
    expect(err.found).toBe('4');
  });

  it('wrong prevlen', () => {
    expectBlobError(() => walkZiplist(mutate((b) => (b[10] = 1)), AT), 510, 'ziplist');
    const err = expectBlobError(() => walkZiplist(mutate((b) => (b[14] = 3)), AT), 514, 'ziplist');
    expect(err.expected).toBe('2');
    expect(err.found).toBe('3');
    expectBlobError(() => walkZiplist(mutate((b) => (b[26] = 4)), AT), 526, 'ziplist');
  });

  it('invalid encoding bytes', () => {
    for (const bad of [0xc1, 0xcf, 0xd1, 0xdf, 0xe1, 0xef, 0xff]) {
      expectBlobError(() => walkZiplist(mutate((b) => (b[13] = bad)), AT), 513, 'ziplist');
    }
  });

  it('terminator byte where an entry should start', () => {
    expectBlobError(() => walkZiplist(mutate((b) => (b[12] = 0xff)), AT), 512, 'ziplist');
  });

  it('entry running past the terminator', () => {
    expectBlobError(() => walkZiplist(mutate((b) => (b[15] = 0x30)), AT), 514, 'ziplist');
    expectBlobError(() => walkZiplist(mutate((b) => (b[15] = 0x80)), AT), 514, 'ziplist');
  });

  it('entry headers cut off by the terminator', () => {
    // 5-byte prevlen with no room for the encoding byte
    expectBlobError(() => walkZiplist(fromHex('10000000 0a000000 0100 fe00000000 ff'), AT), 510, 'ziplist');
    // 14-bit string length missing its second byte
    expectBlobError(() => walkZiplist(fromHex('0d000000 0a000000 0100 00 41 ff'), AT), 510, 'ziplist');
    // int64 payload cut short
    expectBlobError(() => walkZiplist(fromHex('0f000000 0a000000 0100 00 e0 0102 ff'), AT), 510, 'ziplist');
  });

  it('every truncation point (with header and terminator patched) is rejected', () => {
    for (let cut = 10; cut < LIST.length - 1; cut++) {
      const b = new Uint8Array(cut + 1);
      b.set(LIST.subarray(0, cut));
      b[cut] = 0xff;
      const dv = new DataView(b.buffer);
      dv.setUint32(0, b.length, true);
      if (dv.getUint32(4, true) > cut) dv.setUint32(4, cut, true);
      try {
        walkZiplist(b, AT);
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

  it('random byte damage only ever yields BLOB_CORRUPT', () => {
    const rand = rng(32);
    const base = encodeZiplist([text('hello'), 1, -1, 300, 2n ** 60n, -5000, 70000, text(''), new Uint8Array(260)]);
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const b = noisy(base, 1 + (i % 5)).slice();
      const flips = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < flips; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      try {
        walkZiplist(b, AT, () => {});
      } catch (e) {
        expect(e).toBeInstanceOf(CorruptDataError);
        expect((e as CorruptDataError).code).toBe('BLOB_CORRUPT');
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(300);
  });

  it('errors carry the absolute offset when the blob is a subarray', () => {
    expectBlobError(() => walkZiplist(noisy(mutate((b) => (b[14] = 3)), 9), AT), 514, 'ziplist');
  });
});
