/**
 * The sorted-set family against the installed Redis 7.0: its SAVE equals the replay of its
 * AOF (with and without an RDB preamble, with a rewrite in the middle) and the engine fed the
 * client's commands; the engine's replies and refusals equal the server's, error texts and
 * `%.17g` scores included. The blocking and multi-key pops, which the server logs as
 * ZPOPMIN/ZPOPMAX, are applied as a client sent them and must leave what the server holds.
 */
import { describe, expect, it } from 'vitest';
import { ZSetValue } from '../../src/dataset/zset.js';
import { datasetDiff, runOracle, type Cmd } from '../helpers/replay-oracle.js';
import { applyDirect, refusalCode, replyDiff } from './direct-replies.js';
import { formatScore, parseScore, toRangeDouble } from '../../src/replay/commands/zset-args.js';

const FAR = '4102444800000';
const LONG = 'y'.repeat(70);
const pairs = (prefix: string, n: number, score: (i: number) => string | number) => Array.from({ length: n }, (_, i) => [String(score(i)), `${prefix}${i}`]).flat();

/** ZADD in all its forms, ZINCRBY, ZREM and the reads. */
const ADDS: Cmd[] = [
  ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'],
  ['ZADD', 'z', '1.5', 'a', '-inf', 'm', '+inf', 'p', '0x10', 'h', '1e3', 'e', '-0', 'n0'],
  ['ZADD', 'z', 'NX', '9', 'a', '9', 'nx1'],
  ['ZADD', 'z', 'XX', '8', 'b', '8', 'xx1'],
  ['ZADD', 'z', 'XX', 'CH', '8', 'b', '7', 'c'],
  ['ZADD', 'z', 'GT', 'CH', '1', 'b', '20', 'c', '5', 'gt1'],
  ['ZADD', 'z', 'LT', 'ch', '0.5', 'b', '99', 'c', '6', 'lt1'],
  ['ZADD', 'z', 'XX', 'GT', '100', 'b', '100', 'nope'],
  ['ZADD', 'z', 'INCR', '2.25', 'a'],
  ['ZADD', 'z', 'INCR', 'NX', '2', 'a'],
  ['ZADD', 'z', 'INCR', 'XX', '2', 'newx'],
  ['ZADD', 'z', 'INCR', 'GT', '-1', 'a'],
  ['ZADD', 'z', 'INCR', 'LT', '-1', 'a'],
  ['ZADD', 'z', 'INCR', '5', 'fresh'],
  ['ZADD', 'z', 'INCR', '-inf', 'p'],
  ['ZADD', 'z', 'INCR', '1', 'p'],
  ['ZADD', 'z', 'CH', '0', 'n0', '0.1', 'n1'],
  ['ZADD', 'nokey', 'XX', '1', 'a'],
  ['ZADD', 'nokey2', 'XX', 'INCR', '1', 'a'],
  ['ZADD', 'z', 'NX', 'XX', '1', 'a'],
  ['ZADD', 'z', 'GT', 'LT', '1', 'a'],
  ['ZADD', 'z', 'NX', 'GT', '1', 'a'],
  ['ZADD', 'z', 'INCR', '1', 'a', '2', 'b'],
  ['ZADD', 'z', '1', 'a', '2'],
  ['ZADD', 'z', 'nan', 'a'],
  ['ZADD', 'z', '1e400', 'a'],
  ['ZADD', 'z', '1e-400', 'a'],
  ['ZADD', 'z', ' 1', 'a'],
  ['ZADD', 'z', '1', 'a', 'x', 'b'],
  ['ZADD', 'z', 'ch'],
  ['ZINCRBY', 'z', '0.1', 'n1'],
  ['ZINCRBY', 'z', '0.2', 'n1'],
  ['ZINCRBY', 'z', '1e-310', 'tiny'],
  ['ZINCRBY', 'z', '+inf', 'm'],
  ['ZINCRBY', 'zi', '3', 'x'],
  ['ZINCRBY', 'zi', 'x', 'x'],
  ['ZINCRBY', 'zi', 'nx', 'x'],
  ['ZSCORE', 'z', 'a'],
  ['ZSCORE', 'z', 'n1'],
  ['ZSCORE', 'z', 'm'],
  ['ZSCORE', 'z', 'none'],
  ['ZSCORE', 'nokey', 'a'],
  ['ZMSCORE', 'z', 'a', 'none', 'p', 'h'],
  ['ZMSCORE', 'nokey', 'a', 'b'],
  ['ZCARD', 'z'],
  ['ZCARD', 'nokey'],
  ['ZRANK', 'z', 'c'],
  ['ZREVRANK', 'z', 'c'],
  ['ZRANK', 'z', 'none'],
  ['ZRANK', 'nokey', 'a'],
  ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
  // ZREM, and the key deleted with its last member.
  ['ZREM', 'z', 'e', 'e', 'none'],
  ['ZREM', 'nokey', 'a'],
  ['ZADD', 'gone', '1', 'a', '2', 'b'],
  ['ZREM', 'gone', 'a', 'b', 'c'],
  // Binary and long members (the large form), and the pack's limit of 128 members.
  ['ZADD', 'bin', '1', Buffer.from([0, 255, 1]), '1', Buffer.from([0xe9]), '1', LONG],
  ['ZADD', 'big', ...pairs('m', 200, (i) => (i * 7919) % 101)],
  ['ZADD', 'big', 'GT', '50', 'm3', '50', 'm4', '1000', 'm5'],
  ['ZINCRBY', 'big', '-3.5', 'm199'],
  ['ZREM', 'big', 'm0', 'm1', 'm2'],
  ['ZRANGE', 'big', '0', '9', 'WITHSCORES'],
  ['ZRANGE', 'big', '-5', '-1', 'REV', 'WITHSCORES'],
  ['ZRANK', 'big', 'm150'],
  ['ZREVRANK', 'big', 'm150'],
  ['ZADD', 'e', '0', 'e0'],
  ['ZADD', 'e', '-0', 'e0'],
  ['ZADD', 'e', '-0', 'e1'],
  ['ZINCRBY', 'e', '-0', 'e0'],
  // Expiry kept by ZADD/ZREM on the key.
  ['ZADD', 'ttl', '1', 'a', '2', 'b'],
  ['PEXPIREAT', 'ttl', FAR],
  ['ZADD', 'ttl', '3', 'c'],
  ['ZREM', 'ttl', 'a'],
  // Wrong types.
  ['SET', 'str', 'v'],
  ['ZADD', 'str', '1', 'a'],
  ['ZADD', 'str', 'XX', '1', 'a'],
  ['ZINCRBY', 'str', '1', 'a'],
  ['ZREM', 'str', 'a'],
  ['ZSCORE', 'str', 'a'],
  ['ZMSCORE', 'str', 'a'],
  ['ZCARD', 'str'],
  ['ZRANK', 'str', 'a'],
];

/** Ranges, removals by range, pops. */
const RANGES: Cmd[] = [
  ['ZADD', 'r', '1', 'a', '2', 'b', '2', 'bb', '3', 'c', '4', 'd', '5', 'e', '5.5', 'f', 'inf', 'g', '-inf', 'h'],
  ['ZADD', 'l', '0', 'a', '0', 'b', '0', 'c', '0', 'd', '0', 'e', '0', 'f', '0', 'ff', '0', 'g'],
  ['ZRANGE', 'r', '0', '-1'],
  ['ZRANGE', 'r', '2', '4', 'WITHSCORES'],
  ['ZRANGE', 'r', '-3', '100'],
  ['ZRANGE', 'r', '5', '2'],
  ['ZRANGE', 'r', '-100', '-50'],
  ['ZRANGE', 'r', '1', '3', 'REV', 'WITHSCORES'],
  ['ZRANGE', 'r', '(1', '5', 'BYSCORE', 'WITHSCORES'],
  ['ZRANGE', 'r', '-inf', '+inf', 'BYSCORE', 'LIMIT', '2', '3'],
  ['ZRANGE', 'r', '-inf', '+inf', 'BYSCORE', 'LIMIT', '2', '-1'],
  ['ZRANGE', 'r', '-inf', '+inf', 'BYSCORE', 'LIMIT', '-1', '3'],
  ['ZRANGE', 'r', '-inf', '+inf', 'BYSCORE', 'LIMIT', '20', '3'],
  ['ZRANGE', 'r', '-inf', '+inf', 'BYSCORE', 'LIMIT', '0', '0'],
  ['ZRANGE', 'r', '5', '(2', 'BYSCORE', 'REV', 'LIMIT', '1', '2', 'WITHSCORES'],
  ['ZRANGE', 'r', '(2', '(2', 'BYSCORE'],
  ['ZRANGE', 'r', '2', '2', 'BYSCORE'],
  ['ZRANGE', 'r', '3', '1', 'BYSCORE'],
  ['ZRANGE', 'r', '', '(', 'BYSCORE'],
  ['ZRANGE', 'r', ' 2', '1e400', 'BYSCORE'],
  ['ZRANGE', 'r', 'x', '2', 'BYSCORE'],
  ['ZRANGE', 'r', 'nan', '2', 'BYSCORE'],
  ['ZRANGE', 'l', '[b', '(f', 'BYLEX'],
  ['ZRANGE', 'l', '-', '+', 'BYLEX', 'LIMIT', '1', '4'],
  ['ZRANGE', 'l', '+', '(c', 'BYLEX', 'REV'],
  ['ZRANGE', 'l', '[f', '-', 'BYLEX', 'REV', 'LIMIT', '1', '10'],
  ['ZRANGE', 'l', '+', '-', 'BYLEX'],
  ['ZRANGE', 'l', 'a', 'c', 'BYLEX'],
  ['ZRANGE', 'l', '[a', '[c', 'BYLEX', 'WITHSCORES'],
  ['ZRANGE', 'r', '0', '1', 'LIMIT', '0', '1'],
  ['ZRANGE', 'r', '0', '1', 'LIMIT', '0', '-1'],
  ['ZRANGE', 'r', '0', '1', 'BYSCORE', 'BYLEX'],
  ['ZRANGE', 'r', '0', '1', 'REV', 'REV'],
  ['ZRANGE', 'r', '0', '1', 'LIMIT', '0'],
  ['ZRANGE', 'r', 'a', '1'],
  ['ZRANGE', 'nokey', '0', '-1'],
  ['ZRANGEBYSCORE', 'r', '2', '5', 'WITHSCORES', 'LIMIT', '1', '2'],
  ['ZRANGEBYSCORE', 'r', '2', '5', 'REV'],
  ['ZREVRANGEBYSCORE', 'r', '5', '2', 'WITHSCORES'],
  ['ZREVRANGEBYSCORE', 'r', '+inf', '-inf', 'LIMIT', '0', '2'],
  ['ZRANGEBYLEX', 'l', '[c', '+'],
  ['ZRANGEBYLEX', 'l', '(c', '[f', 'LIMIT', '1', '1'],
  ['ZREVRANGEBYLEX', 'l', '[f', '(b'],
  ['ZREVRANGE', 'r', '0', '2', 'WITHSCORES'],
  ['ZREVRANGE', 'r', '0', '2', 'BYSCORE'],
  ['ZCOUNT', 'r', '2', '5'],
  ['ZCOUNT', 'r', '(2', '(5'],
  ['ZCOUNT', 'r', '-inf', '+inf'],
  ['ZCOUNT', 'r', 'x', '1'],
  ['ZCOUNT', 'nokey', '1', '2'],
  ['ZLEXCOUNT', 'l', '[b', '[f'],
  ['ZLEXCOUNT', 'l', '-', '+'],
  ['ZLEXCOUNT', 'l', 'b', 'f'],
  // ZRANGESTORE: the destination replaced (expiry dropped) or deleted.
  ['ZADD', 'dst', '1', 'old'],
  ['PEXPIREAT', 'dst', FAR],
  ['ZRANGESTORE', 'dst', 'r', '1', '4'],
  ['ZRANGESTORE', 'dst2', 'r', '(2', '+inf', 'BYSCORE', 'REV', 'LIMIT', '1', '3'],
  ['ZRANGESTORE', 'dst3', 'l', '[b', '[e', 'BYLEX', 'LIMIT', '1', '2'],
  ['ZRANGESTORE', 'dst4', 'l', '+', '[e', 'BYLEX', 'REV'],
  ['SET', 'dst5', 'x'],
  ['ZRANGESTORE', 'dst5', 'r', '10', '20'],
  ['SET', 'dst6', 'x'],
  ['ZRANGESTORE', 'dst6', 'nokey', '0', '-1'],
  ['ZRANGESTORE', 'dst7', 'r', '0', '-1', 'WITHSCORES'],
  ['ZRANGESTORE', 'r2', 'r', '0', '-1'],
  ['ZRANGESTORE', 'r2', 'r2', '1', '-2'],
  // Removals by range.
  ['ZREMRANGEBYRANK', 'r2', '0', '1'],
  ['ZREMRANGEBYRANK', 'r2', '-2', '-1'],
  ['ZREMRANGEBYRANK', 'r2', '5', '1'],
  ['ZREMRANGEBYSCORE', 'r2', '(3', '5'],
  ['ZREMRANGEBYSCORE', 'r2', 'x', '5'],
  ['ZREMRANGEBYLEX', 'l', '[b', '(d'],
  ['ZREMRANGEBYLEX', 'l', 'b', 'd'],
  ['ZREMRANGEBYRANK', 'nokey', '0', '-1'],
  ['ZADD', 'all', '1', 'a', '2', 'b'],
  ['ZREMRANGEBYSCORE', 'all', '-inf', '+inf'],
  ['ZADD', 'all2', '0', 'a', '0', 'b'],
  ['ZREMRANGEBYLEX', 'all2', '-', '+'],
  ['ZADD', 'all3', '0', 'a'],
  ['ZREMRANGEBYRANK', 'all3', '0', '0'],
  // Pops.
  ['ZADD', 'p', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '6', 'f'],
  ['ZPOPMIN', 'p'],
  ['ZPOPMAX', 'p'],
  ['ZPOPMIN', 'p', '2'],
  ['ZPOPMAX', 'p', '0'],
  ['ZPOPMIN', 'p', '-1'],
  ['ZPOPMIN', 'p', '1', '2'],
  ['ZPOPMAX', 'p', '10'],
  ['ZPOPMIN', 'nokey'],
  ['ZPOPMIN', 'nokey', '3'],
  ['ZADD', 'big', ...pairs('m', 300, (i) => i % 17)],
  ['ZPOPMIN', 'big', '5'],
  ['ZPOPMAX', 'big', '5'],
  ['ZREMRANGEBYRANK', 'big', '10', '199'],
  ['ZREMRANGEBYSCORE', 'big', '3', '(5'],
  ['ZRANGE', 'big', '0', '-1', 'WITHSCORES'],
  // Wrong types.
  ['SET', 'str', 'v'],
  ['ZRANGE', 'str', '0', '-1'],
  ['ZRANGESTORE', 'd', 'str', '0', '-1'],
  ['ZRANGESTORE', 'str', 'r', '0', '0'],
  ['ZREMRANGEBYRANK', 'str', '0', '1'],
  ['ZREMRANGEBYSCORE', 'str', '0', '1'],
  ['ZREMRANGEBYLEX', 'str', '-', '+'],
  ['ZPOPMIN', 'str'],
  ['ZCOUNT', 'str', '0', '1'],
  ['ZLEXCOUNT', 'str', '-', '+'],
];

/** The set algebra commands. */
const ALGEBRA: Cmd[] = [
  ['ZADD', 'z1', '1', 'a', '2', 'b', '3', 'c', 'inf', 'i', '0.1', 'f'],
  ['ZADD', 'z2', '10', 'b', '20', 'c', '30', 'd', '-inf', 'i', '0.2', 'f'],
  ['ZADD', 'z3', '5', 'c', '6', 'd', '0.3', 'f'],
  ['SADD', 's1', 'a', 'c', 'x', 'f'],
  ['ZUNIONSTORE', 'u1', '2', 'z1', 'z2'],
  ['ZUNIONSTORE', 'u2', '3', 'z1', 'z2', 's1', 'WEIGHTS', '2', '0.5', '3'],
  ['ZUNIONSTORE', 'u3', '2', 'z1', 'z2', 'AGGREGATE', 'MIN'],
  ['ZUNIONSTORE', 'u4', '2', 'z1', 'z2', 'AGGREGATE', 'max', 'WEIGHTS', '1', '-1'],
  ['ZUNIONSTORE', 'u5', '2', 'z1', 'z2', 'WEIGHTS', '0', '1'],
  ['ZUNIONSTORE', 'u6', '3', 'z3', 'z2', 'z1'],
  ['ZUNIONSTORE', 'u7', '3', 'z1', 'nokey', 's1'],
  ['ZINTERSTORE', 'i1', '2', 'z1', 'z2'],
  ['ZINTERSTORE', 'i2', '3', 'z1', 'z2', 's1', 'AGGREGATE', 'MAX'],
  ['ZINTERSTORE', 'i3', '2', 'z1', 's1', 'WEIGHTS', '1e300', '1e300'],
  ['ZINTERSTORE', 'i4', '2', 'z1', 'z2', 'WEIGHTS', '0', '1', 'AGGREGATE', 'MIN'],
  ['ZINTERSTORE', 'i5', '3', 'z1', 'z2', 'z3'],
  ['ZINTERSTORE', 'i6', '2', 'z1', 'z1'],
  ['ZADD', 'i7', '1', 'old'],
  ['PEXPIREAT', 'i7', FAR],
  ['ZINTERSTORE', 'i7', '2', 'z1', 'nokey'],
  ['ZADD', 'i8', '1', 'old'],
  ['PEXPIREAT', 'i8', FAR],
  ['ZINTERSTORE', 'i8', '2', 'z1', 'z3'],
  ['ZDIFFSTORE', 'd1', '2', 'z1', 'z2'],
  ['ZDIFFSTORE', 'd2', '3', 'z1', 's1', 'z3'],
  ['ZDIFFSTORE', 'd3', '1', 's1'],
  ['ZDIFFSTORE', 'd4', '2', 'z1', 'z1'],
  ['ZDIFFSTORE', 'd5', '2', 'nokey', 'z1'],
  ['ZDIFFSTORE', 'd6', '2', 'z1', 'WEIGHTS'],
  ['ZUNIONSTORE', 'z1', '2', 'z1', 'z3'],
  ['ZUNION', '2', 'z1', 'z2', 'WITHSCORES'],
  ['ZUNION', '2', 'z1', 'z2', 'WEIGHTS', '1', '2', 'AGGREGATE', 'SUM'],
  ['ZINTER', '2', 'z1', 's1', 'WITHSCORES'],
  ['ZDIFF', '2', 'z2', 'z3', 'WITHSCORES'],
  ['ZDIFF', '1', 'nokey'],
  ['ZINTERCARD', '2', 'z1', 'z2'],
  ['ZINTERCARD', '2', 'z1', 'z2', 'LIMIT', '1'],
  ['ZINTERCARD', '2', 'z1', 'z2', 'LIMIT', '-1'],
  ['ZINTERCARD', '2', 'z1', 'z2', 'WEIGHTS', '1', '1'],
  // Refused.
  ['ZUNIONSTORE', 'x', '0', 'z1'],
  ['ZUNIONSTORE', 'x', '3', 'z1', 'z2'],
  ['ZUNIONSTORE', 'x', 'a', 'z1'],
  ['ZUNIONSTORE', 'x', '2', 'z1', 'z2', 'WEIGHTS', '1'],
  ['ZUNIONSTORE', 'x', '2', 'z1', 'z2', 'WEIGHTS', '1', 'nan'],
  ['ZUNIONSTORE', 'x', '2', 'z1', 'z2', 'AGGREGATE', 'AVG'],
  ['ZUNIONSTORE', 'x', '2', 'z1', 'z2', 'WITHSCORES'],
  ['ZDIFFSTORE', 'x', '2', 'z1', 'z2', 'AGGREGATE', 'MIN'],
  ['SET', 'str', 'v'],
  ['ZUNIONSTORE', 'x', '2', 'z1', 'str'],
  ['ZINTERSTORE', 'x', '2', 'nokey', 'str'],
  ['ZUNION', '1', 'str'],
  // Large inputs (the large form).
  ['ZADD', 'b1', ...pairs('m', 300, (i) => i / 3)],
  ['ZADD', 'b2', ...pairs('m', 300, (i) => 1000 - i)],
  ['ZINTERSTORE', 'bi', '2', 'b1', 'b2', 'WEIGHTS', '0.1', '0.7'],
  ['ZUNIONSTORE', 'bu', '2', 'b1', 'b2', 'AGGREGATE', 'MIN'],
  ['ZDIFFSTORE', 'bd', '2', 'b1', 'z1'],
  // A block, and the pops a blocking or multi-key command performed.
  ['MULTI'],
  ['ZADD', 'tx', '1', 'a', '2', 'b', '3', 'c'],
  ['ZUNIONSTORE', 'tx2', '2', 'tx', 'z1'],
  ['EXEC'],
  ['ZADD', 'bp', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'],
  ['BZPOPMIN', 'nokey', 'bp', '0'],
  ['BZPOPMAX', 'bp', 'nokey', '0.5'],
  ['ZMPOP', '2', 'nokey', 'bp', 'MIN', 'COUNT', '2'],
  ['ZMPOP', '1', 'bp', 'MAX'],
  ['BZMPOP', '1', '2', 'nokey', 'bp', 'MAX', 'COUNT', '5'],
  ['ZMPOP', '1', 'nokey', 'MIN'],
  ['ZMPOP', '0', 'bp', 'MIN'],
  ['ZMPOP', '1', 'bp', 'MIDDLE'],
  ['ZMPOP', '1', 'bp', 'MIN', 'COUNT', '0'],
  ['ZMPOP', '2', 'bp'],
  ['ZMPOP', '1', 'str', 'MIN'],
  ['BZPOPMIN', 'bp', '-1'],
  ['BZPOPMIN', 'str', '0'],
];

describe('sorted-set commands against Redis 7.0', () => {
  for (const [name, cmds] of [
    ['ZADD, ZINCRBY, ZREM and the reads', ADDS],
    ['ranges, removals by range and pops', RANGES],
    ['union, intersection and difference', ALGEBRA],
  ] as const) {
    it(`${name}: replay and direct application equal the server, replies too`, async () => {
      const run = await runOracle(cmds as Cmd[], { direct: true });
      expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
      expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
      expect(replyDiff(cmds as Cmd[], run.replies, applyDirect(cmds as Cmd[]).replies)).toEqual([]);
    });
  }

  it('the same with an RDB preamble and a rewrite halfway, and a rewrite without preamble', async () => {
    for (const cmds of [ADDS, RANGES, ALGEBRA]) {
      const half = Math.floor(cmds.length / 2);
      const a = await runOracle(cmds, { preamble: true, rewriteAfter: half });
      expect(datasetDiff(a.saved, a.replayed.dataset)).toEqual([]);
      const b = await runOracle(cmds, { preamble: false, rewriteAfter: half });
      expect(datasetDiff(b.saved, b.replayed.dataset)).toEqual([]);
    }
  });

  it('the blocking and multi-key pops are logged as ZPOPMIN/ZPOPMAX; the verbatim forms leave the same data', async () => {
    const run = await runOracle(ALGEBRA, { direct: true });
    const aof = Object.values(run.aofFiles)
      .map((b) => b.toString('latin1'))
      .join('');
    expect(aof).not.toMatch(/BZPOP|ZMPOP/i);
    expect(aof).toMatch(/ZPOPMIN/i);
    expect(aof).toMatch(/ZUNIONSTORE/i);
    expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
    expect(run.saved.db(0).has('bp')).toBe(false);
  });
});

describe('lex ranges over members whose scores put them out of byte order', () => {
  // Redis walks its encoding: a range whose low end is above the last member, or whose high end
  // is below the first, finds nothing; a listpack is scanned from the head for the first member
  // and from the tail for the last; LIMIT's offset skips members whether in range or not.
  const mixed = (key: string): Cmd => ['ZADD', key, '1', 'a', '2', 'b', '3', 'z', '4', 'c', '5', 'd'];
  // A skiplist (past 128 members) whose last member sorts below the others: no lex range
  // reaches past it, whatever levels the skiplist drew.
  const skip: Cmd = ['ZADD', 'sk', ...pairs('m', 130, (i) => i).map((x, i) => (i % 2 === 1 ? `m${String(x).slice(1).padStart(3, '0')}` : x)), '1000', 'a'];
  const cmds: Cmd[] = [
    ['ZADD', 'lp', '59.5', 'm29', '-131.5', 'm4', '-14', 'm40', '-13', 'm17'],
    ['ZRANGESTORE', 'd1', 'lp', '[m3', '(z', 'BYLEX', 'LIMIT', '2', '3'],
    ['ZRANGE', 'lp', '[m3', '(z', 'BYLEX'],
    ['ZLEXCOUNT', 'lp', '[m3', '(z'],
    mixed('k'),
    ['ZRANGESTORE', 'd2', 'k', '[a', '[c', 'BYLEX', 'LIMIT', '3', '10'],
    ['ZRANGESTORE', 'd3', 'k', '[c', '[a', 'BYLEX', 'REV'],
    ['ZRANGESTORE', 'd4', 'k', '[c', '[a', 'BYLEX', 'REV', 'LIMIT', '1', '2'],
    ['ZRANGEBYLEX', 'k', '[a', '[c', 'LIMIT', '3', '10'],
    ['ZREVRANGEBYLEX', 'k', '[c', '[a'],
    ['ZLEXCOUNT', 'k', '[a', '[c'],
    ['ZLEXCOUNT', 'k', '[b', '+'],
    mixed('k2'),
    ['ZREMRANGEBYLEX', 'k2', '[b', '[c'],
    mixed('k3'),
    ['ZREMRANGEBYLEX', 'k3', '[c', '+'],
    skip,
    ['ZRANGESTORE', 'd5', 'sk', '[m050', '+', 'BYLEX'],
    ['ZRANGE', 'sk', '[m050', '+', 'BYLEX'],
    ['ZLEXCOUNT', 'sk', '[m050', '+'],
    ['ZREMRANGEBYLEX', 'sk', '-', '[m002'],
  ];

  it('ZRANGESTORE, ZREMRANGEBYLEX and the reads find what Redis 7.0 finds', async () => {
    const run = await runOracle(cmds, { direct: true });
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
    expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
    expect(replyDiff(cmds, run.replies, applyDirect(cmds).replies)).toEqual([]);
    const db = run.saved.db(0);
    expect(db.has('d1') || db.has('d5')).toBe(false);
    expect([...(db.get('d2') as ZSetValue).ascending()].map(([m]) => m)).toEqual(['c']);
    expect((db.get('k2') as ZSetValue).size).toBe(4);
  });
});

describe('ZRANGESTORE into a set that starts as a listpack', () => {
  it('members added before the first one past 64 bytes keep a -0 score as 0, as Redis 7.0 adds them in range order', async () => {
    const cmds: Cmd[] = [
      ['ZADD', 'src', '5', LONG, '-0', 'a', '1', 'b'],
      ['ZRANGESTORE', 'd1', 'src', '0', '-1'],
      ['ZRANGESTORE', 'd2', 'src', '0', '-1', 'REV'],
      ['ZRANGESTORE', 'd3', 'src', '-1', '10', 'BYSCORE'],
      ['ZADD', 'big', '1000', LONG, '-0', 'a', ...pairs('m', 130, (i) => i + 1)], // a skiplist from its first member
      ['ZRANGESTORE', 'd4', 'big', '0', '-1'],
    ];
    const run = await runOracle(cmds, { direct: true });
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
    expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
    const score = (key: string) => (run.saved.db(0).get(key) as ZSetValue).score('a');
    expect(Object.is(score('d1'), 0) && Object.is(score('d3'), 0)).toBe(true);
    expect(Object.is(score('d2'), -0) && Object.is(score('d4'), -0)).toBe(true);
  });
});

describe('ZADD of many pairs on a small sorted set', () => {
  // Pairs that keep the set small are edited together and packed once; from the pair that makes
  // it large on, one by one. Duplicates inside one command, every flag, -0 scores (0 while
  // packed, -0 once large) and both ways of becoming large mid-command must leave what Redis
  // 7.0 leaves.
  const cmds: Cmd[] = [
    ['ZADD', 's1', ...pairs('a', 10, (i) => i)],
    ['ZADD', 's1', '5', 'a1', '-0', 'z0', '7', 'a1', '1.5', 'new', '-0', 'z1', '3', 'new'],
    ['ZADD', 's1', 'NX', 'CH', '100', 'a2', '101', 'nx1', '102', 'nx1', '103', 'a3', '104', 'nx2'],
    ['ZADD', 's1', 'XX', 'CH', '200', 'a2', '201', 'xx1', '-0', 'a4', '202', 'a5'],
    ['ZADD', 's1', 'GT', 'CH', '1', 'a6', '999', 'a7', '998', 'a7', '1000', 'gt1', '5', 'gt1'],
    ['ZADD', 's1', 'LT', '-5', 'a8', '50', 'a9', '-6', 'a8', '-0', 'lt1', '3', 'lt1'],
    // Infinities of one sign are equal scores: member order between them.
    ['ZADD', 's1', '+inf', 'i1', '+inf', 'i0', '-inf', 'n1', '-inf', 'n0', 'inf', 'i2'],
    ['ZADD', 's1', 'GT', 'XX', '-1', 'a0', '2000', 'a0', '3', 'nope', '4', 'nope2'],
    // 120 members, then 20 more: the set becomes a skiplist at the 129th.
    ['ZADD', 'cross', ...pairs('m', 120, (i) => (i % 7) - 3)],
    ['ZADD', 'cross', '-0', 'p0', '4', 'm3', ...pairs('p', 18, (i) => -i), '-0', 'p19', '1', 'm5'],
    // Full at 128: under XX a new member is left out and the set stays small.
    ['ZADD', 'full', ...pairs('u', 128, (i) => i)],
    ['ZADD', 'full', 'XX', 'CH', '-0', 'u1', '7', 'absent', '-1', 'u2', '8', 'absent2', '9', 'u3'],
    // A member past 64 bytes halfway through: large from there.
    ['ZADD', 'long', ...pairs('q', 6, (i) => i)],
    ['ZADD', 'long', '-0', 'q9', '8', 'q1', '2', LONG, '-0', 'q10', '3', 'q2'],
    ['ZADD', 'fresh', '-0', 'f0', '1', 'f1', '2', 'f2', '3', 'f3', '-0', 'f4', '1', 'f0'],
    ['GEOADD', 'geo', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania', '2.35', '48.85', 'Paris', '-0.12', '51.5', 'London', '13.4', '52.52', 'Berlin'],
    ['GEOADD', 'geo', 'CH', '13.361389', '38.115556', 'Palermo', '15.1', '37.5', 'Catania', '12.5', '41.9', 'Rome', '-3.7', '40.4', 'Madrid'],
    ['ZRANGE', 's1', '0', '-1', 'WITHSCORES'],
    ['ZRANGE', 'cross', '0', '-1', 'WITHSCORES'],
    ['ZRANGE', 'long', '0', '-1', 'WITHSCORES'],
    ['ZRANGE', 'fresh', '0', '-1', 'WITHSCORES'],
    ['ZRANGE', 'full', '0', '-1', 'WITHSCORES'],
  ];

  it('leaves what Redis 7.0 leaves, replies and -0 scores included', async () => {
    const run = await runOracle(cmds, { direct: true });
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
    expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
    expect(replyDiff(cmds, run.replies, applyDirect(cmds).replies)).toEqual([]);
    const z = (key: string) => run.replayed.dataset.db(0).get(key) as ZSetValue;
    expect(z('s1').small && z('fresh').small && z('full').small).toBe(true);
    expect(z('cross').small || z('long').small).toBe(false);
    expect(Object.is(z('s1').score('z0'), 0) && Object.is(z('fresh').score('f4'), 0)).toBe(true);
    // p0 came while the set was still small, p19 after it had become a skiplist.
    expect(Object.is(z('cross').score('p0'), 0) && Object.is(z('cross').score('p19'), -0)).toBe(true);
    expect(Object.is(z('long').score('q9'), 0) && Object.is(z('long').score('q10'), -0)).toBe(true);
  });
});

describe('ZADD of many pairs does what the same pairs do one ZADD each', () => {
  // The batch of a many-pair ZADD (small form, then large once a member makes it so) against
  // the one-pair path: the same members, scores (−0 included), order of the large form's
  // entries, encoding and replies, under every flag.
  function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const FLAG_SETS = [[], ['NX'], ['XX'], ['GT'], ['LT'], ['CH'], ['XX', 'GT', 'CH'], ['NX', 'CH']];
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`random commands around the 128-member limit (seed ${seed})`, () => {
      const rand = rng(seed);
      const many: Cmd[] = [];
      const single: Cmd[] = [];
      const pairCounts: number[] = [];
      for (let c = 0; c < 40; c++) {
        const key = `z${c % 4}`;
        const flags = FLAG_SETS[Math.floor(rand() * FLAG_SETS.length)];
        const pairs: string[] = [];
        const n = 1 + Math.floor(rand() * 60);
        for (let i = 0; i < n; i++) {
          const r = rand();
          const score = r < 0.1 ? '-0' : r < 0.15 ? '0' : r < 0.2 ? 'inf' : String(Math.floor(rand() * 50) / 4);
          const member = rand() < 0.03 ? 'L'.repeat(70) + Math.floor(rand() * 3) : `m${Math.floor(rand() * 160)}`;
          pairs.push(score, member);
        }
        many.push(['ZADD', key, ...flags, ...pairs]);
        pairCounts.push(n);
        for (let i = 0; i < pairs.length; i += 2) single.push(['ZADD', key, ...flags, pairs[i], pairs[i + 1]]);
      }
      const a = applyDirect(many);
      const b = applyDirect(single);
      for (const key of ['z0', 'z1', 'z2', 'z3']) {
        const za = a.ds.db(0).get(key) as ZSetValue | undefined;
        const zb = b.ds.db(0).get(key) as ZSetValue | undefined;
        expect(za === undefined).toBe(zb === undefined);
        if (za === undefined || zb === undefined) continue;
        const entries = (z: ZSetValue) => [...z.entries()].map(([m, sc]) => [m, Object.is(sc, -0) ? '-0' : sc]);
        expect(entries(za), key).toEqual(entries(zb));
        expect(za.small).toBe(zb.small);
      }
      // One reply per command against the sum of its pairs' replies.
      let k = 0;
      pairCounts.forEach((pairs, ci) => {
        let sum = 0;
        for (let i = 0; i < pairs; i++) sum += Number(b.replies[k++]);
        expect(Number(a.replies[ci]), `command ${ci}`).toBe(sum);
      });
    });
  }
});

describe('sorted-set commands the replay refuses', () => {
  it('wrong type, wrong arity and bad arguments', () => {
    const str = [['SET', 'k', 'v']];
    expect(refusalCode(['ZADD', 'k', '1', 'a'], str)).toBe('REPLAY_WRONG_TYPE');
    expect(refusalCode(['ZUNIONSTORE', 'd', '2', 'nos', 'k'], str)).toBe('REPLAY_WRONG_TYPE');
    expect(refusalCode(['ZRANGESTORE', 'd', 'k', '0', '1'], str)).toBe('REPLAY_WRONG_TYPE');
    expect(refusalCode(['ZPOPMIN', 'k'], str)).toBe('REPLAY_WRONG_TYPE');
    expect(refusalCode(['ZADD', 'k', '1'])).toBe('REPLAY_ARITY');
    expect(refusalCode(['ZINCRBY', 'k', '1'])).toBe('REPLAY_ARITY');
    expect(refusalCode(['ZREMRANGEBYSCORE', 'k', '1', '2', '3'])).toBe('REPLAY_ARITY');
    expect(refusalCode(['ZADD', 'k', 'nan', 'a'])).toBe('REPLAY_BAD_ARGUMENT');
    expect(refusalCode(['ZADD', 'k', 'NX', 'XX', '1', 'a'])).toBe('REPLAY_BAD_ARGUMENT');
    expect(refusalCode(['ZREMRANGEBYLEX', 'k', 'a', 'b'])).toBe('REPLAY_BAD_ARGUMENT');
  });

  it('an increment that makes NaN is refused and leaves the member as it was', () => {
    const prep = [['ZADD', 'k', 'inf', 'a']];
    expect(refusalCode(['ZADD', 'k', 'INCR', '-inf', 'a'], prep)).toBe('REPLAY_BAD_ARGUMENT');
    expect(refusalCode(['ZINCRBY', 'k', '-inf', 'a'], prep)).toBe('REPLAY_BAD_ARGUMENT');
    const { ds, replies } = applyDirect([...prep, ['ZINCRBY', 'k', '-inf', 'a']]);
    expect(replies[1]).toBe('err:ERR resulting score is not a number (NaN)');
    expect((ds.db(0).get('k') as ZSetValue).score('a')).toBe(Infinity);
  });

  it('scores are read as strtod reads them and written as %.17g', () => {
    expect(parseScore('0x1p-2')).toBe(0.25);
    expect(parseScore('-Infinity')).toBe(-Infinity);
    expect(() => parseScore('1e999')).toThrow();
    expect(() => parseScore('0x1p-5000')).toThrow();
    expect(parseScore('0e-999')).toBe(0);
    expect(parseScore('4.9e-324')).toBe(5e-324);
    expect(toRangeDouble('')).toBe(0);
    expect(toRangeDouble(' \t7')).toBe(7);
    expect(toRangeDouble(' ')).toBeNull();
    expect(toRangeDouble('1e999')).toBe(Infinity);
    expect(toRangeDouble('3\0junk')).toBe(3);
    expect(formatScore(0.1)).toBe('0.10000000000000001');
    expect(formatScore(1 + 2 ** -17)).toBe('1.0000076293945312');
    expect(formatScore(1e21)).toBe('1e+21');
    expect(formatScore(1e-5)).toBe('1.0000000000000001e-05');
    expect(formatScore(123456)).toBe('123456');
    expect(formatScore(-Infinity)).toBe('-inf');
  });
});
