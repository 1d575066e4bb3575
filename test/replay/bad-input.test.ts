/**
 * Bad input in a file being replayed. A command Redis would refuse (wrong arity, wrong type,
 * unknown name, a bad argument, a RESTORE whose payload fails its CRC, a script that cannot
 * be compiled, found or followed) stops the replay with a typed ReplayError naming the file,
 * the offset of the command's `*` and its physical line — the same under every chunking, also
 * in the incr file of a set and after an RDB preamble — with the dataset of the commands
 * before it; with `skipUnknown` each is a counted warning (stats.skipped, skippedSamples) and
 * the replay goes on. A Redis 7.0 starting on such a file drops the error replies of its
 * loading client and goes on too: the replay with `skipUnknown` holds what it holds. Damaged
 * RESP (cut anywhere, or garbled) stops the replay with the decoder's typed error and the
 * dataset of the complete commands before it (an open MULTI block discarded), which is what
 * Redis 7.0 loads from a cut file with `aof-load-truncated yes`.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Dataset } from '../../src/dataset/dataset.js';
import { RdbtoolError } from '../../src/errors.js';
import type { ByteSource } from '../../src/io/source.js';
import { ReplayError } from '../../src/replay/errors.js';
import { replaySource, type ReplayInputOptions, type ReplayResult } from '../../src/replay/replay-input.js';
import { byteByByte, randomSplits, whole, type Splitter } from '../helpers/collect.js';
import { FIXTURES } from '../helpers/files.js';
import { requireRedisServer } from '../helpers/redis.js';
import { datasetDiff } from '../helpers/replay-oracle.js';
import { signPayload } from './dump-source.js';
import { lineAt, loadInServer, replayFiles, resp } from './server-load.js';

/** A DUMP payload of the string "hello" (RDB version 10), and the same with its CRC broken. */
const GOOD_PAYLOAD = signPayload(Buffer.from([0, 5, ...Buffer.from('hello')]), 10);
const BAD_PAYLOAD = Buffer.from(GOOD_PAYLOAD);
BAD_PAYLOAD[BAD_PAYLOAD.length - 1] ^= 1;

/** A source whose chunks are the pieces `split` cuts. */
function source(bytes: Uint8Array, name: string, split: Splitter = whole): ByteSource {
  return {
    name,
    size: bytes.length,
    path: undefined,
    async *chunks() {
      yield* split(bytes);
    },
  };
}

/** Replays, expecting a ReplayError; returns it and the dataset filled up to it. */
async function refused(bytes: Uint8Array, name: string, split: Splitter = whole, opts: ReplayInputOptions = {}): Promise<{ err: ReplayError; dataset: Dataset }> {
  const dataset = new Dataset();
  let err: unknown = null;
  try {
    await replaySource(source(bytes, name, split), { ...opts, dataset });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ReplayError);
  expect(err).toBeInstanceOf(RdbtoolError);
  return { err: err as ReplayError, dataset };
}

const keysOf = (ds: Dataset, db = 0) => [...(ds.peekDb(db)?.keys() ?? [])].sort();

interface Case {
  name: string;
  /** Commands before the refused one (after `SELECT 0` and `SET before 1`). */
  setup: Buffer[];
  refused: Buffer;
  code: string;
  /** Text the reply carries (Redis's own words). */
  reply: RegExp;
}

const CASES: Case[] = [
  { name: 'wrong arity', setup: [], refused: resp('SET', 'k'), code: 'REPLAY_ARITY', reply: /^ERR wrong number of arguments for 'set' command$/ },
  { name: 'wrong type', setup: [resp('SET', 'k', 'v')], refused: resp('LPUSH', 'k', 'x'), code: 'REPLAY_WRONG_TYPE', reply: /^WRONGTYPE Operation against a key holding the wrong kind of value$/ },
  { name: 'unknown command', setup: [], refused: resp('FOOBAR', 'x'), code: 'REPLAY_UNKNOWN_COMMAND', reply: /^ERR unknown command 'FOOBAR'$/ },
  { name: 'bad argument', setup: [], refused: resp('SET', 'k', 'v', 'EX', 'soon'), code: 'REPLAY_BAD_ARGUMENT', reply: /^ERR value is not an integer or out of range$/ },
  { name: 'RESTORE with a bad CRC', setup: [], refused: resp('RESTORE', 'r', '0', BAD_PAYLOAD), code: 'REPLAY_BAD_PAYLOAD', reply: /^ERR DUMP payload version or checksum are wrong/ },
  { name: 'a script that does not compile', setup: [], refused: resp('EVAL', 'return 1 +', '0'), code: 'REPLAY_SCRIPT_ERROR', reply: /^ERR Error compiling script/ },
  { name: 'EVALSHA of a script never loaded', setup: [], refused: resp('EVALSHA', 'a'.repeat(40), '0'), code: 'REPLAY_SCRIPT_ERROR', reply: /^NOSCRIPT No matching script/ },
  {
    name: 'a script calling a command the replay cannot follow',
    setup: [],
    refused: resp('EVAL', "redis.call('SET', 'from-script', '1') return redis.call('NO.SUCH')", '0'),
    code: 'REPLAY_SCRIPT_ERROR',
    reply: /NO\.SUCH/,
  },
];

/** `SELECT 0`, `SET before 1`, the case's setup, the refused command, `SET after 1`; and where the refused command starts. */
function fileOf(c: Case): { bytes: Buffer; at: number } {
  const head = Buffer.concat([resp('SELECT', '0'), resp('SET', 'before', '1'), ...c.setup]);
  return { bytes: Buffer.concat([head, c.refused, resp('SET', 'after', '1')]), at: head.length };
}

describe('a refused command stops the replay, located', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.code} at the command's offset and line, under every chunking; skipUnknown counts it and goes on`, async () => {
      const { bytes, at } = fileOf(c);
      for (const split of [whole, byteByByte, randomSplits(3, 7)]) {
        const { err, dataset } = await refused(bytes, 'bad.aof', split);
        expect(err.code).toBe(c.code);
        expect(err.file).toBe('bad.aof');
        expect(err.offset).toBe(at);
        expect(err.line).toBe(lineAt(bytes, at));
        expect(err.command).toBe(c.refused.toString('latin1').split('\r\n')[2]);
        expect(err.context?.doing).toBe('replay-command');
        expect(err.reason).toMatch(new RegExp(c.reply.source.replace(/^\^/, '').replace(/\$$/, '')));
        // The commands before it were applied, nothing after it.
        expect(keysOf(dataset)).toContain('before');
        expect(keysOf(dataset)).not.toContain('after');
      }
      const r = await replaySource(source(bytes, 'bad.aof', byteByByte), { skipUnknown: true });
      expect(r.error).toBeNull();
      expect(r.replay.skipped).toEqual({ [c.code]: 1 });
      expect(r.replay.skippedSamples).toHaveLength(1);
      const s = r.replay.skippedSamples[0];
      expect({ ...s, reply: undefined }).toEqual({ file: 'bad.aof', offset: at, line: lineAt(bytes, at), code: c.code, command: err0(c), reply: undefined });
      expect(s.reply).toMatch(c.reply);
      expect(keysOf(r.dataset)).toContain('after');
      expect(keysOf(r.dataset)).not.toContain('r');
    });
  }

  it('inside MULTI … EXEC: located at the queued command; skipped, the rest of the block runs', async () => {
    const head = Buffer.concat([resp('SELECT', '2'), resp('SET', 'k', 'v'), resp('MULTI'), resp('SET', 'in1', '1')]);
    const bad = resp('INCR', 'k');
    const bytes = Buffer.concat([head, bad, resp('SET', 'in2', '1'), resp('EXEC'), resp('SET', 'after', '1')]);
    const { err, dataset } = await refused(bytes, 'multi.aof');
    expect([err.code, err.offset, err.line, err.context?.db]).toEqual(['REPLAY_BAD_ARGUMENT', head.length, lineAt(bytes, head.length), 2]);
    // EXEC runs the block in order: the command before the refused one is applied.
    expect(keysOf(dataset, 2)).toEqual(['in1', 'k']);
    const r = await replaySource(source(bytes, 'multi.aof'), { skipUnknown: true });
    expect(keysOf(r.dataset, 2)).toEqual(['after', 'in1', 'in2', 'k']);
    expect(r.replay.transactions).toBe(1);
    expect(r.replay.skippedSamples.map((s) => [s.command, s.offset])).toEqual([['INCR', head.length]]);
  });

  it('skipUnknown counts every refusal, keeping the first maxSkippedSamples', async () => {
    const bytes = Buffer.concat([resp('SET', 'k', 'v'), ...Array.from({ length: 7 }, (_, i) => resp('LPUSH', 'k', String(i))), resp('NOPE'), resp('SET', 'after', '1')]);
    const r = await replaySource(source(bytes, 'many.aof'), { skipUnknown: true, maxSkippedSamples: 3 });
    expect(r.replay.skipped).toEqual({ REPLAY_WRONG_TYPE: 7, REPLAY_UNKNOWN_COMMAND: 1 });
    expect(r.replay.skippedSamples.map((s) => s.command)).toEqual(['LPUSH', 'LPUSH', 'LPUSH']);
    expect(r.replay.applied).toBe(2);
  });

  it('in the incr file of a multi-part set: that file named, offsets within it', async () => {
    const incr = Buffer.concat([resp('SET', 'x', '1'), resp('HSET', 'x', 'f', 'v')]);
    const files = {
      'appendonly.aof.1.base.aof': Buffer.concat([resp('SELECT', '0'), resp('SET', 'base', '1')]),
      'appendonly.aof.1.incr.aof': incr,
      'appendonly.aof.manifest': 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n',
    };
    let err: unknown = null;
    try {
      await replayFiles(files);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReplayError);
    const at = resp('SET', 'x', '1').length;
    expect([(err as ReplayError).code, path.basename((err as ReplayError).file!), (err as ReplayError).offset, (err as ReplayError).line]).toEqual([
      'REPLAY_WRONG_TYPE',
      'appendonly.aof.1.incr.aof',
      at,
      lineAt(incr, at),
    ]);
  });

  it('after an RDB preamble: the offset counts from the file start, the line from the RESP part', async () => {
    const preamble = readFileSync(path.join(FIXTURES, 'aof', 'rdb-multipart', 'appendonlydir', 'appendonly.aof.2.base.rdb'));
    const tail = Buffer.concat([resp('SELECT', '0'), resp('SADD', 'str:plain', 'x')]); // str:plain is a string in the preamble
    const bytes = Buffer.concat([preamble, tail]);
    for (const split of [whole, randomSplits(8, 50)]) {
      const { err, dataset } = await refused(bytes, 'hybrid.aof', split);
      expect([err.code, err.offset, err.line]).toEqual(['REPLAY_WRONG_TYPE', preamble.length + 23, lineAt(tail, 23)]);
      expect(dataset.db(0).get('str:plain')).toBe('hello world');
    }
  });
});

describe('Redis 7.0 goes on past what it refuses while loading', () => {
  it('wrong type, bad arguments, a bad RESTORE payload, scripts that fail before running: skipUnknown holds what the server holds', async () => {
    requireRedisServer();
    const bytes = Buffer.concat([
      resp('SELECT', '0'),
      resp('SET', 'k', 'v'),
      resp('LPUSH', 'k', 'x'),
      resp('SET', 'k2', 'v', 'EX', 'soon'),
      resp('RESTORE', 'r', '0', BAD_PAYLOAD),
      resp('RESTORE', 'r2', '0', GOOD_PAYLOAD),
      resp('EVAL', 'return 1 +', '0'),
      resp('EVALSHA', 'a'.repeat(40), '0'),
      resp('MULTI'),
      resp('SET', 'm1', '1'),
      resp('HSET', 'k', 'f', 'v'),
      resp('SET', 'm2', '2'),
      resp('EXEC'),
      resp('SELECT', '1'),
      resp('INCR', 'k3'),
      resp('INCRBY', 'k3', 'x'),
    ]);
    const server = await loadInServer(bytes);
    if (!server.loaded) throw new Error(`Redis refused the file:\n${server.log}`);
    const r = await replaySource(source(bytes, 'appendonly.aof'), { skipUnknown: true });
    expect(r.replay.skipped).toEqual({ REPLAY_WRONG_TYPE: 2, REPLAY_BAD_ARGUMENT: 2, REPLAY_BAD_PAYLOAD: 1, REPLAY_SCRIPT_ERROR: 2 });
    expect(datasetDiff(server.dataset, r.dataset)).toEqual([]);
    expect(keysOf(r.dataset)).toEqual(['k', 'm1', 'm2', 'r2']);
    expect(r.dataset.db(1).get('k3')).toBe('1');
  });

  it('an unknown command: Redis 7.0 refuses the file, the replay stops there too', async () => {
    requireRedisServer();
    const bytes = Buffer.concat([resp('SET', 'a', '1'), resp('FOOBAR', 'x'), resp('SET', 'b', '1')]);
    const server = await loadInServer(bytes);
    expect(server.loaded).toBe(false);
    expect(server.log).toMatch(/Unknown command 'FOOBAR' reading the append only file/);
    const { err } = await refused(bytes, 'appendonly.aof');
    expect(err.code).toBe('REPLAY_UNKNOWN_COMMAND');
  });

  const OUT_OF_ORDER = () => {
    const head = Buffer.concat([resp('SELECT', '0'), resp('SET', 'before', '1')]);
    const exec = resp('EXEC');
    const tail = Buffer.concat([resp('SET', 'mid', '1'), resp('MULTI'), resp('SET', 'in1', '1'), resp('MULTI'), resp('SET', 'in2', '1'), resp('EXEC'), resp('SET', 'after', '1')]);
    return { bytes: Buffer.concat([head, exec, tail]), at: head.length };
  };

  it('an EXEC without MULTI and a MULTI inside MULTI: Redis 7.0 loads past both, ignoring them', async () => {
    requireRedisServer();
    const { bytes } = OUT_OF_ORDER();
    const server = await loadInServer(bytes);
    if (!server.loaded) throw new Error(`Redis refused the file:\n${server.log}`);
    expect(keysOf(server.dataset)).toEqual(['after', 'before', 'in1', 'in2', 'mid']);
  });

  // The decoder passes both to the replay (a check would call them damage, as redis-check-aof does).
  it('…and the replay refuses them as REPLAY_UNBALANCED_MULTI, or with skipUnknown counts them and goes on', async () => {
    const { bytes, at } = OUT_OF_ORDER();
    const { err } = await refused(bytes, 'appendonly.aof');
    expect([err.code, err.offset]).toEqual(['REPLAY_UNBALANCED_MULTI', at]);
    const r = await replaySource(source(bytes, 'appendonly.aof'), { skipUnknown: true });
    expect(r.error).toBeNull();
    expect(r.replay.skipped).toEqual({ REPLAY_UNBALANCED_MULTI: 2 });
    expect(keysOf(r.dataset)).toEqual(['after', 'before', 'in1', 'in2', 'mid']);
  });
});

describe('damaged RESP: the replay stops with the decoder’s error and the dataset up to there', () => {
  const COMMANDS = [
    resp('SELECT', '0'),
    resp('SET', 'a', '1'),
    resp('RPUSH', 'l', 'x', 'y'),
    resp('MULTI'),
    resp('SET', 'm', '1'),
    resp('INCR', 'n'),
    resp('EXEC'),
    resp('SET', 'b', Buffer.from([0, 13, 10, 255])),
  ];
  const BYTES = Buffer.concat(COMMANDS);
  /** Where each command starts and ends, and whether a MULTI is open after it. */
  const UNITS = (() => {
    const out: { start: number; end: number; openAfter: boolean }[] = [];
    let pos = 0;
    let open = false;
    for (const c of COMMANDS) {
      const name = c.toString('latin1').split('\r\n')[2];
      if (name === 'MULTI') open = true;
      if (name === 'EXEC') open = false;
      out.push({ start: pos, end: pos + c.length, openAfter: open });
      pos += c.length;
    }
    return out;
  })();

  /** The end of the last complete command outside a MULTI block at or before `n`: what a loading server keeps. */
  function kept(n: number): number {
    let best = 0;
    for (const u of UNITS) if (u.end <= n && !u.openAfter) best = u.end;
    return best;
  }

  it('cut at every byte: TRUNCATED unless the cut falls between commands outside a block; the dataset of the complete commands', async () => {
    const clean = new Map<number, ReplayResult>();
    for (const u of UNITS) if (!u.openAfter) clean.set(u.end, await replaySource(source(BYTES.subarray(0, u.end), 'cut.aof')));
    clean.set(0, await replaySource(source(new Uint8Array(0), 'cut.aof')));
    for (let n = 1; n < BYTES.length; n++) {
      const cut = BYTES.subarray(0, n);
      for (const skipUnknown of [false, true]) {
        const r = await replaySource(source(cut, 'cut.aof', n % 2 ? whole : byteByByte), { skipUnknown });
        const boundary = UNITS.find((u) => u.end === n);
        const ref = clean.get(kept(n))!;
        expect(datasetDiff(ref.dataset, r.dataset), `cut at ${n}`).toEqual([]);
        if (boundary && !boundary.openAfter) {
          expect(r.error, `cut at ${n}`).toBeNull();
          continue;
        }
        expect(r.error?.code, `cut at ${n}`).toBe('TRUNCATED');
        expect(r.error?.file).toBe('cut.aof');
        expect(r.problem?.offset, `cut at ${n}`).toBe(n);
        // Located at the unit left unfinished: the cut command, or the MULTI of the open block.
        const inside = UNITS.find((u) => u.start < n && n < u.end);
        const multi = UNITS[3].start;
        expect(r.error?.offset, `cut at ${n}`).toBe(inside ? inside.start : multi);
        // A block whose MULTI was read is discarded at the end of the file.
        expect(r.replay.discardedBlocks, `cut at ${n}`).toBe(n >= UNITS[3].end && n < UNITS[6].end ? 1 : 0);
      }
    }
  });

  it('a cut file loads in Redis 7.0 (aof-load-truncated yes) to what the replay holds', async () => {
    requireRedisServer();
    // Inside an argument, inside the block after a complete command, inside the last value.
    for (const n of [UNITS[2].start + 12, UNITS[4].end + 3, BYTES.length - 3]) {
      const cut = BYTES.subarray(0, n);
      const server = await loadInServer(cut);
      if (!server.loaded) throw new Error(`Redis refused the file cut at ${n}:\n${server.log}`);
      expect(server.log).toMatch(/AOF .* loaded anyway because aof-load-truncated is enabled/);
      const r = await replaySource(source(cut, 'appendonly.aof'));
      expect(r.error?.code).toBe('TRUNCATED');
      expect(datasetDiff(server.dataset, r.dataset), `cut at ${n}`).toEqual([]);
    }
  });

  it('garbled: RESP_SYNTAX at the bad byte, with its line; the commands before it applied, skipUnknown or not', async () => {
    const second = UNITS[2].start; // RPUSH
    const cases: [string, (b: Buffer) => void, number][] = [
      ["a command not starting with '*'", (b) => (b[second] = 0x78), second],
      ['an argument not ended by CRLF', (b) => (b[second + 4 + 4 + 5 + 2] = 0x41), second + 4 + 4 + 5 + 2],
      ['a length that is not a number', (b) => (b[second + 5] = 0x7a), second + 5],
    ];
    for (const [what, damage, at] of cases) {
      const bytes = Buffer.from(BYTES);
      damage(bytes);
      for (const skipUnknown of [false, true]) {
        const r = await replaySource(source(bytes, 'garbled.aof', randomSplits(at, 5)), { skipUnknown });
        expect(r.error?.code, what).toBe('RESP_SYNTAX');
        expect(r.error?.file, what).toBe('garbled.aof');
        expect(r.problem?.offset, what).toBe(at);
        expect(r.problem?.line, what).toBe(lineAt(bytes, at));
        expect(keysOf(r.dataset), what).toEqual(['a']);
      }
    }
  });

  it('a command not starting with * makes Redis 7.0 refuse the file', async () => {
    requireRedisServer();
    const bytes = Buffer.from(BYTES);
    bytes[UNITS[2].start] = 0x78;
    const server = await loadInServer(bytes);
    expect(server.loaded).toBe(false);
    expect(server.log).toMatch(/Bad file format reading the append only file/);
  });

  it('a cut in the incr file of a set: the base and the complete commands of the incr; Redis 7.0 loads the same', async () => {
    const base = Buffer.concat([resp('SELECT', '0'), resp('SET', 'base', '1'), resp('RPUSH', 'bl', 'a')]);
    const incr = Buffer.concat([resp('SET', 'i1', '1'), resp('MULTI'), resp('SET', 'i2', '2'), resp('EXEC'), resp('SET', 'i3', '3')]);
    const files = {
      'appendonly.aof.1.base.aof': base,
      'appendonly.aof.1.incr.aof': incr.subarray(0, incr.length - 4),
      'appendonly.aof.manifest': 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n',
    };
    const r = await replayFiles(files);
    expect(r.error?.code).toBe('TRUNCATED');
    expect(path.basename(r.problem!.file)).toBe('appendonly.aof.1.incr.aof');
    expect(keysOf(r.dataset)).toEqual(['base', 'bl', 'i1', 'i2']);
    requireRedisServer();
    const server = await loadInServer(files);
    if (!server.loaded) throw new Error(`Redis refused the set:\n${server.log}`);
    expect(datasetDiff(server.dataset, r.dataset)).toEqual([]);
  });

  it('a cut base followed by an incr file: the replay stops in the base, as Redis 7.0 refuses the set', async () => {
    const base = Buffer.concat([resp('SELECT', '0'), resp('SET', 'base', '1'), resp('RPUSH', 'bl', 'a')]);
    const files = {
      'appendonly.aof.1.base.aof': base.subarray(0, base.length - 2),
      'appendonly.aof.1.incr.aof': resp('SET', 'i1', '1'),
      'appendonly.aof.manifest': 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n',
    };
    const r = await replayFiles(files);
    expect(r.error?.code).toBe('TRUNCATED');
    expect(path.basename(r.problem!.file)).toBe('appendonly.aof.1.base.aof');
    expect(keysOf(r.dataset)).toEqual(['base']);
    requireRedisServer();
    const server = await loadInServer(files);
    expect(server.loaded).toBe(false);
  });

  it('a hybrid file cut inside its RDB preamble: the RDB decoder’s typed error', async () => {
    const hybrid = readFileSync(path.join(FIXTURES, 'aof', 'hybrid.aof'));
    const r = await replaySource(source(hybrid.subarray(0, 400), 'hybrid.aof'));
    expect(r.error).toBeInstanceOf(RdbtoolError);
    expect(r.error?.code).toBe('TRUNCATED');
    expect(r.replay.applied).toBe(0);
  });
});

/** The name of a case's refused command. */
function err0(c: Case): string {
  return c.refused.toString('latin1').split('\r\n')[2];
}
