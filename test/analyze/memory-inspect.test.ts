/**
 * `inspect`'s estimated-memory column: every biggest key gets one, computed on inspect's fast
 * path from the record alone (quick-estimate.ts). Where the record says enough — strings that
 * are not short numbers, listpacks and intsets kept as they are, quicklists of listpacks — it
 * is the figure `rdbtool memory` gives (itself checked against the server in
 * memory-redis.test.ts); elsewhere it stays within a factor of the exact figure.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectRdb } from '../../src/analyze/overview.js';
import { analyzeMemory } from '../../src/analyze/memory/memory-input.js';
import { parseMemoryTarget } from '../../src/analyze/memory/target.js';
import { openSource } from '../../src/io/source.js';
import { fixtureRdbs } from '../helpers/files.js';
import { run } from '../cli/capture.js';

/** The exact estimate of every key of a file, by db and key. */
async function exactOf(file: string): Promise<Map<string, { bytes: number; encoding: string; type: string; key: Buffer }>> {
  const m = new Map<string, { bytes: number; encoding: string; type: string; key: Buffer }>();
  await analyzeMemory(file, { target: parseMemoryTarget('redis@7.0', 'jemalloc'), depth: 0, top: 0, onRecord: (k) => m.set(`${k.db}:${Buffer.from(k.key).toString('latin1')}`, { bytes: k.memoryBytes, encoding: k.encoding, type: k.valueType, key: Buffer.from(k.key) }) });
  return m;
}

/** True when the record alone fixes the figure: see the module notes. */
function exactFromRecord(e: { encoding: string; type: string; key: Buffer }, rdbType: string): boolean {
  if (e.type === 'string') return e.encoding !== 'int' || rdbType === 'int';
  return e.type === 'list' || (e.encoding === 'listpack' && rdbType === 'listpack') || e.encoding === 'intset';
}

describe('inspect: the biggest keys\' estimated memory', () => {
  for (const file of fixtureRdbs()) {
    it(path.basename(file), async () => {
      const exact = await exactOf(file);
      const r = await inspectRdb(await openSource(file), { top: 50 });
      const keys = [...r.biggestKeys.bySize, ...r.biggestKeys.byElements];
      expect(keys.length).toBe(Math.min(50, r.totals.keys) * 2);
      for (const k of keys) {
        const e = exact.get(`${k.db}:${Buffer.from(k.key).toString('latin1')}`)!;
        expect(k.memoryBytes, Buffer.from(k.key).toString('latin1')).toBeGreaterThan(0);
        if (exactFromRecord(e, k.encoding)) expect(k.memoryBytes, `${Buffer.from(k.key).toString('latin1')} (${k.valueType}, ${k.encoding})`).toBe(e.bytes);
        // Streams' consumer groups are not seen on the fast path; the rest is close.
        else if (k.valueType !== 'stream') {
          expect(k.memoryBytes! / e.bytes, Buffer.from(k.key).toString('latin1')).toBeGreaterThan(0.25);
          expect(k.memoryBytes! / e.bytes, Buffer.from(k.key).toString('latin1')).toBeLessThan(4);
        }
      }
    });
  }

  it('the text report shows the column, the JSON report the field', async () => {
    const file = fixtureRdbs().find((f) => f.endsWith('all-types.rdb'))!;
    const t = await run(['inspect', file]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/│ +on disk │ +memory │ elements │/);
    expect(t.stdout).toMatch(/│ hash:hashtable-many +│ hash +│ hashtable +│ +[\d.]+ KiB │ +≈[\d.]+ KiB │/);
    const j = JSON.parse((await run(['inspect', file, '--json'])).stdout) as { biggestKeys: { bySize: { memoryBytes: number }[] } };
    expect(j.biggestKeys.bySize.every((k) => Number.isInteger(k.memoryBytes) && k.memoryBytes > 0)).toBe(true);
  });
});
