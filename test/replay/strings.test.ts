/**
 * The string commands against a real Redis 7.0: the replay of its AOF equals its SAVE (both
 * preamble settings, with and without a rewrite in the middle); the client's own commands
 * applied to the engine give the same data and the same replies, read-only commands and
 * error texts included (the forms older servers logged verbatim: SET … EX … NX, SETEX,
 * GETEX EX, INCRBYFLOAT, GETSET — relative times compared within a tolerance); what only a
 * loading server does (past expiries kept) and what no 7.0 server takes (IFEQ/IFNE) checked
 * on the engine; refusals located with their codes.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dataset } from '../../src/dataset/dataset.js';
import { MAX_BYTE_STRING } from '../../src/dataset/byte-string.js';
import { LimitError } from '../../src/errors.js';
import { ReplayEngine } from '../../src/replay/engine.js';
import { ReplayError } from '../../src/replay/errors.js';
import { replayPath } from '../../src/replay/replay-input.js';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import { bytesSource } from '../../src/io/source.js';
import { startRedis } from '../helpers/redis.js';
import { datasetDiff, runOracle, type Cmd } from '../helpers/replay-oracle.js';
import { applyDirect, looseDiff, replyDiff, toArgv } from './replies.js';

const FUTURE_MS = 4102444800123; // 2100-01-01
const FUTURE_S = 4102444900;
const PAST_MS = 1000000000000; // 2001

const str = (n: number | bigint) => String(n);

/** Commands whose effect does not depend on the clock: the engine must agree exactly. */
const ABSOLUTE: Cmd[] = [
  ['SET', 's1', 'hello'],
  ['SET', 's1', 'world', 'GET'],
  ['SET', 's1', 'again', 'get', 'GET'],
  ['SET', 's2', 'v', 'NX'],
  ['SET', 's2', 'w', 'NX'],
  ['SET', 's2', 'w', 'NX', 'GET'],
  ['SET', 's3', 'v', 'XX'],
  ['SET', 's3', 'v', 'XX', 'GET'],
  ['SET', 's2', 'x', 'XX', 'GET'],
  ['SET', 's4', 'v', 'PXAT', str(FUTURE_MS)],
  ['SET', 's4', 'w', 'KEEPTTL'],
  ['SET', 's5', 'v', 'EXAT', str(FUTURE_S)],
  ['SET', 's5', 'w'],
  ['SET', 's6', 'v', 'pxat', str(FUTURE_MS), 'NX'],
  ['SET', 's6', 'w', 'EXAT', str(FUTURE_S), 'XX', 'GET'],
  ['SET', 's7', Buffer.from([0, 255, 13, 10, 128]), 'KEEPTTL', 'NX'],
  ['SET', 's8', '12345'],
  ['SET', 's8', ''],
  ['SET', 'bad', 'v', 'NX', 'XX'],
  ['SET', 'bad', 'v', 'EX', '10', 'PX', '10'],
  ['SET', 'bad', 'v', 'KEEPTTL', 'PXAT', '10'],
  ['SET', 'bad', 'v', 'PXAT'],
  ['SET', 'bad', 'v', 'PXAT', '0'],
  ['SET', 'bad', 'v', 'PXAT', '-1'],
  ['SET', 'bad', 'v', 'EXAT', '9223372036854776'],
  ['SET', 'bad', 'v', 'PERSIST'],
  ['SET', 'bad', 'v', 'whatever'],
  ['SETNX', 'n1', 'a'],
  ['SETNX', 'n1', 'b'],
  ['GETSET', 'g1', 'x'],
  ['SET', 'g2', 'old', 'PXAT', str(FUTURE_MS)],
  ['GETSET', 'g2', 'new'],
  ['GETDEL', 'g1'],
  ['GETDEL', 'nokey'],
  ['SET', 'e1', 'v'],
  ['GETEX', 'e1', 'PXAT', str(FUTURE_MS)],
  ['GETEX', 'e1', 'EXAT', str(FUTURE_S + 1)],
  ['GETEX', 'e1'],
  ['GETEX', 'e1', 'PERSIST'],
  ['GETEX', 'e1', 'PERSIST'],
  ['GETEX', 'nokey', 'PXAT', str(FUTURE_MS)],
  ['GETEX', 'nokey', 'PXAT', 'zero'],
  ['GETEX', 'e1', 'PXAT', 'zero'],
  ['GETEX', 'e1', 'NX'],
  ['GETEX', 'e1', 'PERSIST', 'PXAT', '5'],
  ['APPEND', 'a1', 'abc'],
  ['APPEND', 'a1', 'def'],
  ['SET', 'a2', '12', 'PXAT', str(FUTURE_MS)],
  ['APPEND', 'a2', '34'],
  ['APPEND', 'a2', Buffer.from([0, 200, 255])],
  ['APPEND', 'a3', ''],
  ['SETRANGE', 'r1', '5', 'xy'],
  ['SETRANGE', 'r1', '0', 'AB'],
  ['SETRANGE', 'r1', '6', 'long tail'],
  ['SETRANGE', 'r1', '2', 'q'],
  ['SETRANGE', 'r2', '3', ''],
  ['SET', 'r3', 'value', 'PXAT', str(FUTURE_MS)],
  ['SETRANGE', 'r3', '1', 'zz'],
  ['SETRANGE', 'r3', '0', ''],
  ['SETRANGE', 'r3', '-1', 'x'],
  ['SETRANGE', 'r3', 'x', 'x'],
  ['SETRANGE', 'r4', '536870912', 'x'],
  ['SETRANGE', 'r4', '536870911', 'xy'],
  ['SET', 'i0', '100', 'PXAT', str(FUTURE_MS)],
  ['INCR', 'i0'],
  ['INCR', 'i1'],
  ['INCRBY', 'i1', '41'],
  ['DECR', 'i1'],
  ['DECRBY', 'i1', '-100'],
  ['DECRBY', 'i1', '1000'],
  ['SET', 'i2', '9223372036854775806'],
  ['INCR', 'i2'],
  ['INCR', 'i2'],
  ['SET', 'i3', '-9223372036854775807'],
  ['DECR', 'i3'],
  ['DECR', 'i3'],
  ['DECRBY', 'i4', '-9223372036854775808'],
  ['INCRBY', 'i5', '9223372036854775807'],
  ['INCRBY', 'i5', '1'],
  ['INCRBY', 'i5', '-9223372036854775808'],
  ['INCRBY', 'i5', '-1'],
  ['SET', 'i6', '1.5'],
  ['INCR', 'i6'],
  ['SET', 'i7', '007'],
  ['INCR', 'i7'],
  ['SET', 'i7b', '-0'],
  ['INCR', 'i7b'],
  ['SET', 'i7c', ' 1'],
  ['INCR', 'i7c'],
  ['INCRBY', 'i8', 'abc'],
  ['INCRBY', 'i8', '9223372036854775808'],
  ['SET', 'i9', '123456789012345'],
  ['INCRBY', 'i9', '987654321098765'],
  ['INCRBY', 'i9', '9000000000000000000'],
  ['SET', 'i10', '999999999999999'],
  ['INCRBY', 'i10', '-999999999999999'],
  ['DECRBY', 'i10', '-9223372036854775807'],
  ['INCRBYFLOAT', 'f1', '0.1'],
  ['INCRBYFLOAT', 'f1', '0.2'],
  ['INCRBYFLOAT', 'f2', '10.5'],
  ['INCRBYFLOAT', 'f2', '-5.0e3'],
  ['SET', 'f3', '5', 'PXAT', str(FUTURE_MS)],
  ['INCRBYFLOAT', 'f3', '0x1p-3'],
  ['INCRBYFLOAT', 'f4', '0.000003814697265625'],
  ['INCRBYFLOAT', 'f4b', '0.000011444091796875'],
  ['SET', 'f5', '1e400'],
  ['INCRBYFLOAT', 'f5', '1'],
  ['INCRBYFLOAT', 'f6', '-0'],
  ['INCRBYFLOAT', 'f7', '1e-30'],
  ['INCRBYFLOAT', 'f7', '-1e-30'],
  ['INCRBYFLOAT', 'f7b', '-1e-30'],
  ['SET', 'f8', '9007199254740993'],
  ['INCRBYFLOAT', 'f8', '0'],
  ['SET', 'f8b', '18446744073709551615'],
  ['INCRBYFLOAT', 'f8b', '1'],
  ['INCRBYFLOAT', 'f9', 'inf'],
  ['INCRBYFLOAT', 'f9', 'nan'],
  ['INCRBYFLOAT', 'f9', '1e5000'],
  ['INCRBYFLOAT', 'f9', '1e-5000'],
  ['INCRBYFLOAT', 'f9', ' 1'],
  ['INCRBYFLOAT', 'f9', '1 '],
  ['INCRBYFLOAT', 'f9', ''],
  ['SET', 'f10', 'abc'],
  ['INCRBYFLOAT', 'f10', '1'],
  ['INCRBYFLOAT', 'f11', '1.23456789012345678901234567890'],
  ['INCRBYFLOAT', 'f11', '-3.3333333333333333333333'],
  ['INCRBYFLOAT', 'f12', '3.4e4930'],
  ['INCRBYFLOAT', 'f12', '3.4e4930'],
  ['SET', 'f13', '1e4932'],
  ['INCRBYFLOAT', 'f13', '1e4932'],
  ['INCRBYFLOAT', 'f14', '1e-4940'],
  ['INCRBYFLOAT', 'f15', '.5'],
  ['INCRBYFLOAT', 'f15', '5.'],
  ['INCRBYFLOAT', 'f15', '+1E+2'],
  ['INCRBYFLOAT', 'f15', '-1234567.891011121314e-3'],
  ['INCRBYFLOAT', 'f16', '0.1'],
  ['INCRBYFLOAT', 'f16', '-0.1'],
  ['INCRBYFLOAT', 'f17', '1e17'],
  ['INCRBYFLOAT', 'f17', '0.3'],
  ['MSET', 'm1', 'a', 'm2', 'b', 'm1', 'c'],
  ['SET', 'm2', 'x', 'PXAT', str(FUTURE_MS)],
  ['MSET', 'm2', 'y'],
  ['MSETNX', 'm3', 'c', 'm1', 'x'],
  ['MSETNX', 'm3', 'c', 'm4', 'd', 'm3', 'e'],
  ['MSET', 'm5', 'a', 'm6'],
  ['GET', 's1'],
  ['GET', 'nokey'],
  ['MGET', 's1', 'nokey', 'i1', 's7'],
  ['STRLEN', 's7'],
  ['STRLEN', 'nokey'],
  ['GETRANGE', 'r1', '0', '-1'],
  ['GETRANGE', 'r1', '2', '5'],
  ['GETRANGE', 'r1', '-3', '-1'],
  ['GETRANGE', 'r1', '-100', '-50'],
  ['GETRANGE', 'r1', '-1', '-3'],
  ['GETRANGE', 'r1', '5', '2'],
  ['GETRANGE', 'r1', '100', '200'],
  ['GETRANGE', 'r1', '3', '9223372036854775807'],
  ['GETRANGE', 'nokey', '0', '1'],
  ['GETRANGE', 's8', '0', '-1'],
  ['SUBSTR', 'r1', '1', '3'],
  ['GETRANGE', 'r1', 'a', '3'],
  ['SET', 'l1', 'ohmytext'],
  ['SET', 'l2', 'mynewtext'],
  ['LCS', 'l1', 'l2'],
  ['LCS', 'l1', 'l2', 'LEN'],
  ['LCS', 'l1', 'l2', 'IDX'],
  ['LCS', 'l1', 'l2', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'],
  ['LCS', 'l1', 'l2', 'IDX', 'WITHMATCHLEN', 'MINMATCHLEN', '-3'],
  ['LCS', 'l1', 'nokey', 'IDX'],
  ['LCS', 'l1', 'l2', 'LEN', 'IDX'],
  ['LCS', 'l1', 'l2', 'FOO'],
  ['LCS', 'a2', 's7'],
];

/** Commands against keys of other types (and the strings they leave). */
const WRONG_TYPE: Cmd[] = [
  ['RPUSH', 'list', 'a'],
  ['SADD', 'set', 'm'],
  ['HSET', 'hash', 'f', 'v'],
  ['SET', 'list', 'v', 'GET'],
  ['SET', 'list', 'v', 'NX'],
  ['GET', 'list'],
  ['GETSET', 'list', 'v'],
  ['GETDEL', 'list'],
  ['GETEX', 'list', 'PERSIST'],
  ['APPEND', 'list', 'x'],
  ['SETRANGE', 'list', '0', 'x'],
  ['SETRANGE', 'list', '0', ''],
  ['INCR', 'set'],
  ['INCRBY', 'set', '2'],
  ['DECRBY', 'set', 'x'],
  ['INCRBYFLOAT', 'hash', '1'],
  ['STRLEN', 'hash'],
  ['GETRANGE', 'hash', '0', '1'],
  ['MGET', 'list', 'set'],
  ['LCS', 'list', 'set'],
  ['MSETNX', 'list', 'x', 'new', 'y'],
  ['SET', 'set', 'now a string', 'XX'],
  ['MSET', 'hash', 'also a string'],
  ['GETSET', 'list', 'v'],
];

/** Relative times: logged as PXAT/PEXPIREAT by 7.0, applied from `now` by the engine. */
const RELATIVE: Cmd[] = [
  ['SET', 'x1', 'v', 'EX', '100'],
  ['SET', 'x2', 'v', 'PX', '100000'],
  ['SET', 'x3', 'v', 'EX', '100', 'NX'],
  ['SET', 'x3', 'w', 'EX', '200', 'NX', 'GET'],
  ['SET', 'x3', 'w', 'EX', '200', 'EX', '300', 'XX', 'GET'],
  ['SET', 'x4', 'v', 'XX', 'PX', '5000'],
  ['SETEX', 'x5', '100', 'v'],
  ['PSETEX', 'x6', '100000', 'v'],
  ['SET', 'x7', 'v'],
  ['GETEX', 'x7', 'EX', '100'],
  ['SET', 'x8', 'v'],
  ['GETEX', 'x8', 'PX', '100000'],
  ['SET', 'x1', 'w', 'KEEPTTL'],
  ['SET', 'x9', 'v', 'ex', '10', 'GET'],
  ['SETEX', 'x10', '0', 'v'],
  ['SETEX', 'x10', '-5', 'v'],
  ['PSETEX', 'x10', 'abc', 'v'],
  ['SET', 'x10', 'v', 'EX', 'abc'],
  ['SET', 'x10', 'v', 'PX', '9223372036854775807'],
  ['SET', 'x10', 'v', 'EX', '9223372036854776'],
  ['SET', 'x10', 'v', 'EX', '9223372036854775'],
  ['GETEX', 'x7', 'EX', '0'],
  ['GETEX', 'x7', 'PX', '-10'],
  ['SET', 'x11', '10', 'EX', '1000'],
  ['INCRBYFLOAT', 'x11', '2.5'],
  ['INCR', 'x11'],
];

function expectAgreement(cmds: Cmd[], run: Awaited<ReturnType<typeof runOracle>>, exact: boolean): void {
  expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
  const direct = applyDirect(cmds);
  expect(replyDiff(cmds, run.replies, direct.replies)).toEqual([]);
  if (exact) expect(datasetDiff(run.saved, direct.dataset)).toEqual([]);
  else expect(looseDiff(run.saved, direct.dataset, 60_000)).toEqual([]);
}

const aofText = (files: Record<string, Buffer>) =>
  Object.values(files)
    .map((b) => b.toString('latin1'))
    .join('');

describe('string commands against Redis 7.0', () => {
  it('replay, direct application and replies agree (no preamble)', async () => {
    const run = await runOracle(ABSOLUTE);
    expectAgreement(ABSOLUTE, run, true);
    const aof = aofText(run.aofFiles);
    // The forms this run is meant to exercise reached the file.
    expect(aof).toContain('KEEPTTL');
    expect(aof).toContain('PXAT');
    expect(aof).toMatch(/PEXPIREAT/i);
    expect(aof).toMatch(/PERSIST/);
  });

  it('replay agrees with a preamble and a rewrite in the middle', async () => {
    const run = await runOracle(ABSOLUTE, { preamble: true, rewriteAfter: 60 });
    expectAgreement(ABSOLUTE, run, true);
  });

  it('replay agrees after a rewrite without preamble (the base holds SET and PEXPIREAT)', async () => {
    const run = await runOracle(ABSOLUTE, { rewriteAfter: 120 });
    expectAgreement(ABSOLUTE, run, true);
    expect(Object.keys(run.aofFiles).some((n) => n.includes('.base.aof'))).toBe(true);
  });

  it('commands against other types are refused, overwriting ones replace them', async () => {
    const run = await runOracle(WRONG_TYPE, { preamble: true });
    expectAgreement(WRONG_TYPE, run, true);
    expect(run.saved.db(0).get('set')).toBe('now a string');
  });

  it('relative expiries: the AOF holds absolute ones; the client forms applied directly agree within the clock', async () => {
    for (const preamble of [false, true]) {
      const run = await runOracle(RELATIVE, { preamble });
      expectAgreement(RELATIVE, run, false);
      const aof = aofText(run.aofFiles);
      expect(aof).toContain('PXAT');
      expect(aof).toMatch(/PEXPIREAT/i);
      expect(aof).not.toMatch(/\r\nSETEX\r\n|\r\nEX\r\n/i);
    }
  });
});

/** A command in RESP, as an AOF holds it. */
function resp(...argv: string[]): Buffer {
  const parts = [Buffer.from(`*${argv.length}\r\n`)];
  for (const a of argv) {
    const b = Buffer.from(a, 'latin1');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

describe('verbatim forms of older servers in a hand-written AOF', () => {
  it('replays as Redis 7.0 loads the same file', async () => {
    const aof = Buffer.concat([
      resp('SELECT', '0'),
      // 2.x–6.0: SET then PEXPIREAT (and 2.x's EXPIREAT would be the keys family's).
      resp('SET', 'old', 'v'),
      resp('PEXPIREAT', 'old', String(FUTURE_MS)),
      // Verbatim client forms with relative times, as scripts and old tools left them.
      resp('SET', 'ex', 'v', 'EX', '1000', 'NX'),
      resp('SET', 'ex', 'w', 'EX', '2000', 'NX'),
      resp('SETEX', 'setex', '1000', 'v'),
      resp('PSETEX', 'psetex', '1000000', 'v'),
      resp('SET', 'getex', 'v'),
      resp('GETEX', 'getex', 'PX', '500000'),
      resp('GETSET', 'old', 'replaced'),
      resp('SET', 'flt', '10', 'PXAT', String(FUTURE_MS)),
      resp('INCRBYFLOAT', 'flt', '0.1'),
      resp('INCRBYFLOAT', 'flt2', '3.0e-3'),
      resp('MULTI'),
      resp('INCR', 'cnt'),
      resp('INCRBY', 'cnt', '41'),
      resp('APPEND', 'app', 'abc'),
      resp('SETRANGE', 'app', '5', 'z'),
      resp('EXEC'),
      resp('SELECT', '3'),
      resp('SETBIT', 'bm', '100', '1'),
      resp('BITOP', 'NOT', 'nbm', 'bm'),
      resp('BITFIELD', 'bf', 'SET', 'i8', '#1', '-3', 'INCRBY', 'u4', '0', '9'),
      resp('MSET', 'm1', 'a', 'm2', 'b'),
      resp('MSETNX', 'm1', 'x', 'm3', 'y'),
      resp('GETDEL', 'm2'),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'rdbtool-strings-'));
    try {
      const file = join(dir, 'appendonly.aof');
      writeFileSync(file, aof);
      const replayed = await replayPath(file);
      const server = await startRedis({ appendonly: true, config: { dir, appendfilename: 'appendonly.aof', 'aof-use-rdb-preamble': 'no' } });
      let saved: Dataset;
      try {
        await server.client.call('SAVE');
        saved = (await loadRdb(bytesSource(new Uint8Array(readFileSync(join(dir, 'dump.rdb'))), 'dump.rdb'))).dataset;
      } finally {
        await server.stop();
      }
      expect(saved.db(0).get('flt')).toBe('10.1');
      expect(saved.db(0).get('cnt')).toBe('42');
      expect(looseDiff(saved, replayed.dataset, 60_000)).toEqual([]);
      expect(replayed.replay.skipped).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('string commands on the engine alone', () => {
  const fresh = (nowMs = 1_700_000_000_000) => {
    const ds = new Dataset();
    const e = new ReplayEngine(ds, { nowMs });
    e.startFile('test.aof');
    return { ds, e, db: ds.db(0) };
  };

  it('keeps a key whose absolute expiry has passed, as a loading server does', () => {
    const { e, db } = fresh();
    e.apply(['SET', 'k1', 'v', 'PXAT', str(PAST_MS)]);
    e.apply(['SET', 'k2', 'v']);
    e.apply(['GETEX', 'k2', 'EXAT', '1000']);
    e.apply(['SET', 'k3', 'v', 'EX', '5']);
    e.apply(['SETEX', 'k4', '5', 'v']);
    expect(db.get('k1')).toBe('v');
    expect(db.expireAt('k1')).toBe(PAST_MS);
    expect(db.expireAt('k2')).toBe(1_000_000);
    expect(db.expireAt('k3')).toBe(1_700_000_005_000);
    expect(db.expireAt('k4')).toBe(1_700_000_005_000);
  });

  it('IFEQ and IFNE (Valkey 8.1, Redis 8.4) compare the current value', () => {
    const { e, db } = fresh();
    e.apply(['SET', 'a', 'one']);
    e.apply(['SET', 'a', 'two', 'IFEQ', 'nope']);
    expect(db.get('a')).toBe('one');
    e.apply(['SET', 'a', 'two', 'IFEQ', 'one', 'PXAT', str(FUTURE_MS)]);
    expect(db.get('a')).toBe('two');
    expect(db.expireAt('a')).toBe(FUTURE_MS);
    e.apply(['SET', 'absent', 'x', 'IFEQ', 'x']);
    expect(db.has('absent')).toBe(false);
    e.apply(['SET', 'absent', 'x', 'IFNE', 'x']);
    expect(db.get('absent')).toBe('x');
    e.apply(['SET', 'absent', 'y', 'IFNE', 'x']);
    expect(db.get('absent')).toBe('x');
    e.apply(['SET', 'absent', 'y', 'IFNE', 'z']);
    expect(db.get('absent')).toBe('y');
    const ctx = e.context;
    expect(ctx.call(['SET', 'a', 'three', 'IFEQ', 'bad', 'GET'])).toBe('two');
    expect(db.get('a')).toBe('two');
    expect(() => e.apply(['SET', 'a', 'x', 'IFEQ', 'two', 'NX'])).toThrow(ReplayError);
    expect(() => e.apply(['SET', 'a', 'x', 'XX', 'IFNE', 'two'])).toThrow(ReplayError);
    e.apply(['RPUSH', 'l', 'x']);
    expect(() => e.apply(['SET', 'l', 'x', 'IFEQ', 'x'])).toThrow(/WRONGTYPE/);
  });

  it('refuses with the codes of the kind of refusal', () => {
    const cases: [string[], string][] = [
      [['SET', 'k'], 'REPLAY_ARITY'],
      [['MSET', 'a', 'b', 'c'], 'REPLAY_ARITY'],
      [['GETDEL', 'a', 'b'], 'REPLAY_ARITY'],
      [['SET', 'k', 'v', 'EX', '0'], 'REPLAY_BAD_ARGUMENT'],
      [['SET', 'k', 'v', 'NX', 'XX'], 'REPLAY_BAD_ARGUMENT'],
      [['SETRANGE', 'k', '-1', 'v'], 'REPLAY_BAD_ARGUMENT'],
      [['SETRANGE', 'k', '536870912', 'v'], 'REPLAY_BAD_ARGUMENT'],
      [['INCRBYFLOAT', 'k', 'nan'], 'REPLAY_BAD_ARGUMENT'],
      [['INCR', 'l'], 'REPLAY_WRONG_TYPE'],
      [['APPEND', 'l', 'x'], 'REPLAY_WRONG_TYPE'],
    ];
    for (const [argv, code] of cases) {
      const { e, ds } = fresh();
      e.apply(['RPUSH', 'l', 'x']);
      const before = [...ds.entries()].length;
      let err: unknown;
      try {
        e.apply(argv, { file: 'x.aof', offset: 77, line: 3 });
      } catch (x) {
        err = x;
      }
      expect(err, argv.join(' ')).toBeInstanceOf(ReplayError);
      expect((err as ReplayError).code, argv.join(' ')).toBe(code);
      expect((err as ReplayError).offset).toBe(77);
      expect([...ds.entries()].length).toBe(before);
    }
  });

  it('a string longer than the dataset can hold is a limit, not a refusal', () => {
    const { e, db } = fresh();
    expect(() => e.apply(['SETRANGE', 'k', str(MAX_BYTE_STRING), 'x'])).toThrow(LimitError);
    expect(db.has('k')).toBe(false);
  });

  it('INCR keeps exact 64-bit values past 2^53 and the key’s expiry', () => {
    const { e, db } = fresh();
    e.apply(['SET', 'n', '9007199254740993', 'PXAT', str(FUTURE_MS)]);
    e.apply(['INCRBY', 'n', '2']);
    expect(db.get('n')).toBe('9007199254740995');
    expect(db.expireAt('n')).toBe(FUTURE_MS);
    e.apply(toArgv(['DECRBY', 'n', '9007199254740995']));
    expect(db.get('n')).toBe('0');
  });
});
