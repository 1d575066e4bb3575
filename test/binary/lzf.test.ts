import { describe, expect, it } from 'vitest';
import { LZF, lzfCompress, lzfDecompress, lzfDecompressInto, lzfValid } from '../../src/binary/lzf.js';
import { CorruptDataError, UsageError } from '../../src/errors.js';
import { fromHex, randomBytes, rng, text, toHex as toHexString } from '../helpers/bytes.js';

/** Asserts an LZF_CORRUPT error located at `at`. */
function expectLzfCorrupt(fn: () => unknown, offset: number | undefined, file?: string): CorruptDataError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CorruptDataError);
    const err = e as CorruptDataError;
    expect(err.code).toBe('LZF_CORRUPT');
    expect(err.offset).toBe(offset);
    expect(err.file).toBe(file);
    expect(err.expected).toBeTypeOf('string');
    expect(err.found).toBeTypeOf('string');
    return err;
  }
  return expect.fail('expected an LZF_CORRUPT error');
}

/** Decodes every token of a stream and checks it against the grammar of FORMATS.md §4.1. */
function tokensAreWellFormed(c: Uint8Array): boolean {
  let ip = 0;
  let produced = 0;
  while (ip < c.length) {
    const ctrl = c[ip++];
    if (ctrl < 32) {
      ip += ctrl + 1;
      produced += ctrl + 1;
    } else {
      let len = ctrl >> 5;
      if (len === 7) len += c[ip++];
      const dist = ((ctrl & 31) << 8) + c[ip++] + 1;
      if (dist > produced || dist > LZF.MAX_OFF || len + 2 > LZF.MAX_REF) return false;
      produced += len + 2;
    }
  }
  return ip === c.length;
}

describe('lzfDecompress vectors', () => {
  it('"abc" x 10 from FORMATS.md §4.1 / §10.5', () => {
    const out = lzfDecompress(fromHex('02 61 62 63 e0 12 02'), 30);
    expect(Buffer.from(out).toString()).toBe('abc'.repeat(10));
  });

  it('the §10.3 string loaded by Redis 7.0.15', () => {
    const out = lzfDecompress(fromHex('0061e01e00016263c001e00b30'), 70);
    expect(Buffer.from(out).toString()).toBe('a'.repeat(40) + 'bcbcbcbcbc' + 'a'.repeat(20));
  });

  it('empty input with ulen 0 gives an empty result', () => {
    expect(lzfDecompress(new Uint8Array(0), 0)).toEqual(new Uint8Array(0));
  });

  it('works on a subarray at a non-zero byteOffset', () => {
    const backing = new Uint8Array(20);
    backing.set(fromHex('02 61 62 63 e0 12 02'), 5);
    const out = lzfDecompress(backing.subarray(5, 12), 30);
    expect(Buffer.from(out).toString()).toBe('abc'.repeat(10));
  });

  it('lzfDecompressInto fills a caller buffer', () => {
    const dst = new Uint8Array(30);
    lzfDecompressInto(fromHex('02 61 62 63 e0 12 02'), dst);
    expect(Buffer.from(dst).toString()).toBe('abc'.repeat(10));
  });
});

describe('lzfDecompress rejects corrupt input with LZF_CORRUPT at the string offset', () => {
  const at = { file: 'dump.rdb', offset: 1234 };
  it.each([
    ['back-reference before the start', '20 00', 3],
    ['back-reference farther than the output so far', '00 61 20 01', 4],
    ['literal run past the end of the input', '05 61 62', 6],
    ['literal run longer than ulen', '03 61 62 63 64', 3],
    ['back-reference longer than ulen', '00 61 40 00', 3],
    ['back-reference missing its offset byte', '00 61 20', 4],
    ['long back-reference missing its length byte', '00 61 e0', 20],
    ['long back-reference missing its offset byte', '00 61 e0 05', 20],
    ['output shorter than ulen', '02 61 62 63', 4],
    ['empty input but ulen > 0', '', 0],
  ])('%s', (_name, hex, ulen) => {
    const src = fromHex(hex);
    if (ulen === 0 && src.length === 0) {
      // ulen 0 with no input is fine; check the "> 0" variant instead
      expectLzfCorrupt(() => lzfDecompress(src, 1, at), 1234, 'dump.rdb');
      return;
    }
    const err = expectLzfCorrupt(() => lzfDecompress(src, ulen, at), 1234, 'dump.rdb');
    expect(err.message).toContain('dump.rdb');
    expect(err.message).toContain('1234');
  });

  it('rejects an ulen no stream of that size could produce, before allocating', () => {
    const err = expectLzfCorrupt(() => lzfDecompress(fromHex('02 61 62 63'), 2 ** 40, at), 1234, 'dump.rdb');
    expect(err.expected).toBe(`at most ${4 * LZF.MAX_EXPANSION} bytes`);
  });

  it('without a location, offset and file stay undefined', () => {
    expectLzfCorrupt(() => lzfDecompress(fromHex('20 00'), 3), undefined, undefined);
  });

  it('rejects a bad ulen argument as misuse', () => {
    expect(() => lzfDecompress(new Uint8Array(1), -1)).toThrow(UsageError);
    expect(() => lzfDecompress(new Uint8Array(1), 1.5)).toThrow(UsageError);
  });

  it('random garbage never escapes as anything but LZF_CORRUPT', () => {
    const rand = rng(7);
    for (let i = 0; i < 2000; i++) {
      const src = randomBytes(1 + Math.floor(rand() * 40), rand);
      const ulen = Math.floor(rand() * 200);
      try {
        const out = lzfDecompress(src, ulen, at);
        expect(out.length).toBe(ulen);
      } catch (e) {
        expect(e).toBeInstanceOf(CorruptDataError);
        expect((e as CorruptDataError).code).toBe('LZF_CORRUPT');
      }
    }
  });
});

describe('lzfCompress', () => {
  function roundTrip(data: Uint8Array): Uint8Array | null {
    const c = lzfCompress(data);
    if (c !== null) {
      expect(c.length).toBeLessThanOrEqual(data.length - 4);
      expect(tokensAreWellFormed(c)).toBe(true);
      expect(lzfDecompress(c, data.length)).toEqual(data);
    }
    return c;
  }

  it('compresses "abc" x 10 and decompresses it back', () => {
    const c = roundTrip(text('abc'.repeat(10)));
    expect(c).not.toBeNull();
  });

  it('returns null when the output would not be at least 4 bytes smaller', () => {
    expect(lzfCompress(new Uint8Array(0))).toBeNull();
    expect(lzfCompress(text('abcd'))).toBeNull();
    expect(lzfCompress(text('aaaa'))).toBeNull();
    const rand = rng(11);
    expect(lzfCompress(randomBytes(10_000, rand))).toBeNull();
  });

  it('gives up where liblzf gives up: near the end of its room, and never matching the first byte', () => {
    // Eight equal bytes: a match may not start at byte 0 (liblzf compares the source with the
    // input start using ">"), so two literals come first, and then a back-reference plus the
    // next run's control byte no longer fit in the 4 bytes of room.
    expect(lzfCompress(text('aaaaaaaa'))).toBeNull();
    const c = lzfCompress(text('a'.repeat(30)))!;
    expect(toHexString(c)).toBe('016161e01100016161'); // 2 literals, 26 from distance 1, 2 literals (checked against Redis in lzf-compress.test.ts)
    expect(lzfDecompress(c, 30)).toEqual(text('a'.repeat(30)));
  });

  it('round-trips compressible data of many shapes and sizes', () => {
    const rand = rng(12);
    const shapes: Uint8Array[] = [
      new Uint8Array(100_000), // zeros: long runs capped at MAX_REF
      text('hello world, '.repeat(500)),
      text('a'.repeat(40) + 'bcbcbcbcbc' + 'a'.repeat(20)),
      randomBytes(50_000, rand, 4), // small alphabet: many short matches
      randomBytes(3_000, rand, 2),
    ];
    for (const data of shapes) expect(roundTrip(data)).not.toBeNull();
  });

  it('finds repeats up to the 8192-byte window and not beyond', () => {
    const rand = rng(16);
    for (const dist of [8191, 8192, 8193, 9000]) {
      const block = randomBytes(dist, rand);
      const data = new Uint8Array(dist * 3);
      data.set(block, 0);
      data.set(block, dist);
      data.set(block, 2 * dist);
      const c = roundTrip(data);
      if (dist <= LZF.MAX_OFF) expect(c!.length).toBeLessThan(data.length / 2);
      else expect(c).toBeNull(); // random data, repeats out of reach: nothing to gain
    }
  });

  it('round-trips random mixes (compressible or not) of every small size', () => {
    const rand = rng(13);
    for (let n = 0; n < 300; n++) {
      const alphabet = 1 + Math.floor(rand() * 8);
      roundTrip(randomBytes(n, rand, alphabet));
    }
  });

  it('uses literal runs of at most 32 bytes', () => {
    const rand = rng(14);
    const data = new Uint8Array(200);
    data.set(randomBytes(100, rand), 0); // 100 incompressible bytes, then zeros
    const c = lzfCompress(data)!;
    expect(c).not.toBeNull();
    expect(c[0]).toBe(31);
    expect(c[33]).toBe(31);
    expect(tokensAreWellFormed(c)).toBe(true);
  });

  it('is deterministic regardless of earlier calls', () => {
    const rand = rng(15);
    const a = randomBytes(5000, rand, 3);
    const b = randomBytes(5000, rand, 3);
    const first = lzfCompress(a);
    lzfCompress(b);
    lzfCompress(b.subarray(100));
    expect(lzfCompress(a)).toEqual(first);
  });

  it('compresses a subarray at a non-zero byteOffset like a copy', () => {
    const backing = new Uint8Array(1000);
    backing.set(text('xyz'.repeat(300)), 7);
    const view = backing.subarray(7, 907);
    expect(lzfCompress(view)).toEqual(lzfCompress(view.slice()));
  });
});

describe('lzfValid (the dry run a checker uses)', () => {
  /** lzfDecompressInto's verdict on `src` declared as `ulen` bytes. */
  const accepts = (src: Uint8Array, ulen: number): boolean => {
    try {
      lzfDecompressInto(src, new Uint8Array(ulen));
      return true;
    } catch (e) {
      if (!(e instanceof CorruptDataError)) throw e;
      return false;
    }
  };

  it('agrees with lzfDecompressInto on real streams, their truncations, wrong lengths and changed bytes', () => {
    const rand = rng(7);
    let valid = 0;
    for (let n = 1; n < 600; n += 3) {
      // Compressible data (a small alphabet, and runs), so that most sizes make a stream.
      const data = n % 2 ? randomBytes(n, rand, 4) : text('abcabcabd'.repeat(Math.ceil(n / 9)).slice(0, n));
      const src = lzfCompress(data);
      if (src === null) continue;
      for (const ulen of [n, n - 1, n + 1, 0]) {
        expect(lzfValid(src, 0, src.length, ulen), `n=${n} ulen=${ulen}`).toBe(accepts(src, ulen));
      }
      for (let cut = 0; cut < src.length; cut += Math.max(1, src.length >> 3)) {
        expect(lzfValid(src, 0, cut, n)).toBe(accepts(src.subarray(0, cut), n));
      }
      const bad = src.slice();
      bad[Math.floor(rand() * bad.length)] ^= 1 << Math.floor(rand() * 8);
      expect(lzfValid(bad, 0, bad.length, n)).toBe(accepts(bad, n));
      if (lzfValid(src, 0, src.length, n)) valid++;
    }
    expect(valid).toBeGreaterThan(100);
  });

  it('agrees on random garbage, read from inside a larger buffer', () => {
    const rand = rng(11);
    for (let i = 0; i < 5000; i++) {
      const src = randomBytes(1 + Math.floor(rand() * 24), rand);
      const ulen = Math.floor(rand() * 64);
      const buf = new Uint8Array(src.length + 8).fill(0xff);
      buf.set(src, 3);
      expect(lzfValid(buf, 3, 3 + src.length, ulen)).toBe(accepts(src, ulen));
    }
  });
});
