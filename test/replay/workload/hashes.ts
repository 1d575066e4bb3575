/**
 * Hash commands of Redis 7.0 (it has no field TTLs): HSET/HMSET of a few fields and of
 * hundreds, values past 64 bytes (listpack to hash table), HSETNX, HDEL, HINCRBY to the 64-bit
 * edges, HINCRBYFLOAT (logged as HSET), and reads.
 */
import type { Cmd } from '../../helpers/replay-oracle.js';
import type { FamilyGen, Gen } from './gen.js';

const fields = (g: Gen, n: number) => Array.from({ length: n }, () => [g.member(), g.value()]).flat();

export const hashes: FamilyGen = (g) =>
  g.weighted<(g: Gen) => Cmd[]>([
    [6, (g) => [[g.pick(['HSET', 'HMSET']), g.key('hash'), ...fields(g, g.int(1, 3))]]],
    [1, (g) => [['HSET', g.key('hash'), ...g.bulk((i) => [`f${i}`, g.chance(0.9) ? String(i) : g.value()]).flat()]]],
    [1, (g) => [['HSET', g.key('hash'), g.member(), g.long()]]],
    [1, (g) => [['HSETNX', g.key('hash'), g.member(), g.value()]]],
    [3, (g) => [['HDEL', g.key('hash'), ...Array.from({ length: g.int(1, 3) }, () => g.member())]]],
    [2, (g) => [['HINCRBY', g.key('hash'), g.member(), g.intText()]]],
    [2, (g) => [['HINCRBYFLOAT', g.key('hash'), g.member(), g.pick(['1.5', '-0.25', '1e10', '0.1', '-7', '1e-20', '3.0e2'])]]],
    [2, (g) => [[g.pick(['HGET', 'HEXISTS', 'HSTRLEN']), g.key('hash'), g.member()]]],
    [1, (g) => [[g.pick(['HGETALL', 'HLEN', 'HKEYS']), g.key('hash')]]],
  ])(g);
