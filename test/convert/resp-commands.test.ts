/**
 * RESP output for `redis-cli --pipe` (src/convert/resp-commands.ts), judged by a real Redis 7.0
 * (one server for the file): every RDB fixture, and every corpus RDB Redis 7.0 loads, is piped
 * with the real `redis-cli --pipe` into the server, and the server's SAVE holds the source —
 *
 * - plain commands into an empty server (what commands carry, as for the AOF rewrite);
 * - with `replace` over a server already holding other values (of another type) for the same
 *   keys, and the same libraries: no error, and the old values are gone;
 * - with `restore` (RESTORE of DUMP payloads) into an empty server, and with `restore` and
 *   `replace` over other values: the whole source, stream state and consumers' times included;
 * - with `restore` and `keepLru`, the LFU counters of the keys.
 *
 * redis-cli's own count of replies is the writer's count of commands, and it counts no error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCommandsCarryIt } from '../helpers/commands-carry.js';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Dataset } from '../../src/dataset/dataset.js';
import { ZSetValue } from '../../src/dataset/zset.js';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import { bytesSource } from '../../src/io/source.js';
import { memorySink } from '../../src/io/byte-sink.js';
import { payloadVersionFor, writeDatasetResp, type WriteDatasetRespOptions } from '../../src/convert/resp-commands.js';
import { parseTarget } from '../../src/analyze/compat.js';
import type { AofRewriteResult } from '../../src/convert/aof-rewrite.js';
import { fixtureRdbs, goodCorpusRdbs, RUN_CORPUS, describeCorpus, FIXTURES } from '../helpers/files.js';
import { findExecutable, requireRedisServer, startRedis, type RedisHandle } from '../helpers/redis.js';
import { pipeInto, type PipeResult } from '../helpers/redis-pipe.js';
import { datasetDiff } from '../helpers/replay-oracle.js';

const NOW_MS = Date.now();

let server: RedisHandle;

beforeAll(async () => {
  requireRedisServer();
  if (!findExecutable('redis-cli')) throw new Error('redis-cli not found: install the redis-tools (or redis) package');
  server = await startRedis();
}, 30_000);
afterAll(async () => {
  await server?.stop();
});

async function loadFile(file: string): Promise<Dataset> {
  const ds = (await loadRdb(bytesSource(new Uint8Array(readFileSync(file)), path.basename(file)))).dataset;
  // Module values: the test server has no module to RESTORE them into (the plain commands refuse them).
  for (const index of ds.dbIndexes()) {
    const db = ds.peekDb(index)!;
    for (const [key, v] of [...db.values]) if (typeof v !== 'string' && v.type === 'module') db.delete(key);
  }
  return ds;
}

async function respOf(ds: Dataset, opts: WriteDatasetRespOptions = {}): Promise<{ bytes: Uint8Array; result: AofRewriteResult }> {
  const sink = memorySink();
  const result = await writeDatasetResp(ds, sink, opts);
  return { bytes: sink.bytes(), result };
}

/** Sends `bytes` with `redis-cli -p PORT --pipe`; its count of errors and replies, and what it printed. */
function pipe(bytes: Uint8Array): Promise<PipeResult> {
  return pipeInto(server.port, bytes);
}

async function reset(): Promise<void> {
  await server.client.call('FLUSHALL');
  await server.client.call('FUNCTION', 'FLUSH');
}

async function serverDataset(): Promise<Dataset> {
  await server.client.call('SAVE');
  return (await loadRdb(bytesSource(new Uint8Array(readFileSync(server.dumpPath)), 'dump.rdb'))).dataset;
}

/** Pipes `bytes` and expects redis-cli to count no error and one reply per command. */
async function pipeClean(bytes: Uint8Array, result: AofRewriteResult): Promise<void> {
  const r = await pipe(bytes);
  expect(r.errors, r.output.slice(0, 2000)).toBe(0);
  expect(r.replies).toBe(result.commands);
}

/**
 * Other values under every key of `ds` (a list where it holds a string, a string elsewhere),
 * the same libraries, and one key of its own (`other:key` in db 0, returned for the check).
 */
async function occupy(ds: Dataset): Promise<string> {
  const lines: Buffer[] = [];
  const cmd = (...args: (string | Uint8Array)[]) => {
    lines.push(Buffer.from(`*${args.length}\r\n`));
    for (const a of args) {
      const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : Buffer.from(a);
      lines.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
    }
  };
  for (const [, code] of ds.functions.entries()) cmd('FUNCTION', 'LOAD', code);
  for (const e of ds.entries({ sorted: false })) {
    cmd('SELECT', String(e.db));
    if (typeof e.value === 'string') cmd('RPUSH', e.key, 'old-1', 'old-2');
    else cmd('SET', e.key, 'old value');
  }
  cmd('SELECT', '0');
  cmd('SET', 'other:key', 'stays');
  const r = await pipe(Buffer.concat(lines));
  expect(r.errors, r.output.slice(0, 2000)).toBe(0);
  return 'other:key';
}


/** Both sides without what has expired (a RESTORE or PEXPIREAT in the past removes the key at once). */
function dropExpired(...sets: Dataset[]): void {
  for (const ds of sets) ds.dropExpired(NOW_MS);
}

/** The four ways a dataset is piped, each compared with what the server then holds. */
async function judge(file: string): Promise<void> {
  // Plain commands into an empty server.
  {
    const source = await loadFile(file);
    const { bytes, result } = await respOf(source);
    expect(result.skipped).toEqual([]);
    await reset();
    await pipeClean(bytes, result);
    const got = await serverDataset();
    asCommandsCarryIt(source, NOW_MS);
    asCommandsCarryIt(got, NOW_MS);
    expect(datasetDiff(source, got)).toEqual([]);
  }
  // DEL before each key, over other values and the same libraries.
  {
    const source = await loadFile(file);
    const { bytes, result } = await respOf(source, { replace: true });
    await reset();
    const extra = await occupy(source);
    await pipeClean(bytes, result);
    const got = await serverDataset();
    expect(got.peekDb(0)?.get(extra)).toBe('stays');
    got.peekDb(0)!.delete(extra);
    asCommandsCarryIt(source, NOW_MS);
    asCommandsCarryIt(got, NOW_MS);
    expect(datasetDiff(source, got)).toEqual([]);
  }
  // RESTORE into an empty server: everything, consumers' times included.
  {
    const source = await loadFile(file);
    const { bytes, result } = await respOf(source, { restore: true });
    expect(result.skipped).toEqual([]);
    await reset();
    await pipeClean(bytes, result);
    const got = await serverDataset();
    dropExpired(source, got);
    expect(datasetDiff(source, got, { consumerTimes: true })).toEqual([]);
  }
  // RESTORE … REPLACE over other values.
  {
    const source = await loadFile(file);
    const { bytes, result } = await respOf(source, { restore: true, replace: true });
    await reset();
    const extra = await occupy(source);
    await pipeClean(bytes, result);
    const got = await serverDataset();
    got.peekDb(0)!.delete(extra);
    dropExpired(source, got);
    expect(datasetDiff(source, got, { consumerTimes: true })).toEqual([]);
  }
}

/** Corpus RDBs that Redis 7.0 loads: those its redis-check-rdb accepts. */
function corpusFiles70(): string[] {
  if (!RUN_CORPUS) return [];
  const bin = findExecutable('redis-check-rdb');
  if (!bin) throw new Error('redis-check-rdb not found: install the redis-tools (or redis) package');
  return goodCorpusRdbs().filter((f) => spawnSync(bin, [f]).status === 0);
}

describe('RDB fixtures piped into Redis 7.0: plain, --replace, --restore, --restore --replace', () => {
  it.each(fixtureRdbs().map((f) => [path.basename(f, '.rdb'), f] as const))('%s', async (_name, file) => {
    await judge(file);
  });

  it('without --replace the same commands over other values are refused in part (the check above is not idle)', async () => {
    const source = await loadFile(path.join(FIXTURES, 'rdb', 'all-types.rdb'));
    await reset();
    await occupy(source);
    const plain = await pipe((await respOf(source)).bytes);
    // At least a WRONGTYPE per key that is not a string (SET overwrites anything) and a refusal per library.
    const nonStrings = [...source.entries()].filter((e) => typeof e.value !== 'string').length;
    expect(nonStrings).toBeGreaterThan(10);
    expect(plain.errors).toBeGreaterThanOrEqual(nonStrings + source.functions.size);
    await reset();
    await occupy(source);
    const restore = await pipe((await respOf(source, { restore: true })).bytes);
    expect(restore.errors).toBe(source.keyCount + source.functions.size); // BUSYKEY per key, "already exists" per library
  });

  it('the output’s forms: SELECT, DEL before each key, RESTORE with ABSTTL, FUNCTION LOAD REPLACE', async () => {
    const source = await loadFile(path.join(FIXTURES, 'rdb', 'all-types.rdb'));
    const text = Buffer.from((await respOf(source, { replace: true })).bytes).toString('latin1');
    expect(text.startsWith('*4\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$7\r\nREPLACE\r\n')).toBe(true);
    expect(text).toContain('*2\r\n$3\r\nDEL\r\n');
    const restored = Buffer.from((await respOf(source, { restore: true })).bytes).toString('latin1');
    expect(restored).toMatch(/\$7\r\nRESTORE\r\n/);
    const withTtl = [...source.entries()].find((e) => e.expireAtMs !== null)!;
    expect(restored).toContain(`$${withTtl.expireAtMs!.toString().length}\r\n${withTtl.expireAtMs}\r\n`);
    expect(restored).toMatch(/\$6\r\nABSTTL\r\n/);
    expect(restored).not.toMatch(/\$3\r\nDEL\r\n/);
  });

  it('--restore with LRU/LFU hints: FREQ gives the keys their LFU counters', async () => {
    const source = await loadFile(path.join(FIXTURES, 'rdb', 'lfu.rdb'));
    const withFreq = [...source.entries()].filter((e) => e.lfuFreq !== undefined);
    expect(withFreq.length).toBeGreaterThan(0);
    const { bytes, result } = await respOf(source, { restore: true, keepLru: true });
    await reset();
    await server.client.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
    try {
      await pipeClean(bytes, result);
      for (const e of withFreq) {
        await server.client.call('SELECT', String(e.db));
        expect(Number(await server.client.call('OBJECT', 'FREQ', Buffer.from(e.key, 'latin1'))), e.key).toBe(e.lfuFreq);
      }
    } finally {
      await server.client.call('SELECT', '0');
      await server.client.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    }
  });
});

describeCorpus('corpus RDBs Redis 7.0 loads, piped into it: plain, --replace, --restore, --restore --replace', () => {
  const files = corpusFiles70();
  it('finds files to judge', () => {
    expect(files.length).toBeGreaterThan(40);
  });
  it.each(files.map((f) => [f.split('/').slice(-2).join('/'), f] as const))('%s', async (_name, file) => {
    await judge(file);
  });
});

describe('sorted-set scores', () => {
  it('every magnitude is written as text Redis 7.0 reads back as the same double, the infinities included (and -0 as -0)', async () => {
    const rand = (() => {
      let x = 12345;
      return () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296);
    })();
    const scores = [0, -0, Infinity, -Infinity, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 2 ** 53 + 2, 1e21, 1e-7, 123456.7891, 0.1, -1.5];
    for (let i = 0; i < 400; i++) {
      const mag = 10 ** Math.floor(rand() * 600 - 300);
      scores.push((rand() - 0.5) * mag, Math.round(rand() * 1e6) / 1e4, Math.floor(rand() * 2 ** 53));
    }
    const ds = new Dataset();
    // A small set (listpack on the server) and a large one (skiplist).
    ds.db(0).add('few', ZSetValue.from(scores.slice(0, 40).map((_, i) => `m${i}`), scores.slice(0, 40))!, null);
    ds.db(0).add('many', ZSetValue.from(scores.map((_, i) => `m${i}`), scores)!, null);
    const { bytes, result } = await respOf(ds);
    // JavaScript's shortest text, not %.17g: 0.1 is written "0.1".
    const text = Buffer.from(bytes).toString('latin1');
    expect(text).toContain('$3\r\n0.1\r\n');
    expect(text).toContain('$2\r\n-0\r\n');
    await reset();
    await pipeClean(bytes, result);
    const got = (await serverDataset()).db(0);
    for (const key of ['few', 'many']) {
      const { members, scores: want } = (ds.db(0).get(key) as ZSetValue).toArrays();
      const back = got.get(key) as ZSetValue;
      const byMember = new Map(back.toArrays().members.map((m, i) => [m, back.toArrays().scores[i]]));
      // (=== : Redis 7.0 itself keeps -0 as the integer 0 in a listpack, which every ZADD starts.)
      for (let i = 0; i < members.length; i++) expect(byMember.get(members[i]) === want[i], `${members[i]}: ${want[i]}`).toBe(true);
    }
  });
});

describe('the RDB version of --restore payloads', () => {
  it('is the one the target line saves with, Redis 8.6+ and Valkey 9.2 included', () => {
    const v = (t: string) => payloadVersionFor(parseTarget(t));
    expect([v('redis@5.0'), v('redis@7.0'), v('redis@7.4'), v('redis@8.6'), v('redis@8.8'), v('redis@8.10')]).toEqual([9, 10, 12, 13, 14, 15]);
    expect([v('valkey@8.0'), v('valkey@9.0'), v('valkey@9.2')]).toEqual([11, 80, 81]);
  });
});
