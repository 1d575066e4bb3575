/**
 * List commands: pushes of a few elements and of hundreds (quicklists of several nodes),
 * long elements (past 64 bytes, and past 8 kB: plain quicklist nodes), pops with counts,
 * LINSERT/LSET/LREM/LTRIM, moves between lists, the blocking forms with a short timeout, and
 * SORT … STORE.
 */
import type { Cmd } from '../../helpers/replay-oracle.js';
import type { FamilyGen, Gen } from './gen.js';

const side = (g: Gen) => g.pick(['LEFT', 'RIGHT']);

/**
 * A script sorting KEYS[1] into KEYS[2] with the options in ARGV when KEYS[1] holds a list,
 * doing nothing otherwise. Its SORT … STORE is logged as it ran.
 */
const SORT_IF_LIST =
  "if redis.call('TYPE', KEYS[1])['ok'] ~= 'list' then return false end " +
  "local a = {KEYS[1]} for _, v in ipairs(ARGV) do a[#a + 1] = v end a[#a + 1] = 'STORE' a[#a + 1] = KEYS[2] " +
  "return redis.call('SORT', unpack(a))";

/**
 * SORT … STORE of a list, set or sorted set, by weights from string keys or hash fields,
 * getting values from them. ALPHA with a BY pattern sorts only lists (through a script that
 * checks the type): equal weights keep the input order, which for a set in a hash table or a
 * sorted set (read through its dictionary) is the server's hash order — nothing an AOF records.
 */
function sort(g: Gen): Cmd[] {
  const list = g.chance(0.5);
  const src = list ? g.key('list') : g.pick([g.key('set'), g.key('zset')]);
  const opts: string[] = [];
  const by = g.chance(0.4) ? g.pick(['s*', 'h*->f1', 'nosort', 'm*', 'h1->*']) : null;
  if (by !== null) opts.push('BY', by);
  if (g.chance(0.3)) opts.push('LIMIT', String(g.int(0, 3)), String(g.int(-1, 5)));
  if (g.chance(0.3)) for (let n = g.int(1, 2); n > 0; n--) opts.push('GET', g.pick(['#', 's*', 'h*->f1', 'h2->*']));
  if (g.chance(0.3)) opts.push(g.pick(['ASC', 'DESC']));
  const alpha = g.chance(0.5);
  const dst = g.key('list');
  if (alpha && list && by !== null && by !== 'nosort') return [['EVAL', SORT_IF_LIST, '2', src, dst, ...opts, 'ALPHA']];
  if (alpha && (by === null || by === 'nosort')) opts.push('ALPHA');
  return [['SORT', src, ...opts, 'STORE', dst]];
}

export const lists: FamilyGen = (g) =>
  g.weighted<(g: Gen) => Cmd[]>([
    [6, (g) => [[g.pick(['LPUSH', 'RPUSH']), g.key('list'), ...Array.from({ length: g.int(1, 4) }, () => g.member())]]],
    [1, (g) => [[g.pick(['LPUSH', 'RPUSH']), g.key('list'), ...g.bulk(() => g.member())]]],
    [1, (g) => [[g.pick(['LPUSHX', 'RPUSHX']), g.key('list'), g.member()]]],
    [0.3, (g) => [[g.pick(['LPUSH', 'RPUSH']), g.key('list'), g.pick(['x', 'ab']).repeat(g.int(4100, 4600)), g.member()]]],
    [3, (g) => [[g.pick(['LPOP', 'RPOP']), g.key('list'), ...(g.chance(0.4) ? [String(g.int(0, 5))] : [])]]],
    [1, (g) => [['LINSERT', g.key('list'), g.pick(['BEFORE', 'AFTER']), g.member(), g.member()]]],
    [1, (g) => [['LSET', g.key('list'), String(g.int(-5, 5)), g.member()]]],
    [1, (g) => [['LREM', g.key('list'), String(g.int(-3, 3)), g.member()]]],
    [1, (g) => [['LTRIM', g.key('list'), String(g.int(-10, 10)), String(g.int(-10, 200))]]],
    [1, (g) => [['LMOVE', g.key('list'), g.key('list'), side(g), side(g)]]],
    [1, (g) => [['RPOPLPUSH', g.key('list'), g.key('list')]]],
    [1, (g) => [['LMPOP', '2', g.key('list'), g.key('list'), side(g), ...(g.chance(0.5) ? ['COUNT', String(g.int(1, 10))] : [])]]],
    [0.5, (g) => [[g.pick(['BLPOP', 'BRPOP']), g.key('list'), '0.01']]],
    [0.3, (g) => [['BLMOVE', g.key('list'), g.key('list'), side(g), side(g), '0.01']]],
    [0.3, (g) => [['BLMPOP', '0.01', '1', g.key('list'), side(g), 'COUNT', String(g.int(1, 3))]]],
    [1, sort],
    [2, (g) => [g.pick<Cmd>([['LRANGE', g.key('list'), '0', '-1'], ['LINDEX', g.key('list'), String(g.int(-3, 3))], ['LLEN', g.key('list')], ['LPOS', g.key('list'), g.member()]])]],
  ])(g);
