/**
 * Every fixture made by the real server decodes to exactly the dataset that server held
 * (its truth file), key for key, including TTLs, LFU counters, idle times, stream groups and
 * consumers. Set, hash and sorted-set members are compared without regard to order, since the
 * file keeps hashtable order while the truth is sorted.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { records, type TestRecord } from '../helpers/collect.js';
import { fixtureRdbs } from '../helpers/files.js';

const sortJson = (a: unknown[]) => [...a].sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));

function normalise(r: TestRecord | Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...r };
  if (out.type === 'set' || out.type === 'hash' || out.type === 'zset') out.value = sortJson(out.value as unknown[]);
  if (out.fieldExpireAtMs) out.fieldExpireAtMs = sortJson(out.fieldExpireAtMs as unknown[]);
  if (out.type === 'stream') {
    const v = { ...(out.value as Record<string, unknown>) };
    v.groups = sortJson(
      (v.groups as Record<string, unknown>[]).map((g) => ({
        ...g,
        entriesRead: g.entriesRead === -1 ? null : g.entriesRead,
        consumers: sortJson(g.consumers as unknown[]),
      })),
    );
    out.value = v;
  }
  delete out.lruIdleSec;
  return out;
}

describe('fixtures decode to their live-server truth', () => {
  const files = fixtureRdbs();
  it('has fixtures', () => expect(files.length).toBeGreaterThanOrEqual(6));
  for (const file of files) for (const inline of [undefined, 1000]) {
    it(`${file.split('/').pop()!}${inline ? ' (strings over 1000 bytes delivered in parts)' : ''}`, () => {
      const truth = readFileSync(file.replace(/\.rdb$/, '.truth.ndjson'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const { records: ours, summary } = records(readFileSync(file), inline ? { limits: { maxInlineValueBytes: inline } } : {});
      expect(summary.end!.checksum).toBe(file.includes('nochecksum') ? 'disabled' : 'ok');
      expect(ours.length).toBe(truth.length);
      const key = (r: { db?: unknown; key?: unknown }) => `${r.db}:${JSON.stringify(r.key)}`;
      const mine = new Map(ours.map((r) => [key(r), r]));
      for (const t of truth) {
        const r = mine.get(key(t));
        expect(r, `decoded ${key(t)}`).toBeDefined();
        expect(normalise(r!), key(t)).toEqual(normalise(t));
        if (t.lruIdleSec !== undefined) {
          // The server's idle clock ticks in whole seconds between reading the truth and saving.
          expect(Math.abs(r!.lruIdleSec! - (t.lruIdleSec as number))).toBeLessThanOrEqual(2);
        } else expect(r!.lruIdleSec).toBeUndefined();
      }
    });
  }
});
