/**
 * Ranges of a sorted set: by rank, by score (`1.5`, `(1.5`, `-inf`, `+inf`) and by member
 * bytes (`[a`, `(a`, `-`, `+`), each turned into a window of ranks [lo, hi) of the set's
 * (score, member) order. ZRANGE and its older forms, ZRANGESTORE, ZCOUNT, ZLEXCOUNT and the
 * ZREMRANGEBY* commands all read these windows, so LIMIT, REV and removal work the same way
 * for each kind.
 *
 * Lex ranges assume, as Redis documents, that all members have the same score. When they do
 * not, the members are not in byte order and Redis's answer is whatever its walk finds, so the
 * walk is Redis's here: a range whose low end is above the last member or whose high end is
 * below the first finds nothing; a listpack set is scanned from the head for the first member
 * and from the tail for the last; a skiplist set is searched from its head — here as along its
 * lowest level, which is Redis's answer whenever the members are in order and its likeliest
 * otherwise (the levels Redis drew are random and not in the AOF).
 */
import type { ByteString } from '../../dataset/byte-string.js';
import type { ZSetValue } from '../../dataset/zset.js';
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

/** True when a lex range holds nothing whatever the members (Redis's sdscmplex of its ends). */
function lexRangeEmpty(r: LexRange): boolean {
  const a = r.min;
  const b = r.max;
  let cmp: number;
  if (a.inf !== 0 || b.inf !== 0) cmp = a.inf === b.inf ? 0 : a.inf < 0 || b.inf > 0 ? -1 : 1;
  else cmp = a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
  return cmp > 0 || (cmp === 0 && (a.ex || b.ex));
}

/** The members in the set's order. */
function membersOf(z: ZSetValue): ByteString[] {
  const out: ByteString[] = [];
  for (const [m] of z.ascending()) out.push(m);
  return out;
}

/** Redis's first check of a lex range (zzlIsInLexRange, zslIsInLexRange): not empty, last member not below it, first not above it. */
function lexReachable(m: ByteString[], r: LexRange): boolean {
  return !lexRangeEmpty(r) && m.length > 0 && lexAboveMin(m[m.length - 1], r) && lexBelowMax(m[0], r);
}

/** Rank of the member a lex range starts at (zzlFirstInLexRange, zslFirstInLexRange), or −1. */
function firstInLex(m: ByteString[], r: LexRange): number {
  if (!lexReachable(m, r)) return -1;
  let i = 0;
  while (!lexAboveMin(m[i], r)) i++;
  return lexBelowMax(m[i], r) ? i : -1;
}

/**
 * Rank of the member a lex range ends at (zzlLastInLexRange: scanning from the tail;
 * zslLastInLexRange: going forward from the head while in range), or −1.
 */
function lastInLex(m: ByteString[], r: LexRange, listpack: boolean): number {
  if (!lexReachable(m, r)) return -1;
  let i: number;
  if (listpack) {
    i = m.length - 1;
    while (!lexBelowMax(m[i], r)) i--;
  } else {
    i = 0;
    while (i + 1 < m.length && lexBelowMax(m[i + 1], r)) i++;
  }
  return lexAboveMin(m[i], r) ? i : -1;
}

const NO_RANKS: RankWindow = { lo: 0, hi: 0 };

/**
 * The ranks ZRANGEBYLEX (ZRANGE … BYLEX, ZRANGESTORE) returns: from the range's first member
 * (its last with `reverse`), `offset` members skipped whatever they are, then up to `count`
 * members (all with a negative count) while they stay within the far end.
 */
export function lexSelect(z: ZSetValue, r: LexRange, reverse: boolean, offset: number, count: number): RankWindow {
  const m = membersOf(z);
  const start = reverse ? lastInLex(m, r, z.small) : firstInLex(m, r);
  if (start < 0 || offset < 0) return NO_RANKS;
  let left = count;
  if (!reverse) {
    const from = start + offset;
    let to = from;
    while (to < m.length && left-- !== 0 && lexBelowMax(m[to], r)) to++;
    return from >= m.length ? NO_RANKS : { lo: from, hi: to };
  }
  const from = start - offset;
  let to = from;
  while (to >= 0 && left-- !== 0 && lexAboveMin(m[to], r)) to--;
  return from < 0 ? NO_RANKS : { lo: to + 1, hi: from + 1 };
}

/**
 * The ranks ZREMRANGEBYLEX removes: from the range's first member while within its high end
 * (a skiplist set skips the first check: zslDeleteRangeByLex walks to the low end directly).
 */
export function lexRemoveWindow(z: ZSetValue, r: LexRange): RankWindow {
  const m = membersOf(z);
  let from: number;
  if (z.small) {
    from = firstInLex(m, r);
    if (from < 0) return NO_RANKS;
  } else {
    from = 0;
    while (from < m.length && !lexAboveMin(m[from], r)) from++;
  }
  let to = from;
  while (to < m.length && lexBelowMax(m[to], r)) to++;
  return { lo: from, hi: to };
}

/**
 * ZLEXCOUNT's answer: a listpack set counts from the first member while within the high end;
 * a skiplist set subtracts ranks of the first and the last member (all after the first when
 * there is no last — Redis's arithmetic, even where the members are out of order).
 */
export function lexCount(z: ZSetValue, r: LexRange): number {
  const m = membersOf(z);
  const first = firstInLex(m, r);
  if (first < 0) return 0;
  if (z.small) {
    let to = first;
    while (to < m.length && lexBelowMax(m[to], r)) to++;
    return to - first;
  }
  const last = lastInLex(m, r, false);
  return last < 0 ? m.length - first : last - first + 1;
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
