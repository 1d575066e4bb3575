/**
 * The export schema, checked against what real servers hold: the shared corpus's `observed/`
 * files (Redis 7.4.1 after loading each file) and the fixtures' truth files (the live server
 * that wrote each fixture).
 */
import path from 'node:path';
import os from 'node:os';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { exportRdb, NdjsonExporter } from '../../src/export/export-ndjson.js';
import { memorySink, streamSink } from '../../src/io/byte-sink.js';
import { bytesSource, openSource } from '../../src/io/source.js';
import { scanRdb } from '../../src/pipeline/scan.js';
import { jsonToBytes, type JsonBytes } from '../../src/format/json.js';
import { CorruptDataError, InputError } from '../../src/errors.js';
import { CORPUS, describeCorpus, itCorpus, RUN_CORPUS } from '../helpers/files.js';
import { slowWritable } from '../helpers/slow-writable.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES = path.join(ROOT, 'fixtures', 'rdb');
const TMP = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-export-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

type Rec = Record<string, unknown> & { db: number; key: JsonBytes; type: string; value: unknown };

async function exportFile(file: string, opts: Parameters<typeof exportRdb>[2] = {}): Promise<{ text: string; records: Rec[] }> {
  const sink = memorySink();
  await exportRdb(await openSource(file), sink, opts);
  const text = sink.text();
  const records = text === '' ? [] : text.trimEnd().split('\n').map((l) => JSON.parse(l) as Rec);
  return { text, records };
}

const bytesOf = (v: JsonBytes): Buffer => Buffer.from(jsonToBytes(v));
const cmpBytes = (a: JsonBytes, b: JsonBytes): number => Buffer.compare(bytesOf(a), bytesOf(b));
const keyId = (r: Rec): string => `${r.db}/${bytesOf(r.key).toString('hex')}`;
const score = (s: unknown): number => (s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s));

interface StreamValue {
  entries: unknown[];
  length: number;
  lastGeneratedId: string;
  groups: {
    name: JsonBytes;
    lastDeliveredId: string;
    entriesRead?: number | null;
    pending: unknown[];
    consumers: { name: JsonBytes; seenTimeMs: number; activeTimeMs?: number; pending: unknown[] }[];
  }[];
  [k: string]: unknown;
}

/**
 * Puts the order-free parts of a value in a canonical order (sets, hashes, zsets).
 * `foldZero` treats a -0 score as 0: Redis itself prints a -0 loaded from a skiplist zset as
 * "0" but one loaded from a ziplist as "-0" (librdb/plain_zset_v6.rdb vs zset_zl_v6.rdb),
 * while the export always keeps what the file stores.
 */
function canonicalValue(type: string, v: unknown, foldZero = false): unknown {
  switch (type) {
    case 'set':
      return [...(v as JsonBytes[])].sort(cmpBytes);
    case 'hash':
      return [...(v as [JsonBytes, JsonBytes][])].sort((a, b) => cmpBytes(a[0], b[0]));
    case 'zset':
      return (v as [JsonBytes, unknown][]).map(([m, s]) => [m, foldZero ? score(s) + 0 : score(s)]).sort((a, b) => cmpBytes(a[0] as JsonBytes, b[0] as JsonBytes));
    default:
      return v;
  }
}

function canonical(r: Rec): Rec {
  const out: Rec = { ...r, value: canonicalValue(r.type, r.value) };
  if (Array.isArray(r.fieldExpireAtMs)) out.fieldExpireAtMs = [...(r.fieldExpireAtMs as [JsonBytes, number][])].sort((a, b) => cmpBytes(a[0], b[0]));
  return out;
}

/** What a loading server keeps of a stream that the file also says (the server adds lag, pelCount, …). */
function streamCore(v: StreamValue): unknown {
  return {
    entries: v.entries,
    length: v.length,
    lastGeneratedId: v.lastGeneratedId,
    groups: v.groups.map((g) => ({
      name: g.name,
      lastDeliveredId: g.lastDeliveredId,
      pending: g.pending,
      consumers: g.consumers.map((c) => ({ name: c.name, seenTimeMs: c.seenTimeMs, pending: c.pending })),
    })),
  };
}

// ------------------------------------------------------------------ the corpus

interface Summary {
  files: Record<string, { loaded: boolean; observedFile?: string }>;
}

/** Corpus RDB files a real server loaded, with what it then held. */
function observedCases(): { file: string; observed: string }[] {
  const out: { file: string; observed: string }[] = [];
  if (!RUN_CORPUS) return out;
  for (const folder of ['redis', 'redis-rdb-tools', 'rdb', 'librdb']) {
    const summary = JSON.parse(readFileSync(path.join(CORPUS, folder, 'observed', 'summary.json'), 'utf8')) as Summary;
    for (const [name, s] of Object.entries(summary.files)) {
      if (!name.endsWith('.rdb') || !s.loaded || !s.observedFile) continue;
      out.push({ file: path.join(CORPUS, folder, name), observed: path.join(CORPUS, folder, s.observedFile) });
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

// When the server loaded the files (corpus README): keys expired by then are dropped.
const OBSERVED_AT_MS = Date.UTC(2026, 10, 24);

// Files whose keys a server does not keep as they are: empty collections are skipped on
// load (corpus README), so the file has keys the server never showed.
const SERVER_DROPS_KEYS = new Set(['corrupt_empty_keys.rdb']);

describeCorpus('export vs. what Redis 7.4.1 held after loading each corpus file', () => {
  const cases = observedCases();
  it('has cases to check', () => {
    expect(cases.length).toBeGreaterThan(50);
  });

  for (const c of cases) {
    const name = path.relative(CORPUS, c.file);
    it(name, async () => {
      const { records } = await exportFile(c.file);
      const observed = readFileSync(c.observed, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Rec);
      if (SERVER_DROPS_KEYS.has(path.basename(c.file))) {
        expect(observed).toEqual([]);
        expect(records.every((r) => Array.isArray(r.value) && r.value.length === 0)).toBe(true);
        return;
      }
      const mine = new Map(records.map((r) => [keyId(r), r]));
      expect(mine.size).toBe(records.length); // no key twice in a database
      for (const o of observed) {
        const m = mine.get(keyId(o));
        expect(m, `key ${JSON.stringify(o.key)} in db ${o.db}`).toBeDefined();
        expect(m!.type).toBe(o.type);
        expect(m!.expireAtMs).toBe(o.expireAtMs);
        if (o.type === 'stream') {
          expect(streamCore(m!.value as StreamValue)).toEqual(streamCore(o.value as StreamValue));
        } else {
          expect(canonicalValue(m!.type, m!.value, true)).toEqual(canonicalValue(o.type, o.value, true));
        }
        if (o.fieldExpireAtMs !== undefined) expect(canonical(m!).fieldExpireAtMs).toEqual(canonical(o).fieldExpireAtMs);
        mine.delete(keyId(o));
      }
      // Whatever the server did not show had expired before it loaded the file.
      for (const left of mine.values()) {
        expect(left.expireAtMs, `unobserved key ${JSON.stringify(left.key)}`).not.toBeNull();
        expect(left.expireAtMs as number).toBeLessThan(OBSERVED_AT_MS);
      }
    });
  }
});

// ------------------------------------------------------------------ the fixtures

function fixtureCases(): string[] {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.rdb') && existsSync(path.join(FIXTURES, f.replace(/\.rdb$/, '.truth.ndjson'))))
    .sort();
}

describe('export vs. the fixtures\' truth files', () => {
  const cases = fixtureCases();
  it('has fixtures with truth files', () => {
    expect(existsSync(path.join(FIXTURES, 'all-types.rdb'))).toBe(true);
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const f of cases) {
    it(f, async () => {
      const { records } = await exportFile(path.join(FIXTURES, f));
      const truth = readFileSync(path.join(FIXTURES, f.replace(/\.rdb$/, '.truth.ndjson')), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Rec);
      // Truth lines are sorted by (db, key bytes); the export is in file order.
      const sorted = [...records].sort((a, b) => a.db - b.db || cmpBytes(a.key, b.key));
      expect(sorted.map(keyId)).toEqual(truth.map(keyId));
      for (let i = 0; i < truth.length; i++) {
        const mine = canonical(sorted[i]);
        const want = canonical(truth[i]);
        // The idle time was read from the live server a moment after SAVE.
        if (typeof want.lruIdleSec === 'number') {
          expect(mine.lruIdleSec as number).toBeGreaterThanOrEqual(want.lruIdleSec - 5);
          expect(mine.lruIdleSec as number).toBeLessThanOrEqual(want.lruIdleSec);
          mine.lruIdleSec = want.lruIdleSec;
        }
        expect(mine, `${f}: key ${JSON.stringify(want.key)} in db ${want.db}`).toEqual(want);
        // Property order is part of the schema.
        expect(Object.keys(sorted[i])).toEqual(Object.keys(truth[i]));
      }
    });
  }
});

// ------------------------------------------------------------------ schema details

describe('export schema details', () => {
  itCorpus('writes one object per line, in file order, with the schema\'s property order', async () => {
    const { text, records } = await exportFile(path.join(CORPUS, 'redis-rdb-tools', 'multiple_databases.rdb'));
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(3);
    expect(records).toEqual([
      { db: 0, key: 'key_in_zeroth_database', type: 'string', encoding: 'raw', expireAtMs: null, value: 'zero' },
      { db: 2, key: 'key_in_second_database', type: 'string', encoding: 'raw', expireAtMs: null, value: 'second' },
    ]);
    expect(Object.keys(records[0])).toEqual(['db', 'key', 'type', 'encoding', 'expireAtMs', 'value']);
  });

  itCorpus('writes one JSON array with --format json', async () => {
    const sink = memorySink();
    await exportRdb(await openSource(path.join(CORPUS, 'redis-rdb-tools', 'multiple_databases.rdb')), sink, { format: 'json' });
    const arr = JSON.parse(sink.text()) as Rec[];
    expect(arr.map((r) => r.value)).toEqual(['zero', 'second']);
    const empty = memorySink();
    await exportRdb(await openSource(path.join(CORPUS, 'redis-rdb-tools', 'empty_database.rdb')), empty, { format: 'json' });
    expect(JSON.parse(empty.text())).toEqual([]);
  });

  itCorpus('adds lfuFreq / lruIdleSec only when the file has them', async () => {
    const lfu = await exportFile(path.join(CORPUS, 'librdb', 'mem_policy_lfu.rdb'));
    expect(lfu.records.every((r) => typeof r.lfuFreq === 'number' && !('lruIdleSec' in r))).toBe(true);
    const lru = await exportFile(path.join(CORPUS, 'librdb', 'mem_policy_lru.rdb'));
    expect(lru.records.every((r) => typeof r.lruIdleSec === 'number' && !('lfuFreq' in r))).toBe(true);
    expect(Object.keys(lru.records[0]).slice(-1)).toEqual(['lruIdleSec']);
  });

  itCorpus('lists field TTLs of hashes, only for fields that have one', async () => {
    // rdb/hash_with_hfe.rdb: F1..F8, F1-F3 with TTLs (corpus README).
    const { records } = await exportFile(path.join(CORPUS, 'rdb', 'hash_with_hfe.rdb'));
    // In file order, like the value; sorted here to compare.
    expect(canonical(records[0]).fieldExpireAtMs).toEqual([
      ['F1', 2755482424661],
      ['F2', 2755483429282],
      ['F3', 2755484433842],
    ]);
    const plain = await exportFile(path.join(CORPUS, 'redis', 'hash-ziplist.rdb'));
    expect('fieldExpireAtMs' in plain.records[0]).toBe(false);
  });

  itCorpus('writes module values as name, encver and base64 payload', async () => {
    const { records } = await exportFile(path.join(CORPUS, 'redis-rdb-tools', 'redis_40_with_module.rdb'));
    const foo = records.find((r) => r.key === 'foo')!;
    expect(foo.type).toBe('module');
    const v = foo.value as { module: string; encver: number; raw: { b64: string } };
    expect(v.module).toBe('ReJSON-RL');
    expect(v.encver).toBe(0);
    expect(Buffer.from(v.raw.b64, 'base64').at(-1)).toBe(0); // the payload ends with the module EOF opcode
  });

  itCorpus('writes scores as numbers, infinities as strings, and keeps -0', async () => {
    const { text, records } = await exportFile(path.join(CORPUS, 'librdb', 'plain_zset_v6.rdb'));
    const scores = new Map((records[0].value as [string, unknown][]).map(([m, sc]) => [m, sc]));
    expect(scores.get('a8')).toBe('inf');
    expect(scores.get('a10')).toBe('-inf');
    expect(scores.get('a24')).toBe(-4.329000123123131e28);
    expect(Object.is(scores.get('a3'), -0)).toBe(true); // stored as "-0"
    expect(Object.is(scores.get('a2'), 0)).toBe(true);
    expect(text).toContain('["a3",-0]');
  });

  itCorpus('writes binary keys and values as base64', async () => {
    const { records } = await exportFile(path.join(CORPUS, 'redis-rdb-tools', 'non_ascii_values.rdb'));
    const bin = records.find((r) => r.key === 'bin')!;
    expect(bin.value).toEqual({ b64: 'ACQgfjB//wqqCYANQWI=' });
    expect(records.find((r) => r.key === 'utf8')!.value).toBe('בדיקה𐀏123עברית');
  });

  itCorpus('leaves out deleted stream entries and metadata the stream type does not carry', async () => {
    const { records } = await exportFile(path.join(CORPUS, 'redis-rdb-tools', 'redis_50_with_streams.rdb'));
    const s = records.find((r) => r.type === 'stream')!.value as StreamValue;
    expect(s.entries).toHaveLength(4);
    expect(s.length).toBe(4);
    // Type 15 (Redis 5) has no entries-added / max-deleted / first-entry fields, nor entries-read.
    expect(Object.keys(s)).toEqual(['entries', 'length', 'lastGeneratedId', 'groups']);
    expect('entriesRead' in s.groups[0]).toBe(false);
    const v2 = await exportFile(path.join(CORPUS, 'rdb', 'stream_listpacks_2.rdb'));
    const s2 = v2.records[0].value as StreamValue;
    expect(Object.keys(s2)).toEqual(['entries', 'length', 'lastGeneratedId', 'maxDeletedEntryId', 'entriesAdded', 'recordedFirstEntryId', 'groups']);
  });

  itCorpus('applies filters without decoding skipped values', async () => {
    const file = path.join(CORPUS, 'redis', 'encodings.rdb');
    const all = await exportFile(file);
    expect(all.records).toHaveLength(13);
    const sets = await exportFile(file, { filter: { types: ['set'], match: 'set_zipped_?' } });
    expect(sets.records.map((r) => r.key).sort()).toEqual(['set_zipped_1', 'set_zipped_2', 'set_zipped_3']);
    const none = await exportFile(file, { filter: { dbs: [1] } });
    expect(none.text).toBe('');
  });

  itCorpus('collects a string delivered in parts into one value', async () => {
    // Limits small enough that every string above 4 bytes arrives through stringPart.
    const file = path.join(CORPUS, 'redis-rdb-tools', 'rdb_version_5_with_checksum.rdb');
    const whole = await exportFile(file);
    const parts = await exportFile(file, { limits: { maxInlineValueBytes: 4 } });
    expect(parts.records).toEqual(whole.records);
    expect(whole.records.find((r) => r.key === 'longerstring')!.value).toBe('thisisalongerstring.idontknowwhatitmeans');
  });

  // Every string above 4 bytes arrives in parts: from a file it is read back from the file,
  // from memory it is held; text, escaped text and binary values alike.
  async function expectSameInParts(file: string): Promise<void> {
    const whole = await exportFile(file);
    const fromFile = await exportFile(file, { limits: { maxInlineValueBytes: 4 } });
    expect(fromFile.text).toBe(whole.text);
    const sink = memorySink();
    await exportRdb(bytesSource(readFileSync(file), 'x', 7), sink, { limits: { maxInlineValueBytes: 4 } });
    expect(sink.text()).toBe(whole.text);
  }

  it('writes a string delivered in parts the same from a file, from memory and whole', async () => {
    await expectSameInParts(path.join(FIXTURES, 'all-types.rdb'));
  });

  itCorpus('writes a string delivered in parts the same from a file, from memory and whole: corpus files', async () => {
    await expectSameInParts(path.join(CORPUS, 'redis-rdb-tools', 'non_ascii_values.rdb'));
    await expectSameInParts(path.join(CORPUS, 'redis-rdb-tools', 'rdb_version_5_with_checksum.rdb'));
  });

  itCorpus('fails when a value read back from the file is not what was decoded', async () => {
    const file = path.join(CORPUS, 'redis-rdb-tools', 'rdb_version_5_with_checksum.rdb');
    const bytes = readFileSync(file);
    const at = bytes.indexOf('thisisalongerstring');
    expect(at).toBeGreaterThan(0);
    const changed = Buffer.from(bytes);
    changed[at] = 0x54; // 'T'
    const other = path.join(TMP, 'changed.rdb');
    writeFileSync(other, changed);
    const exporter = new NdjsonExporter(memorySink(), { inputFile: other });
    const err = await scanRdb(bytesSource(bytes), exporter, { limits: { maxInlineValueBytes: 4 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/changed while being read/);
  });

  itCorpus('writes the same text to a text function as to a sink, whole characters per call', async () => {
    const file = path.join(CORPUS, 'redis-rdb-tools', 'non_ascii_values.rdb');
    const { text } = await exportFile(file);
    const pieces: string[] = [];
    const exporter = new NdjsonExporter((s) => pieces.push(s), { chunkBytes: 64 });
    await scanRdb(await openSource(file), exporter, { drain: () => exporter.flush() });
    exporter.finish();
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe(text);
    expect(pieces.some((p) => p.includes('\ufffd'))).toBe(false);
  });

  it('keeps the output bounded with a slow reader: it waits for the sink between input chunks', async () => {
    const out = slowWritable();
    const sink = streamSink(out, { name: 'slow', end: false, bufferBytes: 64 * 1024 });
    // What the stream holds never exceeds what was produced since the last drain (one input
    // chunk's worth) plus the sink's own buffer: everything older has been written.
    let sinceDrain = 0;
    let worst = 0;
    let drains = 0;
    const write = sink.write.bind(sink);
    sink.write = (data, done) => {
      sinceDrain += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      write(data, done);
      worst = Math.max(worst, out.writableLength - sinceDrain);
    };
    const drain = sink.drain.bind(sink);
    sink.drain = async () => {
      await drain();
      drains++;
      sinceDrain = 0;
    };
    const file = path.join(FIXTURES, 'big-collections.rdb');
    const res = await exportRdb(bytesSource(readFileSync(file), 'big', 4096), sink);
    await sink.close();
    const { text } = await exportFile(file);
    expect(res.keys).toBeGreaterThan(0);
    expect(out.bytes()).toBe(Buffer.byteLength(text));
    expect(drains).toBeGreaterThan(40);
    expect(worst).toBeLessThanOrEqual(64 * 1024);
  });

  itCorpus('streams its output: text reaches the sink before the input ends', async () => {
    const bytes = readFileSync(path.join(CORPUS, 'librdb', '100_lists.rdb'));
    const sizes: number[] = [];
    const exporter = new NdjsonExporter((s) => sizes.push(s.length));
    await scanRdb(bytesSource(bytes, '100_lists.rdb', 4096), exporter, { drain: () => exporter.flush() });
    exporter.finish();
    expect(exporter.keys).toBe(100);
    expect(sizes.length).toBeGreaterThan(10);
    expect(Math.max(...sizes)).toBeLessThan(200_000);
  });

  itCorpus('stops quietly when the reader goes away', async () => {
    let written = 0;
    const out = new Writable({
      write(chunk: Buffer, _enc, cb) {
        written += chunk.length;
        const e = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
        cb(e);
      },
    });
    // A 1-byte buffer makes every write reach the stream, which fails with EPIPE.
    const sink = streamSink(out, { name: '-', end: false, bufferBytes: 1 });
    const res = await exportRdb(bytesSource(readFileSync(path.join(CORPUS, 'librdb', '100_lists.rdb')), 'x', 4096), sink);
    expect(res.outputClosed).toBe(true);
    expect(written).toBeGreaterThan(0);
    await sink.close();
  });

  itCorpus('throws CHECKSUM_MISMATCH after writing the records it read', async () => {
    const sink = memorySink();
    const err = await exportRdb(await openSource(path.join(CORPUS, 'librdb', 'invalid_chksum_v8.rdb')), sink).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptDataError);
    expect((err as CorruptDataError).code).toBe('CHECKSUM_MISMATCH');
    expect(sink.text().trimEnd().split('\n')).toHaveLength(3);
  });
});

// ------------------------------------------------------------------ the sink's release callback

describe('sink release callbacks (buffer reuse by the exporter)', () => {
  it('calls done at once for copied data and after the write for passed-through data', async () => {
    const pending: (() => void)[] = [];
    const out = new Writable({
      highWaterMark: 1,
      write(_chunk: Buffer, _enc, cb) {
        pending.push(cb);
      },
    });
    const sink = streamSink(out, { bufferBytes: 1024, reuseBuffers: true });
    let small = 0;
    sink.write(new Uint8Array(10), () => small++);
    expect(small).toBe(1); // copied into the sink's buffer
    let big = 0;
    sink.write(new Uint8Array(100 * 1024), () => big++);
    expect(big).toBe(0); // handed to the stream, not written yet
    while (pending.length > 0) {
      pending.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    expect(big).toBe(1);
  });

  it('calls done at once when the stream wrote synchronously', () => {
    const out = new Writable({
      write(_chunk: Buffer, _enc, cb) {
        cb();
      },
    });
    const sink = streamSink(out, { bufferBytes: 1024, reuseBuffers: true });
    let done = 0;
    sink.write(new Uint8Array(100 * 1024), () => done++);
    expect(done).toBe(1);
  });

  it('never calls done for a stream that may keep its chunks, so the exporter never reuses them', async () => {
    const kept: Buffer[] = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, cb) {
        kept.push(chunk); // no copy: a collector keeps the very buffers it is given
        cb();
      },
    });
    const sink = streamSink(out, { bufferBytes: 64 * 1024 });
    let done = 0;
    sink.write(new Uint8Array(100 * 1024), () => done++);
    expect(done).toBe(0);
    const file = path.join(FIXTURES, 'big-collections.rdb');
    // 32 KiB of input at a time: many output chunks above 64 KiB, passed through uncopied.
    await exportRdb(bytesSource(readFileSync(file), 'big', 32 * 1024), sink);
    await sink.close();
    const { text } = await exportFile(file);
    expect(kept.filter((k) => k.length >= 64 * 1024).length).toBeGreaterThan(2);
    expect(Buffer.concat(kept).subarray(100 * 1024).toString('utf8')).toBe(text);
  });

  it('writes byte arrays larger than a small buffer whole', async () => {
    const got: Buffer[] = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, cb) {
        got.push(Buffer.from(chunk));
        cb();
      },
    });
    const sink = streamSink(out, { bufferBytes: 16 });
    const data = Uint8Array.from({ length: 100 }, (_, i) => i);
    sink.write(Uint8Array.of(1, 2));
    sink.write(data);
    data.fill(0); // the sink made its own copy
    await sink.close();
    expect(Buffer.concat(got)).toEqual(Buffer.concat([Buffer.from([1, 2]), Buffer.from(Uint8Array.from({ length: 100 }, (_, i) => i))]));
  });
});
