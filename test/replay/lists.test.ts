/**
 * The list family against the installed Redis 7.0: its SAVE equals the replay of its AOF (with
 * and without an RDB preamble, with a rewrite in the middle) and the engine fed the client's
 * commands; the engine's replies and refusals equal the server's. The blocking commands, which
 * 7.0 logs as plain pops, are applied in their client form by the engine and compared with the
 * server's data; hand-written AOFs check what the server never writes (a blocking pop on
 * nothing), and refused commands stop the replay with their codes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayPath } from '../../src/replay/replay-input.js';
import { ListValue } from '../../src/dataset/list.js';
import { datasetDiff, runOracle, type Cmd } from '../helpers/replay-oracle.js';
import { applyDirect, refusalCode, replyDiff } from './direct-replies.js';

const FAR = '4102444800000'; // 2100-01-01, an expiry the direct run and the server agree on
const LONG = 'x'.repeat(80);
const many = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

const WORKLOAD: Cmd[] = [
  ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'],
  ['LPUSH', 'l', 'z', 'y'],
  ['LPUSHX', 'nol', 'a'],
  ['RPUSHX', 'nol', 'a'],
  ['RPUSHX', 'l', 'f', 'g'],
  ['LPUSHX', 'l', 'x'],
  ['LINSERT', 'l', 'BEFORE', 'c', 'c0'],
  ['LINSERT', 'l', 'after', 'c', 'c1'],
  ['LINSERT', 'l', 'AFTER', 'nope', 'q'],
  ['LINSERT', 'nol', 'BEFORE', 'a', 'q'],
  ['LINSERT', 'l', 'AROUND', 'a', 'q'],
  ['LSET', 'l', '0', 'X'],
  ['LSET', 'l', '-1', 'G'],
  ['LSET', 'l', '100', 'G'],
  ['LSET', 'nol', '0', 'G'],
  ['LSET', 'l', 'one', 'G'],
  ['LRANGE', 'l', '0', '-1'],
  ['LRANGE', 'l', '-3', '100'],
  ['LRANGE', 'l', '5', '2'],
  ['LRANGE', 'nol', '0', '-1'],
  ['LLEN', 'l'],
  ['LLEN', 'nol'],
  ['LINDEX', 'l', '2'],
  ['LINDEX', 'l', '-2'],
  ['LINDEX', 'l', '99'],
  ['LINDEX', 'nol', 'x'],
  ['LINDEX', 'l', 'x'],
  ['RPUSH', 'r', 'a', 'b', 'a', 'c', 'a', 'b', 'a'],
  ['LREM', 'r', '2', 'a'],
  ['LREM', 'r', '-1', 'a'],
  ['LREM', 'r', '0', 'b'],
  ['LREM', 'r', '0', 'nothing'],
  ['LREM', 'r', '-9223372036854775808', 'a'],
  ['LREM', 'r', '0', 'a'],
  ['LREM', 'r', '0', 'c'],
  ['LPOS', 'l', 'c'],
  ['RPUSH', 'p', 'a', 'b', 'a', 'c', 'a'],
  ['LPOS', 'p', 'a', 'RANK', '2'],
  ['LPOS', 'p', 'a', 'RANK', '-1'],
  ['LPOS', 'p', 'a', 'COUNT', '0'],
  ['LPOS', 'p', 'a', 'COUNT', '2', 'RANK', '-1'],
  ['LPOS', 'p', 'a', 'COUNT', '0', 'MAXLEN', '3'],
  ['LPOS', 'p', 'a', 'RANK', '0'],
  ['LPOS', 'p', 'a', 'COUNT', '-1'],
  ['LPOS', 'p', 'a', 'MAXLEN', '-1'],
  ['LPOS', 'p', 'a', 'FOO', '1'],
  ['LPOS', 'p', 'zz'],
  ['LPOS', 'p', 'zz', 'COUNT', '1'],
  ['LPOS', 'nol', 'a', 'COUNT', '1'],
  ['RPUSH', 't', ...many('t', 10)],
  ['LTRIM', 't', '2', '-3'],
  ['LTRIM', 't', '-100', '100'],
  ['LTRIM', 't', '1', '1'],
  ['LTRIM', 'nol', '0', '1'],
  ['RPUSH', 't2', 'a', 'b'],
  ['LTRIM', 't2', '5', '10'],
  ['RPUSH', 'pp', ...many('p', 12)],
  ['LPOP', 'pp'],
  ['RPOP', 'pp'],
  ['LPOP', 'pp', '3'],
  ['RPOP', 'pp', '2'],
  ['LPOP', 'pp', '0'],
  ['LPOP', 'pp', '-1'],
  ['LPOP', 'pp', '1', '2'],
  ['LPOP', 'nol'],
  ['RPOP', 'nol', '2'],
  ['RPOP', 'pp', '100'],
  ['RPUSH', 'm1', 'a', 'b', 'c'],
  ['LMOVE', 'm1', 'm2', 'LEFT', 'RIGHT'],
  ['LMOVE', 'm1', 'm2', 'RIGHT', 'LEFT'],
  ['LMOVE', 'm1', 'm1', 'LEFT', 'RIGHT'],
  ['LMOVE', 'm2', 'm2', 'right', 'left'],
  ['LMOVE', 'm1', 'm2', 'UP', 'LEFT'],
  ['LMOVE', 'nol', 'm2', 'LEFT', 'LEFT'],
  ['RPOPLPUSH', 'm1', 'm3'],
  ['RPOPLPUSH', 'nol', 'm3'],
  ['RPUSH', 'one', 'only'],
  ['RPOPLPUSH', 'one', 'one'],
  ['LMPOP', '2', 'nol', 'm2', 'LEFT'],
  ['LMPOP', '2', 'nol', 'm2', 'RIGHT', 'COUNT', '5'],
  ['LMPOP', '1', 'nol', 'LEFT'],
  ['LMPOP', '0', 'm3', 'LEFT'],
  ['LMPOP', '3', 'm3', 'LEFT'],
  ['LMPOP', '1', 'm3', 'LEFT', 'COUNT', '0'],
  ['LMPOP', '1', 'm3', 'LEFT', 'COUNT', '1', 'COUNT', '1'],
  // The deque form: more than 128 elements, elements longer than 64 bytes.
  ['RPUSH', 'big', ...many('b', 200)],
  ['LPUSH', 'big', LONG],
  ['LINSERT', 'big', 'AFTER', 'b100', 'mid'],
  ['LSET', 'big', '50', 'fifty'],
  ['LREM', 'big', '-1', 'b7'],
  ['LTRIM', 'big', '3', '-4'],
  ['LPOP', 'big', '20'],
  ['RPOP', 'big', '20'],
  ['LMOVE', 'big', 'big2', 'LEFT', 'LEFT'],
  ['RPUSH', 'lp', 'a'],
  ['LSET', 'lp', '0', LONG],
  ['LRANGE', 'big', '100', '110'],
  ['LPOS', 'big', 'b150'],
  // Expiry: kept by changes, gone with the key.
  ['RPUSH', 'ttl', 'a', 'b', 'c'],
  ['PEXPIREAT', 'ttl', FAR],
  ['LPUSH', 'ttl', 'z'],
  ['LMOVE', 'ttl', 'ttl2', 'LEFT', 'LEFT'],
  ['RPOP', 'ttl', '10'],
  ['RPUSH', 'ttl', 'fresh'],
  // Wrong types, refused by the server before anything changes.
  ['SET', 's', 'str'],
  ['LPUSH', 's', 'a'],
  ['RPUSHX', 's', 'a'],
  ['LPOP', 's'],
  ['LRANGE', 's', '0', '1'],
  ['LMOVE', 'l', 's', 'LEFT', 'LEFT'],
  ['LMOVE', 's', 'l', 'LEFT', 'LEFT'],
  ['LMOVE', 'nol', 's', 'LEFT', 'LEFT'],
  ['LMPOP', '2', 'nol', 's', 'LEFT'],
  ['LINSERT', 's', 'BEFORE', 'a', 'b'],
  ['LREM', 's', '0', 'a'],
  ['LTRIM', 's', '0', '1'],
  ['LSET', 's', '0', 'a'],
  ['LLEN', 's'],
  ['LINDEX', 's', 'x'],
  ['LPOS', 's', 'a'],
  // A block of list commands.
  ['MULTI'],
  ['RPUSH', 'tx', 'a', 'b'],
  ['LMOVE', 'tx', 'tx', 'LEFT', 'RIGHT'],
  ['RPOP', 'tx'],
  ['EXEC'],
  // Binary elements.
  ['RPUSH', 'bin', Buffer.from([0, 255, 13, 10]), Buffer.from([0xc3, 0x28])],
  ['LREM', 'bin', '1', Buffer.from([0xc3, 0x28])],
];

/** The blocking forms, as a client sends them: 7.0 logs plain pops and moves instead. */
const BLOCKING: Cmd[] = [
  ['RPUSH', 'q1', 'a', 'b', 'c', 'd'],
  ['RPUSH', 'q2', 'x', 'y'],
  ['BLPOP', 'none', 'q1', '0'],
  ['BRPOP', 'q2', 'q1', '0.5'],
  ['BLMOVE', 'q1', 'q3', 'RIGHT', 'LEFT', '0'],
  ['BRPOPLPUSH', 'q1', 'q3', '1'],
  ['BLMPOP', '0', '2', 'none', 'q3', 'LEFT', 'COUNT', '2'],
  ['BLMPOP', '0', '1', 'q2', 'RIGHT'],
  ['BLPOP', 'q1', '-1'],
  ['BLPOP', 'q1', 'soon'],
  ['BLMOVE', 'q1', 'q3', 'LEFT', 'LEFT', '-1'],
  ['BLMPOP', 'x', '1', 'q1', 'LEFT'],
  ['RPUSH', 'last', 'only'],
  ['BRPOP', 'last', '0'],
];

describe('list commands against Redis 7.0', () => {
  it('a workload of every list command: replay and direct application equal the server, replies too', async () => {
    const run = await runOracle(WORKLOAD, { direct: true });
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
    expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
    expect(replyDiff(WORKLOAD, run.replies, applyDirect(WORKLOAD).replies)).toEqual([]);
    expect(run.saved.db(0).get('big')).toBeInstanceOf(ListValue);
    expect(run.saved.db(0).has('t2')).toBe(false);
    expect(run.saved.db(0).expireAt('ttl')).toBeNull();
  });

  it('the same with an RDB preamble and a rewrite halfway', async () => {
    const run = await runOracle(WORKLOAD, { preamble: true, rewriteAfter: 60 });
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
    expect(Object.keys(run.aofFiles).some((f) => f.endsWith('.rdb'))).toBe(true);
  });

  it('a rewrite without preamble writes big lists as RPUSH batches, replayed the same', async () => {
    const run = await runOracle(WORKLOAD, { preamble: false, rewriteAfter: 100 });
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
    const base = Object.entries(run.aofFiles).find(([f]) => f.includes('.base.'))![1].toString('latin1');
    expect(base).toContain('RPUSH');
  });

  it('blocking commands: the engine applies the client form, the server logs plain pops', async () => {
    const run = await runOracle(BLOCKING, { direct: true, preamble: false });
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
    expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
    expect(replyDiff(BLOCKING, run.replies, applyDirect(BLOCKING).replies)).toEqual([]);
    const aof = Object.values(run.aofFiles)
      .map((b) => b.toString('latin1'))
      .join('');
    expect(aof).not.toMatch(/BLPOP|BRPOP|BLMOVE|BLMPOP/i);
    expect(aof).toContain('$4\r\nLPOP\r\n$2\r\nq3\r\n$1\r\n2\r\n'); // BLMPOP … COUNT 2 logged as LPOP q3 2
  });
});

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function aofBytes(cmds: string[][]): Buffer {
  return Buffer.from(cmds.map((c) => `*${c.length}\r\n${c.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`).join(''), 'latin1');
}

describe('list commands in forms the server no longer writes', () => {
  it('a blocking pop or move on nothing changes nothing; on a list it pops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdbtool-lists-'));
    dirs.push(dir);
    const file = join(dir, 'appendonly.aof');
    writeFileSync(
      file,
      aofBytes([
        ['SELECT', '0'],
        ['BLPOP', 'empty', '0'],
        ['BRPOPLPUSH', 'empty', 'dst', '0'],
        ['BLMOVE', 'empty', 'dst', 'LEFT', 'RIGHT', '5'],
        ['BLMPOP', '0', '1', 'empty', 'LEFT', 'COUNT', '3'],
        ['RPUSH', 'l', 'a', 'b', 'c'],
        ['BRPOP', 'empty', 'l', '0'],
        ['BRPOPLPUSH', 'l', 'dst', '0'],
      ]),
    );
    const ds = (await replayPath(file)).dataset;
    expect(ds.db(0).has('empty')).toBe(false);
    expect((ds.db(0).get('l') as ListValue).toArray()).toEqual(['a']);
    expect((ds.db(0).get('dst') as ListValue).toArray()).toEqual(['b']);
    expect(ds.keyCount).toBe(2);
  });

  it('refused commands stop the replay with their code', () => {
    const str = [['SET', 's', 'v']];
    const list = [['RPUSH', 'l', 'a']];
    expect(refusalCode(['LPUSH', 's', 'a'], str)).toBe('REPLAY_WRONG_TYPE');
    expect(refusalCode(['LMOVE', 'l', 's', 'LEFT', 'LEFT'], [...str, ...list])).toBe('REPLAY_WRONG_TYPE');
    expect(refusalCode(['BLPOP', 'none', 's', '0'], str)).toBe('REPLAY_WRONG_TYPE');
    expect(refusalCode(['LPUSH', 'l'])).toBe('REPLAY_ARITY');
    expect(refusalCode(['LPOP', 'l', '1', '2'], list)).toBe('REPLAY_ARITY');
    expect(refusalCode(['LINSERT', 'l', 'a', 'b'])).toBe('REPLAY_ARITY');
    expect(refusalCode(['LSET', 'l', '5', 'x'], list)).toBe('REPLAY_BAD_ARGUMENT');
    expect(refusalCode(['LSET', 'none', '0', 'x'])).toBe('REPLAY_BAD_ARGUMENT');
    expect(refusalCode(['LINSERT', 'l', 'NEAR', 'a', 'b'], list)).toBe('REPLAY_BAD_ARGUMENT');
    expect(refusalCode(['LTRIM', 'l', '0', '1.5'], list)).toBe('REPLAY_BAD_ARGUMENT');
    expect(refusalCode(['BLPOP', 'l', '-1'], list)).toBe('REPLAY_BAD_ARGUMENT');
    expect(refusalCode(['LMPOP', '2', 'l', 'LEFT'], list)).toBe('REPLAY_BAD_ARGUMENT');
  });

  it('a refused command leaves the list as it was', () => {
    const { ds, replies } = applyDirect([
      ['RPUSH', 'l', 'a', 'b'],
      ['LMOVE', 'l', 's', 'LEFT', 'XX'],
      ['SET', 's', 'v'],
      ['LMOVE', 'l', 's', 'LEFT', 'LEFT'],
      ['BLMPOP', '-1', '1', 'l', 'LEFT'],
    ]);
    expect(replies.slice(1).filter((r) => typeof r === 'string' && r.startsWith('err:'))).toHaveLength(3);
    expect((ds.db(0).get('l') as ListValue).toArray()).toEqual(['a', 'b']);
  });
});
