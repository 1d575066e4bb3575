/**
 * "Would Redis start on it?" confirmed on a real redis-server for a handful of representative
 * cases: the server is started with `appendonly yes` on a scratch copy, with
 * `aof-load-truncated yes` or `no`, and either comes up (then the file it truncated is
 * measured) or exits (startRedis throws RedisStartError). Needs redis-server: fails with an
 * install hint without it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkPath } from '../../src/analyze/check.js';
import { FIXTURES } from '../helpers/files.js';
import { RedisStartError, requireRedisServer, startRedis } from '../helpers/redis.js';

const AOF = path.join(FIXTURES, 'aof');
const PLAIN = readFileSync(path.join(AOF, 'plain.aof'));
const HYBRID = readFileSync(path.join(AOF, 'hybrid.aof'));

let scratch = '';
let serial = 0;
beforeAll(async () => {
  requireRedisServer();
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'rdbtool-check-redis-'));
});
afterAll(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

/** What a server did with a directory: came up (with the truncated file's size) or exited. */
interface Outcome {
  started: boolean;
  log: string;
  /** Size of `watch` (relative to the server's dir) while the server ran. */
  size?: number;
}

/**
 * Starts redis-server on `dir` (its `dir`, holding `appendonly.aof` or `appendonlydir/`) and
 * stops it again.
 */
async function startOn(dir: string, truncated: 'yes' | 'no', watch: string): Promise<Outcome> {
  try {
    const redis = await startRedis({ config: { dir, appendonly: true, 'aof-load-truncated': truncated, appenddirname: 'appendonlydir' }, startTimeoutMs: 20_000 });
    try {
      const size = (await fs.stat(path.join(dir, watch))).size;
      return { started: true, log: redis.output(), size };
    } finally {
      await redis.stop();
    }
  } catch (e) {
    if (e instanceof RedisStartError) return { started: false, log: e.log };
    throw e;
  }
}

/** A scratch server dir holding `bytes` as a single-file AOF (Redis upgrades it into appendonlydir/). */
async function singleFile(bytes: Uint8Array): Promise<{ dir: string; file: string }> {
  const dir = path.join(scratch, `srv-${serial++}`);
  await fs.mkdir(dir);
  const file = path.join(dir, 'appendonly.aof');
  await fs.writeFile(file, bytes);
  return { dir, file };
}

describe('check: "Redis would start" against a real redis-server', () => {
  it('a plain AOF cut mid-command: starts with yes, truncated where check said; refused with no', async () => {
    const cut = PLAIN.subarray(0, 2000);
    const a = await singleFile(cut);
    const r = await checkPath(a.file);
    expect(r.redisWouldStart).toMatchObject({ withAofLoadTruncatedYes: true, withAofLoadTruncatedNo: false });
    const t = r.redisWouldStart.truncation!;
    const yes = await startOn(a.dir, 'yes', 'appendonlydir/appendonly.aof');
    expect(yes.started, yes.log).toBe(true);
    expect(yes.log).toContain(`Truncating the AOF appendonly.aof at offset ${t.toOffset}`);
    expect(yes.size).toBe(t.toOffset);
    const b = await singleFile(cut);
    const no = await startOn(b.dir, 'no', 'appendonly.aof');
    expect(no.started).toBe(false);
    expect(no.log).toContain('Unexpected end of file');
  });

  it('a command cut short inside MULTI: Redis keeps the open block, as check warns', async () => {
    const multi = PLAIN.indexOf('*1\r\n$5\r\nMULTI\r\n', 1765);
    const cut = PLAIN.subarray(0, multi + 15 + 40); // MULTI, one whole command, part of the next
    const a = await singleFile(cut);
    const r = await checkPath(a.file);
    const t = r.redisWouldStart.truncation!;
    expect(t).toMatchObject({ leavesOpenMulti: true, dropsRdbPreamble: false });
    expect(t.toOffset).toBeGreaterThan(multi); // not redis-check-aof's ok_up_to, which is the MULTI
    expect(r.files[0].okUpTo).toBe(multi);
    const yes = await startOn(a.dir, 'yes', 'appendonlydir/appendonly.aof');
    expect(yes.started, yes.log).toBe(true);
    expect(yes.size).toBe(t.toOffset);
  });

  it('a hybrid AOF cut in its first RESP command: Redis truncates it to 0 bytes, preamble included', async () => {
    const a = await singleFile(HYBRID.subarray(0, 890));
    const r = await checkPath(a.file);
    expect(r.redisWouldStart.truncation).toMatchObject({ toOffset: 0, lostBytes: 890, dropsRdbPreamble: true });
    const yes = await startOn(a.dir, 'yes', 'appendonlydir/appendonly.aof');
    expect(yes.started, yes.log).toBe(true);
    expect(yes.log).toContain('Truncating the AOF appendonly.aof at offset 0');
    expect(yes.size).toBe(0);
  });

  it('a damaged RDB preamble: refused even with aof-load-truncated yes', async () => {
    const bytes = Buffer.from(HYBRID);
    bytes[300] ^= 0x5a;
    const a = await singleFile(bytes);
    const r = await checkPath(a.file);
    expect(r.redisWouldStart.withAofLoadTruncatedYes).toBe(false);
    const yes = await startOn(a.dir, 'yes', 'appendonly.aof');
    expect(yes.started).toBe(false);
  });

  it('a multi-part set with a truncated base (not the last file): refused even with yes', async () => {
    const dir = path.join(scratch, `srv-${serial++}`);
    await fs.cp(path.join(AOF, 'resp-multipart'), dir, { recursive: true });
    await fs.truncate(path.join(dir, 'appendonlydir', 'appendonly.aof.2.base.aof'), 1700);
    const r = await checkPath(dir);
    expect(r.redisWouldStart).toMatchObject({ withAofLoadTruncatedYes: false, withAofLoadTruncatedNo: false });
    const yes = await startOn(dir, 'yes', 'appendonlydir/appendonly.aof.2.base.aof');
    expect(yes.started).toBe(false);
    expect(yes.log).toContain('the truncated file is not the last file');
  });

  it('a multi-part set with a missing incr file: refused', async () => {
    const dir = path.join(scratch, `srv-${serial++}`);
    await fs.cp(path.join(AOF, 'rdb-multipart'), dir, { recursive: true });
    await fs.rm(path.join(dir, 'appendonlydir', 'appendonly.aof.2.incr.aof'));
    const r = await checkPath(dir);
    expect(r.redisWouldStart.withAofLoadTruncatedYes).toBe(false);
    const yes = await startOn(dir, 'yes', 'appendonlydir/appendonly.aof.manifest');
    expect(yes.started).toBe(false);
  });
});
