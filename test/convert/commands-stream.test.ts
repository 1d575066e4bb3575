/**
 * The writers of commands (`--to aof`, `--to resp`) take every list, set, sorted set and hash
 * of an RDB input as it is read (rdb-keys.ts `streamsEvery`), with no value built: their
 * elements are framed into a reused batch (command-batch.ts) and duplicates are found by a
 * reused table (member-check.ts). A value holding a member or field twice is still refused as
 * the dataset's loader refuses it; the pieces are checked against plain oracles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { convert } from '../../src/convert/convert.js';
import { CommandBatch } from '../../src/convert/command-batch.js';
import { RespOutput } from '../../src/convert/aof-rewrite.js';
import { MemberCheck } from '../../src/convert/member-check.js';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import { encodeCommand } from '../../src/aof/resp-encoder.js';
import { memorySink } from '../../src/io/byte-sink.js';
import { bytesSource } from '../../src/io/source.js';
import { RdbtoolError } from '../../src/errors.js';
import { requireRedisServer, startRedis } from '../helpers/redis.js';
import { pipeInto } from '../helpers/redis-pipe.js';
import { Dataset } from '../../src/dataset/dataset.js';
import { ZSetValue } from '../../src/dataset/zset.js';
import { writeDatasetRdb } from '../../src/rdb/write-dataset.js';
import { serverOnAof } from '../helpers/server-datasets.js';
import { datasetDiff } from '../helpers/replay-oracle.js';
import { withChecksum } from '../helpers/rdb-edit.js';
import { randomBytes, rng } from '../helpers/bytes.js';

let work: string;
beforeAll(() => {
  requireRedisServer();
  work = mkdtempSync(path.join(tmpdir(), 'rdbtool-commands-stream-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('CommandBatch', () => {
  it('frames every argument as the RESP encoder does, across lengths and buffer growth', () => {
    const rand = rng(5);
    const batch = new CommandBatch();
    for (let round = 0; round < 40; round++) {
      batch.reset();
      const args: (Uint8Array | string)[] = [];
      const count = 1 + Math.floor(rand() * 70);
      for (let i = 0; i < count; i++) {
        const sizes = [0, 1, 9, 10, 31, 32, 33, 99, 100, 999, 1000, 9999, 10000, 70000];
        const n = rand() < 0.8 ? sizes[Math.floor(rand() * sizes.length)] : Math.floor(rand() * 300_000);
        const b = randomBytes(n, rand);
        if (rand() < 0.3) {
          const s = Buffer.from(b).toString('latin1');
          args.push(s);
          batch.text(s);
        } else {
          args.push(b);
          batch.bytes(b);
        }
      }
      // A command of the same arguments, less its `*<argc>` line, is what the batch holds.
      const whole = encodeCommand(args.map((a) => (typeof a === 'string' ? Buffer.from(a, 'latin1') : a)));
      const header = `*${args.length}\r\n`.length;
      expect(batch.args).toBe(args.length);
      expect(Buffer.from(batch.framed()).equals(Buffer.from(whole.subarray(header)))).toBe(true);
    }
  });
});

describe('CommandBatch.score', () => {
  it('writes text that reads back as the same double, the shortest decimal when there is one', () => {
    const rand = rng(17);
    const xs = [0, -0, Infinity, -Infinity, 5e-324, -5e-324, 1.7976931348623157e308, 2 ** 53, 2 ** 53 + 2, -(2 ** 53) + 1, 1e21, 1e-7, 0.1, 0.3, -1.5, 123456.7891, 0.05, 1e22, 1e-22, 9007199254740.991];
    for (let i = 0; i < 20_000; i++) {
      xs.push((rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20));
      xs.push(Math.round(rand() * 1e8) / 10 ** Math.floor(rand() * 8));
    }
    const batch = new CommandBatch();
    let decimals = 0;
    for (const x of xs) {
      batch.reset();
      batch.score(x);
      const framed = Buffer.from(batch.framed()).toString('latin1');
      const m = /^\$(\d+)\r\n(.*)\r\n$/s.exec(framed);
      expect(m, framed).not.toBeNull();
      const text = m![2];
      expect(text.length).toBe(Number(m![1]));
      const back = text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text);
      expect(Object.is(back, x), `${x} written as ${text}`).toBe(true);
      if (!/e/.test(String(x)) && Number.isFinite(x)) {
        // No exponent in JavaScript's text: the same digits (the shortest), no trailing zero.
        expect(text, String(x)).toBe(Object.is(x, -0) ? '-0' : String(x));
        decimals++;
      }
    }
    expect(decimals).toBeGreaterThan(20_000);
  });
});

describe('RespOutput.bulkDecimal', () => {
  it('writes what bulk(String(n)) writes, for every width of safe integer', () => {
    const rand = rng(29);
    const ns = [0, -0, 1, -1, 9, 10, -10, 1_900_000_000_000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    for (let i = 0; i < 2000; i++) ns.push(Math.floor((rand() - 0.5) * 2 ** (1 + Math.floor(rand() * 53))));
    const a = memorySink();
    const b = memorySink();
    const outA = new RespOutput(a, 4096);
    const outB = new RespOutput(b, 4096);
    for (const n of ns) {
      outA.bulkDecimal(n);
      outB.bulk(String(n));
    }
    outA.flush();
    outB.flush();
    expect(Buffer.from(a.bytes()).toString('latin1')).toBe(Buffer.from(b.bytes()).toString('latin1'));
  });
});

describe('MemberCheck', () => {
  it('finds exactly the repeats a Set finds, over many values and table growth', () => {
    const rand = rng(9);
    const check = new MemberCheck();
    for (let round = 0; round < 60; round++) {
      check.reset();
      const seen = new Set<string>();
      const count = Math.floor(rand() * (round % 5 === 0 ? 20_000 : 300));
      for (let i = 0; i < count; i++) {
        // Short members from a small alphabet repeat often; some are empty or long.
        const n = rand() < 0.05 ? 0 : rand() < 0.05 ? 500 + Math.floor(rand() * 2000) : 1 + Math.floor(rand() * 4);
        const m = randomBytes(n, rand, 3);
        const key = Buffer.from(m).toString('latin1');
        const fresh = !seen.has(key);
        seen.add(key);
        expect(check.add(m)).toBe(fresh);
      }
    }
  });
});

describe('sorted-set scores of a streamed value', () => {
  it('piped into Redis 7.0, every score comes back the same double, from listpacks and skiplists', async () => {
    const rand = rng(23);
    const scores = [Infinity, -Infinity, 5e-324, 1.7976931348623157e308, 2 ** 53 + 2, 1e21, 1e-7, 0.1, 123456.7891, -1.5];
    for (let i = 0; i < 600; i++) scores.push((rand() - 0.5) * 10 ** Math.floor(rand() * 600 - 300), Math.round(rand() * 1e8) / 1e4);
    const ds = new Dataset();
    ds.db(0).add('few', ZSetValue.from(scores.slice(0, 50).map((_, i) => `m${i}`), scores.slice(0, 50))!, null);
    ds.db(0).add('many', ZSetValue.from(scores.map((_, i) => `m${i}`), scores)!, null);
    const rdb = path.join(work, 'scores.rdb');
    const written = memorySink('scores.rdb');
    await writeDatasetRdb(ds, written, { rdbVersion: 10, nowMs: 0 });
    writeFileSync(rdb, written.bytes());
    const resp = memorySink();
    await convert(rdb, resp, { to: 'resp' });
    const redis = await startRedis();
    try {
      const r = await pipeInto(redis.port, resp.bytes());
      expect(r.errors, r.output).toBe(0);
      await redis.client.call('SAVE');
      const got = (await loadRdb(bytesSource(new Uint8Array(readFileSync(redis.dumpPath)), 'dump.rdb'))).dataset.db(0);
      for (const key of ['few', 'many']) {
        const want = (ds.db(0).get(key) as ZSetValue).toArrays();
        const back = (got.get(key) as ZSetValue).toArrays();
        const byMember = new Map(back.members.map((m, i) => [m, back.scores[i]]));
        expect(byMember.size).toBe(want.members.length);
        for (let i = 0; i < want.members.length; i++) expect(Object.is(byMember.get(want.members[i]), want.scores[i]), `${key} ${want.members[i]}: ${want.scores[i]}`).toBe(true);
      }
    } finally {
      await redis.stop();
    }
  });
});

/**
 * An RDB saved by Redis 7.0 (no compression) whose small and large sets, sorted sets and hashes
 * have members or fields of equal length, so that one can be overwritten with another.
 */
async function savedByServer(): Promise<Uint8Array> {
  const redis = await startRedis({ config: { rdbcompression: 'no' } });
  try {
    const c = redis.client;
    await c.call('SADD', 'set:small', 'dupmemberA', 'dupmemberB', 'other');
    await c.call('HSET', 'hash:small', 'dupfieldA', '1', 'dupfieldB', '2');
    await c.call('ZADD', 'zset:small', '1', 'dupzmembA', '2', 'dupzmembB');
    const many = (p: string) => Array.from({ length: 300 }, (_, i) => `${p}${String(i).padStart(4, '0')}`);
    await c.call('SADD', 'set:large', 'bigmemberA', 'bigmemberB', ...many('s'));
    await c.call('HSET', 'hash:large', 'bigfieldAA', 'x', 'bigfieldBB', 'y', ...many('f').flatMap((f) => [f, 'v']));
    await c.call('ZADD', 'zset:large', '1', 'bigzmembA', '2', 'bigzmembB', ...many('z').flatMap((m, i) => [String(i + 3), m]));
    await c.call('RPUSH', 'list', 'dupmemberA', 'dupmemberA');
    await c.call('SAVE');
    return new Uint8Array(readFileSync(redis.dumpPath));
  } finally {
    await redis.stop();
  }
}

/** `file` with the first `from` replaced by `to` (same length), checksum recomputed. */
function replaced(file: Uint8Array, from: string, to: string): Uint8Array {
  const buf = Buffer.from(file);
  const at = buf.indexOf(from, 0, 'latin1');
  expect(at).toBeGreaterThan(0);
  const body = buf.subarray(0, buf.length - 8);
  body.write(to, at, 'latin1');
  return withChecksum(body);
}

describe('a writer of commands on duplicate members', () => {
  let saved: Uint8Array;
  let clean: string;
  beforeAll(async () => {
    saved = await savedByServer();
    clean = path.join(work, 'clean.rdb');
    writeFileSync(clean, saved);
  });

  it('the undamaged file converts, and Redis 7.0 loads the AOF into the data loadRdb reads', async () => {
    const aof = path.join(work, 'clean.aof');
    const res = await convert(clean, aof, { to: 'aof' });
    expect(res.keys).toBe(7);
    const want = (await loadRdb(bytesSource(saved, 'clean.rdb'))).dataset;
    expect(datasetDiff(await serverOnAof(aof), want)).toEqual([]);
  });

  const cases: [string, string, string, string][] = [
    ['a listpack set', 'dupmemberB', 'dupmemberA', 'duplicate set member in the file'],
    ['a hashtable set', 'bigmemberB', 'bigmemberA', 'duplicate set member in the file'],
    ['a listpack hash', 'dupfieldB', 'dupfieldA', 'duplicate hash field in the file'],
    ['a hashtable hash', 'bigfieldBB', 'bigfieldAA', 'duplicate hash field in the file'],
    ['a listpack sorted set', 'dupzmembB', 'dupzmembA', 'duplicate sorted-set member in the file'],
    ['a skiplist sorted set', 'bigzmembB', 'bigzmembA', 'duplicate sorted-set member in the file'],
  ];
  for (const [what, from, to, reason] of cases) {
    it(`${what} holding a member twice is refused as the loader refuses it, nothing written`, async () => {
      const damaged = replaced(saved, from, to);
      const file = path.join(work, `${from}.rdb`);
      writeFileSync(file, damaged);
      const loaderError = await loadRdb(bytesSource(damaged, file)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(loaderError).toBeInstanceOf(RdbtoolError);
      expect((loaderError as RdbtoolError).reason).toBe(reason);
      for (const to of ['aof', 'resp'] as const) {
        const out = path.join(work, `${from}.${to}`);
        const e = await convert(file, out, { to }).then(
          () => null,
          (err: unknown) => err,
        );
        expect(e).toBeInstanceOf(RdbtoolError);
        const err = e as RdbtoolError;
        const want = loaderError as RdbtoolError;
        expect([err.code, err.message, err.offset, err.file]).toEqual([want.code, want.message, want.offset, want.file]);
        expect(existsSync(out)).toBe(false);
      }
    });
  }

  it('a list may hold an item twice: nothing refused, both written', async () => {
    const sink = memorySink();
    await convert(clean, sink, { to: 'resp' });
    const text = Buffer.from(sink.bytes()).toString('latin1');
    expect(text).toContain('*4\r\n$5\r\nRPUSH\r\n$4\r\nlist\r\n$10\r\ndupmemberA\r\n$10\r\ndupmemberA\r\n');
  });
});
