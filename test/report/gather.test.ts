/**
 * The report's data, gathered in one pass per input: its figures add up (the prefix tree's
 * totals to the memory total, the TTL buckets to the key count, the writes over time to the
 * commands), and sharing one pass changes nothing — every figure equals what the `memory` and
 * `inspect` analyzers give when each reads the input alone.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gatherReport } from '../../src/report/gather.js';
import { TtlBuckets } from '../../src/report/ttl-buckets.js';
import { MAX_TIME_BUCKETS, WritesOverTime } from '../../src/report/writes-over-time.js';
import { RdbHandlerTee } from '../../src/report/handler-tee.js';
import { TTL_BUCKET_IDS, type ReportData, type ReportPrefix } from '../../src/report/report-data.js';
import { analyzeMemory } from '../../src/analyze/memory/memory-input.js';
import { parseMemoryTarget } from '../../src/analyze/memory/target.js';
import { inspectInput } from '../../src/analyze/aof-overview.js';
import { bytesToJson } from '../../src/format/json.js';
import type { AofCommand } from '../../src/model/aof-events.js';
import type { KeyInfo, RdbHandler } from '../../src/model/events.js';
import { FIXTURES, fixtureRdbs } from '../helpers/files.js';

const TARGET = parseMemoryTarget(undefined, undefined);
const STAMP = { tool: 'rdbtool test', generatedAtMs: 0 };
const NOW = Date.UTC(2026, 0, 1);
const AOF_INPUTS = ['plain.aof', 'hybrid.aof', 'resp-multipart/appendonlydir', 'rdb-multipart/appendonlydir'].map((p) => path.join(FIXTURES, 'aof', p));

const tmp = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-report-gather-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sum = <T>(xs: readonly T[], f: (x: T) => number): number => xs.reduce((s, x) => s + f(x), 0);

/** Every prefix of the tree, depth first. */
function allPrefixes(roots: readonly ReportPrefix[]): ReportPrefix[] {
  return roots.flatMap((p) => [p, ...allPrefixes(p.children)]);
}

/** The sums every report must satisfy. */
function expectFiguresAddUp(d: ReportData): void {
  const s = d.summary;
  // The prefix tree: its roots and the keys without a separator make up every key's memory.
  expect(d.prefixes.bytes).toBe(s.keysBytes);
  expect(d.prefixes.keys).toBe(s.keys);
  expect(sum(d.prefixes.roots, (p) => p.bytes) + d.prefixes.unprefixedBytes).toBe(s.keysBytes);
  expect(sum(d.prefixes.roots, (p) => p.keys) + d.prefixes.unprefixedKeys).toBe(s.keys);
  // Below the roots, no level holds more than its parent (exact trees: nothing left a table).
  expect(d.prefixes.approximate).toBe(false);
  for (const p of allPrefixes(d.prefixes.roots)) {
    expect(sum(p.children, (c) => c.bytes)).toBeLessThanOrEqual(p.bytes);
    expect(sum(p.children, (c) => c.keys)).toBeLessThanOrEqual(p.keys);
    expect(p.errorBytes).toBe(0);
  }
  // The TTL buckets: every key in exactly one.
  expect(d.ttl.map((b) => b.id)).toEqual([...TTL_BUCKET_IDS]);
  expect(sum(d.ttl, (b) => b.keys)).toBe(s.keys);
  expect(sum(d.ttl, (b) => b.bytes)).toBe(s.keysBytes);
  expect(s.keys - d.ttl.find((b) => b.id === 'never')!.keys).toBe(s.keysWithTtl);
  expect(d.ttl.find((b) => b.id === 'expired')!.keys).toBe(s.expiredKeys);
  // Types, databases and encodings each cover every key.
  expect(sum(d.byType, (t) => t.bytes)).toBe(s.keysBytes);
  expect(sum(d.byDb, (t) => t.bytes)).toBe(s.keysBytes);
  expect(sum(d.encodings, (t) => t.keys)).toBe(s.keys);
  expect(s.datasetBytes).toBeGreaterThanOrEqual(s.startupBytes);
}

describe('report data of the RDB fixtures', () => {
  for (const file of fixtureRdbs()) {
    it(`${path.basename(file)}: figures add up and equal those of memory and inspect`, async () => {
      const { data, error } = await gatherReport(file, { target: TARGET, nowMs: NOW, depth: 3, top: 20 }, STAMP);
      expect(error).toBeNull();
      expect(data.partial).toBeNull();
      expect(data.input.form).toBe('rdb');
      expectFiguresAddUp(data);

      const mem = (await analyzeMemory(file, { target: TARGET, nowMs: NOW, depth: 3, top: 20 })).report;
      expect(data.summary.keysBytes).toBe(mem.totals.keysBytes);
      expect(data.summary.datasetBytes).toBe(mem.totals.datasetBytes);
      expect(data.summary.usedMemBytes).toBe(mem.usedMemBytes);
      expect(data.topKeys.map((k) => [k.db, k.key, k.bytes])).toEqual(mem.topKeys.map((k) => [k.db, bytesToJson(k.key), k.memoryBytes]));
      expect(data.encodings).toEqual(mem.encodings.map((e) => ({ type: e.valueType, encoding: e.encoding, keys: e.keys, bytes: e.memoryBytes })));

      const ins = await inspectInput(file, { nowMs: NOW });
      if (ins.kind !== 'rdb') throw new Error('expected the RDB report');
      const r = ins.report;
      expect(data.summary.keys).toBe(r.totals.keys);
      expect(data.summary.keysWithTtl).toBe(r.totals.keysWithTtl);
      expect(data.summary.onDiskBytes).toBe(r.totals.onDiskBytes);
      expect(data.input.rdbVersion).toBe(r.rdbVersion);
      expect(data.input.checksum).toBe(r.checksum.status);
      expect(sum(data.fileEncodings!, (e) => e.onDiskBytes)).toBe(r.totals.onDiskBytes);
      const stored = new Map<string, number>();
      for (const d of r.databases) for (const e of d.encodings) stored.set(`${e.valueType}/${e.encoding}`, (stored.get(`${e.valueType}/${e.encoding}`) ?? 0) + e.keys);
      expect(new Map(data.fileEncodings!.map((e) => [`${e.type}/${e.encoding}`, e.keys]))).toEqual(stored);
    });
  }

  it('a cut file gives the figures of the keys before the cut, as memory does, marked partial', async () => {
    const whole = readFileSync(path.join(FIXTURES, 'rdb', 'all-types.rdb'));
    const cut = path.join(tmp, 'cut.rdb');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const { data, error } = await gatherReport(cut, { target: TARGET, nowMs: NOW }, STAMP);
    expect(error?.code).toBe('TRUNCATED');
    expect(data.partial).toMatchObject({ code: 'TRUNCATED', complete: false, file: cut });
    expect(data.partial!.readUpTo).toBeGreaterThan(0);
    expect(data.input.files[0].status).toBe('truncated');
    const mem = await analyzeMemory(cut, { target: TARGET, nowMs: NOW });
    expect(data.summary.keys).toBe(mem.report.totals.keys);
    expect(data.summary.keys).toBeGreaterThan(0);
    expectFiguresAddUp(data);
  });

  it('a wrong checksum keeps every figure and says so', async () => {
    const bytes = Buffer.from(readFileSync(path.join(FIXTURES, 'rdb', 'all-types.rdb')));
    bytes[bytes.length - 1] ^= 0xff;
    const bad = path.join(tmp, 'bad-crc.rdb');
    writeFileSync(bad, bytes);
    const { data, error } = await gatherReport(bad, { target: TARGET, nowMs: NOW }, STAMP);
    expect(error?.code).toBe('CHECKSUM_MISMATCH');
    expect(data.partial).toMatchObject({ code: 'CHECKSUM_MISMATCH', complete: true });
    const whole = await gatherReport(path.join(FIXTURES, 'rdb', 'all-types.rdb'), { target: TARGET, nowMs: NOW }, STAMP);
    expect(data.summary.keys).toBe(whole.data.summary.keys);
    expect(data.summary.keysBytes).toBe(whole.data.summary.keysBytes);
  });

  it('a file that is not a persistence file gets no report', async () => {
    const junk = path.join(tmp, 'junk.txt');
    writeFileSync(junk, 'hello, not an RDB\n');
    await expect(gatherReport(junk, { target: TARGET }, STAMP)).rejects.toMatchObject({ code: 'BAD_MAGIC' });
  });

  it('filters restrict every figure and are marked', async () => {
    const file = path.join(FIXTURES, 'rdb', 'all-types.rdb');
    const { data } = await gatherReport(file, { target: TARGET, nowMs: NOW, filter: { types: ['hash'] } }, STAMP);
    expect(data.filtered).toBe(true);
    expect(data.byType.map((t) => t.type)).toEqual(['hash']);
    expect(data.topKeys.every((k) => k.type === 'hash')).toBe(true);
    expectFiguresAddUp(data);
  });
});

describe('report data of the AOF fixtures', () => {
  for (const input of AOF_INPUTS) {
    const name = path.relative(path.join(FIXTURES, 'aof'), input);
    it(`${name}: figures add up and equal those of memory and inspect`, async () => {
      const { data, error } = await gatherReport(input, { target: TARGET, nowMs: NOW, depth: 3, top: 20 }, STAMP);
      expect(error).toBeNull();
      expectFiguresAddUp(data);
      expect(data.input.form).toBe(name.includes('multipart') ? 'multipart' : name === 'hybrid.aof' ? 'hybrid' : 'aof');

      const mem = (await analyzeMemory(input, { target: TARGET, nowMs: NOW, depth: 3, top: 20 })).report;
      expect(data.summary.keys).toBe(mem.totals.keys);
      expect(data.summary.keysBytes).toBe(mem.totals.keysBytes);
      expect(data.topKeys.map((k) => [k.db, k.key, k.bytes])).toEqual(mem.topKeys.map((k) => [k.db, bytesToJson(k.key), k.memoryBytes]));

      const ins = await inspectInput(input, { nowMs: NOW });
      if (ins.kind !== 'aof') throw new Error('expected the AOF report');
      const r = ins.report;
      expect(data.commands!.commands).toBe(r.commands);
      expect(data.commands!.bytes).toBe(r.bytes);
      expect(data.commands!.verdict).toBe(r.verdict.status);
      expect(data.input.files.map((f) => [f.name, f.status])).toEqual(r.parts.map((p) => [p.name, p.status]));
      expect(data.summary.keys).toBe(r.dataset!.report!.totals.keys);
      // Writes over time: every command but MULTI, EXEC and SELECT, placed in time or not.
      const control = sum(r.byName.filter((c) => c.name !== null && ['MULTI', 'EXEC', 'SELECT'].includes(Buffer.from(c.name).toString('latin1'))), (c) => c.commands);
      const w = data.writes!;
      expect(sum(w.buckets, (b) => b.commands) + w.untimed.commands).toBe(r.commands - control);
      expect(w.timestamps).toBe(r.timestamps.count);
      if (r.timestamps.count > 0) {
        expect(w.buckets[0].t).toBeLessThanOrEqual(r.timestamps.first!.sec);
        expect(w.buckets.at(-1)!.t).toBeLessThanOrEqual(r.timestamps.last!.sec);
        expect(w.buckets.at(-1)!.t + w.bucketSec).toBeGreaterThan(r.timestamps.last!.sec);
      }
    });
  }

  it('a cut multi-part AOF reports the dataset before the damage, with the files after it not read', async () => {
    const dir = path.join(tmp, 'cut-multipart');
    const src = path.join(FIXTURES, 'aof', 'resp-multipart', 'appendonlydir');
    const { cpSync } = await import('node:fs');
    cpSync(src, dir, { recursive: true });
    const base = path.join(dir, 'appendonly.aof.2.base.aof');
    const bytes = readFileSync(base);
    writeFileSync(base, bytes.subarray(0, bytes.length - 7));
    const { data, error } = await gatherReport(dir, { target: TARGET, nowMs: NOW }, STAMP);
    expect(error?.code).toBe('TRUNCATED');
    expect(data.partial).toMatchObject({ code: 'TRUNCATED', complete: false, file: path.join(dir, 'appendonly.aof.2.base.aof') });
    expect(data.input.files.map((f) => f.status)).toEqual(['truncated', 'not read']);
    expectFiguresAddUp(data);
  });
});

describe('TTL buckets', () => {
  it('put each expiry in its span from the instant, the instant itself not yet expired', () => {
    const now = 1_000_000_000_000;
    const t = new TtlBuckets(now);
    const H = 3_600_000;
    const cases: [number | null, string][] = [
      [now - 1, 'expired'],
      [0, 'expired'],
      [now, 'hour'],
      [now + H - 1, 'hour'],
      [now + H, 'day'],
      [now + 24 * H - 1, 'day'],
      [now + 24 * H, 'week'],
      [now + 7 * 24 * H - 1, 'week'],
      [now + 7 * 24 * H, 'later'],
      [Number.MAX_SAFE_INTEGER, 'later'],
      [null, 'never'],
    ];
    for (const [at, id] of cases) expect(TTL_BUCKET_IDS[t.bucketOf(at)], String(at)).toBe(id);
    cases.forEach(([at], i) => t.add(at, i + 1));
    const r = t.result();
    expect(sum(r, (b) => b.keys)).toBe(cases.length);
    expect(r.find((b) => b.id === 'hour')).toEqual({ id: 'hour', keys: 2, bytes: 3 + 4 });
  });
});

describe('writes over time', () => {
  const cmd = (byteLength: number, control: AofCommand['control'] = null): AofCommand => ({ argv: [], argc: 1, partedArgs: null, offset: 0, byteLength, line: 1, db: 0, inMulti: false, control });
  const ts = (sec: number) => ({ text: `#TS:${sec}`, raw: new Uint8Array(0), offset: 0, line: 1, byteLength: 1, timestampSec: sec, terminated: true });

  it('counts commands per second after each #TS, MULTI/EXEC/SELECT aside, and a file before its first #TS apart', () => {
    const w = new WritesOverTime();
    w.fileStart();
    w.command(cmd(10));
    w.annotation(ts(100));
    w.command(cmd(5));
    w.command(cmd(5, 'multi'));
    w.command(cmd(7));
    w.annotation(ts(102));
    w.command(cmd(1));
    w.fileStart();
    w.command(cmd(3));
    w.annotation(ts(100));
    w.command(cmd(2));
    expect(w.result()).toEqual({
      bucketSec: 1,
      buckets: [
        { t: 100, commands: 3, bytes: 14 },
        { t: 102, commands: 1, bytes: 1 },
      ],
      untimed: { commands: 2, bytes: 13 },
      timestamps: 3,
    });
  });

  it(`keeps at most ${MAX_TIME_BUCKETS} buckets, merged exactly, in any order of timestamps`, () => {
    const w = new WritesOverTime();
    w.fileStart();
    let n = 0;
    const seen = new Map<number, number>();
    // Two weeks of one timestamp a minute, out of order, a command after each: 336 hours.
    const minutes = 2 * 7 * 24 * 60;
    for (let i = 0; i < minutes; i++) {
      const sec = 1_699_999_200 + ((i * 7919) % minutes) * 60;
      w.annotation(ts(sec));
      w.command(cmd(2));
      n++;
      seen.set(sec, (seen.get(sec) ?? 0) + 1);
    }
    const r = w.result();
    expect(r.buckets.length).toBeLessThanOrEqual(MAX_TIME_BUCKETS);
    expect(sum(r.buckets, (b) => b.commands)).toBe(n);
    expect(sum(r.buckets, (b) => b.bytes)).toBe(2 * n);
    expect(r.bucketSec).toBe(3600);
    const expected = new Map<number, number>();
    for (const [sec, c] of seen) {
      const t = Math.floor(sec / r.bucketSec) * r.bucketSec;
      expected.set(t, (expected.get(t) ?? 0) + c);
    }
    expect(new Map(r.buckets.map((b) => [b.t, b.commands]))).toEqual(expected);
  });
});

describe('the handler tee', () => {
  const key = { db: 0, key: new Uint8Array([0x6b]), rdbType: 0, valueType: 'set', encoding: 'intset', expireAtMs: null, offset: 0, elements: 0, onDiskBytes: 0, valueBytes: 0 } as unknown as KeyInfo;

  it('gives a value only to the handlers that asked for it, and a whole blob only when one did', () => {
    const log: string[] = [];
    const h = (name: string, wants: boolean, takesBlob: boolean): RdbHandler => ({
      keyStart: () => wants,
      item: () => void log.push(`${name}:item`),
      blobValue: () => (log.push(`${name}:blob`), takesBlob),
      valueNode: () => void log.push(`${name}:node`),
      keyEnd: () => void log.push(`${name}:end`),
    });
    const one = new RdbHandlerTee([h('a', true, true), h('b', false, true)]);
    expect(one.keyStart(key)).toBe(true);
    expect(one.blobValue(11, new Uint8Array(1), 0)).toBe(true);
    one.item(new Uint8Array(1));
    one.valueNode(2, 10, null);
    one.keyEnd(key);
    expect(log.splice(0)).toEqual(['a:blob', 'a:item', 'a:node', 'b:node', 'a:end', 'b:end']);

    const two = new RdbHandlerTee([h('a', true, true), h('b', true, true)]);
    two.keyStart(key);
    expect(two.blobValue(11, new Uint8Array(1), 0)).toBe(false);
    two.item(new Uint8Array(1));
    two.keyEnd(key);
    expect(log.splice(0)).toEqual(['a:item', 'b:item', 'a:end', 'b:end']);

    const none = new RdbHandlerTee([h('a', false, true)]);
    expect(none.keyStart(key)).toBe(false);
    expect(none.blobValue(11, new Uint8Array(1), 0)).toBe(false);
    expect(log).toEqual([]);
  });
});
