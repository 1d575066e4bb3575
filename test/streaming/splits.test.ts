/**
 * The decoder gives identical events however its input is cut: whole, byte by byte, at
 * seeded random split points, and with pieces at a non-zero byteOffset.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { byteByByte, decode, eventLog, noisy, randomSplits, whole, type Splitter } from '../helpers/collect.js';
import { CORPUS, describeCorpus, fixtureRdbs, goodCorpusRdbs, PROJECT_ROOT } from '../helpers/files.js';

function run(bytes: Uint8Array, split: Splitter, wantValues: boolean, verify: 'deep' | 'shallow' = 'deep'): string[] {
  const { handler, log } = eventLog(wantValues);
  decode(bytes, handler, split, { verify, limits: { maxInlineValueBytes: 4096 } });
  return log;
}

/** One test per file: every way of cutting it gives the events of the whole. */
function splitTests(inputs: string[], base: string): void {
  for (const file of inputs) {
    it(path.relative(base, file), () => {
      const bytes = readFileSync(file);
      const ref = run(bytes, whole, true);
      expect(ref.length).toBeGreaterThan(1);
      expect(ref[ref.length - 1]).toMatch(/^eof /);
      if (bytes.length <= 64 * 1024) expect(run(bytes, byteByByte, true)).toEqual(ref);
      for (const seed of [1, 7, 42]) expect(run(bytes, noisy(randomSplits(seed, seed === 42 ? 4096 : 97)), true)).toEqual(ref);
      // Without values (skip mode) the key and end events are the same, in both verify modes.
      const keysOnly = ref.filter((l) => /^(header|aux|select|resize|slot|function|moduleAux|key|end|eof) /.test(l));
      const skipped = run(bytes, whole, false);
      expect(skipped.filter((l) => /^(header|aux|select|resize|slot|function|moduleAux|key|end|eof) /.test(l))).toEqual(keysOnly);
      expect(run(bytes, randomSplits(3, 33), false, 'shallow')).toEqual(run(bytes, whole, false, 'shallow'));
    });
  }
}

describe('chunking does not change what the decoder reports: fixtures', () => {
  const inputs = fixtureRdbs();
  it('has inputs', () => expect(inputs.length).toBeGreaterThanOrEqual(6));
  splitTests(inputs, PROJECT_ROOT);
});

describeCorpus('chunking does not change what the decoder reports: corpus', () => {
  const inputs = goodCorpusRdbs();
  it('has inputs', () => expect(inputs.length).toBeGreaterThan(50));
  splitTests(inputs, CORPUS);
});
