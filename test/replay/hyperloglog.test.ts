/**
 * The HyperLogLog family against a real Redis 7.0: the value bytes of every HyperLogLog the
 * replay builds (sparse, dense, promoted past hll-sparse-max-bytes, merged, with the cached
 * cardinality PFCOUNT writes) must equal the server's SAVE, and commands applied directly must
 * give the server's replies and values (GET), damaged and foreign values included.
 */
import { describe, expect, it } from 'vitest';
import { datasetDiff, runOracle, type Cmd } from '../helpers/replay-oracle.js';
import { RespError, startRedis, type RespValue } from '../helpers/redis.js';
import { Dataset } from '../../src/dataset/dataset.js';
import { ListValue } from '../../src/dataset/list.js';
import { ReplayEngine } from '../../src/replay/engine.js';
import { CommandError, ReplayError } from '../../src/replay/errors.js';
import { StatusReply, type Reply } from '../../src/replay/reply.js';
import { setHllSparseMaxBytes } from '../../src/replay/commands/hyperloglog.js';
import { murmurHash64A, patternOf } from '../../src/replay/hll/murmur.js';

/** `n` distinct elements. */
function els(prefix: string, from: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}:${from + i}`);
}

/** PFADDs of `total` elements to `key`, `per` per command. */
function adds(key: string, prefix: string, total: number, per: number): Cmd[] {
  const out: Cmd[] = [];
  for (let i = 0; i < total; i += per) out.push(['PFADD', key, ...els(prefix, i, Math.min(per, total - i))]);
  return out;
}

/** A dense HyperLogLog with the given registers; `card` the cache (stale when `stale`). */
function denseHll(regs: Record<number, number>, card = 0, stale = true): Buffer {
  const b = Buffer.alloc(16 + 12288);
  b.write('HYLL', 0, 'latin1');
  b.writeBigUInt64LE(BigInt(card), 8);
  if (stale) b[15] |= 0x80;
  for (const [k, v] of Object.entries(regs)) {
    const bit = Number(k) * 6;
    const at = 16 + (bit >> 3);
    const fb = bit & 7;
    const word = b[at] | ((b[at + 1] ?? 0) << 8);
    const next = (word & ~(63 << fb)) | (v << fb);
    b[at] = next & 0xff;
    if (at + 1 < b.length) b[at + 1] = next >> 8;
  }
  return b;
}

/** A sparse HyperLogLog with the given opcode bytes. */
function sparseHll(ops: number[], card = 0, stale = true): Buffer {
  const b = Buffer.alloc(16 + ops.length);
  b.write('HYLL', 0, 'latin1');
  b[4] = 1;
  b.writeBigUInt64LE(BigInt(card), 8);
  if (stale) b[15] |= 0x80;
  Buffer.from(ops).copy(b, 16);
  return b;
}

const latin1 = (a: string | Buffer) => (typeof a === 'string' ? Buffer.from(a, 'utf8') : a).toString('latin1');

/** The server's reply in a comparable form. */
function fromServer(v: RespValue | RespError): unknown {
  if (v instanceof RespError) return { error: v.message };
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  if (typeof v === 'string') return { status: v };
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(fromServer);
  return v;
}

/** The engine's reply in the same form. */
function fromEngine(v: Reply | CommandError): unknown {
  if (v instanceof CommandError) return { error: v.reply };
  if (v instanceof StatusReply) return { status: v.status };
  if (Array.isArray(v)) return v.map(fromEngine);
  return v;
}

/**
 * Sends `cmds` to a plain server and applies them to an engine; returns both sides' replies
 * and final values of every key, for equality checks.
 */
async function againstServer(cmds: Cmd[], opts: { config?: Record<string, string | number>; sparseMaxBytes?: number; dataset?: Dataset } = {}) {
  const server = await startRedis({ config: opts.config });
  try {
    const ds = opts.dataset ?? new Dataset();
    const engine = new ReplayEngine(ds);
    engine.startFile('client');
    if (opts.sparseMaxBytes !== undefined) setHllSparseMaxBytes(engine.context, opts.sparseMaxBytes);
    const server_: unknown[] = [];
    const engine_: unknown[] = [];
    for (const c of cmds) {
      let sv: RespValue | RespError;
      try {
        sv = await server.client.call(...c);
      } catch (e) {
        if (!(e instanceof RespError)) throw e;
        sv = e;
      }
      let ev: Reply | CommandError;
      try {
        ev = engine.context.call(c.map(latin1));
      } catch (e) {
        if (!(e instanceof CommandError)) throw e;
        ev = e;
      }
      server_.push({ cmd: c.map((a) => latin1(a).slice(0, 30)), reply: fromServer(sv) });
      engine_.push({ cmd: c.map((a) => latin1(a).slice(0, 30)), reply: fromEngine(ev) });
    }
    const keys = (await server.client.call('KEYS', '*')) as Buffer[];
    const serverValues: Record<string, string | null> = {};
    const engineValues: Record<string, string | null> = {};
    for (const k of keys) {
      const key = k.toString('latin1');
      const v = await server.client.call('GET', k).catch(() => null);
      serverValues[key] = Buffer.isBuffer(v) ? v.toString('latin1') : null;
    }
    for (const key of ds.db(0).keys()) {
      const v = ds.db(0).get(key);
      engineValues[key] = typeof v === 'string' ? v : null;
    }
    return { server: server_, engine: engine_, serverValues, engineValues };
  } finally {
    await server.stop();
  }
}

/** Elements of binary bytes and of every length 0–20 (the hash's word and tail paths). */
const ODD_ELEMENTS: Cmd[number][] = [Buffer.from([0, 255, 128, 10, 13]), '', ...Array.from({ length: 20 }, (_, n) => 'x'.repeat(n + 1)), 'é€'];

/** A workload touching every path of the family that a real server logs. */
function workload(): Cmd[] {
  return [
    ['PFADD', 'empty'],
    ['PFADD', 'empty'], // nothing changes: not logged
    ['PFADD', 'small', 'a', 'b', 'c', ...ODD_ELEMENTS],
    ['PFADD', 'small', 'a'], // no register rises
    ['PFCOUNT', 'small'],
    ['PFCOUNT', 'small'], // cache valid now: not logged
    ...adds('grow', 'g', 600, 100),
    ['PFCOUNT', 'grow'],
    ...adds('grow', 'h', 2400, 100), // crosses 3000 bytes: dense
    ['PFCOUNT', 'grow'],
    ['PFADD', 'grow', ...els('i', 0, 50)],
    ...adds('mid', 'm', 900, 300),
    ...adds('mid2', 'n', 900, 300),
    ...adds('mid3', 'o', 900, 300),
    ['PFMERGE', 'u.sparse', 'small', 'mid'], // all sparse: sparse
    ['PFMERGE', 'u.promoted', 'mid', 'mid2', 'small'], // the union outgrows the sparse limit
    ['PFMERGE', 'u.dense', 'small', 'grow'], // a dense input: dense
    ['PFMERGE', 'mid3', 'grow'], // an existing sparse destination turned dense
    ['PFMERGE', 'u.none', 'absent1', 'absent2'],
    ['PFMERGE', 'small'],
    ['PFMERGE', 'u.sparse', 'small'], // destination already holds it all
    ['PFCOUNT', 'u.sparse'],
    ['PFCOUNT', 'u.promoted'],
    ['PFCOUNT', 'u.none'],
    ['PFCOUNT', 'u.dense', 'small', 'absent'], // several keys: nothing changes
    ['PFCOUNT', 'absent'],
    ['PFADD', 'todense', 'p', 'q'],
    ['PFDEBUG', 'TODENSE', 'todense'],
    ['PFDEBUG', 'TODENSE', 'todense'], // already dense: not logged
    ['PFMERGE', 'u.fromdense', 'small', 'todense'], // a small union, dense since an input is
    ['PFADD', 'getreg', 'r', 's'],
    ['PFCOUNT', 'getreg'],
    ['PFDEBUG', 'GETREG', 'getreg'], // turns it dense, the valid cache kept
    ['PFDEBUG', 'ENCODING', 'small'],
    ['PFDEBUG', 'DECODE', 'small'],
    ['SELECT', '3'],
    ['PFADD', 'small', 'a', 'b'],
    ['PFMERGE', 'copy', 'small'],
    ['PFCOUNT', 'copy'],
  ];
}

/** Encoding byte of a saved value. */
function encodingOf(ds: Dataset, key: string, db = 0): number {
  const v = ds.peekDb(db)?.get(key);
  if (typeof v !== 'string') throw new Error(`${key} is not a string`);
  return v.charCodeAt(4);
}

describe('HyperLogLog commands against a real Redis', () => {
  it('replays sparse and dense values, promotion, merges, cached counts and PFDEBUG byte for byte; a direct run agrees', async () => {
    const run = await runOracle(workload(), { direct: true });
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
    expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
    // The workload reached the forms it means to test.
    expect(encodingOf(run.saved, 'small')).toBe(1);
    expect(encodingOf(run.saved, 'grow')).toBe(0);
    expect(encodingOf(run.saved, 'u.sparse')).toBe(1);
    expect(encodingOf(run.saved, 'u.promoted')).toBe(0);
    expect(encodingOf(run.saved, 'u.dense')).toBe(0);
    expect(encodingOf(run.saved, 'mid3')).toBe(0);
    expect(encodingOf(run.saved, 'getreg')).toBe(0);
    expect(encodingOf(run.saved, 'todense')).toBe(0);
    expect(encodingOf(run.saved, 'u.fromdense')).toBe(0);
    const aof = Object.values(run.aofFiles).map((b) => b.toString('latin1')).join('');
    expect(aof).toContain('*2\r\n$7\r\nPFCOUNT\r\n$5\r\nsmall\r\n');
    expect(aof.split('PFCOUNT\r\n$5\r\nsmall\r\n').length - 1).toBe(1);
    expect(aof).not.toContain('*4\r\n$7\r\nPFCOUNT');
    expect(aof).toContain('PFDEBUG\r\n$7\r\nTODENSE');
    expect(aof).toContain('PFDEBUG\r\n$6\r\nGETREG');
    expect(aof).not.toContain('ENCODING');
  });

  it.each([
    { preamble: true, rewriteAfter: 40 },
    { preamble: false, rewriteAfter: 40 },
  ])('replays the same across an AOF rewrite (preamble $preamble)', async (opts) => {
    const run = await runOracle(workload(), opts);
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
  });

  it('replays HyperLogLogs set from crafted bytes: registers above 32, valid and stale caches, a key with a TTL', async () => {
    const high = denseHll({ 0: 63, 1: 51, 2: 52, 100: 33, 16383: 40 });
    const cached = sparseHll([0x7f, 0xff], 12345, false);
    const staleBig = denseHll({ 5: 7 }, 2 ** 40, true);
    const cmds: Cmd[] = [
      ['SET', 'high', high],
      ['PFCOUNT', 'high'],
      ['PFMERGE', 'fromhigh', 'high'],
      ['PFADD', 'sp', 'a', 'b'],
      ['PFMERGE', 'sp', 'high'], // a sparse destination, a dense source with registers above 32
      ['SET', 'cached', cached],
      ['PFCOUNT', 'cached'], // valid cache: 12345 returned, nothing logged
      ['SET', 'stalebig', staleBig],
      ['PFCOUNT', 'stalebig'],
      ['SET', 'ttl', sparseHll([0x7f, 0xff]), 'PXAT', String(Date.now() + 100_000_000)],
      ['PFADD', 'ttl', 'x', 'y'], // keeps the TTL
      ['PFMERGE', 'ttl', 'small0'],
      ['SET', 'plain', 'hello'],
      ['PFADD', 'plain', 'x'], // refused
      ['PFMERGE', 'plain', 'ttl'], // refused
    ];
    const run = await runOracle(cmds, { direct: true });
    expect(run.replies[6]).toBe(12345);
    expect(run.replies[13]).toBeInstanceOf(RespError);
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
    expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
    expect(run.saved.peekDb(0)?.expireAt('ttl')).not.toBeNull();
    expect(encodingOf(run.saved, 'sp')).toBe(0);
  });

  it('gives the server replies and values, refusals, damaged values and PFDEBUG included', async () => {
    const cut = sparseHll([0x7e, 0x7f]); // XZERO 16000: 384 registers missing
    const cmds: Cmd[] = [
      ['PFADD', 'h', ...els('e', 0, 200)],
      ...Array.from({ length: 30 }, (_, i): Cmd => ['PFADD', 'h', ...els(`f${i}`, 0, 60)]),
      ['PFCOUNT', 'h'],
      ['PFCOUNT', 'h'],
      ['PFCOUNT', 'h', 'absent'],
      ['PFADD', 's', 'a', 'b', 'c'],
      ['PFDEBUG', 'DECODE', 's'],
      ['PFDEBUG', 'ENCODING', 's'],
      ['PFDEBUG', 'decode', 'h'],
      ['PFDEBUG', 'GETREG', 's'],
      ['PFDEBUG', 'ENCODING', 's'],
      ['PFDEBUG', 'TODENSE', 's'],
      ['PFDEBUG', 'NOPE', 's'],
      ['PFDEBUG', 'GETREG', 'absent'],
      ['SET', 'str', 'hello'],
      ['PFADD', 'str', 'a'],
      ['PFCOUNT', 'str'],
      ['PFCOUNT', 'h', 'str'],
      ['PFMERGE', 'h', 'str'],
      ['PFDEBUG', 'ENCODING', 'str'],
      ['SET', 'short', 'HYLL'],
      ['PFADD', 'short', 'a'],
      ['SET', 'badenc', sparseHll([0x7f, 0xff]).fill(2, 4, 5)],
      ['PFADD', 'badenc', 'a'],
      ['SET', 'badlen', denseHll({}).subarray(0, 1000)],
      ['PFCOUNT', 'badlen'],
      ['SET', 'cut', cut],
      ['PFCOUNT', 'cut'],
      ['PFMERGE', 'm', 'cut'],
      ['PFCOUNT', 'h', 'cut'],
      ['PFDEBUG', 'TODENSE', 'cut'],
      // Elements falling in the covered registers change the value before one falls beyond.
      ['PFADD', 'cut', ...els('c', 0, 40)],
      ['PFDEBUG', 'DECODE', 'cut'],
    ];
    const r = await againstServer(cmds);
    expect(r.engine).toEqual(r.server);
    expect(r.engineValues).toEqual(r.serverValues);
    // The damaged value was partly changed by the refused PFADD, on both sides.
    expect(r.serverValues.cut).not.toBe(cut.toString('latin1'));
  });

  it('follows a server configured with another hll-sparse-max-bytes', async () => {
    // One element at a time, with the length after each: some value grows to exactly the limit.
    const single: Cmd[] = [];
    for (const key of ['s1', 's2', 's3', 's4', 's5', 's6']) {
      for (const e of els(key, 0, 120)) single.push(['PFADD', key, e], ['STRLEN', key]);
    }
    const cmds: Cmd[] = [
      ...single,
      ...adds('a', 'a', 400, 20),
      ...adds('b', 'b', 60, 20),
      ...adds('c', 'c', 60, 20),
      ['PFMERGE', 'u', 'b', 'c'],
      ['PFCOUNT', 'a'],
      ['PFCOUNT', 'u'],
    ];
    const r = await againstServer(cmds, { config: { 'hll-sparse-max-bytes': 200 }, sparseMaxBytes: 200 });
    expect(r.engine).toEqual(r.server);
    expect(r.engineValues).toEqual(r.serverValues);
    expect(r.serverValues.a?.charCodeAt(4)).toBe(0);
    expect(r.server.some((x) => (x as { reply: unknown }).reply === 200)).toBe(true);
  });

  it('counts like the server at many cardinalities (the estimator and its cache)', async () => {
    const cmds: Cmd[] = [];
    for (let i = 0; i < 60; i++) {
      cmds.push(['PFADD', 'k', ...els(`z${i}`, 0, 5 + i * i * 3)], ['PFCOUNT', 'k'], ['PFCOUNT', 'k', 'absent']);
    }
    const r = await againstServer(cmds);
    expect(r.engine).toEqual(r.server);
    expect(r.engineValues).toEqual(r.serverValues);
  });
});

describe('HyperLogLog refusals and the hash', () => {
  function engineWith(setup: (ds: Dataset) => void) {
    const ds = new Dataset();
    setup(ds);
    const e = new ReplayEngine(ds);
    e.startFile('test.aof');
    return { ds, e };
  }

  function codeOf(f: () => void): string | undefined {
    try {
      f();
    } catch (err) {
      if (err instanceof ReplayError) return err.code;
      throw err;
    }
    return undefined;
  }

  it('refuses wrong types, strings that are not HyperLogLogs, damaged ones, wrong arity and bad PFDEBUG arguments, changing nothing', () => {
    const { ds, e } = engineWith((ds) => {
      ds.db(0).set('list', new ListValue());
      ds.db(0).set('str', 'hello');
      ds.db(0).set('cut', sparseHll([0x7e, 0x7f]).toString('latin1'));
    });
    expect(codeOf(() => e.apply(['PFADD', 'list', 'a']))).toBe('REPLAY_WRONG_TYPE');
    expect(codeOf(() => e.apply(['PFADD', 'str', 'a']))).toBe('REPLAY_WRONG_TYPE');
    expect(codeOf(() => e.apply(['PFMERGE', 'new', 'str']))).toBe('REPLAY_WRONG_TYPE');
    expect(codeOf(() => e.apply(['PFCOUNT', 'cut']))).toBe('REPLAY_WRONG_TYPE');
    expect(codeOf(() => e.apply(['PFMERGE', 'new', 'cut']))).toBe('REPLAY_WRONG_TYPE');
    expect(codeOf(() => e.apply(['PFADD']))).toBe('REPLAY_ARITY');
    expect(codeOf(() => e.apply(['PFDEBUG', 'TODENSE']))).toBe('REPLAY_ARITY');
    expect(codeOf(() => e.apply(['PFDEBUG', 'TODENSE', 'absent']))).toBe('REPLAY_BAD_ARGUMENT');
    e.apply(['PFADD', 'ok', 'a']);
    expect(codeOf(() => e.apply(['PFDEBUG', 'NOPE', 'ok']))).toBe('REPLAY_BAD_ARGUMENT');
    expect(ds.db(0).has('new')).toBe(false);
    expect(ds.db(0).get('str')).toBe('hello');
    let message = '';
    try {
      e.apply(['PFADD', 'str', 'a']);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('WRONGTYPE Key is not a valid HyperLogLog string value.');
  });

  it('MurmurHash64A and the register pattern agree with a BigInt reference', () => {
    const M = 0xc6a4a7935bd1e995n;
    const MASK = (1n << 64n) - 1n;
    const ref = (s: string): bigint => {
      let h = (0xadc83b19n ^ (BigInt(s.length) * M)) & MASK;
      const whole = s.length - (s.length & 7);
      for (let i = 0; i < whole; i += 8) {
        let k = 0n;
        for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(s.charCodeAt(i + j));
        k = (k * M) & MASK;
        k ^= k >> 47n;
        k = (k * M) & MASK;
        h = ((h ^ k) * M) & MASK;
      }
      if (s.length & 7) {
        for (let j = (s.length & 7) - 1; j >= 0; j--) h ^= BigInt(s.charCodeAt(whole + j)) << BigInt(8 * j);
        h = (h * M) & MASK;
      }
      h ^= h >> 47n;
      h = (h * M) & MASK;
      return h ^ (h >> 47n);
    };
    let seed = 7;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let n = 0; n < 3000; n++) {
      let s = '';
      for (let j = n % 37; j > 0; j--) s += String.fromCharCode(Math.floor(rnd() * 256));
      const h = ref(s);
      expect(murmurHash64A(s)).toBe(h);
      const rest = (h >> 14n) | (1n << 50n);
      let count = 1;
      while (((rest >> BigInt(count - 1)) & 1n) === 0n) count++;
      expect(patternOf(s)).toBe(count * 16384 + Number(h & 16383n));
    }
  });
});
