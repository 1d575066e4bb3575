import { describe, expect, it } from 'vitest';
// The package's "exports" map has no "types" condition for its ESM entry, so TypeScript finds
// declarations only through the CommonJS build path; Node loads that file fine from ESM.
import { Parser } from 'binary-parser/dist/binary_parser.js';
import {
  BLOB_LAYOUT,
  blobCorrupt,
  i64le,
  readIntsetHeader,
  readListpackHeader,
  readZiplistHeader,
  u16le,
  u32le,
} from '../../src/binary/layouts.js';
import { CorruptDataError } from '../../src/errors.js';
import { expectBlobError, noisy, rng } from '../helpers/bytes.js';

// Independent definitions of the same layouts (STYLE.md §3), used only as a second opinion.
const listpackHeaderLayout = new Parser().endianness('little').uint32('totalBytes').uint16('count');
const ziplistHeaderLayout = new Parser().endianness('little').uint32('zlbytes').uint32('zltail').uint16('zllen');
/** One intset layout per value width: header, then `length` values of that width. */
const intsetLayouts = {
  2: new Parser().endianness('little').uint32('encoding').uint32('length').array('items', { type: 'int16le', length: 'length' }),
  4: new Parser().endianness('little').uint32('encoding').uint32('length').array('items', { type: 'int32le', length: 'length' }),
  8: new Parser().endianness('little').uint32('encoding').uint32('length').array('items', { type: 'int64le', length: 'length' }),
} as const;

interface LpParsed { totalBytes: number; count: number }
interface ZlParsed { zlbytes: number; zltail: number; zllen: number }
interface IsParsed { encoding: number; length: number; items: (number | bigint)[] }

const AT = { file: 'x.rdb', offset: 1000 };

describe('header adapters agree with binary-parser definitions', () => {
  it('listpack header', () => {
    const rand = rng(1);
    for (let i = 0; i < 300; i++) {
      const n = 7 + Math.floor(rand() * 60);
      const blob = new Uint8Array(n);
      for (let k = 0; k < n; k++) blob[k] = Math.floor(rand() * 256);
      new DataView(blob.buffer).setUint32(0, n, true);
      blob[n - 1] = 0xff;
      const mine = readListpackHeader(noisy(blob, 3, 0xaa, 6), AT);
      const ref = listpackHeaderLayout.parse(blob) as LpParsed;
      expect(mine).toEqual({ totalBytes: ref.totalBytes, count: ref.count });
    }
  });

  it('ziplist header', () => {
    const rand = rng(2);
    for (let i = 0; i < 300; i++) {
      const n = 11 + Math.floor(rand() * 60);
      const blob = new Uint8Array(n);
      for (let k = 0; k < n; k++) blob[k] = Math.floor(rand() * 256);
      const dv = new DataView(blob.buffer);
      dv.setUint32(0, n, true);
      dv.setUint32(4, Math.floor(rand() * n), true);
      blob[n - 1] = 0xff;
      const mine = readZiplistHeader(noisy(blob, 3, 0xaa, 6), AT);
      const ref = ziplistHeaderLayout.parse(blob) as ZlParsed;
      expect(mine).toEqual({ zlbytes: ref.zlbytes, zltail: ref.zltail, zllen: ref.zllen });
    }
  });

  it('intset header and values (i64le for 8-byte values)', () => {
    const rand = rng(3);
    for (const width of [2, 4, 8] as const) {
      for (let i = 0; i < 100; i++) {
        const len = 1 + Math.floor(rand() * 20);
        const blob = new Uint8Array(8 + len * width);
        for (let k = 8; k < blob.length; k++) blob[k] = Math.floor(rand() * 256);
        const dv = new DataView(blob.buffer);
        dv.setUint32(0, width, true);
        dv.setUint32(4, len, true);
        const mine = readIntsetHeader(noisy(blob, 3, 0xaa, 6), AT);
        const ref = intsetLayouts[width].parse(blob) as IsParsed;
        expect(mine).toEqual({ encoding: ref.encoding, length: ref.length });
        const view = noisy(blob, 3, 0xaa, 6);
        for (let k = 0; k < len; k++) {
          const pos = 8 + k * width;
          const want = ref.items[k];
          if (width === 8) {
            const got = i64le(view, pos);
            expect(BigInt(got)).toBe(want);
            expect(typeof got === 'number').toBe(Number.isSafeInteger(Number(want)) && BigInt(Number(want)) === want);
          } else {
            expect(width === 2 ? dv.getInt16(pos, true) : dv.getInt32(pos, true)).toBe(want);
          }
        }
      }
    }
  });

  it('u16le/u32le/i64le match DataView at odd offsets', () => {
    const rand = rng(4);
    const buf = new Uint8Array(64);
    for (let round = 0; round < 200; round++) {
      for (let k = 0; k < 64; k++) buf[k] = Math.floor(rand() * 256);
      const dv = new DataView(buf.buffer);
      for (const pos of [0, 1, 3, 7, 13]) {
        expect(u16le(buf, pos)).toBe(dv.getUint16(pos, true));
        expect(u32le(buf, pos)).toBe(dv.getUint32(pos, true));
        expect(BigInt(i64le(buf, pos))).toBe(dv.getBigInt64(pos, true));
      }
    }
    // Boundaries of the number/bigint split.
    const b = new Uint8Array(8);
    const dv = new DataView(b.buffer);
    for (const v of [2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n) + 1n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n), -1n, 0n]) {
      dv.setBigInt64(0, v, true);
      const got = i64le(b, 0);
      expect(BigInt(got)).toBe(v);
      expect(typeof got).toBe(v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n ? 'number' : 'bigint');
    }
  });
});

describe('header adapters reject bad headers with located BLOB_CORRUPT errors', () => {
  it('listpack', () => {
    expectBlobError(() => readListpackHeader(new Uint8Array(6), AT), 1000, null, AT);
    expectBlobError(() => readListpackHeader(Uint8Array.of(8, 0, 0, 0, 0, 0, 0xff), AT), 1000, null, AT);
    expectBlobError(() => readListpackHeader(Uint8Array.of(7, 0, 0, 0, 0, 0, 0xfe), AT), 1006, null, AT);
    expect(readListpackHeader(Uint8Array.of(7, 0, 0, 0, 0, 0, 0xff), AT)).toEqual({ totalBytes: 7, count: 0 });
  });

  it('ziplist', () => {
    const ok = Uint8Array.of(11, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0xff);
    expect(readZiplistHeader(ok, AT)).toEqual({ zlbytes: 11, zltail: 10, zllen: 0 });
    expectBlobError(() => readZiplistHeader(ok.subarray(0, 10), AT), 1000, null, AT);
    const badSize = ok.slice();
    badSize[0] = 12;
    expectBlobError(() => readZiplistHeader(badSize, AT), 1000, null, AT);
    const badEnd = ok.slice();
    badEnd[10] = 0;
    expectBlobError(() => readZiplistHeader(badEnd, AT), 1010, null, AT);
    const badTail = ok.slice();
    badTail[4] = 11;
    expectBlobError(() => readZiplistHeader(badTail, AT), 1004, null, AT);
  });

  it('intset', () => {
    const ok = Uint8Array.of(2, 0, 0, 0, 1, 0, 0, 0, 5, 0);
    expect(readIntsetHeader(ok, AT)).toEqual({ encoding: 2, length: 1 });
    expectBlobError(() => readIntsetHeader(ok.subarray(0, 7), AT), 1000, null, AT);
    for (const enc of [0, 1, 3, 16, 0x102]) {
      const b = ok.slice();
      new DataView(b.buffer).setUint32(0, enc, true);
      expectBlobError(() => readIntsetHeader(b, AT), 1000, null, AT);
    }
    const empty = Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0);
    expect(expectBlobError(() => readIntsetHeader(empty, AT), 1004, null, AT).reason).toContain('empty');
    const tooLong = ok.slice();
    tooLong[4] = 2;
    expectBlobError(() => readIntsetHeader(tooLong, AT), 1004, null, AT);
    // A huge declared length must not overflow into a false match.
    const huge = ok.slice();
    new DataView(huge.buffer).setUint32(4, 0xffffffff, true);
    expectBlobError(() => readIntsetHeader(huge, AT), 1004, null, AT);
  });

  it('never lets a RangeError escape on short inputs', () => {
    for (let n = 0; n < 12; n++) {
      const b = new Uint8Array(n).fill(0xff);
      for (const read of [readListpackHeader, readZiplistHeader, readIntsetHeader]) {
        try {
          read(b, AT);
        } catch (e) {
          expect(e).toBeInstanceOf(CorruptDataError);
        }
      }
    }
  });
});

describe('blobCorrupt', () => {
  it('names the structure and position and adds the blob offset', () => {
    const err = blobCorrupt('listpack', { file: 'a.rdb', offset: 16 }, 5, 'bad thing', 'X', 'Y');
    expect(err.code).toBe('BLOB_CORRUPT');
    expect(err.offset).toBe(21);
    expect(err.reason).toBe('listpack: bad thing (blob position 5)');
    expect(err.message).toBe('a.rdb: listpack: bad thing (blob position 5) at byte 21 (0x15): expected X, found Y');
  });

  it('BLOB_LAYOUT sizes match the binary-parser layouts', () => {
    expect(listpackHeaderLayout.sizeOf()).toBe(BLOB_LAYOUT.LP_HDR_SIZE);
    expect(ziplistHeaderLayout.sizeOf()).toBe(BLOB_LAYOUT.ZIPLIST_HEADER_SIZE);
    expect(new Parser().uint32le('a').uint32le('b').sizeOf()).toBe(BLOB_LAYOUT.INTSET_HEADER_SIZE);
  });
});
