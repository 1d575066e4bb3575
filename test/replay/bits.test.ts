/**
 * The bit commands against a real Redis 7.0: the replay of its AOF equals its SAVE (both
 * preamble settings, a rewrite in one run), and the client's commands applied to the engine
 * give the same data and the same replies — GETBIT, BITCOUNT, BITPOS and BITFIELD_RO
 * included — for hand-picked edges and a seeded random workload. BITOP's Redis 8.2
 * operators, which no 7.0 server has, are checked against a bit-by-bit reference; refusals
 * carry their codes.
 */
import { describe, expect, it } from 'vitest';
import { Dataset } from '../../src/dataset/dataset.js';
import { ReplayEngine } from '../../src/replay/engine.js';
import { ReplayError } from '../../src/replay/errors.js';
import { datasetDiff, runOracle, type Cmd } from '../helpers/replay-oracle.js';
import { rng } from '../helpers/bytes.js';
import { applyDirect, replyDiff } from './replies.js';

const FUTURE_MS = '4102444800123';

const EDGES: Cmd[] = [
  ['SETBIT', 'b1', '7', '1'],
  ['SETBIT', 'b1', '7', '1'],
  ['SETBIT', 'b1', '0', '1'],
  ['SETBIT', 'b1', '100', '0'],
  ['SETBIT', 'b1', '7', '0'],
  ['SETBIT', 'b2', '0', '0'],
  ['SET', 'b3', 'abc', 'PXAT', FUTURE_MS],
  ['SETBIT', 'b3', '1', '0'],
  ['SETBIT', 'b3', '40', '1'],
  ['SET', 'n', '12345'],
  ['SETBIT', 'n', '2', '1'],
  ['SETBIT', 'bad', '-1', '1'],
  ['SETBIT', 'bad', '4294967296', '1'],
  ['SETBIT', 'bad', 'x', '1'],
  ['SETBIT', 'bad', '1', '2'],
  ['SETBIT', 'bad', '1', '-1'],
  ['SETBIT', 'bad', '1', 'on'],
  ['GETBIT', 'b1', '0'],
  ['GETBIT', 'b1', '7'],
  ['GETBIT', 'b1', '100000'],
  ['GETBIT', 'nokey', '3'],
  ['GETBIT', 'b1', '-1'],
  ['SET', 'c', Buffer.from([0xff, 0xf0, 0x00, 0x0f, 0x81, 0x7e])],
  ['SET', 'i', '12345'],
  ['BITCOUNT', 'c'],
  ['BITCOUNT', 'i'],
  ['BITCOUNT', 'nokey'],
  ['BITCOUNT', 'nokey', 'x', 'y'],
  ['BITCOUNT', 'c', '1', '3'],
  ['BITCOUNT', 'c', '-2', '-1'],
  ['BITCOUNT', 'c', '-1', '-2'],
  ['BITCOUNT', 'c', '-100', '100'],
  ['BITCOUNT', 'c', '3', '1'],
  ['BITCOUNT', 'c', '5', '10', 'BIT'],
  ['BITCOUNT', 'c', '3', '3', 'BIT'],
  ['BITCOUNT', 'c', '-5', '-1', 'bit'],
  ['BITCOUNT', 'c', '1', '2', 'BYTE'],
  ['BITCOUNT', 'c', '1', '2', 'BOTH'],
  ['BITCOUNT', 'c', '1'],
  ['BITCOUNT', 'c', '1', '2', 'BIT', 'X'],
  ['BITCOUNT', 'c', 'a', '2'],
  ['BITPOS', 'c', '0'],
  ['BITPOS', 'c', '1'],
  ['BITPOS', 'c', '1', '2'],
  ['BITPOS', 'c', '0', '2'],
  ['BITPOS', 'c', '0', '0', '0'],
  ['BITPOS', 'c', '1', '2', '2'],
  ['BITPOS', 'c', '1', '-1'],
  ['BITPOS', 'c', '0', '3', '10', 'BIT'],
  ['BITPOS', 'c', '1', '3', '10', 'BIT'],
  ['BITPOS', 'c', '1', '17', '27', 'BIT'],
  ['BITPOS', 'c', '0', '0', '3', 'BIT'],
  ['BITPOS', 'c', '1', '-10', '-1', 'BIT'],
  ['BITPOS', 'c', '0', '40', '-1', 'BIT'],
  ['BITPOS', 'c', '0', '44', 'BIT'],
  ['BITPOS', 'c', '0', '40'],
  ['BITPOS', 'c', '1', '5', '3'],
  ['BITPOS', 'ff', '0'],
  ['SET', 'ff', Buffer.from([0xff, 0xff])],
  ['BITPOS', 'ff', '0'],
  ['BITPOS', 'ff', '0', '0', '-1'],
  ['BITPOS', 'ff', '0', '1'],
  ['BITPOS', 'ff', '1', '5', '9', 'BIT'],
  ['SET', 'empty', ''],
  ['BITPOS', 'empty', '0'],
  ['BITPOS', 'empty', '1'],
  ['BITCOUNT', 'empty'],
  ['BITPOS', 'nokey', '1'],
  ['BITPOS', 'nokey', '0'],
  ['BITPOS', 'c', '2'],
  ['BITPOS', 'c', '1', '0', '1', 'WORD'],
  ['BITPOS', 'c', '1', '0', '1', 'BIT', 'X'],
  ['SET', 'x1', Buffer.from([0x0f, 0xff, 0x55])],
  ['SET', 'x2', Buffer.from([0xf0, 0x0f])],
  ['BITOP', 'AND', 'dand', 'x1', 'x2'],
  ['BITOP', 'and', 'dand2', 'x1', 'x2', 'nokey'],
  ['BITOP', 'OR', 'dor', 'x1', 'x2', 'nokey'],
  ['BITOP', 'XOR', 'dxor', 'x1', 'x2', 'x1', 'c'],
  ['BITOP', 'NOT', 'dnot', 'x1'],
  ['BITOP', 'NOT', 'dnot2', 'nokey'],
  ['BITOP', 'NOT', 'dnot3', 'x1', 'x2'],
  ['BITOP', 'NAND', 'bad', 'x1'],
  ['SET', 'dttl', 'old', 'PXAT', FUTURE_MS],
  ['BITOP', 'OR', 'dttl', 'x2'],
  ['SET', 'gone', 'old'],
  ['BITOP', 'OR', 'gone', 'nokey', 'nokey2'],
  ['BITOP', 'AND', 'nokey3', 'nokey'],
  ['RPUSH', 'list', 'a'],
  ['BITOP', 'OR', 'list', 'x1'],
  ['RPUSH', 'list2', 'a'],
  ['BITOP', 'OR', 'dest', 'x1', 'list2'],
  ['SETBIT', 'list2', '1', '1'],
  ['GETBIT', 'list2', '1'],
  ['BITCOUNT', 'list2'],
  ['BITPOS', 'list2', '1'],
  ['BITFIELD', 'list2', 'GET', 'u8', '0'],
  ['BITFIELD', 'list2', 'SET', 'u8', '0', '1'],
  ['BITFIELD', 'f', 'SET', 'i8', '0', '100', 'GET', 'u4', '0', 'INCRBY', 'i8', '0', '100'],
  ['BITFIELD', 'f', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '0', '100', 'INCRBY', 'i8', '0', '-1000', 'SET', 'u3', '#3', '9'],
  ['BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'INCRBY', 'u4', '#1', '20', 'INCRBY', 'u4', '#1', '3', 'OVERFLOW', 'WRAP', 'INCRBY', 'u4', '#1', '20'],
  ['BITFIELD', 'f', 'SET', 'i64', '5', '-9223372036854775808', 'INCRBY', 'i64', '5', '-1', 'GET', 'i64', '5', 'GET', 'u63', '6'],
  ['BITFIELD', 'f', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '5', '-1', 'INCRBY', 'i64', '5', '9223372036854775807', 'INCRBY', 'i64', '5', '9223372036854775807'],
  ['BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', '5', '1', 'SET', 'u63', '70', '-1', 'OVERFLOW', 'SAT', 'SET', 'u63', '70', '-1', 'SET', 'i5', '100', '-100'],
  ['BITFIELD', 'f', 'OVERFLOW', 'WRAP', 'SET', 'u1', '200', '3', 'SET', 'i1', '201', '1', 'GET', 'i1', '201', 'INCRBY', 'u63', '#4', '-1'],
  ['BITFIELD', 'f', 'INCRBY', 'u8', '#100', '0'],
  ['BITFIELD', 'f'],
  ['BITFIELD', 'f', 'OVERFLOW', 'SAT'],
  ['BITFIELD', 'g', 'GET', 'u8', '0', 'GET', 'i3', '#1000'],
  ['BITFIELD', 'i', 'GET', 'u8', '0', 'GET', 'i16', '4'],
  ['BITFIELD_RO', 'f', 'GET', 'i8', '0', 'GET', 'u16', '#2'],
  ['BITFIELD_RO', 'f', 'GET', 'i8', '0', 'SET', 'u8', '0', '1'],
  ['BITFIELD', 'f', 'GET', 'u64', '0'],
  ['BITFIELD', 'f', 'GET', 'i65', '0'],
  ['BITFIELD', 'f', 'GET', 'i0', '0'],
  ['BITFIELD', 'f', 'GET', 'I8', '0'],
  ['BITFIELD', 'f', 'GET', 'u8', '-1'],
  ['BITFIELD', 'f', 'GET', 'u8', '#-1'],
  ['BITFIELD', 'f', 'GET', 'u8', '4294967296'],
  ['BITFIELD', 'f', 'GET', 'u8', '#536870912'],
  ['BITFIELD', 'f', 'GET', 'u8'],
  ['BITFIELD', 'f', 'SET', 'u8', '0', 'x'],
  ['BITFIELD', 'f', 'OVERFLOW', 'CLAMP', 'SET', 'u8', '0', '1'],
  ['BITFIELD', 'f', 'FLIP', 'u8', '0'],
  ['BITFIELD', 'f', 'SET', 'u8', '0', '1', 'GET', 'u8'],
  ['BITFIELD', 'h', 'SET', 'u2', '#3', '3', 'GET', 'u8', '0'],
];

/** A seeded random workload over a few small bitmaps: every write and read kind mixed. */
function randomWorkload(seed: number, count: number): Cmd[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const keys = ['r1', 'r2', 'r3', 'r4'];
  const type = () => (r() < 0.5 ? `i${int(1, 64)}` : `u${int(1, 63)}`);
  const offset = () => (r() < 0.2 ? `#${int(0, 12)}` : String(int(0, 200)));
  const num = () => String(pick([0, 1, -1, 7, 100, -100, 2 ** 31, -(2 ** 40), int(-1000, 1000)]));
  const big = () => pick(['9223372036854775807', '-9223372036854775808', '4611686018427387904', num()]);
  const cmds: Cmd[] = [];
  for (let i = 0; i < count; i++) {
    const k = pick(keys);
    const what = r();
    if (what < 0.2) cmds.push(['SETBIT', k, String(int(0, 300)), String(int(0, 1))]);
    else if (what < 0.45) {
      const c: string[] = ['BITFIELD', k];
      for (let n = int(1, 4); n > 0; n--) {
        const op = r();
        if (op < 0.2) c.push('OVERFLOW', pick(['WRAP', 'SAT', 'FAIL']));
        else if (op < 0.45) c.push('GET', type(), offset());
        else if (op < 0.7) c.push('SET', type(), offset(), big());
        else c.push('INCRBY', type(), offset(), big());
      }
      cmds.push(c);
    } else if (what < 0.55) cmds.push(['BITFIELD_RO', k, 'GET', type(), offset()]);
    else if (what < 0.65) cmds.push(['GETBIT', k, String(int(0, 400))]);
    else if (what < 0.75) {
      const c = ['BITCOUNT', k, String(int(-50, 50)), String(int(-50, 50))];
      if (r() < 0.5) c.push(pick(['BIT', 'BYTE']));
      cmds.push(c);
    } else if (what < 0.85) {
      const c = ['BITPOS', k, String(int(0, 1))];
      if (r() < 0.7) c.push(String(int(-60, 60)));
      if (c.length === 4 && r() < 0.7) c.push(String(int(-60, 60)));
      if (c.length === 5 && r() < 0.5) c.push(pick(['BIT', 'BYTE']));
      cmds.push(c);
    } else if (what < 0.95) {
      const op = pick(['AND', 'OR', 'XOR', 'NOT']);
      cmds.push(op === 'NOT' ? ['BITOP', op, pick(keys), k] : ['BITOP', op, pick(keys), k, pick(keys), pick(keys)]);
    } else cmds.push(['SETRANGE', k, String(int(0, 40)), pick(['', 'x', 'hello'])]);
  }
  return cmds;
}

function expectAgreement(cmds: Cmd[], run: Awaited<ReturnType<typeof runOracle>>): void {
  expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
  const direct = applyDirect(cmds);
  expect(replyDiff(cmds, run.replies, direct.replies)).toEqual([]);
  expect(datasetDiff(run.saved, direct.dataset)).toEqual([]);
}

describe('bit commands against Redis 7.0', () => {
  it('edges: replay, direct application and replies agree (no preamble)', async () => {
    const run = await runOracle(EDGES);
    expectAgreement(EDGES, run);
    expect(Object.values(run.aofFiles).some((b) => b.includes('BITFIELD'))).toBe(true);
  });

  it('edges with a preamble and a rewrite in the middle', async () => {
    const run = await runOracle(EDGES, { preamble: true, rewriteAfter: 90 });
    expectAgreement(EDGES, run);
  });

  it('a seeded random workload', async () => {
    const cmds = randomWorkload(20240607, 400);
    const run = await runOracle(cmds, { preamble: true });
    expectAgreement(cmds, run);
  });

  it('a second seed, without preamble, rewritten halfway', async () => {
    const cmds = randomWorkload(7, 300);
    const run = await runOracle(cmds, { rewriteAfter: 150 });
    expectAgreement(cmds, run);
  });

  it('a write that OVERFLOW FAIL refuses still creates the key, which Redis does not log', async () => {
    const cmds: Cmd[] = [['BITFIELD', 'q', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '100', '10']];
    const run = await runOracle(cmds);
    const direct = applyDirect(cmds);
    expect(datasetDiff(run.saved, direct.dataset)).toEqual([]);
    expect(run.saved.db(0).get('q')).toBe('\0'.repeat(13));
    // Nothing changed a bit, so nothing was propagated: an AOF can never hold this command.
    expect(run.replayed.dataset.db(0).has('q')).toBe(false);
  });
});

describe('bit commands on the engine alone', () => {
  const fresh = () => {
    const ds = new Dataset();
    const e = new ReplayEngine(ds, { nowMs: 1_700_000_000_000 });
    e.startFile('test.aof');
    return { ds, e, db: ds.db(0) };
  };

  it("BITOP DIFF, DIFF1, ANDOR and ONE (Redis 8.2) follow their bit-by-bit definitions", () => {
    const r = rng(99);
    const { e, db } = fresh();
    const srcs: Buffer[] = [];
    for (let k = 0; k < 5; k++) {
      const b = Buffer.alloc(1 + Math.floor(r() * 40));
      for (let i = 0; i < b.length; i++) b[i] = Math.floor(r() * 256);
      srcs.push(b);
      e.apply(['SET', `s${k}`, b.toString('latin1')]);
    }
    const names = srcs.map((_, k) => `s${k}`);
    const maxLen = Math.max(...srcs.map((b) => b.length));
    const bit = (b: Buffer, i: number) => (i >> 3 < b.length ? (b[i >> 3] >> (7 - (i & 7))) & 1 : 0);
    const reference = (f: (x: number, others: number[]) => number) => {
      const out = Buffer.alloc(maxLen);
      for (let i = 0; i < maxLen * 8; i++) {
        const v = f(bit(srcs[0], i), srcs.slice(1).map((b) => bit(b, i)));
        if (v) out[i >> 3] |= 0x80 >> (i & 7);
      }
      return out.toString('latin1');
    };
    const any = (xs: number[]) => (xs.some((x) => x === 1) ? 1 : 0);
    e.apply(['BITOP', 'DIFF', 'd', ...names]);
    expect(db.get('d')).toBe(reference((x, o) => x & (1 - any(o))));
    e.apply(['BITOP', 'diff1', 'd1', ...names]);
    expect(db.get('d1')).toBe(reference((x, o) => (1 - x) & any(o)));
    e.apply(['BITOP', 'AndOr', 'ao', ...names]);
    expect(db.get('ao')).toBe(reference((x, o) => x & any(o)));
    e.apply(['BITOP', 'ONE', 'one', ...names]);
    expect(db.get('one')).toBe(reference((x, o) => ([x, ...o].filter((v) => v === 1).length === 1 ? 1 : 0)));
    e.apply(['BITOP', 'ONE', 'one1', 's0']);
    expect(db.get('one1')).toBe(db.get('s0'));
    expect(() => e.apply(['BITOP', 'DIFF', 'd', 's0'])).toThrow(/BITOP DIFF must be called with at least two source keys/);
  });

  it('refuses with the codes of the kind of refusal, changing nothing', () => {
    const cases: [string[], string][] = [
      [['SETBIT', 'k', '1'], 'REPLAY_ARITY'],
      [['BITOP', 'AND', 'd'], 'REPLAY_ARITY'],
      [['SETBIT', 'k', '-1', '1'], 'REPLAY_BAD_ARGUMENT'],
      [['SETBIT', 'k', '4294967296', '1'], 'REPLAY_BAD_ARGUMENT'],
      [['SETBIT', 'k', '1', '2'], 'REPLAY_BAD_ARGUMENT'],
      [['BITOP', 'NOT', 'd', 'a', 'b'], 'REPLAY_BAD_ARGUMENT'],
      [['BITOP', 'NAND', 'd', 'a'], 'REPLAY_BAD_ARGUMENT'],
      [['BITFIELD', 'k', 'SET', 'u64', '0', '1'], 'REPLAY_BAD_ARGUMENT'],
      [['BITFIELD', 'k', 'SET', 'u8', '0', '1', 'INCRBY', 'u8', '#-1', '1'], 'REPLAY_BAD_ARGUMENT'],
      [['BITFIELD_RO', 'k', 'SET', 'u8', '0', '1'], 'REPLAY_BAD_ARGUMENT'],
      [['SETBIT', 'l', '1', '1'], 'REPLAY_WRONG_TYPE'],
      [['BITOP', 'OR', 'd', 'k', 'l'], 'REPLAY_WRONG_TYPE'],
      [['BITFIELD', 'l', 'INCRBY', 'u8', '0', '1'], 'REPLAY_WRONG_TYPE'],
    ];
    for (const [argv, code] of cases) {
      const { e, ds } = fresh();
      e.apply(['RPUSH', 'l', 'x']);
      e.apply(['SET', 'k', 'abc']);
      let err: unknown;
      try {
        e.apply(argv, { file: 'x.aof', offset: 10, line: 2 });
      } catch (x) {
        err = x;
      }
      expect(err, argv.join(' ')).toBeInstanceOf(ReplayError);
      expect((err as ReplayError).code, argv.join(' ')).toBe(code);
      expect(ds.db(0).get('k')).toBe('abc');
      expect(ds.db(0).has('d')).toBe(false);
    }
  });

  it('SETBIT far out grows the string with zero bytes and keeps the expiry', () => {
    const { e, db } = fresh();
    e.apply(['SET', 'k', 'a', 'PXAT', '4102444800000']);
    e.apply(['SETBIT', 'k', String(8 * 100000 + 7), '1']);
    const v = db.get('k') as string;
    expect(v.length).toBe(100001);
    expect(v.charCodeAt(100000)).toBe(1);
    expect(v.slice(1, 100000)).toBe('\0'.repeat(99999));
    expect(db.expireAt('k')).toBe(4102444800000);
  });
});
