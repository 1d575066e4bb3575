/**
 * FUNCTION LOAD [REPLACE] of libraries whose functions write (and whose versions write
 * differently), FUNCTION DELETE/FLUSH/RESTORE, and FCALL/FCALL_RO on the pool's keys. FCALL is
 * never logged; its writes are (in MULTI … EXEC when there are several).
 */
import type { Cmd } from '../../helpers/replay-oracle.js';
import type { FamilyGen, Gen } from './gen.js';

/** Library name → versions of its source. */
const LIBRARIES: Record<string, string[]> = {
  wla: [
    "#!lua name=wla\nredis.register_function('wset', function(keys, args) redis.call('SET', keys[1], args[1]); return redis.call('INCR', keys[2]) end)\n" +
      "redis.register_function('wpush', function(keys, args) redis.call('RPUSH', keys[1], args[1], args[1]); redis.call('LTRIM', keys[1], 0, 9); return redis.call('PEXPIRE', keys[1], 1000000) end)",
    "#!lua name=wla\nredis.register_function('wset', function(keys, args) return redis.call('HSET', keys[1], 'v2', args[1]) end)\n" +
      "redis.register_function{function_name='wpush', callback=function(keys, args) redis.call('DEL', keys[2]); return redis.call('LPUSH', keys[1], args[1]) end}",
  ],
  wlb: [
    "#!lua name=wlb\nredis.register_function('wmix', function(keys, args) redis.call('ZADD', keys[1], 1, args[1]); redis.call('SADD', keys[2], args[1]); return redis.call('PERSIST', keys[1]) end)\n" +
      "redis.register_function{function_name='wread', callback=function(keys, args) return redis.call('EXISTS', keys[1]) end, flags={'no-writes'}}",
    "#!lua name=wlb\nredis.register_function('wmix', function(keys, args) local n = 0 for i = 1, tonumber(args[2]) or 1 do n = n + redis.call('ZADD', keys[1], i, args[1] .. i) end return n end)\n" +
      "redis.register_function{function_name='wread', callback=function(keys, args) return redis.call('TYPE', keys[1]) end, flags={'no-writes'}}",
  ],
};

const FUNCTIONS = ['wset', 'wpush', 'wmix', 'wread', 'fa', 'fb', 'nosuch'];

export const functions: FamilyGen = (g) =>
  g.weighted<(g: Gen) => Cmd[]>([
    [5, (g) => {
      const name = g.pick(Object.keys(LIBRARIES));
      return [['FUNCTION', 'LOAD', ...(g.chance(0.6) ? ['REPLACE'] : []), g.pick(LIBRARIES[name])]];
    }],
    [1, (g) => [['FUNCTION', 'DELETE', g.pick(['wla', 'wlb', 'liba', 'libb'])]]],
    [0.3, (g) => [['FUNCTION', 'FLUSH', ...(g.chance(0.3) ? [g.pick(['ASYNC', 'SYNC'])] : [])]]],
    [1, (g) => [['FUNCTION', 'RESTORE', g.sources.functionsDump, ...(g.chance(0.7) ? [g.pick(['APPEND', 'REPLACE', 'FLUSH'])] : [])]]],
    [5, (g) => [[g.chance(0.1) ? 'FCALL_RO' : 'FCALL', g.pick(FUNCTIONS), '2', g.anyKey(), g.anyKey(), g.value(), String(g.pick([1, 3, 140]))]]],
  ])(g);
