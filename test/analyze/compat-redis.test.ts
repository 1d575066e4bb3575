/**
 * `judge(…, 'redis@7.0')` against what the real server here (Debian's Redis 7.0) does with the
 * same bytes. The inputs are derived from real fixtures: the RDB 10 dump as written, its header
 * changed to RDB 11 and 12 (CRC-64 recomputed), a dump holding a type 7.0 does not know (a
 * set-listpack key, type 20), and the 7.0 RC function fixture. The facts are gathered by the
 * decoder from the very bytes the server is given.
 */
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge } from '../../src/analyze/compat.js';
import { FIXTURES } from '../helpers/files.js';
import { rdbFacts } from '../helpers/compat-facts.js';
import { withChecksum, withVersion } from '../helpers/rdb-edit.js';
import { RedisStartError, requireRedisServer, startRedis } from '../helpers/redis.js';

const ALL_TYPES = new Uint8Array(readFileSync(path.join(FIXTURES, 'rdb', 'all-types.rdb')));
const EMPTY = new Uint8Array(readFileSync(path.join(FIXTURES, 'rdb', 'empty.rdb')));

/**
 * The empty dump plus one key of type 20 (set, listpack) in db 0: SELECTDB 0, RESIZEDB 1 0,
 * then `s` → a listpack of the integers 1 and 2 (6-byte header, two 7-bit entries, 0xFF).
 */
function withSetListpack(file: Uint8Array): Uint8Array {
  const listpack = [11, 0, 0, 0, 2, 0, 0x01, 0x01, 0x02, 0x01, 0xff];
  const record = [0xfe, 0, 0xfb, 1, 0, 20, 1, 0x73, listpack.length, ...listpack, 0xff];
  const eof = file.length - 9;
  const body = new Uint8Array(eof + record.length);
  body.set(file.subarray(0, eof));
  body.set(record, eof);
  return withChecksum(body);
}

let scratch = '';
let serial = 0;
beforeAll(async () => {
  requireRedisServer();
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-compat-'));
});
afterAll(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

/** Starts the server on `bytes` as its dump.rdb: did it come up, and what did it log. */
async function serverLoads(bytes: Uint8Array): Promise<{ loaded: boolean; version: string; log: string }> {
  const file = path.join(scratch, `dump-${serial++}.rdb`);
  await fs.writeFile(file, bytes);
  try {
    const redis = await startRedis({ rdbFile: file, startTimeoutMs: 20_000 });
    try {
      return { loaded: true, version: redis.version, log: redis.output() };
    } finally {
      await redis.stop();
    }
  } catch (e) {
    if (e instanceof RedisStartError) return { loaded: false, version: /Redis version=(\S+),/.exec(e.log)?.[1] ?? '', log: e.log };
    throw e;
  }
}

describe('judge(redis@7.0) agrees with a real Redis 7.0', () => {
  it('an RDB 10 dump loads', async () => {
    const server = await serverLoads(ALL_TYPES);
    expect(server.version).toMatch(/^7\.0\./);
    expect(server.loaded, server.log).toBe(true);
    expect(judge(rdbFacts(ALL_TYPES), 'redis@7.0').loads).toBe(true);
  });

  for (const version of [11, 12]) {
    it(`the same dump announcing RDB ${version} is refused`, async () => {
      const bytes = withVersion(ALL_TYPES, version);
      const server = await serverLoads(bytes);
      expect(server.loaded).toBe(false);
      expect(server.log).toContain(`Can't handle RDB format version ${version}`);
      const j = judge(rdbFacts(bytes), 'redis@7.0', 'dump.rdb');
      expect(j.loads).toBe(false);
      expect(j.blockers.map((b) => b.code)).toEqual(['RDB_VERSION']);
      expect(j.blockers[0].message).toMatch(new RegExp(`^the RDB version ${version} is newer than 10, the newest Redis 7\\.0 reads`));
    });
  }

  it('an RDB 10 dump holding a type 7.0 does not know (20, set listpack) is refused', async () => {
    const bytes = withSetListpack(EMPTY);
    const server = await serverLoads(bytes);
    expect(server.loaded).toBe(false);
    expect(server.log).toContain('Unknown RDB encoding type 20');
    const j = judge(rdbFacts(bytes), 'redis@7.0', 'dump.rdb');
    expect(j.loads).toBe(false);
    expect(j.blockers.map((b) => b.message)).toEqual(['1 key of type set, listpack needs RDB 11 (Redis 7.2+, Valkey 7.2+)']);
    // The same key in a file announcing RDB 11 is what a 7.2 writes: the judgement for 7.2 accepts it.
    expect(judge(rdbFacts(withVersion(bytes, 11)), 'redis@7.2').loads).toBe(true);
  });

  it('the 7.0 RC function fixture loads, as the judgement says (and 7.2 would refuse it)', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(FIXTURES, 'derived', 'function-pre-ga.rdb')));
    const server = await serverLoads(bytes);
    expect(server.loaded, server.log).toBe(true);
    const facts = rdbFacts(bytes);
    expect(judge(facts, 'redis@7.0').loads).toBe(true);
    expect(judge(facts, 'redis@7.2').blockers.map((b) => b.byte)).toEqual([246]);
  });
});
