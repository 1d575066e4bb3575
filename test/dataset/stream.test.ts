/**
 * Streams in the dataset: IDs as 16-byte keys that sort as Redis sorts IDs, entries in ID
 * order with Redis's length counter, the entries-read estimate Redis makes when a file does
 * not record it (its cases one by one), and pending entries whose owner, consumer PEL and NACK
 * zone stay in step.
 */
import { describe, expect, it } from 'vitest';
import { MAX_STREAM_ID, MIN_STREAM_ID, nextStreamId, streamIdFromParts, streamIdKey, streamIdParts, streamIdText } from '../../src/dataset/stream-id.js';
import { StreamValue, UNKNOWN_ENTRIES_READ } from '../../src/dataset/stream.js';
import { UsageError } from '../../src/errors.js';

const k = streamIdKey;

describe('stream IDs', () => {
  it('round-trip through text, including the largest parts', () => {
    for (const t of ['0-0', '1-1', '1528512152353-0', '9007199254740993-5', '18446744073709551615-18446744073709551615', '4294967296-4294967295']) {
      expect(streamIdText(k(t))).toBe(t);
      expect(k(t)).toHaveLength(16);
    }
    expect(k('0-0')).toBe(MIN_STREAM_ID);
    expect(k('18446744073709551615-18446744073709551615')).toBe(MAX_STREAM_ID);
    expect(streamIdParts(k('9007199254740993-7'))).toEqual({ ms: 9007199254740993n, seq: 7n });
    expect(streamIdFromParts(9007199254740993n, 7n)).toBe(k('9007199254740993-7'));
  });

  it('compare as Redis compares IDs (ms, then seq), whatever their decimal lengths', () => {
    const ids = ['10-0', '9-99', '9-100', '1000000000000-1', '999999999999-999', '18446744073709551615-0', '0-18446744073709551615'];
    const byKey = [...ids].sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
    const byValue = [...ids].sort((a, b) => {
      const [am, as] = a.split('-').map(BigInt);
      const [bm, bs] = b.split('-').map(BigInt);
      return am < bm ? -1 : am > bm ? 1 : as < bs ? -1 : as > bs ? 1 : 0;
    });
    expect(byKey).toEqual(byValue);
  });

  it('the next ID carries from seq into ms; there is none after the largest', () => {
    expect(streamIdText(nextStreamId(k('5-18446744073709551615'))!)).toBe('6-0');
    expect(streamIdText(nextStreamId(k('5-7'))!)).toBe('5-8');
    expect(nextStreamId(MAX_STREAM_ID)).toBeNull();
  });

  it('text that is not an ID is a usage error', () => {
    for (const t of ['', '1', '1-', '-1', '1-2-3', 'a-1', '18446744073709551616-0', '1-0x1']) expect(() => k(t), t).toThrow(UsageError);
  });
});

function stream(ids: string[]): StreamValue {
  const s = new StreamValue();
  for (const id of ids) s.append(k(id), ['f', id]);
  s.lastId = k(ids[ids.length - 1]);
  s.entriesAdded = ids.length;
  s.firstId = k(ids[0]);
  return s;
}

describe('stream entries', () => {
  it('are appended in ID order only, found by binary search, and counted in length', () => {
    const s = stream(['1-1', '1-2', '2-0', '10-5']);
    expect(s.length).toBe(4);
    expect(() => s.append(k('10-5'), [])).toThrow(UsageError);
    expect(() => s.append(k('3-0'), [])).toThrow(UsageError);
    expect(s.indexOf(k('2-0'))).toBe(2);
    expect(s.indexOf(k('2-1'))).toBe(-1);
    expect(s.lowerBound(k('2-1'))).toBe(3);
    expect(s.get(k('10-5'))).toEqual(['f', '10-5']);
    expect(s.delete(k('1-2'))).toBe(true);
    expect(s.delete(k('1-2'))).toBe(false);
    expect(streamIdText(s.shift()!)).toBe('1-1');
    expect(s.length).toBe(2);
    expect([...s.entries()].map(([id]) => streamIdText(id))).toEqual(['2-0', '10-5']);
    s.shift();
    s.shift();
    expect(s.shift()).toBeUndefined();
    expect(s.length).toBe(0);
  });

  it('a copy is deep', () => {
    const s = stream(['1-1', '1-2']);
    const g = s.addGroup('g', k('1-1'), 1);
    g.addConsumer('c', 5);
    g.setPending(k('1-1'), 'c', 10, 1);
    const c = s.clone();
    c.get(k('1-1'))![1] = 'changed'; // a copy of the fields: changes nothing
    c.groups.get('g')!.deletePending(k('1-1'));
    c.delete(k('1-2'));
    expect(s.get(k('1-1'))).toEqual(['f', '1-1']);
    expect(g.pending.size).toBe(1);
    expect(g.consumers.get('c')!.pending.size).toBe(1);
    expect(s.length).toBe(2);
    expect(c.length).toBe(1);
  });
});

describe('entries-read estimate (what Redis assumes for a group when a file does not say)', () => {
  it('a stream that never had entries: 0', () => {
    expect(new StreamValue().estimateEntriesRead(k('5-0'))).toBe(0);
  });

  it('an emptied stream: entries added, for IDs up to the last', () => {
    const s = stream(['1-1', '1-2']);
    s.shift();
    s.shift();
    expect(s.estimateEntriesRead(k('1-2'))).toBe(2);
    expect(s.estimateEntriesRead(k('0-0'))).toBe(2);
    expect(s.estimateEntriesRead(k('1-3'))).toBe(UNKNOWN_ENTRIES_READ);
  });

  it('no deletion ahead: exact at the ends, before the first entry, unknown beyond the last', () => {
    const s = stream(['1-1', '1-2', '1-3']);
    s.entriesAdded = 10; // seven entries trimmed away earlier
    expect(s.estimateEntriesRead(k('1-3'))).toBe(10);
    expect(s.estimateEntriesRead(k('1-1'))).toBe(8);
    expect(s.estimateEntriesRead(k('0-5'))).toBe(7);
    expect(s.estimateEntriesRead(k('0-0'))).toBe(7);
    expect(s.estimateEntriesRead(k('1-2'))).toBe(UNKNOWN_ENTRIES_READ);
    expect(s.estimateEntriesRead(k('2-0'))).toBe(UNKNOWN_ENTRIES_READ);
  });

  it('a deletion after the ID: unknown, except for 0-0 before the first entry', () => {
    const s = stream(['1-1', '1-2', '1-3']);
    s.maxDeletedId = k('1-2');
    expect(s.estimateEntriesRead(k('1-1'))).toBe(UNKNOWN_ENTRIES_READ);
    expect(s.estimateEntriesRead(k('1-3'))).toBe(3);
    expect(s.estimateEntriesRead(k('0-0'))).toBe(UNKNOWN_ENTRIES_READ);
    s.maxDeletedId = k('0-9'); // deleted before the first entry: no fragmentation
    expect(s.estimateEntriesRead(k('0-0'))).toBe(0);
    expect(s.estimateEntriesRead(k('1-1'))).toBe(1);
  });
});

describe('pending entries', () => {
  it('change owner, leave with their consumer, and leave the NACK zone when acknowledged', () => {
    const s = stream(['1-1', '1-2', '1-3']);
    const g = s.addGroup('g', k('1-3'), 3);
    expect(s.addGroup('g', k('0-0'), 0)).toBe(g);
    g.addConsumer('a', 100);
    g.addConsumer('b', 200, 250);
    expect(g.consumers.get('b')!.activeTimeMs).toBe(250);
    g.setPending(k('1-1'), 'a', 1000, 1);
    g.setPending(k('1-2'), 'a', 1000, 1);
    g.setPending(k('1-3'), null, 1000, 1);
    g.nacked = new Set([k('1-3')]);
    g.setPending(k('1-2'), 'b', 2000, 2);
    expect([...g.consumers.get('a')!.pending]).toEqual([k('1-1')]);
    expect([...g.consumers.get('b')!.pending]).toEqual([k('1-2')]);
    expect(g.pending.get(k('1-2'))).toEqual({ consumer: 'b', deliveryTimeMs: 2000, deliveryCount: 2 });
    expect(() => g.setPending(k('1-1'), 'nobody', 0, 1)).toThrow(UsageError);
    expect(g.deletePending(k('1-3'))).toBe(true);
    expect(g.nacked.size).toBe(0);
    expect(g.deleteConsumer('a')).toBe(1);
    expect(g.deleteConsumer('a')).toBe(-1);
    expect(g.pendingInOrder().map(([id]) => streamIdText(id))).toEqual(['1-2']);
  });

  it('are listed in ID order whatever order they were added in', () => {
    const g = stream(['1-1']).addGroup('g', k('0-0'), 0);
    g.addConsumer('c', 0);
    for (const id of ['10-0', '9-5', '100-0', '9-10']) g.setPending(k(id), 'c', 0, 1);
    expect(g.pendingInOrder().map(([id]) => streamIdText(id))).toEqual(['9-5', '9-10', '10-0', '100-0']);
  });
});
