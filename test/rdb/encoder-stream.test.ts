/**
 * The RDB writer's streamed values against the same values given whole: a list written item by
 * item (`streamList`, its quicklist nodes planned in pieces) and a string written at once
 * (`stringKey`, `streamString` with the whole string as its one part) come out byte for byte
 * as `key` writes them, for every version; a string in several parts is stored raw and reads
 * back the same.
 */
import { describe, expect, it } from 'vitest';
import { RdbWriter } from '../../src/rdb/encoder.js';
import { memorySink } from '../../src/io/byte-sink.js';
import { bytesSource } from '../../src/io/source.js';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import type { ListValue } from '../../src/dataset/list.js';
import { rng } from '../helpers/bytes.js';
import { UsageError } from '../../src/errors.js';
import { lzfCompress } from '../../src/binary/lzf.js';
import { SPILL_MEMORY_BYTES } from '../../src/io/spill-buffer.js';

const VERSIONS = [6, 7, 8, 9, 10, 11, 12, 80];

function file(version: number, body: (w: RdbWriter) => void): Uint8Array {
  const sink = memorySink('x.rdb');
  const w = new RdbWriter(sink, { rdbVersion: version });
  w.header();
  w.selectDb(0);
  body(w);
  w.end();
  return sink.bytes();
}

/** Items of mixed sizes: short ones, integers, and every so often one past a node's size limit. */
function items(n: number, seed: number): string[] {
  const rand = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    out.push(r < 0.3 ? String(Math.floor(rand() * 1e6)) : r < 0.999 ? `item-${i}-${'x'.repeat(Math.floor(rand() * 40))}` : 'L'.repeat(9000 + Math.floor(rand() * 9000)));
  }
  return out;
}

describe('RdbWriter.streamList writes what key writes', () => {
  for (const version of VERSIONS) {
    it(`RDB ${version}: short, one-node and many-node lists, planned in pieces`, () => {
      for (const [n, seed] of [
        [1, 1],
        [5, 2],
        [120, 3],
        [600, 4],
        [40_000, 5],
      ] as const) {
        const list = items(n, seed);
        const whole = file(version, (w) => w.key('l', { type: 'list', items: list, length: list.length }, { expireAtMs: 1_900_000_000_000 }));
        const streamed = file(version, (w) => {
          const s = w.streamList('l', { expireAtMs: 1_900_000_000_000 });
          if (s === null) {
            // RDB 6 needs the count ahead: the list goes whole.
            expect(version).toBe(6);
            w.key('l', { type: 'list', items: list, length: list.length }, { expireAtMs: 1_900_000_000_000 });
            return;
          }
          for (const e of list) s.item(n % 2 === 0 ? Buffer.from(e, 'latin1') : e);
          expect(s.end().elements).toBe(n);
        });
        expect(Buffer.from(streamed).equals(Buffer.from(whole)), `${n} items`).toBe(true);
      }
    });
  }

  it('a list whose nodes pass the memory bound goes through a temporary file, byte for byte the same', () => {
    // About 9 MB of nodes, past SPILL_MEMORY_BYTES (4 MiB).
    const list = Array.from({ length: 120_000 }, (_, i) => `entry-${i}-${'abcdefghij'.repeat(1 + (i % 12))}`);
    expect(list.reduce((n, e) => n + e.length, 0)).toBeGreaterThan(2 * SPILL_MEMORY_BYTES);
    for (const version of [7, 10]) {
      const whole = file(version, (w) => w.key('l', { type: 'list', items: list, length: list.length }));
      const streamed = file(version, (w) => {
        const s = w.streamList('l')!;
        for (const e of list) s.item(e);
        s.end();
      });
      expect(Buffer.from(streamed).equals(Buffer.from(whole)), `RDB ${version}`).toBe(true);
    }
  });

  it('refuses other calls while the list is open, and other element kinds', () => {
    file(10, (w) => {
      const s = w.streamList('l')!;
      expect(() => w.key('k', { type: 'string', value: 'v' })).toThrow(UsageError);
      expect(() => s.field('f', 'v')).toThrow(UsageError);
      s.item('a');
      s.end();
      expect(() => s.item('b')).toThrow(UsageError);
    });
  });
});

describe('RdbWriter strings given as bytes', () => {
  const values = ['', '7', '-12345', '12345678901234567890', 'hello', 'ab'.repeat(200), 'q'.repeat(100_000)];
  for (const version of VERSIONS) {
    it(`RDB ${version}: stringKey and a one-part streamString write what key writes`, () => {
      for (const v of values) {
        const whole = file(version, (w) => w.key('k', { type: 'string', value: v }, { lruIdleSec: 5 }));
        const direct = file(version, (w) => w.stringKey('k', Buffer.from(v, 'latin1'), { lruIdleSec: 5 }));
        const onePart = file(version, (w) => {
          const s = w.streamString('k', v.length, { lruIdleSec: 5 });
          s.part(Buffer.from(v, 'latin1'));
          s.end();
        });
        expect(Buffer.from(direct).equals(Buffer.from(whole)), JSON.stringify(v.slice(0, 20))).toBe(true);
        expect(Buffer.from(onePart).equals(Buffer.from(whole)), JSON.stringify(v.slice(0, 20))).toBe(true);
      }
    });
  }

  it('parts given in one reused array (small and past 64 KiB) are copied as they come', async () => {
    const rand = rng(9);
    const v = Buffer.alloc(500_000);
    for (let i = 0; i < v.length; i++) v[i] = Math.floor(rand() * 256);
    const reused = new Uint8Array(250_000);
    // A sink that keeps what it is given as it is (as a file sink does until its write is done).
    const kept: Uint8Array[] = [];
    const w = new RdbWriter({ write: (b) => void kept.push(b) }, { rdbVersion: 10 });
    w.header();
    w.selectDb(0);
    const s = w.streamString('k', v.length);
    for (let i = 0, size = 100; i < v.length; i += size, size = size < 150_000 ? size * 3 : 1000) {
      const n = Math.min(size, v.length - i);
      reused.set(v.subarray(i, i + n));
      s.part(reused.subarray(0, n));
      reused.fill(0xee); // the caller's array changes once the call returns
    }
    s.end();
    w.end();
    const bytes = Buffer.concat(kept);
    const ds = (await loadRdb(bytesSource(bytes, 'x.rdb'))).dataset;
    expect(Buffer.from(ds.peekDb(0)!.get('k') as string, 'latin1').equals(v)).toBe(true);
  });

  it('a string in parts is stored raw and loads back whole; a wrong total is refused', async () => {
    const v = 'ab'.repeat(50_000);
    const bytes = file(10, (w) => {
      const s = w.streamString('k', v.length);
      for (let i = 0; i < v.length; i += 30_000) s.part(v.slice(i, i + 30_000));
      s.end();
    });
    // Raw: the file holds the string as it is (LZF would shrink this one to almost nothing).
    expect(bytes.length).toBeGreaterThan(v.length);
    const ds = (await loadRdb(bytesSource(bytes, 'x.rdb'))).dataset;
    expect(ds.peekDb(0)!.get('k')).toBe(v);
    file(10, (w) => {
      const s = w.streamString('k', 10);
      s.part('12345');
      expect(() => s.end()).toThrow(UsageError);
      expect(() => s.part('123456')).toThrow(UsageError);
      s.part('67890');
      s.end();
    });
  });

  it('a streamed list loads back as the list', async () => {
    const list = items(20_000, 9);
    const bytes = file(11, (w) => {
      const s = w.streamList('l')!;
      for (const e of list) s.item(e);
      s.end();
    });
    const got = (await loadRdb(bytesSource(bytes, 'x.rdb'))).dataset.peekDb(0)!.get('l') as ListValue;
    expect([...got]).toEqual(list);
  });
});

describe('lzfCompress into a reused buffer', () => {
  it('gives the bytes it gives into a new array, and falls back to one when the buffer is short', () => {
    const scratch = new Uint8Array(4096);
    const rand = rng(3);
    for (let i = 0; i < 200; i++) {
      const n = 21 + Math.floor(rand() * 6000);
      const src = Buffer.from(Array.from({ length: n }, (_, j) => (rand() < 0.7 ? 97 + (j % 5) : Math.floor(rand() * 256))));
      const fresh = lzfCompress(src);
      const reused = lzfCompress(src, scratch);
      expect(reused === null ? null : Buffer.from(reused).toString('hex')).toBe(fresh === null ? null : Buffer.from(fresh).toString('hex'));
      if (reused !== null) expect(reused.buffer === scratch.buffer).toBe(n - 3 <= scratch.length);
    }
  });
});
