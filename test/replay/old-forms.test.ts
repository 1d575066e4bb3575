/**
 * The forms older servers wrote into an AOF (FORMATS.md §6.2 "Older versions", §6.1's
 * rewrite of 2.4 and older), in hand-written files, replayed: each must hold what a Redis 7.0
 * holds after starting on the same file (its SAVE, read back; 7.0 upgrades a single
 * `appendonly.aof` into a multi-part set, and loads a hand-written manifest as it is).
 *
 * Not repeated here (test/replay/strings.test.ts and scripting.test.ts have them): SET +
 * PEXPIREAT, verbatim SET … EX, SETEX, PSETEX, GETEX, GETSET, INCRBYFLOAT and bit commands;
 * 4.0-style scripts with SCRIPT LOAD/FLUSH and EVALSHA inside MULTI. Here: a 2.4 file (the
 * rewrite's one command per element, EXPIREAT in seconds, the list/set/sorted-set/hash/key
 * commands then logged verbatim, blocking pops served at once, SORT … STORE); every SPOP
 * form; scripts cached in one file of a multi-part set and called in the next, and a script's
 * relative expiry; a 6.x single file with an RDB preamble followed by older forms.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Dataset } from '../../src/dataset/dataset.js';
import { bytesSource } from '../../src/io/source.js';
import { ListValue } from '../../src/dataset/list.js';
import { SetValue } from '../../src/dataset/set.js';
import type { StreamValue } from '../../src/dataset/stream.js';
import { streamIdText } from '../../src/dataset/stream-id.js';
import { replaySource, type ReplayResult } from '../../src/replay/replay-input.js';
import { requireRedisServer } from '../helpers/redis.js';
import { FIXTURES } from '../helpers/files.js';
import { datasetDiff } from '../helpers/replay-oracle.js';
import { rng } from '../helpers/bytes.js';
import { looseDiff } from './replies.js';
import { loadInServer, replayFiles, resp, type AofFiles } from './server-load.js';

const sha1 = (s: string) => createHash('sha1').update(s, 'latin1').digest('hex');
/** 2100-01-01 in seconds and in ms: far enough ahead that nothing expires during a run. */
const FUTURE_S = 4102444800;
const FUTURE_MS = FUTURE_S * 1000 + 123;
/** 2001: a time already past. */
const PAST_S = 1000000000;
/** 2023, in ms. */
const PAST_MS = 1_700_000_000_000;

/** The server's dataset after loading `files` (the test fails with its log when it refuses them). */
async function serverHolds(files: AofFiles, sha1s: string[] = []): Promise<{ dataset: Dataset; scripts?: boolean[] }> {
  requireRedisServer();
  const r = await loadInServer(files, { sha1s });
  if (!r.loaded) throw new Error(`Redis refused the file:\n${r.log.slice(-3000)}`);
  expect(r.version).toMatch(/^7\.0\./);
  return r;
}

/** Replays a single file as its bytes. */
const replay = (bytes: Uint8Array, name = 'appendonly.aof'): Promise<ReplayResult> => replaySource(bytesSource(bytes, name));

function expectClean(r: ReplayResult): void {
  expect(r.error).toBeNull();
  expect(r.replay.skipped).toEqual({});
  expect(r.replay.discardedBlocks).toBe(0);
}

describe('a Redis 2.4 AOF', () => {
  // The rewrite of 2.4 and older: one command per element, EXPIREAT in seconds after a key with a TTL.
  const REWRITTEN = [
    resp('SELECT', '0'),
    resp('RPUSH', 'l', 'a'),
    resp('RPUSH', 'l', 'b'),
    resp('RPUSH', 'l', 'c'),
    resp('SADD', 's', 'x'),
    resp('SADD', 's', 'y'),
    resp('SADD', 's', 'z'),
    resp('SADD', 'nums', '10'),
    resp('SADD', 'nums', '9'),
    resp('SADD', 'nums', '100'),
    resp('ZADD', 'z', '1', 'a'),
    resp('ZADD', 'z', '2.5', 'b'),
    resp('ZADD', 'z', '-inf', 'lo'),
    resp('ZADD', 'z', '0.10000000000000001', 'tenth'),
    resp('ZADD', 'z2', '7', 'a'),
    resp('ZADD', 'z2', '3', 'c'),
    resp('HSET', 'h', 'f1', 'v1'),
    resp('HSET', 'h', 'f2', 'v2'),
    resp('SET', 'ttl', 'v'),
    resp('EXPIREAT', 'ttl', String(FUTURE_S)),
    resp('SET', 'gone', 'v'),
    resp('EXPIREAT', 'gone', String(PAST_S)),
    resp('SET', 'c', '5'),
  ];
  // Live commands of 2.4, logged as the client sent them (SETEX and EXPIRE as SET/EXPIREAT).
  const VERBATIM = [
    resp('LPUSH', 'l', 'z'),
    resp('RPOPLPUSH', 'l', 'l2'),
    resp('LINSERT', 'l', 'BEFORE', 'b', 'ins'),
    resp('LINSERT', 'l', 'AFTER', 'nosuch', 'x'),
    resp('LSET', 'l', '0', 'first'),
    resp('RPUSHX', 'l', 'tail'),
    resp('LPUSHX', 'nolist', 'x'),
    resp('LREM', 'l', '0', 'ins'),
    resp('LTRIM', 'l', '0', '3'),
    resp('SMOVE', 's', 's2', 'x'),
    resp('SADD', 's2', 'y'),
    resp('SINTERSTORE', 'si', 's', 's2'),
    resp('SUNIONSTORE', 'su', 's', 's2'),
    resp('SDIFFSTORE', 'sd', 's', 's2'),
    resp('ZINCRBY', 'z', '3', 'a'),
    resp('ZREM', 'z', 'lo'),
    resp('ZUNIONSTORE', 'zu', '2', 'z', 'z2', 'WEIGHTS', '1', '2', 'AGGREGATE', 'MAX'),
    resp('ZINTERSTORE', 'zi', '2', 'z', 'zu', 'AGGREGATE', 'SUM'),
    resp('ZREMRANGEBYSCORE', 'zu', '-inf', '(2'),
    resp('ZREMRANGEBYRANK', 'zi', '0', '0'),
    resp('HSETNX', 'h', 'f1', 'not set'),
    resp('HSETNX', 'h', 'f3', 'v3'),
    resp('HMSET', 'h', 'f4', 'v4', 'f5', 'v5'),
    resp('HINCRBY', 'h', 'n', '5'),
    resp('HDEL', 'h', 'f2'),
    resp('SETNX', 'nx', 'a'),
    resp('SETNX', 'nx', 'b'),
    resp('DECRBY', 'c', '3'),
    resp('INCRBY', 'c', '10'),
    resp('DECR', 'c'),
    resp('SET', 'd1', '1'),
    resp('SET', 'd2', '2'),
    resp('DEL', 'd1', 'd2', 'nosuch'),
    resp('RENAME', 'nx', 'nx2'),
    resp('RENAMENX', 'nx2', 'c'),
    resp('SET', 'p', 'v'),
    resp('EXPIREAT', 'p', String(FUTURE_S)),
    resp('PERSIST', 'p'),
    resp('MOVE', 'nx2', '1'),
    resp('SORT', 'l', 'ALPHA', 'STORE', 'sorted'),
    resp('SORT', 'nums', 'DESC', 'LIMIT', '0', '2', 'STORE', 'sortednum'),
    // A blocking pop served at once was logged as sent (2.6 and later log LPOP/RPOPLPUSH).
    resp('BLPOP', 'nolist', 'l2', '0'),
    resp('RPUSH', 'bl', 'p', 'q'),
    resp('BRPOP', 'bl', '5'),
    resp('BRPOPLPUSH', 'bl', 'bl2', '0'),
    // SPOP was logged verbatim before 2.6; a set of one member pops the same member every time.
    resp('SADD', 'one', 'only'),
    resp('SPOP', 'one'),
    resp('SELECT', '2'),
    resp('SET', 'x', 'y'),
    resp('FLUSHDB'),
    resp('SET', 'in2', 'after flush'),
    resp('SELECT', '0'),
  ];

  it('replays as Redis 7.0 loads it', async () => {
    const aof = Buffer.concat([...REWRITTEN, ...VERBATIM]);
    const r = await replay(aof);
    expectClean(r);
    const server = await serverHolds(aof);
    // Nothing expires while loading: the replay keeps the key whose time has passed; the
    // server may drop it before its SAVE. Compared as of now on both sides.
    expect(r.dataset.db(0).expireAt('gone')).toBe(PAST_S * 1000);
    const now = Date.now();
    r.dataset.dropExpired(now);
    server.dataset.dropExpired(now);
    expect(datasetDiff(server.dataset, r.dataset)).toEqual([]);
    // A few values by name, so that a diff above cannot pass on two empty datasets.
    const db0 = r.dataset.db(0);
    expect((db0.get('l') as ListValue).toArray()).toEqual(['first', 'a', 'b', 'tail']);
    expect((db0.get('sorted') as ListValue).toArray()).toEqual(['a', 'b', 'first', 'tail']);
    expect((db0.get('sortednum') as ListValue).toArray()).toEqual(['100', '10']);
    expect(db0.get('c')).toBe('11');
    expect(db0.expireAt('ttl')).toBe(FUTURE_S * 1000);
    expect(db0.expireAt('p')).toBeNull();
    expect(db0.get('one')).toBeUndefined();
    expect(r.dataset.db(1).get('nx2')).toBe('a');
    expect([...r.dataset.db(2).keys()]).toEqual(['in2']);
  });
});

describe('SPOP as each version logged it', () => {
  it('SREM per member (≤ 3.0, 3.2–6.2 with a count, 7.0 in MULTI), SREM of many members (7.2+), DEL for a whole set, and verbatim pops whose result is fixed', async () => {
    const aof = Buffer.concat([
      resp('SADD', 'sp', 'a', 'b', 'c', 'd', 'e', 'f'),
      // SPOP sp (every version since 2.6).
      resp('SREM', 'sp', 'a'),
      // SPOP sp 2 on 3.2–6.2: one SREM per member.
      resp('SREM', 'sp', 'b'),
      resp('SREM', 'sp', 'c'),
      // SPOP sp2 5 taking the whole set: DEL.
      resp('SADD', 'sp2', 'x', 'y'),
      resp('DEL', 'sp2'),
      // SPOP sp 2 on 7.0: one SREM per member, in MULTI when there are several.
      resp('MULTI'),
      resp('SREM', 'sp', 'd'),
      resp('SREM', 'sp', 'e'),
      resp('EXEC'),
      // SPOP sp3 3 on 7.2 and later: SREM of up to 1024 members at once.
      resp('SADD', 'sp3', 'k', 'l', 'm', 'n'),
      resp('SREM', 'sp3', 'k', 'l', 'm'),
      // Verbatim (before 2.6, or hand-made): only forms whose result does not depend on chance.
      resp('SADD', 'v1', 'only'),
      resp('SPOP', 'v1'),
      resp('SADD', 'v2', '1', '2', '3'),
      resp('SPOP', 'v2', '3'),
      resp('SADD', 'v3', 'p', 'q'),
      resp('SPOP', 'v3', '10'),
      resp('SADD', 'v4', 'kept', 'too'),
      resp('SPOP', 'v4', '0'),
      resp('SPOP', 'nosuch'),
      resp('SPOP', 'nosuch', '2'),
    ]);
    const r = await replay(aof);
    expectClean(r);
    const server = await serverHolds(aof);
    expect(datasetDiff(server.dataset, r.dataset)).toEqual([]);
    expect([...(r.dataset.db(0).get('sp') as SetValue)]).toEqual(['f']);
    expect([...r.dataset.db(0).keys()].sort()).toEqual(['sp', 'sp3', 'v4']);
    expect(r.replay.transactions).toBe(1);
  });
});

describe('verbatim scripts (Redis ≤ 4.0) across the files of a set', () => {
  const cached = "redis.call('RPUSH', KEYS[1], ARGV[1]) return redis.call('LLEN', KEYS[1])";
  const derived = "local v = redis.call('GET', KEYS[1]) redis.call('SET', KEYS[2], v .. ':' .. ARGV[1]) return v";
  const expiring = "redis.call('SET', KEYS[1], ARGV[1]) redis.call('EXPIRE', KEYS[1], 100000) return 1";

  it('a script cached in the base is called by EVALSHA in the incr file; its effects as Redis 7.0 loads them', async () => {
    const base = Buffer.concat([
      resp('SELECT', '0'),
      resp('SCRIPT', 'LOAD', cached),
      resp('EVALSHA', sha1(cached), '1', 'q', 'one'),
      resp('SET', 'src', 'hello'),
      resp('EVAL', derived, '2', 'src', 'dst', 'x'),
      resp('SELECT', '3'),
    ]);
    const incr = Buffer.concat([
      // A new file starts on database 0 with a fresh client, but the script cache is the server's.
      resp('EVALSHA', sha1(cached), '1', 'q', 'two'),
      resp('EVALSHA', sha1(derived).toUpperCase(), '2', 'dst', 'dst2', 'y'),
      resp('SELECT', '1'),
      resp('EVAL', derived, '2', 'nosuch-src', 'never', 'z'), // a Lua error after no write: nothing happens
      resp('EVALSHA', sha1(cached), '1', 'q1', 'in db 1'),
    ]);
    const files = {
      'appendonly.aof.1.base.aof': base,
      'appendonly.aof.1.incr.aof': incr,
      'appendonly.aof.manifest': 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n',
    };
    const r = await replayFiles(files);
    expectClean(r);
    const server = await serverHolds(files, [sha1(cached), sha1(derived)]);
    expect(datasetDiff(server.dataset, r.dataset)).toEqual([]);
    expect(server.scripts).toEqual([true, true]);
    expect((r.dataset.db(0).get('q') as ListValue).toArray()).toEqual(['one', 'two']);
    expect(r.dataset.db(0).get('dst2')).toBe('hello:x:y');
    expect(r.dataset.db(1).get('q1')).toBeDefined();
  });

  it("a script's relative EXPIRE counts from the replay's clock, as it counted from the loading server's", async () => {
    const aof = Buffer.concat([resp('SELECT', '0'), resp('EVAL', expiring, '1', 'e', 'v'), resp('SELECT', '5'), resp('EVALSHA', sha1(expiring), '1', 'e5', 'w')]);
    const before = Date.now();
    const server = await serverHolds(aof);
    const r = await replay(aof);
    expectClean(r);
    expect(looseDiff(server.dataset, r.dataset, 60_000)).toEqual([]);
    const at = r.dataset.db(5).expireAt('e5')!;
    expect(at).toBeGreaterThanOrEqual(before + 100_000_000);
    expect(at).toBeLessThanOrEqual(Date.now() + 100_000_000);
  });
});

/**
 * Lua expressions whose values a verbatim script writes, generated from a seed: string.format
 * items of every conversion with random flags, widths and precisions over numbers that round
 * at ties, in the subnormal range and out of the integer casts' range; and numbers passed to
 * redis.call (written as %.17g) from ^, %, math.pow, math.fmod, math.modf, math.frexp,
 * math.ldexp, math.log (5.1 ignores a base), math.atan2, math.deg, math.rad; and library
 * calls whose 5.1 forms differ from 5.3's (string.find/match/rep, table.insert/remove,
 * tonumber of inf and nan, math.max/min of numeric strings, coroutine.running) and
 * cjson.decode's numbers and error texts.
 */
export function scriptValues(seed: number): { formats: string[]; numbers: string[] } {
  const r = rng(seed);
  const pick = <T,>(a: T[]): T => a[Math.floor(r() * a.length)];
  const number = (): string => {
    const k = r();
    if (k < 0.2) return String(Math.floor(r() * 2000 - 1000) + 0.5);
    if (k < 0.35) return `${Math.floor(r() * 100000)} / ${pick([8, 16, 1024, 3, 7, 1000])}`;
    if (k < 0.5) return `${(r() * 2 - 1).toFixed(6)} * 10^${Math.floor(r() * 40 - 20)}`;
    if (k < 0.6) return String(Math.floor(r() * 1e6));
    if (k < 0.7) return `${pick(['0.5', '0.25', '0.125', '2.5', '1.5', '0.05', '0.15', '9.5', '99.5', '0.0005'])} * ${pick(['1', '-1', '10', '100', '0.1'])}`;
    if (k < 0.8) return `2^${Math.floor(r() * 70)} * ${pick(['1', '-1', '1.5'])}`;
    // -0 computed at run time: Lua 5.1 folds a literal -0.0 into a constant that shares its slot with 0.
    if (k < 0.85) return pick(['1/0', '-1/0', '0/0', '-(0/0)', '-math.abs(0)', '2^-1074', '2^-1060 * 3', '2^64', '-(2^63)', '1e308 * 10']);
    return `${pick(['1', '-1'])} * ${(r() * 10).toFixed(Math.floor(r() * 12))}e${Math.floor(r() * 600 - 300)}`;
  };
  const formats: string[] = [];
  for (let i = 0; i < 1200; i++) {
    const conv = pick(['e', 'E', 'f', 'g', 'G', 'd', 'i', 'x', 'X', 'o', 'u', 'c']);
    let flags = '';
    for (const f of ['-', '+', ' ', '#', '0']) if (r() < 0.2) flags += f;
    const width = r() < 0.4 ? String(Math.floor(r() * 30)) : '';
    const precision = r() < 0.5 ? `.${Math.floor(r() * (conv === 'f' ? 60 : 25))}` : '';
    formats.push(`string.format('[%${flags}${width}${precision}${conv}]', ${number()})`);
  }
  for (const s of ['abc', 'a\\0b', 'x"y\\\\z\\n\\r', '']) {
    for (const f of ['%s', '%8s', '%-8s|', '%.2s', '%5.1s', '%q', '%%']) formats.push(`string.format('${f}', '${s}')`);
  }
  formats.push(`string.format('%s|%q', string.rep('y', 120) .. '\\0z', 1/3)`, `string.format('%5c|%-3c|%c', 65, 66, 0)`, `string.format('%d %s %g', '0x10', 12.5, '1e3')`);
  const numbers: string[] = [];
  for (let i = 0; i < 300; i++) {
    const a = number();
    const b = pick([String(Math.floor(r() * 40 - 20)), '-2', '3', '1/0', '-1/0', '0/0']);
    const c = pick(['0.5', '1/3', '2.5', '-1.5']);
    // Exact results as numbers (sent as %.17g); C's transcendental functions only to 14 digits
    // (tostring): glibc's and V8's can differ in the last bit.
    numbers.push(
      pick([
        `(${a}) ^ ${b}`,
        `math.pow(${a}, ${b})`,
        `(${a}) % (${b})`,
        `(${a}) % (${c})`,
        `math.fmod(${a}, ${b})`,
        `(math.modf(${a}))`,
        `select(2, math.modf(${a}))`,
        `(math.frexp(${a}))`,
        `select(2, math.frexp(${a}))`,
        `math.ldexp(${a}, ${Math.floor(r() * 2200 - 1100)})`,
        `math.deg(${a})`,
        `math.rad(${a})`,
        `tostring(math.pow(math.abs(${a}), ${c}))`,
        `tostring(math.log(math.abs(${a}), ${b}))`,
        `tostring(math.atan2(${a}, ${b}))`,
        `tostring(math.atan(${a}, ${b}))`,
      ]),
    );
  }
  // Library functions whose 5.1 forms differ from the 5.3 ones fengari ships (as text).
  const library = [
    "string.rep('ab', 3, ',')",
    "string.find('abc', '', 10)",
    "string.match('abc', '()', 10)",
    "select('#', string.find('abc', 'x', 10))",
    "(function() local t = {1, 2} table.insert(t, 5, 'x') return tostring(t[5]) .. #t end)()",
    "(function() local t = {1, 2, 3} table.insert(t, 1, 0) table.insert(t, 'e') return table.concat(t, ',') end)()",
    "(function() local ok, e = pcall(table.insert, {}, 1, 2, 3) return e end)()",
    "(function() local t = {1, 2, 3} return select('#', table.remove(t, 5)) .. table.remove(t, 1) .. table.concat(t, ',') end)()",
    "select('#', table.remove({}))",
    "tonumber(' -Infinity ')",
    "tonumber('-nan')",
    "tonumber('nan(123)')",
    "'inf' + 1",
    "math.max(1, 2, '3')",
    "math.min('2', 1.5)",
    "math.log(100, 10)",
    "math.atan(1, 2)",
    "-math.abs(0) % 1",
    "5 % math.huge",
    "-5 % math.huge",
    "tostring(coroutine.running())",
    "string.format('%5.1s|%-5s|%s', 'xyz', 'ab', 12.5)",
    // lua-cjson reads numbers with strtod, the invalid JSON ones included by default.
    "(function() local t = cjson.decode('[-0x10, +5, -Infinity, inf, NaN, 1e5000, 0x1.8p1, 00.5, 01, 0.1e1]') local o = {} for i = 1, #t do o[i] = tostring(t[i]) end return table.concat(o, ',') end)()",
    ...['[1 2]', '{"a" 1}', '"\\\\x"', '"abc', '[1.5e]', '[true false]', '[1,]'].map((j) => `select(2, pcall(cjson.decode, '${j}'))`),
  ];
  for (const x of library) numbers.push(`tostring((${x}))`);
  return { formats, numbers };
}

describe('what a verbatim script computes', () => {
  it('string.format, numbers from ^, % and the math library: written as Redis 7.0 writes them loading the same scripts', async () => {
    const { formats, numbers } = scriptValues(2024);
    const chunks = (list: string[], n: number) => Array.from({ length: Math.ceil(list.length / n) }, (_, i) => list.slice(i * n, i * n + n));
    const aof = Buffer.concat([
      resp('SELECT', '0'),
      ...chunks(formats, 100).map((c, i) => resp('EVAL', `redis.call('RPUSH', KEYS[1], ${c.join(', ')})`, '1', `fmt:${i}`)),
      // A number given to redis.call is sent as %.17g text: the last bit of each shows.
      ...chunks(numbers, 50).map((c, i) => resp('EVAL', `redis.call('RPUSH', KEYS[1], ${c.join(', ')})`, '1', `num:${i}`)),
    ]);
    const r = await replay(aof);
    expectClean(r);
    const server = await serverHolds(aof);
    // Element by element, so that a failure names the expression.
    const lines: string[] = [];
    for (const [key, list] of [...chunks(formats, 100).map((c, i) => [`fmt:${i}`, c] as const), ...chunks(numbers, 50).map((c, i) => [`num:${i}`, c] as const)]) {
      const a = (server.dataset.db(0).get(key) as ListValue | undefined)?.toArray() ?? [];
      const b = (r.dataset.db(0).get(key) as ListValue | undefined)?.toArray() ?? [];
      if (a.length !== list.length || b.length !== list.length) lines.push(`${key}: ${list.length} expressions, server ${a.length} values, replay ${b.length}`);
      for (let j = 0; j < list.length; j++) if (a[j] !== b[j]) lines.push(`${list[j]}: server ${JSON.stringify(a[j])}, replay ${JSON.stringify(b[j])}`);
    }
    expect(lines).toEqual([]);
    expect(datasetDiff(server.dataset, r.dataset, undefined, 20)).toEqual([]);
    expect(r.dataset.db(0).size).toBe(Math.ceil(formats.length / 100) + Math.ceil(numbers.length / 50));
  });
});

describe('a Redis 6.x single file: an RDB preamble, then older forms', () => {
  it('replays as Redis 7.0 loads it', async () => {
    // The preamble: a real RDB (the RDB base of the multi-part fixture); the tail changes its keys.
    const preamble = readFileSync(path.join(FIXTURES, 'aof', 'rdb-multipart', 'appendonlydir', 'appendonly.aof.2.base.rdb'));
    const tail = Buffer.concat([
      resp('SELECT', '0'),
      resp('SET', 'str:plain', 'replaced'),
      resp('PEXPIREAT', 'str:plain', String(FUTURE_MS)),
      resp('SET', 'str:ex', 'no ttl now'),
      resp('SET', 'str:six', 'v', 'PXAT', String(FUTURE_MS)),
      resp('SREM', 'set:s', 'apple'),
      resp('RPUSH', 'list:l', 'tail'),
      resp('ZINCRBY', 'zset:z', '1', 'one'),
      resp('HSET', 'hash:h', 'fl', '3'),
      resp('XADD', 'stream:s', '5-1', 'f', 'v5'),
      // A stream as the rewrite of 5.0–6.2 wrote it: XSETID without ENTRIESADDED/MAXDELETEDID,
      // XGROUP CREATE without ENTRIESREAD, XCLAIM without LASTID; 6.2's CREATECONSUMER.
      resp('XADD', 'old:s', '1-1', 'a', '1'),
      resp('XADD', 'old:s', '1-2', 'b', '2'),
      resp('XADD', 'old:s', '3-0', 'c', '3'),
      resp('XSETID', 'old:s', '7-0'),
      resp('XGROUP', 'CREATE', 'old:s', 'g1', '1-2'),
      resp('XCLAIM', 'old:s', 'g1', 'ann', '0', '1-1', 'TIME', String(PAST_MS), 'RETRYCOUNT', '3', 'JUSTID', 'FORCE'),
      resp('XCLAIM', 'old:s', 'g1', 'ann', '0', '1-2', 'TIME', String(PAST_MS + 5), 'RETRYCOUNT', '1', 'JUSTID', 'FORCE'),
      resp('XGROUP', 'CREATECONSUMER', 'old:s', 'g1', 'idle'),
      resp('XGROUP', 'CREATE', 'old:s', 'g0', '0'),
      resp('XGROUP', 'CREATE', 'old:s', 'gend', '7-0'),
      resp('PERSIST', 'set:s'),
      resp('SELECT', '5'),
      resp('LPOP', 'db5:list'),
    ]);
    const aof = Buffer.concat([preamble, tail]);
    const r = await replay(aof);
    expectClean(r);
    expect(r.load.keys).toBeGreaterThan(0);
    const server = await serverHolds(aof);
    expect(datasetDiff(server.dataset, r.dataset)).toEqual([]);
    expect(r.dataset.db(0).get('str:ex')).toBe('no ttl now');
    expect(r.dataset.db(0).expireAt('str:ex')).toBeNull();
    const old = r.dataset.db(0).get('old:s') as StreamValue;
    expect([old.length, streamIdText(old.lastId), [...old.groups.keys()].sort()]).toEqual([3, '7-0', ['g0', 'g1', 'gend']]);
  });
});
