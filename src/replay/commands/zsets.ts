/**
 * The sorted-set commands: ZADD with every flag (NX, XX, GT, LT, CH, INCR) and ZINCRBY,
 * ZREM and the ZREMRANGEBY* commands, the pops (ZPOPMIN/ZPOPMAX, and the blocking and
 * multi-key forms older files hold verbatim, applied as the pop they performed), the
 * *STORE commands (ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, ZRANGESTORE), and the reads a
 * script may call (ZSCORE, ZRANGE in all its forms, ZCOUNT, ZRANK …).
 *
 * Redis logs ZADD, ZINCRBY, ZREM, the ZREMRANGEBY* and the *STORE commands verbatim: each
 * is recomputed here with the server's arithmetic, so a ZUNIONSTORE sum or a ZINCRBY on a
 * float score comes out to the same bits. Since 5.0 the blocking pops are logged as
 * ZPOPMIN/ZPOPMAX, and since 7.0 ZMPOP/BZMPOP as `ZPOPMIN/ZPOPMAX key count`.
 */
import type { ByteString } from '../../dataset/byte-string.js';
import { ZSetValue, redisOrder } from '../../dataset/zset.js';
import type { CommandTable } from '../command.js';
import type { CommandContext } from '../context.js';
import { argError, SYNTAX } from '../errors.js';
import { isWord, parseInteger, toDouble } from '../args.js';
import type { Reply } from '../reply.js';
import { formatScore, parseScore, writtenScore } from './zset-args.js';
import { PACK_MAX_ITEMS, fitsPack } from '../../dataset/pack.js';
import { computeZSetOp, parseZSetOp, zsetOf, type ZSetOp } from './zset-algebra.js';
import { lexCount, lexRemoveWindow, lexSelect, limitWindow, parseLexRange, parseScoreRange, rankWindow, scoreWindow, windowPairs, type RankWindow } from './zrange-spec.js';

/** ZADD's flags, as bits. */
export const ZADD_NX = 1;
export const ZADD_XX = 2;
export const ZADD_GT = 4;
export const ZADD_LT = 8;
export const ZADD_INCR = 16;
export const ZADD_CH = 32;

const NAN_RESULT = argError('resulting score is not a number (NaN)');
const XX_NX = argError('XX and NX options at the same time are not compatible');
const GT_LT_NX = argError('GT, LT, and/or NX options at the same time are not compatible');
const INCR_ONE = argError('INCR option supports a single increment-element pair');
const NOT_POSITIVE = argError('value is out of range, must be positive');

/** What adding one member did. */
const NOP = 0;
const ADDED = 1;
const UPDATED = 2;
const SAME = 3;

/** The score the last {@link addOne} left the member with. */
let lastScore = 0;

/** What {@link addOne} needs of a sorted set: the set itself, or the pairs of a {@link SmallBatch}. */
interface ScoreTable {
  score(member: ByteString): number | undefined;
  set(member: ByteString, score: number): unknown;
  readonly small: boolean;
  readonly size: number;
}

/**
 * Adds or updates one member under the flags, as Redis's zsetAdd does; null when an
 * increment makes NaN.
 */
function addOne(z: ScoreTable, score: number, member: ByteString, flags: number): number | null {
  const cur = z.score(member);
  if (cur !== undefined) {
    if (flags & ZADD_NX) return NOP;
    if (flags & ZADD_INCR) {
      score += cur;
      if (score !== score) return null;
    }
    if ((flags & ZADD_LT && score >= cur) || (flags & ZADD_GT && score <= cur)) return NOP;
    lastScore = score;
    if (score !== cur) {
      z.set(member, writtenScore(score, z.small && fitsPack(member)));
      return UPDATED;
    }
    return SAME;
  }
  if (flags & ZADD_XX) return NOP;
  z.set(member, writtenScore(score, z.small && fitsPack(member) && z.size < PACK_MAX_ITEMS));
  lastScore = score;
  return ADDED;
}

/**
 * The pairs of a small sorted set, taken out for a ZADD of many members: each member costs a
 * map lookup instead of a scan and a new pack (or a lookup and an insert into the score order,
 * once large), and the set is rebuilt once, by {@link PairBatch.finish}. When a member makes
 * the set large, the batch turns large as the set would ({@link PairBatch.grow}) and goes on.
 */
class PairBatch implements ScoreTable {
  pairs: Map<ByteString, number>;
  /** While the set would still be in its small (listpack) form. */
  small = true;
  constructor(z: ZSetValue) {
    this.pairs = new Map(z.entries());
  }
  score(member: ByteString): number | undefined {
    return this.pairs.get(member);
  }
  set(member: ByteString, score: number): void {
    this.pairs.set(member, score);
  }
  get size(): number {
    return this.pairs.size;
  }
  /** Whether adding `member` keeps the set small (what {@link addOne} checks before an add). */
  keepsSmall(member: ByteString): boolean {
    return this.pairs.has(member) || (this.pairs.size < PACK_MAX_ITEMS && fitsPack(member));
  }
  /**
   * The set becomes large: its pairs taken in Redis's order, as the large form is filled from
   * the pack (members added after that go last, members changed keep their place).
   */
  grow(): void {
    const members = [...this.pairs.keys()];
    const scores = [...this.pairs.values()];
    this.pairs = new Map(redisOrder(members, scores).map((i) => [members[i], scores[i]]));
    this.small = false;
  }
  /** Puts the pairs back into the sorted set: one pack in Redis's order, or the large form in the batch's order. */
  finish(z: ZSetValue): void {
    z.replaceAll([...this.pairs.keys()], [...this.pairs.values()], !this.small);
  }
}

/** Pairs from which a ZADD on a small sorted set goes through a {@link PairBatch}. */
const BATCH_MIN_PAIRS = 4;

/**
 * ZADD's work once its arguments are read: `n` pairs of `scores` and `members` (read from
 * `at`, every other argument, when `members` is the command's argv) added under `flags`.
 * GEOADD calls it with the scores it computed.
 * @throws CommandError WRONGTYPE, or the NaN refusal of INCR.
 */
export function applyZAdd(c: CommandContext, key: ByteString, flags: number, scores: ArrayLike<number>, members: ByteString[], at: number, n: number): Reply {
  let z = c.zset(key);
  let added = 0;
  let updated = 0;
  let processed = 0;
  if (z === undefined && !(flags & ZADD_XX)) z = c.zsetForWrite(key);
  if (z !== undefined) {
    // A small set edits its pairs in a batch; a large one (or a ZADD of a few pairs) goes member by member.
    const batch = n >= BATCH_MIN_PAIRS && z.small ? new PairBatch(z) : null;
    const table: ScoreTable = batch ?? z;
    try {
      for (let j = 0; j < n; j++) {
        const member = members[at + 2 * j];
        // A new member that makes the set large (XX leaves it out, and the set as it is).
        if (batch !== null && batch.small && !(flags & ZADD_XX) && !batch.keepsSmall(member)) batch.grow();
        const r = addOne(table, scores[j], member, flags);
        if (r === null) throw NAN_RESULT;
        if (r === ADDED) added++;
        else if (r === UPDATED) updated++;
        if (r !== NOP) processed++;
      }
    } finally {
      // A NaN refusal comes before any change (INCR takes one pair): finishing is harmless.
      batch?.finish(z);
    }
  }
  if (flags & ZADD_INCR) return processed > 0 ? formatScore(lastScore) : null;
  return flags & ZADD_CH ? added + updated : added;
}

/** Scores of the command being run (reused: no allocation per command). */
let scratch = new Float64Array(64);

function zaddFlag(s: ByteString): number {
  if (s.length > 4) return 0;
  switch (s.toLowerCase()) {
    case 'nx':
      return ZADD_NX;
    case 'xx':
      return ZADD_XX;
    case 'gt':
      return ZADD_GT;
    case 'lt':
      return ZADD_LT;
    case 'ch':
      return ZADD_CH;
    case 'incr':
      return ZADD_INCR;
    default:
      return 0;
  }
}

/** Checks ZADD's flag combinations, as Redis does after counting the pairs. */
export function checkZAddFlags(flags: number, pairs: number): void {
  if (flags & ZADD_NX && flags & ZADD_XX) throw XX_NX;
  if ((flags & ZADD_NX && flags & (ZADD_GT | ZADD_LT)) || (flags & ZADD_GT && flags & ZADD_LT)) throw GT_LT_NX;
  if (flags & ZADD_INCR && pairs > 1) throw INCR_ONE;
}

function zadd(c: CommandContext, argv: ByteString[], flags: number): Reply {
  let at = 2;
  for (; at < argv.length; at++) {
    const f = zaddFlag(argv[at]);
    if (f === 0) break;
    flags |= f;
  }
  const left = argv.length - at;
  if (left === 0 || left % 2 !== 0) throw SYNTAX;
  const n = left / 2;
  checkZAddFlags(flags, n);
  if (scratch.length < n) scratch = new Float64Array(n);
  for (let j = 0; j < n; j++) scratch[j] = parseScore(argv[at + 2 * j]);
  return applyZAdd(c, argv[1], flags, scratch, argv, at + 1, n);
}

/** A zset's [member, score] pairs as a flat reply, scores written as Redis writes them. */
function pairsReply(pairs: [ByteString, number][], withScores: boolean): Reply[] {
  const out: Reply[] = [];
  for (const [m, s] of pairs) {
    out.push(m);
    if (withScores) out.push(formatScore(s));
  }
  return out;
}

/** The range kind of a ZRANGE-like command. */
type RangeKind = 'auto' | 'rank' | 'score' | 'lex';
type Direction = 'auto' | 'forward' | 'reverse';

/**
 * ZRANGE and its older forms, and ZRANGESTORE (`store`): `argv[at]` is the source key,
 * followed by the two ends and the options the form allows.
 */
function zrangeGeneric(c: CommandContext, argv: ByteString[], at: number, store: boolean, kind: RangeKind, dir: Direction): Reply {
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = at + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const a = argv[j];
    if (!store && isWord(a, 'withscores')) withScores = true;
    else if (left >= 2 && isWord(a, 'limit')) {
      offset = parseInteger(argv[j + 1]);
      limit = parseInteger(argv[j + 2]);
      j += 2;
    } else if (dir === 'auto' && isWord(a, 'rev')) dir = 'reverse';
    else if (kind === 'auto' && isWord(a, 'bylex')) kind = 'lex';
    else if (kind === 'auto' && isWord(a, 'byscore')) kind = 'score';
    else throw SYNTAX;
  }
  if (kind === 'auto') kind = 'rank';
  const reverse = dir === 'reverse';
  if (limit !== -1 && kind === 'rank') throw argError('syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  if (withScores && kind === 'lex') throw argError('syntax error, WITHSCORES not supported in combination with BYLEX');
  let minArg = argv[at + 1];
  let maxArg = argv[at + 2];
  if (reverse && kind !== 'rank') [minArg, maxArg] = [maxArg, minArg];
  let start = 0;
  let end = 0;
  let scoreRange: ReturnType<typeof parseScoreRange> | undefined;
  let lexRange: ReturnType<typeof parseLexRange> | undefined;
  if (kind === 'rank') {
    start = parseInteger(minArg);
    end = parseInteger(maxArg);
  } else if (kind === 'score') scoreRange = parseScoreRange(minArg, maxArg);
  else lexRange = parseLexRange(minArg, maxArg);

  const z = c.zset(argv[at]);
  let pairs: [ByteString, number][] = [];
  if (z !== undefined) {
    let w: RankWindow;
    if (kind === 'rank') {
      w = rankWindow(z.size, start, end);
      if (reverse) w = { lo: z.size - w.hi, hi: z.size - w.lo };
    } else if (kind === 'score') w = limitWindow(scoreWindow(z, scoreRange!), offset, limit, reverse);
    else w = lexSelect(z, lexRange!, reverse, offset, limit);
    pairs = windowPairs(z, w, reverse);
  }
  if (!store) return pairsReply(pairs, withScores);
  const dst = argv[1];
  if (pairs.length === 0) {
    c.delete(dst);
    return 0;
  }
  // Redis starts the destination as a listpack when the result has at most 128 members and adds
  // them in the order it emits them, turning the set into a skiplist before the first member
  // past 64 bytes: the members added before that keep a -0 score as 0.
  const members: ByteString[] = [];
  const scores: number[] = [];
  let packed = pairs.length <= PACK_MAX_ITEMS;
  for (const [m, s] of pairs) {
    if (packed && !fitsPack(m)) packed = false;
    members.push(m);
    scores.push(writtenScore(s, packed));
  }
  c.overwrite(dst, ZSetValue.from(members, scores)!);
  return pairs.length;
}

/** ZREMRANGEBYRANK / BYSCORE / BYLEX. */
function zremrange(c: CommandContext, argv: ByteString[], kind: 'rank' | 'score' | 'lex'): Reply {
  let start = 0;
  let end = 0;
  let scoreRange: ReturnType<typeof parseScoreRange> | undefined;
  let lexRange: ReturnType<typeof parseLexRange> | undefined;
  if (kind === 'rank') {
    start = parseInteger(argv[2]);
    end = parseInteger(argv[3]);
  } else if (kind === 'score') scoreRange = parseScoreRange(argv[2], argv[3]);
  else lexRange = parseLexRange(argv[2], argv[3]);
  const key = argv[1];
  const z = c.zset(key);
  if (z === undefined) return 0;
  const w = kind === 'rank' ? rankWindow(z.size, start, end) : kind === 'score' ? scoreWindow(z, scoreRange!) : lexRemoveWindow(z, lexRange!);
  const n = w.hi - w.lo;
  if (n <= 0) return 0;
  z.removeRange(w.lo, n);
  c.dropIfEmpty(key, z);
  return n;
}

/** Pops up to `count` members from the low (`max` false) or high end; deletes the key when emptied. */
function popPairs(c: CommandContext, key: ByteString, z: ZSetValue, max: boolean, count: number): [ByteString, number][] {
  const n = Math.min(count, z.size);
  const out: [ByteString, number][] = [];
  const it = max ? z.descending() : z.ascending();
  for (const p of it) {
    out.push(p);
    if (out.length === n) break;
  }
  z.removeRange(max ? z.size - n : 0, n);
  c.dropIfEmpty(key, z);
  return out;
}

/** ZPOPMIN / ZPOPMAX key [count]. */
function zpop(c: CommandContext, argv: ByteString[], max: boolean): Reply {
  if (argv.length > 3) throw SYNTAX;
  let count = -1;
  if (argv.length === 3) {
    count = parseInteger(argv[2]);
    if (count < 0) throw NOT_POSITIVE;
  }
  const key = argv[1];
  const z = c.zset(key);
  if (z === undefined || count === 0) return [];
  return pairsReply(popPairs(c, key, z, max, count === -1 ? 1 : count), true);
}

/** A blocking command's timeout in seconds: a non-negative number. */
function checkTimeout(s: ByteString): void {
  const v = toDouble(s);
  if (v === null) throw argError('timeout is not a float or out of range');
  if (v < 0) throw argError('timeout is negative');
}

/**
 * BZPOPMIN / BZPOPMAX keys… timeout: the pop from the first key that holds members. With
 * none, the server would have blocked and changed nothing; so does the replay.
 */
function bzpop(c: CommandContext, argv: ByteString[], max: boolean): Reply {
  checkTimeout(argv[argv.length - 1]);
  for (let i = 1; i < argv.length - 1; i++) {
    const z = c.zset(argv[i]);
    if (z === undefined) continue;
    const [[m, s]] = popPairs(c, argv[i], z, max, 1);
    return [argv[i], m, formatScore(s)];
  }
  return null;
}

/** ZMPOP numkeys keys… MIN|MAX [COUNT n], and BZMPOP (argv[1] the timeout). */
function zmpop(c: CommandContext, argv: ByteString[], block: boolean): Reply {
  const at = block ? 2 : 1;
  const numkeys = parseInteger(argv[at], argError('numkeys should be greater than 0'));
  if (numkeys < 1) throw argError('numkeys should be greater than 0');
  const whereAt = at + numkeys + 1;
  if (whereAt >= argv.length) throw SYNTAX;
  let max: boolean;
  if (isWord(argv[whereAt], 'min')) max = false;
  else if (isWord(argv[whereAt], 'max')) max = true;
  else throw SYNTAX;
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && isWord(argv[j], 'count') && j + 1 < argv.length) {
      j++;
      count = parseInteger(argv[j], argError('count should be greater than 0'));
      if (count < 1) throw argError('count should be greater than 0');
    } else throw SYNTAX;
  }
  if (count === -1) count = 1;
  if (block) checkTimeout(argv[1]);
  for (let i = at + 1; i < whereAt; i++) {
    const z = c.zset(argv[i]);
    if (z === undefined) continue;
    const pairs = popPairs(c, argv[i], z, max, count);
    return [argv[i], pairs.map(([m, s]) => [m, formatScore(s)])];
  }
  return null;
}

/** ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE dst numkeys keys… [options]. */
function zsetOpStore(c: CommandContext, argv: ByteString[], op: ZSetOp, name: string): Reply {
  const args = parseZSetOp(c, argv, 2, op, name, true);
  const z = zsetOf(computeZSetOp(op, args));
  if (z === null) {
    c.delete(argv[1]);
    return 0;
  }
  c.overwrite(argv[1], z);
  return z.size;
}

/** ZUNION / ZINTER / ZDIFF numkeys keys… [options] [WITHSCORES]. */
function zsetOpRead(c: CommandContext, argv: ByteString[], op: ZSetOp, name: string): Reply {
  const args = parseZSetOp(c, argv, 1, op, name, false);
  const z = zsetOf(computeZSetOp(op, args));
  return z === null ? [] : pairsReply([...z.ascending()], args.withScores);
}

/** ZRANK / ZREVRANK key member [WITHSCORE]. */
function zrank(c: CommandContext, argv: ByteString[], reverse: boolean): Reply {
  let withScore = false;
  if (argv.length > 4) throw SYNTAX;
  if (argv.length === 4) {
    if (!isWord(argv[3], 'withscore')) throw SYNTAX;
    withScore = true;
  }
  const z = c.zset(argv[1]);
  if (z === undefined) return null;
  const r = z.rank(argv[2]);
  if (r < 0) return null;
  const rank = reverse ? z.size - 1 - r : r;
  return withScore ? [rank, formatScore(z.score(argv[2])!)] : rank;
}

export const zsetsCommands: CommandTable = {
  zadd: { arity: -4, run: (c, argv) => zadd(c, argv, 0) },
  // ZINCRBY is ZADD with INCR forced (Redis reads its arguments the same way).
  zincrby: { arity: 4, run: (c, argv) => zadd(c, argv, ZADD_INCR) },
  zrem: {
    arity: -3,
    run(c, argv) {
      const key = argv[1];
      const z = c.zset(key);
      if (z === undefined) return 0;
      let deleted = 0;
      for (let j = 2; j < argv.length; j++) {
        if (z.delete(argv[j])) deleted++;
        if (z.size === 0) {
          c.delete(key);
          break;
        }
      }
      return deleted;
    },
  },
  zremrangebyrank: { arity: 4, run: (c, argv) => zremrange(c, argv, 'rank') },
  zremrangebyscore: { arity: 4, run: (c, argv) => zremrange(c, argv, 'score') },
  zremrangebylex: { arity: 4, run: (c, argv) => zremrange(c, argv, 'lex') },
  zpopmin: { arity: -2, run: (c, argv) => zpop(c, argv, false) },
  zpopmax: { arity: -2, run: (c, argv) => zpop(c, argv, true) },
  bzpopmin: { arity: -3, run: (c, argv) => bzpop(c, argv, false) },
  bzpopmax: { arity: -3, run: (c, argv) => bzpop(c, argv, true) },
  zmpop: { arity: -4, run: (c, argv) => zmpop(c, argv, false) },
  bzmpop: { arity: -5, run: (c, argv) => zmpop(c, argv, true) },
  zunionstore: { arity: -4, run: (c, argv) => zsetOpStore(c, argv, 'union', 'zunionstore') },
  zinterstore: { arity: -4, run: (c, argv) => zsetOpStore(c, argv, 'inter', 'zinterstore') },
  zdiffstore: { arity: -4, run: (c, argv) => zsetOpStore(c, argv, 'diff', 'zdiffstore') },
  zrangestore: { arity: -5, run: (c, argv) => zrangeGeneric(c, argv, 2, true, 'auto', 'auto') },

  // Reads.
  zunion: { arity: -3, run: (c, argv) => zsetOpRead(c, argv, 'union', 'zunion') },
  zinter: { arity: -3, run: (c, argv) => zsetOpRead(c, argv, 'inter', 'zinter') },
  zdiff: { arity: -3, run: (c, argv) => zsetOpRead(c, argv, 'diff', 'zdiff') },
  zintercard: {
    arity: -3,
    run(c, argv) {
      const args = parseZSetOp(c, argv, 1, 'inter', 'zintercard', false, true);
      return computeZSetOp('inter', args).members.length;
    },
  },
  zrange: { arity: -4, run: (c, argv) => zrangeGeneric(c, argv, 1, false, 'auto', 'auto') },
  zrevrange: { arity: -4, run: (c, argv) => zrangeGeneric(c, argv, 1, false, 'rank', 'reverse') },
  zrangebyscore: { arity: -4, run: (c, argv) => zrangeGeneric(c, argv, 1, false, 'score', 'forward') },
  zrevrangebyscore: { arity: -4, run: (c, argv) => zrangeGeneric(c, argv, 1, false, 'score', 'reverse') },
  zrangebylex: { arity: -4, run: (c, argv) => zrangeGeneric(c, argv, 1, false, 'lex', 'forward') },
  zrevrangebylex: { arity: -4, run: (c, argv) => zrangeGeneric(c, argv, 1, false, 'lex', 'reverse') },
  zcard: { arity: 2, run: (c, argv) => c.zset(argv[1])?.size ?? 0 },
  zscore: {
    arity: 3,
    run(c, argv) {
      const s = c.zset(argv[1])?.score(argv[2]);
      return s === undefined ? null : formatScore(s);
    },
  },
  zmscore: {
    arity: -3,
    run(c, argv) {
      const z = c.zset(argv[1]);
      const out: Reply[] = [];
      for (let j = 2; j < argv.length; j++) {
        const s = z?.score(argv[j]);
        out.push(s === undefined ? null : formatScore(s));
      }
      return out;
    },
  },
  zcount: {
    arity: 4,
    run(c, argv) {
      const r = parseScoreRange(argv[2], argv[3]);
      const z = c.zset(argv[1]);
      if (z === undefined) return 0;
      const w = scoreWindow(z, r);
      return w.hi - w.lo;
    },
  },
  zlexcount: {
    arity: 4,
    run(c, argv) {
      const r = parseLexRange(argv[2], argv[3]);
      const z = c.zset(argv[1]);
      if (z === undefined) return 0;
      return lexCount(z, r);
    },
  },
  zrank: { arity: -3, run: (c, argv) => zrank(c, argv, false) },
  zrevrank: { arity: -3, run: (c, argv) => zrank(c, argv, true) },
};
