/**
 * The partial `inspect` report of a damaged RDB counts exactly the records read whole: a file
 * cut anywhere reports what the same file cut at the report's `readUpTo` reports (databases,
 * types, encodings, totals, top lists), including when the cut falls inside a value the fast
 * path skips without decoding (its key is taken back, and the top lists stay exact).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectInput } from '../../src/analyze/aof-overview.js';
import type { InspectReport } from '../../src/analyze/overview.js';
import { BiggestKeys } from '../../src/analyze/biggest-keys.js';
import type { KeyInfo } from '../../src/model/events.js';
import { FIXTURES } from '../helpers/files.js';

const TMP = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-overview-partial-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
const NOW = Date.UTC(2030, 0, 1);

async function rdbReport(bytes: Uint8Array, name: string): Promise<InspectReport> {
  const file = path.join(TMP, name);
  writeFileSync(file, bytes);
  const res = await inspectInput(file, { nowMs: NOW, top: 5 });
  expect(res.kind).toBe('rdb');
  return res.report as InspectReport;
}

/** What a report counts (everything but where the read stopped, and timings). */
const counts = (r: InspectReport) => ({ databases: r.databases, totals: r.totals, biggestKeys: r.biggestKeys, functions: r.functions, modules: r.modules });

describe('a partial report counts the records read whole, and only those', () => {
  for (const fixture of ['all-types', 'big-collections']) {
    it(`${fixture}.rdb: cut anywhere, the same counts as cut at readUpTo`, async () => {
      const bytes = readFileSync(path.join(FIXTURES, 'rdb', `${fixture}.rdb`));
      let inSkippedValue = 0;
      for (let cut = 331; cut < bytes.length - 9; cut += Math.floor(bytes.length / 23)) {
        const r = await rdbReport(bytes.subarray(0, cut), `${fixture}-${cut}.rdb`);
        expect(r.partial, `cut ${cut}`).not.toBeNull();
        const p = r.partial!;
        expect(p.readUpTo).toBeLessThanOrEqual(cut);
        expect(p.keys).toBe(r.totals.keys);
        const at = await rdbReport(bytes.subarray(0, p.readUpTo), `${fixture}-${cut}-at-${p.readUpTo}.rdb`);
        expect(at.partial?.keys ?? at.totals.keys, `cut ${cut}`).toBe(p.keys);
        expect(counts(r), `cut ${cut}`).toEqual(counts(at));
        // Every key in the top lists lies wholly before the cut.
        for (const k of [...r.biggestKeys.bySize, ...r.biggestKeys.byElements]) expect(k.offset + k.onDiskBytes).toBeLessThanOrEqual(p.readUpTo);
        if (r.error?.context && (r.error.context as { key?: unknown }).key !== undefined) inSkippedValue++;
      }
      expect(inSkippedValue).toBeGreaterThan(3);
    });
  }
});

describe('BiggestKeys takes a key back and stays exact', () => {
  const key = (i: number, bytes: number): KeyInfo => ({
    db: 0,
    key: Buffer.from(`k${i}`),
    rdbType: 0,
    valueType: 'string',
    encoding: 'raw',
    expireAtMs: null,
    lruIdleSec: undefined,
    lfuFreq: undefined,
    offset: i * 100,
    elements: 1,
    onDiskBytes: bytes,
    valueBytes: bytes,
  }) as KeyInfo;

  it('the list without the taken-back key is the list of the other keys', () => {
    const all = new BiggestKeys(3);
    const others = new BiggestKeys(3);
    const sizes = [50, 10, 90, 70, 30, 80, 20];
    sizes.forEach((b, i) => {
      all.onKey(key(i, b));
      if (i !== 2) others.onKey(key(i, b));
    });
    expect(all.result().bySize.map((k) => k.onDiskBytes)).toEqual([90, 80, 70]);
    expect(all.result(200).bySize.map((k) => k.onDiskBytes)).toEqual([80, 70, 50]);
    expect(all.result(200)).toEqual(others.result());
    expect(new BiggestKeys(0).result()).toEqual({ bySize: [], byElements: [] });
  });
});
