/**
 * The memory estimate of AOF inputs against the real server: redis-server 7.0 starts with
 * `appendonly yes` on the AOF fixtures (plain, hybrid, multi-part) and on the AOF of a live
 * server that took a mixed workload, and answers `MEMORY USAGE <key> SAMPLES 0` for every
 * key; the estimate of the dataset the replay produces is compared with it.
 *
 * A replayed dataset does not record how each value was built (what an RDB part held, the
 * order of additions), so the estimate models values built by commands one element at a time
 * (streams as loaded from the RDB part when there is one); the bar is that of RDB files: per
 * key within ±10% for 95% of the keys and ±25% for all, the sum within ±3%.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeMemory } from '../../src/analyze/memory/memory-input.js';
import { parseMemoryTarget } from '../../src/analyze/memory/target.js';
import { asNumber, asText, requireRedisServer, startRedis, type RespClient } from '../helpers/redis.js';
import { FIXTURES } from '../helpers/files.js';
import { Rng } from '../helpers/random-dataset.js';

// Debian's package links the system's jemalloc.
const TARGET = parseMemoryTarget('redis@7.0', 'jemalloc-system');

interface Pair {
  input: string;
  key: string;
  type: string;
  estimate: number;
  server: number;
  encoding: string;
  serverEncoding: string;
}

/** Starts a server with `appendonly yes` on `input` (a file, or a multi-part directory) and compares every key. */
async function compareAof(input: string, label: string): Promise<Pair[]> {
  const records: { db: number; key: Buffer; type: string; bytes: number; encoding: string; expireAtMs: number | null }[] = [];
  const { error } = await analyzeMemory(input, {
    target: TARGET,
    top: 0,
    depth: 0,
    onRecord: (k) => records.push({ db: k.db, key: Buffer.from(k.key), type: k.valueType, bytes: k.memoryBytes, encoding: k.encoding, expireAtMs: k.expireAtMs }),
  });
  expect(error, label).toBeNull();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-memory-aof-'));
  try {
    if (statSync(input).isDirectory()) {
      mkdirSync(path.join(dir, 'appendonlydir'), { recursive: true });
      cpSync(input, path.join(dir, 'appendonlydir'), { recursive: true });
    } else writeFileSync(path.join(dir, 'appendonly.aof'), readFileSync(input));
    const server = await startRedis({ appendonly: true, config: { dir, appendfilename: 'appendonly.aof', appenddirname: 'appendonlydir' } });
    try {
      const pairs: Pair[] = [];
      for (const r of records) {
        await server.client.call('SELECT', String(r.db));
        const usage = await server.client.call('MEMORY', 'USAGE', r.key, 'SAMPLES', '0');
        // A key already expired is gone once the server's expiry cycle has run.
        if (usage === null && r.expireAtMs !== null && r.expireAtMs < Date.now()) continue;
        expect(usage, `${label}: ${r.key.toString('latin1')}`).not.toBeNull();
        const enc = asText(await server.client.call('OBJECT', 'ENCODING', r.key));
        pairs.push({ input: label, key: `${r.db}:${r.key.toString('latin1').slice(0, 50)}`, type: r.type, estimate: r.bytes, server: asNumber(usage), encoding: r.encoding, serverEncoding: enc });
      }
      return pairs;
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Cmd = string[];
const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const text = (rng: Rng, n: number): string => Array.from({ length: n }, () => LETTERS[rng.int(LETTERS.length)]).join('');
const element = (rng: Rng, max: number): string => (rng.chance(0.3) ? String(rng.int(1e9)) : text(rng, 1 + rng.int(max)));

/** A mixed workload of commands, each value built element by element, as applications do. */
function workload(rng: Rng): Cmd[] {
  const c: Cmd[] = [];
  for (let i = 0; i < 400; i++) c.push(['SET', `s:${i}`, element(rng, rng.chance(0.1) ? 3000 : 60)]);
  for (let i = 0; i < 100; i++) c.push(['INCRBY', `counter:${i}`, String(rng.int(100000))]);
  for (let k = 0; k < 40; k++) {
    const n = [3, 10, 100, 600, 3000][k % 5];
    for (let i = 0; i < n; i++) c.push(['RPUSH', `list:${k}`, element(rng, 40)]);
    for (let i = 0; i < n; i++) c.push(['SADD', `set:${k}`, k % 2 === 0 ? String(rng.int(1e6)) : element(rng, 20)]);
    for (let i = 0; i < n; i++) c.push(['HSET', `hash:${k}`, `f${i}`, element(rng, k % 3 === 0 ? 100 : 30)]);
    for (let i = 0; i < n; i++) c.push(['ZADD', `zset:${k}`, String(rng.chance(0.5) ? rng.int(1000) : rng.next()), element(rng, 20)]);
  }
  for (let k = 0; k < 4; k++) {
    for (let i = 0; i < [5, 150, 1000, 3000][k]; i++) c.push(['XADD', `stream:${k}`, '*', 'a', element(rng, 20), 'b', String(i)]);
  }
  c.push(['XGROUP', 'CREATE', 'stream:2', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '200', 'STREAMS', 'stream:2', '>']);
  return c;
}

async function run(client: RespClient, cmds: Cmd[]): Promise<void> {
  for (let i = 0; i < cmds.length; i += 2000) await client.callAll(cmds.slice(i, i + 2000));
}

const rel = (p: Pair): number => (p.estimate - p.server) / p.server;
const show = (p: Pair): string => `${p.input} ${p.key} ${p.type}: estimate ${p.estimate} (${p.encoding}), server ${p.server} (${p.serverEncoding}), ${(rel(p) * 100).toFixed(1)}%`;

describe('memory estimate of AOF inputs against redis-server 7.0', () => {
  requireRedisServer();
  const pairs: Pair[] = [];
  let dir = '';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-memory-aofs-'));
    // A live server's own AOF (commands only), from a mixed workload.
    const live = await startRedis({ appendonly: true, config: { 'aof-use-rdb-preamble': 'no', appenddirname: 'appendonlydir' } });
    try {
      await run(live.client, workload(new Rng(99)));
      await live.client.call('BGREWRITEAOF');
      // Wait for the rewrite (its base replaces the commands).
      for (let i = 0; i < 200; i++) {
        const info = asText(await live.client.call('INFO', 'persistence'));
        if (/aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      cpSync(path.join(live.dir, 'appendonlydir'), path.join(dir, 'live'), { recursive: true });
    } finally {
      await live.stop();
    }
    const inputs: [string, string][] = [
      [path.join(FIXTURES, 'aof', 'plain.aof'), 'plain.aof'],
      [path.join(FIXTURES, 'aof', 'hybrid.aof'), 'hybrid.aof'],
      [path.join(FIXTURES, 'aof', 'rdb-multipart', 'appendonlydir'), 'rdb-multipart'],
      [path.join(FIXTURES, 'aof', 'resp-multipart', 'appendonlydir'), 'resp-multipart'],
      [path.join(dir, 'live'), 'live workload'],
    ];
    for (const [input, label] of inputs) pairs.push(...(await compareAof(input, label)));
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('compares every input', () => {
    for (const label of ['plain.aof', 'hybrid.aof', 'rdb-multipart', 'resp-multipart', 'live workload']) expect(pairs.some((p) => p.input === label), label).toBe(true);
    expect(pairs.filter((p) => p.input === 'live workload').length).toBeGreaterThan(600);
  });

  it('the encoding a server holds each value in', () => {
    expect(pairs.filter((p) => p.encoding !== p.serverEncoding).map(show)).toEqual([]);
  });

  it('per key within ±10% for 95% of the keys and ±25% for all, the sum within ±3%', () => {
    const off = pairs.filter((p) => Math.abs(rel(p)) > 0.25);
    expect(off.map(show)).toEqual([]);
    const off10 = pairs.filter((p) => Math.abs(rel(p)) > 0.1);
    expect(off10.length / pairs.length, off10.map(show).join('\n')).toBeLessThanOrEqual(0.05);
    const sum = pairs.reduce((s, p) => s + p.estimate, 0) / pairs.reduce((s, p) => s + p.server, 0) - 1;
    expect(Math.abs(sum)).toBeLessThanOrEqual(0.03);
    if (process.env.RDBTOOL_MEMORY_REPORT) {
      const within10 = pairs.filter((p) => Math.abs(rel(p)) <= 0.1).length / pairs.length;
      const worst = pairs.reduce((w, p) => (Math.abs(rel(p)) > Math.abs(rel(w)) ? p : w), pairs[0]);
      process.stderr.write(`AOF: ${pairs.length} keys, ${(within10 * 100).toFixed(1)}% within ±10%, sum ${(sum * 100).toFixed(2)}%, worst ${show(worst)}\n`);
      for (const p of pairs.filter((x) => Math.abs(rel(x)) > 0.1)) process.stderr.write(`  ${show(p)}\n`);
    }
  });
});
