/**
 * The benchmark dataset (STYLE §2.12): a ~1 GB RDB written by a real redis-server, built
 * once and cached in `.bench-cache/` (git-ignored).
 *
 * The server is started by the shared harness (scripts/lib/redis-server.ts) on 127.0.0.1
 * with a temporary directory and stopped by PID when the build ends, successfully or not.
 * Content is deterministic (DEBUG POPULATE plus a seeded PRNG); only AUX timestamps and
 * idle times differ between builds.
 *
 * What goes in, at `scale` 1 (see {@link benchParams}):
 * - millions of small strings from `DEBUG POPULATE` (values padded with zero bytes, so
 *   they are LZF-compressed in the file), some with a TTL, plus incompressible text
 *   strings and int-encoded strings, and a few thousand keys in db 1;
 * - tens of thousands of small collections in every encoding Redis 7.0 writes: listpack
 *   and hashtable hashes, single-node, multi-node, LZF-compressed-node and plain-node
 *   quicklists, intset and hashtable sets, listpack and skiplist zsets, and streams with
 *   consumer groups;
 * - a few big values: a 1M-field hash, a 2M-element list, a 500k-member zset and a
 *   100 MB string.
 */
import { phaseClock } from './phase-clock.js';
import fs from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { startRedis, type RedisHandle } from './redis-server.js';
import { asNumber, asText } from './resp-client.js';
import { B64, createRng, TextPool } from './random-text.js';
import { Pipeline, type Command } from './pipeline.js';

/** Bumped whenever the generator changes what it writes; a cache with another value is rebuilt. */
export const GENERATOR_VERSION = 1;

/** Counts and sizes of everything the generator writes. */
export interface BenchParams {
  /** Multiplier applied to every count below (1 = the ~1 GB dataset). */
  scale: number;
  seed: number;
  /** `DEBUG POPULATE <n> key <size>` in db 0. */
  populateKeys: number;
  populateValueBytes: number;
  /** Of those, how many get a (far-future) TTL. */
  populateWithTtl: number;
  /** Strings of random base64 text (not compressible), `textStringBytes` long. */
  textStrings: number;
  textStringBytes: number;
  /** Strings holding integers (int-encoded in the file). */
  intStrings: number;
  /** `DEBUG POPULATE` keys in db 1. */
  db1Keys: number;
  /** Small hashes (listpack), `smallHashFields` fields each. */
  listpackHashes: number;
  smallHashFields: number;
  /** Hashes above `hash-max-listpack-entries` (hashtable). */
  hashtableHashes: number;
  hashtableHashFields: number;
  /** Lists of one quicklist node. */
  smallLists: number;
  smallListItems: number;
  /** Lists of several quicklist nodes, plain and (with list-compress-depth 1) LZF-compressed. */
  multiNodeLists: number;
  compressedLists: number;
  multiNodeListItems: number;
  /** Lists whose elements exceed the node size limit (PLAIN quicklist nodes). */
  plainNodeLists: number;
  plainNodeItemBytes: number;
  /** Integer-only sets (intset); widths 16/32/64 bit rotate. */
  intsetSets: number;
  intsetMembers: number;
  /** Sets of strings (hashtable). */
  hashtableSets: number;
  hashtableSetMembers: number;
  /** Small sorted sets (listpack). */
  listpackZsets: number;
  smallZsetMembers: number;
  /** Sorted sets above `zset-max-listpack-entries` (skiplist). */
  skiplistZsets: number;
  skiplistZsetMembers: number;
  /** Streams with `streamEntries` entries; every tenth gets a consumer group with pending entries. */
  streams: number;
  streamEntries: number;
  bigHashFields: number;
  bigListItems: number;
  bigZsetMembers: number;
  bigStringBytes: number;
}

/** Contents of `bench.json`, written next to the RDB once it is complete. */
export interface BenchMeta {
  generatorVersion: number;
  params: BenchParams;
  serverVersion: string;
  builtAt: string;
  buildSeconds: number;
  /** Seconds per phase (populate, collections, save …). */
  phases: Record<string, number>;
  rdbBytes: number;
  /** DBSIZE per database. */
  keysPerDb: Record<string, number>;
  totalKeys: number;
  /** `OBJECT ENCODING` of one sample key per group, as seen before SAVE. */
  encodings: Record<string, string>;
  /** `used_memory` of the server before SAVE, bytes. */
  usedMemoryBytes: number;
}

/** What {@link ensureBenchDataset} returns. */
export interface BenchDataset {
  rdbPath: string;
  metaPath: string;
  meta: BenchMeta;
  /** True when the cached file was reused. */
  cached: boolean;
}

/** The parameters at a given scale (counts are rounded, never below 1). */
export function benchParams(scale = 1): BenchParams {
  const n = (x: number): number => Math.max(1, Math.round(x * scale));
  return {
    scale,
    seed: 20240601,
    populateKeys: n(10_000_000),
    populateValueBytes: 100,
    populateWithTtl: n(500_000),
    textStrings: n(1_500_000),
    textStringBytes: 160,
    intStrings: n(200_000),
    db1Keys: n(20_000),
    listpackHashes: n(40_000),
    smallHashFields: 10,
    hashtableHashes: n(4_000),
    hashtableHashFields: 200,
    smallLists: n(40_000),
    smallListItems: 20,
    multiNodeLists: n(2_000),
    compressedLists: n(1_000),
    multiNodeListItems: 2_000,
    plainNodeLists: n(200),
    plainNodeItemBytes: 12_000,
    intsetSets: n(40_000),
    intsetMembers: 20,
    hashtableSets: n(4_000),
    hashtableSetMembers: 200,
    listpackZsets: n(40_000),
    smallZsetMembers: 20,
    skiplistZsets: n(4_000),
    skiplistZsetMembers: 200,
    streams: n(1_000),
    streamEntries: 100,
    bigHashFields: n(1_000_000),
    bigListItems: n(2_000_000),
    bigZsetMembers: n(500_000),
    bigStringBytes: n(100 * 1024 * 1024),
  };
}

/** File name of the cached RDB for a scale (`bench.rdb` at scale 1). */
export function benchFileName(scale: number): string {
  return scale === 1 ? 'bench' : `bench-scale-${scale}`;
}

/**
 * Returns the cached dataset, building it first when it is missing, incomplete, from
 * another generator version, or when `rebuild` is set.
 * @throws when redis-server is missing or a command fails (the server is stopped first).
 */
export async function ensureBenchDataset(opts: {
  cacheDir: string;
  scale?: number;
  rebuild?: boolean;
  log?: (line: string) => void;
}): Promise<BenchDataset> {
  const scale = opts.scale ?? 1;
  const log = opts.log ?? (() => {});
  const base = path.join(opts.cacheDir, benchFileName(scale));
  const rdbPath = `${base}.rdb`;
  const metaPath = `${base}.json`;
  if (!opts.rebuild && existsSync(rdbPath) && existsSync(metaPath)) {
    try {
      const meta = JSON.parse(await fs.readFile(metaPath, 'utf8')) as BenchMeta;
      if (meta.generatorVersion === GENERATOR_VERSION && meta.rdbBytes === statSync(rdbPath).size) {
        return { rdbPath, metaPath, meta, cached: true };
      }
      log(`cached dataset ${rdbPath} is stale or incomplete; rebuilding`);
    } catch {
      log(`cannot read ${metaPath}; rebuilding`);
    }
  }
  await fs.mkdir(opts.cacheDir, { recursive: true });
  // The meta file is written last: its absence marks an unfinished build.
  await fs.rm(metaPath, { force: true });
  const meta = await buildDataset(benchParams(scale), rdbPath, log);
  await fs.writeFile(metaPath, JSON.stringify(meta, null, 2) + '\n');
  return { rdbPath, metaPath, meta, cached: false };
}

// ------------------------------------------------------------------ generation


/** `bytes` of random base64 text, built with the PRNG (for the big string). */
function randomTextBuffer(rnd: () => number, bytes: number): Buffer {
  const buf = Buffer.allocUnsafe(bytes);
  const alphabet = Buffer.from(B64, 'latin1');
  let i = 0;
  while (i + 4 <= bytes) {
    const x = rnd();
    buf[i] = alphabet[x & 63];
    buf[i + 1] = alphabet[(x >>> 6) & 63];
    buf[i + 2] = alphabet[(x >>> 12) & 63];
    buf[i + 3] = alphabet[(x >>> 18) & 63];
    i += 4;
  }
  for (; i < bytes; i++) buf[i] = alphabet[rnd() & 63];
  return buf;
}



/** Far-future absolute expiry (2100-01-01) so no key expires during a benchmark run. */
const FAR_EXPIRE_MS = 4102444800000;

async function buildDataset(p: BenchParams, rdbPath: string, log: (line: string) => void): Promise<BenchMeta> {
  const clock = phaseClock(log);
  const { phases, phase } = clock;

  log(`building the benchmark dataset (scale ${p.scale}) with a real redis-server …`);
  const redis: RedisHandle = await startRedis({
    config: {
      // Redis 7.0 defaults, spelled out so the encodings below do not depend on a distro config.
      'hash-max-listpack-entries': 128,
      'hash-max-listpack-value': 64,
      'set-max-intset-entries': 512,
      'zset-max-listpack-entries': 128,
      'zset-max-listpack-value': 64,
      'list-max-listpack-size': -2,
      'list-compress-depth': 0,
      rdbcompression: true,
      rdbchecksum: true,
    },
    startTimeoutMs: 60_000,
  });
  log(`  redis-server ${redis.version}, pid ${redis.pid}, port ${redis.port}`);
  try {
    const c = redis.client;
    const rnd = createRng(p.seed);
    const pool = new TextPool(rnd);
    const pipe = new Pipeline(c, { maxCommands: 1000, maxArgs: 20_000 });
    phase('start');

    // --- strings
    await c.call('DEBUG', 'POPULATE', String(p.populateKeys), 'key', String(p.populateValueBytes));
    phase('populate');
    const ttlStep = Math.max(1, Math.floor(p.populateKeys / p.populateWithTtl));
    for (let i = 0, n = 0; i < p.populateKeys && n < p.populateWithTtl; i += ttlStep, n++) {
      await pipe.send(['PEXPIREAT', `key:${i}`, String(FAR_EXPIRE_MS + (i % 86_400_000))]);
    }
    for (let i = 0; i < p.textStrings; i++) await pipe.send(['SET', `str:text:${i}`, pool.text(p.textStringBytes)]);
    for (let i = 0; i < p.intStrings; i++) {
      // Mix of int8/int16/int32 encodings and 64-bit values (stored as text in the RDB).
      const v = i % 4 === 0 ? rnd() % 100 : i % 4 === 1 ? rnd() % 30_000 : i % 4 === 2 ? rnd() : rnd() * 1_000_003;
      await pipe.send(['SET', `str:int:${i}`, String(i & 1 ? -v : v)]);
    }
    await pipe.drain();
    await c.call('SELECT', '1');
    await c.call('DEBUG', 'POPULATE', String(p.db1Keys), 'db1', '32');
    await c.call('SELECT', '0');
    phase('strings');

    // --- hashes
    for (let i = 0; i < p.listpackHashes; i++) {
      const cmd: Command = ['HSET', `hash:lp:${i}`];
      for (let f = 0; f < p.smallHashFields; f++) cmd.push(`field:${f}`, f % 3 === 0 ? String(rnd() % 100_000) : pool.between(4, 40));
      await pipe.send(cmd);
    }
    for (let i = 0; i < p.hashtableHashes; i++) {
      const cmd: Command = ['HSET', `hash:ht:${i}`];
      for (let f = 0; f < p.hashtableHashFields; f++) cmd.push(`f:${f}:${pool.text(6)}`, pool.between(4, 60));
      await pipe.send(cmd);
    }
    for (let i = 0; i < p.listpackHashes / 20; i++) await pipe.send(['PEXPIREAT', `hash:lp:${i * 20}`, String(FAR_EXPIRE_MS)]);
    await pipe.drain();
    phase('hashes');

    // --- lists
    for (let i = 0; i < p.smallLists; i++) {
      const cmd: Command = ['RPUSH', `list:small:${i}`];
      for (let e = 0; e < p.smallListItems; e++) cmd.push(e % 4 === 0 ? String(rnd() % 1_000_000) : pool.between(4, 30));
      await pipe.send(cmd);
    }
    const pushLongList = async (key: string, items: number): Promise<void> => {
      for (let e = 0; e < items; e += 500) {
        const cmd: Command = ['RPUSH', key];
        for (let j = e; j < Math.min(items, e + 500); j++) cmd.push(j % 5 === 0 ? String(j) : pool.between(6, 24));
        await pipe.send(cmd);
      }
    };
    for (let i = 0; i < p.multiNodeLists; i++) await pushLongList(`list:multi:${i}`, p.multiNodeListItems);
    await pipe.drain();
    // Quicklists take the compress depth in force when they are created.
    await c.call('CONFIG', 'SET', 'list-compress-depth', '1');
    for (let i = 0; i < p.compressedLists; i++) {
      // Repetitive items so the inner nodes actually compress.
      for (let e = 0; e < p.multiNodeListItems; e += 500) {
        const cmd: Command = ['RPUSH', `list:lzf:${i}`];
        for (let j = e; j < Math.min(p.multiNodeListItems, e + 500); j++) cmd.push(`item-${i}-${j % 50}-common-prefix`);
        await pipe.send(cmd);
      }
    }
    await pipe.drain();
    await c.call('CONFIG', 'SET', 'list-compress-depth', '0');
    for (let i = 0; i < p.plainNodeLists; i++) {
      await pipe.send(['RPUSH', `list:plain:${i}`, 'head', pool.text(p.plainNodeItemBytes), 'middle', pool.text(p.plainNodeItemBytes), 'tail']);
    }
    await pipe.drain();
    phase('lists');

    // --- sets
    for (let i = 0; i < p.intsetSets; i++) {
      const cmd: Command = ['SADD', `set:int:${i}`];
      const width = i % 3; // int16, int32, int64 intsets
      for (let m = 0; m < p.intsetMembers; m++) {
        const v = width === 0 ? rnd() % 30_000 : width === 1 ? rnd() % 2_000_000_000 : rnd() * 4_000_037 + m;
        cmd.push(String(m & 1 ? -v : v));
      }
      await pipe.send(cmd);
    }
    for (let i = 0; i < p.hashtableSets; i++) {
      const cmd: Command = ['SADD', `set:ht:${i}`];
      for (let m = 0; m < p.hashtableSetMembers; m++) cmd.push(`m:${m}:${pool.between(4, 24)}`);
      await pipe.send(cmd);
    }
    await pipe.drain();
    phase('sets');

    // --- sorted sets
    const score = (m: number): string => (m % 3 === 0 ? String(rnd() % 10_000) : ((rnd() / 4294967296) * 1e6).toFixed(4));
    for (let i = 0; i < p.listpackZsets; i++) {
      const cmd: Command = ['ZADD', `zset:lp:${i}`];
      for (let m = 0; m < p.smallZsetMembers; m++) cmd.push(score(m), `member:${m}:${pool.between(2, 16)}`);
      await pipe.send(cmd);
    }
    for (let i = 0; i < p.skiplistZsets; i++) {
      const cmd: Command = ['ZADD', `zset:sl:${i}`];
      for (let m = 0; m < p.skiplistZsetMembers; m++) cmd.push(score(m), `member:${m}:${pool.between(2, 24)}`);
      await pipe.send(cmd);
    }
    await pipe.drain();
    phase('zsets');

    // --- streams (explicit IDs keep the content deterministic)
    for (let i = 0; i < p.streams; i++) {
      const key = `stream:${i}`;
      for (let e = 0; e < p.streamEntries; e++) {
        await pipe.send(['XADD', key, `${1_700_000_000_000 + e * 1000}-${e % 3}`, 'sensor', String(i), 'value', String(rnd() % 1000), 'note', pool.between(4, 20)]);
      }
      if (i % 10 === 0) {
        await pipe.send(['XGROUP', 'CREATE', key, 'workers', '0']);
        await pipe.send(['XREADGROUP', 'GROUP', 'workers', 'alice', 'COUNT', '10', 'STREAMS', key, '>']);
        await pipe.send(['XREADGROUP', 'GROUP', 'workers', 'bob', 'COUNT', '5', 'STREAMS', key, '>']);
      }
    }
    await pipe.drain();
    phase('streams');

    // --- big values
    for (let f = 0; f < p.bigHashFields; f += 1000) {
      const cmd: Command = ['HSET', 'big:hash'];
      for (let j = f; j < Math.min(p.bigHashFields, f + 1000); j++) cmd.push(`field:${j}`, pool.between(8, 40));
      await pipe.send(cmd);
    }
    await pushLongList('big:list', p.bigListItems);
    for (let m = 0; m < p.bigZsetMembers; m += 1000) {
      const cmd: Command = ['ZADD', 'big:zset'];
      for (let j = m; j < Math.min(p.bigZsetMembers, m + 1000); j++) cmd.push(score(j), `user:${j}:${pool.text(8)}`);
      await pipe.send(cmd);
    }
    await pipe.drain();
    const bigString = randomTextBuffer(rnd, p.bigStringBytes);
    const piece = 16 << 20;
    await c.call('SET', 'big:string', bigString.subarray(0, Math.min(piece, bigString.length)));
    for (let at = piece; at < bigString.length; at += piece) await c.call('APPEND', 'big:string', bigString.subarray(at, at + piece));
    phase('big values');

    // --- what the server made of it
    const sample: Record<string, string> = {
      'strings (DEBUG POPULATE)': 'key:0',
      'strings (text)': 'str:text:0',
      'strings (int)': 'str:int:0',
      'big string': 'big:string',
      'hash, small': 'hash:lp:0',
      'hash, 200 fields': 'hash:ht:0',
      'big hash': 'big:hash',
      'list, small': 'list:small:0',
      'list, multi-node': 'list:multi:0',
      'list, compressed nodes': 'list:lzf:0',
      'list, plain nodes': 'list:plain:0',
      'big list': 'big:list',
      'set, ints': 'set:int:0',
      'set, strings': 'set:ht:0',
      'zset, small': 'zset:lp:0',
      'zset, 200 members': 'zset:sl:0',
      'big zset': 'big:zset',
      stream: 'stream:0',
    };
    const encodings: Record<string, string> = {};
    for (const [label, key] of Object.entries(sample)) {
      encodings[`${label} (${key})`] = asText(await c.call('OBJECT', 'ENCODING', key));
    }
    const keysPerDb: Record<string, number> = {};
    for (const db of [0, 1]) {
      await c.call('SELECT', String(db));
      keysPerDb[String(db)] = asNumber(await c.call('DBSIZE'));
    }
    await c.call('SELECT', '0');
    const usedMemoryBytes = Number(/used_memory:(\d+)/.exec(asText(await c.call('INFO', 'memory')))?.[1] ?? 0);
    phase('inspect');

    await c.call('SAVE');
    phase('save');
    const tmp = `${rdbPath}.partial`;
    try {
      await fs.rename(redis.dumpPath, tmp);
    } catch {
      await fs.copyFile(redis.dumpPath, tmp);
    }
    await fs.rename(tmp, rdbPath);
    phase('copy');

    const rdbBytes = (await fs.stat(rdbPath)).size;
    return {
      generatorVersion: GENERATOR_VERSION,
      params: p,
      serverVersion: redis.version,
      builtAt: new Date().toISOString(),
      buildSeconds: clock.seconds(),
      phases,
      rdbBytes,
      keysPerDb,
      totalKeys: Object.values(keysPerDb).reduce((a, b) => a + b, 0),
      encodings,
      usedMemoryBytes,
    };
  } finally {
    await redis.stop();
  }
}
