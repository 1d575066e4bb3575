/**
 * SADD and HSET of many elements edit a small set or hash in one go (`addMany`, `setMany`);
 * the result must be what adding them one by one makes: the same elements in the same order,
 * the same form (small or large, and the pack byte for byte), the same count returned —
 * whatever the run holds: repeats, members already there, one too long for the small form,
 * or enough to pass the small form's limit halfway.
 */
import { describe, expect, it } from 'vitest';
import { SetValue } from '../../src/dataset/set.js';
import { HashValue } from '../../src/dataset/hash.js';
import { PACK_MAX_ITEMS } from '../../src/dataset/pack.js';
import type { ByteString } from '../../src/dataset/byte-string.js';
import { rng } from '../helpers/bytes.js';

/** An element drawn from a small pool (so runs repeat and hit what is there), now and then too long for a pack. */
function element(r: () => number, pool: number): ByteString {
  if (r() < 0.02) return 'L'.repeat(65 + Math.floor(r() * 10));
  return `e${Math.floor(r() * pool)}${r() < 0.1 ? '\u00ff\u0000' : ''}`;
}

/** The internal form of a value: its pack, or null in the large form. */
const packOf = (v: SetValue | HashValue) => (v as unknown as { pack: string | null }).pack;

describe('SetValue.addMany adds as add does, one by one', () => {
  it('random runs on empty, small and large sets', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const r = rng(seed);
      const pool = [4, 40, 150, 400][seed % 4];
      const start = Array.from({ length: Math.floor(r() * (seed % 3 === 2 ? 200 : 100)) }, () => element(r, pool));
      const run = Array.from({ length: Math.floor(r() * 120) }, () => element(r, pool));
      const from = Math.floor(r() * 3);
      const argv = [...Array<ByteString>(from).fill('skipped'), ...run];
      const one = new SetValue();
      const many = new SetValue();
      for (const m of start) {
        one.add(m);
        many.add(m);
      }
      let added = 0;
      for (const m of run) if (one.add(m)) added++;
      expect(many.addMany(argv, from), `seed ${seed}`).toBe(added);
      expect([...many.values()], `seed ${seed}`).toEqual([...one.values()]);
      expect(packOf(many), `seed ${seed}`).toBe(packOf(one));
      expect(many.size).toBe(one.size);
    }
  });

  it('stops the small run at the member that would pass the limit', () => {
    const s = new SetValue();
    s.addMany(Array.from({ length: PACK_MAX_ITEMS - 2 }, (_, i) => `m${i}`));
    expect(packOf(s)).not.toBeNull();
    expect(s.addMany(['m0', 'x1', 'x2', 'm1', 'x3', 'x4'])).toBe(4);
    expect(packOf(s)).toBeNull();
    expect([...s.values()].slice(-4)).toEqual(['x1', 'x2', 'x3', 'x4']);
  });
});

describe('HashValue.setMany sets as set does, one by one', () => {
  it('random runs on empty, small and large hashes', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const r = rng(seed);
      const pool = [4, 40, 150, 400][seed % 4];
      const start = Array.from({ length: 2 * Math.floor(r() * (seed % 3 === 2 ? 200 : 100)) }, () => element(r, pool));
      const run = Array.from({ length: 2 * Math.floor(r() * 60) }, () => element(r, pool));
      const from = 2 * Math.floor(r() * 2);
      const argv = [...Array<ByteString>(from).fill('skipped'), ...run];
      const one = new HashValue();
      const many = new HashValue();
      for (let i = 0; i < start.length; i += 2) {
        one.set(start[i], start[i + 1]);
        many.set(start[i], start[i + 1]);
      }
      let created = 0;
      for (let i = 0; i < run.length; i += 2) {
        const before = one.size;
        one.set(run[i], run[i + 1]);
        if (one.size !== before) created++;
      }
      expect(many.setMany(argv, from), `seed ${seed}`).toBe(created);
      expect([...many.entries()], `seed ${seed}`).toEqual([...one.entries()]);
      expect(packOf(many), `seed ${seed}`).toBe(packOf(one));
    }
  });

  it('a value too long for the small form halfway: the fields before it are packed, the rest go large', () => {
    const h = new HashValue();
    h.setMany(['a', '1', 'b', '2', 'c', '3', 'd', '4']);
    expect(h.setMany(['a', 'x', 'e', '5', 'f', 'v'.repeat(70), 'g', '7', 'e', '6'])).toBe(3);
    expect(packOf(h)).toBeNull();
    expect([...h.entries()]).toEqual([
      ['a', 'x'],
      ['b', '2'],
      ['c', '3'],
      ['d', '4'],
      ['e', '6'],
      ['f', 'v'.repeat(70)],
      ['g', '7'],
    ]);
  });
});
