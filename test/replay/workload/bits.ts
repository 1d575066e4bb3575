/**
 * Bit commands: SETBIT (growing strings), BITOP of every kind into any key, BITFIELD writes
 * with WRAP and SAT, and the reads. OVERFLOW FAIL is left out: a BITFIELD whose every write
 * fails creates its key without logging anything, so the server's memory and its AOF differ
 * by design (bits.test.ts pins that case).
 */
import type { Cmd } from '../../helpers/replay-oracle.js';
import type { FamilyGen, Gen } from './gen.js';

const type = (g: Gen) => (g.chance(0.5) ? `i${g.int(1, 64)}` : `u${g.int(1, 63)}`);
const offset = (g: Gen) => (g.chance(0.2) ? `#${g.int(0, 12)}` : String(g.int(0, 300)));

function bitfield(g: Gen): Cmd[] {
  const c: Cmd = ['BITFIELD', g.key('bit')];
  for (let n = g.int(1, 4); n > 0; n--) {
    const op = g.next();
    if (op < 0.15) c.push('OVERFLOW', g.pick(['WRAP', 'SAT']));
    else if (op < 0.35) c.push('GET', type(g), offset(g));
    else if (op < 0.7) c.push('SET', type(g), offset(g), g.intText());
    else c.push('INCRBY', type(g), offset(g), g.intText());
  }
  return [c];
}

export const bits: FamilyGen = (g) =>
  g.weighted<(g: Gen) => Cmd[]>([
    [5, (g) => [['SETBIT', g.key('bit'), String(g.chance(0.05) ? g.int(1000, 40_000) : g.int(0, 400)), g.pick(['0', '1'])]]],
    [3, bitfield],
    [2, (g) => {
      const op = g.pick(['AND', 'OR', 'XOR', 'NOT']);
      const n = op === 'NOT' ? 1 : g.int(1, 3);
      return [['BITOP', op, g.key('bit'), ...g.keys('bit', n)]];
    }],
    [1, (g) => [['BITFIELD_RO', g.key('bit'), 'GET', type(g), offset(g)]]],
    [1, (g) => [['GETBIT', g.key('bit'), String(g.int(0, 500))]]],
    [1, (g) => [['BITCOUNT', g.key('bit'), String(g.int(-20, 20)), String(g.int(-20, 20)), g.pick(['BIT', 'BYTE'])]]],
    [1, (g) => [['BITPOS', g.key('bit'), g.pick(['0', '1'])]]],
  ])(g);
