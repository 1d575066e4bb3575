/**
 * The order of a sorted set: (score, member) pairs ascending by score, equal scores by member
 * bytes, as Redis's skiplist and listpack keep them. Held as a list of sorted blocks of at
 * most {@link BLOCK_MAX} pairs (parallel arrays of scores and members): an insert or a removal
 * is a binary search over the blocks' last pairs, one inside a block and a splice of at most a
 * block, so ZADD/ZREM on a sorted set of millions stay cheap; rank and access by rank walk the
 * block lengths (a few thousand numbers for a million members).
 *
 * Pairs loaded in bulk (from an RDB) are appended unsorted and sorted once, on the first use
 * of the order.
 */
import type { ByteString } from './byte-string.js';

/** Pairs per block before it is split in two. */
export const BLOCK_MAX = 1024;
/** A block with fewer pairs than this is merged with a neighbour. */
const BLOCK_MIN = BLOCK_MAX / 8;

/** True when pair a comes before pair b: lower score, or equal scores and lower member bytes. */
function before(sa: number, ma: ByteString, sb: number, mb: ByteString): boolean {
  return sa < sb || (sa === sb && ma < mb);
}

/** Sorted (score, member) pairs. Scores are never NaN; −0 and 0 are equal, as in Redis. */
export class ScoreOrder {
  private scores: number[][] = [];
  private members: ByteString[][] = [];
  private count = 0;
  /** Pairs appended by {@link appendUnsorted} and not yet sorted in. */
  private pendingScores: number[] | null = null;
  private pendingMembers: ByteString[] | null = null;

  /** Number of pairs. */
  get length(): number {
    return this.count + (this.pendingScores?.length ?? 0);
  }

  /** Adds a pair whose member is not in the order yet. */
  insert(score: number, member: ByteString): void {
    this.settle();
    const S = this.scores;
    if (S.length === 0) {
      S.push([score]);
      this.members.push([member]);
      this.count = 1;
      return;
    }
    const b = this.blockFor(score, member);
    const i = this.indexIn(b, score, member);
    S[b].splice(i, 0, score);
    this.members[b].splice(i, 0, member);
    this.count++;
    if (S[b].length > BLOCK_MAX) this.split(b);
  }

  /** Removes a pair; false when it is not there. */
  remove(score: number, member: ByteString): boolean {
    this.settle();
    if (this.scores.length === 0) return false;
    const b = this.blockFor(score, member);
    const i = this.indexIn(b, score, member);
    if (i >= this.members[b].length || this.members[b][i] !== member) return false;
    this.scores[b].splice(i, 1);
    this.members[b].splice(i, 1);
    this.count--;
    this.rebalance(b);
    return true;
  }

  /** 0-based rank of a pair that is in the order (−1 when it is not). */
  rank(score: number, member: ByteString): number {
    this.settle();
    if (this.scores.length === 0) return -1;
    const b = this.blockFor(score, member);
    const i = this.indexIn(b, score, member);
    if (i >= this.members[b].length || this.members[b][i] !== member) return -1;
    return this.ranksBefore(b) + i;
  }

  /** The pair at `rank` as [member, score], or undefined outside 0 … length−1. */
  at(rank: number): [ByteString, number] | undefined {
    this.settle();
    if (rank < 0 || rank >= this.count) return undefined;
    let r = rank;
    for (let b = 0; b < this.scores.length; b++) {
      const n = this.scores[b].length;
      if (r < n) return [this.members[b][r], this.scores[b][r]];
      r -= n;
    }
    return undefined;
  }

  /**
   * Rank of the first pair whose score is ≥ `score` (> `score` with `exclusive`); `length` when
   * there is none. With {@link at} and {@link removeRange} this serves the *BYSCORE ranges.
   */
  rankOfScore(score: number, exclusive = false): number {
    this.settle();
    const S = this.scores;
    const past = (s: number) => (exclusive ? s > score : s >= score);
    let lo = 0;
    let hi = S.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const blk = S[mid];
      if (past(blk[blk.length - 1])) hi = mid;
      else lo = mid + 1;
    }
    if (lo === S.length) return this.count;
    const blk = S[lo];
    let i = 0;
    let j = blk.length;
    while (i < j) {
      const mid = (i + j) >>> 1;
      if (past(blk[mid])) j = mid;
      else i = mid + 1;
    }
    return this.ranksBefore(lo) + i;
  }

  /** Removes the pairs at ranks `start` … `start + n − 1` and returns their members, in order. */
  removeRange(start: number, n: number): ByteString[] {
    this.settle();
    const out: ByteString[] = [];
    if (n <= 0 || start >= this.count) return out;
    let skip = Math.max(0, start);
    let left = Math.min(n, this.count - skip);
    let b = 0;
    while (b < this.scores.length && skip >= this.scores[b].length) skip -= this.scores[b++].length;
    while (left > 0 && b < this.scores.length) {
      const take = Math.min(left, this.scores[b].length - skip);
      for (const m of this.members[b].splice(skip, take)) out.push(m);
      this.scores[b].splice(skip, take);
      this.count -= take;
      left -= take;
      skip = 0;
      if (this.scores[b].length === 0) {
        this.scores.splice(b, 1);
        this.members.splice(b, 1);
      } else b++;
    }
    this.rechunkIfSparse();
    return out;
  }

  /** Pairs as [member, score] from rank `from` to the end, ascending. */
  *ascending(from = 0): IterableIterator<[ByteString, number]> {
    this.settle();
    let skip = Math.max(0, from);
    for (let b = 0; b < this.scores.length; b++) {
      const S = this.scores[b];
      const M = this.members[b];
      if (skip >= S.length) {
        skip -= S.length;
        continue;
      }
      for (let i = skip; i < S.length; i++) yield [M[i], S[i]];
      skip = 0;
    }
  }

  /** Pairs as [member, score] from the highest down. */
  *descending(): IterableIterator<[ByteString, number]> {
    this.settle();
    for (let b = this.scores.length - 1; b >= 0; b--) {
      const S = this.scores[b];
      const M = this.members[b];
      for (let i = S.length - 1; i >= 0; i--) yield [M[i], S[i]];
    }
  }

  /** Appends a pair without sorting (bulk load); the order is sorted on its next use. */
  appendUnsorted(score: number, member: ByteString): void {
    (this.pendingScores ??= []).push(score);
    (this.pendingMembers ??= []).push(member);
  }

  /** Removes every pair. */
  clear(): void {
    this.scores = [];
    this.members = [];
    this.count = 0;
    this.pendingScores = this.pendingMembers = null;
  }

  /** A copy. */
  clone(): ScoreOrder {
    this.settle();
    const out = new ScoreOrder();
    out.scores = this.scores.map((b) => b.slice());
    out.members = this.members.map((b) => b.slice());
    out.count = this.count;
    return out;
  }

  /** Sorts pending bulk pairs into the blocks. */
  private settle(): void {
    const ps = this.pendingScores;
    if (ps === null) return;
    const pm = this.pendingMembers!;
    this.pendingScores = this.pendingMembers = null;
    if (this.count > 0) {
      for (let i = 0; i < ps.length; i++) this.insert(ps[i], pm[i]);
      return;
    }
    let s = ps;
    let m = pm;
    // An RDB stores a skiplist from the highest pair down and a listpack from the lowest up.
    if (!isAscending(s, m)) {
      if (isDescending(s, m)) {
        s = s.slice().reverse();
        m = m.slice().reverse();
      } else {
        const idx = Array.from(s, (_, i) => i);
        idx.sort((a, b) => (before(s[a], m[a], s[b], m[b]) ? -1 : before(s[b], m[b], s[a], m[a]) ? 1 : 0));
        s = idx.map((i) => ps[i]);
        m = idx.map((i) => pm[i]);
      }
    }
    this.fill(s, m);
  }

  /** The block a pair belongs in: the first whose last pair is not before it (the last block when none). */
  private blockFor(score: number, member: ByteString): number {
    const S = this.scores;
    const M = this.members;
    let lo = 0;
    let hi = S.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const last = S[mid].length - 1;
      if (before(S[mid][last], M[mid][last], score, member)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index in block `b` of the first pair not before (score, member). */
  private indexIn(b: number, score: number, member: ByteString): number {
    const S = this.scores[b];
    const M = this.members[b];
    let i = 0;
    let j = S.length;
    while (i < j) {
      const mid = (i + j) >>> 1;
      if (before(S[mid], M[mid], score, member)) i = mid + 1;
      else j = mid;
    }
    return i;
  }

  private ranksBefore(b: number): number {
    let r = 0;
    for (let i = 0; i < b; i++) r += this.scores[i].length;
    return r;
  }

  /** After a range removal: rebuilds the blocks when many have become small. */
  private rechunkIfSparse(): void {
    const S = this.scores;
    if (S.length <= 2 || S.length * BLOCK_MIN <= this.count) return;
    this.fill(S.flat(), this.members.flat());
  }

  /** Replaces the blocks with sorted pairs, cut into half-full blocks. */
  private fill(s: number[], m: ByteString[]): void {
    this.scores = [];
    this.members = [];
    const half = BLOCK_MAX / 2;
    for (let i = 0; i < s.length; i += half) {
      this.scores.push(s.slice(i, i + half));
      this.members.push(m.slice(i, i + half));
    }
    this.count = s.length;
  }

  private split(b: number): void {
    const half = this.scores[b].length >>> 1;
    this.scores.splice(b + 1, 0, this.scores[b].splice(half));
    this.members.splice(b + 1, 0, this.members[b].splice(half));
  }

  /** Drops an emptied block, or merges a small one into a neighbour. */
  private rebalance(b: number): void {
    const S = this.scores;
    const M = this.members;
    if (b >= S.length) return;
    if (S[b].length === 0) {
      S.splice(b, 1);
      M.splice(b, 1);
      return;
    }
    if (S[b].length >= BLOCK_MIN || S.length === 1) return;
    const into = b > 0 ? b - 1 : b;
    const from = into + 1;
    S[into] = S[into].concat(S[from]);
    M[into] = M[into].concat(M[from]);
    S.splice(from, 1);
    M.splice(from, 1);
    if (S[into].length > BLOCK_MAX) this.split(into);
  }
}

function isAscending(s: number[], m: ByteString[]): boolean {
  for (let i = 1; i < s.length; i++) if (!before(s[i - 1], m[i - 1], s[i], m[i])) return false;
  return true;
}

function isDescending(s: number[], m: ByteString[]): boolean {
  for (let i = 1; i < s.length; i++) if (!before(s[i], m[i], s[i - 1], m[i - 1])) return false;
  return true;
}
