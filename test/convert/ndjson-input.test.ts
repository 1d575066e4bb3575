/**
 * The export schema read back (convert/ndjson-input.ts): every RDB fixture and corpus file,
 * exported with the project's exporter as NDJSON and as a JSON array, reads back — whole,
 * byte by byte and in seeded random pieces at noisy offsets — into the dataset `loadRdb`
 * builds from the file (compared by re-exporting both datasets, which covers values, expiry,
 * field TTLs, LRU/LFU hints and how a stream's metadata was recorded); the live server's own
 * truth files (RDB fixtures: NDJSON; AOF fixtures: the dataset of their truth JSON) read back
 * into what the server held. A record edited as `jq` would edit it reads back as edited. Each
 * kind of bad input gives its error code at its line and the byte offset of that line, under
 * every chunking; a fuzz loop of damaged lines and damaged records only ever raises typed
 * errors, and whatever it accepts can be exported again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RdbtoolError } from '../../src/errors.js';
import { Dataset } from '../../src/dataset/dataset.js';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import { keyDigest, type DigestOptions } from '../../src/dataset/digest.js';
import type { HashValue } from '../../src/dataset/hash.js';
import type { ListValue } from '../../src/dataset/list.js';
import type { ZSetValue } from '../../src/dataset/zset.js';
import type { StreamValue } from '../../src/dataset/stream.js';
import { fromByteString } from '../../src/dataset/byte-string.js';
import { bytesSource, type ByteSource } from '../../src/io/source.js';
import type { ByteSink } from '../../src/io/byte-sink.js';
import { exportRdb } from '../../src/export/export-ndjson.js';
import { exportDataset } from '../../src/export/export-dataset.js';
import { replayPath } from '../../src/replay/replay-input.js';
import { loadNdjson, NdjsonReader, readNdjson, type NdjsonReaderOptions, type NdjsonSummary } from '../../src/convert/ndjson-input.js';
import type { KeyRecord } from '../../src/convert/key-record.js';
import { memorySink as rdbSink } from '../../src/io/byte-sink.js';
import { writeDatasetRdb } from '../../src/rdb/write-dataset.js';
import { readTruth, scanKeyMeta } from '../../scripts/lib/export-json.js';
import { byteByByte, noisy, randomSplits, whole, type Splitter } from '../helpers/collect.js';
import { describeCorpus, FIXTURES, goodCorpusRdbs } from '../helpers/files.js';
import { requireRedisServer, startRedis } from '../helpers/redis.js';
import { canonicalRecord, recordKey } from '../helpers/truth.js';

// ------------------------------------------------------------------ helpers

function memorySink(): { sink: ByteSink; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const sink = {
    name: 'memory',
    write(c: Uint8Array, done?: () => void) {
      chunks.push(Buffer.from(c));
      done?.();
    },
    drain: async () => {},
  } as unknown as ByteSink;
  return { sink, bytes: () => Buffer.concat(chunks) };
}

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

/** The project's export of an RDB file. */
async function exportOf(bytes: Uint8Array, name: string, format: 'ndjson' | 'json' = 'ndjson'): Promise<Uint8Array> {
  const out = memorySink();
  await exportRdb(bytesSource(bytes, name), out.sink, { format });
  return new Uint8Array(out.bytes());
}

/** A dataset's keys as the exporter writes them (one line each): what two datasets are compared by. */
async function linesOf(ds: Dataset): Promise<string[]> {
  const out = memorySink();
  await exportDataset(ds, out.sink);
  return out.bytes().toString('utf8').split('\n').filter(Boolean);
}

/** Reads `bytes` pushed as `split` cuts them into a dataset (the reader alone, synchronously). */
function readSplit(bytes: Uint8Array, split: Splitter = whole, opts: NdjsonReaderOptions = {}): { ds: Dataset; summary: NdjsonSummary; records: KeyRecord[] } {
  const ds = new Dataset();
  const records: KeyRecord[] = [];
  const reader = new NdjsonReader(
    (rec) => {
      records.push(rec);
      const db = ds.db(rec.db);
      expect(db.add(rec.key, rec.value, rec.expireAtMs)).toBe(true);
      if (rec.lruIdleSec !== undefined || rec.lfuFreq !== undefined) db.setHints(rec.key, rec.lruIdleSec, rec.lfuFreq);
    },
    { file: 'in.ndjson', ...opts },
  );
  for (const piece of split(bytes)) reader.push(piece);
  return { ds, summary: reader.end(), records };
}

/** The error reading `input` raises (fails the test when it reads without one). */
function failure(input: string | Uint8Array, split: Splitter = whole, opts: NdjsonReaderOptions = {}): RdbtoolError & { line?: number } {
  const bytes = typeof input === 'string' ? enc(input) : input;
  try {
    readSplit(bytes, split, opts);
  } catch (e) {
    if (!(e instanceof RdbtoolError)) throw e;
    return e as RdbtoolError & { line?: number };
  }
  throw new Error(`read without an error: ${Buffer.from(bytes).toString('utf8').slice(0, 300)}`);
}

/** Keys that differ between two datasets (by value and expiry), or are in one only. */
function keyDiff(a: Dataset, b: Dataset, opts: DigestOptions = {}): string[] {
  const out: string[] = [];
  const index = (ds: Dataset) => {
    const m = new Map<string, string>();
    for (const e of ds.entries({ sorted: false })) m.set(`${e.db}:${JSON.stringify(e.key)}`, keyDigest(e.value, e.expireAtMs, opts));
    return m;
  };
  const ia = index(a);
  const ib = index(b);
  for (const [k, d] of ia) if (ib.get(k) !== d) out.push(`${k}: ${ib.has(k) ? 'differs' : 'only in the first'}`);
  for (const k of ib.keys()) if (!ia.has(k)) out.push(`${k}: only in the second`);
  return out;
}

/** A source cut as `split` cuts. */
function splitSource(bytes: Uint8Array, split: Splitter, name: string): ByteSource {
  return {
    name,
    size: bytes.length,
    path: undefined,
    async *chunks() {
      for (const piece of split(bytes)) yield piece;
    },
  };
}

const RDB_DIR = path.join(FIXTURES, 'rdb');
const AOF_DIR = path.join(FIXTURES, 'aof');
const fixtureRdbs = readdirSync(RDB_DIR)
  .filter((f) => f.endsWith('.rdb'))
  .sort();
const readFixture = (name: string) => new Uint8Array(readFileSync(path.join(RDB_DIR, name)));

/** Splits for round trips: byte by byte only on small inputs. */
function splitsFor(n: number): [string, Splitter][] {
  const out: [string, Splitter][] = [
    ['whole', whole],
    ['random pieces at noisy offsets', noisy(randomSplits(0x5eed + n, 97))],
    ['random large pieces', randomSplits(7 + n, 9000)],
  ];
  if (n <= 64 * 1024) out.push(['byte by byte', byteByByte]);
  return out;
}

// ------------------------------------------------------------------ round trips

describe('NDJSON input: the project\'s exports read back', () => {
  for (const name of fixtureRdbs) {
    for (const format of ['ndjson', 'json'] as const) {
      it(`${name} as ${format}: every chunking gives loadRdb's dataset`, async () => {
        const bytes = readFixture(name);
        const want = (await loadRdb(bytesSource(bytes, name))).dataset;
        const wantLines = await linesOf(want);
        const exported = await exportOf(bytes, name, format);
        for (const [how, split] of splitsFor(exported.length)) {
          const { ds, summary } = readSplit(exported, split);
          expect(summary.format, how).toBe(want.keyCount === 0 && format === 'ndjson' ? 'empty' : format);
          expect(summary.keys, how).toBe(want.keyCount);
          expect(summary.bytesRead, how).toBe(exported.length);
          expect(await linesOf(ds), how).toEqual(wantLines);
          expect(keyDiff(ds, want), how).toEqual([]);
        }
      });
    }

    it(`${name}: the live server's truth file reads back into the file's dataset`, async () => {
      const want = (await loadRdb(bytesSource(readFixture(name), name))).dataset;
      const truth = new Uint8Array(readFileSync(path.join(RDB_DIR, name.replace(/\.rdb$/, '.truth.ndjson'))));
      const got = await loadNdjson(splitSource(truth, randomSplits(11, 300), 'truth.ndjson'));
      expect(got.keyCount).toBe(want.keyCount);
      expect(keyDiff(got, want)).toEqual([]);
    });
  }

  it('readNdjson over a source: keys in file order with their place, drain awaited between chunks, progress reported', async () => {
    const exported = await exportOf(readFixture('all-types.rdb'), 'all-types.rdb');
    const lines = Buffer.from(exported).toString('utf8').split('\n').filter(Boolean);
    const seen: { line: number; offset: number; key: string }[] = [];
    let drains = 0;
    let progress = 0;
    const summary = await readNdjson(splitSource(exported, randomSplits(3, 4096), 'all.ndjson'), (rec, at) => seen.push({ line: at.line, offset: at.offset, key: rec.key }), {
      drain: async () => {
        drains++;
      },
      onProgress: (p) => {
        progress = p.bytesRead;
        expect(p.totalBytes).toBe(exported.length);
      },
    });
    expect(summary.keys).toBe(lines.length);
    expect(summary.lines).toBe(lines.length);
    expect(drains).toBeGreaterThan(5);
    expect(progress).toBe(exported.length);
    let offset = 0;
    for (let i = 0; i < lines.length; i++) {
      const key = JSON.parse(lines[i]).key;
      expect(seen[i]).toEqual({ line: i + 1, offset, key: typeof key === 'string' ? Buffer.from(key, 'utf8').toString('latin1') : Buffer.from(key.b64, 'base64').toString('latin1') });
      offset += Buffer.byteLength(lines[i]) + 1;
    }
  });

  it('a pretty-printed JSON array (whitespace and newlines inside records) reads back the same', async () => {
    const bytes = readFixture('all-types.rdb');
    const arr = JSON.parse(Buffer.from(await exportOf(bytes, 'all-types.rdb', 'json')).toString('utf8')) as unknown[];
    const pretty = enc(JSON.stringify(arr, null, 2) + '\n\n');
    const want = await linesOf((await loadRdb(bytesSource(bytes, 'x'))).dataset);
    for (const split of [whole, randomSplits(5, 50)]) expect(await linesOf(readSplit(pretty, split).ds)).toEqual(want);
    // Errors in such a file name the line of the record's opening brace and its offset.
    const text = JSON.stringify([{ db: 0, key: 'a', type: 'string', expireAtMs: null, value: 'x' }, { db: 0, key: 'b', type: 'string', expireAtMs: null, value: 5 }], null, 2);
    const e = failure(text);
    expect(e.code).toBe('NDJSON_INVALID');
    expect(e.line).toBe(9);
    expect(e.offset).toBe(text.indexOf('{', text.indexOf('},') + 1));
  });

  it('JSON array records whose strings hold quotes, backslashes, brackets and newlines are cut where they end', () => {
    const tricky = ['a"}]\\', '\\', '"', '{[', 'x\\"]}\n{', '\\\\"'];
    const arr = tricky.map((k, i) => ({ db: i, key: k, type: 'list', expireAtMs: null, value: [k, `]${k}[`] }));
    const text = JSON.stringify(arr, null, 1);
    for (const split of [whole, byteByByte, randomSplits(2, 5)]) {
      const { records } = readSplit(enc(text), split);
      expect(records.map((r) => r.key)).toEqual(tricky);
      expect(records.map((r) => (r.value as ListValue).toArray())).toEqual(tricky.map((k) => [k, `]${k}[`]));
    }
  });

  it('an empty JSON array, an empty file and a file of blank lines hold no keys', () => {
    expect(readSplit(enc('[]')).summary).toMatchObject({ format: 'json', keys: 0 });
    expect(readSplit(enc(' [ \n ] \n')).summary).toMatchObject({ format: 'json', keys: 0 });
    expect(readSplit(new Uint8Array(0)).summary).toMatchObject({ format: 'empty', keys: 0, lines: 0 });
    expect(readSplit(enc('\n \n\t\n')).summary).toMatchObject({ format: 'empty', keys: 0, lines: 3, blankLines: 3 });
  });
});

describe('NDJSON input: AOF fixtures', () => {
  for (const name of ['plain', 'hybrid', 'resp-multipart', 'rdb-multipart']) {
    const input = name.includes('multipart') ? path.join(AOF_DIR, name, 'appendonlydir') : path.join(AOF_DIR, `${name}.aof`);

    it(`${name}: the replayed dataset, exported and read back, is the same dataset`, async () => {
      const replayed = (await replayPath(input)).dataset;
      const out = memorySink();
      await exportDataset(replayed, out.sink);
      const bytes = new Uint8Array(out.bytes());
      for (const [how, split] of splitsFor(bytes.length)) {
        const { ds } = readSplit(bytes, split);
        expect(await linesOf(ds), how).toEqual(await linesOf(replayed));
      }
    });

    it(`${name}: the dataset of the live server's truth file reads back into what the replay holds`, async () => {
      const truth = JSON.parse(readFileSync(path.join(AOF_DIR, `${name}.truth.json`), 'utf8')) as { dataset: unknown[] };
      const ndjson = enc(truth.dataset.map((r) => JSON.stringify(r)).join('\n') + '\n');
      const got = await loadNdjson(bytesSource(ndjson, `${name}.truth`));
      const replayed = (await replayPath(input)).dataset;
      expect(got.keyCount).toBe(truth.dataset.length);
      // Consumers' seen times are the server's clock; the replay has its own.
      expect(keyDiff(got, replayed, { consumerTimes: false })).toEqual([]);
    });
  }
});

describeCorpus('NDJSON input: corpus files', () => {
  it('every corpus RDB loadRdb reads, exported as NDJSON and as JSON, reads back into its dataset', async () => {
    const files = goodCorpusRdbs();
    expect(files.length).toBeGreaterThan(50);
    let checked = 0;
    for (const file of files) {
      const bytes = new Uint8Array(readFileSync(file));
      const want = (await loadRdb(bytesSource(bytes, file))).dataset;
      const wantLines = await linesOf(want);
      for (const format of ['ndjson', 'json'] as const) {
        const exported = await exportOf(bytes, file, format);
        const splits: [string, Splitter][] = [
          ['whole', whole],
          ['random pieces', noisy(randomSplits(exported.length, 61))],
        ];
        if (exported.length <= 8 * 1024) splits.push(['byte by byte', byteByByte]);
        for (const [how, split] of splits) {
          const { ds } = readSplit(exported, split);
          expect(await linesOf(ds), `${file} ${format} ${how}`).toEqual(wantLines);
        }
      }
      checked++;
    }
    expect(checked).toBe(files.length);
  }, 120_000);
});

// ------------------------------------------------------------------ edits

describe('NDJSON input: records edited as jq would', () => {
  it('changed values, a new key, a removed key and new field TTLs read back as edited; the rest as the file holds it', async () => {
    const bytes = readFixture('all-types.rdb');
    const original = (await loadRdb(bytesSource(bytes, 'all-types.rdb'))).dataset;
    const records = Buffer.from(await exportOf(bytes, 'all-types.rdb'))
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const find = (db: number, key: string) => records.find((r) => r.db === db && r.key === key)!;
    // jq '(select(.key == "str:short") | .value) = "edited ✓"'
    find(0, 'str:short').value = 'edited ✓';
    // A hash field given raw bytes and a TTL; another field dropped.
    const h = find(1, 'db1:hash');
    h.value = [['a', { b64: 'AP8=' }], ['c', '3']];
    h.fieldExpireAtMs = [['c', 4102444800999]];
    // A sorted-set score set to -inf, and a member with -0.
    const z = find(5, 'db5:zset');
    // (JSON.stringify writes -0 as 0; jq, like the exporter, writes -0.)
    z.value = [['y', '-inf'], ['x', 1.5], ['zero', 'NEGATIVE ZERO']];
    // A key moved to another database, an expiry added, an LFU counter.
    const list = find(0, 'list:single');
    list.db = 7;
    list.expireAtMs = 4102444800000;
    list.lfuFreq = 42;
    // A key removed, and a key added (binary name, list of raw bytes).
    records.splice(records.indexOf(find(0, 'str:tab')), 1);
    records.push({ db: 3, key: { b64: 'AP8=' }, type: 'list', expireAtMs: null, value: ['a', { b64: '/w==' }] });
    const text = records.map((r) => JSON.stringify(r).replace('"NEGATIVE ZERO"', '-0')).join('\n') + '\n';

    const { ds } = readSplit(enc(text), randomSplits(9, 200));
    expect(ds.keyCount).toBe(original.keyCount);
    expect(ds.db(0).get('str:short')).toBe(Buffer.from('edited ✓', 'utf8').toString('latin1'));
    const hash = ds.db(1).get('db1:hash') as HashValue;
    expect([...hash]).toEqual([
      ['a', '\x00\xff'],
      ['c', '3'],
    ]);
    expect(hash.fieldExpire('c')).toBe(4102444800999);
    expect(hash.fieldExpire('a')).toBeNull();
    const zset = ds.db(5).get('db5:zset') as ZSetValue;
    expect(zset.score('y')).toBe(-Infinity);
    expect(Object.is(zset.score('zero'), -0)).toBe(true);
    expect(ds.db(0).has('list:single')).toBe(false);
    expect((ds.db(7).get('list:single') as ListValue).toArray()).toEqual(['x']);
    expect(ds.db(7).expireAt('list:single')).toBe(4102444800000);
    expect(ds.db(7).lfuFreq('list:single')).toBe(42);
    expect(ds.db(0).has('str:tab')).toBe(false);
    expect((ds.db(3).get('\x00\xff') as ListValue).toArray()).toEqual(['a', '\xff']);
    // Everything not edited is what the file holds.
    const edited = new Set(['0:"str:short"', '1:"db1:hash"', '5:"db5:zset"', '0:"list:single"', '7:"list:single"', '0:"str:tab"', '3:"\\u0000ÿ"']);
    expect(keyDiff(ds, original).filter((d) => !edited.has(d.slice(0, d.lastIndexOf(':')))).length).toBe(0);
    expect(keyDiff(ds, original).length).toBe(edited.size);
  });

  it('a stream edited by hand: an entry added, a group with a consumer and its pending entry', () => {
    const rec = {
      db: 0,
      key: 's',
      type: 'stream',
      expireAtMs: null,
      value: {
        entries: [
          { id: '5-1', fields: [['f', 'v']] },
          { id: '18446744073709551615-0', fields: [] },
        ],
        length: 2,
        lastGeneratedId: '18446744073709551615-0',
        maxDeletedEntryId: '0-0',
        entriesAdded: 2,
        recordedFirstEntryId: '5-1',
        groups: [
          {
            name: { b64: 'Zw==' },
            lastDeliveredId: '5-1',
            entriesRead: 1,
            pending: [{ id: '5-1', consumer: 'alice', deliveryTimeMs: 1000, deliveryCount: 2 }],
            consumers: [{ name: 'alice', seenTimeMs: 900, activeTimeMs: 950, pending: [{ id: '5-1', deliveryTimeMs: 1000, deliveryCount: 2 }] }],
          },
        ],
      },
    };
    const s = readSplit(enc(JSON.stringify(rec))).ds.db(0).get('s') as StreamValue;
    expect(s.length).toBe(2);
    expect([...s.entries()].map(([, f]) => f)).toEqual([['f', 'v'], []]);
    const g = s.groups.get('g')!;
    expect(g.entriesRead).toBe(1);
    expect(g.consumers.get('alice')).toMatchObject({ seenTimeMs: 900, activeTimeMs: 950 });
    expect([...g.pending.values()]).toEqual([{ consumer: 'alice', deliveryTimeMs: 1000, deliveryCount: 2 }]);
  });

  it('blank lines, CRLF line ends, a byte order mark and a last line without a newline are accepted', () => {
    const a = '{"db":0,"key":"a","type":"string","expireAtMs":null,"value":"1"}';
    const b = '{"db":0,"key":"b","type":"set","encoding":"made-up","expireAtMs":null,"value":["x"]}';
    const text = '\ufeff\n  \n' + a + '\r\n\t\n\r\n' + b;
    for (const split of [whole, byteByByte]) {
      const { summary, records } = readSplit(enc(text), split);
      expect(summary).toMatchObject({ format: 'ndjson', keys: 2, lines: 6, blankLines: 4 });
      expect(records.map((r) => r.key)).toEqual(['a', 'b']);
    }
    // A bad record after them is on line 7.
    const e = failure(text + '\n{"db":0}');
    expect(e.line).toBe(7);
    expect(e.offset).toBe(Buffer.byteLength(text + '\n'));
  });

  it('an empty list, set, sorted set or hash is left out and counted, as Redis leaves it out', () => {
    const rec = (key: string, type: string) => JSON.stringify({ db: 0, key, type, expireAtMs: null, value: [] });
    const { summary, records } = readSplit(enc([rec('l', 'list'), rec('s', 'set'), rec('z', 'zset'), rec('h', 'hash'), rec('l', 'list')].join('\n')));
    expect(summary).toMatchObject({ keys: 0, records: 5, emptyKeysSkipped: 5 });
    expect(records).toEqual([]);
  });

  it('the filter leaves keys out before their value is built', () => {
    const text = [
      '{"db":0,"key":"user:1","type":"string","expireAtMs":null,"value":"a"}',
      '{"db":1,"key":"user:2","type":"string","expireAtMs":null,"value":"b"}',
      '{"db":0,"key":"other","type":"list","expireAtMs":null,"value":"not even a list"}',
    ].join('\n');
    const { summary, records } = readSplit(enc(text), whole, { filter: (k) => k.db === 0 && Buffer.from(k.key).toString().startsWith('user:') });
    expect(summary).toMatchObject({ keys: 1, filtered: 2 });
    expect(records.map((r) => r.key)).toEqual(['user:1']);
  });
});

describe('NDJSON input: what Redis 7.0 loads from an edited export', () => {
  let dir: string;
  beforeAll(() => {
    requireRedisServer();
    dir = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-ndjson-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the edited records, read back, written as RDB 10 and loaded by the server, are what the server holds', async () => {
    const meta = JSON.parse(readFileSync(path.join(RDB_DIR, 'all-types.meta.json'), 'utf8')) as { startupConfig: Record<string, string | number> };
    const records = readFileSync(path.join(RDB_DIR, 'all-types.truth.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const find = (db: number, key: string) => records.find((r) => r.db === db && r.key === key)!;
    find(0, 'str:short').value = { b64: Buffer.from('\x00\xffedited', 'latin1').toString('base64') };
    find(1, 'db1:hash').value = [['a', { b64: 'AP8=' }], ['c', '3'], ['é', 'ü']];
    find(5, 'db5:zset').value = [['y', '-inf'], ['x', 1.5], ['top', 'inf']];
    const moved = find(0, 'list:single');
    moved.db = 7;
    moved.expireAtMs = 4102444800000;
    records.splice(records.indexOf(find(0, 'str:tab')), 1);
    records.push({ db: 3, key: { b64: 'AP8=' }, type: 'set', encoding: 'listpack', expireAtMs: 4102444801000, value: ['a', { b64: '/w==' }, '12'] });
    const ndjson = enc(records.map((r) => JSON.stringify(r)).join('\n'));

    const ds = await loadNdjson(splitSource(ndjson, randomSplits(4, 512), 'edited.ndjson'));
    const sink = rdbSink();
    await writeDatasetRdb(ds, sink, { rdbVersion: 10, keyOrder: 'sorted' });
    const file = path.join(dir, 'edited.rdb');
    writeFileSync(file, sink.bytes());
    const redis = await startRedis({ rdbFile: file, config: meta.startupConfig });
    try {
      const got = await readTruth(redis.client, await scanKeyMeta(redis.client));
      const canon = (rs: object[]) => rs.map((r) => canonicalRecord(r, { dropEncoding: true })).sort((a, b) => (recordKey(a) < recordKey(b) ? -1 : 1));
      expect(canon(got)).toEqual(canon(records));
    } finally {
      await redis.stop();
    }
  });
});

// ------------------------------------------------------------------ bad input

const GOOD = '{"db":0,"key":"k","type":"string","encoding":"raw","expireAtMs":null,"value":"v"}';
/** A record with some properties replaced (undefined: removed). */
function rec(over: Record<string, unknown>): string {
  return JSON.stringify({ db: 0, key: 'x', type: 'string', encoding: 'raw', expireAtMs: null, value: 'v', ...over });
}
const stream = (over: Record<string, unknown>) => ({
  entries: [{ id: '1-1', fields: [['f', 'v']] }],
  length: 1,
  lastGeneratedId: '1-1',
  maxDeletedEntryId: '0-0',
  entriesAdded: 1,
  recordedFirstEntryId: '1-1',
  groups: [],
  ...over,
});
const group = (over: Record<string, unknown>) => ({
  name: 'g',
  lastDeliveredId: '1-1',
  entriesRead: 1,
  pending: [{ id: '1-1', consumer: 'c', deliveryTimeMs: 5, deliveryCount: 1 }],
  consumers: [{ name: 'c', seenTimeMs: 5, pending: [{ id: '1-1', deliveryTimeMs: 5, deliveryCount: 1 }] }],
  ...over,
});
const many = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));
const EOF_MODULE_PAYLOAD = Buffer.from([0]).toString('base64');

/** [what, the bad line, its code, a word the message has]. */
const BAD_LINES: [string, string, string, string][] = [
  ['malformed JSON', '{"db":0,"key":"k",', 'NDJSON_INVALID', 'not valid JSON'],
  ['two records on one line', GOOD + GOOD, 'NDJSON_INVALID', 'not valid JSON'],
  ['not an object', '["db",0]', 'NDJSON_INVALID', 'not a JSON object'],
  ['a JSON string', '"k"', 'NDJSON_INVALID', 'not a JSON object'],
  ['missing db', rec({ db: undefined }), 'NDJSON_INVALID', 'db is missing'],
  ['missing key', rec({ key: undefined }), 'NDJSON_INVALID', 'key is missing'],
  ['missing type', rec({ type: undefined }), 'NDJSON_INVALID', 'type is missing'],
  ['missing expireAtMs', rec({ expireAtMs: undefined }), 'NDJSON_INVALID', 'expireAtMs is missing'],
  ['missing value', rec({ value: undefined }), 'NDJSON_INVALID', 'value is missing'],
  ['an unknown property', rec({ ttl: 5 }), 'NDJSON_INVALID', 'unknown property "ttl"'],
  ['an unknown property of a stream group', rec({ type: 'stream', value: stream({ groups: [group({ lag: 0 })] }) }), 'NDJSON_INVALID', 'unknown property "lag"'],
  ['db as a string', rec({ db: '0' }), 'NDJSON_INVALID', 'db is not a database number'],
  ['db negative', rec({ db: -1 }), 'NDJSON_INVALID', 'db is not a database number'],
  ['db fractional', rec({ db: 1.5 }), 'NDJSON_INVALID', 'db is not a database number'],
  ['db past INT_MAX', rec({ db: 2 ** 31 }), 'NDJSON_INVALID', 'db is not a database number'],
  ['key as a number', rec({ key: 5 }), 'NDJSON_INVALID', 'key is not a byte string'],
  ['type not a string', rec({ type: 1 }), 'NDJSON_INVALID', 'type is not a type name'],
  ['an unknown type', rec({ type: 'json' }), 'UNKNOWN_TYPE', 'not a type this reader builds'],
  ['encoding not a string', rec({ encoding: 5 }), 'NDJSON_INVALID', 'encoding is not an encoding name'],
  ['expireAtMs as text', rec({ expireAtMs: '1700000000000' }), 'NDJSON_INVALID', 'expireAtMs is not in range'],
  ['expireAtMs fractional', rec({ expireAtMs: 1.5 }), 'NDJSON_INVALID', 'expireAtMs is not in range'],
  ['lfuFreq past 255', rec({ lfuFreq: 256 }), 'NDJSON_INVALID', 'lfuFreq is not in range'],
  ['lruIdleSec negative', rec({ lruIdleSec: -1 }), 'NDJSON_INVALID', 'lruIdleSec is not in range'],
  ['a string value as a list', rec({ value: ['v'] }), 'NDJSON_INVALID', 'value is not a byte string'],
  ['a list value as a string', rec({ type: 'list', value: 'v' }), 'NDJSON_INVALID', 'value is not an array'],
  ['a list item as a number', rec({ type: 'list', value: ['a', 1] }), 'NDJSON_INVALID', 'value[1] is not a byte string'],
  ['b64 with a bad character', rec({ value: { b64: 'AA!=' } }), 'NDJSON_INVALID', 'value.b64 is not base64'],
  ['b64 without its padding', rec({ value: { b64: 'QQ' } }), 'NDJSON_INVALID', 'value.b64 is not base64'],
  ['b64 with non-zero trailing bits', rec({ value: { b64: 'QR==' } }), 'NDJSON_INVALID', 'value.b64 is not base64'],
  ['b64 with spaces', rec({ value: { b64: 'QUJD RA==' } }), 'NDJSON_INVALID', 'value.b64 is not base64'],
  ['b64 as a number', rec({ value: { b64: 5 } }), 'NDJSON_INVALID', 'value is not a byte string'],
  ['b64 with another property', rec({ value: { b64: 'QQ==', text: 'A' } }), 'NDJSON_INVALID', 'value is not a byte string'],
  ['a lone surrogate', rec({ value: '\ud800x' }), 'NDJSON_INVALID', 'lone UTF-16 surrogate'],
  ['a bad stream ID', rec({ type: 'stream', value: stream({ entries: [{ id: '1-x', fields: [] }] }) }), 'NDJSON_INVALID', 'value.entries[0].id is not a stream ID'],
  ['a stream ID past 64 bits', rec({ type: 'stream', value: stream({ lastGeneratedId: '18446744073709551616-0' }) }), 'NDJSON_INVALID', 'value.lastGeneratedId is not a stream ID'],
  ['a stream ID without its sequence', rec({ type: 'stream', value: stream({ lastGeneratedId: '5' }) }), 'NDJSON_INVALID', 'not a stream ID'],
  ['stream entries out of order', rec({ type: 'stream', value: stream({ entries: [{ id: '2-0', fields: [] }, { id: '1-9', fields: [] }] }) }), 'NDJSON_INVALID', 'not above the previous entry'],
  ['stream entries given twice', rec({ type: 'stream', value: stream({ entries: [{ id: '2-0', fields: [] }, { id: '2-0', fields: [] }] }) }), 'NDJSON_INVALID', 'not above the previous entry'],
  ['stream metadata in part', rec({ type: 'stream', value: stream({ entriesAdded: undefined }) }), 'NDJSON_INVALID', 'together, or none'],
  ['a pending entry of an unknown consumer', rec({ type: 'stream', value: stream({ groups: [group({ consumers: [] })] }) }), 'NDJSON_INVALID', 'names a consumer the group does not have'],
  ['a consumer pending entry not in the group PEL', rec({ type: 'stream', value: stream({ groups: [group({ pending: [] })] }) }), 'NDJSON_INVALID', "is not in the group's pending entries"],
  [
    'a consumer pending entry with another count',
    rec({ type: 'stream', value: stream({ groups: [group({ consumers: [{ name: 'c', seenTimeMs: 5, pending: [{ id: '1-1', deliveryTimeMs: 5, deliveryCount: 9 }] }] })] }) }),
    'NDJSON_INVALID',
    'disagrees',
  ],
  ['a group given twice', rec({ type: 'stream', value: stream({ groups: [group({}), group({})] }) }), 'BAD_VALUE', 'consumer group'],
  ['a PEL entry given twice', rec({ type: 'stream', value: stream({ groups: [group({ pending: [{ id: '1-1', deliveryTimeMs: 5, deliveryCount: 1 }, { id: '1-1', deliveryTimeMs: 5, deliveryCount: 1 }], consumers: [] })] }) }), 'BAD_VALUE', 'pending entry'],
  ['a score as text', rec({ type: 'zset', value: [['m', '1.5']] }), 'NDJSON_INVALID', 'value[0][1] is not a score'],
  ['a score of nan', rec({ type: 'zset', value: [['m', 'nan']] }), 'NDJSON_INVALID', 'not a score'],
  ['a score of null', rec({ type: 'zset', value: [['m', null]] }), 'NDJSON_INVALID', 'not a score'],
  ['a score past the largest double', '{"db":0,"key":"z","type":"zset","expireAtMs":null,"value":[["m",1e999]]}', 'NDJSON_INVALID', 'not a score'],
  ['a zset pair of three', rec({ type: 'zset', value: [['m', 1, 2]] }), 'NDJSON_INVALID', 'value[0] is not a pair'],
  ['a set member given twice (small set)', rec({ type: 'set', value: ['a', 'b', 'a'] }), 'BAD_VALUE', 'duplicate set member'],
  ['a set member given twice (large set)', rec({ type: 'set', value: [...many(300, (i) => `m${i}`), 'm7'] }), 'BAD_VALUE', 'duplicate set member'],
  ['a set member given twice as text and as b64', rec({ type: 'set', value: ['a', { b64: 'YQ==' }] }), 'BAD_VALUE', 'duplicate set member'],
  ['a hash field given twice (small hash)', rec({ type: 'hash', value: [['f', '1'], ['f', '2']] }), 'BAD_VALUE', 'duplicate hash field'],
  ['a hash field given twice (large hash)', rec({ type: 'hash', value: [...many(200, (i) => [`f${i}`, 'v']), ['f3', 'x']] }), 'BAD_VALUE', 'duplicate hash field'],
  ['a sorted-set member given twice', rec({ type: 'zset', value: [['m', 1], ['m', 2]] }), 'BAD_VALUE', 'duplicate sorted-set member'],
  ['a sorted-set member given twice (large)', rec({ type: 'zset', value: [...many(200, (i) => [`m${i}`, i]), ['m0', 5]] }), 'BAD_VALUE', 'duplicate sorted-set member'],
  ['fieldExpireAtMs on a string', rec({ fieldExpireAtMs: [['f', 5]] }), 'NDJSON_INVALID', 'fieldExpireAtMs is given for a string'],
  ['a field TTL of a field not in the hash', rec({ type: 'hash', value: [['f', 'v']], fieldExpireAtMs: [['g', 5]] }), 'NDJSON_INVALID', 'names a field the hash does not have'],
  ['a field TTL given twice', rec({ type: 'hash', value: [['f', 'v']], fieldExpireAtMs: [['f', 5], ['f', 6]] }), 'BAD_VALUE', 'field TTL'],
  ['a field TTL of 0', rec({ type: 'hash', value: [['f', 'v']], fieldExpireAtMs: [['f', 0]] }), 'NDJSON_INVALID', 'not in range'],
  ['an empty ARRAY value', rec({ type: 'array', value: [] }), 'NDJSON_INVALID', 'empty array value'],
  ['an ARRAY index given twice', rec({ type: 'array', value: [[1, 'a'], [1, 'b']] }), 'BAD_VALUE', 'array index'],
  ['a GCRA value that is not a number', rec({ type: 'gcra', value: '12a' }), 'NDJSON_INVALID', 'not a GCRA value'],
  ['a module name of 8 characters', rec({ type: 'module', value: { module: 'abcdefgh', encver: 1, raw: { b64: EOF_MODULE_PAYLOAD } } }), 'NDJSON_INVALID', 'not a module type name'],
  ['a module encver past 1023', rec({ type: 'module', value: { module: 'abcdefghi', encver: 1024, raw: { b64: EOF_MODULE_PAYLOAD } } }), 'NDJSON_INVALID', 'value.encver is not in range'],
  ['a module payload without its EOF', rec({ type: 'module', value: { module: 'abcdefghi', encver: 1, raw: { b64: Buffer.from([2, 5]).toString('base64') } } }), 'NDJSON_INVALID', 'ends before its module EOF'],
  ['a module payload with bytes after its EOF', rec({ type: 'module', value: { module: 'abcdefghi', encver: 1, raw: { b64: Buffer.from([0, 0]).toString('base64') } } }), 'NDJSON_INVALID', 'goes on after'],
  ['a module payload with an unknown opcode', rec({ type: 'module', value: { module: 'abcdefghi', encver: 1, raw: { b64: Buffer.from([9, 0]).toString('base64') } } }), 'NDJSON_INVALID', 'not a module payload'],
];

describe('NDJSON input: bad lines', () => {
  // Each bad line comes third, after a good line and a blank one: line 3, at the offset below.
  const prefix = GOOD + '\n\n';
  for (const [what, line, code, words] of BAD_LINES) {
    it(`${what}: ${code} at line 3 and its offset, under every chunking`, () => {
      const input = enc(prefix + line + '\n' + rec({ key: 'after' }) + '\n');
      const first = failure(input);
      expect(first.code).toBe(code);
      expect(first.line).toBe(3);
      expect(first.offset).toBe(Buffer.byteLength(prefix));
      expect(first.file).toBe('in.ndjson');
      expect(first.message).toContain(words);
      expect(first.message).toContain('line 3');
      expect(first.expected).toBeTruthy();
      expect(first.toJSON()).toMatchObject({ code, line: 3, offset: Buffer.byteLength(prefix), file: 'in.ndjson' });
      for (const split of [byteByByte, randomSplits(line.length, 7)]) {
        const e = failure(input, split);
        expect([e.code, e.line, e.offset, e.message]).toEqual([first.code, first.line, first.offset, first.message]);
      }
      // The same record inside a JSON array: the same error, at its opening brace.
      const json = `[\n${GOOD},\n${line}\n]`;
      if (line.startsWith('{') && what !== 'two records on one line') {
        const e = failure(json);
        expect([e.code, e.line, e.offset]).toEqual([code, 3, GOOD.length + 4]);
      }
    });
  }

  it('a key given twice in one database: BAD_VALUE at the second; in two databases it is two keys', async () => {
    const text = [rec({ key: 'a' }), rec({ key: 'b' }), rec({ key: 'a', db: 1 }), rec({ key: 'a', type: 'list', value: ['x'] })].join('\n');
    const e = failure(text);
    expect([e.code, e.line, e.offset]).toEqual(['BAD_VALUE', 4, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1))]);
    expect(e.message).toContain('given twice');
    // loadNdjson lets the dataset find it, at the same place.
    const viaLoad = await loadNdjson(bytesSource(enc(text), 'in.ndjson')).catch((x: unknown) => x as RdbtoolError & { line: number });
    expect(viaLoad).toBeInstanceOf(RdbtoolError);
    expect([(viaLoad as RdbtoolError).code, (viaLoad as { line: number }).line, (viaLoad as RdbtoolError).offset]).toEqual(['BAD_VALUE', 4, e.offset]);
    // A key already in the dataset given is refused as well.
    const ds = new Dataset();
    ds.db(0).add('b', 'old');
    await expect(loadNdjson(bytesSource(enc(rec({ key: 'b' })), 'in.ndjson'), { dataset: ds })).rejects.toMatchObject({ code: 'BAD_VALUE', line: 1 });
    expect(readSplit(enc([rec({ key: 'a' }), rec({ key: 'a', db: 1 })].join('\n'))).summary.keys).toBe(2);
  });

  it('a db past the `databases` bound given is out of range', () => {
    expect(failure(rec({ db: 16 }), whole, { databases: 16 })).toMatchObject({ code: 'NDJSON_INVALID', line: 1 });
    expect(readSplit(enc(rec({ db: 15 })), whole, { databases: 16 }).summary.keys).toBe(1);
  });

  it('a line that is not UTF-8: NDJSON_INVALID naming the byte', () => {
    const good = enc(GOOD + '\n');
    const bad = Buffer.concat([good, Buffer.from('{"db":0,"key":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","type":"string","expireAtMs":null,"value":"v"}\n')]);
    const e = failure(new Uint8Array(bad));
    expect([e.code, e.line, e.offset]).toEqual(['NDJSON_INVALID', 2, good.length]);
    expect(e.found).toContain('byte 15 of the record');
  });

  it('a line longer than maxLineBytes is LIMIT_EXCEEDED, refused before its end arrives', () => {
    const limits = { maxLineBytes: 100 };
    const long = rec({ value: 'x'.repeat(200) });
    const e = failure(GOOD + '\n' + long + '\n', whole, { limits });
    expect(e.code).toBe('LIMIT_EXCEEDED');
    expect([e.line, e.offset]).toEqual([2, GOOD.length + 1]);
    expect(e.message).toContain('--max-line-bytes');
    // Fed in pieces with no newline in sight: it stops once the limit is passed.
    const reader = new NdjsonReader(() => {}, { limits });
    reader.push(enc(GOOD + '\n'));
    let pushed = 0;
    expect(() => {
      for (const piece of randomSplits(3, 10)(enc(long))) {
        pushed += piece.length;
        reader.push(piece);
      }
    }).toThrow(/over the limit of 100/);
    expect(pushed).toBeLessThan(120);
    // A JSON array element too, and a line exactly at the limit passes.
    expect(failure(`[${long}]`, byteByByte, { limits }).code).toBe('LIMIT_EXCEEDED');
    const exact = rec({ value: 'x'.repeat(100 - rec({ value: '' }).length) });
    expect(exact.length).toBe(100);
    expect(readSplit(enc(exact + '\r\n'), byteByByte, { limits: { maxLineBytes: 101 } }).summary.keys).toBe(1);
    expect(() => new NdjsonReader(() => {}, { limits: { maxLineBytes: 2 ** 30 } })).toThrow(/--max-line-bytes/);
  });

  it('input that ends inside a record is TRUNCATED', () => {
    for (const at of [1, 7, 8, 30, 40, GOOD.length - 1]) {
      const cut = GOOD + '\n' + GOOD.slice(0, at);
      for (const split of [whole, byteByByte]) expect(failure(cut, split), GOOD.slice(0, at)).toMatchObject({ code: 'TRUNCATED', line: 2, offset: GOOD.length + 1 });
      // The same cut followed by a newline is a bad line, not the end of the input.
      expect(failure(cut + '\n')).toMatchObject({ code: 'NDJSON_INVALID', line: 2 });
    }
    // A complete last record without a newline is fine.
    expect(readSplit(enc(GOOD + '\n' + rec({ key: 'y' }))).summary.keys).toBe(2);
  });

  it('JSON arrays: a missing closing bracket, a trailing comma, junk after it, a non-record element', () => {
    expect(failure(`[${GOOD},${rec({ key: 'y' })}`)).toMatchObject({ code: 'TRUNCATED' });
    expect(failure(`[${GOOD},${rec({ key: 'y' }).slice(0, 20)}`)).toMatchObject({ code: 'TRUNCATED', offset: GOOD.length + 2 });
    expect(failure(`[${GOOD},]`)).toMatchObject({ code: 'NDJSON_INVALID', offset: GOOD.length + 2 });
    expect(failure(`[${GOOD}]\n[]`)).toMatchObject({ code: 'NDJSON_INVALID', line: 2 });
    expect(failure(`[${GOOD} ${GOOD}]`)).toMatchObject({ code: 'NDJSON_INVALID' });
    expect(failure(`[${GOOD}, 5]`)).toMatchObject({ code: 'NDJSON_INVALID' });
    expect(failure(`[{"db":0,"key":"a}]"`)).toMatchObject({ code: 'TRUNCATED', offset: 1 });
    expect(failure(`[{"db":0,"key":"a\\"}", "x":[}]]`)).toMatchObject({ code: 'NDJSON_INVALID' });
  });

  it('the layout: a JSON array given as NDJSON and the reverse are refused, as is anything else', () => {
    expect(failure(`[${GOOD}]`, whole, { format: 'ndjson' }).message).toContain('JSON array');
    expect(failure(GOOD, whole, { format: 'json' }).message).toContain('not a JSON array');
    expect(failure('REDIS0011')).toMatchObject({ code: 'NDJSON_INVALID', offset: 0 });
    expect(failure('\n\n  x')).toMatchObject({ code: 'NDJSON_INVALID', line: 3, offset: 4 });
    expect(failure(new Uint8Array([0xef, 0xbb, 0x20]))).toMatchObject({ code: 'NDJSON_INVALID' });
  });

  it('a reader that failed or ended refuses more input; an error from onKey reaches the caller unchanged', () => {
    const r = new NdjsonReader(() => {});
    expect(() => r.push(enc('x\n'))).toThrow(RdbtoolError);
    expect(() => r.push(enc(GOOD))).toThrow(/stopped at an error/);
    const done = new NdjsonReader(() => {});
    done.push(enc(GOOD));
    done.end();
    expect(() => done.push(enc(GOOD))).toThrow(/already ended/);
    const mine = new Error('mine');
    const thrower = new NdjsonReader(() => {
      throw mine;
    });
    expect(() => thrower.push(enc(GOOD + '\n'))).toThrow(mine);
  });

  it('the key and db of a bad value are in the error context', () => {
    const e = failure(rec({ db: 3, key: { b64: 'AP8=' }, type: 'list', value: [1] }));
    expect(e.context).toMatchObject({ db: 3, what: 'list', doing: 'read-value' });
    expect([...e.context!.key!]).toEqual([0, 255]);
  });
});

// ------------------------------------------------------------------ fuzz

/** xorshift32, seeded. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

/** Codes a damaged line may give. */
const TYPED = new Set(['NDJSON_INVALID', 'UNKNOWN_TYPE', 'BAD_VALUE', 'TRUNCATED', 'LIMIT_EXCEEDED']);

describe('NDJSON input: fuzz', () => {
  const fixtureLines = async () =>
    Buffer.from(await exportOf(readFixture('all-types.rdb'), 'all-types.rdb'))
      .toString('utf8')
      .split('\n')
      .filter(Boolean);

  it('damaged lines (cut, bytes flipped, inserted or removed) only ever raise typed errors', async () => {
    const lines = (await fixtureLines()).filter((l) => l.length < 4000);
    const rand = rng(0xfade);
    let errors = 0;
    const N = 3000;
    for (let i = 0; i < N; i++) {
      const line = Buffer.from(lines[Math.floor(rand() * lines.length)], 'utf8');
      let bad: Buffer;
      const pos = Math.floor(rand() * line.length);
      switch (i % 4) {
        case 0:
          bad = line.subarray(0, pos);
          break;
        case 1: {
          bad = Buffer.from(line);
          for (let k = 0, n = 1 + Math.floor(rand() * 3); k < n; k++) bad[Math.floor(rand() * bad.length)] = Math.floor(rand() * 256);
          break;
        }
        case 2:
          bad = Buffer.concat([line.subarray(0, pos), Buffer.from([Math.floor(rand() * 256)]), line.subarray(pos)]);
          break;
        default:
          bad = Buffer.concat([line.subarray(0, pos), line.subarray(pos + 1 + Math.floor(rand() * 8))]);
      }
      const input = new Uint8Array(Buffer.concat([Buffer.from(GOOD + '\n'), bad, Buffer.from(i % 8 < 4 ? '\n' : '')]));
      try {
        readSplit(input, i % 3 === 0 ? randomSplits(i, 40) : whole, { limits: { maxLineBytes: 2048 } });
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(RdbtoolError);
        const t = e as RdbtoolError & { line?: number };
        expect(TYPED.has(t.code), t.message).toBe(true);
        // A flipped byte may have made a newline: the damage is on line 2 or after.
        expect(t.line, t.message).toBeGreaterThanOrEqual(2);
        expect(t.offset, t.message).toBeGreaterThanOrEqual(GOOD.length + 1);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(N / 2);
  });

  it('records damaged as JSON (a value replaced, a property removed or added) only raise typed errors; what is accepted exports again', async () => {
    const lines = await fixtureLines();
    const rand = rng(0xbeef);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)];
    const replacements: unknown[] = [null, -1, 0, 1.5, 2 ** 64, 256, '', 'x', '1-1', '18446744073709551615-18446744073709551615', 'inf', '-inf', [], [1], [[1, 2]], {}, { b64: '@' }, { b64: 'AAAA' }, true, 'abcdefghi', -0];
    /** Every place (parent, property) in a JSON value. */
    const places = (v: unknown, out: [Record<string, unknown> | unknown[], string | number][] = []) => {
      if (Array.isArray(v)) v.forEach((x, i) => (out.push([v, i]), places(x, out)));
      else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) out.push([v as Record<string, unknown>, k]), places((v as Record<string, unknown>)[k], out);
      return out;
    };
    const accepted = new Dataset();
    let errors = 0;
    const N = 4000;
    for (let i = 0; i < N; i++) {
      const obj = JSON.parse(pick(lines)) as Record<string, unknown>;
      const spots = places(obj);
      const [parent, prop] = pick(spots);
      const r = rand();
      if (r < 0.6) (parent as Record<string | number, unknown>)[prop] = pick(replacements);
      else if (r < 0.8 && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[prop as string];
      else if (!Array.isArray(parent)) (parent as Record<string, unknown>)[pick(['extra', 'consumer', 'nacked', 'idmp', 'entriesRead', 'activeTimeMs'])] = pick(replacements);
      else (parent as unknown[]).push(pick(replacements));
      try {
        const { records } = readSplit(enc(JSON.stringify(obj) + '\n'), whole);
        for (const rec of records) {
          const db = accepted.db(rec.db);
          const key = `${i}:${rec.key}`;
          db.add(key, rec.value, rec.expireAtMs);
        }
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(RdbtoolError);
        const t = e as RdbtoolError & { line?: number };
        expect(TYPED.has(t.code), t.message).toBe(true);
        expect(t.line, t.message).toBe(1);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(N / 4);
    expect(accepted.keyCount).toBeGreaterThan(N / 10);
    // Whatever was accepted is a value the exporter can write, and it reads back the same.
    const again = memorySink();
    await exportDataset(accepted, again.sink);
    const back = readSplit(new Uint8Array(again.bytes())).ds;
    expect(keyDiff(back, accepted)).toEqual([]);
  });
});

// Byte strings: JSON strings are their UTF-8 bytes, b64 the raw bytes; keys too.
describe('NDJSON input: byte strings', () => {
  it('text, escapes, astral characters and b64 give the bytes they stand for', () => {
    const text = [
      rec({ key: 'é✓🎉', value: 'tab\there \u0000 \u007f' }),
      rec({ key: { b64: '/w==' }, value: { b64: '' } }),
      rec({ key: '', value: '\ufeffBOM kept' }),
    ].join('\n');
    const { records } = readSplit(enc(text), byteByByte);
    expect(records.map((r) => [...fromByteString(r.key)])).toEqual([[...Buffer.from('é✓🎉', 'utf8')], [0xff], []]);
    expect(records.map((r) => [...fromByteString(r.value as string)])).toEqual([[...Buffer.from('tab\there \u0000 \u007f', 'utf8')], [], [...Buffer.from('\ufeffBOM kept', 'utf8')]]);
  });
});
