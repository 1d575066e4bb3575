/**
 * A shallow reading that wants no values counts a listpack (a listpack hash, set or zset, a
 * quicklist node) from its header alone, decompressing only the header of an LZF-compressed
 * one: the element counts, on-disk sizes and key records must be exactly those of a reading
 * that decodes everything, under every chunking; and the prefix decompressor must agree with
 * the whole one.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { lzfCompress, lzfDecompress, lzfDecompressPrefix } from '../../src/binary/lzf.js';
import { RdbDecoder } from '../../src/rdb/decoder.js';
import { encodeListpack } from '../../src/rdb/blobs/listpack.js';
import { withChecksum } from '../helpers/rdb-edit.js';
import type { RdbHandler } from '../../src/model/events.js';
import { describeCorpus, fixtureRdbs, goodCorpusRdbs, RUN_CORPUS } from '../helpers/files.js';
import { byteByByte, randomSplits, whole, type Splitter } from '../helpers/collect.js';
import { randomBytes, rng } from '../helpers/bytes.js';

function keys(bytes: Uint8Array, verify: 'deep' | 'shallow', split: Splitter): string[] {
  const out: string[] = [];
  const h: RdbHandler = {
    keyStart: () => false,
    keyEnd: (k) => void out.push(`${k.db} ${Buffer.from(k.key).toString('latin1')} ${k.rdbType} ${k.elements} ${k.onDiskBytes} ${k.offset}`),
  };
  const d = new RdbDecoder(h, { verify });
  for (const c of split(bytes)) d.push(c);
  d.end();
  return out;
}

describe('counting listpacks from their headers', () => {
  for (const file of fixtureRdbs()) {
    it(file.split('/').pop()!, () => {
      const bytes = new Uint8Array(readFileSync(file));
      const deep = keys(bytes, 'deep', whole);
      const splits = bytes.length <= 40_000 ? [whole, byteByByte, randomSplits(7)] : [whole, randomSplits(7, 4096)];
      for (const split of splits) expect(keys(bytes, 'shallow', split)).toEqual(deep);
    });
  }

  it('decompresses only the header: damage past it is left to a deep pass (or the CRC-64)', () => {
    // A set-listpack key whose LZF stream loses its last byte: the header still decompresses.
    const lp = encodeListpack(Array.from({ length: 300 }, (_, i) => i % 7));
    const c = lzfCompress(lp)!;
    const cut = c.subarray(0, c.length - 1);
    const len14 = (n: number) => [0x40 | (n >> 8), n & 0xff];
    const empty = new Uint8Array(readFileSync(fixtureRdbs().find((f) => f.endsWith('empty.rdb'))!));
    const record = [0xfe, 0, 0xfb, 1, 0, 20, 1, 0x73, 0xc3, ...len14(cut.length), ...len14(lp.length), ...cut, 0xff];
    const body = new Uint8Array(empty.length - 9 + record.length);
    body.set(empty.subarray(0, empty.length - 9));
    body.set(record, empty.length - 9);
    const file = withChecksum(body);
    expect(keys(file, 'shallow', whole)).toEqual([expect.stringMatching(/^0 s 20 300 /)]);
    expect(() => keys(file, 'deep', whole)).toThrow(/LZF|decompressed length/);
  });
});

describeCorpus('counting from headers agrees with decoding on every corpus file (ziplists, zipmaps, intsets too)', () => {
  for (const file of RUN_CORPUS ? goodCorpusRdbs() : []) {
    it(file.split('/').slice(-2).join('/'), () => {
      const bytes = new Uint8Array(readFileSync(file));
      expect(keys(bytes, 'shallow', randomSplits(3, 512))).toEqual(keys(bytes, 'deep', whole));
    });
  }
});

describe('lzfDecompressPrefix', () => {
  it('gives the first bytes of what lzfDecompress gives', () => {
    const rand = rng(11);
    for (let i = 0; i < 200; i++) {
      const n = 1 + Math.floor(rand() * 3000);
      const src = randomBytes(n, rand, i % 3 === 0 ? 256 : 4);
      const c = lzfCompress(src);
      if (c === null) continue;
      const full = lzfDecompress(c, n);
      for (const k of [1, 6, Math.min(n, 37), n]) {
        const dst = new Uint8Array(k);
        expect(lzfDecompressPrefix(c, dst)).toBe(true);
        expect(dst).toEqual(full.subarray(0, k));
      }
    }
  });

  it('says false, never throws, on a stream that is malformed or too short', () => {
    expect(lzfDecompressPrefix(Uint8Array.from([0x05, 1, 2]), new Uint8Array(6))).toBe(false); // literal run past the end
    expect(lzfDecompressPrefix(Uint8Array.from([0x20, 0x05]), new Uint8Array(6))).toBe(false); // back-reference before the start
    expect(lzfDecompressPrefix(Uint8Array.from([0x01, 1, 2]), new Uint8Array(6))).toBe(false); // ends after 2 bytes
    expect(lzfDecompressPrefix(new Uint8Array(0), new Uint8Array(1))).toBe(false);
  });
});
