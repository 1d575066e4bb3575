/**
 * The memory estimate against the real server: Debian's redis-server 7.0 (linking the
 * system's jemalloc: `--allocator jemalloc-system`) loads each RDB, answers `MEMORY USAGE
 * <key> SAMPLES 0` and `OBJECT ENCODING <key>` for every key, and the estimate of the same
 * file must agree — per key within ±10% for at least 95% of the keys of each encoding and
 * within ±25% for all, the encoding after load the same, and the sum over all keys within ±3%
 * of the server's.
 *
 * The files (test/helpers/memory-calibration.ts): the RDB fixtures, the corpus files 7.0 loads
 * (old encodings: zipmaps, ziplists, linked lists, quicklists of ziplists), and datasets built
 * through live servers and SAVEd — one with default settings, one with raised limits whose
 * listpacks, intsets and list nodes 7.0 converts or keeps when it loads them with its defaults —
 * and the same data rewritten by rdbtool for Redis 6.2 (RDB 9) and 3.0 (RDB 6), in their
 * encodings. The same files are the inputs of the recorded answers of other servers
 * (fixtures/memory/, test/analyze/memory-recorded.test.ts).
 *
 * One test per encoding after load, so a miss names it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeMemory } from '../../src/analyze/memory/memory-input.js';
import { parseMemoryTarget } from '../../src/analyze/memory/target.js';
import { asNumber, asText, requireRedisServer, startRedis } from '../helpers/redis.js';
import { fixtureRdbs } from '../helpers/files.js';
import { calibrationInputs, type MemoryPair, type MemoryTotal } from '../helpers/memory-calibration.js';

// Debian's package links the system's jemalloc.
const TARGET = parseMemoryTarget('redis@7.0', 'jemalloc-system');

type Pair = MemoryPair<Buffer>;
type Total = MemoryTotal;

/**
 * Every key of `file`: its estimate, and the server's figures once it has loaded the file
 * (keys it dropped are left out); and the whole file's estimated `used_memory` against the
 * server's, pushed to `totals`.
 */
async function compareFile(file: string, label: string, totals: Total[]): Promise<Pair[]> {
  const records: { db: number; key: Buffer; type: string; bytes: number; encoding: string }[] = [];
  const { error, report } = await analyzeMemory(file, {
    target: TARGET,
    top: 0,
    depth: 0,
    onRecord: (k) => records.push({ db: k.db, key: Buffer.from(k.key), type: k.valueType, bytes: k.memoryBytes, encoding: k.encoding }),
  });
  expect(error, label).toBeNull();
  const redis = await startRedis({ rdbFile: file });
  try {
    // Before any reply has been buffered: the server's memory is its data and its start-up.
    const used = Number(/used_memory:(\d+)/.exec(asText(await redis.client.call('INFO', 'memory')))![1]);
    totals.push({ file: label, estimate: report.totals.datasetBytes, server: used });
    const pairs: Pair[] = [];
    const dbs = [...new Set(records.map((r) => r.db))];
    for (const db of dbs) {
      await redis.client.call('SELECT', String(db));
      const mine = records.filter((r) => r.db === db);
      for (let i = 0; i < mine.length; i += 500) {
        const batch = mine.slice(i, i + 500);
        const replies = await redis.client.callAll(batch.flatMap((r) => [['MEMORY', 'USAGE', r.key, 'SAMPLES', '0'], ['OBJECT', 'ENCODING', r.key]]));
        batch.forEach((r, j) => {
          const usage = replies[2 * j];
          if (usage === null) return; // expired: dropped on load
          pairs.push({ file: label, db, key: r.key, type: r.type, estimate: r.bytes, estimateEncoding: r.encoding, server: asNumber(usage), serverEncoding: asText(replies[2 * j + 1]) });
        });
      }
    }
    // The server holds no key the estimate does not know.
    let serverKeys = 0;
    for (const db of dbs) {
      await redis.client.call('SELECT', String(db));
      serverKeys += asNumber(await redis.client.call('DBSIZE'));
    }
    expect(serverKeys, label).toBe(pairs.length);
    return pairs;
  } finally {
    await redis.stop();
  }
}

/** Encodings after load, each with the least number of keys the files must give it. */
const ENCODINGS: [type: string, encoding: string, minKeys: number][] = [
  ['string', 'int', 20],
  ['string', 'embstr', 50],
  ['string', 'raw', 30],
  ['list', 'quicklist', 30],
  ['set', 'intset', 15],
  ['set', 'hashtable', 20],
  ['zset', 'listpack', 10],
  ['zset', 'skiplist', 10],
  ['hash', 'listpack', 30],
  ['hash', 'hashtable', 30],
  ['stream', 'stream', 10],
];

const relError = (p: Pair): number => (p.estimate - p.server) / p.server;
const showPair = (p: Pair): string => `${p.file} db${p.db} ${JSON.stringify(p.key.toString('latin1').slice(0, 60))}: estimate ${p.estimate} (${p.estimateEncoding}), server ${p.server} (${p.serverEncoding}), ${(relError(p) * 100).toFixed(1)}%`;

describe('memory estimate against redis-server 7.0 (MEMORY USAGE SAMPLES 0)', () => {
  requireRedisServer();
  const pairs: Pair[] = [];
  const totals: Total[] = [];
  const files: string[] = [];
  let dir = '';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-memory-'));
    for (const { file, label, kind } of await calibrationInputs(dir)) {
      let got: Pair[];
      try {
        got = await compareFile(file, label, totals);
      } catch (e) {
        // Corpus files 7.0 cannot load (newer RDB versions, modules) are not part of the comparison.
        if (kind !== 'corpus' || !/exited during start|RDB|module/i.test(String(e))) throw e;
        continue;
      }
      files.push(label);
      pairs.push(...got);
    }
  }, 600_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('compares the files it was given', () => {
    expect(files).toContain('built (defaults)');
    expect(files).toContain('built (raised limits)');
    expect(files).toContain('built (default) as RDB 9');
    expect(files).toContain('built (raised) as RDB 6');
    expect(files.length).toBeGreaterThanOrEqual(fixtureRdbs().length + 6);
    expect(pairs.length).toBeGreaterThan(800);
  });

  for (const [type, encoding, minKeys] of ENCODINGS) {
    it(`${type} / ${encoding}: the encoding after load, and the memory within ±10% (95% of keys) and ±25% (all)`, () => {
      const mine = pairs.filter((p) => p.type === type && p.serverEncoding === encoding);
      expect(mine.length, `keys of ${type}/${encoding}`).toBeGreaterThanOrEqual(minKeys);
      const wrongEncoding = mine.filter((p) => p.estimateEncoding !== p.serverEncoding);
      expect(wrongEncoding.map(showPair)).toEqual([]);
      const within10 = mine.filter((p) => Math.abs(relError(p)) <= 0.1).length;
      expect(within10 / mine.length, mine.filter((p) => Math.abs(relError(p)) > 0.1).map(showPair).join('\n')).toBeGreaterThanOrEqual(0.95);
      expect(mine.filter((p) => Math.abs(relError(p)) > 0.25).map(showPair)).toEqual([]);
    });
  }

  it('every key the server holds has one of the encodings above', () => {
    const known = new Set(ENCODINGS.map(([t, e]) => `${t}/${e}`));
    expect(pairs.filter((p) => !known.has(`${p.type}/${p.serverEncoding}`)).map(showPair)).toEqual([]);
  });

  it('the sum over all keys is within ±3% of the server\'s, over all files and over each', () => {
    const sum = (ps: Pair[], f: (p: Pair) => number) => ps.reduce((s, p) => s + f(p), 0);
    const total = sum(pairs, (p) => p.estimate) / sum(pairs, (p) => p.server) - 1;
    expect(Math.abs(total)).toBeLessThanOrEqual(0.03);
    for (const f of files) {
      const mine = pairs.filter((p) => p.file === f);
      if (mine.length === 0) continue;
      const err = sum(mine, (p) => p.estimate) / sum(mine, (p) => p.server) - 1;
      expect(Math.abs(err), f).toBeLessThanOrEqual(0.03);
    }
  });

  it('the estimated used_memory of a loaded file is within ±3% of the server\'s (files of 1 MB of data or more)', () => {
    // (The server's figure includes the test's own connection, some 17 KB.)
    const big = totals.filter((t) => t.server > 2_000_000);
    expect(big.length).toBeGreaterThanOrEqual(4);
    const lines = totals.map((t) => `${t.file}: estimate ${t.estimate}, server ${t.server} (${(((t.estimate - t.server) / t.server) * 100).toFixed(2)}%)`);
    if (process.env.RDBTOOL_MEMORY_REPORT) process.stderr.write(lines.join('\n') + '\n');
    for (const t of big) expect(Math.abs(t.estimate / t.server - 1), t.file).toBeLessThanOrEqual(0.03);
  });

  it('reports its figures (share within ±10%, worst key, sum error, per encoding)', () => {
    const lines: string[] = [];
    const summary = (ps: Pair[]): string => {
      const within = ps.filter((p) => Math.abs(relError(p)) <= 0.1).length;
      const worst = ps.reduce((w, p) => (Math.abs(relError(p)) > Math.abs(relError(w)) ? p : w), ps[0]);
      const sumErr = ps.reduce((s, p) => s + p.estimate, 0) / ps.reduce((s, p) => s + p.server, 0) - 1;
      return `${ps.length} keys, ${((within / ps.length) * 100).toFixed(1)}% within ±10%, sum ${(sumErr * 100).toFixed(2)}%, worst ${showPair(worst)}`;
    };
    lines.push(`all: ${summary(pairs)}`);
    for (const [type, encoding] of ENCODINGS) {
      const mine = pairs.filter((p) => p.type === type && p.serverEncoding === encoding);
      if (mine.length) lines.push(`${type}/${encoding}: ${summary(mine)}`);
    }
    if (process.env.RDBTOOL_MEMORY_REPORT) process.stderr.write(lines.join('\n') + '\n');
    expect(lines.length).toBe(ENCODINGS.length + 1);
  });
});

