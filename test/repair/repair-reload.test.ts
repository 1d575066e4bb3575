/**
 * Every repaired AOF starts in a real redis-server and holds exactly what its complete
 * commands write: a server started with `appendonly yes` on the repaired file or directory
 * (single files through Redis's upgrade path, as `dir/appendonly.aof`, with
 * `aof-load-truncated no` so any leftover damage is fatal) must hold the same dataset and
 * functions as a fresh server that replays the kept commands (on top of the RDB part, when
 * there is one, loaded as its dump).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyRepair, planRepair, type RepairPlanOptions } from '../../src/repair/repair.js';
import { RespDecoder } from '../../src/aof/resp-decoder.js';
import { FIXTURES } from '../helpers/files.js';
import { asArray, asText, requireRedisServer, startRedis, type RedisHandle, type RespClient } from '../helpers/redis.js';
import { readTruth, scanKeyMeta } from '../../scripts/lib/export-json.js';

const AOF = path.join(FIXTURES, 'aof');
const RDB_SET = path.join(AOF, 'rdb-multipart', 'appendonlydir');
const RESP_SET = path.join(AOF, 'resp-multipart', 'appendonlydir');
const INCR = 'appendonly.aof.2.incr.aof';
const PREAMBLE_BYTES = readFileSync(path.join(RDB_SET, 'appendonly.aof.2.base.rdb')).length;

/** The configuration the fixtures were written with, made strict about truncation. */
const CONFIG = {
  appendfilename: 'appendonly.aof',
  appenddirname: 'appendonlydir',
  'aof-load-truncated': 'no',
  'auto-aof-rewrite-percentage': 0,
};

let root: string;
let replay: RedisHandle;
let n = 0;
const scratch = async () => {
  const dir = path.join(root, String(n++));
  await fs.mkdir(dir);
  return dir;
};

beforeAll(async () => {
  requireRedisServer();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-repair-reload-'));
  replay = await startRedis();
}, 60_000);
afterAll(async () => {
  await replay?.stop();
  await fs.rm(root, { recursive: true, force: true });
});

interface Data {
  dataset: string;
  keys: number;
  functions: string;
}

/** Everything a server holds, comparable (stream consumers' seen-time is set by a replay). */
async function readData(client: RespClient): Promise<Data> {
  const records = await readTruth(client, await scanKeyMeta(client));
  const dataset = JSON.stringify(
    records.map(({ encoding: _rdbOnly, ...rest }) => rest),
    (key, value: unknown) => (key === 'seenTimeMs' ? undefined : value),
  );
  const libs = asArray(await client.call('FUNCTION', 'LIST', 'WITHCODE')).map((lib) => asArray(lib).map((v) => (Buffer.isBuffer(v) ? v.toString('latin1') : v)));
  return { dataset, keys: records.length, functions: JSON.stringify(libs) };
}

/** The complete commands of a RESP byte string (from `start`), as argument lists. */
function commandsOf(bytes: Uint8Array, start = 0): Buffer[][] {
  const out: Buffer[][] = [];
  const d = new RespDecoder({ command: (c) => out.push(c.argv.map((a) => Buffer.from(a))) }, { startOffset: start });
  d.push(bytes.subarray(start));
  expect(d.end().status).not.toBe('corrupt');
  return out;
}

/** What a server that loads `prepare`'s files at start holds. */
async function loadWithAof(prepare: (dir: string) => Promise<void>): Promise<Data> {
  const dir = await scratch();
  await prepare(dir);
  const server = await startRedis({ appendonly: true, config: { ...CONFIG, dir } });
  try {
    return await readData(server.client);
  } finally {
    await server.stop();
  }
}

/** What a fresh server holds after loading `rdb` (if any) and running `commands`. */
async function replayed(rdb: Uint8Array | null, commands: Buffer[][]): Promise<Data> {
  let server = replay;
  if (rdb) {
    const file = path.join(await scratch(), 'dump.rdb');
    await fs.writeFile(file, rdb);
    server = await startRedis({ rdbFile: file });
  } else {
    await replay.client.call('FLUSHALL');
    await replay.client.call('FUNCTION', 'FLUSH');
  }
  try {
    const client = await server.connect();
    try {
      await client.callAll(commands);
    } finally {
      await client.close();
    }
    return await readData(server.client);
  } finally {
    if (server !== replay) await server.stop();
  }
}

/** Repairs a copy of `bytes` in place and returns the plan and the repaired bytes. */
async function repairBytes(bytes: Uint8Array, opts: RepairPlanOptions = {}) {
  const file = path.join(await scratch(), 'appendonly.aof');
  await fs.writeFile(file, bytes);
  const plan = await planRepair(file, opts);
  expect(plan.action).toBe('truncate');
  expect((await applyRepair(plan, { backup: false })).verified?.clean).toBe(true);
  return { plan, bytes: await fs.readFile(file) };
}

/** Repairs a damaged copy of a multi-part set and returns the directory. */
async function repairSet(src: string, edit: (dir: string) => Promise<void>, opts: RepairPlanOptions = {}, backupInside = false) {
  const dir = path.join(await scratch(), 'appendonlydir');
  await fs.cp(src, dir, { recursive: true });
  await edit(dir);
  const plan = await planRepair(dir, opts);
  expect(plan.action).toBe('truncate');
  const result = await applyRepair(plan, backupInside ? {} : { backupDir: path.join(dir, '..', 'backup') });
  expect(result.verified?.clean).toBe(true);
  expect(path.dirname(result.backup!.path) === dir).toBe(backupInside);
  return { plan, dir };
}

const truth = (name: string): string => {
  const t = JSON.parse(readFileSync(path.join(AOF, `${name}.truth.json`), 'utf8')) as { dataset: unknown[] };
  return JSON.stringify(t.dataset, (key, value: unknown) => (key === 'seenTimeMs' ? undefined : value));
};

describe('a repaired AOF loads in redis-server and holds what its kept commands write', () => {
  it('plain.aof cut inside its last MULTI block', async () => {
    const plain = readFileSync(path.join(AOF, 'plain.aof'));
    const multis = [...plain.toString('latin1').matchAll(/\*1\r\n\$5\r\nMULTI\r\n/g)];
    const cutAt = multis.at(-1)!.index + 40;
    const { plan, bytes } = await repairBytes(plain.subarray(0, cutAt));
    expect(plan.cutOffset).toBe(multis.at(-1)!.index);
    const loaded = await loadWithAof((dir) => fs.writeFile(path.join(dir, 'appendonly.aof'), bytes));
    const expected = await replayed(null, commandsOf(bytes));
    expect(loaded.keys).toBeGreaterThan(10);
    expect(loaded).toEqual(expected);
    expect(loaded.dataset).not.toBe(truth('plain'));
  });

  it('hybrid.aof cut in its RESP tail (RDB preamble + kept commands)', async () => {
    const hybrid = readFileSync(path.join(AOF, 'hybrid.aof'));
    const { plan, bytes } = await repairBytes(hybrid.subarray(0, PREAMBLE_BYTES + Math.floor((hybrid.length - PREAMBLE_BYTES) / 2)));
    expect(plan.commandsLost).toBeGreaterThan(0);
    const loaded = await loadWithAof((dir) => fs.writeFile(path.join(dir, 'appendonly.aof'), bytes));
    const expected = await replayed(bytes.subarray(0, PREAMBLE_BYTES), commandsOf(bytes, PREAMBLE_BYTES));
    expect(loaded.keys).toBeGreaterThan(10);
    expect(loaded).toEqual(expected);
    expect(loaded.dataset).not.toBe(truth('hybrid'));
  });

  it('rdb-multipart with its last incr file cut (the backup left in the directory does not disturb Redis)', async () => {
    const incrSize = readFileSync(path.join(RDB_SET, INCR)).length;
    const { dir } = await repairSet(RDB_SET, (d) => fs.truncate(path.join(d, INCR), Math.floor(incrSize * 0.6)), {}, true);
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.bak'))).toHaveLength(1);
    const loaded = await loadWithAof((d) => fs.cp(dir, path.join(d, 'appendonlydir'), { recursive: true }));
    const base = readFileSync(path.join(dir, 'appendonly.aof.2.base.rdb'));
    const expected = await replayed(base, commandsOf(readFileSync(path.join(dir, INCR))));
    expect(loaded.keys).toBeGreaterThan(10);
    expect(loaded).toEqual(expected);
    expect(loaded.dataset).not.toBe(truth('rdb-multipart'));
  });

  it('resp-multipart truncated to a timestamp (RESP base + the kept part of the incr file)', async () => {
    const incr = readFileSync(path.join(RESP_SET, INCR));
    const stamps = [...incr.toString('latin1').matchAll(/#TS:(\d+)\r\n/g)];
    expect(stamps.length).toBeGreaterThanOrEqual(2);
    const { plan, dir } = await repairSet(RESP_SET, async () => undefined, { toTimestampSec: Number(stamps[0][1]) });
    expect(plan.cutOffset).toBe(stamps[1].index);
    const loaded = await loadWithAof((d) => fs.cp(dir, path.join(d, 'appendonlydir'), { recursive: true }));
    const commands = [...commandsOf(readFileSync(path.join(dir, 'appendonly.aof.2.base.aof'))), ...commandsOf(readFileSync(path.join(dir, INCR)))];
    const expected = await replayed(null, commands);
    expect(loaded.keys).toBeGreaterThan(10);
    expect(loaded).toEqual(expected);
    expect(loaded.dataset).not.toBe(truth('resp-multipart'));
    expect(asText(await replay.client.call('PING'))).toBe('PONG');
  });
});
