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
import { MemberCheck } from '../../src/convert/member-check.js';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import { encodeCommand } from '../../src/aof/resp-encoder.js';
import { memorySink } from '../../src/io/byte-sink.js';
import { bytesSource } from '../../src/io/source.js';
import { RdbtoolError } from '../../src/errors.js';
import { requireRedisServer, startRedis } from '../helpers/redis.js';
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
