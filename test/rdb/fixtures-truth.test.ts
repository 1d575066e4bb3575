/**
 * Every fixture made by the real server decodes to exactly the dataset that server held
 * (its truth file), key for key, including TTLs, LFU counters, idle times, stream groups and
 * consumers. Set, hash and sorted-set members are compared without regard to order, since the
 * file keeps hashtable order while the truth is sorted.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { records } from '../helpers/collect.js';
import { fixtureRdbs } from '../helpers/files.js';
import { canonicalRecord, recordKey, truthOf } from '../helpers/truth.js';

function normalise(r: object): Record<string, unknown> {
  const out = canonicalRecord(r);
  delete out.lruIdleSec; // compared apart, within the idle clock's tick
  return out;
}

describe('fixtures decode to their live-server truth', () => {
  const files = fixtureRdbs();
  it('has fixtures', () => expect(files.length).toBeGreaterThanOrEqual(6));
  for (const file of files) for (const inline of [undefined, 1000]) {
    it(`${file.split('/').pop()!}${inline ? ' (strings over 1000 bytes delivered in parts)' : ''}`, () => {
      const truth = truthOf(file);
      const { records: ours, summary } = records(readFileSync(file), inline ? { limits: { maxInlineValueBytes: inline } } : {});
      expect(summary.end!.checksum).toBe(file.includes('nochecksum') ? 'disabled' : 'ok');
      expect(ours.length).toBe(truth.length);
      const key = recordKey;
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
