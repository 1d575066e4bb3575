/**
 * ZUNION, ZINTER, ZDIFF, their *STORE forms and ZINTERCARD: the inputs (sorted sets, or
 * plain sets whose members count with score 1), WEIGHTS, AGGREGATE and LIMIT read as Redis
 * reads them, and the result computed in Redis's order of operations — inputs sorted by
 * size (smallest first, a stable sort as glibc's merge sort is) for union and intersection,
 * scores multiplied by their weight and folded left to right, a NaN from `inf + -inf` or
 * `0 × inf` counted as 0 where Redis counts it so — so that sums of floating-point scores
 * round exactly as the server's did.
 */
import type { ByteString } from '../../dataset/byte-string.js';
import { ZSetValue } from '../../dataset/zset.js';
import { SetValue } from '../../dataset/set.js';
import type { CommandContext } from '../context.js';
import { argError, SYNTAX, WRONG_TYPE } from '../errors.js';
import { isWord, parseInteger } from '../args.js';
import { fitsListpack, parseScore, writtenScore } from './zset-args.js';

/** Which operation. */
export type ZSetOp = 'union' | 'inter' | 'diff';

/** How scores of the same member combine (AGGREGATE). */
const Aggregate = { Sum: 0, Min: 1, Max: 2 } as const;
type Aggregate = (typeof Aggregate)[keyof typeof Aggregate];

/** One input: its value (absent keys are empty) and weight. */
interface Source {
  value: ZSetValue | SetValue | undefined;
  weight: number;
}

/** A parsed command: its inputs and options. */
export interface ZSetOpArgs {
  sources: Source[];
  aggregate: Aggregate;
  withScores: boolean;
  /** ZINTERCARD's LIMIT (0: none). */
  limit: number;
}

const WEIGHT_NOT_FLOAT = argError('weight value is not a float');
const LIMIT_NEGATIVE = argError("LIMIT can't be negative");

/**
 * Reads `numkeys key … [WEIGHTS w …] [AGGREGATE SUM|MIN|MAX] [WITHSCORES] [LIMIT n]` from
 * `argv[at]` on, as the command allows (`store`: no WITHSCORES; `card`: only LIMIT).
 * @throws CommandError for a bad count, a key of another type, a bad option.
 */
export function parseZSetOp(c: CommandContext, argv: ByteString[], at: number, op: ZSetOp, name: string, store: boolean, card = false): ZSetOpArgs {
  const n = parseInteger(argv[at]);
  if (n < 1) throw argError(`at least 1 input key is needed for '${name}' command`);
  if (n > argv.length - at - 1) throw SYNTAX;
  const sources: Source[] = [];
  for (let i = 0; i < n; i++) {
    const v = c.get(argv[at + 1 + i]);
    if (v !== undefined && (typeof v === 'string' || (v.type !== 'zset' && v.type !== 'set'))) throw WRONG_TYPE;
    sources.push({ value: v as ZSetValue | SetValue | undefined, weight: 1 });
  }
  let aggregate: Aggregate = Aggregate.Sum;
  let withScores = false;
  let limit = 0;
  let j = at + 1 + n;
  while (j < argv.length) {
    const left = argv.length - j;
    if (op !== 'diff' && !card && left >= n + 1 && isWord(argv[j], 'weights')) {
      j++;
      for (let i = 0; i < n; i++, j++) sources[i].weight = parseScore(argv[j], WEIGHT_NOT_FLOAT);
    } else if (op !== 'diff' && !card && left >= 2 && isWord(argv[j], 'aggregate')) {
      const a = argv[j + 1];
      if (isWord(a, 'sum')) aggregate = Aggregate.Sum;
      else if (isWord(a, 'min')) aggregate = Aggregate.Min;
      else if (isWord(a, 'max')) aggregate = Aggregate.Max;
      else throw SYNTAX;
      j += 2;
    } else if (!store && !card && isWord(argv[j], 'withscores')) {
      withScores = true;
      j++;
    } else if (card && left >= 2 && isWord(argv[j], 'limit')) {
      limit = parseInteger(argv[j + 1]);
      if (limit < 0) throw LIMIT_NEGATIVE;
      j += 2;
    } else throw SYNTAX;
  }
  return { sources, aggregate, withScores, limit };
}

function sizeOf(s: Source): number {
  return s.value === undefined ? 0 : s.value.size;
}

function fold(target: number, val: number, agg: Aggregate): number {
  if (agg === Aggregate.Sum) {
    const t = target + val;
    return t !== t ? 0 : t;
  }
  if (agg === Aggregate.Min) return val < target ? val : target;
  return val > target ? val : target;
}

/** The score of a member in an input, or undefined (set members count 1). */
function find(v: ZSetValue | SetValue, m: ByteString): number | undefined {
  if (v instanceof SetValue) return v.has(m) ? 1 : undefined;
  return v.score(m);
}

/** Calls `f` with each member and score of an input. */
function each(v: ZSetValue | SetValue, f: (m: ByteString, s: number) => boolean | void): void {
  if (v instanceof SetValue) {
    for (const m of v.values()) if (f(m, 1) === false) return;
    return;
  }
  for (const [m, s] of v.entries()) if (f(m, s) === false) return;
}

/** The result of the operation as members and scores (in no particular order). */
export function computeZSetOp(op: ZSetOp, a: ZSetOpArgs): { members: ByteString[]; scores: number[] } {
  const members: ByteString[] = [];
  const scores: number[] = [];
  const src = op === 'diff' ? a.sources : a.sources.slice().sort((x, y) => sizeOf(x) - sizeOf(y));
  const first = src[0];
  if (op === 'inter') {
    if (first.value === undefined || first.value.size === 0) return { members, scores };
    each(first.value, (m, s0) => {
      let score = first.weight * s0;
      if (score !== score) score = 0;
      for (let j = 1; j < src.length; j++) {
        const found = find(src[j].value!, m);
        if (found === undefined) return;
        score = fold(score, found * src[j].weight, a.aggregate);
      }
      members.push(m);
      scores.push(score);
      if (a.limit > 0 && members.length >= a.limit) return false;
    });
    return { members, scores };
  }
  if (op === 'union') {
    const acc = new Map<ByteString, number>();
    for (const s of src) {
      if (s.value === undefined) continue;
      each(s.value, (m, v) => {
        let score = s.weight * v;
        if (score !== score) score = 0;
        const old = acc.get(m);
        acc.set(m, old === undefined ? score : fold(old, score, a.aggregate));
      });
    }
    for (const [m, s] of acc) {
      members.push(m);
      scores.push(s);
    }
    return { members, scores };
  }
  if (first.value === undefined) return { members, scores };
  for (let j = 1; j < src.length; j++) if (src[j].value === first.value) return { members, scores };
  each(first.value, (m, s) => {
    for (let j = 1; j < src.length; j++) if (src[j].value !== undefined && find(src[j].value!, m) !== undefined) return;
    members.push(m);
    scores.push(s);
  });
  return { members, scores };
}

/** The result as a sorted set, or null when it is empty. */
export function zsetOf(r: { members: ByteString[]; scores: number[] }): ZSetValue | null {
  if (r.members.length === 0) return null;
  const scores = fitsListpack(r.members) ? r.scores.map((x) => writtenScore(x, true)) : r.scores;
  return ZSetValue.from(r.members, scores)!;
}
