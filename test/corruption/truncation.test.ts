/**
 * A file cut anywhere before its end gives a typed TRUNCATED error naming the file and an
 * offset inside the file, never another error, a crash or a hang.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decode, eventLog, randomSplits } from '../helpers/collect.js';
import { describeCorpus, fixtureRdbs, goodCorpusRdbs } from '../helpers/files.js';
import { TruncatedError } from '../../src/errors.js';

/** Up to `n` distinct cut points in [0, len): the edges plus seeded random ones. */
function cutPoints(len: number, n: number, seed: number): number[] {
  const pts = new Set<number>([0, 1, 8, 9, len - 9, len - 8, len - 1].filter((p) => p >= 0 && p < len));
  let s = seed >>> 0 || 1;
  for (let tries = 0; pts.size < Math.min(n, len) && tries < 100 * n; tries++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    pts.add(s % len);
  }
  return [...pts].sort((a, b) => a - b);
}

/** One test per file: every cut gives a typed TRUNCATED error inside the cut. */
function truncationTests(inputs: string[]): void {
  for (const file of inputs) {
    it(path.basename(file), () => {
      const bytes = readFileSync(file);
      const points = cutPoints(bytes.length, 200, bytes.length);
      expect(points.length).toBeGreaterThan(Math.min(150, bytes.length - 10));
      for (const cut of points) {
        const { handler } = eventLog(cut % 2 === 0);
        let err: unknown = null;
        try {
          decode(bytes.subarray(0, cut), handler, randomSplits(cut + 1, 512), { verify: cut % 3 === 0 ? 'shallow' : 'deep' });
        } catch (e) {
          err = e;
        }
        expect(err, `cut at ${cut}`).toBeInstanceOf(TruncatedError);
        const t = err as TruncatedError;
        expect(t.code).toBe('TRUNCATED');
        expect(t.file).toBe('test.rdb');
        expect(t.offset).toBeGreaterThanOrEqual(0);
        expect(t.offset).toBeLessThanOrEqual(cut);
      }
    });
  }
}

describe('truncated files: fixtures', () => {
  const inputs = fixtureRdbs();
  it('has inputs', () => expect(inputs.length).toBeGreaterThanOrEqual(6));
  truncationTests(inputs);
});

describeCorpus('truncated files: a quarter of the corpus', () => {
  const inputs = goodCorpusRdbs().filter((_, i) => i % 4 === 0);
  it('has inputs', () => expect(inputs.length).toBeGreaterThan(10));
  truncationTests(inputs);
});
