/**
 * Sorted-set scores stored as text: the plain-decimal fast path of `parseScoreRange` gives what
 * the general parser gives (spaces, words, hexadecimal and all), for every text made of the
 * characters it takes, and the general path still serves the rest.
 */
import { describe, expect, it } from 'vitest';
import { parseScore, parseScoreRange, parseScoreText } from '../../../src/rdb/values/score.js';
import { rng } from '../../helpers/bytes.js';

const bytesOf = (s: string): Uint8Array => Buffer.from(s, 'latin1');

describe('parseScoreRange', () => {
  it('plain decimal text: the same number (or NaN) as the general parser, at any offset', () => {
    const rand = rng(31);
    const chars = '0123456789.+-eE';
    const texts = ['0', '-0', '1.5', '.5', '5.', '+.5e-3', '1e+21', '1E5', '1.e5', '.', 'e5', '1e', '--1', '+-1', '1-2', '1.2.3', '369481.06440000003', '0.10000000000000001', '00012', '-', '+'];
    for (let i = 0; i < 50_000; i++) {
      let t = '';
      const n = 1 + Math.floor(rand() * 12);
      for (let k = 0; k < n; k++) t += chars[Math.floor(rand() * (rand() < 0.7 ? 10 : chars.length))];
      texts.push(t);
    }
    for (const t of texts) {
      const pad = Math.floor(rand() * 4);
      const around = new Uint8Array(pad + t.length + 3).fill(0x20);
      around.set(bytesOf(t), pad);
      const got = parseScoreRange(around, pad, pad + t.length);
      expect(Object.is(got, parseScoreText(t)), `${JSON.stringify(t)}: ${got}`).toBe(true);
    }
  });

  it('other text goes to the general parser', () => {
    for (const [t, want] of [
      [' 1.5', 1.5],
      ['inf', Infinity],
      ['-INF', -Infinity],
      ['nan', NaN],
      ['0x1p3', 8],
      ['', NaN],
      ['1,5', NaN],
    ] as const) {
      expect(Object.is(parseScore(bytesOf(t)), want), t).toBe(true);
    }
  });
});
