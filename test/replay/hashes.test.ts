/**
 * The hash family. The commands Redis 7.0 has are checked against the installed server: its
 * SAVE equals the replay of its AOF and the engine fed the client's commands, and the engine's
 * replies (and refusals) equal the server's. The field-TTL commands (Redis 7.4+/8.0, Valkey 9)
 * cannot run on 7.0: they are checked through hand-written AOFs in the forms those servers
 * log, and by applying them directly, against datasets built from the source's rules (each
 * expectation names the lines of t_hash.c / expire.c it rests on; 7.4.1 line numbers).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../src/dataset/dataset.js';
import { HashValue } from '../../src/dataset/hash.js';
import { ReplayEngine } from '../../src/replay/engine.js';
import { CommandError, ReplayError } from '../../src/replay/errors.js';
import { COMMANDS } from '../../src/replay/commands/index.js';
import { arityOk } from '../../src/replay/command.js';
import { StatusReply, type Reply } from '../../src/replay/reply.js';
import { replayPath } from '../../src/replay/replay-input.js';
import { setHashFieldExpiryView } from '../../src/replay/commands/hash-field-view.js';
import { HFE_MAX_ABS_TIME_MS } from '../../src/replay/commands/hash-field-ttl.js';
import { datasetDiff, runOracle, type Cmd } from '../helpers/replay-oracle.js';
import { RespError, startRedis } from '../helpers/redis.js';

const NOW = 1_800_000_000_000;

/** Applies commands one by one as the engine does (arity first), keeping every reply or refusal text. */
function applyAll(cmds: Cmd[], opts: { nowMs?: number; ds?: Dataset; valkey?: boolean } = {}) {
  const ds = opts.ds ?? new Dataset();
  const engine = new ReplayEngine(ds, { nowMs: opts.nowMs ?? NOW });
  if (opts.valkey) setHashFieldExpiryView(engine.context, 'valkey');
  engine.startFile('direct');
  const replies: unknown[] = [];
  for (const cmd of cmds) {
    const argv = cmd.map((a) => (typeof a === 'string' ? Buffer.from(a, 'utf8') : a).toString('latin1'));
    const name = argv[0].toLowerCase();
    if (name === 'multi' || name === 'exec') {
      // Blocks are the engine's: the commands inside run in place, in the same order as at EXEC.
      replies.push('skip');
      continue;
    }
    const spec = COMMANDS[name];
    if (!arityOk(spec.arity, argv.length)) {
      replies.push(`err:ERR wrong number of arguments for '${name}' command`);
      continue;
    }
    try {
      replies.push(mine(spec.run(engine.context, argv)));
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      replies.push(`err:${e.reply}`);
    }
  }
  return { ds, replies };
}

function mine(r: Reply): unknown {
  if (r instanceof StatusReply) return `+${r.status}`;
  if (Array.isArray(r)) return r.map(mine);
  return r;
}

function theirs(r: unknown): unknown {
  if (r instanceof RespError) return `err:${r.message}`;
  if (Buffer.isBuffer(r)) return r.toString('latin1');
  if (typeof r === 'bigint') return Number(r);
  if (typeof r === 'string') return `+${r}`;
  if (Array.isArray(r)) return r.map(theirs);
  return r;
}

/** The RESP form of commands, as an AOF holds them. */
function aof(cmds: string[][]): Buffer {
  const parts: Buffer[] = [];
  for (const c of cmds) {
    parts.push(Buffer.from(`*${c.length}\r\n`));
    for (const a of c) parts.push(Buffer.from(`$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`, 'latin1'));
  }
  return Buffer.concat(parts);
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Replays a hand-written AOF with the clock at `nowMs`. */
async function replayAof(cmds: string[][], nowMs = NOW) {
  const dir = mkdtempSync(join(tmpdir(), 'rdbtool-hashes-'));
  dirs.push(dir);
  const file = join(dir, 'appendonly.aof');
  writeFileSync(file, aof(cmds));
  return (await replayPath(file, { nowMs })).dataset;
}

/** A dataset of hashes in db 0: key → [field, value, ttlMs?][]. */
function hashes(spec: Record<string, [string, string, number?][]>): Dataset {
  const ds = new Dataset();
  for (const [key, fields] of Object.entries(spec)) {
    const h = HashValue.from(
      fields.map((f) => f[0]),
      fields.map((f) => f[1]),
    )!;
    for (const [f, , ttl] of fields) if (ttl !== undefined) h.setFieldExpire(f, ttl);
    ds.db(0).set(key, h);
  }
  return ds;
}

// ---------------------------------------------------------------------------------------------
// Redis 7.0 commands against the real server.

const LONG = 'L'.repeat(100);
const WIDE: Cmd[] = [['HSET', 'wide', ...Array.from({ length: 140 }, (_, i) => [`f${i}`, `${i}`]).flat()]];

const WORKLOAD: Cmd[] = [
  ['HSET', 'h1', 'a', '1', 'b', '2', 'c', '3'],
  ['HSET', 'h1', 'a', '10', 'd', '4'],
  ['HMSET', 'h1', 'e', '5', 'a', '11'],
  ['HSET', 'h1', 'a'],
  ['HMSET', 'h1', 'a', '1', 'b'],
  ['HSETNX', 'h1', 'a', 'x'],
  ['HSETNX', 'h1', 'z', 'x'],
  ['HSETNX', 'hnew', 'f', 'v'],
  ['HDEL', 'h1', 'b', 'nosuch', 'c'],
  ['HDEL', 'nokey', 'a'],
  ['HDEL', 'hnew', 'f', 'g'],
  ['HINCRBY', 'h1', 'a', '5'],
  ['HINCRBY', 'h1', 'n', '-7'],
  ['HINCRBY', 'h1', 'n', '9223372036854775807'],
  ['HINCRBY', 'hbig', 'f', '9223372036854775807'],
  ['HINCRBY', 'hbig', 'f', '1'],
  ['HINCRBY', 'hbig', 'g', '-9223372036854775808'],
  ['HINCRBY', 'hbig', 'g', '-1'],
  ['HINCRBY', 'hbig', 'g', '9223372036854775807'],
  ['HINCRBY', 'hbig', 'h', '99999999999999'],
  ['HINCRBY', 'hbig', 'h', '99999999999999'],
  ['HINCRBY', 'h1', 'e', 'notint'],
  ['HINCRBY', 'h1', 'e', '1.5'],
  ['HINCRBY', 'h1', 'e', '9223372036854775808'],
  ['HSET', 'h1', 's', 'abc', 'sp', ' 1', 'zero', '007'],
  ['HINCRBY', 'h1', 's', '1'],
  ['HINCRBY', 'h1', 'sp', '1'],
  ['HINCRBY', 'h1', 'zero', '1'],
  ['HINCRBY', 'nokey2', 'f', 'x'],
  ['HINCRBYFLOAT', 'hf', 'x', '0.1'],
  ['HINCRBYFLOAT', 'hf', 'x', '0.2'],
  ['HINCRBYFLOAT', 'hf', 'y', '1e20'],
  ['HINCRBYFLOAT', 'hf', 'y', '-1e20'],
  ['HINCRBYFLOAT', 'hf', 'z', '0x1p-3'],
  ['HINCRBYFLOAT', 'hf', 'w', '3.0e3'],
  ['HINCRBYFLOAT', 'hf', 'w', '-.5'],
  ['HINCRBYFLOAT', 'hf', 'v', '1.23456789012345678901234567890'],
  ['HINCRBYFLOAT', 'hf', 'u', '-1e-20'],
  ['HINCRBYFLOAT', 'hf', 't', '123456789012345678901234567890.5'],
  ['HINCRBYFLOAT', 'hf', 'tie', '0.000003814697265625'], // 2^-18: a tie at the 18th decimal, to even
  ['HINCRBYFLOAT', 'hf', 'tie2', '0.000011444091796875'], // 3·2^-18: a tie rounded up
  ['HINCRBYFLOAT', 'hf', 'back', '-0.0000001'],
  ['HINCRBYFLOAT', 'hf', 'back', '0.0000001'],
  ['HINCRBYFLOAT', 'hf', 'x', 'inf'],
  ['HINCRBYFLOAT', 'hf', 'x', 'nan'],
  ['HINCRBYFLOAT', 'hf', 'x', ' 1'],
  ['HINCRBYFLOAT', 'hf', 'x', '1e5000'],
  ['HINCRBYFLOAT', 'h1', 's', '1'],
  ['HSET', 'hf', 'huge', '1e4932'],
  ['HINCRBYFLOAT', 'hf', 'huge', '1e4932'],
  ['HINCRBYFLOAT', 'hf', 'i', '5'],
  ['HINCRBY', 'hf', 'i', '2'],
  ['HINCRBYFLOAT', 'hf', 'q', '1.5'],
  ['HINCRBY', 'hf', 'q', '1'],
  ['HINCRBYFLOAT', 'h1', 'n', '0.5'],
  ...WIDE,
  ['HSET', 'wide', LONG, LONG],
  ['HDEL', 'wide', 'f0', 'f1'],
  ['HINCRBYFLOAT', 'wide', 'f7', '2.5'],
  ['MULTI'],
  ['HSET', 'tx', 'a', '1'],
  ['HINCRBY', 'tx', 'a', '1'],
  ['EXEC'],
  ['SELECT', '3'],
  ['HSET', 'h1', 'in3', 'x'],
  ['SELECT', '0'],
  ['HGET', 'h1', 'a'],
  ['HGET', 'h1', 'nosuch'],
  ['HGET', 'nokey', 'a'],
  ['HMGET', 'h1', 'a', 'nosuch', 'd'],
  ['HMGET', 'nokey', 'a', 'b'],
  ['HGETALL', 'hf'],
  ['HGETALL', 'nokey'],
  ['HKEYS', 'h1'],
  ['HVALS', 'h1'],
  ['HKEYS', 'nokey'],
  ['HLEN', 'h1'],
  ['HLEN', 'wide'],
  ['HLEN', 'nokey'],
  ['HEXISTS', 'h1', 'a'],
  ['HEXISTS', 'h1', 'nosuch'],
  ['HEXISTS', 'nokey', 'a'],
  ['HSTRLEN', 'h1', 'a'],
  ['HSTRLEN', 'wide', LONG],
  ['HSTRLEN', 'h1', 'nosuch'],
  ['HDEL', 'tx', 'a'],
];

describe('hash commands against Redis 7.0', () => {
  for (const preamble of [false, true]) {
    it(`the SAVE equals the replay and the direct application (aof-use-rdb-preamble ${preamble ? 'yes' : 'no'})`, async () => {
      const run = await runOracle(WORKLOAD, { preamble, direct: true });
      expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
      expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
      expect(run.saved.db(0).get('hf')).toBeDefined();
      // t_hash.c hincrbyfloatCommand (7.4.1 L2243): logged as HSET with the result, never as itself.
      const text = Object.values(run.aofFiles)
        .map((b) => b.toString('latin1'))
        .join('');
      expect(text).not.toMatch(/HINCRBYFLOAT/i);
      expect(text).toContain('$4\r\nHSET\r\n$2\r\nhf\r\n$1\r\nx\r\n$3\r\n0.3\r\n');
      // The engine's replies and refusals are the server's, word for word (a block's aside).
      const inBlock = (i: number) => WORKLOAD.slice(0, i + 1).filter((c) => c[0] === 'MULTI').length > WORKLOAD.slice(0, i).filter((c) => c[0] === 'EXEC').length;
      const strip = (r: unknown[]) => r.map((x, i) => (inBlock(i) ? 'skip' : x));
      expect(strip(applyAll(WORKLOAD).replies)).toEqual(strip(run.replies.map(theirs)));
    });
  }

  it('a rewrite in the middle (HMSET batches of 64 in the base) replays to the SAVE', async () => {
    // The rewrite runs before the long field joins `wide` (and outside the MULTI block).
    const rewriteAfter = WORKLOAD.findIndex((c) => c[2] === LONG);
    const run = await runOracle(WORKLOAD, { preamble: false, rewriteAfter, direct: true });
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
    expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
    const base = Object.entries(run.aofFiles).find(([n]) => n.includes('.base.'))![1].toString('latin1');
    expect(base).toContain('$5\r\nHMSET\r\n$4\r\nwide\r\n');
  });

  it('refuses commands on a key of another type as the server does', async () => {
    const cmds: Cmd[] = [
      ['HSET', 'str', 'a', '1'],
      ['HMSET', 'str', 'a', '1'],
      ['HSETNX', 'str', 'a', '1'],
      ['HDEL', 'str', 'a'],
      ['HINCRBY', 'str', 'a', '1'],
      ['HINCRBY', 'str', 'a', 'x'],
      ['HINCRBYFLOAT', 'str', 'a', '1'],
      ['HGET', 'str', 'a'],
      ['HMGET', 'str', 'a'],
      ['HGETALL', 'str'],
      ['HKEYS', 'str'],
      ['HVALS', 'str'],
      ['HLEN', 'str'],
      ['HEXISTS', 'str', 'a'],
      ['HSTRLEN', 'str', 'a'],
    ];
    const server = await startRedis({});
    const want: unknown[] = [];
    try {
      await server.client.call('SET', 'str', 'x');
      for (const c of cmds) {
        try {
          want.push(theirs(await server.client.call(...c)));
        } catch (e) {
          want.push(theirs(e));
        }
      }
    } finally {
      await server.stop();
    }
    const ds = new Dataset();
    ds.db(0).set('str', 'x');
    expect(applyAll(cmds, { ds }).replies).toEqual(want);
    expect(ds.db(0).get('str')).toBe('x');
  });
});

// ---------------------------------------------------------------------------------------------
// Field TTLs (Redis 7.4+/8.0, Valkey 9), from hand-written AOFs and direct application.

const T1 = NOW + 60_000;
const T2 = NOW + 120_000;
const PAST = NOW - 5_000;

describe('hash field TTLs as Redis 7.4/8.x logs them', () => {
  it('the 7.4 rewrite form: one HMSET per field, HPEXPIREAT after each field with a TTL', async () => {
    // aof.c rewriteHashObject (7.4.1 L1992-2012).
    const ds = await replayAof([
      ['SELECT', '0'],
      ['HMSET', 'h', 'a', '1'],
      ['HPEXPIREAT', 'h', String(T1), 'FIELDS', '1', 'a'],
      ['HMSET', 'h', 'b', '2'],
      ['HMSET', 'h', 'c', '3'],
      ['HPEXPIREAT', 'h', String(PAST), 'FIELDS', '1', 'c'],
    ]);
    // A past time sets the TTL while loading: expire.c checkAlreadyExpired (7.4.1 L562-570) is
    // false under server.loading, so hashTypeSetExpiryListpack (L546) does not delete the field.
    expect(datasetDiff(hashes({ h: [['a', '1', T1], ['b', '2'], ['c', '3', PAST]] }), ds)).toEqual([]);
  });

  it('HPEXPIREAT with a past time on every field keeps the fields, expired', async () => {
    const ds = await replayAof([['HSET', 'h', 'a', '1', 'b', '2'], ['HPEXPIREAT', 'h', '0', 'FIELDS', '2', 'a', 'b']]);
    expect(datasetDiff(hashes({ h: [['a', '1', 0], ['b', '2', 0]] }), ds)).toEqual([]);
  });

  it('NX, XX, GT and LT are evaluated again (hashTypeSetExpiryListpack, 7.4.1 L516-544)', async () => {
    const { ds, replies } = applyAll([
      ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'],
      ['HPEXPIREAT', 'h', String(T1), 'XX', 'FIELDS', '2', 'a', 'nosuch'], // no TTL fails XX
      ['HPEXPIREAT', 'h', String(T1), 'GT', 'FIELDS', '1', 'a'], // no TTL fails GT
      ['HPEXPIREAT', 'h', String(T2), 'LT', 'FIELDS', '1', 'a'], // no TTL passes LT: a → T2
      ['HPEXPIREAT', 'h', String(T1), 'NX', 'FIELDS', '2', 'a', 'b'], // a has one: fails; b → T1
      ['HPEXPIREAT', 'h', String(T2), 'GT', 'FIELDS', '2', 'a', 'b'], // a: T2 ≥ T2 fails; b → T2
      ['HPEXPIREAT', 'h', String(T1), 'LT', 'FIELDS', '1', 'a'], // a → T1
      ['HPEXPIREAT', 'h', String(T1), 'XX', 'FIELDS', '1', 'c'], // no TTL fails XX
      ['HPEXPIREAT', 'nokey', String(T1), 'FIELDS', '2', 'a', 'b'],
    ]);
    expect(replies.slice(1)).toEqual([[0, -2], [0], [1], [0, 1], [0, 1], [1], [0], [-2, -2]]);
    expect(datasetDiff(hashes({ h: [['a', '1', T1], ['b', '2', T2], ['c', '3']] }), ds)).toEqual([]);
  });

  it('the relative and seconds forms count from the clock (a client sent them; never logged so)', () => {
    const { ds, replies } = applyAll([
      ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4'],
      ['HEXPIRE', 'h', '100', 'FIELDS', '1', 'a'],
      ['HPEXPIRE', 'h', '1500', 'FIELDS', '1', 'b'],
      ['HEXPIREAT', 'h', String(T1 / 1000), 'FIELDS', '1', 'c'],
      ['HEXPIRE', 'h', '0', 'FIELDS', '1', 'd'], // "now" is not in the past while loading: kept
      ['HTTL', 'h', 'FIELDS', '5', 'a', 'b', 'c', 'd', 'x'],
      ['HPTTL', 'h', 'FIELDS', '2', 'a', 'b'],
      ['HEXPIRETIME', 'h', 'FIELDS', '2', 'c', 'x'],
      ['HPEXPIRETIME', 'h', 'FIELDS', '1', 'b'],
      ['HTTL', 'nokey', 'FIELDS', '1', 'a'],
    ]);
    // httlGenericCommand (7.4.1 L2915-3030): seconds rounded up, -1 no TTL, -2 no field.
    expect(replies.slice(5)).toEqual([[100, 2, 60, 0, -2], [100_000, 1500], [T1 / 1000, -2], [NOW + 1500], [-2]]);
    expect(
      datasetDiff(hashes({ h: [['a', '1', NOW + 100_000], ['b', '2', NOW + 1500], ['c', '3', T1], ['d', '4', NOW]] }), ds),
    ).toEqual([]);
  });

  it('HSET drops a field TTL, HINCRBY and HINCRBYFLOAT keep it', async () => {
    // hashTypeSet (7.4.1 L855-965): without HASH_SET_KEEP_TTL an overwritten field loses its
    // TTL (L922, L953); hincrbyCommand and hincrbyfloatCommand pass HASH_SET_KEEP_TTL (L2182, L2232).
    const ds = await replayAof([
      ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4'],
      ['HPEXPIREAT', 'h', String(T1), 'FIELDS', '4', 'a', 'b', 'c', 'd'],
      ['HSET', 'h', 'a', 'x'],
      ['HMSET', 'h', 'b', 'y'],
      ['HINCRBY', 'h', 'c', '5'],
      ['HINCRBYFLOAT', 'h', 'd', '0.5'],
    ]);
    expect(datasetDiff(hashes({ h: [['a', 'x'], ['b', 'y'], ['c', '8', T1], ['d', '4.5', T1]] }), ds)).toEqual([]);
  });

  it('HPERSIST removes live TTLs; a field past its TTL counts as absent, even while loading', async () => {
    // hpersistCommand (7.4.1 L3236-3365): "expire < commandTimeSnapshot()" answers -2 and keeps the TTL.
    const cmds = [
      ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'],
      ['HPEXPIREAT', 'h', String(T1), 'FIELDS', '1', 'a'],
      ['HPEXPIREAT', 'h', String(PAST), 'FIELDS', '1', 'b'],
      ['HPERSIST', 'h', 'FIELDS', '4', 'a', 'b', 'c', 'x'],
    ];
    const ds = await replayAof(cmds);
    expect(datasetDiff(hashes({ h: [['a', '1'], ['b', '2', PAST], ['c', '3']] }), ds)).toEqual([]);
    expect(applyAll(cmds).replies[3]).toEqual([1, -2, -1, -2]);
  });

  it('reads see a field past its TTL as expired but leave it stored (hashTypeGetValue under server.loading, 7.4.1 L749-753)', () => {
    const { ds, replies } = applyAll([
      ['HSET', 'h', 'a', '10', 'b', '20', 'c', 'x', 'd', '1'],
      ['HPEXPIREAT', 'h', String(PAST), 'FIELDS', '4', 'a', 'b', 'c', 'd'],
      ['HPEXPIREAT', 'h', String(T1), 'FIELDS', '1', 'd'],
      ['HGET', 'h', 'a'],
      ['HMGET', 'h', 'a', 'd'],
      ['HEXISTS', 'h', 'a'],
      ['HSTRLEN', 'h', 'a'],
      ['HGETALL', 'h'], // hashTypeNext skips expired fields (L1376, L1393)
      ['HKEYS', 'h'],
      ['HLEN', 'h'], // hashTypeLength(o, 0) counts them
      ['HINCRBY', 'h', 'a', '5'], // GETF_EXPIRED: value taken as 0, TTL kept (L2146-2187)
      ['HINCRBYFLOAT', 'h', 'c', '1.5'], // an expired non-number is not read at all
      ['HSETNX', 'h', 'b', 'new'], // not "existing": set, and the TTL goes (L2093-2115)
      ['HTTL', 'h', 'FIELDS', '2', 'a', 'd'],
      ['HDEL', 'h', 'a'], // HDEL deletes it all the same
    ]);
    expect(replies.slice(3)).toEqual([null, [null, '1'], 0, 0, ['d', '1'], ['d'], 4, 5, '1.5', 1, [-2, 60], 1]);
    expect(datasetDiff(hashes({ h: [['b', 'new'], ['c', '1.5', PAST], ['d', '1', T1]] }), ds)).toEqual([]);
  });

  it('HSETEX as Redis 8 logs it: PXAT, FNX/FXX kept, KEEPTTL (and HINCRBYFLOAT as HSETEX KEEPTTL)', async () => {
    // hsetexCommand (Redis 8): options parsed first, FXX on an absent key answers 0 without
    // creating it, FNX/FXX read fields as hashTypeGetValue does, HASH_SET_KEEP_TTL with any of
    // EX/PX/EXAT/PXAT/KEEPTTL, then the new time set on every field; logged with PXAT <ms>.
    const cmds = [
      ['HSETEX', 'h', 'PXAT', String(T1), 'FIELDS', '2', 'a', '1', 'b', '2'],
      ['HSETEX', 'h', 'FNX', 'PXAT', String(T2), 'FIELDS', '2', 'a', 'x', 'c', '3'], // a exists: 0
      ['HSETEX', 'h', 'FNX', 'FIELDS', '1', 'c', '3'],
      ['HSETEX', 'h', 'FXX', 'KEEPTTL', 'FIELDS', '1', 'a', 'y'],
      ['HSETEX', 'h', 'FXX', 'FIELDS', '2', 'a', 'z', 'nosuch', 'w'], // not all exist: 0
      ['HSETEX', 'h', 'FIELDS', '1', 'b', 'plain'], // no option: TTL dropped
      ['HSETEX', 'h', 'KEEPTTL', 'FIELDS', '1', 'd', '4.25'],
      ['HSETEX', 'nokey', 'FXX', 'PXAT', String(T1), 'FIELDS', '1', 'a', '1'],
      ['HSETEX', 'h2', 'PXAT', String(T1), 'FNX', 'FIELDS', '1', 'f', 'v'],
    ];
    const ds = await replayAof(cmds);
    expect(datasetDiff(hashes({ h: [['a', 'y', T1], ['b', 'plain'], ['c', '3'], ['d', '4.25']], h2: [['f', 'v', T1]] }), ds)).toEqual([]);
    expect(applyAll(cmds).replies).toEqual([1, 0, 1, 1, 0, 1, 1, 0, 1]);
  });

  it('HGETEX and HGETDEL applied directly; their logged forms (HPEXPIREAT, HPERSIST, HDEL) give the same dataset', async () => {
    // hgetexCommand: the time or PERSIST applies to the fields read (GETF_OK) only; logged as
    // HPEXPIREAT key <ms> FIELDS n f… / HPERSIST key FIELDS n f… with every field of the call.
    // hgetdelCommand: deletes the fields read, the key when empty; logged as HDEL key f….
    const setup = [
      ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'],
      ['HSET', 'g', 'x', '1', 'y', '2'],
    ];
    const direct = applyAll([
      ...setup,
      ['HGETEX', 'h', 'PXAT', String(T1), 'FIELDS', '2', 'a', 'nosuch'],
      ['HGETEX', 'h', 'EX', '60', 'FIELDS', '1', 'b'],
      ['HGETEX', 'h', 'PERSIST', 'FIELDS', '1', 'a'],
      ['HGETEX', 'h', 'FIELDS', '1', 'c'],
      ['HGETDEL', 'g', 'FIELDS', '3', 'x', 'nosuch', 'y'],
      ['HGETDEL', 'nokey', 'FIELDS', '1', 'a'],
    ]);
    expect(direct.replies.slice(2)).toEqual([['1', null], ['2'], ['1'], ['3'], ['1', null, '2'], [null]]);
    const logged = await replayAof([
      ...setup,
      ['HPEXPIREAT', 'h', String(T1), 'FIELDS', '2', 'a', 'nosuch'],
      ['HPEXPIREAT', 'h', String(NOW + 60_000), 'FIELDS', '1', 'b'],
      ['HPERSIST', 'h', 'FIELDS', '1', 'a'],
      ['HDEL', 'g', 'x', 'nosuch', 'y'],
    ]);
    const want = hashes({ h: [['a', '1'], ['b', '2', NOW + 60_000], ['c', '3']] });
    expect(datasetDiff(want, direct.ds)).toEqual([]);
    expect(datasetDiff(want, logged)).toEqual([]);
  });

  it('the MULTI forms: lazy-expiry HDELs with the command, and 7.4.x HINCRBYFLOAT as HSET + HPEXPIREAT', async () => {
    const ds = await replayAof([
      ['HSET', 'h', 'a', '1', 'b', '2', 'f', '1'],
      ['HPEXPIREAT', 'h', String(T1), 'FIELDS', '1', 'f'],
      ['MULTI'],
      ['HDEL', 'h', 'a'],
      ['HPEXPIREAT', 'h', String(T2), 'FIELDS', '1', 'b'],
      ['EXEC'],
      ['MULTI'],
      ['HSET', 'h', 'f', '2.5'],
      ['HPEXPIREAT', 'h', String(T1), 'FIELDS', '1', 'f'],
      ['EXEC'],
    ]);
    expect(datasetDiff(hashes({ h: [['b', '2', T2], ['f', '2.5', T1]] }), ds)).toEqual([]);
  });
});

describe('hash field TTLs as Valkey 9 logs them', () => {
  it('rewrite with HSETEX PXAT per volatile field, HEXPIRE with all its fields and combined flags, HGETDEL as it is', async () => {
    const ds = await replayAof([
      ['HMSET', 'h', 'a', '1', 'b', '2'],
      ['HSETEX', 'h', 'PXAT', String(T1), 'FIELDS', '1', 'c', '3'],
      ['HPEXPIREAT', 'h', String(T2), 'XX', 'GT', 'FIELDS', '3', 'a', 'c', 'nosuch'], // only c: T1 < T2
      ['HSETEX', 'h', 'nx', 'PXAT', String(T1), 'FIELDS', '1', 'x', 'y'], // lower-case NX kept in the log; key exists: 0
      ['HSETEX', 'k', 'xx', 'FIELDS', '1', 'x', 'y'], // absent key: 0
      ['HSETEX', 'k', 'NX', 'FIELDS', '1', 'x', 'y'],
      ['HGETDEL', 'k', 'FIELDS', '1', 'x'], // key left empty: deleted
    ]);
    expect(datasetDiff(hashes({ h: [['a', '1'], ['b', '2'], ['c', '3', T2]] }), ds)).toEqual([]);
  });

  it('with the Valkey view, fields past their TTL are read as stored while loading', () => {
    const { ds, replies } = applyAll(
      [
        ['HSET', 'h', 'a', '10', 'b', '20', 'c', '3'],
        ['HPEXPIREAT', 'h', String(PAST), 'FIELDS', '3', 'a', 'b', 'c'],
        ['HINCRBY', 'h', 'a', '5'],
        ['HSETNX', 'h', 'b', 'new'],
        ['HGET', 'h', 'b'],
        ['HPTTL', 'h', 'FIELDS', '1', 'b'],
        ['HPERSIST', 'h', 'FIELDS', '1', 'c'],
      ],
      { valkey: true },
    );
    expect(replies.slice(2)).toEqual([15, 0, '20', [0], [1]]);
    expect(datasetDiff(hashes({ h: [['a', '15', PAST], ['b', '20', PAST], ['c', '3']] }), ds)).toEqual([]);
  });
});

describe('refusals', () => {
  const cases: [string[], string, string][] = [
    [['HSET', 'h', 'a', '1', 'b'], 'REPLAY_ARITY', "wrong number of arguments for 'hset'"],
    [['HSET', 'h', 'a'], 'REPLAY_ARITY', "wrong number of arguments for 'hset'"],
    [['HINCRBY', 'h', 'a', 'x'], 'REPLAY_BAD_ARGUMENT', 'value is not an integer'],
    [['HINCRBY', 'h', 's', '1'], 'REPLAY_BAD_ARGUMENT', 'hash value is not an integer'],
    [['HINCRBY', 'h', 'max', '1'], 'REPLAY_BAD_ARGUMENT', 'would overflow'],
    [['HINCRBYFLOAT', 'h', 'a', 'inf'], 'REPLAY_BAD_ARGUMENT', 'NaN or Infinity'],
    [['HINCRBYFLOAT', 'h', 's', '1'], 'REPLAY_BAD_ARGUMENT', 'hash value is not a float'],
    [['HGET', 'str', 'a'], 'REPLAY_WRONG_TYPE', 'WRONGTYPE'],
    [['HPEXPIREAT', 'str', '1', 'FIELDS', '1', 'a'], 'REPLAY_WRONG_TYPE', 'WRONGTYPE'],
    [['HPEXPIREAT', 'h', '1', 'FIELD', '1', 'a'], 'REPLAY_BAD_ARGUMENT', 'Mandatory argument FIELDS'],
    [['HPEXPIREAT', 'h', '1', 'FIELDS', '2', 'a'], 'REPLAY_BAD_ARGUMENT', 'must match the number of arguments'],
    [['HPEXPIREAT', 'h', '1', 'FIELDS', '0', 'a'], 'REPLAY_BAD_ARGUMENT', 'should be greater than 0'],
    [['HPEXPIREAT', 'h', '-1', 'FIELDS', '1', 'a'], 'REPLAY_BAD_ARGUMENT', 'must be >= 0'],
    [['HPEXPIREAT', 'h', String(HFE_MAX_ABS_TIME_MS + 1), 'FIELDS', '1', 'a'], 'REPLAY_BAD_ARGUMENT', "invalid expire time in 'hpexpireat'"],
    [['HEXPIRE', 'h', String(Math.floor(HFE_MAX_ABS_TIME_MS / 1000)), 'FIELDS', '1', 'a'], 'REPLAY_BAD_ARGUMENT', "invalid expire time in 'hexpire'"],
    [['HPEXPIREAT', 'h', '1', 'NX', 'XX', 'FIELDS', '1', 'a'], 'REPLAY_BAD_ARGUMENT', 'not compatible'],
    [['HPEXPIREAT', 'h', '1', 'GT', 'LT', 'FIELDS', '1', 'a'], 'REPLAY_BAD_ARGUMENT', 'not compatible'],
    [['HPERSIST', 'h', 'FIELDS', 'x', 'a'], 'REPLAY_BAD_ARGUMENT', 'positive integer'],
    [['HSETEX', 'h', 'EX', '1', 'PX', '1', 'FIELDS', '1', 'a', 'b'], 'REPLAY_BAD_ARGUMENT', 'Only one of EX'],
    [['HSETEX', 'h', 'FNX', 'FXX', 'FIELDS', '1', 'a', 'b'], 'REPLAY_BAD_ARGUMENT', 'Only one of FXX or FNX'],
    [['HSETEX', 'h', 'BOGUS', 'FIELDS', '1', 'a', 'b'], 'REPLAY_BAD_ARGUMENT', 'unknown argument: BOGUS'],
    [['HSETEX', 'h', 'FIELDS', '2', 'a', 'b'], 'REPLAY_ARITY', "wrong number of arguments for 'hsetex'"],
    [['HSETEX', 'h', 'FIELDS', '0', 'a', 'b'], 'REPLAY_BAD_ARGUMENT', 'invalid number of fields'],
    [['HGETEX', 'h', 'PX', 'x', 'FIELDS', '1', 'a'], 'REPLAY_BAD_ARGUMENT', 'not an integer'],
    [['HGETDEL', 'h', 'FIELDS', '2', 'a'], 'REPLAY_BAD_ARGUMENT', 'must match'],
    [['HTTL', 'h', 'FIELDS', '1'], 'REPLAY_ARITY', "wrong number of arguments for 'httl'"],
  ];
  for (const [argv, code, text] of cases) {
    it(`${argv.join(' ')} → ${code}`, () => {
      const ds = hashes({ h: [['a', '1', T1], ['s', 'abc'], ['max', '9223372036854775807']] });
      ds.db(0).set('str', 'x');
      const before = datasetDiff(ds, hashes({}));
      const e = new ReplayEngine(ds, { nowMs: NOW });
      e.startFile('x.aof');
      let err: unknown;
      try {
        e.apply(argv, { file: 'x.aof', offset: 7, line: 3 });
      } catch (x) {
        err = x;
      }
      expect(err).toBeInstanceOf(ReplayError);
      expect((err as ReplayError).code).toBe(code);
      expect((err as ReplayError).offset).toBe(7);
      expect((err as ReplayError).message).toContain(text);
      expect(datasetDiff(ds, hashes({}))).toEqual(before); // nothing changed
    });
  }
});
