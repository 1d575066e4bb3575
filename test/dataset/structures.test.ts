/**
 * The dataset's containers against plain reference implementations, under seeded random
 * operations: the ring-buffer deque behind lists and streams (growth, shrinking, inserts and
 * removals on either side of the middle, LREM from both ends), the chained maps and sets that
 * pass V8's 2^24-entry limit (with a tiny per-table limit, so the chain is really used), and
 * the block-sorted order of sorted sets (splits, merges, ranks, score ranges, range removal).
 */
import { describe, expect, it } from 'vitest';
import { Deque } from '../../src/dataset/deque.js';
import { ListValue } from '../../src/dataset/list.js';
import { ByteMap, ByteSet } from '../../src/dataset/byte-map.js';
import { ZSetValue } from '../../src/dataset/zset.js';
import { SetValue } from '../../src/dataset/set.js';
import { HashValue } from '../../src/dataset/hash.js';
import { BLOCK_MAX } from '../../src/dataset/score-order.js';
import { PACK_MAX_ITEMS, itemAt, itemCompare, itemIs, packEntry, packOf, positionOf, splice, unpack } from '../../src/dataset/pack.js';
import { rng as floatRng } from '../helpers/bytes.js';

/** Reproducible pseudo-random integers in [0, n). */
function rng(seed: number): (n: number) => number {
  const next = floatRng(seed);
  return (n) => Math.floor(next() * n);
}

describe('Deque', () => {
  for (const seed of [1, 2, 3]) {
    it(`matches an array under 20 000 random operations (seed ${seed})`, () => {
      const r = rng(seed);
      const d = new Deque<number>();
      const ref: number[] = [];
      let next = 0;
      for (let step = 0; step < 20_000; step++) {
        // Phases that grow, then shrink, so that both resizes happen.
        const growing = Math.floor(step / 2500) % 2 === 0;
        const op = r(growing ? 8 : 12);
        const i = r(ref.length + 1);
        switch (op) {
          case 0:
          case 1:
            d.pushBack(next);
            ref.push(next++);
            break;
          case 2:
          case 3:
            d.pushFront(next);
            ref.unshift(next++);
            break;
          case 4:
            d.insertAt(i, next);
            ref.splice(i, 0, next++);
            break;
          case 5:
            expect(d.setAt(i, next)).toBe(i < ref.length);
            if (i < ref.length) ref[i] = next;
            next++;
            break;
          case 6:
            expect(d.at(i)).toBe(ref[i]);
            break;
          case 7:
            expect(d.removeAt(i)).toBe(ref.splice(i, 1)[0]);
            break;
          case 8:
            expect(d.popFront()).toBe(ref.shift());
            break;
          case 9:
            expect(d.popBack()).toBe(ref.pop());
            break;
          case 10:
            expect(d.removeAt(i)).toBe(ref.splice(i, 1)[0]);
            break;
          case 11: {
            const mod = 2 + r(5);
            const limit = r(4) === 0 ? Infinity : 1 + r(3);
            const fromTail = r(2) === 1;
            const removed = d.removeWhere((v) => v % mod === 0, limit, fromTail);
            let left = limit;
            const idx = ref.map((_, k) => k);
            if (fromTail) idx.reverse();
            const drop = new Set<number>();
            for (const k of idx) if (left > 0 && ref[k] % mod === 0) (drop.add(k), left--);
            const kept = ref.filter((_, k) => !drop.has(k));
            expect(removed).toBe(drop.size);
            ref.length = 0;
            ref.push(...kept);
            break;
          }
        }
        expect(d.length).toBe(ref.length);
        if (step % 97 === 0) expect(d.toArray()).toEqual(ref);
      }
      expect([...d]).toEqual(ref);
      expect([...d.range(3, 10)]).toEqual(ref.slice(3, 10));
    });
  }

  it('keepRange keeps an inclusive slice, or empties on an empty range', () => {
    const d = new Deque<number>();
    for (let i = 0; i < 100; i++) d.pushFront(i);
    const ref = d.toArray();
    d.keepRange(10, 19);
    expect(d.toArray()).toEqual(ref.slice(10, 20));
    d.keepRange(5, 2);
    expect(d.length).toBe(0);
    d.pushBack(1);
    expect(d.toArray()).toEqual([1]);
  });

  it('ListValue: LREM from the head, from the tail, all; indexOf; copies are independent', () => {
    const l = new ListValue();
    for (const v of 'abacadaea') l.pushBack(v);
    const c = l.clone();
    expect(l.removeValue('a', 2)).toBe(2);
    expect(l.toArray().join('')).toBe('bcadaea');
    expect(l.removeValue('a', -2)).toBe(2);
    expect(l.toArray().join('')).toBe('bcade');
    expect(l.removeValue('z', 0)).toBe(0);
    expect(l.indexOf('d')).toBe(3);
    expect(l.indexOf('b', 1)).toBe(-1);
    expect(c.removeValue('a', 0)).toBe(5);
    expect(c.toArray().join('')).toBe('bcde');
    expect(l.type).toBe('list');
  });
});

describe('packs', () => {
  it('hold entries of any length, one-char headers below 128 bytes and four-char ones above', () => {
    const items = [0, 1, 127, 128, 300, 70_000].map((n, i) => String.fromCharCode(65 + i).repeat(n));
    items.push('\x00\xff\x80');
    const p = packOf(items);
    expect(p.length).toBe(items.reduce((a, x) => a + x.length + (x.length < 128 ? 1 : 4), 0));
    expect(unpack(p)).toEqual(items);
    expect(itemAt(p, positionOf(p, 4))).toBe(items[4]);
    expect(positionOf(p, items.length)).toBe(p.length);
    expect(itemIs(p, positionOf(p, 3), items[3])).toBe(true);
    expect(itemIs(p, positionOf(p, 3), items[2])).toBe(false);
    const q = splice(p, positionOf(p, 1), positionOf(p, 3), packEntry('new'));
    expect(unpack(q)).toEqual([items[0], 'new', ...items.slice(3)]);
  });

  it('compare an entry with a string in byte order, shorter first on a common prefix', () => {
    const p = packOf(['abc', 'ab', '\xff', '']);
    const at = (i: number) => positionOf(p, i);
    expect(Math.sign(itemCompare(p, at(0), 'abd'))).toBe(-1);
    expect(Math.sign(itemCompare(p, at(0), 'ab'))).toBe(1);
    expect(itemCompare(p, at(1), 'ab')).toBe(0);
    expect(Math.sign(itemCompare(p, at(2), 'z'))).toBe(1);
    expect(Math.sign(itemCompare(p, at(3), 'a'))).toBe(-1);
  });
});

describe('collections in their small (pack) and large forms', () => {
  /** A value of a few bytes, or now and then one too long for a pack. */
  const valueOf = (r: (n: number) => number, i: number) => (r(40) === 0 ? `long-${i}-`.padEnd(70 + r(200), 'x') : `v${i}`);

  for (const seed of [21, 22, 23]) {
    it(`ListValue matches an array (seed ${seed})`, () => {
      const r = rng(seed);
      // Without long values the list stays small until it passes the pack size; with them it grows early.
      const withLong = seed !== 21;
      const l = new ListValue();
      const ref: string[] = [];
      let longest = 0;
      for (let step = 0; step < 3000; step++) {
        const v = withLong ? valueOf(r, step % 50) : `v${step % 50}`;
        const i = r(ref.length + 1);
        switch (r(ref.length > 150 ? 12 : 9)) {
          case 0:
          case 1:
            l.pushBack(v);
            ref.push(v);
            break;
          case 2:
          case 3:
            l.pushFront(v);
            ref.unshift(v);
            break;
          case 4:
            l.insertAt(i, v);
            ref.splice(i, 0, v);
            break;
          case 5:
            expect(l.setAt(i, v)).toBe(i < ref.length);
            if (i < ref.length) ref[i] = v;
            break;
          case 6:
            expect(l.at(i)).toBe(ref[i]);
            expect(l.indexOf(v)).toBe(ref.indexOf(v));
            break;
          case 7: {
            const count = r(5) - 2;
            const target = `v${r(50)}`;
            const idx = ref.map((x, k) => (x === target ? k : -1)).filter((k) => k >= 0);
            const drop = new Set(count >= 0 ? idx.slice(0, count === 0 ? undefined : count) : idx.slice(count));
            expect(l.removeValue(target, count)).toBe(drop.size);
            const kept = ref.filter((_, k) => !drop.has(k));
            ref.length = 0;
            ref.push(...kept);
            break;
          }
          case 8:
            expect(l.removeAt(i)).toBe(ref.splice(i, 1)[0]);
            break;
          case 9:
            expect(l.popFront()).toBe(ref.shift());
            break;
          case 10:
            expect(l.popBack()).toBe(ref.pop());
            break;
          case 11: {
            const a = r(ref.length + 1);
            const b = a + r(100);
            l.keepRange(a, Math.min(b, ref.length - 1));
            const kept = a > Math.min(b, ref.length - 1) ? [] : ref.slice(a, Math.min(b, ref.length - 1) + 1);
            ref.length = 0;
            ref.push(...kept);
            break;
          }
        }
        expect(l.length).toBe(ref.length);
        longest = Math.max(longest, ref.length);
        if (step % 53 === 0) expect(l.toArray()).toEqual(ref);
      }
      expect(longest).toBeGreaterThan(PACK_MAX_ITEMS);
      expect([...l]).toEqual(ref);
      expect([...l.range(2, 9)]).toEqual(ref.slice(2, 9));
      const c = l.clone();
      c.pushBack('extra');
      expect(l.toArray()).toEqual(ref);
    });

    it(`SetValue and HashValue match a Set and a Map (seed ${seed})`, () => {
      const r = rng(seed + 100);
      const s = new SetValue();
      const h = new HashValue();
      const sRef = new Set<string>();
      const hRef = new Map<string, string>();
      for (let step = 0; step < 4000; step++) {
        const m = r(30) === 0 ? valueOf(r, r(300)) : `m${r(300)}`;
        if (r(3) < 2) {
          expect(s.add(m)).toBe(!sRef.has(m));
          sRef.add(m);
          const v = valueOf(r, step);
          h.set(m, v);
          hRef.set(m, v);
        } else {
          expect(s.delete(m)).toBe(sRef.delete(m));
          expect(h.delete(m)).toBe(hRef.delete(m));
        }
        expect(s.has(m)).toBe(sRef.has(m));
        expect(h.get(m)).toBe(hRef.get(m));
        expect(s.size).toBe(sRef.size);
        expect(h.size).toBe(hRef.size);
      }
      expect([...s].sort()).toEqual([...sRef].sort());
      expect(new Map(h.entries())).toEqual(hRef);
    });
  }

  it('a hash keeps insertion order in its small form, and a value too long for a pack moves it to the large form', () => {
    const h = HashValue.from(['b', 'a', 'c'], ['1', '2', '3'])!;
    h.set('a', '22');
    h.set('d', '4');
    expect([...h.keys()]).toEqual(['b', 'a', 'c', 'd']);
    h.set('c', 'x'.repeat(100));
    expect([...h.entries()]).toEqual([
      ['b', '1'],
      ['a', '22'],
      ['c', 'x'.repeat(100)],
      ['d', '4'],
    ]);
    expect(HashValue.from(['f', 'f'], ['1', '2'])).toBeNull();
    expect(SetValue.from(['m', 'n', 'm'])).toBeNull();
    expect(ZSetValue.from(['m', 'm'], [1, 2])).toBeNull();
    const many = Array.from({ length: 300 }, (_, i) => `f${i}`);
    expect(HashValue.from([...many, 'f7'], [...many, 'x'])).toBeNull();
    expect(SetValue.from([...many, 'f9'])).toBeNull();
  });
});

describe('ByteMap and ByteSet past their per-table limit', () => {
  for (const perTable of [3, 50]) {
    it(`ByteMap with ${perTable} entries per table matches a Map (insertion order included)`, () => {
      const r = rng(perTable);
      const m = new ByteMap<number>(perTable);
      const ref = new Map<string, number>();
      for (let step = 0; step < 5000; step++) {
        const k = `k${r(120)}`;
        switch (r(4)) {
          case 0:
          case 1:
            m.set(k, step);
            ref.set(k, step);
            break;
          case 2:
            expect(m.delete(k)).toBe(ref.delete(k));
            break;
          case 3:
            expect(m.get(k)).toBe(ref.get(k));
            expect(m.has(k)).toBe(ref.has(k));
            break;
        }
        expect(m.size).toBe(ref.size);
      }
      // The same entries in the same order as one Map: a key set again keeps its place, a new
      // key goes last.
      expect([...m.entries()]).toEqual([...ref.entries()]);
      const c = m.clone();
      c.set('new', 1);
      expect(m.has('new')).toBe(false);
      expect(c.size).toBe(m.size + 1);
    });

    it(`ByteSet with ${perTable} entries per table matches a Set`, () => {
      const r = rng(perTable + 7);
      const s = new ByteSet(perTable);
      const ref = new Set<string>();
      for (let step = 0; step < 5000; step++) {
        const k = `m${r(150)}`;
        if (r(3) < 2) expect(s.add(k)).toBe(!ref.has(k) && (ref.add(k), true));
        else expect(s.delete(k)).toBe(ref.delete(k));
        expect(s.size).toBe(ref.size);
        expect(s.has(k)).toBe(ref.has(k));
      }
      expect(new Set(s)).toEqual(ref);
      expect(new Set(s.clone())).toEqual(ref);
    });
  }

  it('a map filled past one table keeps insertion order over the chain', () => {
    const m = new ByteMap<number>(4);
    for (let i = 0; i < 10; i++) m.set(`k${i}`, i);
    m.set('k2', 22);
    expect([...m.keys()]).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`));
    expect(m.get('k2')).toBe(22);
    for (let i = 0; i < 4; i++) m.delete(`k${i}`);
    expect([...m.values()]).toEqual([4, 5, 6, 7, 8, 9]);
    m.clear();
    expect(m.size).toBe(0);
  });
});

/** The reference: pairs sorted by score, then member bytes. */
function sortedPairs(ref: Map<string, number>): [string, number][] {
  return [...ref].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

describe('ZSetValue order', () => {
  const scores = [0, -0, 1, 1.5, -2, Infinity, -Infinity, 1e-300, 42];
  for (const seed of [11, 12]) {
    it(`matches a sorted reference over ${BLOCK_MAX * 4}+ members (seed ${seed})`, () => {
      const r = rng(seed);
      const z = new ZSetValue();
      const ref = new Map<string, number>();
      // Bulk load, unsorted, as from an RDB.
      for (let i = 0; i < BLOCK_MAX * 3; i++) {
        const m = `m${i}`;
        const s = r(4) === 0 ? scores[r(scores.length)] : r(1000);
        z.addUnsorted(m, s);
        ref.set(m, s);
      }
      for (let step = 0; step < 6000; step++) {
        const m = `m${r(BLOCK_MAX * 5)}`;
        switch (r(7)) {
          case 0:
          case 1:
          case 2: {
            const s = r(3) === 0 ? scores[r(scores.length)] : r(1000) / 4;
            z.set(m, s);
            if (!(ref.has(m) && ref.get(m) === s)) ref.set(m, s);
            break;
          }
          case 3:
            expect(z.delete(m)).toBe(ref.delete(m));
            break;
          case 4: {
            const sorted = sortedPairs(ref);
            expect(z.rank(m)).toBe(sorted.findIndex(([x]) => x === m));
            const k = r(sorted.length + 2);
            expect(z.at(k)).toEqual(sorted[k]);
            break;
          }
          case 5: {
            const sorted = sortedPairs(ref);
            const s = r(3) === 0 ? scores[r(scores.length)] : r(1000);
            const exclusive = r(2) === 1;
            const want = sorted.findIndex(([, x]) => (exclusive ? x > s : x >= s));
            expect(z.rankOfScore(s, exclusive)).toBe(want < 0 ? sorted.length : want);
            break;
          }
          case 6: {
            if (r(20) !== 0) break;
            const sorted = sortedPairs(ref);
            const start = r(sorted.length + 1);
            const n = r(BLOCK_MAX * 2);
            const gone = z.removeRange(start, n);
            expect(gone).toEqual(sorted.slice(start, start + n).map(([x]) => x));
            for (const x of gone) ref.delete(x);
            break;
          }
        }
        expect(z.size).toBe(ref.size);
        expect(z.score(m)).toBe(ref.get(m));
      }
      const sorted = sortedPairs(ref);
      expect([...z.ascending()]).toEqual(sorted);
      expect([...z.descending()]).toEqual([...sorted].reverse());
      expect([...z.ascending(5)]).toEqual(sorted.slice(5));
      const c = z.clone();
      c.delete(sorted[0][0]);
      expect([...z.ascending()]).toEqual(sorted);
      expect(c.size).toBe(z.size - 1);
    });
  }

  it('a set around the pack size (small and large forms, and the move between them) matches the reference', () => {
    const r = rng(99);
    const z = new ZSetValue();
    const ref = new Map<string, number>();
    for (let step = 0; step < 4000; step++) {
      const m = `m${r(160)}`;
      const op = r(5);
      if (op < 2) {
        const s = r(6) - 2;
        z.set(m, s);
        if (!(ref.has(m) && ref.get(m) === s)) ref.set(m, s);
      } else if (op === 2) expect(z.delete(m)).toBe(ref.delete(m));
      else if (op === 3) expect(z.rank(m)).toBe(sortedPairs(ref).findIndex(([x]) => x === m));
      else if (r(10) === 0) {
        const start = r(4);
        const n = r(3);
        const want = sortedPairs(ref)
          .slice(start, start + n)
          .map(([x]) => x);
        expect(z.removeRange(start, n)).toEqual(want);
        for (const x of want) ref.delete(x);
      }
      expect(z.size).toBe(ref.size);
    }
    expect([...z.ascending()]).toEqual(sortedPairs(ref));
  });

  it('inserts one by one split blocks, removals merge them, and the order holds throughout', () => {
    const z = new ZSetValue();
    const blocks = () => (z as unknown as { order: { scores: number[][] } }).order.scores.length;
    const n = BLOCK_MAX * 6;
    for (let i = 0; i < n; i++) {
      z.set(`m${i}`, (i * 7919) % n);
      // Asking for the order once the set is past the small size makes it kept (and then
      // updated by every insert) from there on.
      if (i === 100) expect(z.at(0)).toBeDefined();
    }
    expect(blocks()).toBeGreaterThan(6);
    const full = blocks();
    for (let i = 0; i < n; i++) if (i % 16 !== 0) z.delete(`m${i}`);
    expect(blocks()).toBeLessThan(full);
    const want = Array.from({ length: n / 16 }, (_, k) => [`m${k * 16}`, (k * 16 * 7919) % n] as [string, number]).sort((a, b) => a[1] - b[1]);
    expect([...z.ascending()]).toEqual(want);
    expect(z.removeRange(0, want.length)).toEqual(want.map(([m]) => m));
    expect(z.size).toBe(0);
    expect(blocks()).toBe(0);
  });

  it('−0 and 0 are one score: setting 0 over −0 changes nothing, ties fall back to member bytes', () => {
    const z = new ZSetValue();
    z.set('b', -0);
    z.set('a', 0);
    z.set('\xff', 0);
    z.set('b', 0);
    expect(Object.is(z.score('b'), -0)).toBe(true);
    expect([...z.ascending()].map(([m]) => m)).toEqual(['a', 'b', '\xff']);
  });

  it('a bulk load in descending order (as an RDB stores a skiplist) comes out ascending', () => {
    const z = new ZSetValue();
    for (let i = 100; i > 0; i--) z.addUnsorted(`m${i}`, i);
    expect([...z.ascending()].map(([, s]) => s)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(z.rank('m1')).toBe(0);
  });
});
