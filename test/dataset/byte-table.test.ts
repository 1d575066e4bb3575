/**
 * The dataset's own hash tables (byte-map.ts) against native Map and Set: the same answers and
 * the same insertion order under seeded random operations at sizes that make the index grow
 * and the holes of deleted entries be squeezed out, and the same behaviour as a Map's
 * iteration while the table changes (deleted entries skipped, added ones visited, clear).
 */
import { describe, expect, it } from 'vitest';
import { ByteMap, ByteSet, hashBytes } from '../../src/dataset/byte-map.js';
import { rng as floatRng } from '../helpers/bytes.js';

function rng(seed: number): (n: number) => number {
  const next = floatRng(seed);
  return (n) => Math.floor(next() * n);
}

/** Runs `steps` on a ByteMap and a Map side by side and checks every answer. */
function mirror(m: ByteMap<number>, ref: Map<string, number>, seed: number, steps: number, space: number): void {
  const r = rng(seed);
  for (let step = 0; step < steps; step++) {
    const k = `key:${r(space)}`;
    switch (r(5)) {
      case 0:
      case 1:
        m.set(k, step);
        ref.set(k, step);
        break;
      case 2:
        expect(m.delete(k)).toBe(ref.delete(k));
        break;
      case 3:
        expect(m.setNew(k, -step)).toBe(!ref.has(k));
        if (!ref.has(k)) ref.set(k, -step);
        break;
      default:
        expect(m.get(k)).toBe(ref.get(k));
        expect(m.has(k)).toBe(ref.has(k));
    }
    expect(m.size).toBe(ref.size);
  }
}

describe('ByteMap', () => {
  for (const [seed, space] of [
    [1, 40],
    [2, 3000],
    [3, 100_000],
  ] as const) {
    it(`answers as a Map and keeps its order (seed ${seed}, ${space} keys)`, () => {
      const m = new ByteMap<number>();
      const ref = new Map<string, number>();
      mirror(m, ref, seed, 60_000, space);
      expect([...m.entries()]).toEqual([...ref.entries()]);
      expect([...m.keys()]).toEqual([...ref.keys()]);
      expect([...m.values()]).toEqual([...ref.values()]);
      const c = m.clone();
      expect([...c]).toEqual([...ref]);
      c.set('only in the copy', 1);
      expect(m.has('only in the copy')).toBe(false);
    });
  }

  it('empties completely and fills again (holes squeezed out)', () => {
    const m = new ByteMap<string>();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5000; i++) m.set(`k${i}`, `v${i}`);
      for (let i = 0; i < 5000; i += 2) m.delete(`k${i}`);
      expect(m.size).toBe(2500);
      expect([...m.keys()].slice(0, 3)).toEqual(['k1', 'k3', 'k5']);
      for (let i = 1; i < 5000; i += 2) m.delete(`k${i}`);
      expect(m.size).toBe(0);
      expect([...m.entries()]).toEqual([]);
    }
  });

  it('iterates as a Map does while entries are deleted, added and set again', () => {
    const m = new ByteMap<number>();
    const ref = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      m.set(`k${i}`, i);
      ref.set(`k${i}`, i);
    }
    const seen: string[] = [];
    const seenRef: string[] = [];
    const visit = (map: ByteMap<number> | Map<string, number>, out: string[]): void => {
      let i = 0;
      for (const [k, v] of map.entries()) {
        out.push(`${k}=${v}`);
        // Ahead of the iteration: deleted (not visited), set again (visited with the new value),
        // and new keys (visited at the end); enough of them that the index is rebuilt mid-way.
        if (i % 3 === 0) map.delete(`k${i + 7}`);
        if (i % 5 === 0) map.set(`k${i + 11}`, -i);
        if (i < 1500) map.set(`new${i}`, i);
        i++;
      }
    };
    visit(m, seen);
    visit(ref, seenRef);
    expect(seen).toEqual(seenRef);
    expect([...m]).toEqual([...ref]);
  });

  it('after clear() during an iteration, the iteration goes on with what is added next', () => {
    for (const make of [() => new ByteMap<number>(), () => new Map<string, number>()]) {
      const m = make();
      for (let i = 0; i < 10; i++) m.set(`a${i}`, i);
      const seen: string[] = [];
      for (const [k] of m) {
        seen.push(k);
        if (k === 'a3') {
          m.clear();
          m.set('b0', 0);
          m.set('b1', 1);
        }
      }
      expect(seen).toEqual(['a0', 'a1', 'a2', 'a3', 'b0', 'b1']);
    }
  });

  it('an iteration left early lets the table squeeze out its holes later', () => {
    const m = new ByteMap<number>();
    for (let i = 0; i < 1000; i++) m.set(`k${i}`, i);
    for (const [k] of m) if (k === 'k10') break;
    for (let i = 0; i < 1000; i++) m.delete(`k${i}`);
    for (let i = 0; i < 1000; i++) m.set(`n${i}`, i);
    expect(m.size).toBe(1000);
    expect([...m.keys()][0]).toBe('n0');
  });

  it('keeps numbers, strings and objects, and byte strings of any length as keys', () => {
    const m = new ByteMap<unknown>();
    const long = 'x'.repeat(10_000);
    const longToo = 'x'.repeat(5_000) + 'y' + 'x'.repeat(4_999);
    const keys = ['', '\0', '\xff\x00\x80', long, longToo, 'x'.repeat(9_999)];
    keys.forEach((k, i) => m.set(k, i % 2 ? { i } : i * 1.5));
    keys.forEach((k, i) => expect(m.get(k)).toEqual(i % 2 ? { i } : i * 1.5));
    expect(m.size).toBe(keys.length);
    // Long strings hash on their ends; equal ends and lengths still tell them apart.
    expect(hashBytes(long)).toBe(hashBytes(longToo));
    expect(m.delete(long)).toBe(true);
    expect(m.get(longToo)).toBe(6);
  });
});

describe('ByteSet', () => {
  it('answers as a Set and keeps its order under churn', () => {
    const r = rng(9);
    const s = new ByteSet();
    const ref = new Set<string>();
    for (let step = 0; step < 80_000; step++) {
      const k = `m${r(20_000)}`;
      if (r(3) < 2) expect(s.add(k)).toBe(!ref.has(k) && (ref.add(k), true));
      else expect(s.delete(k)).toBe(ref.delete(k));
      expect(s.size).toBe(ref.size);
    }
    expect([...s]).toEqual([...ref]);
    expect([...s.clone()]).toEqual([...ref]);
  });
});

describe('ByteMap.appendUnchecked (keys indexed later, together)', () => {
  it('behaves as a Map where a repeated key keeps its first place and takes the later value, whatever is interleaved', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rand = floatRng(seed);
      const perTable = seed % 5 === 0 ? 40 : undefined;
      const m = new ByteMap<number>(perTable);
      const ref = new Map<string, number>();
      let firstRepeat: string | null = null;
      let pending = 0;
      for (let op = 0; op < 400; op++) {
        const key = `k${Math.floor(rand() * 120)}`;
        const r = rand();
        if (r < 0.6) {
          if (m.appendUnchecked(key, hashBytes(key), op)) {
            if (ref.has(key) && firstRepeat === null) firstRepeat = key;
            ref.set(key, op);
            pending++;
          } else {
            // Past the first table: added the usual way.
            if (!m.setNew(key, op)) m.set(key, op);
            ref.set(key, op);
          }
        } else if (r < 0.7) {
          const dup = m.takeDuplicate();
          expect(dup?.key ?? null, `seed ${seed} op ${op}`).toBe(firstRepeat);
          firstRepeat = null;
          pending = 0;
        } else if (r < 0.8) {
          expect(m.get(key)).toBe(ref.get(key));
        } else if (r < 0.9) {
          expect(m.delete(key)).toBe(ref.delete(key));
        } else {
          expect(m.has(key)).toBe(ref.has(key));
        }
        // A lookup indexes what was pending; a repeat it found stays noted until taken.
      }
      expect([...m.entries()], `seed ${seed}`).toEqual([...ref.entries()]);
      expect(m.size).toBe(ref.size);
      void pending;
    }
  });
});
