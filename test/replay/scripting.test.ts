/**
 * EVAL, EVALSHA and SCRIPT in the replay: the Lua bridge's conversions both ways, Lua 5.1's
 * numbers, the script cache, the rules of scripts replicated whole (Redis ≤ 4.0), what an
 * error in a script leaves and what stops the replay. The real server is the oracle twice: a
 * Redis 7.0 that ran the scripts from a client must hold what the engine holds after applying
 * the same EVALs, and a Redis 7.0 that loaded a hand-written AOF in the form a 4.0 server wrote
 * (scripts verbatim) must hold what the replay of that file holds.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dataset } from '../../src/dataset/dataset.js';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import { bytesSource } from '../../src/io/source.js';
import { ReplayEngine } from '../../src/replay/engine.js';
import { ReplayError } from '../../src/replay/errors.js';
import { StatusReply } from '../../src/replay/reply.js';
import { replayPath } from '../../src/replay/replay-input.js';
import { evalScript, scriptStats } from '../../src/replay/commands/scripting.js';
import { ScriptErrorReply, toLongLong } from '../../src/replay/lua/vm.js';
import { formatG } from '../../src/binary/double-text.js';
import { datasetDiff, runOracle, type Cmd } from '../helpers/replay-oracle.js';
import { requireRedisServer, startRedis } from '../helpers/redis.js';

const sha1 = (s: string) => createHash('sha1').update(s, 'utf8').digest('hex');

function engine(opts: { skipUnknown?: boolean } = {}) {
  const ds = new Dataset();
  const e = new ReplayEngine(ds, { ...opts, nowMs: 1_700_000_000_000 });
  e.startFile('test.aof');
  return { ds, e };
}

/** Runs EVAL through the engine (as a file's command). */
function apply(e: ReplayEngine, ...argv: string[]): void {
  e.apply(argv);
}

/** EVAL's script reply (errors in the reply form), for the conversion tests. */
function evalReply(e: ReplayEngine, body: string, keys: string[] = [], args: string[] = []) {
  return evalScript(e.context, ['EVAL', body, String(keys.length), ...keys, ...args], false);
}

const get = (ds: Dataset, key: string, db = 0) => ds.peekDb(db)?.get(key);

function refusal(fn: () => void): ReplayError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ReplayError) return e;
    throw e;
  }
  throw new Error('not refused');
}

/** One command in RESP, as an AOF holds it. */
function resp(...argv: string[]): Buffer {
  const parts = [Buffer.from(`*${argv.length}\r\n`)];
  for (const a of argv) {
    const b = Buffer.from(a, 'utf8');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

describe('scripting: conversions', () => {
  it('converts a Lua value into a reply as Redis does', () => {
    const { e } = engine();
    expect(evalReply(e, "return {1, 'a', true, false, 3.7, -3.7, {ok='fine'}, 'after'}")).toEqual([1, 'a', 1, null, 3, -3, new StatusReply('fine'), 'after']);
    // An array stops at its first nil.
    expect(evalReply(e, "return {1, 2, nil, 4}")).toEqual([1, 2]);
    expect(evalReply(e, 'return nil')).toBeNull();
    expect(evalReply(e, 'return false')).toBeNull();
    expect(evalReply(e, 'return true')).toBe(1);
    expect(evalReply(e, 'return 1e300')).toBe(-9223372036854775808);
    expect(evalReply(e, "return redis.status_reply('PONG')")).toEqual(new StatusReply('PONG'));
    expect(evalReply(e, "return redis.error_reply('MY bad\\r\\nthing')")).toEqual(new ScriptErrorReply('MY bad  thing'));
    expect(evalReply(e, "return {err='E x'}")).toEqual(new ScriptErrorReply('E x'));
    expect(toLongLong(-0.5)).toBe(0);
  });

  it('converts replies into Lua values as Redis does', () => {
    const { e } = engine();
    apply(e, 'SET', 'k', 'v');
    apply(e, 'RPUSH', 'l', 'a', 'b');
    const body = `
      local out = {}
      local function add(v) out[#out + 1] = type(v) == 'table' and ('table:' .. tostring(v.ok or v.err or #v)) or (type(v) .. ':' .. tostring(v)) end
      add(redis.call('INCR', 'n'))
      add(redis.call('GET', 'k'))
      add(redis.call('GET', 'missing'))
      add(redis.call('SET', 'k2', 'x'))
      add(redis.call('LRANGE', 'l', 0, -1))
      add(redis.call('MGET', 'k', 'missing')[2])
      add(redis.pcall('INCR', 'k'))
      return out`;
    expect(evalReply(e, body)).toEqual([
      'number:1',
      'string:v',
      'boolean:false',
      'table:OK',
      'table:2',
      'boolean:false',
      'table:ERR value is not an integer or out of range',
    ]);
  });

  it('passes numbers to commands as %.17g and keeps Lua 5.1 number text', () => {
    const { ds, e } = engine();
    apply(e, 'EVAL', "redis.call('SET', 'a', 0.1) redis.call('SET', 'b', 1e20) redis.call('SET', 'c', 86400 * 1000 * 30) redis.call('SET', 'd', 3)", '0');
    expect([get(ds, 'a'), get(ds, 'b'), get(ds, 'c'), get(ds, 'd')]).toEqual(['0.10000000000000001', '1e+20', '2592000000', '3']);
    const text = "return tostring(3) .. ' ' .. tostring(10 / 2) .. ' ' .. 2^53 .. ' ' .. tostring(0xFFFFFFFF) .. ' ' .. string.format('%d', 3.7) .. ' ' .. ('x'):rep(2.9) .. ' ' .. math.floor(2^40 * 3)";
    expect(evalReply(e, text)).toBe('3 5 9.007199254741e+15 4294967295 3 xx 3298534883328');
    // Integer literals never wrap (fengari's integers are 32-bit; 5.1's numbers are doubles).
    expect(evalReply(e, 'return 65536 * 65536 + 1')).toBe(4294967297);
  });

  it('formats doubles as glibc printf %g, ties to even', () => {
    expect(formatG(123456789012345, 14)).toBe('1.2345678901234e+14');
    expect(formatG(123456789012355, 14)).toBe('1.2345678901236e+14');
    expect(formatG(1e-5, 14)).toBe('1e-05');
    expect(formatG(0.0001, 14)).toBe('0.0001');
    expect(formatG(2 ** 56, 17)).toBe('72057594037927936');
    expect(formatG(-0, 14)).toBe('-0');
    expect(formatG(Infinity, 17)).toBe('inf');
  });
});

describe('scripting: cache and refusals', () => {
  it('caches EVAL bodies by SHA1; EVALSHA, SCRIPT LOAD, EXISTS and FLUSH', () => {
    const { ds, e } = engine();
    const body = "return redis.call('INCR', KEYS[1])";
    apply(e, 'EVAL', body, '1', 'n');
    apply(e, 'EVALSHA', sha1(body), '1', 'n');
    apply(e, 'EVALSHA', sha1(body).toUpperCase(), '1', 'n');
    expect(get(ds, 'n')).toBe('3');
    const loaded = "redis.call('SET', KEYS[1], ARGV[1])";
    expect(e.context.call(['SCRIPT', 'LOAD', loaded])).toBe(sha1(loaded));
    apply(e, 'EVALSHA', sha1(loaded), '1', 'x', 'y');
    expect(get(ds, 'x')).toBe('y');
    const exists = e.lookup('script')!.run(e.context, ['SCRIPT', 'EXISTS', sha1(loaded), 'f'.repeat(40)]);
    expect(exists).toEqual([1, 0]);
    apply(e, 'SCRIPT', 'FLUSH');
    const err = refusal(() => apply(e, 'EVALSHA', sha1(body), '1', 'n'));
    expect(err.code).toBe('REPLAY_SCRIPT_ERROR');
    expect(err.message).toContain('NOSCRIPT');
    // EVAL defines it again after the flush.
    apply(e, 'EVAL', body, '1', 'n');
    expect(get(ds, 'n')).toBe('4');
  });

  it('refuses what Redis refused before running anything (never logged)', () => {
    const { e } = engine();
    expect(refusal(() => apply(e, 'EVALSHA', 'abc', '0')).code).toBe('REPLAY_SCRIPT_ERROR');
    expect(refusal(() => apply(e, 'EVAL', 'return 1 +', '0')).message).toContain('Error compiling script');
    expect(refusal(() => apply(e, 'SCRIPT', 'LOAD', 'this is not lua')).code).toBe('REPLAY_SCRIPT_ERROR');
    expect(refusal(() => apply(e, 'EVAL', 'return 1', 'x')).code).toBe('REPLAY_BAD_ARGUMENT');
    expect(refusal(() => apply(e, 'EVAL', 'return 1', '-1')).message).toContain("can't be negative");
    expect(refusal(() => apply(e, 'EVAL', 'return 1', '2', 'k')).message).toContain("can't be greater");
    expect(refusal(() => apply(e, 'EVAL')).code).toBe('REPLAY_ARITY');
    expect(refusal(() => apply(e, 'SCRIPT', 'NOPE')).code).toBe('REPLAY_BAD_ARGUMENT');
  });

  it('keeps the effects of a script that raised an error, counts it and goes on', () => {
    const { ds, e } = engine();
    apply(e, 'EVAL', "redis.call('SET', 'a', 'x') redis.call('INCR', 'a') redis.call('SET', 'b', 'never')", '0');
    apply(e, 'EVAL', "redis.call('SET', 'c', '1') local t = nil; return t.field", '0');
    apply(e, 'SET', 'after', '1');
    expect([get(ds, 'a'), get(ds, 'b'), get(ds, 'c'), get(ds, 'after')]).toEqual(['x', undefined, '1', '1']);
    const stats = scriptStats(e.context);
    expect(stats.runs).toBe(2);
    expect(stats.errors).toBe(2);
    expect(stats.errorSamples[0].error).toContain('ERR value is not an integer');
    expect(e.stats.skipped).toEqual({});
  });

  it('stops at a script that needs what the replay cannot do, its effects so far kept; skipped when asked', () => {
    const { ds, e } = engine();
    const err = refusal(() => apply(e, 'EVAL', "redis.call('SET', 'a', '1') redis.pcall('NO.SUCH.COMMAND') redis.call('SET', 'b', '1')", '0'));
    expect(err.code).toBe('REPLAY_SCRIPT_ERROR');
    expect(err.message).toContain('NO.SUCH.COMMAND');
    expect([get(ds, 'a'), get(ds, 'b')]).toEqual(['1', undefined]);
    expect(refusal(() => apply(e, 'EVAL', "return pcall(cmsgpack.pack, {1})", '0')).message).toContain('cmsgpack.pack');
    const skipping = engine({ skipUnknown: true });
    apply(skipping.e, 'EVAL', "redis.call('SET', 'a', '1') return struct.pack('>I', 1)", '0');
    apply(skipping.e, 'SET', 'after', '1');
    expect(skipping.e.stats.skipped).toEqual({ REPLAY_SCRIPT_ERROR: 1 });
    expect([get(skipping.ds, 'a'), get(skipping.ds, 'after')]).toEqual(['1', '1']);
  });
});

describe('scripting: scripts replicated whole (Redis ≤ 4.0)', () => {
  it('refuses a write after a random command unless the script switched to effects replication first', () => {
    const { ds, e } = engine();
    apply(e, 'SADD', 's', 'a');
    apply(e, 'EVAL', "redis.call('SRANDMEMBER', 's') redis.call('SET', 'w1', '1')", '0');
    apply(e, 'EVAL', "redis.replicate_commands() redis.call('SRANDMEMBER', 's') redis.call('SET', 'w2', '1')", '0');
    apply(e, 'EVAL', "redis.call('SET', 'w3', '1') if not redis.replicate_commands() then redis.call('SET', 'w4', 'late') end", '0');
    expect([get(ds, 'w1'), get(ds, 'w2'), get(ds, 'w3'), get(ds, 'w4')]).toEqual([undefined, '1', '1', 'late']);
    expect(scriptStats(e.context).errorSamples[0].error).toContain('Write commands not allowed after non deterministic commands');
  });

  it('sorts the replies Redis sorts for scripts, and refuses the commands scripts may not call', () => {
    const { ds, e } = engine();
    apply(e, 'SADD', 's', 'zeta', 'alpha', 'Mid', '10', '9');
    apply(e, 'EVAL', "for _, m in ipairs(redis.call('SMEMBERS', 's')) do redis.call('RPUSH', 'l', m) end", '0');
    expect(evalReply(e, "return redis.call('LRANGE', 'l', 0, -1)")).toEqual(['10', '9', 'Mid', 'alpha', 'zeta']);
    apply(e, 'EVAL', "redis.call('RPUSH', 'q', 'x') redis.call('BLPOP', 'q', 0)", '0');
    expect(scriptStats(e.context).errorSamples.at(-1)!.error).toContain('not allowed from scripts');
    expect(get(ds, 'q')).toBeDefined();
  });

  it('reseeds math.random with 0 at every run', () => {
    const { ds, e } = engine();
    const body = "redis.call('SET', KEYS[1], math.random()) redis.call('SET', KEYS[2], math.random(100))";
    apply(e, 'EVAL', body, '2', 'r1', 'r2');
    apply(e, 'EVAL', body, '2', 'r3', 'r4');
    // glibc's lrand48 after srand48(0): 366850414, 1610402240.
    const first = (366850414 % 2147483647) / 2147483647;
    expect(get(ds, 'r1')).toBe(formatG(first, 17));
    expect(get(ds, 'r2')).toBe(String(Math.floor(((1610402240 % 2147483647) / 2147483647) * 100) + 1));
    expect([get(ds, 'r3'), get(ds, 'r4')]).toEqual([get(ds, 'r1'), get(ds, 'r2')]);
  });

  it('guards globals, defines f_<sha1> and runs a script in the caller database', () => {
    const { ds, e } = engine();
    apply(e, 'SELECT', '2');
    apply(e, 'EVAL', "redis.call('SET', 'here', '1') redis.call('SELECT', 5) redis.call('SET', 'there', '1')", '0');
    apply(e, 'SET', 'after', '1');
    expect([get(ds, 'here', 2), get(ds, 'there', 5), get(ds, 'after', 2)]).toEqual(['1', '1', '1']);
    apply(e, 'EVAL', 'leak = 1', '0');
    apply(e, 'EVAL', "return undefined_name", '0');
    const errors = scriptStats(e.context).errorSamples.map((s) => s.error);
    expect(errors[0]).toContain("Script attempted to create global variable 'leak'");
    expect(errors[1]).toContain("Script attempted to access nonexistent global variable 'undefined_name'");
    const inner = "return 'inner'";
    apply(e, 'EVAL', inner, '0');
    expect(evalReply(e, `return f_${sha1(inner)}()`)).toBe('inner');
    expect(evalReply(e, "local function t(n) return type(rawget(_G, n)) end return {t('io'), t('os'), t('require'), t('loadfile'), t('debug'), t('unpack'), type(table.getn), type(math.type)}")).toEqual([
      'nil',
      'nil',
      'nil',
      'nil',
      'nil',
      'function',
      'function',
      'nil',
    ]);
  });

  it('runs cjson and bit as Redis ships them', () => {
    const { e } = engine();
    expect(evalReply(e, "return cjson.encode({1, 'x/y\\n', {a = true}, 0.1, cjson.null})")).toBe('[1,"x\\/y\\n",{"a":true},0.1,null]');
    expect(evalReply(e, "local t = cjson.decode('{\"k\":[1,2.5,\"\\\\u00e9\",null,false]}') return {t.k[1], tostring(t.k[2]), t.k[3], tostring(t.k[4] == cjson.null), tostring(t.k[5])}")).toEqual([
      1,
      '2.5',
      '\xc3\xa9',
      'true',
      'false',
    ]);
    expect(evalReply(e, "return {pcall(cjson.encode, {[1] = 1, [100] = 2})}")).toEqual([null, expect.stringContaining('excessively sparse array')]);
    expect(evalReply(e, "return {bit.band(0xff, 0x0f), bit.tohex(-1), bit.lshift(1, 31), bit.tobit(2^32 + 5.5), bit.bxor(5, 3, 1), bit.tohex(255, -4)}")).toEqual([
      15,
      'ffffffff',
      -2147483648,
      6,
      7,
      '00FF',
    ]);
  });
});

describe('scripting against a real server', () => {
  requireRedisServer();
  const loaded = "redis.call('RPUSH', KEYS[1], unpack(ARGV)) return redis.call('LLEN', KEYS[1])";
  /** Deterministic scripts (no random commands, no order-dependent replies, no relative times). */
  const WORKLOAD: Cmd[] = [
    ['EVAL', "redis.call('SET', KEYS[1], ARGV[1]) redis.call('INCRBY', KEYS[2], ARGV[2]) return redis.call('GET', KEYS[1])", '2', 's:a', 'c:a', 'hello', '5'],
    [
      'EVAL',
      "redis.call('SET', 'n:1', 0.1) redis.call('SET', 'n:2', 1e20) redis.call('SET', 'n:3', 2^53) redis.call('SET', 'n:4', 86400 * 1000 * 30) " +
        "redis.call('SET', 'n:5', tostring(10 / 2) .. ' ' .. tostring(2^53) .. ' ' .. 1e15 .. ' ' .. 0.1 .. ' ' .. (7 / 3) .. ' ' .. 123456789012345) " +
        "redis.call('SET', 'n:6', string.format('%d|%5.2f|%s|%x', 3.7, 2.345, 12, 255)) redis.call('SET', 'n:7', tostring(0xFFFFFFFF) .. ' ' .. (65536 * 65536)) " +
        "redis.call('SET', 'n:8', 123456789012345) redis.call('SET', 'n:9', math.floor(7.9) .. ' ' .. math.max(3, 9.5) .. ' ' .. math.fmod(7, 3) .. ' ' .. (-7 % 3) .. ' ' .. math.huge .. ' ' .. -math.huge .. ' ' .. string.rep('ab', 2.9))",
      '0',
    ],
    ['EVAL', "redis.call('SET', 'e:1', 'a') redis.call('INCR', 'e:1') redis.call('SET', 'e:2', 'never')", '0'],
    ['EVAL', "local r = redis.pcall('INCR', 'e:1') redis.call('SET', 'e:3', r.err) return 1", '0'],
    ['EVAL', "redis.call('SET', 'e:4', 'x') local t = nil return t.x", '0'],
    ['EVAL', "redis.call('SET', 'e:5', 'x') return redis.call('NOSUCHCOMMAND')", '0'],
    ['EVAL', "redis.call('SADD', 'set', unpack(ARGV)) redis.call('SET', 'set:n', redis.call('SCARD', 'set'))", '0', 'a', 'b', 'c', 'a'],
    [
      'EVAL',
      "redis.call('SET', 'j:1', cjson.encode({1, 2, 'x/y', {a = true}, 0.1, 1e20})) local t = cjson.decode(ARGV[1]) " +
        "redis.call('SET', 'j:2', t.name .. ':' .. t.n .. ':' .. #t.list) redis.call('SET', 'j:3', cjson.encode(t.list))",
      '0',
      '{"name":"caf\\u00e9","n":12.5,"list":[1,null,3]}',
    ],
    ['EVAL', "redis.call('SET', 'b:1', bit.band(0xff, 0x0f) .. ',' .. bit.tohex(-1) .. ',' .. bit.lshift(1, 31) .. ',' .. bit.tobit(2^32 + 5.5) .. ',' .. bit.bxor(5, 3, 1) .. ',' .. bit.ror(1, 1))", '0'],
    ['EVAL', "redis.call('SET', 'r:1', 'x') return redis.error_reply('custom')", '0'],
    ['EVAL', "redis.call('SELECT', 3) redis.call('SET', 'in3', 'v') return 1", '0'],
    ['SET', 'after-select', 'x'],
    ['SCRIPT', 'LOAD', loaded],
    ['EVALSHA', sha1(loaded), '1', 'list', 'a', 'b', 'c'],
    ['EVALSHA', sha1(loaded).toUpperCase(), '1', 'list', 'd'],
    ['EVAL', "local h = {} for i = 1, 5 do h[#h + 1] = 'f' .. i h[#h + 1] = i * 1.5 end redis.call('HSET', 'h', unpack(h)) redis.call('HINCRBY', 'h', 'f2', 7)", '0'],
    ['EVAL', "redis.call('SET', 'str', table.concat(ARGV, ',') .. ':' .. #ARGV .. ':' .. string.upper(KEYS[1]) .. ':' .. ('%s=%s'):format('k', 1.5))", '1', 'kk', 'x', 'y', 'z'],
  ];

  it('holds what Redis 7.0 holds after the same EVALs from a client', async () => {
    const run = await runOracle(WORKLOAD, { direct: true });
    expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
    // The server's view of the numbers, checked by name (a diff above would show them too).
    expect(run.saved.db(0).get('n:1')).toBe('0.10000000000000001');
    expect(run.saved.db(0).get('e:1')).toBe('a');
  });

  it('replays a 4.0-style AOF with verbatim scripts as Redis 7.0 loads it', async () => {
    const a = "redis.call('INCR', KEYS[1]) return redis.call('RPUSH', KEYS[2], ARGV[1])";
    // A script that fails after a write (a Lua error: Redis 7.0.15 itself crashes loading an
    // AOF whose script gets an error reply from redis.call, which 4.0 loads).
    const b = "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) redis.call('SET', 'kept', 'x') local t = nil return t.x";
    const aof = Buffer.concat([
      resp('SELECT', '0'),
      resp('SCRIPT', 'LOAD', loaded),
      resp('EVAL', a, '2', 'cnt', 'lst', 'one'),
      resp('EVALSHA', sha1(a), '2', 'cnt', 'lst', 'two'),
      resp('EVALSHA', sha1(loaded), '1', 'other', 'p', 'q'),
      resp('SELECT', '4'),
      resp('EVAL', b, '1', 'h', 'f', 'v'),
      resp('SCRIPT', 'FLUSH'),
      resp('EVAL', a, '2', 'cnt', 'lst', 'three'),
      resp('MULTI'),
      resp('EVALSHA', sha1(a), '2', 'cnt', 'lst', 'four'),
      resp('EXEC'),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'rdbtool-scripting-'));
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
      expect([saved.db(0).get('cnt'), saved.db(4).get('cnt'), saved.db(4).get('kept')]).toEqual(['2', '2', 'x']);
      expect(datasetDiff(saved, replayed.dataset)).toEqual([]);
      expect(replayed.replay.skipped).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
