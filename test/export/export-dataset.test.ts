/**
 * A dataset exported through the RDB events it emits gives the records an RDB export gives:
 * every RDB fixture, loaded and exported from the dataset, equals its live-server truth
 * (encodings included: the fixtures were saved by a server with default limits, so a value's
 * encoding in the file is the one it gets on load), with sorted sets in Redis's score order
 * and intsets ascending. `--drop-expired` leaves out expired keys and hash fields, and a hash
 * whose fields all expired, with whole records in both formats.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import { Dataset } from '../../src/dataset/dataset.js';
import { HashValue } from '../../src/dataset/hash.js';
import { SetValue } from '../../src/dataset/set.js';
import { bytesSource } from '../../src/io/source.js';
import { exportDataset } from '../../src/export/export-dataset.js';
import { loadEncoding } from '../../src/dataset/emit-events.js';
import type { ByteSink } from '../../src/io/byte-sink.js';
import { FIXTURES } from '../helpers/files.js';
import { canonicalRecord, recordKey, truthOf } from '../helpers/truth.js';

function memorySink(): { sink: ByteSink; text: () => string } {
  const chunks: Buffer[] = [];
  const sink = {
    name: 'memory',
    write(c: Uint8Array, done?: () => void) {
      chunks.push(Buffer.from(c));
      done?.();
    },
    drain: async () => {},
  } as unknown as ByteSink;
  return { sink, text: () => Buffer.concat(chunks).toString('utf8') };
}

const RDB_DIR = path.join(FIXTURES, 'rdb');

describe('export of a dataset', () => {
  for (const name of readdirSync(RDB_DIR).filter((f) => f.endsWith('.rdb'))) {
    it(`${name}: the dataset's records equal the live-server truth`, async () => {
      const file = path.join(RDB_DIR, name);
      const ds = (await loadRdb(bytesSource(new Uint8Array(readFileSync(file)), name))).dataset;
      const out = memorySink();
      const res = await exportDataset(ds, out.sink);
      const got = out.text().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      const truth = truthOf(file);
      expect(res.keys).toBe(truth.length);
      const byKey = new Map(got.map((r) => [recordKey(r), r]));
      for (const t of truth) {
        const g = byKey.get(recordKey(t));
        expect(g, recordKey(t)).toBeDefined();
        expect(canonicalRecord(g!, { sortZset: false }), recordKey(t)).toEqual(canonicalRecord(t, { sortZset: false }));
      }
      // Keys come in databases ascending, then in byte order.
      const bytesOf = (k: unknown) => (typeof k === 'string' ? Buffer.from(k, 'utf8') : Buffer.from((k as { b64: string }).b64, 'base64'));
      for (let i = 1; i < got.length; i++) {
        const [a, b] = [got[i - 1], got[i]];
        const before = (a.db as number) < (b.db as number) || (a.db === b.db && Buffer.compare(bytesOf(a.key), bytesOf(b.key)) < 0);
        expect(before, `${recordKey(a)} before ${recordKey(b)}`).toBe(true);
      }
    });
  }

  it('an intset is listed ascending, as Redis holds it', async () => {
    const ds = new Dataset();
    ds.db(0).set('s', SetValue.from(['40000', '-5', '7'])!);
    const out = memorySink();
    await exportDataset(ds, out.sink);
    expect(JSON.parse(out.text()).value).toEqual(['-5', '7', '40000']);
    expect(JSON.parse(out.text()).encoding).toBe('intset');
  });

  it('encodings after load follow the default limits', () => {
    expect(loadEncoding('12345').encoding).toBe('int');
    expect(loadEncoding('2147483648').encoding).toBe('raw');
    expect(loadEncoding('007').encoding).toBe('raw');
    expect(loadEncoding(SetValue.from(['1', 'x'])!).encoding).toBe('hashtable');
    expect(loadEncoding(HashValue.from(['f'], ['x'.repeat(64)])!).encoding).toBe('listpack');
    expect(loadEncoding(HashValue.from(['f'], ['x'.repeat(65)])!).encoding).toBe('hashtable');
  });

  for (const format of ['ndjson', 'json'] as const) {
    it(`--drop-expired (${format}) leaves out expired keys and fields, and a hash whose fields all expired`, async () => {
      const ds = new Dataset();
      const d = ds.db(0);
      d.set('alive', 'a');
      d.set('gone', 'b');
      d.setExpire('gone', 1000);
      d.set('later', 'c');
      d.setExpire('later', 5000);
      const h = HashValue.from(['f1', 'f2'], ['v1', 'v2'])!;
      h.setFieldExpire('f1', 1000);
      d.set('h:some', h);
      const all = HashValue.from(['f1', 'f2'], ['v1', 'v2'])!;
      all.setFieldExpire('f1', 1000);
      all.setFieldExpire('f2', 1500);
      d.set('h:all', all);
      const out = memorySink();
      const res = await exportDataset(ds, out.sink, { format, dropExpiredAt: 2000 });
      const records = (format === 'json' ? (JSON.parse(out.text()) as Record<string, unknown>[]) : out.text().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
      expect(records.map((r) => r.key)).toEqual(['alive', 'h:some', 'later']);
      expect(records[1].value).toEqual([['f2', 'v2']]);
      expect(records[1].fieldExpireAtMs).toBeUndefined();
      expect(res.expired).toEqual({ keys: 2, fields: 1 });
      expect(res.keys).toBe(3);
    });
  }
});
