/**
 * Sorted-set commands: ZADD with every flag and scores Redis prints in several ways (integers,
 * fractions, ±inf, -0, tiny and huge), hundreds of members and long ones (listpack to skiplist),
 * ZINCRBY, the removals and pops (blocking ones with a short timeout), the STORE forms with
 * weights and aggregates over sets and sorted sets, ZRANGESTORE.
 */
import type { Cmd } from '../../helpers/replay-oracle.js';
import type { FamilyGen, Gen } from './gen.js';

export function score(g: Gen): string {
  return g.weighted<() => string>([
    [5, () => String(g.int(-20, 20))],
    [3, () => (g.int(-10000, 10000) / 64).toString()],
    [1, () => g.pick(['+inf', '-inf', 'inf', '-0', '0.1', '1e-300', '1e300', '3.0', '1.7976931348623157e308', '5e-324', '9007199254740993'])],
    [1, () => String(g.next() * 1000 - 500)],
  ])();
}

const pairs = (g: Gen, n: number): string[] => Array.from({ length: n }, () => [score(g), g.member()]).flat() as string[];
const minMax = (g: Gen): string => g.pick(['-inf', '+inf', '0', '(1', '5', '(-3', '10', '-0.5']);
const lex = (g: Gen): string => g.pick(['-', '+', '[m1', '(m2', '[m3', '[a', '(z', '[m', '(m1']);

function zadd(g: Gen): Cmd[] {
  const c: Cmd = ['ZADD', g.key('zset')];
  if (g.chance(0.2)) c.push(g.pick(['NX', 'XX']));
  if (g.chance(0.2)) c.push(g.pick(['GT', 'LT']));
  if (g.chance(0.2)) c.push('CH');
  if (g.chance(0.1)) {
    c.push('INCR', score(g), g.member());
    return [c];
  }
  if (g.chance(0.08)) c.push(...(g.bulk(() => [score(g), g.member()]).flat() as (string | Buffer)[]));
  else c.push(...pairs(g, g.int(1, 4)));
  return [c];
}

function store(g: Gen): Cmd[] {
  const name = g.pick(['ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE']);
  const n = g.int(1, 3);
  const c: Cmd = [name, g.key('zset'), String(n), ...Array.from({ length: n }, () => (g.chance(0.2) ? g.key('set') : g.key('zset')))];
  if (name !== 'ZDIFFSTORE') {
    if (g.chance(0.3)) c.push('WEIGHTS', ...Array.from({ length: n }, () => g.pick(['1', '2', '-1', '0', '0.5', 'inf'])));
    if (g.chance(0.3)) c.push('AGGREGATE', g.pick(['SUM', 'MIN', 'MAX']));
  }
  return [c];
}

/**
 * ZRANGESTORE of any kind. Here scores differ, so a lex range is open at the end Redis starts
 * its walk from (`-` forward, `+` with REV): what it finds is then the same in a listpack and
 * in a skiplist whatever its levels.
 */
function rangestore(g: Gen): Cmd[] {
  const kind = g.pick(['rank', 'score', 'lex']);
  const rev = g.chance(0.3);
  const c: Cmd = ['ZRANGESTORE', g.key('zset'), g.key('zset')];
  if (kind === 'rank') c.push(String(g.int(-5, 5)), String(g.int(-5, 50)));
  else if (kind === 'score') c.push(minMax(g), minMax(g), 'BYSCORE');
  else c.push(...(rev ? ['+', lex(g)] : ['-', lex(g)]), 'BYLEX');
  if (rev) c.push('REV');
  if (kind !== 'rank' && g.chance(0.3)) c.push('LIMIT', String(g.int(0, 3)), String(g.int(-1, 5)));
  return [c];
}

export const zsets: FamilyGen = (g) =>
  g.weighted<(g: Gen) => Cmd[]>([
    [7, zadd],
    [2, (g) => [['ZINCRBY', g.key('zset'), score(g), g.member()]]],
    [2, (g) => [['ZREM', g.key('zset'), ...Array.from({ length: g.int(1, 3) }, () => g.member())]]],
    [1, (g) => [['ZREMRANGEBYSCORE', g.key('zset'), minMax(g), minMax(g)]]],
    [1, (g) => [['ZREMRANGEBYRANK', g.key('zset'), String(g.int(-5, 5)), String(g.int(-5, 5))]]],
    [1, (g) => [['ZREMRANGEBYLEX', g.key('zset'), '-', lex(g)]]],
    [2, (g) => [[g.pick(['ZPOPMIN', 'ZPOPMAX']), g.key('zset'), ...(g.chance(0.5) ? [String(g.int(1, 5))] : [])]]],
    [1, (g) => [['ZMPOP', '2', g.key('zset'), g.key('zset'), g.pick(['MIN', 'MAX']), ...(g.chance(0.5) ? ['COUNT', String(g.int(1, 5))] : [])]]],
    [0.3, (g) => [[g.pick(['BZPOPMIN', 'BZPOPMAX']), g.key('zset'), '0.01']]],
    [0.3, (g) => [['BZMPOP', '0.01', '1', g.key('zset'), g.pick(['MIN', 'MAX']), 'COUNT', String(g.int(1, 3))]]],
    [2, store],
    [1, rangestore],
    [1, (g) => [g.pick<Cmd>([['ZRANGE', g.key('zset'), '0', '-1', 'WITHSCORES'], ['ZCARD', g.key('zset')], ['ZSCORE', g.key('zset'), g.member()]])]],
  ])(g);

/**
 * Lex ranges bounded at both ends, over sets whose members all score 0 (the `y` keys): ZADD of
 * a few members or of hundreds (a skiplist), ZREM, ZREMRANGEBYLEX, ZRANGESTORE … BYLEX with
 * LIMIT and REV, pops.
 */
export const zlex: FamilyGen = (g) =>
  g.weighted<(g: Gen) => Cmd[]>([
    [4, (g) => [['ZADD', g.key('lex'), ...Array.from({ length: g.int(1, 4) }, () => ['0', g.member()]).flat()]]],
    [1, (g) => [['ZADD', g.key('lex'), ...g.bulk(() => ['0', g.member()]).flat()]]],
    [1, (g) => [['ZREM', g.key('lex'), g.member()]]],
    [2, (g) => [['ZREMRANGEBYLEX', g.key('lex'), lex(g), lex(g)]]],
    [2, (g) => {
      const c: Cmd = ['ZRANGESTORE', g.key('lex'), g.key('lex'), lex(g), lex(g), 'BYLEX'];
      if (g.chance(0.3)) c.push('REV');
      if (g.chance(0.4)) c.push('LIMIT', String(g.int(0, 3)), String(g.int(-1, 5)));
      return [c];
    }],
    [1, (g) => [[g.pick(['ZPOPMIN', 'ZPOPMAX']), g.key('lex'), String(g.int(1, 3))]]],
    [1, (g) => [['ZLEXCOUNT', g.key('lex'), lex(g), lex(g)]]],
  ])(g);
