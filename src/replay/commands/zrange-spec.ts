/**
 * Ranges of a sorted set: by rank, by score (`1.5`, `(1.5`, `-inf`, `+inf`) and by member
 * bytes (`[a`, `(a`, `-`, `+`), each turned into a window of ranks [lo, hi) of the set's
 * (score, member) order. ZRANGE and its older forms, ZRANGESTORE, ZCOUNT, ZLEXCOUNT and the
 * ZREMRANGEBY* commands all read these windows, so LIMIT, REV and removal work the same way
 * for each kind.
 *
 * Lex ranges assume, as Redis documents, that all members have the same score. When they
 * do not, Redis's answer depends on its encoding: a small set (a listpack) is scanned from
 * the end it starts at, which is what happens here for a set of up to 128 members; a large
 * one is searched in its skiplist, here by a binary search (equal for equal scores).
 */
import type { ByteString } from '../../dataset/byte-string.js';
import type { ZSetValue } from '../../dataset/zset.js';
import { PACK_MAX_ITEMS } from '../../dataset/pack.js';
import { argError } from '../errors.js';
import { toRangeDouble } from './zset-args.js';

/** Scores between `min` and `max`, each end open when its flag says so. */
export interface ScoreRange {
  min: number;
  max: number;
  minEx: boolean;
  maxEx: boolean;
}

/** One end of a lex range: −1 is `-` (below everything), 1 is `+` (above everything), 0 a member. */
export interface LexBound {
  inf: -1 | 0 | 1;
  s: ByteString;
  ex: boolean;
}

/** Members between two bounds. */
export interface LexRange {
  min: LexBound;
  max: LexBound;
}

const BAD_SCORE_RANGE = argError('min or max is not a float');
const BAD_LEX_RANGE = argError('min or max not valid string range item');

function scoreBound(s: ByteString): { v: number; ex: boolean } | null {
  const ex = s.charCodeAt(0) === 0x28; /* '(' */
  const v = toRangeDouble(ex ? s.slice(1) : s);
  return v === null ? null : { v, ex };
}

/**
 * A score range from its two arguments.
 * @throws CommandError "min or max is not a float".
 */
export function parseScoreRange(minArg: ByteString, maxArg: ByteString): ScoreRange {
  const a = scoreBound(minArg);
  const b = scoreBound(maxArg);
  if (a === null || b === null) throw BAD_SCORE_RANGE;
  return { min: a.v, max: b.v, minEx: a.ex, maxEx: b.ex };
}

function lexBound(s: ByteString): LexBound | null {
  switch (s.charCodeAt(0)) {
    case 0x2b /* + */:
      return s.length === 1 ? { inf: 1, s: '', ex: true } : null;
    case 0x2d /* - */:
      return s.length === 1 ? { inf: -1, s: '', ex: true } : null;
    case 0x28 /* ( */:
      return { inf: 0, s: s.slice(1), ex: true };
    case 0x5b /* [ */:
      return { inf: 0, s: s.slice(1), ex: false };
    default:
      return null;
  }
}

/**
 * A lex range from its two arguments.
 * @throws CommandError "min or max not valid string range item".
 */
export function parseLexRange(minArg: ByteString, maxArg: ByteString): LexRange {
  const min = lexBound(minArg);
  const max = lexBound(maxArg);
  if (min === null || max === null) throw BAD_LEX_RANGE;
  return { min, max };
}

/** True when a member is at or above the range's lower end. */
export function lexAboveMin(m: ByteString, r: LexRange): boolean {
  const b = r.min;
  if (b.inf !== 0) return b.inf < 0;
  return b.ex ? m > b.s : m >= b.s;
}

/** True when a member is at or below the range's upper end. */
export function lexBelowMax(m: ByteString, r: LexRange): boolean {
  const b = r.max;
  if (b.inf !== 0) return b.inf > 0;
  return b.ex ? m < b.s : m <= b.s;
}

/** A window of ranks: lo inclusive, hi exclusive (empty when hi ≤ lo). */
export interface RankWindow {
  lo: number;
  hi: number;
}

/**
 * The ranks `start` … `end` (negative counting from the end, both inclusive) as a window,
 * clamped as ZRANGE and ZREMRANGEBYRANK clamp them.
 */
export function rankWindow(size: number, start: number, end: number): RankWindow {
  if (start < 0) start += size;
  if (end < 0) end += size;
  if (start < 0) start = 0;
  if (start > end || start >= size) return { lo: 0, hi: 0 };
  if (end >= size) end = size - 1;
  return { lo: start, hi: end + 1 };
}

/** The ranks whose scores are in the range. */
export function scoreWindow(z: ZSetValue, r: ScoreRange): RankWindow {
  if (r.min > r.max || (r.min === r.max && (r.minEx || r.maxEx))) return { lo: 0, hi: 0 };
  const lo = z.rankOfScore(r.min, r.minEx);
  const hi = z.rankOfScore(r.max, !r.maxEx);
  return { lo, hi: Math.max(lo, hi) };
}

/** Rank of the first member at or above the lower end (binary search: equal scores assumed). */
function firstAboveMin(z: ZSetValue, r: LexRange): number {
  let lo = 0;
  let hi = z.size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (lexAboveMin(z.at(mid)![0], r)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Rank of the first member above the upper end (binary search: equal scores assumed). */
function firstAboveMax(z: ZSetValue, r: LexRange): number {
  let lo = 0;
  let hi = z.size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (!lexBelowMax(z.at(mid)![0], r)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The ranks whose members are in the lex range, found from the low end (`reverse` false:
 * ZRANGEBYLEX, ZLEXCOUNT, ZREMRANGEBYLEX) or from the high end (ZREVRANGEBYLEX); the two
 * agree when all scores are equal.
 */
export function lexWindow(z: ZSetValue, r: LexRange, reverse = false): RankWindow {
  const n = z.size;
  if (n > PACK_MAX_ITEMS) {
    const lo = firstAboveMin(z, r);
    const hi = firstAboveMax(z, r);
    return { lo, hi: Math.max(lo, hi) };
  }
  const members: ByteString[] = [];
  for (const [m] of z.ascending()) members.push(m);
  if (!reverse) {
    let lo = 0;
    while (lo < n && !lexAboveMin(members[lo], r)) lo++;
    let hi = lo;
    while (hi < n && lexBelowMax(members[hi], r)) hi++;
    return { lo, hi };
  }
  let hi = n;
  while (hi > 0 && !lexBelowMax(members[hi - 1], r)) hi--;
  let lo = hi;
  while (lo > 0 && lexAboveMin(members[lo - 1], r)) lo--;
  return { lo, hi };
}

/**
 * The part of a window that LIMIT offset count selects, counted from the low end or, with
 * `reverse`, from the high end: a negative offset selects nothing, a negative count
 * everything after the offset.
 */
export function limitWindow(w: RankWindow, offset: number, count: number, reverse: boolean): RankWindow {
  const len = w.hi - w.lo;
  if (offset < 0 || offset >= len || count === 0) return { lo: w.lo, hi: w.lo };
  const take = count < 0 ? len - offset : Math.min(count, len - offset);
  return reverse ? { lo: w.hi - offset - take, hi: w.hi - offset } : { lo: w.lo + offset, hi: w.lo + offset + take };
}

/**
 * The [member, score] pairs of a window, from the low rank up, or from the high rank down
 * with `reverse`.
 */
export function windowPairs(z: ZSetValue, w: RankWindow, reverse: boolean): [ByteString, number][] {
  const out: [ByteString, number][] = [];
  const n = w.hi - w.lo;
  if (n <= 0) return out;
  for (const p of z.ascending(w.lo)) {
    out.push(p);
    if (out.length === n) break;
  }
  if (reverse) out.reverse();
  return out;
}
