/**
 * A Redis sorted set: member → score for O(1) lookups (ZSCORE, ZADD's flags, ZINCRBY), and
 * the (score, member) order in a {@link ScoreOrder} for ranks, ranges and pops.
 */
import type { ByteString } from './byte-string.js';
import { ByteMap } from './byte-map.js';
import { ScoreOrder } from './score-order.js';

/** A sorted-set value: a map of member → score kept in step with the order. */
export class ZSetValue extends ByteMap<number> {
  /** The members in Redis's order. */
  private order = new ScoreOrder();

  /** The Redis type name. */
  get type(): 'zset' {
    return 'zset';
  }

  /**
   * Sets a member's score, adding the member when absent. A score equal to the current one
   * (−0 and 0 are equal, as Redis compares them) changes nothing.
   */
  override set(member: ByteString, score: number): this {
    const old = super.get(member);
    if (old !== undefined) {
      if (old === score) return this;
      this.order.remove(old, member);
    }
    super.set(member, score);
    this.order.insert(score, member);
    return this;
  }

  /** The member's score, or undefined when absent. */
  score(member: ByteString): number | undefined {
    return super.get(member);
  }

  /**
   * Adds a member known to be absent without placing it yet (loading from an RDB): the order
   * is sorted once, on its next use.
   */
  addUnsorted(member: ByteString, score: number): void {
    super.set(member, score);
    this.order.appendUnsorted(score, member);
  }

  /** Removes a member; true when it was there. */
  override delete(member: ByteString): boolean {
    const old = super.get(member);
    if (old === undefined) return false;
    super.delete(member);
    this.order.remove(old, member);
    return true;
  }

  override clear(): void {
    super.clear();
    this.order.clear();
  }

  /** 0-based rank of a member from the lowest score, or −1 when absent. */
  rank(member: ByteString): number {
    const score = super.get(member);
    return score === undefined ? -1 : this.order.rank(score, member);
  }

  /** The member and score at `rank` (0 = lowest), or undefined. */
  at(rank: number): [ByteString, number] | undefined {
    return this.order.at(rank);
  }

  /** Rank of the first member with score ≥ `score` (> with `exclusive`); `size` when none. */
  rankOfScore(score: number, exclusive = false): number {
    return this.order.rankOfScore(score, exclusive);
  }

  /** Removes the members at ranks `start` … `start + n − 1`; returns them, lowest first. */
  removeRange(start: number, n: number): ByteString[] {
    const gone = this.order.removeRange(start, n);
    for (const m of gone) super.delete(m);
    return gone;
  }

  /** [member, score] pairs from rank `from` upwards, in Redis's order. */
  ascending(from = 0): IterableIterator<[ByteString, number]> {
    return this.order.ascending(from);
  }

  /** [member, score] pairs from the highest down. */
  descending(): IterableIterator<[ByteString, number]> {
    return this.order.descending();
  }

  /** A copy. */
  override clone(): ZSetValue {
    const out = this.copyInto(new ZSetValue(this.perTable));
    out.order = this.order.clone();
    return out;
  }
}
