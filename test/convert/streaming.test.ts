/**
 * Large values of an RDB input streamed into the writers (rdb-keys.ts `streamAbove`): a long
 * string delivered in parts, and lists, sets, sorted sets and hashes past the element limit,
 * go to the writer piece by piece. With the limits lowered so that small files take that path,
 * every output form reads back as the source, and Redis 7.0 loads the RDB and AOF forms into
 * the same data; the key stream itself is checked under several input chunkings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetOf, serverOnAof, serverOnRdb } from '../helpers/server-datasets.js';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { convert, ConvertRefusedError, type ConvertTo } from '../../src/convert/convert.js';
import { streamRdbKeys, type KeySink } from '../../src/convert/rdb-keys.js';
import type { KeyRecord, StreamedKey, StreamedValue } from '../../src/convert/key-record.js';
import { loadNdjson } from '../../src/convert/ndjson-input.js';
import { Dataset } from '../../src/dataset/dataset.js';
import { ListValue } from '../../src/dataset/list.js';
import { SetValue } from '../../src/dataset/set.js';
import { ZSetValue } from '../../src/dataset/zset.js';
import { HashValue } from '../../src/dataset/hash.js';
import { toByteString } from '../../src/dataset/byte-string.js';
import type { Value } from '../../src/dataset/value.js';
import { writeDatasetRdb } from '../../src/rdb/write-dataset.js';
import { bytesSource, type ByteSource } from '../../src/io/source.js';
import { memorySink } from '../../src/io/byte-sink.js';
import { replayPath, replaySource } from '../../src/replay/replay-input.js';
import { byteByByte, noisy, randomSplits, whole, type Splitter } from '../helpers/collect.js';
import { datasetDiff } from '../helpers/replay-oracle.js';
import { requireRedisServer } from '../helpers/redis.js';
import { FIXTURES } from '../helpers/files.js';
import { rng } from '../helpers/bytes.js';

/** Limits low enough that the test files' large values are streamed. */
const STREAM = { elements: 600, bytes: 64 * 1024 };
/** Strings over this come from the decoder in parts. */
const LIMITS = { maxInlineValueBytes: 128 * 1024 };

let work: string;
beforeAll(() => {
  requireRedisServer();
  work = mkdtempSync(path.join(tmpdir(), 'rdbtool-stream-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const out = (name: string) => path.join(work, `${n++}-${name}`);

/** A dataset with large values of every streamed type, some with expiries, and small keys around them. */
function bigDataset(): Dataset {
  const rand = rng(11);
  const ds = new Dataset();
  const db0 = ds.db(0);
  const word = (i: number) => `e${i}:${Math.floor(rand() * 1e9)}`;
  let s = '';
  for (let i = 0; s.length < 3_000_000; i++) s += `chunk ${i} ${Math.floor(rand() * 1e6)} `; // compressible, longer than a read chunk
  db0.set('big:string', s);
  db0.set('small:string', 'hello');
  db0.set('empty', '');
  db0.set('int', '-12345');
  const list = ListValue.from([], 0)!;
  for (let i = 0; i < 5000; i++) list.pushBack(i % 97 === 0 ? 'x'.repeat(9000) : word(i)); // some PLAIN-sized nodes
  db0.set('big:list', list);
  db0.setExpire('big:list', 4_102_444_800_000);
  const set = SetValue.from([], 0)!;
  for (let i = 0; i < 3000; i++) set.add(i % 2 === 0 ? String(i) : word(i));
  db0.set('big:set', set);
  const zset = ZSetValue.from([], [], 0)!;
  for (let i = 0; i < 3000; i++) zset.addUnsorted(word(i), i % 7 === 0 ? -i / 3 : i * 1.5);
  db0.set('big:zset', zset);
  const hash = HashValue.from([], [], 0)!;
  for (let i = 0; i < 3000; i++) hash.setNew(`f${i}`, word(i));
  ds.db(2).set('big:hash', hash);
  ds.db(2).set('small:hash', HashValue.from(['a', 'b'], ['1', '2'], 0)!);
  db0.set('small:list', ListValue.from(['a', 'b', 'c'], 0)!);
  return ds;
}

/** The dataset as an RDB file; uncompressed, its long string is read in parts. */
async function rdbFile(ds: Dataset, rdbVersion: number, name: string, compression = false): Promise<string> {
  const sink = memorySink('x.rdb');
  await writeDatasetRdb(ds, sink, { rdbVersion, nowMs: 0, compression });
  const file = out(name);
  writeFileSync(file, sink.bytes());
  return file;
}


/** A sink that rebuilds every key, whole or streamed, and notes which were streamed. */
function collector(): { sink: KeySink; ds: Dataset; streamed: string[] } {
  const ds = new Dataset();
  const streamed: string[] = [];
  const bs = (b: Uint8Array | string) => (typeof b === 'string' ? b : toByteString(b));
  const sink: KeySink = {
    header() {},
    key(rec: KeyRecord) {
      ds.db(rec.db).add(rec.key, rec.value, rec.expireAtMs);
    },
    streamKey(head: StreamedKey): StreamedValue {
      streamed.push(`${head.type} ${head.key}`);
      let str = '';
      const items: string[] = [];
      const vals: string[] = [];
      const nums: number[] = [];
      return {
        part: (b) => void (str += bs(b)),
        item: (v) => void items.push(bs(v)),
        field: (f, v) => void (items.push(bs(f)), vals.push(bs(v))),
        member: (m, sc) => void (items.push(bs(m)), nums.push(sc)),
        end: () => {
          let v: Value;
          if (head.type === 'string') {
            expect(str.length).toBe(head.bytes);
            v = str;
          } else {
            if (head.count !== null) expect(items.length).toBe(head.count);
            v =
              head.type === 'list'
                ? ListValue.from(items, 0)!
                : head.type === 'set'
                  ? SetValue.from(items, 0)!
                  : head.type === 'zset'
                    ? ZSetValue.from(items, nums, 0)!
                    : HashValue.from(items, vals, 0)!;
          }
          ds.db(head.db).add(head.key, v, head.expireAtMs);
        },
      };
    },
  };
  return { sink, ds, streamed };
}

const splitSource = (bytes: Uint8Array, split: Splitter): ByteSource => ({
  name: 'in.rdb',
  size: bytes.length,
  path: undefined,
  async *chunks() {
    for (const piece of split(bytes)) yield piece;
  },
});

describe('streamRdbKeys hands large values to the sink’s stream', () => {
  const splits: [string, Splitter][] = [
    ['whole', whole],
    ['random pieces (seed 7)', noisy(randomSplits(7, 3000))],
    ['random pieces (seed 31)', randomSplits(31, 70_000)],
  ];
  for (const [version, compression] of [[6, false], [10, false], [10, true], [11, false]] as const) {
    it(`RDB ${version}${compression ? ', LZF' : ''}: every chunking rebuilds the source, the large values streamed`, async () => {
      const file = await rdbFile(bigDataset(), version, `v${version}.rdb`, compression);
      const bytes = new Uint8Array(readFileSync(file));
      const source = await datasetOf(file);
      for (const [label, split] of splits) {
        const c = collector();
        const r = await streamRdbKeys(splitSource(bytes, split), c.sink, { streamAbove: STREAM, limits: LIMITS });
        expect(r.keys, label).toBe(10);
        expect(datasetDiff(source, c.ds), label).toEqual([]);
        // Every string goes to the stream (a short one as one part).
        expect(c.streamed.sort(), label).toEqual(['hash big:hash', 'list big:list', 'set big:set', 'string big:string', 'string empty', 'string int', 'string small:string', 'zset big:zset']);
      }
    });
  }

  it('big-collections fixture: streamed with the limits lowered, rebuilt as loaded', async () => {
    const file = path.join(FIXTURES, 'rdb', 'big-collections.rdb');
    const c = collector();
    await streamRdbKeys(bytesSource(new Uint8Array(readFileSync(file)), 'big-collections.rdb'), c.sink, { streamAbove: { elements: 100, bytes: 4096 } });
    expect(c.streamed.length).toBeGreaterThan(0);
    expect(datasetDiff(await datasetOf(file), c.ds)).toEqual([]);
  });

  it('a string key comes with its bytes (as a range and as a view), and with the same text when asked for it, over every chunking', async () => {
    const ds = new Dataset();
    ds.db(0).add('plain', 'v1', null);
    ds.db(0).add('x'.repeat(70_000), 'long key', 1_900_000_000_000);
    ds.db(3).add(String.fromCharCode(0, 255, 128) + 'bin', 'b'.repeat(5000), null);
    const file = await rdbFile(ds, 10, 'keys.rdb');
    const bytes = new Uint8Array(readFileSync(file));
    for (const split of [whole, noisy(randomSplits(9, 5000)), byteByByte]) {
      const seen: { db: number; key: string; fromBytes: string; value: string; at: number | null }[] = [];
      const sink: KeySink = {
        header: () => {},
        key: () => {
          throw new Error('every string key goes to stringKey');
        },
        streamKey: () => {
          throw new Error('every string here is read whole');
        },
        stringKey: (head: StreamedKey, buf: Uint8Array, start: number, end: number) => {
          expect(head.keyBytes).toBeInstanceOf(Uint8Array);
          // Where the key was read, the same bytes as its view.
          expect(toByteString(head.keyBuf!.subarray(head.keyFrom, head.keyTo))).toBe(toByteString(head.keyBytes!));
          seen.push({ db: head.db, fromBytes: toByteString(head.keyBytes!), key: head.key, value: toByteString(buf.subarray(start, end)), at: head.expireAtMs });
          return true;
        },
      };
      await streamRdbKeys(splitSource(bytes, split), sink, { limits: LIMITS });
      expect(seen.map((x) => x.fromBytes)).toEqual(seen.map((x) => x.key));
      const got = new Map(seen.map((x) => [`${x.db}/${x.key}`, [x.value, x.at]]));
      expect(got).toEqual(
        new Map<string, unknown[]>([
          ['0/plain', ['v1', null]],
          [`0/${'x'.repeat(70_000)}`, ['long key', 1_900_000_000_000]],
          [`3/${String.fromCharCode(0, 255, 128)}bin`, ['b'.repeat(5000), null]],
        ]),
      );
    }
    // As RESP (and with DEL first): the keys from their bytes, a long one copied whole.
    for (const replace of [false, true]) {
      const out = memorySink('-');
      await convert(file, out, { to: 'resp', replace });
      const text = Buffer.from(out.bytes()).toString('latin1');
      const long = 'x'.repeat(70_000);
      const bulk = (x: string) => `$${x.length}\r\n${x}\r\n`;
      expect(text).toContain(`*3\r\n${bulk('SET')}${bulk(long)}${bulk('long key')}*3\r\n${bulk('PEXPIREAT')}${bulk(long)}${bulk('1900000000000')}`);
      expect(text).toContain(`${bulk('SET')}${bulk(String.fromCharCode(0, 255, 128) + 'bin')}`);
      expect(text.includes(`*2\r\n${bulk('DEL')}${bulk(long)}*3\r\n${bulk('SET')}`)).toBe(replace);
    }
  });

  it('without a streamKey the sink gets every key whole', async () => {
    const file = await rdbFile(bigDataset(), 10, 'whole.rdb');
    const c = collector();
    const sink: KeySink = { header: c.sink.header, key: c.sink.key };
    await streamRdbKeys(bytesSource(new Uint8Array(readFileSync(file)), 'x.rdb'), sink, { streamAbove: STREAM, limits: LIMITS });
    expect(datasetDiff(await datasetOf(file), c.ds)).toEqual([]);
  });
});



describe('convert streams large values into every output form', () => {
  let input: string;
  let source: Dataset;
  beforeAll(async () => {
    input = await rdbFile(bigDataset(), 10, 'big.rdb');
    source = await datasetOf(input);
  });

  const forms: ConvertTo[] = ['rdb', 'hybrid', 'aof-dir', 'aof', 'resp', 'ndjson'];
  it.each(forms)('--to %s reads back as the source', async (to) => {
    const dest = out(`big.${to}`);
    const r = await convert(input, dest, { to, target: 'redis@7.0', streamAbove: STREAM, limits: LIMITS, nowMs: 0 });
    expect(r.keys).toBe(10);
    let back: Dataset;
    if (to === 'rdb') back = await datasetOf(dest);
    else if (to === 'ndjson') back = await loadNdjson(bytesSource(new Uint8Array(readFileSync(dest)), 'x.ndjson'));
    else if (to === 'aof' || to === 'resp') {
      const bytes = new Uint8Array(readFileSync(dest));
      for (const split of [whole, randomSplits(5, 40_000)]) {
        const rr = await replaySource(splitSource(bytes, split));
        expect(rr.error).toBeNull();
        expect(datasetDiff(source, rr.dataset)).toEqual([]);
      }
      back = (await replaySource(bytesSource(bytes, 'x.aof'))).dataset;
    } else {
      const rr = await replayPath(to === 'hybrid' ? dest : dest, { limits: LIMITS });
      expect(rr.error).toBeNull();
      back = rr.dataset;
    }
    expect(datasetDiff(source, back)).toEqual([]);
  });

  it('a string read in parts is written raw (not LZF-compressed), one read whole as a server writes it', async () => {
    const streamed = out('s.rdb');
    const built = out('b.rdb');
    await convert(input, streamed, { to: 'rdb', target: 'redis@7.0', streamAbove: STREAM, limits: LIMITS, nowMs: 0 });
    await convert(input, built, { to: 'rdb', target: 'redis@7.0', nowMs: 0 });
    const sink = memorySink('x.rdb');
    await writeDatasetRdb(source, sink, { rdbVersion: 10, nowMs: 0 });
    // Read whole, the large string is compressed as the dataset writer compresses it.
    expect(statSync(built).size).toBeLessThan(sink.bytes().length + 200);
    expect(statSync(streamed).size).toBeGreaterThan(statSync(built).size + 1_000_000);
    expect(datasetDiff(await datasetOf(built), await datasetOf(streamed))).toEqual([]);
  });

  it('Redis 7.0 loads the streamed RDB into the source’s data', async () => {
    const dest = out('redis.rdb');
    await convert(input, dest, { to: 'rdb', target: 'redis@7.0', streamAbove: STREAM, limits: LIMITS, nowMs: 0 });
    expect(datasetDiff(source, await serverOnRdb(dest))).toEqual([]);
  });

  it('Redis 7.0 loads the streamed AOF and multi-part directory into the source’s data', async () => {
    const aof = out('redis.aof');
    await convert(input, aof, { to: 'aof', target: 'redis@7.0', streamAbove: STREAM, limits: LIMITS, nowMs: 0 });
    expect(datasetDiff(source, await serverOnAof(aof))).toEqual([]);
    const dir = out('redis-dir');
    await convert(input, dir, { to: 'aof-dir', target: 'redis@7.0', streamAbove: STREAM, limits: LIMITS, nowMs: 0 });
    expect(datasetDiff(source, await serverOnAof(dir))).toEqual([]);
  });

  it('filters and --map-db apply to streamed keys', async () => {
    const dest = out('mapped.rdb');
    const r = await convert(input, dest, { to: 'rdb', target: 'redis@7.0', streamAbove: STREAM, limits: LIMITS, filter: { match: 'big:*' }, mapDb: new Map([[2, 5]]) });
    expect(r.keys).toBe(5);
    expect(r.filtered).toBe(5);
    const back = await datasetOf(dest);
    expect([...back.peekDb(0)!.keys()].sort()).toEqual(['big:list', 'big:set', 'big:string', 'big:zset']);
    expect(back.peekDb(2)).toBeUndefined();
    expect(datasetDiff(source, back).length).toBeGreaterThan(0);
    expect((back.peekDb(5)!.get('big:hash') as HashValue).size).toBe(3000);
  });

  it('a key the target cannot hold refuses the conversion with streamed keys around it: nothing is written', async () => {
    const ds = bigDataset();
    const h = HashValue.from(['a', 'b'], ['1', '2'], 0)!;
    h.setFieldExpire('a', 4_102_444_800_000);
    ds.db(0).set('ttl:hash', h);
    const file = await rdbFile(ds, 12, 'ttl.rdb');
    for (const to of ['rdb', 'aof'] as const) {
      const dest = out(`refused.${to}`);
      await expect(convert(file, dest, { to, target: 'redis@7.0', streamAbove: STREAM, limits: LIMITS })).rejects.toBeInstanceOf(ConvertRefusedError);
      expect(existsSync(dest)).toBe(false);
    }
    // Allowed to drop the TTLs, the streamed keys and the hash all arrive.
    const dest = out('dropped.rdb');
    const r = await convert(file, dest, { to: 'rdb', target: 'redis@7.0', streamAbove: STREAM, limits: LIMITS, drop: ['field-ttl'] });
    expect(r.keys).toBe(11);
    h.setFieldExpire('a', null);
    expect(datasetDiff(ds, await datasetOf(dest))).toEqual([]);
  });

  it('--replace writes a DEL before a streamed key; --restore takes the values whole', async () => {
    for (const opts of [{ replace: true }, { restore: true }]) {
      const sink = memorySink('-');
      await convert(input, sink, { to: 'resp', target: 'redis@7.0', streamAbove: STREAM, limits: LIMITS, ...opts });
      const text = Buffer.from(sink.bytes()).toString('latin1');
      if (opts.replace) expect(text).toContain('$3\r\nDEL\r\n$8\r\nbig:list\r\n*66\r\n$5\r\nRPUSH');
      const r = await replaySource(bytesSource(sink.bytes(), 'x.aof'));
      expect(r.error).toBeNull();
      expect(datasetDiff(source, r.dataset)).toEqual([]);
    }
  });
});
