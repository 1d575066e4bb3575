/**
 * The RDB versions of Redis 8.6, 8.8 and 8.10 (13, 14, 15) and of Valkey 9.2 (81), written by
 * the RDB writer and by `convert`. No server at hand loads them (Debian's Redis 7.0 reads up to
 * 10), so the oracles are:
 *
 * - rdbtool's own decoder, reading every output back (whole, in random pieces, byte by byte)
 *   to the dataset written: every RDB fixture, and seeded random datasets with what the new
 *   versions add (ARRAY values, streams with idempotent-producer state and NACK zones);
 * - the structure FORMATS.md documents: the version digits, the AUX fields those servers write
 *   (§1.1, §1.9), the stream type of each version (§1.3, §2.15), no key metadata (243) nor
 *   hash template (242) records;
 * - the files real servers wrote: the corpus's two RDB 13 files (Redis 8.6) are written again
 *   byte for byte, and the AUX fields of an RDB 13 and a Valkey 9 file are the ones rdbtool
 *   writes;
 * - Redis 7.0, which loads what comes back down from RDB 15 (`--target redis@7.0`).
 *
 * And the losses: what a target holds is judged from the release table `check --target`
 * judges with, so arrays go to Redis 8.8 and later, IDMP state to 8.6 and later, NACK zones to
 * 8.8 and later, and elsewhere they are refused or dropped with `--drop-newer`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import type { Dataset } from '../../src/dataset/dataset.js';
import { ArrayValue } from '../../src/dataset/array.js';
import { GcraValue } from '../../src/dataset/gcra.js';
import { StreamValue } from '../../src/dataset/stream.js';
import { streamIdKey } from '../../src/dataset/stream-id.js';
import { datasetDigest, keyDigest } from '../../src/dataset/digest.js';
import { bytesSource } from '../../src/io/source.js';
import { memorySink } from '../../src/io/byte-sink.js';
import { RdbDecoder } from '../../src/rdb/decoder.js';
import { writeDatasetRdb, type WriteDatasetResult } from '../../src/rdb/write-dataset.js';
import { rdbTarget } from '../../src/rdb/target.js';
import { encodeDumpPayload } from '../../src/rdb/dump-payload.js';
import { decodeDumpPayload } from '../../src/replay/dump-payload.js';
import { convert, type ConvertOptions } from '../../src/convert/convert.js';
import { judge, parseTarget } from '../../src/analyze/compat.js';
import { randomDataset } from '../helpers/random-dataset.js';
import { expectSameEventsUnderEveryChunking } from '../helpers/collect.js';
import { rdbFacts } from '../helpers/compat-facts.js';
import { corpusPath, describeCorpus, fixtureRdbs } from '../helpers/files.js';
import { datasetDiff } from '../helpers/replay-oracle.js';
import { requireRedisServer } from '../helpers/redis.js';
import { serverOnRdb } from '../helpers/server-datasets.js';

/** The versions this suite is about, and the release line each stands for. */
const NEW_VERSIONS = [
  { version: 13, magic: 'REDIS0013', line: 'redis@8.6', server: 'Redis' },
  { version: 14, magic: 'REDIS0014', line: 'redis@8.8', server: 'Redis' },
  { version: 15, magic: 'REDIS0015', line: 'redis@8.10', server: 'Redis' },
  { version: 81, magic: 'VALKEY081', line: 'valkey@9.2', server: 'Valkey' },
] as const;

const NOW = 1_700_000_000_000;

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'rdbtool-newer-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
let fileNo = 0;
const out = (name: string) => path.join(work, `${fileNo++}-${name}`);

async function load(bytes: Uint8Array, name = 'out.rdb'): Promise<Awaited<ReturnType<typeof loadRdb>>> {
  return loadRdb(bytesSource(bytes, name));
}

async function datasetOfFile(file: string): Promise<Dataset> {
  return (await load(new Uint8Array(readFileSync(file)), path.basename(file))).dataset;
}

/** The magic, the AUX fields in file order, where the first database starts, and the EOF offset. */
function layout(bytes: Uint8Array): { magic: string; aux: [string, string][]; bodyStart: number; eof: number; opcodes: number[] } {
  const aux: [string, string][] = [];
  const opcodes: number[] = [];
  let bodyStart = -1;
  let eof = -1;
  const d = new RdbDecoder(
    {
      aux: (n, v) => void aux.push([Buffer.from(n).toString('latin1'), Buffer.from(v).toString('latin1')]),
      selectDb: (_db, at) => void (bodyStart < 0 && (bodyStart = at)),
      opcode: (op) => void opcodes.push(op),
      end: (e) => void (eof = e.eofOffset),
    },
    { file: 'layout.rdb' },
  );
  d.push(bytes);
  d.end();
  return { magic: Buffer.from(bytes.subarray(0, 9)).toString('latin1'), aux, bodyStart, eof, opcodes };
}

// ---------------------------------------------------------------- datasets with the new values

const id = (ms: number, seq = 0) => streamIdKey(`${ms}-${seq}`);

/** A stream of `n` entries with one group: some pending entries owned, `unowned` more in the NACK zone. */
function streamWithGroup(n: number, unowned: number): StreamValue {
  const s = new StreamValue();
  for (let i = 0; i < n; i++) s.append(id(NOW + i), ['f', `v${i}`, 'n', String(i)]);
  s.lastId = id(NOW + n - 1);
  s.firstId = id(NOW);
  s.entriesAdded = n;
  const g = s.addGroup('workers', id(NOW + n - 1), n);
  g.addConsumer('alice', NOW - 5000, NOW - 7000);
  g.addConsumer('bob', NOW - 4000, NOW - 4000);
  g.setPending(id(NOW), 'alice', NOW - 3000, 2);
  g.setPending(id(NOW + n - 1), 'bob', NOW - 2000, 1);
  const nacked: string[] = [];
  for (let i = 1; i <= unowned; i++) {
    g.setPending(id(NOW + i), null, NOW - 1000 - i, 3);
    nacked.push(id(NOW + i));
  }
  if (unowned > 0) g.nacked = new Set(nacked.reverse());
  return s;
}

/** Keys with what RDB 13–15 add, by what they need. */
const NEWER_KEYS = {
  arrays: ['arr:dense', 'arr:sparse', 'arr:one'],
  idmp: ['stream:idmp'],
  nack: ['stream:nack'],
  gcra: ['gcra:limiter'],
} as const;

/**
 * A random dataset (every type Redis 7.4 holds, field TTLs and libraries included) plus ARRAY
 * values, a stream with idempotent-producer state, one whose IDMP state is the defaults, one
 * with a NACK zone, and a GCRA value (which no version the writer writes holds).
 */
function newerDataset(seed: number): Dataset {
  const ds = randomDataset(seed, { keys: 40, fieldTtls: true, functions: true, nowMs: NOW });
  const db = ds.db(0);
  const dense = new ArrayValue();
  for (let i = 0; i < 70; i++) dense.set(i, i % 3 === 0 ? String(i * 1000 - 7) : i % 3 === 1 ? `text-${seed}-${i}` : '');
  const sparse = new ArrayValue();
  for (const i of [2 ** 40 + seed, 5, 2 ** 20, 0, 2 ** 52, 63, 64, 16383, 16384]) sparse.set(i, Buffer.from([0, 255, seed & 255, i & 255]).toString('latin1'));
  const one = new ArrayValue();
  one.set(7, 'x'.repeat(200));
  db.add('arr:dense', dense, NOW + 86_400_000);
  db.add('arr:sparse', sparse);
  db.add('arr:one', one);
  const withIdmp = streamWithGroup(6, 0);
  withIdmp.idmp = {
    durationSec: 7200,
    maxEntries: 1000,
    producers: [
      { pid: 'producer-b', entries: [{ iid: 'b1', id: id(NOW + 1) }, { iid: 'b2', id: id(NOW + 2) }] },
      { pid: 'producer-a', entries: [{ iid: 'a1', id: id(NOW + 3) }] },
      { pid: 'idle', entries: [] },
    ],
    iidsAdded: 3,
    iidsDuplicates: 1,
  };
  db.add('stream:idmp', withIdmp);
  const defaults = streamWithGroup(3, 0);
  defaults.idmp = { durationSec: 100, maxEntries: 100, producers: [], iidsAdded: 0, iidsDuplicates: 0 };
  db.add('stream:idmp-defaults', defaults);
  db.add('stream:nack', streamWithGroup(8, 3));
  db.add('gcra:limiter', new GcraValue('1700000000123'));
  return ds;
}

/** Keys the writer leaves out for RDB `v` (with `unsupported: 'skip'`). */
function notHeld(v: number): string[] {
  const t = rdbTarget(v);
  return [...(t.arrays ? [] : NEWER_KEYS.arrays), ...(t.streamType >= 26 ? [] : NEWER_KEYS.idmp), ...(t.streamType >= 27 ? [] : NEWER_KEYS.nack), ...NEWER_KEYS.gcra].sort();
}

async function write(ds: Dataset, rdbVersion: number): Promise<{ bytes: Uint8Array; result: WriteDatasetResult }> {
  const sink = memorySink();
  const result = await writeDatasetRdb(ds, sink, { rdbVersion, unsupported: 'skip', keyOrder: 'sorted', nowMs: NOW });
  return { bytes: sink.bytes(), result };
}

// ---------------------------------------------------------------- the writer

describe.each(NEW_VERSIONS)('RDB $version ($line)', ({ version, magic }) => {
  it('the magic, and types of the version: streams as its stream type, arrays as type 28, nothing of 242/243', async () => {
    const ds = newerDataset(1);
    const { bytes, result } = await write(ds, version);
    const l = layout(bytes);
    expect(l.magic).toBe(magic);
    expect(l.opcodes).not.toContain(243);
    expect(l.opcodes).not.toContain(242);
    const facts = rdbFacts(bytes);
    expect(facts.version).toBe(version);
    const t = rdbTarget(version);
    const streamTypes = Object.keys(facts.types).map(Number).filter((b) => [15, 19, 21, 26, 27].includes(b));
    expect(streamTypes).toEqual([t.streamType]);
    expect(facts.types['28'] ?? 0).toBe(t.arrays ? NEWER_KEYS.arrays.length : 0);
    expect(result.skipped.map((s) => s.key).sort()).toEqual(notHeld(version));
  });

  it.each([1, 2, 3, 4])('seed %i: read back under every chunking to the same keys; left out only what the version cannot hold', async (seed) => {
    const ds = newerDataset(seed);
    const { bytes, result } = await write(ds, version);
    expectSameEventsUnderEveryChunking(bytes);
    const back = await load(bytes);
    expect(back.stats.checksum).toBe('ok');
    expect(back.scan.header?.version).toBe(version);
    const skipped = new Set(result.skipped.map((s) => s.key));
    expect([...skipped].sort()).toEqual(notHeld(version));
    let compared = 0;
    for (const e of ds.entries()) {
      const got = back.dataset.peekDb(e.db)?.get(e.key);
      if (skipped.has(e.key)) {
        expect(got, e.key).toBeUndefined();
        continue;
      }
      expect(got, e.key).toBeDefined();
      expect(back.dataset.peekDb(e.db)!.expireAt(e.key), e.key).toBe(e.expireAtMs);
      expect(keyDigest(got!, e.expireAtMs), e.key).toBe(keyDigest(e.value, e.expireAtMs));
      compared++;
    }
    expect(back.dataset.keyCount).toBe(compared);
    expect([...back.dataset.functions.entries()]).toEqual([...ds.functions.entries()]);
    if (version === 14 || version === 15) {
      // Everything but the GCRA value, and the arrays' and streams' own state.
      const arr = back.dataset.peekDb(0)!.get('arr:sparse') as ArrayValue;
      expect([...arr.entries()]).toEqual([...(ds.peekDb(0)!.get('arr:sparse') as ArrayValue).entries()]);
      const nack = back.dataset.peekDb(0)!.get('stream:nack') as StreamValue;
      expect([...nack.groups.get('workers')!.nacked!].sort()).toEqual([id(NOW + 1), id(NOW + 2), id(NOW + 3)]);
    }
    if (version !== 81 && version >= 13) {
      const s = back.dataset.peekDb(0)!.get('stream:idmp') as StreamValue;
      expect(s.idmp).toMatchObject({ durationSec: 7200, maxEntries: 1000, iidsAdded: 3, iidsDuplicates: 1 });
      // Producers come in pid byte order, as Redis's rax keeps them; the idle one is kept.
      expect(s.idmp!.producers.map((p) => p.pid)).toEqual(['idle', 'producer-a', 'producer-b']);
    }
  });

  it('every RDB fixture read back to the same dataset (digest), and the target line loads the file by the release table', async () => {
    for (const file of fixtureRdbs()) {
      const src = await datasetOfFile(file);
      const { bytes, result } = await write(src, version);
      expect(result.skipped, file).toEqual([]);
      const back = await load(bytes, path.basename(file));
      expect(datasetDigest(back.dataset), file).toBe(datasetDigest(src));
      const verdict = judge(rdbFacts(bytes), parseTarget(NEW_VERSIONS.find((n) => n.version === version)!.line));
      expect(verdict.blockers, file).toEqual([]);
    }
  });

  it('refuses what it cannot hold with a typed error naming the key, unless told to skip it', async () => {
    const ds = newerDataset(5);
    const err = await writeDatasetRdb(ds, memorySink(), { rdbVersion: version, keyOrder: 'sorted', nowMs: NOW }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'UnsupportedValueError' });
    // Keys go in byte order: the first refused is the first of the keys the version cannot hold.
    expect(String((err as Error).message)).toMatch(new RegExp(`cannot be written in RDB ${version}`));
    expect(Buffer.from((err as { context: { key: Uint8Array } }).context.key).toString('latin1')).toBe(notHeld(version)[0]);
  });
});

describe('ARRAY values (type 28)', () => {
  it('an empty array or indexes out of order are usage errors, and RDB 13 refuses arrays', async () => {
    const { RdbWriter } = await import('../../src/rdb/encoder.js');
    const w = new RdbWriter(memorySink(), { rdbVersion: 14 });
    expect(() => w.plan({ type: 'array', entries: [], length: 0 })).toThrow(/at least one element/);
    expect(() => w.plan({ type: 'array', entries: [[3, 'a'], [3, 'b']], length: 2 })).toThrow(/must ascend/);
    expect(() => w.plan({ type: 'array', entries: [[-1, 'a']], length: 1 })).toThrow(/from 0 to 2\^64-2/);
    expect(() => w.plan({ type: 'array', entries: [[0xffffffffffffffffn, 'a']], length: 1 })).toThrow(/from 0 to 2\^64-2/);
    expect(w.plan({ type: 'array', entries: [[0xfffffffffffffffen, 'a']], length: 1 }).rdbType).toBe(28);
    const w13 = new RdbWriter(memorySink(), { rdbVersion: 13 });
    expect(() => w13.plan({ type: 'array', entries: [[0, 'a']], length: 1 })).toThrow(/ARRAY values cannot be written in RDB 13 \(Redis 8\.6\)/);
  });

  it('the record as FORMATS.md §2.20 lays it out: count, no insert index, then index, tag 0 and the string per element', async () => {
    const { RdbWriter } = await import('../../src/rdb/encoder.js');
    const sink = memorySink();
    const w = new RdbWriter(sink, { rdbVersion: 14, checksum: false });
    w.header();
    w.selectDb(0);
    w.key('a', { type: 'array', entries: [[1, 'x'], [64, '-5']], length: 2 });
    w.end();
    const b = Buffer.from(sink.bytes());
    const at = b.indexOf(Buffer.from([28, 1, 0x61]));
    expect(at).toBeGreaterThan(0);
    // 02 count · 00 flag · 01 index, 00 tag, 01 'x' · 40 40 index 64, 00 tag, c0 fb (int-encoded "-5")
    expect(b.subarray(at + 3, b.length - 9).toString('hex')).toBe('0200' + '0100' + '0178' + '4040' + '00' + 'c0fb');
  });

  it('a DUMP payload of RDB 14 carries an array, read back by the payload reader', () => {
    const a = new ArrayValue();
    a.set(3, 'three');
    a.set(2 ** 33, '12345');
    const payload = encodeDumpPayload(a, { rdbVersion: 14 });
    const back = decodeDumpPayload(payload);
    expect(back.rdbType).toBe(28);
    expect(back.version).toBe(14);
    expect([...(back.value as ArrayValue).entries()]).toEqual([...a.entries()]);
  });
});

// ---------------------------------------------------------------- what real servers wrote

describeCorpus('files a real Redis 8.6 and Valkey 9.0 wrote', () => {
  const v13 = ['stream_v13_idmp.rdb', 'stream_v13.rdb'];

  it.each(v13)('%s: rewritten as RDB 13 with its own AUX fields, byte for byte the file Redis 8.6 wrote', async (name) => {
    const src = new Uint8Array(readFileSync(corpusPath('librdb', name)));
    const ds = (await load(src, name)).dataset;
    const sink = memorySink();
    await writeDatasetRdb(ds, sink, { rdbVersion: 13, aux: 'source', keyOrder: 'insertion' });
    expect(Buffer.from(sink.bytes()).equals(Buffer.from(src))).toBe(true);
  });

  it.each(v13)('%s: convert keeps it at RDB 13 for redis@8.6, the key records byte for byte, the AUX fields those of the server', async (name) => {
    const file = corpusPath('librdb', name);
    const src = new Uint8Array(readFileSync(file));
    const to = out('v13.rdb');
    const res = await convert(file, to, { to: 'rdb', nowMs: NOW, toolVersion: 'test' });
    expect(res.target).toMatchObject({ rdbVersion: 13, chosenBy: 'input', release: { id: 'redis@8.6' } });
    const mine = new Uint8Array(readFileSync(to));
    const a = layout(src);
    const b = layout(mine);
    expect(b.magic).toBe(a.magic);
    expect(Buffer.from(mine.subarray(b.bodyStart, b.eof + 1)).equals(Buffer.from(src.subarray(a.bodyStart, a.eof + 1)))).toBe(true);
    // The real file's AUX names, in its order, then the one that says what wrote the file.
    expect(b.aux.map(([n]) => n)).toEqual([...a.aux.map(([n]) => n), 'rdbtool-ver']);
    expect(Object.fromEntries(b.aux)).toMatchObject({ 'redis-ver': '8.6.0', 'redis-bits': '64', ctime: String(NOW / 1000), 'used-mem': Object.fromEntries(a.aux)['used-mem'], 'aof-base': '0' });
  });

  it('stream_v13_idmp.rdb up to RDB 14 (type 27, an empty NACK zone per group) and down to 13 again: the file Redis 8.6 wrote', async () => {
    const file = corpusPath('librdb', 'stream_v13_idmp.rdb');
    const up = out('v14.rdb');
    await convert(file, up, { to: 'rdb', targetVersion: 14, nowMs: NOW, toolVersion: 'test' });
    const upBytes = new Uint8Array(readFileSync(up));
    expect(rdbFacts(upBytes).types).toEqual({ 27: 1 });
    expect(datasetDigest((await load(upBytes)).dataset)).toBe(datasetDigest(await datasetOfFile(file)));
    const down = out('v13.rdb');
    await convert(up, down, { to: 'rdb', target: 'redis@8.6', nowMs: NOW, toolVersion: 'test' });
    const src = new Uint8Array(readFileSync(file));
    const a = layout(src);
    const b = layout(new Uint8Array(readFileSync(down)));
    expect(Buffer.from(readFileSync(down).subarray(b.bodyStart, b.eof + 1)).equals(Buffer.from(src.subarray(a.bodyStart, a.eof + 1)))).toBe(true);
  });

  it('Valkey targets get the AUX fields a Valkey 9 file has (valkey-ver, not redis-ver)', async () => {
    const real = layout(new Uint8Array(readFileSync(corpusPath('rdb', 'valkey_hash2_with_hfe.rdb'))));
    for (const target of ['valkey@9.0', 'valkey@9.2']) {
      const to = out('valkey.rdb');
      await convert(corpusPath('rdb', 'valkey_hash2_with_hfe.rdb'), to, { to: 'rdb', target, nowMs: NOW, toolVersion: 'test' });
      const l = layout(new Uint8Array(readFileSync(to)));
      expect(l.magic).toBe(target === 'valkey@9.0' ? 'VALKEY080' : 'VALKEY081');
      expect(l.aux.map(([n]) => n)).toEqual([...real.aux.map(([n]) => n), 'rdbtool-ver']);
      expect(Object.fromEntries(l.aux)['valkey-ver']).toBe(target === 'valkey@9.0' ? '9.0.0' : '9.2.0');
      expect(datasetDiff(await datasetOfFile(corpusPath('rdb', 'valkey_hash2_with_hfe.rdb')), await datasetOfFile(to))).toEqual([]);
    }
  });
});

// ---------------------------------------------------------------- convert: up and down

describe('convert up to RDB 15 and back down to Redis 7.0', () => {
  beforeAll(() => requireRedisServer());

  it.each(fixtureRdbs().map((f) => [path.basename(f, '.rdb'), f] as const))('%s: the RDB 10 file is the one a direct conversion writes, and Redis 7.0 holds the fixture’s data', async (_name, file) => {
    const up = out('up.rdb');
    const opts = { nowMs: NOW, toolVersion: 'test' };
    const r15 = await convert(file, up, { to: 'rdb', targetVersion: 15, ...opts });
    expect(r15.target).toMatchObject({ rdbVersion: 15, release: { id: 'redis@8.10' } });
    expect(layout(new Uint8Array(readFileSync(up))).magic).toBe('REDIS0015');
    const down = out('down.rdb');
    const r10 = await convert(up, down, { to: 'rdb', target: 'redis@7.0', ...opts });
    expect(r10.target.rdbVersion).toBe(10);
    expect(r10.dropped).toEqual([]);
    const direct = out('direct.rdb');
    await convert(file, direct, { to: 'rdb', target: 'redis@7.0', ...opts });
    expect(Buffer.from(readFileSync(down)).equals(readFileSync(direct))).toBe(true);
    const source = await datasetOfFile(file);
    expect(datasetDiff(source, await datasetOfFile(up))).toEqual([]);
    expect(datasetDiff(source, await serverOnRdb(down))).toEqual([]);
  });

  it('random datasets with arrays, IDMP state and NACK zones: RDB 15 holds them; down to 7.0 with --drop-newer keeps the rest, and Redis 7.0 loads it', async () => {
    const ds = newerDataset(9);
    const gcra = ds.peekDb(0)!.get('gcra:limiter');
    ds.peekDb(0)!.delete('gcra:limiter');
    expect(gcra).toBeDefined();
    // Field TTLs and hashes' volatile fields go with --drop-field-ttl on the way down.
    const src = out('src15.rdb');
    const w = await write(ds, 15);
    expect(w.result.skipped).toEqual([]);
    writeFileSync(src, w.bytes);
    const again = out('again15.rdb');
    const r = await convert(src, again, { to: 'rdb', nowMs: NOW, toolVersion: 'test' });
    expect(r.target.rdbVersion).toBe(15);
    expect(datasetDigest(await datasetOfFile(again))).toBe(datasetDigest(ds));

    const down = out('down10.rdb');
    const refused = convert(again, down, { to: 'rdb', target: 'redis@7.0', nowMs: NOW });
    await expect(refused).rejects.toMatchObject({ code: 'TARGET_CANNOT_HOLD' });
    const res = await convert(again, down, { to: 'rdb', target: 'redis@7.0', drop: ['newer', 'field-ttl'], nowMs: NOW, toolVersion: 'test' });
    const newer = res.dropped.find((d) => d.kind === 'newer')!;
    expect(newer.count).toBe(NEWER_KEYS.arrays.length + NEWER_KEYS.idmp.length + NEWER_KEYS.nack.length);
    const held = await serverOnRdb(down);
    for (const k of NEWER_KEYS.arrays) expect(held.peekDb(0)!.get(k)).toBeUndefined();
    const nack = held.peekDb(0)!.get('stream:nack') as StreamValue;
    // The unowned pending entries went with the NACK zone; owned ones and the entries stayed.
    expect(nack.entryCount).toBe(8);
    expect([...nack.groups.get('workers')!.pending.values()].map((p) => p.consumer).sort()).toEqual(['alice', 'bob']);
    expect(held.peekDb(0)!.get('stream:idmp')).toBeDefined();
  });
});

// ---------------------------------------------------------------- losses

describe('what each target holds of the new values (the release table decides)', () => {
  let input: string;
  beforeAll(async () => {
    const ds = newerDataset(11);
    ds.peekDb(0)!.delete('gcra:limiter');
    input = out('losses15.rdb');
    writeFileSync(input, (await write(ds, 15)).bytes);
  });

  const newerCount = (target: string) =>
    (target === 'redis@8.6' ? 0 : NEWER_KEYS.idmp.length) + NEWER_KEYS.nack.length + NEWER_KEYS.arrays.length;

  it.each(['redis@8.8', 'redis@8.10'])('%s holds all of it', async (target) => {
    const to = out('held.rdb');
    const r = await convert(input, to, { to: 'rdb', target, nowMs: NOW });
    expect(r.dropped).toEqual([]);
    expect(datasetDigest(await datasetOfFile(to))).toBe(datasetDigest(await datasetOfFile(input)));
  });

  it.each(['redis@8.6', 'redis@8.4', 'valkey@9.2'])('%s: refused without --drop-newer, and what it holds kept with it', async (target) => {
    const to = out('refused.rdb');
    const err = await convert(input, to, { to: 'rdb', target, nowMs: NOW }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TARGET_CANNOT_HOLD' });
    const losses = (err as { losses: { kind: string; count: number }[] }).losses;
    expect(losses.find((l) => l.kind === 'newer')?.count).toBe(newerCount(target));

    const opts: ConvertOptions = { to: 'rdb', target, drop: ['newer'], nowMs: NOW };
    const r = await convert(input, to, opts);
    expect(r.dropped.find((d) => d.kind === 'newer')?.count).toBe(newerCount(target));
    const back = await datasetOfFile(to);
    for (const k of NEWER_KEYS.arrays) expect(back.peekDb(0)!.get(k)).toBeUndefined();
    const idmp = back.peekDb(0)!.get('stream:idmp') as StreamValue;
    // Redis 8.6 keeps a stream's IDMP state; older lines and Valkey lose it (and the stream stays).
    if (target === 'redis@8.6') expect(idmp.idmp?.durationSec).toBe(7200);
    else expect(idmp.idmp === null || idmp.idmp.durationSec === 100).toBe(true);
    const nack = back.peekDb(0)!.get('stream:nack') as StreamValue;
    expect(nack.groups.get('workers')!.pending.size).toBe(2);
    expect(judge(rdbFacts(new Uint8Array(readFileSync(to))), parseTarget(target)).blockers).toEqual([]);
  });

  it('commands carry none of it: --to aof for redis@8.10 refuses arrays, IDMP state and NACK zones', async () => {
    const err = await convert(input, out('x.aof'), { to: 'aof', target: 'redis@8.10' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TARGET_CANNOT_HOLD' });
    expect((err as { losses: { kind: string; count: number }[] }).losses.find((l) => l.kind === 'newer')?.count).toBe(newerCount('redis@8.8'));
  });

  it('--restore for redis@8.8: RESTORE payloads of RDB 14 carry it (read back by the payload reader)', async () => {
    const sink = memorySink();
    const r = await convert(input, sink, { to: 'resp', restore: true, target: 'redis@8.8' });
    expect(r.dropped).toEqual([]);
    const text = Buffer.from(sink.bytes()).toString('latin1');
    // The payload of arr:sparse: the RESTORE key's third argument.
    const key = 'arr:sparse';
    const at = text.indexOf(`$${key.length}\r\n${key}\r\n`);
    expect(at).toBeGreaterThan(0);
    let p = at + `$${key.length}\r\n${key}\r\n`.length;
    const skipBulk = () => {
      const nl = text.indexOf('\r\n', p);
      const n = Number(text.slice(p + 1, nl));
      const start = nl + 2;
      p = start + n + 2;
      return Buffer.from(text.slice(start, start + n), 'latin1');
    };
    skipBulk(); // ttl
    const payload = new Uint8Array(skipBulk());
    const back = decodeDumpPayload(payload);
    expect(back.version).toBe(14);
    const src = (await datasetOfFile(input)).peekDb(0)!.get(key) as ArrayValue;
    expect([...(back.value as ArrayValue).entries()]).toEqual([...src.entries()]);
  });
});
