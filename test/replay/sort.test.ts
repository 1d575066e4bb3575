/**
 * SORT and SORT_RO against the installed Redis 7.0. A `SORT … STORE` is logged verbatim, so
 * the replay of the server's AOF recomputes every sort: its result must equal the server's
 * SAVE, and the engine fed the client's commands must agree too (replies included, for SORT
 * without STORE). The workloads cover numbers and ALPHA, DESC, LIMIT at every edge, BY weight
 * keys and hash fields (with ties, absent weights and values that are not numbers), BY a
 * constant, GET patterns, STORE replacing, expiring and deleting its destination, and a
 * seeded mass of BY … LIMIT sorts with ties, where Redis's partial quicksort decides the order.
 */
import { describe, expect, it } from 'vitest';
import { ListValue } from '../../src/dataset/list.js';
import { datasetDiff, runOracle, type Cmd } from '../helpers/replay-oracle.js';
import { applyDirect, refusalCode, replyDiff } from './direct-replies.js';
import { pqsort } from '../../src/replay/commands/pqsort.js';
import { sortScore } from '../../src/replay/commands/sort-lookup.js';

const FAR = '4102444800000';

const NUMS = ['3', '1', '2', '10', '-5', '2.5', '1e2', '07', '0x10', ' 4', '2'];
const WORDS = ['pear', 'apple', 'fig', 'Banana', 'kiwi', 'apple', 'date', 'cherry', '', 'é'];

const SETUP: Cmd[] = [
  ['RPUSH', 'nl', ...NUMS],
  ['RPUSH', 'al', ...WORDS],
  ['SADD', 'ns', '5', '3', '-1', '12', '7'],
  ['SADD', 'ws', 'pear', 'apple', 'fig', 'kiwi'],
  // Weights: numbers for some words, absent for others, equal for some.
  ['SET', 'w_pear', '3'],
  ['SET', 'w_apple', '1'],
  ['SET', 'w_fig', '3'],
  ['SET', 'w_kiwi', '-2'],
  ['SET', 'w_Banana', '1'],
  ['SET', 'w_3', '30'],
  ['SET', 'w_1', '10'],
  ['SET', 'w_10', '10'],
  ['SET', 'w_5', 'b'],
  ['SET', 'w_-1', 'a'],
  ['SET', 'w_12', 'b'],
  ['SET', 'w_7', 'a'],
  ['HSET', 'h_pear', 'f', 'x', 'g', '1'],
  ['HSET', 'h_apple', 'f', 'y', 'g', '2'],
  ['HSET', 'h_fig', 'f', 'x'],
  ['HSET', 'h_kiwi', 'g', '3'],
  ['SET', 'h_date', 'not a hash'],
  ['SET', 'h_cherry->', 'arrow key'],
  ['SET', Buffer.from('k_fig\0z'), 'after nul'],
  // Destinations that exist beforehand.
  ['RPUSH', 'd_ttl', 'old'],
  ['PEXPIREAT', 'd_ttl', FAR],
  ['SET', 'd_str', 'old'],
  ['PEXPIREAT', 'd_str', FAR],
  ['RPUSH', 'd_empty', 'old'],
  ['RPUSH', 'd_missing', 'old'],
  ['SET', 'str', 'v'],
  ['HSET', 'hash', 'a', '1'],
];

const SORTS: Cmd[] = [
  ['SORT', 'nl', 'STORE', 'o_num'],
  ['SORT', 'nl', 'DESC', 'STORE', 'o_desc'],
  ['SORT', 'nl', 'LIMIT', '1', '3', 'STORE', 'o_lim'],
  ['SORT', 'nl', 'LIMIT', '-5', '2', 'STORE', 'o_lim2'],
  ['SORT', 'nl', 'LIMIT', '2', '-1', 'STORE', 'o_lim3'],
  ['SORT', 'nl', 'DESC', 'LIMIT', '8', '100', 'STORE', 'o_lim4'],
  ['SORT', 'nl', 'LIMIT', '100', '5', 'STORE', 'd_empty'],
  ['SORT', 'nl', 'LIMIT', '0', '0', 'STORE', 'o_zero'],
  ['SORT', 'al', 'ALPHA', 'STORE', 'o_alpha'],
  ['SORT', 'al', 'ALPHA', 'DESC', 'LIMIT', '2', '4', 'STORE', 'o_alpha2'],
  ['SORT', 'al', 'STORE', 'o_bad'],
  ['SORT', 'al', 'BY', 'w_*', 'STORE', 'o_by'],
  ['SORT', 'al', 'BY', 'w_*', 'DESC', 'STORE', 'o_by2'],
  ['SORT', 'al', 'BY', 'w_*', 'LIMIT', '1', '5', 'STORE', 'o_by3'],
  ['SORT', 'nl', 'BY', 'w_*', 'STORE', 'o_by4'],
  ['SORT', 'al', 'BY', 'h_*->f', 'ALPHA', 'STORE', 'o_hf'],
  ['SORT', 'al', 'BY', 'h_*->f', 'ALPHA', 'DESC', 'STORE', 'o_hf2'],
  ['SORT', 'al', 'BY', 'h_*->f', 'ALPHA', 'LIMIT', '2', '3', 'STORE', 'o_hf3'],
  ['SORT', 'al', 'BY', 'h_*->g', 'STORE', 'o_hg'],
  ['SORT', 'al', 'BY', 'w_*', 'ALPHA', 'STORE', 'o_wa'],
  ['SORT', 'al', 'BY', 'nosort', 'STORE', 'o_nosort'],
  ['SORT', 'al', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '3', 'STORE', 'o_nosort2'],
  ['SORT', 'al', 'BY', 'nosort', 'BY', 'w_*', 'STORE', 'o_sticky'],
  ['SORT', 'al', 'BY', Buffer.from('w_\0*'), 'STORE', 'o_nulby'],
  ['SORT', 'ws', 'BY', 'nosort', 'STORE', 'o_setnosort'],
  ['SORT', 'ws', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2', 'STORE', 'o_setnosort2'],
  ['SORT', 'ns', 'STORE', 'o_set'],
  ['SORT', 'ns', 'BY', 'w_*', 'ALPHA', 'STORE', 'o_intset_ties'],
  ['SORT', 'ns', 'BY', 'w_*', 'ALPHA', 'DESC', 'STORE', 'o_intset_ties2'],
  ['SORT', 'ws', 'BY', 'w_*', 'STORE', 'o_set_by'],
  ['SORT', 'al', 'ALPHA', 'GET', '#', 'GET', 'w_*', 'GET', 'h_*->f', 'GET', 'nostar', 'STORE', 'o_get'],
  ['SORT', 'al', 'ALPHA', 'GET', 'h_*->', 'GET', Buffer.from('k_*\0z'), 'STORE', 'o_get2'],
  ['SORT', 'al', 'ALPHA', 'LIMIT', '0', '3', 'GET', 'nothing_*', 'STORE', 'o_get3'],
  ['SORT', 'nl', 'STORE', 'd_ttl'],
  ['SORT', 'al', 'ALPHA', 'STORE', 'd_str'],
  ['SORT', 'missing', 'STORE', 'd_missing'],
  ['SORT', 'nl', 'STORE', 'nl'],
  ['SORT', 'str', 'STORE', 'o_err'],
  ['SORT', 'hash', 'STORE', 'o_err'],
  ['SORT', 'nl', 'LIMIT', '1', 'x', 'STORE', 'o_err'],
  ['SORT', 'nl', 'LIMIT', '1'],
  ['SORT', 'nl', 'FOO'],
  ['SORT', 'nl', 'STORE'],
  ['SORT_RO', 'nl', 'STORE', 'o_err'],
  // Replies (compared with the engine's).
  ['SORT', 'nl'],
  ['SORT', 'al', 'ALPHA', 'DESC'],
  ['SORT', 'al', 'BY', 'w_*', 'GET', '#', 'GET', 'h_*->f'],
  ['SORT', 'al', 'BY', 'nosort', 'LIMIT', '2', '2'],
  ['SORT', 'ns', 'BY', 'w_*', 'ALPHA'],
  ['SORT_RO', 'al', 'BY', 'h_*->f', 'ALPHA', 'LIMIT', '1', '4'],
  ['SORT_RO', 'missing'],
  ['MULTI'],
  ['SORT', 'al', 'ALPHA', 'STORE', 'o_tx'],
  ['RPUSH', 'al', 'zz'],
  ['SORT', 'al', 'ALPHA', 'STORE', 'o_tx2'],
  ['EXEC'],
];

/**
 * Weight values: how SORT reads each as a number (or refuses the sort). Those out of range
 * come last: Redis does not clear `errno` before `strtod`, so after one of them the server
 * refuses any value until something else resets it, which no replay can follow (and need not:
 * a refused SORT is not logged).
 */
const WEIGHTS = [' 5', '0x10', '', 'inf', '-inf', '+3', '.5', '4\0junk', '1e-300', '-0', '5 ', 'nan', 'abc', '\t', '0x', '1e-310', '1e400', '1e-400'];

function weightCases(): Cmd[] {
  const cmds: Cmd[] = [['RPUSH', 'wl', 'a', 'b']];
  WEIGHTS.forEach((w, i) => {
    cmds.push(['SET', 'v_a', Buffer.from(w, 'latin1')], ['SET', 'v_b', '1']);
    cmds.push(['SORT', 'wl', 'BY', 'v_*', 'STORE', `wo_${i}`], ['SORT', 'wl', 'BY', 'v_*']);
  });
  return cmds;
}

/** A small seeded generator (mulberry32), so a failure can be reproduced. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * Lists of 5 to 200 elements whose weights take few values (ALPHA BY: ties stay ties), sorted
 * with LIMITs of every kind: the partial quicksort's arrangement of the ties is the result.
 */
function partialSorts(seed: number): Cmd[] {
  const rnd = random(seed);
  const cmds: Cmd[] = [];
  for (let k = 0; k < 12; k++) {
    const n = [5, 6, 7, 8, 12, 40, 41, 60, 120, 200][Math.floor(rnd() * 10)];
    const items = Array.from({ length: n }, (_, i) => `e${k}_${i}`);
    cmds.push(['RPUSH', `pl${k}`, ...items]);
    const weights = items.filter(() => rnd() < 0.85).flatMap((e) => [`pw_${e}`, String.fromCharCode(97 + Math.floor(rnd() * 4))]);
    if (weights.length > 0) cmds.push(['MSET', ...weights]);
    for (let s = 0; s < 4; s++) {
      const start = Math.floor(rnd() * n);
      const count = 1 + Math.floor(rnd() * n);
      const desc = rnd() < 0.5 ? ['DESC'] : [];
      cmds.push(['SORT', `pl${k}`, 'BY', 'pw_*', 'ALPHA', ...desc, 'LIMIT', String(start), String(count), 'STORE', `po${k}_${s}`]);
      cmds.push(['SORT', `pl${k}`, 'BY', 'pw_*', 'ALPHA', ...desc, 'LIMIT', String(start), String(count)]);
    }
    cmds.push(['SORT', `pl${k}`, 'BY', 'pw_*', 'ALPHA', 'STORE', `pf${k}`]);
  }
  return cmds;
}

const sortOfSetByConstant = (argv: string[]) => argv[0].toUpperCase() === 'SORT' && argv[1] === 'ws' && argv.includes('nosort') && !argv.includes('STORE');

describe('SORT against Redis 7.0', () => {
  const cmds = [...SETUP, ...SORTS];

  it('every option: the replay and the direct application equal the server, replies too', async () => {
    const run = await runOracle(cmds, { direct: true });
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
    expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
    expect(replyDiff(cmds, run.replies, applyDirect(cmds).replies, sortOfSetByConstant)).toEqual([]);
    const db = run.saved.db(0);
    expect(db.get('d_str')).toBeInstanceOf(ListValue);
    expect(db.expireAt('d_ttl')).toBeNull();
    expect(db.has('d_empty') || db.has('d_missing') || db.has('o_bad') || db.has('o_zero')).toBe(false);
    const aof = Object.values(run.aofFiles)
      .map((b) => b.toString('latin1'))
      .join('');
    expect(aof).toContain('$5\r\nSTORE\r\n$5\r\no_hf3');
  });

  it('the same with an RDB preamble and a rewrite after the setup', async () => {
    const run = await runOracle(cmds, { preamble: true, rewriteAfter: SETUP.length });
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
  });

  it('weights read as C strtod reads them, and sorts refused for values that are not numbers', async () => {
    const w = weightCases();
    const run = await runOracle(w, { direct: true });
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
    expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
    expect(replyDiff(w, run.replies, applyDirect(w).replies)).toEqual([]);
    const refused = WEIGHTS.filter((_, i) => !run.saved.db(0).has(`wo_${i}`));
    expect(refused).toEqual(['5 ', 'nan', 'abc', '\t', '0x', '1e-310', '1e400', '1e-400']);
  });

  it('BY with LIMIT: the partial quicksort leaves ties where the server does', async () => {
    const p = partialSorts(20240607);
    const run = await runOracle(p, { direct: true, preamble: true, rewriteAfter: Math.floor(p.length / 2) });
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
    expect(datasetDiff(run.saved, run.direct!)).toEqual([]);
    expect(replyDiff(p, run.replies, applyDirect(p).replies)).toEqual([]);
  });

  it('sorted sets: rank order for BY a constant, numbers and ALPHA otherwise', async () => {
    const z: Cmd[] = [
      ['ZADD', 'z', '3', 'c', '1', 'a', '2', 'b', '2', 'bb', '-1', '9'],
      ['SET', 'w_a', '5'],
      ['SET', 'w_b', '1'],
      ['SORT', 'z', 'BY', 'nosort', 'STORE', 'zo1'],
      ['SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '3', 'STORE', 'zo2'],
      ['SORT', 'z', 'ALPHA', 'STORE', 'zo3'],
      ['SORT', 'z', 'BY', 'w_*', 'STORE', 'zo4'],
      ['SORT', 'z', 'BY', 'w_*', 'LIMIT', '1', '2', 'GET', '#', 'GET', 'w_*', 'STORE', 'zo5'],
      ['SORT', 'z', 'BY', 'nosort', 'LIMIT', '1', '2'],
    ];
    // The sorted set is built before the rewrite: its base is an RDB, the SORTs follow as commands.
    const run = await runOracle(z, { preamble: true, rewriteAfter: 3 });
    expect(datasetDiff(run.saved, run.replayed.dataset)).toEqual([]);
    expect((run.saved.db(0).get('zo2') as ListValue).toArray()).toEqual(['bb', 'b', 'a']);
  });
});

describe('SORT refusals and helpers', () => {
  it('wrong type, arity and bad arguments stop the replay with their code', () => {
    expect(refusalCode(['SORT', 's', 'STORE', 'd'], [['SET', 's', 'v']])).toBe('REPLAY_WRONG_TYPE');
    expect(refusalCode(['SORT'])).toBe('REPLAY_ARITY');
    expect(refusalCode(['SORT', 'l', 'LIMIT', '0'])).toBe('REPLAY_BAD_ARGUMENT');
    expect(refusalCode(['SORT_RO', 'l', 'STORE', 'd'])).toBe('REPLAY_BAD_ARGUMENT');
    expect(refusalCode(['SORT', 'l', 'STORE', 'd'], [['RPUSH', 'l', 'a']])).toBe('REPLAY_BAD_ARGUMENT');
    expect(refusalCode(['SORT', 'l', 'ALPHA', 'STORE', 'd'], [['RPUSH', 'l', 'a']])).toBe('none');
  });

  it('sortScore reads what strtod reads', () => {
    expect(sortScore('')).toBe(0);
    expect(sortScore(' \n7')).toBe(7);
    expect(sortScore('0x1p4')).toBe(16);
    expect(sortScore('1e-310')).toBeNull();
    expect(sortScore('0x0p0')).toBe(0);
    expect(sortScore('Infinity')).toBe(Infinity);
  });

  it('pqsort puts the wanted range in order, whatever it does elsewhere', () => {
    const rnd = random(7);
    for (let t = 0; t < 200; t++) {
      const n = 1 + Math.floor(rnd() * 300);
      const v = Array.from({ length: n }, () => Math.floor(rnd() * 50));
      const want = [...v].sort((a, b) => a - b);
      const l = Math.floor(rnd() * n);
      const r = l + Math.floor(rnd() * (n - l));
      pqsort(v, (a, b) => a - b, l, r);
      expect(v.slice(l, r + 1)).toEqual(want.slice(l, r + 1));
    }
  });
});
