/**
 * One truncation point, whatever path reads the file: a scan that skips values (the default
 * `check` and `inspect`) reports a cut inside a skipped value at the same offset, with the same
 * key and the same count of missing bytes, as a scan that decodes every value (`check --deep`,
 * `export`). Cuts are derived from the real-server fixtures, read in small chunks so that
 * skipped values run past the bytes received.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { scanFile } from '../../src/pipeline/scan-file.js';
import { bytesSource } from '../../src/io/source.js';
import { fixtureRdbs } from '../helpers/files.js';

async function problemOf(bytes: Uint8Array, verify: 'deep' | 'shallow', chunk: number) {
  const s = await scanFile(bytesSource(bytes, 'cut.rdb', chunk), {}, { verify, checksumWorker: 'never' });
  return s.problem;
}

describe('a cut RDB gives one offset from every reading', () => {
  for (const file of fixtureRdbs()) {
    const bytes = new Uint8Array(readFileSync(file));
    if (bytes.length < 200) continue;
    it(path.basename(file), async () => {
      const step = Math.max(1, Math.floor(bytes.length / 150));
      let inValues = 0;
      for (let cut = 9; cut < bytes.length - 9; cut += step) {
        const head = bytes.subarray(0, cut);
        for (const chunk of [64, 4096]) {
          const deep = await problemOf(head, 'deep', chunk);
          const shallow = await problemOf(head, 'shallow', chunk);
          expect(deep?.code, `cut at ${cut}`).toBe('TRUNCATED');
          expect(shallow, `cut at ${cut}, chunks of ${chunk}`).toEqual(deep);
          expect(deep!.offset).toBeLessThanOrEqual(cut);
          expect(Number(/^(\d+) more/.exec(deep!.expected ?? '')?.[1])).toBeGreaterThan(0);
          if (deep!.context?.key !== undefined) inValues++;
        }
      }
      // The cuts must have landed inside values, or the comparison proves little.
      expect(inValues).toBeGreaterThan(10);
    });
  }
});
