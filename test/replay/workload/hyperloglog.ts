/**
 * HyperLogLog commands: PFADD of a few elements (sparse) and of thousands (promotion to
 * dense), PFCOUNT of one key (which stores the cached count and is logged when it does),
 * PFMERGE of sparse and dense sources, PFDEBUG TODENSE/GETREG (which convert and are logged).
 */
import type { Cmd } from '../../helpers/replay-oracle.js';
import type { FamilyGen, Gen } from './gen.js';

const element = (g: Gen) => (g.chance(0.1) ? g.binary(g.int(1, 8)) : `e${g.int(0, 5000)}`);

export const hyperloglog: FamilyGen = (g) =>
  g.weighted<(g: Gen) => Cmd[]>([
    [5, (g) => [['PFADD', g.key('hll'), ...Array.from({ length: g.int(0, 5) }, () => element(g))]]],
    [1, (g) => [['PFADD', g.key('hll'), ...g.bulk((i) => `d${i}-${g.int(0, 1e9)}`, g.pick([300, 1500, 3000]))]]],
    [3, (g) => [['PFCOUNT', g.key('hll')]]],
    [1, (g) => [['PFCOUNT', ...g.keys('hll', 2)]]],
    [2, (g) => [['PFMERGE', g.key('hll'), ...g.keys('hll', g.int(0, 3))]]],
    [1, (g) => [['PFDEBUG', g.pick(['TODENSE', 'GETREG']), g.key('hll')]]],
  ])(g);
