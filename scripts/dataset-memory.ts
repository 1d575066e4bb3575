/**
 * What the in-memory dataset costs: heap bytes per key (and per element for collections),
 * measured with `process.memoryUsage()` around synthetic loads, after forced garbage
 * collections; and, with `--redis`, a real server's dump of 1 M keys (`DEBUG POPULATE`)
 * loaded through `loadRdb`, beside the server's own `used_memory`.
 *
 *   node --expose-gc --import tsx scripts/dataset-memory.ts [--redis] [--keys N]
 *
 * Each case runs in a fresh process, so one case's garbage never counts in another's.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Dataset } from '../src/dataset/dataset.js';
import { HashValue } from '../src/dataset/hash.js';
import { ListValue } from '../src/dataset/list.js';
import { SetValue } from '../src/dataset/set.js';
import { ZSetValue } from '../src/dataset/zset.js';
import { StreamValue } from '../src/dataset/stream.js';
import { streamIdFromParts } from '../src/dataset/stream-id.js';
import { loadRdb } from '../src/dataset/load-rdb.js';
import { bytesSource } from '../src/io/source.js';
import { startRedis } from './lib/redis-server.js';

const gc = (globalThis as { gc?: () => void }).gc;

interface Case {
  name: string;
  /** What one unit is (a key, an element). */
  unit: string;
  units: number;
  build(): unknown;
}

function cases(n: number): Case[] {
  /** `n / size` collections of `size` elements each, made by `make`. */
  const collections =
    (size: number, make: () => { add(i: number, j: number): void; value: unknown }) =>
    (): unknown => {
      const ds = new Dataset();
      const db = ds.db(0);
      for (let i = 0; i < n / size; i++) {
        const c = make();
        for (let j = 0; j < size; j++) c.add(i, j);
        db.set(`key:${i}`, c.value as never);
      }
      return ds;
    };
  const families = (size: number): Case[] => [
    {
      name: `hashes of ${size} fields`,
      unit: 'field',
      units: n,
      build: collections(size, () => {
        const h = new HashValue();
        return { value: h, add: (i, j) => void h.set(`field-${j}`, `v-${i}-${j}`) };
      }),
    },
    {
      name: `sets of ${size} members`,
      unit: 'member',
      units: n,
      build: collections(size, () => {
        const s = new SetValue();
        return { value: s, add: (i, j) => void s.add(`member-${i}-${j}`) };
      }),
    },
    {
      name: `sorted sets of ${size} members`,
      unit: 'member',
      units: n,
      build: collections(size, () => {
        const z = new ZSetValue();
        return { value: z, add: (i, j) => void z.set(`member-${i}-${j}`, j * 1.5) };
      }),
    },
    {
      name: `lists of ${size} elements`,
      unit: 'element',
      units: n,
      build: collections(size, () => {
        const l = new ListValue();
        return { value: l, add: (i, j) => l.pushBack(`item-${i}-${j}`) };
      }),
    },
  ];
  return [
    {
      name: 'string keys (key:N → value-N)',
      unit: 'key',
      units: n,
      build: () => {
        const ds = new Dataset();
        const db = ds.db(0);
        for (let i = 0; i < n; i++) db.set(`key:${i}`, `value-${i}`);
        return ds;
      },
    },
    {
      name: 'string keys with an expiry',
      unit: 'key',
      units: n,
      build: () => {
        const ds = new Dataset();
        const db = ds.db(0);
        for (let i = 0; i < n; i++) {
          db.set(`key:${i}`, `value-${i}`);
          db.setExpire(`key:${i}`, 1_800_000_000_000 + i);
        }
        return ds;
      },
    },
    {
      name: 'hashes of 5 fields',
      unit: 'key',
      units: n / 10,
      build: () => {
        const ds = new Dataset();
        const db = ds.db(0);
        for (let i = 0; i < n / 10; i++) {
          const h = new HashValue();
          for (const f of ['name', 'email', 'age', 'city', 'plan']) h.set(f, `${f}-${i}`);
          db.set(`user:${i}`, h);
        }
        return ds;
      },
    },
    ...families(100),
    ...families(1000),
    {
      name: 'streams of 100 entries (2 fields)',
      unit: 'entry',
      units: n,
      build: collections(100, () => {
        const s = new StreamValue();
        return { value: s, add: (i, j) => s.append(streamIdFromParts(1_700_000_000_000n + BigInt(j), 0n), ['temp', String(i), 'hum', String(j)]) };
      }),
    },
  ];
}

function settle(): NodeJS.MemoryUsage {
  for (let i = 0; i < 4; i++) gc!();
  return process.memoryUsage();
}

/** Runs one case in this process and prints one JSON line. */
function runCase(index: number, n: number): void {
  const c = cases(n)[index];
  const before = settle();
  const kept = c.build();
  const after = settle();
  const heap = after.heapUsed - before.heapUsed + (after.external - before.external);
  console.log(JSON.stringify({ name: c.name, unit: c.unit, units: c.units, bytesPerUnit: heap / c.units, heapMiB: heap / 2 ** 20, rssMiB: after.rss / 2 ** 20, kept: kept !== null }));
}

/** What a real server is filled with for the `--redis` figures: a name and how to write `n` elements. */
const SERVER_DATA: { name: string; unit: string; fill: (n: number) => string[] }[] = [
  { name: 'strings (DEBUG POPULATE)', unit: 'key', fill: (n) => ['DEBUG', 'POPULATE', String(n)] },
  {
    name: 'hashes of 5 fields',
    unit: 'key',
    fill: (n) => ['EVAL', `for i=1,${n / 10} do redis.call('HSET', 'user:'..i, 'name', 'name-'..i, 'email', 'email-'..i, 'age', 'age-'..i, 'city', 'city-'..i, 'plan', 'plan-'..i) end`, '0'],
  },
  { name: 'sets of 100 members', unit: 'member', fill: (n) => ['EVAL', `for i=1,${n / 100} do for j=1,100 do redis.call('SADD', 'set:'..i, 'member-'..i..'-'..j) end end`, '0'] },
  { name: 'sorted sets of 100 members', unit: 'member', fill: (n) => ['EVAL', `for i=1,${n / 100} do for j=1,100 do redis.call('ZADD', 'z:'..i, j*1.5, 'member-'..i..'-'..j) end end`, '0'] },
  { name: 'hashes of 100 fields', unit: 'field', fill: (n) => ['EVAL', `for i=1,${n / 100} do for j=1,100 do redis.call('HSET', 'h:'..i, 'field-'..j, 'v-'..i..'-'..j) end end`, '0'] },
  { name: 'lists of 100 elements', unit: 'element', fill: (n) => ['EVAL', `for i=1,${n / 100} do for j=1,100 do redis.call('RPUSH', 'l:'..i, 'item-'..i..'-'..j) end end`, '0'] },
];

/**
 * Fills a real server (Redis 7.0 defaults: small collections are listpacks), saves it, and
 * loads the dump with `loadRdb`: our heap per unit against the server's `used_memory` per
 * unit, and our peak RSS against the server's `used_memory`.
 */
async function runRedis(index: number, n: number): Promise<void> {
  const data = SERVER_DATA[index];
  const redis = await startRedis();
  let dump: Uint8Array;
  let used: number;
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(String(await redis.client.call('INFO', 'memory')))![1]);
  try {
    const before = await usedMemory();
    await redis.client.call(...data.fill(n));
    used = (await usedMemory()) - before;
    await redis.client.call('SAVE');
    dump = new Uint8Array(readFileSync(redis.dumpPath));
  } finally {
    await redis.stop();
  }
  const units = data.unit === 'key' && data.name.startsWith('hashes') ? n / 10 : n;
  const base = settle();
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
  const started = performance.now();
  const { dataset } = await loadRdb(bytesSource(dump, 'dump.rdb'));
  const loadMs = performance.now() - started;
  clearInterval(timer);
  const after = settle();
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(
    JSON.stringify({
      name: data.name,
      unit: data.unit,
      keys: dataset.keyCount,
      bytesPerUnit: (after.heapUsed - base.heapUsed) / units,
      redisBytesPerUnit: used / units,
      peakRssMiB: peakRss / 2 ** 20,
      /** The process before loading (Node, tsx, and the dump's bytes in memory). */
      rssBeforeMiB: base.rss / 2 ** 20,
      redisUsedMiB: used / 2 ** 20,
      loadMs,
    }),
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const n = Number(args[args.indexOf('--keys') + 1]) || 1_000_000;
  if (!gc) throw new Error('run with node --expose-gc --import tsx scripts/dataset-memory.ts');
  const child = args.indexOf('--case');
  if (child >= 0) return runCase(Number(args[child + 1]), n);
  const server = args.indexOf('--redis-case');
  if (server >= 0) return runRedis(Number(args[server + 1]), n);
  const self = fileURLToPath(import.meta.url);
  const run = (extra: string[]) => {
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, ...extra, '--keys', String(n)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    return JSON.parse(r.stdout.trim()) as Record<string, unknown>;
  };
  const rows = cases(n).map((_, i) => run(['--case', String(i)]));
  for (const r of rows) console.log(`${String(r.name).padEnd(36)} ${(r.bytesPerUnit as number).toFixed(1).padStart(7)} bytes per ${r.unit}`);
  if (args.includes('--redis')) {
    console.log(`\n${'loaded from a real server\'s dump'.padEnd(36)} ${'ours'.padStart(7)} ${'Redis'.padStart(7)}   RSS before → peak; Redis used_memory (MiB)`);
    for (let i = 0; i < SERVER_DATA.length; i++) {
      const r = run(['--redis-case', String(i)]);
      const mib = (k: string) => (r[k] as number).toFixed(0);
      console.log(`${String(r.name).padEnd(36)} ${(r.bytesPerUnit as number).toFixed(1).padStart(7)} ${(r.redisBytesPerUnit as number).toFixed(1).padStart(7)}   ${mib('rssBeforeMiB')} → ${mib('peakRssMiB')}; ${mib('redisUsedMiB')}   (bytes per ${r.unit}; load ${mib('loadMs')} ms)`);
    }
  }
}

await main();
