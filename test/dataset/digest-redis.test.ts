/**
 * Per-key digests against real servers: the same data written by two servers configured to
 * store it differently (listpack against hashtable hashes, intset against hashtable sets,
 * listpack against skiplist sorted sets, one-element quicklist nodes, LZF against raw strings)
 * and inserted in opposite orders gives files that differ byte for byte but datasets whose
 * digests agree key for key; one changed value, score, list element, stream delivery time or
 * expiry changes the digest of that key and of no other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import { keyDigest, datasetDigest, type DigestOptions } from '../../src/dataset/digest.js';
import type { Dataset } from '../../src/dataset/dataset.js';
import { bytesSource } from '../../src/io/source.js';
import { records } from '../helpers/collect.js';
import { requireRedisServer, startRedis, type RedisHandle } from '../helpers/redis.js';

type Cmd = string[];

/** Writes the test data; `reversed` inserts every collection's elements in the opposite order. */
function workload(reversed: boolean): Cmd[] {
  const order = <T>(a: T[]) => (reversed ? [...a].reverse() : a);
  const idx = (n: number) => order(Array.from({ length: n }, (_, i) => i));
  const cmds: Cmd[] = [];
  for (const db of ['0', '3']) {
    cmds.push(['SELECT', db]);
    for (const i of idx(40)) cmds.push(['HSET', 'hash', `f${i}`, i % 3 === 0 ? String(i * 7) : `value-${i}`]);
    for (const i of idx(60)) cmds.push(['SADD', 'set:ints', String(i * 1000 - 7)]);
    for (const i of idx(30)) cmds.push(['SADD', 'set:strs', `member-${i}`]);
    for (const i of idx(30)) cmds.push(['ZADD', 'zset', String(i % 5 === 0 ? 1.5 : i - 10), `m${i}`]);
    cmds.push(['ZADD', 'zset', 'inf', 'top', '-inf', 'bottom']);
    // A list keeps its order whatever the configuration: pushed the same way on both servers.
    for (let i = 0; i < 50; i++) cmds.push(['RPUSH', 'list', i % 2 ? String(i) : `item-${i}`]);
    cmds.push(['SET', 'str:big', 'abcdefgh'.repeat(700)]);
    cmds.push(['SET', 'str:int', '12345']);
    cmds.push(['PEXPIREAT', 'str:int', '4102444800000']);
    cmds.push(['PEXPIREAT', 'hash', '4102444800000']);
    for (let i = 1; i <= 12; i++) cmds.push(['XADD', 'stream', `1-${i}`, 'field', `v${i}`, 'n', String(i)]);
    cmds.push(['XDEL', 'stream', '1-5']);
    const groups = order(['g1', 'g2']);
    for (const g of groups) cmds.push(['XGROUP', 'CREATE', 'stream', g, '0']);
    for (const c of order(['alice', 'bob', 'carol'])) cmds.push(['XGROUP', 'CREATECONSUMER', 'stream', 'g1', c]);
    for (const [c, id, n] of order([
      ['alice', '1-1', '2'],
      ['bob', '1-2', '1'],
      ['alice', '1-3', '4'],
    ])) {
      cmds.push(['XCLAIM', 'stream', 'g1', c, '0', id, 'TIME', '1700000000000', 'RETRYCOUNT', n, 'FORCE', 'JUSTID']);
    }
    cmds.push(['XGROUP', 'SETID', 'stream', 'g1', '1-3', 'ENTRIESREAD', '3']);
  }
  return cmds;
}

/** Changes one thing in each of some keys of db 3: these keys, and only these, must digest differently. */
const CHANGES: [key: string, cmd: Cmd][] = [
  ['hash', ['HSET', 'hash', 'f7', 'changed']],
  ['set:strs', ['EVAL', "redis.call('SREM', KEYS[1], 'member-3'); return redis.call('SADD', KEYS[1], 'member-3x')", '1', 'set:strs']],
  ['zset', ['ZADD', 'zset', '99', 'm4']],
  ['list', ['LSET', 'list', '10', 'item-10x']],
  ['str:big', ['SETRANGE', 'str:big', '3000', 'X']],
  ['str:int', ['PEXPIREAT', 'str:int', '4102444800001']],
  ['stream', ['XCLAIM', 'stream', 'g1', 'alice', '0', '1-1', 'TIME', '1700000000001', 'RETRYCOUNT', '2', 'FORCE', 'JUSTID']],
];

/** Stream consumers' seen times are the servers' clocks: left out of every comparison here. */
const OPTS: DigestOptions = { consumerTimes: false };

function digests(ds: Dataset, opts: DigestOptions = OPTS): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of ds.entries()) out.set(`${e.db}:${e.key}`, keyDigest(e.value, e.expireAtMs, opts));
  return out;
}

/** Encodings the file stored each key in, by `db:key`. */
function encodings(bytes: Uint8Array): Map<string, string> {
  return new Map(records(bytes).records.map((r) => [`${r.db}:${r.key as string}`, r.encoding]));
}

let compact: RedisHandle;
let spread: RedisHandle;
let compactFile: Uint8Array;
let spreadFile: Uint8Array;
let changedFile: Uint8Array;

beforeAll(async () => {
  requireRedisServer();
  [compact, spread] = await Promise.all([
    startRedis({
      config: {
        'hash-max-listpack-entries': 512,
        'set-max-intset-entries': 512,
        'zset-max-listpack-entries': 128,
        'list-max-listpack-size': -2,
        rdbcompression: 'yes',
      },
    }),
    startRedis({
      config: {
        'hash-max-listpack-entries': 0,
        'set-max-intset-entries': 0,
        'zset-max-listpack-entries': 0,
        'list-max-listpack-size': 1,
        rdbcompression: 'no',
      },
    }),
  ]);
  for (const [server, reversed] of [
    [compact, false],
    [spread, true],
  ] as const) {
    for (const c of workload(reversed)) await server.client.call(...c);
    await server.client.call('SAVE');
  }
  compactFile = new Uint8Array(readFileSync(compact.dumpPath));
  spreadFile = new Uint8Array(readFileSync(spread.dumpPath));
  await spread.client.call('SELECT', '3');
  for (const [, c] of CHANGES) await spread.client.call(...c);
  await spread.client.call('SAVE');
  changedFile = new Uint8Array(readFileSync(spread.dumpPath));
}, 120_000);

afterAll(async () => {
  await Promise.all([compact?.stop(), spread?.stop()]);
});

describe('digests of the same data from differently encoded files', () => {
  it('the two files store the data in different encodings', () => {
    const a = encodings(compactFile);
    const b = encodings(spreadFile);
    expect(a.get('0:hash')).toBe('listpack');
    expect(b.get('0:hash')).toBe('hashtable');
    expect(a.get('0:set:ints')).toBe('intset');
    expect(b.get('0:set:ints')).toBe('hashtable');
    expect(a.get('0:zset')).toBe('listpack');
    expect(b.get('0:zset')).toBe('skiplist');
    expect(Buffer.compare(compactFile, spreadFile)).not.toBe(0);
  });

  it('every key digests the same, and so do the datasets', async () => {
    const a = (await loadRdb(bytesSource(compactFile, 'compact.rdb'))).dataset;
    const b = (await loadRdb(bytesSource(spreadFile, 'spread.rdb'))).dataset;
    const da = digests(a);
    expect(da.size).toBe(2 * 8);
    expect(digests(b)).toEqual(da);
    expect(datasetDigest(b, OPTS)).toBe(datasetDigest(a, OPTS));
  });

  it('one changed value changes the digest of its key and of no other', async () => {
    const before = digests((await loadRdb(bytesSource(spreadFile, 'spread.rdb'))).dataset);
    const afterDs = (await loadRdb(bytesSource(changedFile, 'changed.rdb'))).dataset;
    const after = digests(afterDs);
    const changed = [...before.keys()].filter((k) => before.get(k) !== after.get(k)).sort();
    expect(changed).toEqual(CHANGES.map(([k]) => `3:${k}`).sort());
    const beforeDs = (await loadRdb(bytesSource(spreadFile, 'spread.rdb'))).dataset;
    expect(datasetDigest(afterDs, OPTS)).not.toBe(datasetDigest(beforeDs, OPTS));
  });

  it('without expiry, a changed expiry goes unnoticed; a changed value does not', async () => {
    const noExpiry: DigestOptions = { ...OPTS, expiry: false };
    const before = digests((await loadRdb(bytesSource(spreadFile, 'spread.rdb'))).dataset, noExpiry);
    const after = digests((await loadRdb(bytesSource(changedFile, 'changed.rdb'))).dataset, noExpiry);
    expect(after.get('3:str:int')).toBe(before.get('3:str:int'));
    expect(after.get('3:hash')).not.toBe(before.get('3:hash'));
  });

});
