/**
 * Physical line numbers on the check-only path: the decoder skips counting them and
 * `scanFile` finds the lines of a damaged file's offsets by reading it again. They must equal
 * what the counting decoder reports, for plain and hybrid files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanFile } from '../../src/pipeline/scan-file.js';
import { openSource } from '../../src/io/source.js';
import { linesAt } from '../../src/io/line-count.js';
import { FIXTURES } from '../helpers/files.js';

let dir = '';
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-lines-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const fixture = (name: string) => new Uint8Array(readFileSync(path.join(FIXTURES, 'aof', name)));

async function scanBoth(bytes: Uint8Array, name: string) {
  const file = path.join(dir, name);
  await fs.writeFile(file, bytes);
  const fast = await scanFile(await openSource(file), {});
  const exact = await scanFile(await openSource(file), {}, { lines: 'always' });
  return { fast, exact };
}

describe('physical lines found after the fact', () => {
  it('linesAt counts \\n bytes from the start offset, over chunk boundaries', async () => {
    const file = path.join(dir, 'lines.txt');
    const text = Array.from({ length: 300_000 }, (_, i) => `line ${i}`).join('\n');
    await fs.writeFile(file, text);
    const offsets = [0, 5, 7, 1_500_000, text.length, text.length + 10];
    const expected = offsets.map((o) => 1 + (text.slice(0, Math.min(o, text.length)).match(/\n/g)?.length ?? 0));
    expect(await linesAt(file, 0, offsets)).toEqual(expected);
    expect(await linesAt(file, 7, [7, 20])).toEqual([1, 1 + (text.slice(7, 20).match(/\n/g)?.length ?? 0)]);
  });

  for (const name of ['plain.aof', 'hybrid.aof']) {
    it(`${name}: damaged variants give the same lines as counting while decoding`, async () => {
      const input = fixture(name);
      const start = name === 'hybrid.aof' ? input.length - 933 : 0;
      const cuts = [start + 30, start + 47, Math.floor((start + input.length) / 2), input.length - 3];
      const cases: Uint8Array[] = cuts.map((c) => input.subarray(0, c));
      // Every CR of the RESP section is protocol (no value in these files holds one after
      // its first few commands), so replacing one is damage wherever it is.
      const crs = [...input.keys()].filter((i) => i >= start && input[i] === 0x0d);
      for (const at of [crs[4], crs[Math.floor(crs.length / 2)], crs[crs.length - 3]]) {
        const b = Uint8Array.from(input);
        b[at] = 0x21;
        cases.push(b);
      }
      let checked = 0;
      for (const [i, bytes] of cases.entries()) {
        const { fast, exact } = await scanBoth(bytes, `${name}.${i}`);
        expect(exact.problem).not.toBeNull();
        expect(exact.aof!.firstBadLine).toBeGreaterThan(0);
        expect(fast.aof).toEqual(exact.aof);
        expect(fast.problem).toEqual(exact.problem);
        checked++;
      }
      expect(checked).toBe(7);
    });
  }

  it('an intact file read on the fast path reports line 0 (not counted)', async () => {
    const { fast, exact } = await scanBoth(fixture('plain.aof'), 'intact.aof');
    expect(fast.status).toBe('ok');
    expect(fast.aof!.okUpToLine).toBe(0);
    expect(exact.aof!.okUpToLine).toBeGreaterThan(1);
    expect({ ...fast.aof, okUpToLine: 0 }).toEqual({ ...exact.aof, okUpToLine: 0 });
  });
});
