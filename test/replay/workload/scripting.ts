/**
 * EVAL and EVALSHA of scripts whose redis.call writes are logged as their effects (in
 * MULTI … EXEC when there are several): writes of every family, relative expiries, writes
 * before an error (they stay), pcall, random commands (SPOP), loops that grow collections past
 * listpack limits, a SELECT inside a script, and scripts that only read.
 */
import { createHash } from 'node:crypto';
import type { Cmd } from '../../helpers/replay-oracle.js';
import type { FamilyGen, Gen } from './gen.js';

/** Script source and the number of keys it takes. */
const SCRIPTS: [string, number][] = [
  ["redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])", 1],
  ["return redis.call('INCRBY', KEYS[1], ARGV[1])", 1],
  ["redis.call('LPUSH', KEYS[1], ARGV[1]) return redis.call('EXPIRE', KEYS[1], ARGV[2])", 1],
  ["redis.call('DEL', KEYS[1]) redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) return redis.call('HINCRBY', KEYS[2], ARGV[1], 1)", 2],
  ["local v = redis.call('SPOP', KEYS[1]) if v then redis.call('SADD', KEYS[2], v) end return v", 2],
  ["return redis.pcall('RPUSH', KEYS[1], ARGV[1])", 1],
  ["local n = math.min(tonumber(ARGV[2]) or 1, 200) for i = 1, n do redis.call('ZADD', KEYS[1], i, ARGV[1] .. i) end return n", 1],
  ["redis.call('SELECT', ARGV[2] == '1' and 1 or 2) redis.call('SET', KEYS[1], ARGV[1]) return 1", 1],
  ["redis.call('XADD', KEYS[1], '*', 'f', ARGV[1]) return redis.call('XLEN', KEYS[1])", 1],
  ["redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) redis.call('PEXPIRE', KEYS[2], ARGV[2]) return 1", 2],
  ["redis.call('RENAME', KEYS[1], KEYS[2]) return redis.call('TYPE', KEYS[2])", 2],
  ["redis.call('SET', KEYS[1], 'before') error('stop')", 1],
  ["redis.call('INCRBYFLOAT', KEYS[1], '1.5') return redis.call('HINCRBYFLOAT', KEYS[2], 'f', '0.25')", 2],
  ["return redis.call('EXISTS', KEYS[1])", 1],
];

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

export const scripting: FamilyGen = (g) => {
  const [src, nkeys] = g.pick(SCRIPTS);
  const args = [...Array.from({ length: nkeys }, () => g.anyKey()), g.value(), g.pick(['1', '2', '-1', '30', '140', '100000'])];
  if (g.chance(0.2)) return [['SCRIPT', 'LOAD', src], ['EVALSHA', sha1(src), String(nkeys), ...args]];
  return [['EVAL', src, String(nkeys), ...args]];
};
