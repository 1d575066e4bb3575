/**
 * Round trips through the RDB writer. Every RDB fixture (and every good corpus file) is loaded
 * into a dataset and written as every version the writer knows (6 … 12 and Valkey's 80):
 *
 * - rdbtool's decoder reads every output back, whole, byte by byte (small files) and in random
 *   pieces, with the same events, and the dataset it loads holds the source's keys: equal
 *   digests, except for what a version cannot hold (left out and reported: streams before 9,
 *   libraries before 10, field TTLs before 12, …) or does not record (a type-15 stream's
 *   derived metadata, consumer active times before 11);
 * - Redis 7.0 starts on the RDB 10 file and on the older ones (it reads every version up to
 *   its own) and holds what the fixture's server held, read back over the protocol key by key
 *   and compared with the fixture's truth (values, expiries, LFU counters and idle times where
 *   the version stores them, function libraries).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import type { Dataset } from '../../src/dataset/dataset.js';
import { datasetDigest, keyDigest } from '../../src/dataset/digest.js';
import type { StreamValue } from '../../src/dataset/stream.js';
import { streamIdText } from '../../src/dataset/stream-id.js';
import type { Value } from '../../src/dataset/value.js';
import { bytesSource } from '../../src/io/source.js';
import { memorySink } from '../../src/io/byte-sink.js';
import { writeDatasetRdb, type DatasetLike, type WriteDatasetResult } from '../../src/rdb/write-dataset.js';
import { RDB_WRITE_VERSIONS } from '../../src/rdb/target.js';
import { scanKeyMeta, readTruth, fromJsonBytes, type TruthRecord } from '../../scripts/lib/export-json.js';
import { asArray, asBuffer, asText, requireRedisServer, startRedis } from '../helpers/redis.js';
import { fixtureRdbs, goodCorpusRdbs, RUN_CORPUS, describeCorpus } from '../helpers/files.js';
import { canonicalRecord, truthOf } from '../helpers/truth.js';
import { expectSameEventsUnderEveryChunking as expectSameEvents } from '../helpers/collect.js';

// A Dataset is what writeDatasetRdb reads (checked by the compiler here).
const asWritable = (ds: Dataset): DatasetLike => ds;

async function write(ds: Dataset, rdbVersion: number): Promise<{ bytes: Uint8Array; result: WriteDatasetResult }> {
  const sink = memorySink();
  const result = await writeDatasetRdb(asWritable(ds), sink, { rdbVersion, unsupported: 'skip', keyOrder: 'sorted', nowMs: 1_700_000_000_000 });
  return { bytes: sink.bytes(), result };
}

const expectSameEventsUnderEveryChunking = (bytes: Uint8Array): void => expectSameEvents(bytes, [11, 5]);

const skippedKey = (r: WriteDatasetResult) => new Set(r.skipped.filter((s) => s.key !== null).map((s) => `${s.db}:${s.key}`));

/** What a stream holds that every stream type records (entries, IDs, groups, PELs, consumers and their seen times). */
function streamCore(s: StreamValue): unknown {
  return {
    length: s.length,
    lastId: streamIdText(s.lastId),
    entries: [...s.entries()].map(([id, f]) => [streamIdText(id), f]),
    groups: [...s.groups.values()]
      .map((g) => ({
        name: g.name,
        last: streamIdText(g.lastDeliveredId),
        pending: g.pendingInOrder().map(([id, p]) => [streamIdText(id), p.consumer, p.deliveryTimeMs, p.deliveryCount]),
        consumers: [...g.consumers.values()].map((c) => [c.name, c.seenTimeMs]).sort(),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}

/**
 * Every key of `src` that was written is in `back`, equal: by digest, or for a stream in a
 * version that does not record all of it, by what it does record.
 */
function expectSameKeys(src: Dataset, back: Dataset, version: number, result: WriteDatasetResult): void {
  const skipped = skippedKey(result);
  let compared = 0;
  for (const e of src.entries()) {
    const id = `${e.db}:${e.key}`;
    const got = back.peekDb(e.db)?.get(e.key);
    if (skipped.has(id)) {
      expect(got, id).toBeUndefined();
      continue;
    }
    expect(got, id).toBeDefined();
    const value = got as Value;
    expect(back.peekDb(e.db)!.expireAt(e.key), id).toBe(e.expireAtMs);
    if (typeof value !== 'string' && value.type === 'stream' && version < 11) {
      expect(streamCore(value), id).toEqual(streamCore(e.value as StreamValue));
    } else {
      expect(keyDigest(value, e.expireAtMs), id).toBe(keyDigest(e.value, e.expireAtMs));
    }
    if (version >= 9) {
      expect(back.peekDb(e.db)!.lfuFreq(e.key), id).toBe(e.lfuFreq);
      expect(back.peekDb(e.db)!.lruIdleSec(e.key), id).toBe(e.lruIdleSec);
    }
    compared++;
  }
  expect(back.keyCount).toBe(compared);
  expect(result.keys).toBe(compared);
  if (version >= 10) expect([...back.functions.entries()]).toEqual([...src.functions.entries()]);
  else expect(back.functions.size).toBe(0);
}

describe.each(fixtureRdbs().map((f) => [path.basename(f, '.rdb'), f] as const))('fixture %s', (name, file) => {
  let source: Dataset;
  const outputs = new Map<number, { bytes: Uint8Array; result: WriteDatasetResult }>();

  beforeAll(async () => {
    source = (await loadRdb(bytesSource(new Uint8Array(readFileSync(file)), name))).dataset;
    for (const v of RDB_WRITE_VERSIONS) outputs.set(v, await write(source, v));
  });

  it.each([...RDB_WRITE_VERSIONS])('RDB %i: rdbtool reads it back under every chunking, holding the source’s keys', async (v) => {
    const { bytes, result } = outputs.get(v)!;
    expectSameEventsUnderEveryChunking(bytes);
    const back = await loadRdb(bytesSource(bytes, `out-${v}.rdb`));
    expect(back.scan.header?.version).toBe(v);
    expect(back.stats.checksum).toBe('ok');
    expectSameKeys(source, back.dataset, v, result);
    if (v >= 10) expect(datasetDigest(back.dataset)).toBe(datasetDigest(source)); // the fixtures come from 7.0: RDB 10 holds all of them
    // What was left out is what the version cannot hold, and nothing else.
    for (const s of result.skipped) {
      expect(s.reason).toMatch(v < 9 ? /streams|function libraries|module AUX/ : /function libraries|module AUX/);
    }
    if (v >= 10) expect(result.skipped).toEqual([]);
  });
});

describe('Redis 7.0 starts on what the writer wrote', () => {
  let dir: string;
  beforeAll(() => {
    requireRedisServer();
    dir = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-writer-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases = fixtureRdbs().flatMap((f) => [6, 7, 8, 9, 10].map((v) => [path.basename(f, '.rdb'), v, f] as const));

  it.each(cases)('%s as RDB %i', async (name, version, file) => {
    const meta = JSON.parse(readFileSync(file.replace(/\.rdb$/, '.meta.json'), 'utf8')) as { startupConfig: Record<string, string | number>; functions: { name: string; code: string }[] };
    const source = (await loadRdb(bytesSource(new Uint8Array(readFileSync(file)), name))).dataset;
    const { bytes, result } = await write(source, version);
    const out = path.join(dir, `${name}-${version}.rdb`);
    writeFileSync(out, bytes);
    const redis = await startRedis({ rdbFile: out, config: meta.startupConfig });
    try {
      const hints = version >= 9;
      const metas = await scanKeyMeta(redis.client, { lfu: hints && name === 'lfu', lru: hints && name === 'lru' });
      const got = await readTruth(redis.client, metas);
      const skipped = skippedKey(result);
      const truth = truthOf(file).filter((r) => !skipped.has(`${r.db}:${fromJsonBytes(r.key as TruthRecord['key']).toString('latin1')}`));
      expect(got.map((r) => comparable(r, version))).toEqual(truth.map((r) => comparable(r, version)));
      const libs = asArray(await redis.client.call('FUNCTION', 'LIST', 'WITHCODE')).map((l) => {
        const m = asArray(l);
        return asBuffer(m[m.findIndex((x) => (typeof x === 'string' || Buffer.isBuffer(x)) && asText(x) === 'library_code') + 1]).toString('utf8');
      });
      expect(libs.sort()).toEqual(version >= 10 ? meta.functions.map((f) => f.code).sort() : []);
    } finally {
      await redis.stop();
    }
  });
});

/** A truth record in a form both sides share: no encoding, idle times to the nearest 5 s, and for a type-15 stream only what it records. */
function comparable(r: object, version: number): unknown {
  const c = canonicalRecord(r, { dropEncoding: true }) as Record<string, unknown>;
  if (typeof c.lruIdleSec === 'number') c.lruIdleSec = Math.round(c.lruIdleSec / 5);
  if (version < 9) {
    delete c.lruIdleSec;
    delete c.lfuFreq;
  }
  if (c.type === 'stream' && version < 10) {
    const { entries, length, lastGeneratedId, groups } = c.value as Record<string, unknown>;
    c.value = {
      entries,
      length,
      lastGeneratedId,
      groups: (groups as Record<string, unknown>[]).map(({ name, lastDeliveredId, pending, consumers }) => ({ name, lastDeliveredId, pending, consumers })),
    };
  }
  return c;
}

describeCorpus('corpus files written again and read back', () => {
  const files = RUN_CORPUS ? goodCorpusRdbs() : [];
  it.each(files.map((f) => [f.split('/').slice(-2).join('/'), f] as const))('%s', async (_name, file) => {
    const source = (await loadRdb(bytesSource(new Uint8Array(readFileSync(file)), file))).dataset;
    for (const v of [9, 10, 12, 80]) {
      const { bytes, result } = await write(source, v);
      const back = await loadRdb(bytesSource(bytes, `out-${v}.rdb`));
      expect(back.stats.checksum).toBe('ok');
      expectSameKeys(source, back.dataset, v, result);
    }
  });
});
