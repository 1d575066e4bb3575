/**
 * `inspect`'s estimated-memory column: every biggest key gets one, computed on inspect's fast
 * path from the record alone (quick-estimate.ts). Where the record says enough — strings that
 * are not short numbers, listpacks and intsets kept as they are, quicklists of listpacks — it
 * is the figure `rdbtool memory` gives (itself checked against the server in
 * memory-redis.test.ts); elsewhere it stays within a factor of the exact figure. The same
 * for the estimator given Valkey 8.1's model (hashtable.c tables, keys embedded in values),
 * run beside the exact one over each fixture.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectRdb } from '../../src/analyze/overview.js';
import { analyzeMemory } from '../../src/analyze/memory/memory-input.js';
import { parseMemoryTarget } from '../../src/analyze/memory/target.js';
import { openSource } from '../../src/io/source.js';
import { scanRdb } from '../../src/pipeline/scan.js';
import { KeyMemoryEstimator } from '../../src/analyze/memory/key-memory.js';
import { QuickMemoryEstimator } from '../../src/analyze/memory/quick-estimate.js';
import { memoryModel } from '../../src/analyze/memory/model.js';
import type { RdbHandler } from '../../src/model/events.js';
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

describe('the fast path\'s estimate for Valkey 8.1', () => {
  const model = memoryModel({ server: 'valkey', version: '8.1', allocator: 'jemalloc' });
  for (const file of fixtureRdbs()) {
    it(path.basename(file), async () => {
      const quick = new QuickMemoryEstimator(model);
      const misses: string[] = [];
      const exact = new KeyMemoryEstimator(
        (e, info) => {
          const q = quick.estimate(info);
          const name = `${Buffer.from(e.key).toString('latin1')} (${e.valueType}, ${e.encoding})`;
          if (exactFromRecord({ ...e, type: e.valueType, key: Buffer.from(e.key) }, info.encoding ?? '')) {
            if (q !== e.memoryBytes) misses.push(`${name}: fast ${q}, exact ${e.memoryBytes}`);
          } else if (e.valueType !== 'stream' && (q / e.memoryBytes <= 0.25 || q / e.memoryBytes >= 4)) misses.push(`${name}: fast ${q}, exact ${e.memoryBytes}`);
        },
        { model },
      );
      // Both see the key's record; only the exact one its values.
      const handler: RdbHandler = {
        keyStart: (k) => {
          quick.keyStart(k);
          return exact.keyStart(k);
        },
        valueNode: (container, bytes, nodeKey) => {
          quick.valueNode(container, bytes, nodeKey);
          exact.valueNode(container, bytes, nodeKey);
        },
        stringValue: (v) => exact.stringValue(v),
        stringPart: (part, last, total) => exact.stringPart(part, last, total),
        item: (v) => exact.item(v),
        arrayElement: (i, v) => exact.arrayElement(i, v),
        field: (f, v, ttl) => exact.field(f, v, ttl),
        member: (m, score) => exact.member(m, score),
        streamEntry: (id, fields, deleted) => exact.streamEntry(id, fields, deleted),
        streamGroup: (g) => exact.streamGroup(g),
        moduleValue: (m) => exact.moduleValue(m),
        keyEnd: (k) => exact.keyEnd(k),
      };
      await scanRdb(await openSource(file), handler);
      expect(misses).toEqual([]);
    });
  }
});
