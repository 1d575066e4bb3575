/**
 * Tables made large ahead (ByteMap.reserve, used when an RDB states a database's size with
 * RESIZEDB) answer and iterate exactly as tables that grew entry by entry, and a RESIZEDB is
 * only the file's word: one claiming billions of keys loads, and one for a database that gets
 * no key does not make that database.
 */
import { describe, expect, it } from 'vitest';
import { ByteMap, ByteSet } from '../../src/dataset/byte-map.js';
import { Dataset } from '../../src/dataset/dataset.js';
import { createDatasetLoader } from '../../src/dataset/load-rdb.js';
import { rng as floatRng } from '../helpers/bytes.js';
import { decode } from '../helpers/collect.js';
import { withChecksum } from '../helpers/rdb-edit.js';

function rng(seed: number): (n: number) => number {
  const next = floatRng(seed);
  return (n) => Math.floor(next() * n);
}

describe('reserve', () => {
  for (const [seed, perTable] of [
    [1, undefined],
    [2, 50],
  ] as const) {
    it(`changes nothing a Map would show, at random points, iterating or not (seed ${seed}${perTable ? `, ${perTable} entries per table` : ''})`, () => {
      const r = rng(seed);
      const m = new ByteMap<number>(perTable);
      const ref = new Map<string, number>();
      const s = new ByteSet(perTable);
      const refSet = new Set<string>();
      let reserved = 0;
      for (let step = 0; step < 20_000; step++) {
        const k = `key:${r(2000)}`;
        switch (r(7)) {
          case 0:
            m.reserve(m.size + r(3000));
            s.reserve(r(3000));
            reserved++;
            break;
          case 1: {
            // Reserving while an iteration is under way: the iteration goes on as a Map's does.
            const it = m.keys();
            const ri = ref.keys();
            expect(it.next().value).toBe(ri.next().value);
            m.reserve(m.size + 5000);
            m.delete(k);
            ref.delete(k);
            expect([...it]).toEqual([...ri]);
            break;
          }
          case 2:
            expect(m.delete(k)).toBe(ref.delete(k));
            expect(s.delete(k)).toBe(refSet.delete(k));
            break;
          default:
            m.set(k, step);
            ref.set(k, step);
            expect(s.add(k)).toBe(!refSet.has(k));
            refSet.add(k);
        }
        expect(m.size).toBe(ref.size);
      }
      expect(reserved).toBeGreaterThan(100);
      expect([...m.entries()]).toEqual([...ref.entries()]);
      expect([...s]).toEqual([...refSet]);
      for (const k of ref.keys()) expect(m.get(k)).toBe(ref.get(k));
    });
  }
});

/** An RDB length (FORMATS.md §1.5), up to 32 bits. */
function rdbLength(n: number): number[] {
  if (n < 64) return [n];
  if (n < 16384) return [0x40 | (n >> 8), n & 0xff];
  return [0x80, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}
const text = (s: string) => [...Buffer.from(s, 'latin1')];
const str = (s: string) => [...rdbLength(s.length), ...text(s)];

/** An RDB 9 file: database 0 with `keys` strings (the first `withTtl` with an expiry), after a RESIZEDB of `claim` (or none), then a RESIZEDB for database 5 with no key. */
function file(keys: number, withTtl: number, claim: [number, number] | null): Uint8Array {
  const out: number[] = [...text('REDIS0009'), 0xfe, 0];
  if (claim) out.push(0xfb, ...rdbLength(claim[0]), ...rdbLength(claim[1]));
  for (let i = 0; i < keys; i++) {
    if (i < withTtl) {
      out.push(0xfc);
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt(4_000_000_000_000 + i));
      out.push(...b);
    }
    out.push(0, ...str(`key:${i}`), ...str(`value ${i}`));
  }
  out.push(0xfe, 5, 0xfb, ...rdbLength(1000), ...rdbLength(0), 0xff);
  return withChecksum(new Uint8Array(out));
}

function load(bytes: Uint8Array): Dataset {
  const ds = new Dataset();
  decode(bytes, createDatasetLoader(ds));
  return ds;
}

const listing = (ds: Dataset) => [...ds.entries({ sorted: false })];

describe('RESIZEDB', () => {
  it('loads the same dataset as without it, in the same order', () => {
    const plain = load(file(3000, 700, null));
    expect(plain.keyCount).toBe(3000);
    expect(listing(load(file(3000, 700, [3000, 700])))).toEqual(listing(plain));
    expect(listing(load(file(3000, 700, [10, 1])))).toEqual(listing(plain));
  });

  it('a claim of billions of keys is only the file’s word', () => {
    const ds = load(file(50, 5, [2 ** 32 - 1, 2 ** 32 - 1]));
    expect(ds.keyCount).toBe(50);
    expect(ds.db(0).volatileKeys).toBe(5);
    expect(listing(ds)).toEqual(listing(load(file(50, 5, null))));
  });

  it('claims of billions in many databases make room for a bounded number of keys in all', () => {
    const out: number[] = [...text('REDIS0009')];
    for (let db = 0; db < 300; db++) out.push(0xfe, ...rdbLength(db), 0xfb, ...rdbLength(2 ** 32 - 1), ...rdbLength(2 ** 32 - 1), 0, ...str(`key:${db}`), ...str('v'));
    out.push(0xff);
    const before = process.memoryUsage().arrayBuffers;
    const ds = load(withChecksum(new Uint8Array(out)));
    // 300 databases at 2^20 keys of room each would take some 6 GB of index.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(200 * 2 ** 20);
    expect(ds.keyCount).toBe(300);
    expect(ds.dbIndexes().length).toBe(300);
  });

  it('a database with a RESIZEDB and no key is not made', () => {
    const ds = load(file(2, 0, [2, 0]));
    expect(ds.peekDb(5)).toBeUndefined();
    expect(ds.dbIndexes()).toEqual([0]);
  });
});
