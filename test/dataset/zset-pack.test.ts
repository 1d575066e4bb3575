/**
 * The small (packed) form of a sorted set against a sorted reference, under seeded random
 * operations that mix pairs arriving in order (appended after the last pair without a scan),
 * out of order, with equal scores (member bytes decide), -0 and 0, updates, deletions and
 * range removals, each after ZADD's "look up the score first" call.
 */
import { describe, expect, it } from 'vitest';
import { ZSetValue } from '../../src/dataset/zset.js';
import { PACK_MAX_ITEMS } from '../../src/dataset/pack.js';
import { rng as floatRng } from '../helpers/bytes.js';

function rng(seed: number): (n: number) => number {
  const next = floatRng(seed);
  return (n) => Math.floor(next() * n);
}

function sortedPairs(ref: Map<string, number>): [string, number][] {
  return [...ref].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

describe('ZSetValue, small form', () => {
  for (const seed of [21, 22, 23, 24]) {
    it(`matches a sorted reference (seed ${seed})`, () => {
      const r = rng(seed);
      const z = new ZSetValue();
      const ref = new Map<string, number>();
      let rising = 0;
      for (let step = 0; step < 6000; step++) {
        // Stay in the packed form: at most PACK_MAX_ITEMS − 1 members.
        const op = ref.size >= PACK_MAX_ITEMS - 1 ? 3 : r(8);
        if (op <= 2) {
          // In order most of the time (rising scores, or equal scores with rising members).
          const inOrder = op < 2;
          const m = inOrder ? `m${String(rising).padStart(6, '0')}` : `m${r(400)}`;
          const s = inOrder ? Math.floor(rising++ / 3) : [0, -0, 1.5, -2, r(50)][r(5)];
          expect(z.score(m)).toBe(ref.get(m));
          z.set(m, s);
          // A score equal to the current one (0 and -0 included) changes nothing.
          if (ref.get(m) !== s) ref.set(m, s);
        } else if (op === 3) {
          const m = ref.size > 0 && r(2) === 0 ? [...ref.keys()][r(ref.size)] : `m${r(400)}`;
          expect(z.delete(m)).toBe(ref.delete(m));
        } else if (op === 4 && ref.size > 0) {
          const start = r(ref.size);
          const n = 1 + r(3);
          const gone = z.removeRange(start, n);
          const want = sortedPairs(ref).slice(start, start + n).map(([m]) => m);
          expect(gone).toEqual(want);
          for (const m of want) ref.delete(m);
        } else {
          const m = `m${r(400)}`;
          expect(z.score(m)).toBe(ref.get(m));
          expect(z.rank(m)).toBe(sortedPairs(ref).findIndex(([x]) => x === m));
        }
        expect(z.size).toBe(ref.size);
        if (step % 50 === 0) expect([...z.ascending()]).toEqual(sortedPairs(ref));
      }
      expect(z.small).toBe(true);
      expect([...z.ascending()]).toEqual(sortedPairs(ref));
    });
  }
});
