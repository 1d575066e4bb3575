/**
 * A Redis list: byte strings head to tail in a {@link Deque}. Pushes and pops at either end
 * and access by index are O(1); inserting before or after a pivot and removing by value are
 * one O(n) pass, as in Redis.
 */
import type { ByteString } from './byte-string.js';
import { Deque } from './deque.js';

/** A list value. Indexes are 0-based from the head; callers resolve Redis's negative indexes. */
export class ListValue extends Deque<ByteString> {
  /** The Redis type name. */
  get type(): 'list' {
    return 'list';
  }

  /** Index of the first element equal to `value` at or after `from`, or -1. */
  indexOf(value: ByteString, from = 0): number {
    for (let i = Math.max(0, from); i < this.len; i++) if (this.buf[(this.head + i) & this.mask] === value) return i;
    return -1;
  }

  /**
   * Removes elements equal to `value` as LREM does: the first `count` from the head when
   * `count` > 0, the last −`count` from the tail when `count` < 0, all when 0. Returns how
   * many were removed.
   */
  removeValue(value: ByteString, count: number): number {
    const limit = count === 0 ? Infinity : Math.abs(count);
    return this.removeWhere((v) => v === value, limit, count < 0);
  }

  /** A deep copy (element strings are immutable and shared). */
  clone(): ListValue {
    return this.copyInto(new ListValue());
  }
}
