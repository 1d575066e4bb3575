/**
 * The set family against the installed Redis 7.0: its SAVE equals the replay of its AOF (with
 * and without an RDB preamble, with a rewrite in the middle) and the engine fed the client's
 * commands; the engine's replies and refusals equal the server's (member lists compared as
 * sets: the server's order is its hash table's). SPOP: the forms whose result is fixed are
 * applied as a client sent them; a random SPOP is logged by the server as SREM, which replays
 * exactly, and refused when it appears verbatim.
 */
import { describe, expect, it } from 'vitest';
import { SetValue } from '../../src/dataset/set.js';
import { datasetDiff, runOracle, type Cmd } from '../helpers/replay-oracle.js';
import { applyDirect, refusalCode, replyDiff } from './direct-replies.js';

const FAR = '4102444800000';
const LONG = 'y'.repeat(70);
const many = (prefix: string, n: number, from = 0) => Array.from({ length: n }, (_, i) => `${prefix}${i + from}`);
const UNORDERED = new Set(['smembers', 'sinter', 'sunion', 'sdiff', 'spop']);

const WORKLOAD: Cmd[] = [
  ['SADD', 'a', 'x', 'y', 'z', 'x'],
  ['SADD', 'a', 'y', 'w'],
  ['SADD', 'b', 'y', 'z', 'v'],
  ['SADD', 'n', '3', '1', '2', '10', '-5'],
  ['SADD', 'n2', '2', '3', '4'],
  ['SREM', 'a', 'nope'],
  ['SREM', 'nos', 'x'],
  ['SREM', 'a', 'w', 'w'],
  ['SADD', 'gone', 'p', 'q'],
  ['SREM', 'gone', 'p', 'q', 'r'],
  ['SISMEMBER', 'a', 'x'],
  ['SISMEMBER', 'a', 'w'],
  ['SISMEMBER', 'nos', 'w'],
  ['SMISMEMBER', 'a', 'x', 'w', 'z'],
  ['SMISMEMBER', 'nos', 'x'],
  ['SCARD', 'a'],
  ['SCARD', 'nos'],
  ['SMEMBERS', 'a'],
  ['SMEMBERS', 'n'],
  ['SMEMBERS', 'nos'],
  ['SINTER', 'a', 'b'],
  ['SINTER', 'a', 'nos'],
  ['SINTER', 'n', 'n2', 'n'],
  ['SUNION', 'a', 'b', 'nos'],
  ['SDIFF', 'a', 'b'],
  ['SDIFF', 'a', 'nos', 'a'],
  ['SDIFF', 'nos', 'a'],
  ['SINTERCARD', '2', 'a', 'b'],
  ['SINTERCARD', '2', 'n', 'n2', 'LIMIT', '1'],
  ['SINTERCARD', '1', 'a', 'LIMIT', '0'],
  ['SINTERCARD', '1', 'a', 'LIMIT', '2', 'LIMIT', '1'],
  ['SINTERCARD', '0', 'a'],
  ['SINTERCARD', '3', 'a', 'b'],
  ['SINTERCARD', '1', 'a', 'LIMIT', '-1'],
  ['SINTERCARD', '1', 'a', 'TOP', '1'],
  // STORE forms: the destination replaced (its expiry and type with it) or deleted.
  ['SADD', 'd1', 'old'],
  ['PEXPIREAT', 'd1', FAR],
  ['SINTERSTORE', 'd1', 'a', 'b'],
  ['SET', 'd2', 'a string'],
  ['PEXPIREAT', 'd2', FAR],
  ['SUNIONSTORE', 'd2', 'a', 'b', 'n'],
  ['SADD', 'd3', 'old'],
  ['SDIFFSTORE', 'd3', 'a', 'b'],
  ['SINTERSTORE', 'd4', 'a', 'nos'],
  ['SADD', 'd5', 'old'],
  ['SINTERSTORE', 'd5', 'a', 'n'],
  ['SADD', 'd6', 'old'],
  ['SDIFFSTORE', 'd6', 'a', 'a'],
  ['SUNIONSTORE', 'd7', 'nos', 'nos2'],
  ['SDIFFSTORE', 'a2', 'a', 'nos'],
  ['SUNIONSTORE', 'a', 'a', 'n'],
  ['SINTERSTORE', 'n2', 'n2', 'n'],
  // Large sets (hash tables in the server) and long members.
  ['SADD', 'big', ...many('m', 300)],
  ['SADD', 'big2', ...many('m', 300, 150), LONG],
  ['SINTERSTORE', 'bi', 'big', 'big2'],
  ['SDIFFSTORE', 'bd', 'big', 'big2'],
  ['SUNIONSTORE', 'bu', 'big', 'big2'],
  ['SINTERCARD', '2', 'big', 'big2', 'LIMIT', '10'],
  ['SREM', 'big', ...many('m', 100)],
  // SMOVE.
  ['SADD', 'src', 'a', 'b', 'c'],
  ['SMOVE', 'src', 'dst', 'a'],
  ['SMOVE', 'src', 'dst', 'zz'],
  ['SMOVE', 'src', 'src', 'b'],
  ['SMOVE', 'src', 'src', 'zz'],
  ['SMOVE', 'nos', 'dst', 'a'],
  ['SADD', 'dst', 'b'],
  ['SMOVE', 'src', 'dst', 'b'],
  ['SMOVE', 'src', 'dst', 'c'],
  ['SET', 'str', 'v'],
  ['SMOVE', 'nos', 'str', 'a'],
  ['SMOVE', 'dst', 'str', 'a'],
  ['SMOVE', 'str', 'dst', 'a'],
  // SPOP taking the whole set, and the forms that take nothing.
  ['SADD', 'p1', 'a', 'b', 'c'],
  ['SPOP', 'p1', '3'],
  ['SADD', 'p2', 'a', 'b'],
  ['SPOP', 'p2', '10'],
  ['SADD', 'p3', 'only'],
  ['SPOP', 'p3'],
  ['SADD', 'p4', '1', '2'],
  ['SPOP', 'p4', '0'],
  ['SPOP', 'nos'],
  ['SPOP', 'nos', '2'],
  ['SPOP', 'p4', '-1'],
  ['SPOP', 'p4', '1', '2'],
  // Wrong types.
  ['SADD', 'str', 'a'],
  ['SREM', 'str', 'a'],
  ['SCARD', 'str'],
  ['SISMEMBER', 'str', 'a'],
  ['SMEMBERS', 'str'],
  ['SINTER', 'nos', 'str'],
  ['SINTERSTORE', 'd8', 'nos', 'str'],
  ['SUNIONSTORE', 'd8', 'a', 'str'],
  ['SDIFFSTORE', 'd8', 'nos', 'str'],
  ['SINTERCARD', '2', 'a', 'str'],
  ['SPOP', 'str'],
  ['SRANDMEMBER', 'str'],
  // A block, and binary members.
  ['MULTI'],
  ['SADD', 'tx', 'a', 'b'],
  ['SMOVE', 'tx', 'tx2', 'a'],
  ['SUNIONSTORE', 'tx3', 'tx', 'tx2'],
  ['EXEC'],
  ['SADD', 'bin', Buffer.from([0, 1, 255]), Buffer.from([0xe9])],
  ['SREM', 'bin', Buffer.from([0xe9])],
];

const unorderedReply = (argv: string[]) => UNORDERED.has(argv[0].toLowerCase());

describe('set commands against Redis 7.0', () => {
  it('a workload of every set command: replay and direct application equal the server, replies too', async () => {
    const run = await runOracle(WORKLOAD, { direct: true });
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
    expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
    expect(replyDiff(WORKLOAD, run.replies, applyDirect(WORKLOAD).replies, unorderedReply)).toEqual([]);
    const db = run.saved.db(0);
    expect(db.get('d2')).toBeInstanceOf(SetValue);
    expect(db.expireAt('d1')).toBeNull();
    expect(db.has('d4') || db.has('d5') || db.has('d6') || db.has('d7') || db.has('p1')).toBe(false);
    // SPOP taking everything was logged as a deletion, the verbatim form applied directly.
    const aof = Object.values(run.aofFiles)
      .map((b) => b.toString('latin1'))
      .join('');
    expect(aof).not.toMatch(/spop/i);
  });

  it('the same with an RDB preamble and a rewrite halfway', async () => {
    const run = await runOracle(WORKLOAD, { preamble: true, rewriteAfter: 55 });
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
  });

  it('a rewrite without preamble (SADD batches), then more changes', async () => {
    const run = await runOracle(WORKLOAD, { preamble: false, rewriteAfter: 70 });
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
  });

  it('a random SPOP is logged as SREM and replays exactly', async () => {
    const cmds: Cmd[] = [
      ['SADD', 'r', ...many('e', 40)],
      ['SPOP', 'r'],
      ['SPOP', 'r', '5'],
      ['SADD', 'i', ...many('', 30)],
      ['SPOP', 'i', '29'],
      ['SADD', 'h', ...many('h', 2000)],
      ['SPOP', 'h', '1500'],
    ];
    for (const preamble of [false, true]) {
      const run = await runOracle(cmds, { preamble, rewriteAfter: preamble ? 4 : undefined });
      expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
      expect((run.saved.db(0).get('r') as SetValue).size).toBe(34);
      expect((run.saved.db(0).get('h') as SetValue).size).toBe(500);
      const aof = Object.values(run.aofFiles)
        .map((b) => b.toString('latin1'))
        .join('');
      expect(aof).toMatch(/SREM/i);
    }
  });
});

describe('set commands the replay refuses', () => {
  it('a verbatim SPOP that leaves members behind cannot be replayed', () => {
    const two = [['SADD', 's', 'a', 'b']];
    expect(refusalCode(['SPOP', 's'], two)).toBe('REPLAY_BAD_ARGUMENT');
    expect(refusalCode(['SPOP', 's', '1'], two)).toBe('REPLAY_BAD_ARGUMENT');
    expect(refusalCode(['SPOP', 's', '2'], two)).toBe('none');
    expect(refusalCode(['SPOP', 's', 'x'], two)).toBe('REPLAY_BAD_ARGUMENT');
    const { ds } = applyDirect([...two, ['SPOP', 's', '1']]);
    expect((ds.db(0).get('s') as SetValue).size).toBe(2);
  });

  it('wrong type, wrong arity and bad arguments', () => {
    const str = [['SET', 'k', 'v']];
    expect(refusalCode(['SADD', 'k', 'a'], str)).toBe('REPLAY_WRONG_TYPE');
    expect(refusalCode(['SINTERSTORE', 'd', 'nos', 'k'], str)).toBe('REPLAY_WRONG_TYPE');
    expect(refusalCode(['SMOVE', 'k', 'd', 'a'], str)).toBe('REPLAY_WRONG_TYPE');
    expect(refusalCode(['SADD', 'k'])).toBe('REPLAY_ARITY');
    expect(refusalCode(['SMOVE', 'a', 'b'])).toBe('REPLAY_ARITY');
    expect(refusalCode(['SUNIONSTORE', 'd'])).toBe('REPLAY_ARITY');
    expect(refusalCode(['SPOP', 's', '1', '2'])).toBe('REPLAY_BAD_ARGUMENT');
    expect(refusalCode(['SINTERCARD', '0', 'a'])).toBe('REPLAY_BAD_ARGUMENT');
  });

  it('SRANDMEMBER answers from the members and changes nothing', () => {
    const { ds, replies } = applyDirect([
      ['SADD', 's', 'a', 'b', 'c'],
      ['SRANDMEMBER', 's'],
      ['SRANDMEMBER', 's', '2'],
      ['SRANDMEMBER', 's', '5'],
      ['SRANDMEMBER', 's', '-5'],
      ['SRANDMEMBER', 'nos'],
      ['SRANDMEMBER', 'nos', '3'],
    ]);
    const members = ['a', 'b', 'c'];
    expect(members).toContain(replies[1]);
    expect(replies[2]).toHaveLength(2);
    expect([...(replies[3] as string[])].sort()).toEqual(members);
    expect(replies[4]).toHaveLength(5);
    for (const m of replies[4] as string[]) expect(members).toContain(m);
    expect(replies.slice(5)).toEqual([null, []]);
    expect((ds.db(0).get('s') as SetValue).size).toBe(3);
  });
});
