import { describe, expect, it } from 'vitest';
import { encodeZipmap, walkZipmap } from '../../../src/rdb/blobs/zipmap.js';
import { CorruptDataError, UsageError } from '../../../src/errors.js';
import { AT, expectBlobError, fromHex, noisy, rng, text, toHex } from '../../helpers/bytes.js';

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

function collect(blob: Uint8Array): [string, string][] {
  const out: [string, string][] = [];
  const n = walkZipmap(blob, AT, (f, v) => {
    expect(f.buffer).toBe(blob.buffer); // zero-copy
    out.push([latin1(f), latin1(v)]);
  });
  expect(n).toBe(out.length);
  return out;
}

const pairs = (obj: [string, string][]): [Uint8Array, Uint8Array][] => obj.map(([k, v]) => [text(k), text(v)]);

/** {"foo":"bar"}: count 0, field length 1, field 2..4, value length 5, free 6, value 7..9, end 10. */
const FOO = fromHex('01 03 666f6f 03 00 626172 ff');

describe('zipmap vectors (FORMATS.md §3.1, §10.4)', () => {
  it('{"foo":"bar"}', () => {
    expect(collect(FOO)).toEqual([['foo', 'bar']]);
    expect(toHex(encodeZipmap(pairs([['foo', 'bar']])))).toBe(toHex(FOO));
  });

  it('{foo:bar, hello:world}', () => {
    const blob = fromHex('02 03 666f6f 03 00 626172 05 68656c6c6f 05 00 776f726c64 ff');
    const want: [string, string][] = [['foo', 'bar'], ['hello', 'world']];
    expect(collect(blob)).toEqual(want);
    expect(collect(noisy(blob))).toEqual(want);
    expect(toHex(encodeZipmap(pairs(want)))).toBe(toHex(blob));
  });

  it('skips the free bytes after values', () => {
    const blob = fromHex('02 01 61 01 03 78 000000 01 62 02 01 7979 00 ff');
    expect(collect(blob)).toEqual([['a', 'x'], ['b', 'yy']]);
    const built = encodeZipmap(pairs([['a', 'x'], ['b', 'yy']]), { free: 4 });
    expect(collect(built)).toEqual([['a', 'x'], ['b', 'yy']]);
  });

  it('uses the 0xFE + u32 form for lengths of 254 and more', () => {
    const want: [string, string][] = [['k'.repeat(253), 'v'.repeat(254)], ['K'.repeat(300), '']];
    const blob = encodeZipmap(pairs(want));
    expect(blob[1]).toBe(253);
    expect(blob[2 + 253]).toBe(0xfe);
    expect(collect(blob)).toEqual(want);
  });

  it('count 254 ("unknown") is not checked against the pairs; 255 is refused as Redis does', () => {
    const b254 = FOO.slice();
    b254[0] = 254;
    expect(collect(b254)).toEqual([['foo', 'bar']]);
    const b255 = FOO.slice();
    b255[0] = 255;
    expect(() => collect(b255)).toThrow(/header count does not match/);
    const many = Array.from({ length: 300 }, (_, i): [string, string] => [`f${i}`, `v${i}`]);
    const blob = encodeZipmap(pairs(many));
    expect(blob[0]).toBe(254);
    expect(collect(blob)).toEqual(many);
  });

  it('random maps round-trip, without a visitor too', () => {
    const rand = rng(51);
    for (let round = 0; round < 100; round++) {
      const n = 1 + Math.floor(rand() * 60);
      const seen = new Set<string>();
      const want: [string, string][] = [];
      while (want.length < n) {
        const klen = [0, 1, 5, 253, 254, 400][Math.floor(rand() * 6)];
        let k = '';
        for (let i = 0; i < klen; i++) k += String.fromCharCode(Math.floor(rand() * 256));
        if (seen.has(k)) continue;
        seen.add(k);
        const vlen = [0, 3, 253, 254, 1000][Math.floor(rand() * 5)];
        want.push([k, 'v'.repeat(vlen)]);
      }
      const blob = encodeZipmap(
        want.map(([k, v]) => [Uint8Array.from(Buffer.from(k, 'latin1')), text(v)]),
        { free: round % 5 },
      );
      expect(collect(noisy(blob, 1 + (round % 4)))).toEqual(want);
      expect(walkZipmap(blob, AT)).toBe(n);
    }
  });

  it('rejects a bad free option', () => {
    expect(() => encodeZipmap([], { free: 256 })).toThrow(UsageError);
  });
});

describe('zipmap corruption is reported as BLOB_CORRUPT at the exact offset', () => {
  const mutate = (f: (b: Uint8Array) => void): Uint8Array => {
    const b = FOO.slice();
    f(b);
    return b;
  };

  it('too short', () => {
    expectBlobError(() => walkZipmap(fromHex('ff'), AT), 500, 'zipmap');
    expectBlobError(() => walkZipmap(new Uint8Array(0), AT), 500, 'zipmap');
  });

  it('missing terminator', () => {
    expectBlobError(() => walkZipmap(mutate((b) => (b[10] = 0xfe)), AT), 510, 'zipmap');
  });

  it('no pairs', () => {
    expect(expectBlobError(() => walkZipmap(fromHex('00 ff'), AT), 500, 'zipmap').reason).toContain('empty');
  });

  it('count byte different from the pairs', () => {
    const err = expectBlobError(() => walkZipmap(mutate((b) => (b[0] = 2)), AT), 500, 'zipmap');
    expect(err.expected).toBe('1');
    expect(err.found).toBe('2');
  });

  it('field running past the terminator', () => {
    expectBlobError(() => walkZipmap(mutate((b) => (b[1] = 0x20)), AT), 501, 'zipmap');
    expectBlobError(() => walkZipmap(fromHex('01 fe 01 00 ff'), AT), 501, 'zipmap');
  });

  it('value length 0xFF is invalid', () => {
    expectBlobError(() => walkZipmap(mutate((b) => (b[5] = 0xff)), AT), 505, 'zipmap');
  });

  it('value or free space running past the terminator', () => {
    expectBlobError(() => walkZipmap(mutate((b) => (b[5] = 4)), AT), 505, 'zipmap');
    expectBlobError(() => walkZipmap(mutate((b) => (b[6] = 1)), AT), 505, 'zipmap');
    expectBlobError(() => walkZipmap(fromHex('01 01 61 fe 05000000 00 ff'), AT), 503, 'zipmap');
  });

  it('value length or free byte missing', () => {
    expectBlobError(() => walkZipmap(fromHex('01 01 61 ff'), AT), 503, 'zipmap');
    expectBlobError(() => walkZipmap(fromHex('01 01 61 01 ff'), AT), 504, 'zipmap');
  });

  it('bytes after the terminator', () => {
    const b = fromHex('01 03 666f6f 03 00 626172 ff 00 ff');
    expectBlobError(() => walkZipmap(b, AT), 510, 'zipmap');
  });

  it('duplicate fields (small map): rejected before any visit', () => {
    const blob = encodeZipmap(pairs([['foo', 'bar'], ['x', 'y'], ['foo', 'baz']]));
    let visits = 0;
    const err = expectBlobError(() => walkZipmap(blob, AT, () => visits++), 500 + 15, 'zipmap');
    expect(err.reason).toContain('duplicate');
    expect(visits).toBe(0);
  });

  it('duplicate fields (large map, hashed path): the first repeat is reported', () => {
    const base: [string, string][] = Array.from({ length: 50 }, (_, i) => [`field:${i}`, `v${i}`]);
    const list: [string, string][] = [...base.slice(0, 40), ['field:7', 'again'], ...base.slice(40), ['field:3', 'x']];
    const blob = encodeZipmap(pairs(list));
    // The repeat sits right after the first 40 pairs.
    const repeatPos = encodeZipmap(pairs(list.slice(0, 40))).length - 1;
    expectBlobError(() => walkZipmap(blob, AT), 500 + repeatPos, 'zipmap');
    // Distinct fields in a large map pass.
    expect(walkZipmap(encodeZipmap(pairs(base)), AT)).toBe(50);
  });

  it('random damage only ever yields BLOB_CORRUPT', () => {
    const rand = rng(52);
    const base = encodeZipmap(pairs([['foo', 'bar'], ['hello', 'world'], ['k'.repeat(260), 'v']]), { free: 2 });
    for (let i = 0; i < 3000; i++) {
      const b = noisy(base, 1 + (i % 5)).slice();
      const flips = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < flips; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      try {
        walkZipmap(b, AT, () => {});
      } catch (e) {
        expect(e).toBeInstanceOf(CorruptDataError);
        expect((e as CorruptDataError).code).toBe('BLOB_CORRUPT');
      }
    }
  });
});
