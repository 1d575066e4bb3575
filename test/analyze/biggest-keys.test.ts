import { describe, expect, it } from 'vitest';
import { BiggestKeys, TopN } from '../../src/analyze/biggest-keys.js';
import { toKeySummary, keyAnalyzersHandler, type KeyAnalyzer } from '../../src/analyze/key-summary.js';
import type { KeyInfo } from '../../src/model/events.js';

function info(name: string, onDiskBytes: number, elements: number, reuse?: KeyInfo): KeyInfo {
  const k: KeyInfo = reuse ?? { db: 0, key: new Uint8Array(0), rdbType: 0, valueType: 'string', encoding: 'raw', expireAtMs: null, lruIdleSec: undefined, lfuFreq: undefined, offset: 0, elements: 0, onDiskBytes: 0, valueBytes: 0 };
  k.key = new TextEncoder().encode(name);
  k.onDiskBytes = onDiskBytes;
  k.elements = elements;
  return k;
}

const names = (keys: { key: Uint8Array }[]): string[] => keys.map((k) => new TextDecoder().decode(k.key));

describe('TopN', () => {
  it('keeps the largest items, sorted, with ties in insertion order', () => {
    const t = new TopN<string>(3);
    for (const [v, s] of [[5, 'a'], [1, 'b'], [9, 'c'], [5, 'd'], [7, 'e'], [2, 'f']] as const) if (t.accepts(v)) t.push(v, s);
    expect(t.sorted()).toEqual(['c', 'e', 'a']);
  });

  it('keeps the first of equal items when full', () => {
    const t = new TopN<number>(2);
    for (let i = 0; i < 10; i++) if (t.accepts(1)) t.push(1, i);
    expect(t.sorted()).toEqual([0, 1]);
  });

  it('agrees with a full sort on random input', () => {
    let seed = 3;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 1000;
    const t = new TopN<number>(10);
    const all: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const v = rnd();
      all.push(v);
      if (t.accepts(v)) t.push(v, v);
    }
    expect(t.sorted()).toEqual(all.sort((a, b) => b - a).slice(0, 10));
  });

  it('accepts nothing with a limit of 0', () => {
    expect(new TopN(0).accepts(100)).toBe(false);
  });
});

describe('BiggestKeys', () => {
  it('ranks by on-disk size and by element count separately', () => {
    const bk = new BiggestKeys(2);
    bk.onKey(info('small', 10, 1000));
    bk.onKey(info('huge', 5000, 3));
    bk.onKey(info('mid', 100, 50));
    const r = bk.result();
    expect(names(r.bySize)).toEqual(['huge', 'mid']);
    expect(names(r.byElements)).toEqual(['small', 'mid']);
  });

  it('copies the key bytes it keeps (the decoder reuses its buffers)', () => {
    const bk = new BiggestKeys(1);
    const shared = info('first', 10, 1);
    bk.onKey(shared);
    shared.key.fill(0x7a); // the decoder overwrites its window
    expect(names(bk.result().bySize)).toEqual(['first']);
  });
});

describe('key summaries', () => {
  it('copies a KeyInfo and feeds analyzers from keyEnd', () => {
    const k = info('k', 42, 7);
    const s = toKeySummary(k);
    k.key[0] = 0x21;
    expect(new TextDecoder().decode(s.key)).toBe('k');
    expect(s.onDiskBytes).toBe(42);
    const seen: number[] = [];
    const a: KeyAnalyzer<number[]> = { onKey: (x) => seen.push(x.elements), result: () => seen };
    keyAnalyzersHandler([a, a]).keyEnd!(k);
    expect(seen).toEqual([7, 7]);
  });
});
