/**
 * The LZF compressor against Redis 7.0's own: strings of every kind a compressor meets (runs,
 * small and large alphabets, text, repeats near the 8 KiB window, the 20/21-byte boundary,
 * strings that just fail to save 4 bytes) are SET on a real server and saved; every value Redis
 * stored LZF-compressed must be exactly what `lzfCompress` returns, and every value Redis
 * stored plain must be one `lzfCompress` gives up on. The compressor also keeps no state from
 * one call to the next (liblzf's table starts empty in Redis's save).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { lzfCompress, lzfDecompress } from '../../src/binary/lzf.js';
import { RdbDecoder } from '../../src/rdb/decoder.js';
import { randomBytes, rng } from '../helpers/bytes.js';
import { requireRedisServer, startRedis, type RedisHandle } from '../helpers/redis.js';

/** The values: long enough to be tried (more than 20 bytes), of many shapes. */
function values(): Buffer[] {
  const rand = rng(2024);
  const out: Buffer[] = [];
  for (let n = 21; n <= 80; n++) out.push(Buffer.from('a'.repeat(n)));
  for (let n = 21; n <= 60; n++) out.push(Buffer.from('ab'.repeat(n).slice(0, n)));
  for (let i = 0; i < 600; i++) {
    const n = 21 + Math.floor(rand() * (i < 400 ? 300 : 30_000));
    out.push(Buffer.from(randomBytes(n, rand, 1 + Math.floor(rand() * 12))));
  }
  for (let i = 0; i < 60; i++) out.push(Buffer.from(randomBytes(21 + i * 7, rand))); // incompressible
  const words = 'the quick brown fox jumps over a lazy dog while redis saves its rdb file'.split(' ');
  for (let i = 0; i < 100; i++) {
    let s = '';
    while (s.length < 40 + i * 50) s += words[Math.floor(rand() * words.length)] + (rand() < 0.1 ? ',\n' : ' ');
    out.push(Buffer.from(s));
  }
  for (const dist of [8190, 8191, 8192, 8193, 8200]) {
    const block = Buffer.from(randomBytes(dist, rand));
    out.push(Buffer.concat([block, block, block.subarray(0, 500)]));
  }
  out.push(Buffer.alloc(100_000), Buffer.alloc(300_000, 0x41));
  out.push(Buffer.from(EXACTLY_FOUR)); // last of the list: see the test below
  // Strings that save around 4 bytes: a short repeat inside random bytes.
  for (let i = 0; i < 80; i++) {
    const r = Buffer.from(randomBytes(21 + i, rand));
    r.copy(r, r.length - 6 - (i % 5), 3, 9 + (i % 5));
    out.push(r);
  }
  return out;
}

/**
 * 28 bytes that LZF would shrink to 24 (a 9-byte back-reference, then 2 literals): exactly the
 * 4 bytes Redis asks for, but liblzf wants 3 bytes of room before its last literals and gives
 * up, so Redis stores it plain.
 */
const EXACTLY_FOUR = 'aamwpruppbjnvkmmopruppbjnvkm';

const VALUES = values();
let redis: RedisHandle;
/** key index → the value's stored form: the LZF payload, or null when stored plain. */
const stored = new Map<number, Buffer | null>();

beforeAll(async () => {
  requireRedisServer();
  redis = await startRedis();
  await redis.client.callAll(VALUES.map((v, i) => ['SET', `k${i}`, v]));
  await redis.client.call('SAVE');
  const file = new Uint8Array(readFileSync(redis.dumpPath));
  const d = new RdbDecoder({
    keyEnd: (k) => {
      const i = Number(Buffer.from(k.key).toString('latin1').slice(1));
      const rec = Buffer.from(file.subarray(k.offset, k.offset + k.onDiskBytes));
      const at = 2 + k.key.length; // type byte, key length byte, key
      if (rec[at] !== 0xc3) return void stored.set(i, null);
      let p = at + 1;
      const len = (): number => {
        const b = rec[p];
        if (b >> 6 === 0) return (p += 1), b;
        if (b >> 6 === 1) return (p += 2), ((b & 0x3f) << 8) | rec[p - 1];
        p += 5;
        return rec.readUInt32BE(p - 4);
      };
      const clen = len();
      len();
      stored.set(i, rec.subarray(p, p + clen));
    },
  });
  d.push(file);
  d.end();
}, 120_000);

afterAll(async () => {
  await redis?.stop();
});

describe('lzfCompress equals Redis 7.0 byte for byte', () => {
  it('read every value back from the saved file', () => {
    expect(stored.size).toBe(VALUES.length);
    // Both outcomes are well represented.
    const compressed = [...stored.values()].filter((v) => v !== null).length;
    expect(compressed).toBeGreaterThan(300);
    expect(VALUES.length - compressed).toBeGreaterThan(100);
  });

  it('compresses exactly what Redis compressed, to the same bytes', () => {
    const wrong: string[] = [];
    for (const [i, payload] of stored) {
      const mine = lzfCompress(VALUES[i]);
      if (payload === null) {
        if (mine !== null) wrong.push(`#${i} (${VALUES[i].length} bytes): Redis stored it plain, lzfCompress gave ${mine.length} bytes`);
      } else if (mine === null || !Buffer.from(mine).equals(payload)) {
        wrong.push(`#${i} (${VALUES[i].length} bytes): Redis ${payload.length} bytes, lzfCompress ${mine === null ? 'gave up' : `${mine.length} bytes, different`}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('gives up where liblzf gives up, even when the result would have saved 4 bytes', () => {
    expect(stored.get(VALUES.length - 1)).toBeNull();
    expect(lzfCompress(Buffer.from(EXACTLY_FOUR))).toBeNull();
  });

  it('decompresses what it makes', () => {
    for (const v of VALUES) {
      const c = lzfCompress(v);
      if (c !== null) expect(Buffer.from(lzfDecompress(c, v.length)).equals(v)).toBe(true);
    }
  });

  it('starts every call with an empty table, whatever came before', () => {
    const fresh = VALUES.slice(0, 200).map((v) => lzfCompress(v));
    // The same calls again, in reverse order and interleaved with others.
    for (let i = 199; i >= 0; i--) {
      lzfCompress(VALUES[VALUES.length - 1 - i]);
      const again = lzfCompress(VALUES[i]);
      expect(again === null ? null : Buffer.from(again)).toEqual(fresh[i] === null ? null : Buffer.from(fresh[i]!));
    }
  });
});
