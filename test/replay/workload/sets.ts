/**
 * Set commands: members that keep an intset, hundreds of integers (past 512 an intset becomes a
 * hash table), words past 128 members or 64 bytes (listpack to hash table), SREM, SMOVE,
 * random SPOP and SRANDMEMBER (logged as SREM), the STORE forms into any key.
 */
import type { Cmd } from '../../helpers/replay-oracle.js';
import type { FamilyGen, Gen } from './gen.js';

export const sets: FamilyGen = (g) =>
  g.weighted<(g: Gen) => Cmd[]>([
    [4, (g) => [['SADD', g.key('set'), ...Array.from({ length: g.int(1, 4) }, () => g.member())]]],
    [2, (g) => [['SADD', g.key('set'), ...Array.from({ length: g.int(1, 4) }, () => String(g.int(-1000, 1000)))]]],
    [1, (g) => [['SADD', g.key('set'), ...g.bulk((i) => (g.chance(0.5) ? String(i * 7) : g.member()))]]],
    [1, (g) => [['SADD', g.key('set'), ...g.bulk((i) => String(i - 300), g.pick([513, 600]))]]],
    [3, (g) => [['SREM', g.key('set'), ...Array.from({ length: g.int(1, 3) }, () => g.member())]]],
    [1, (g) => [['SMOVE', g.key('set'), g.key('set'), g.member()]]],
    [2, (g) => [['SPOP', g.key('set'), ...(g.chance(0.5) ? [String(g.pick([0, 1, 2, 5, 100, 1000]))] : [])]]],
    [1, (g) => [['SRANDMEMBER', g.key('set'), String(g.int(-3, 3))]]],
    [2, (g) => [[g.pick(['SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE']), g.key('set'), ...g.keys('set', g.int(1, 3))]]],
    [1, (g) => [g.pick<Cmd>([['SMEMBERS', g.key('set')], ['SCARD', g.key('set')], ['SISMEMBER', g.key('set'), g.member()]])]],
    [1, (g) => [['SINTERCARD', '2', g.key('set'), g.key('set')]]],
  ])(g);
