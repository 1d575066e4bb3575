/**
 * A Redis sorted set, in one of two forms:
 *
 * - small (up to {@link PACK_MAX_ITEMS} members of at most {@link PACK_MAX_ITEM_BYTES} bytes):
 *   one pack in Redis's order — member entry, then the score as 8 raw bytes — as a listpack
 *   sorted set is; lookups, ranks and ranges scan it;
 * - large: member → score in a {@link ByteMap} for O(1) lookups (ZSCORE, ZADD's flags,
 *   ZINCRBY), and the (score, member) order in a {@link ScoreOrder} for ranks, ranges and
 *   pops. Loaded in bulk, the order is sorted once, on first use.
 */
import type { ByteString } from './byte-string.js';
import { ByteMap } from './byte-map.js';
import { ScoreOrder } from './score-order.js';
import { PACK_MAX_ITEMS, hasDuplicate, fitsPack, itemAt, itemCompare, itemIs, nextItem, packEntry, settle, splice } from './pack.js';
import type { RdbBlobElements } from './rdb-blob.js';
import { PackedValue } from './packed-value.js';

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
/** Chars of a score in the pack. */
const SCORE_CHARS = 8;

function scoreChars(score: number): string {
  F64[0] = score;
  return String.fromCharCode(F64_BYTES[0], F64_BYTES[1], F64_BYTES[2], F64_BYTES[3], F64_BYTES[4], F64_BYTES[5], F64_BYTES[6], F64_BYTES[7]);
}

function scoreAt(p: ByteString, pos: number): number {
  for (let i = 0; i < SCORE_CHARS; i++) F64_BYTES[i] = p.charCodeAt(pos + i);
  return F64[0];
}

/** A sorted-set value. */
export class ZSetValue extends PackedValue {
  /** The large form: member → score, and the (score, member) order; null while small. */
  private scores: ByteMap<number> | null = null;
  private order: ScoreOrder | null = null;
  /**
   * Where the last pair of the pack starts, when known (−1: to be found again). Pairs often
   * come in order (an AOF rewrite writes a set lowest first), and one that goes last is
   * appended without a scan.
   */
  private lastAt = -1;
  /**
   * The member {@link score} last looked for in vain and the pack it looked in: `set` right
   * after it (ZADD asks for the score first) knows the member is absent without a scan.
   */
  private missing: ByteString | null = null;
  private missingIn: ByteString | null = null;

  /**
   * A sorted set of `members` with `scores` (in step), or null when a member appears twice.
   * `room`: members it is about to hold in all, when known (a large set then makes its table
   * that large at once).
   */
  static from(members: readonly ByteString[], scores: readonly number[], room = 0): ZSetValue | null {
    const z = new ZSetValue();
    return z.fill(members, scores, room) ? z : null;
  }

  /**
   * A sorted set kept as the RDB blob it was loaded from until first read (rdb-blob.ts): the
   * blob's bytes, its RDB type and its member count, checked by `checkRdbBlob` (what the RDB
   * loader builds).
   */
  static fromRdbBlob(rdbType: number, raw: ByteString, count: number): ZSetValue {
    return new ZSetValue().keepBlob(rdbType, raw, count);
  }

  /** Takes `members` and `scores` in the form they call for; false when a member appears twice. */
  private fill(members: readonly ByteString[], scores: readonly number[], room = 0): boolean {
    if (members.length <= PACK_MAX_ITEMS && members.every(fitsPack)) {
      if (hasDuplicate(members)) return false;
      let pack = '';
      for (const i of redisOrder(members, scores)) pack += packEntry(members[i]) + scoreChars(scores[i]);
      this.pack = settle(pack);
      this.n = members.length;
      return true;
    }
    return this.fillLarge(members, scores, room);
  }

  /** Takes `members` and `scores` into the large form, in that order; false when a member appears twice. */
  private fillLarge(members: readonly ByteString[], scores: readonly number[], room = 0): boolean {
    const map = new ByteMap<number>();
    map.reserve(Math.max(room, members.length));
    const order = new ScoreOrder();
    for (let i = 0; i < members.length; i++) {
      if (!map.setNew(members[i], scores[i])) return false;
      order.appendUnsorted(scores[i], members[i]);
    }
    this.pack = null;
    this.n = 0;
    this.scores = map;
    this.order = order;
    return true;
  }

  /**
   * Replaces every pair with `members` and `scores` (in step, in any order, no member twice),
   * in the form they call for: packed in Redis's order when few and short enough. `large`: in
   * the large form whatever their number, in the order given (ZADD's batch once a member made
   * the set large).
   */
  replaceAll(members: readonly ByteString[], scores: readonly number[], large = false): void {
    this.raw = null;
    this.scores = null;
    this.order = null;
    this.lastAt = -1;
    this.missing = this.missingIn = null;
    if (large) this.fillLarge(members, scores);
    else this.fill(members, scores);
  }

  protected takeElements(e: RdbBlobElements): void {
    this.fill(e.items, e.scores);
  }

  /** The Redis type name. */
  get type(): 'zset' {
    return 'zset';
  }

  /** True while the pairs are in the small (listpack-like) form. */
  get small(): boolean {
    return this.readPack() !== null;
  }

  /** Number of members. */
  get size(): number {
    return this.scores !== null ? this.scores.size : this.n;
  }

  /** The member's score, or undefined when absent. */
  score(member: ByteString): number | undefined {
    const p = this.readPack();
    if (p === null) return this.scores!.get(member);
    const pos = findIn(p, member);
    if (pos < 0) {
      // Noted for `set`, unless the pack was made from the blob only for this read (kept, it
      // would hold the pack with the blob).
      if (this.raw === null) {
        this.missing = member;
        this.missingIn = p;
      }
      return undefined;
    }
    return scoreAt(p, nextItem(p, pos));
  }

  has(member: ByteString): boolean {
    return this.score(member) !== undefined;
  }

  /**
   * Sets a member's score, adding the member when absent. A score equal to the current one
   * (−0 and 0 are equal, as Redis compares them) changes nothing.
   */
  set(member: ByteString, score: number): this {
    if (this.raw !== null) this.expand();
    if (this.scores === null && !fitsPack(member)) this.grow();
    if (this.scores !== null) {
      const old = this.scores.get(member);
      if (old !== undefined) {
        if (old === score) return this;
        this.order!.remove(old, member);
      }
      this.scores.set(member, score);
      this.order!.insert(score, member);
      return this;
    }
    let p = this.pack!;
    const pos = this.missingIn === p && this.missing === member ? -1 : this.find(member);
    this.missing = this.missingIn = null;
    if (pos >= 0) {
      if (scoreAt(p, nextItem(p, pos)) === score) return this;
      p = splice(p, pos, nextItem(p, pos) + SCORE_CHARS);
      this.n--;
      this.lastAt = -1;
    }
    if (this.n >= PACK_MAX_ITEMS) {
      this.pack = p;
      this.grow();
      return this.set(member, score);
    }
    const pair = packEntry(member) + scoreChars(score);
    // After the last pair: appended (the usual case when pairs come in order).
    const last = this.n === 0 ? -1 : this.lastPair(p);
    if (last < 0 || !this.comesBefore(score, member, p, last)) {
      this.pack = settle(p + pair);
      this.lastAt = p.length;
      this.n++;
      return this;
    }
    // Otherwise before the first pair that comes after the new one.
    let at = 0;
    while (at < p.length) {
      const sAt = nextItem(p, at);
      const s = scoreAt(p, sAt);
      if (score < s || (score === s && itemCompare(p, at, member) > 0)) break;
      at = sAt + SCORE_CHARS;
    }
    this.pack = splice(p, at, at, pair);
    this.lastAt = -1;
    this.n++;
    return this;
  }

  /** True when the pair (score, member) comes before the pair at `at` of `p`. */
  private comesBefore(score: number, member: ByteString, p: ByteString, at: number): boolean {
    const s = scoreAt(p, nextItem(p, at));
    return score < s || (score === s && itemCompare(p, at, member) > 0);
  }

  /** Where the last pair of `p` (the pack, not empty) starts. */
  private lastPair(p: ByteString): number {
    if (this.lastAt < 0) {
      let at = 0;
      for (let next = 0; next < p.length; next = nextItem(p, next) + SCORE_CHARS) at = next;
      this.lastAt = at;
    }
    return this.lastAt;
  }

  /**
   * Adds a member that must be new, leaving the large form's order to be sorted once, on its
   * next use (loading from an RDB); false, changing nothing, when the member is there already.
   */
  addUnsorted(member: ByteString, score: number): boolean {
    if (this.raw !== null) this.expand();
    if (this.scores === null) {
      if (this.has(member)) return false;
      this.set(member, score);
      return true;
    }
    if (!this.scores.setNew(member, score)) return false;
    this.order!.appendUnsorted(score, member);
    return true;
  }

  /** Removes a member; true when it was there. */
  delete(member: ByteString): boolean {
    if (this.raw !== null) this.expand();
    if (this.scores !== null) {
      const old = this.scores.get(member);
      if (old === undefined) return false;
      this.scores.delete(member);
      this.order!.remove(old, member);
      return true;
    }
    const p = this.pack!;
    const pos = this.find(member);
    if (pos < 0) return false;
    this.pack = splice(p, pos, nextItem(p, pos) + SCORE_CHARS);
    this.n--;
    this.lastAt = -1;
    return true;
  }

  clear(): void {
    this.pack = '';
    this.n = 0;
    this.lastAt = -1;
    this.scores = null;
    this.order = null;
    this.raw = null;
  }

  /** 0-based rank of a member from the lowest score, or −1 when absent. */
  rank(member: ByteString): number {
    const p = this.readPack();
    if (p === null) {
      const score = this.scores!.get(member);
      return score === undefined ? -1 : this.order!.rank(score, member);
    }
    let r = 0;
    for (let pos = 0; pos < p.length; pos = nextItem(p, pos) + SCORE_CHARS, r++) if (itemIs(p, pos, member)) return r;
    return -1;
  }

  /** The member and score at `rank` (0 = lowest), or undefined. */
  at(rank: number): [ByteString, number] | undefined {
    const p = this.readPack();
    if (p === null) return this.order!.at(rank);
    if (rank < 0 || rank >= this.n) return undefined;
    let pos = 0;
    for (let r = 0; r < rank; r++) pos = nextItem(p, pos) + SCORE_CHARS;
    return [itemAt(p, pos), scoreAt(p, nextItem(p, pos))];
  }

  /** Rank of the first member with score ≥ `score` (> with `exclusive`); `size` when none. */
  rankOfScore(score: number, exclusive = false): number {
    const p = this.readPack();
    if (p === null) return this.order!.rankOfScore(score, exclusive);
    let r = 0;
    for (let pos = 0; pos < p.length; r++) {
      const sAt = nextItem(p, pos);
      const s = scoreAt(p, sAt);
      if (exclusive ? s > score : s >= score) return r;
      pos = sAt + SCORE_CHARS;
    }
    return r;
  }

  /** Removes the members at ranks `start` … `start + n − 1`; returns them, lowest first. */
  removeRange(start: number, n: number): ByteString[] {
    if (this.raw !== null) this.expand();
    if (this.order !== null) {
      const gone = this.order.removeRange(start, n);
      for (const m of gone) this.scores!.delete(m);
      return gone;
    }
    const out: ByteString[] = [];
    if (n <= 0 || start >= this.n) return out;
    const p = this.pack!;
    let pos = 0;
    const first = Math.max(0, start);
    for (let r = 0; r < first; r++) pos = nextItem(p, pos) + SCORE_CHARS;
    const from = pos;
    for (let r = first; r < Math.min(this.n, first + n); r++) {
      out.push(itemAt(p, pos));
      pos = nextItem(p, pos) + SCORE_CHARS;
    }
    this.pack = splice(p, from, pos);
    this.n -= out.length;
    this.lastAt = -1;
    return out;
  }

  /** [member, score] pairs from rank `from` upwards, in Redis's order. */
  *ascending(from = 0): IterableIterator<[ByteString, number]> {
    const p = this.readPack();
    if (p === null) {
      yield* this.order!.ascending(from);
      return;
    }
    let r = 0;
    for (let pos = 0; pos < p.length; r++) {
      const sAt = nextItem(p, pos);
      if (r >= from) yield [itemAt(p, pos), scoreAt(p, sAt)];
      pos = sAt + SCORE_CHARS;
    }
  }

  /** [member, score] pairs from the highest down. */
  *descending(): IterableIterator<[ByteString, number]> {
    if (this.readPack() === null) {
      yield* this.order!.descending();
      return;
    }
    yield* [...this.ascending()].reverse();
  }

  /** [member, score] pairs in some order (Redis's order while small). */
  entries(): IterableIterator<[ByteString, number]> {
    return this.readPack() === null ? this.scores!.entries() : this.ascending();
  }

  [Symbol.iterator](): IterableIterator<[ByteString, number]> {
    return this.entries();
  }

  /** Members and their scores as two arrays in step, in the order {@link entries} gives them. */
  toArrays(): { members: ByteString[]; scores: number[] } {
    const members: ByteString[] = [];
    const scores: number[] = [];
    const p = this.readPack();
    if (p === null) {
      for (const [m, s] of this.scores!.entries()) {
        members.push(m);
        scores.push(s);
      }
    } else {
      for (let pos = 0; pos < p.length; ) {
        const sAt = nextItem(p, pos);
        members.push(itemAt(p, pos));
        scores.push(scoreAt(p, sAt));
        pos = sAt + SCORE_CHARS;
      }
    }
    return { members, scores };
  }

  /** A copy. */
  clone(): ZSetValue {
    const out = new ZSetValue();
    this.copyPackedInto(out);
    out.scores = this.scores === null ? null : this.scores.clone();
    out.order = this.order === null ? null : this.order.clone();
    return out;
  }

  /** Position of `member`'s entry in the pack, or −1. */
  private find(member: ByteString): number {
    return findIn(this.pack!, member);
  }

  /** Moves the pairs from the pack to the large form. */
  private grow(): void {
    const map = new ByteMap<number>();
    const order = new ScoreOrder();
    for (const [m, s] of this.ascending()) {
      map.set(m, s);
      order.appendUnsorted(s, m);
    }
    this.scores = map;
    this.order = order;
    this.pack = null;
    this.n = 0;
    this.lastAt = -1;
  }
}

/**
 * The indices of `members` in Redis's order: by score, then by member bytes (−0 and 0 are
 * equal scores, and so are two infinities of one sign, whose difference is NaN).
 */
export function redisOrder(members: readonly ByteString[], scores: readonly number[]): number[] {
  return members.map((_, i) => i).sort((a, b) => scores[a] - scores[b] || (members[a] < members[b] ? -1 : members[a] > members[b] ? 1 : 0));
}

/** Position of `member`'s entry in the pack `p`, or −1. */
function findIn(p: ByteString, member: ByteString): number {
  for (let pos = 0; pos < p.length; pos = nextItem(p, pos) + SCORE_CHARS) if (itemIs(p, pos, member)) return pos;
  return -1;
}
