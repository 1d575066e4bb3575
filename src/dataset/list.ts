/**
 * A Redis list, in one of two forms, as Redis keeps a small list in one listpack:
 *
 * - small (up to {@link PACK_MAX_ITEMS} elements of at most {@link PACK_MAX_ITEM_BYTES}
 *   bytes): one pack (pack.ts); every operation is a scan of it, and a change rebuilds it;
 * - large: a {@link Deque} of byte strings, with O(1) pushes and pops at both ends and access
 *   by index, inserts and removals in the middle moving the shorter side.
 *
 * A list becomes large when an element would not fit, and stays so. Indexes are 0-based from
 * the head; callers resolve Redis's negative indexes.
 */
import type { ByteString } from './byte-string.js';
import { Deque } from './deque.js';
import { PACK_MAX_ITEMS, detach, fitsPack, itemAt, itemIs, nextItem, packEntry, packOf, positionOf, settle, splice, unpack } from './pack.js';
import type { RdbBlobElements } from './rdb-blob.js';
import { PackedValue } from './packed-value.js';

/** A list value. */
export class ListValue extends PackedValue {
  /** The elements in the large form; null while small. */
  private deque: Deque<ByteString> | null = null;

  /**
   * A list of `items` (in the form their number and sizes call for). `room`: items it is about
   * to hold in all, when known (a large list then makes its ring that large at once).
   */
  static from(items: readonly ByteString[], room = 0): ListValue {
    const l = new ListValue();
    l.fill(items, room);
    return l;
  }

  /**
   * A list kept as the RDB blob it was loaded from until first read (rdb-blob.ts): the blob's
   * bytes, its RDB type and its length, checked by `checkRdbBlob` (what the RDB loader builds).
   */
  static fromRdbBlob(rdbType: number, raw: ByteString, count: number): ListValue {
    return new ListValue().keepBlob(rdbType, raw, count);
  }

  /** Takes `items` in the form their number and sizes call for. */
  private fill(items: readonly ByteString[], room = 0): void {
    if (items.length <= PACK_MAX_ITEMS && items.every(fitsPack)) {
      this.pack = packOf(items);
      this.n = items.length;
    } else {
      const d = new Deque<ByteString>(Math.max(room, items.length));
      for (const v of items) d.pushBack(v);
      this.pack = null;
      this.n = 0;
      this.deque = d;
    }
  }

  protected takeElements(e: RdbBlobElements): void {
    this.fill(e.items);
  }

  /**
   * A value from a pack already checked: `count` elements, each at most PACK_MAX_ITEM_BYTES
   * bytes, `count` at most PACK_MAX_ITEMS (what the RDB loader builds).
   */
  static fromPack(pack: ByteString, count: number): ListValue {
    const v = new ListValue();
    v.pack = pack;
    v.n = count;
    return v;
  }

  /** The Redis type name. */
  get type(): 'list' {
    return 'list';
  }

  /** Number of elements. */
  get length(): number {
    return this.deque !== null ? this.deque.length : this.n;
  }

  /** The element at `index`, or undefined outside 0 … length−1. */
  at(index: number): ByteString | undefined {
    const p = this.readPack();
    if (p === null) return this.deque!.at(index);
    if (index < 0 || index >= this.n) return undefined;
    return itemAt(p, positionOf(p, index));
  }

  /** Replaces the element at `index`; false when `index` is outside the list. */
  setAt(index: number, value: ByteString): boolean {
    if (this.raw !== null) this.expand();
    if (index < 0 || index >= this.length) return false;
    if (this.roomFor(value, 0)) {
      const p = this.pack!;
      const pos = positionOf(p, index);
      this.pack = splice(p, pos, nextItem(p, pos), packEntry(value));
      return true;
    }
    return this.deque!.setAt(index, value);
  }

  /** Appends at the tail. */
  pushBack(value: ByteString): void {
    if (this.raw !== null) this.expand();
    if (this.roomFor(value, 1)) {
      this.pack = settle(this.pack + packEntry(value));
      this.n++;
    } else this.deque!.pushBack(value);
  }

  /** Prepends at the head. */
  pushFront(value: ByteString): void {
    if (this.raw !== null) this.expand();
    if (this.roomFor(value, 1)) {
      this.pack = settle(packEntry(value) + this.pack);
      this.n++;
    } else this.deque!.pushFront(value);
  }

  /** Removes and returns the head element. */
  popFront(): ByteString | undefined {
    if (this.raw !== null) this.expand();
    if (this.deque !== null) return this.deque.popFront();
    return this.removeAt(0);
  }

  /** Removes and returns the tail element. */
  popBack(): ByteString | undefined {
    if (this.raw !== null) this.expand();
    if (this.deque !== null) return this.deque.popBack();
    return this.removeAt(this.n - 1);
  }

  /** Inserts `value` so that it ends up at `index` (0 … length). */
  insertAt(index: number, value: ByteString): void {
    if (this.raw !== null) this.expand();
    if (index < 0 || index > this.length) throw new RangeError(`index ${index} outside 0…${this.length}`);
    if (this.roomFor(value, 1)) {
      const pos = positionOf(this.pack!, index);
      this.pack = splice(this.pack!, pos, pos, packEntry(value));
      this.n++;
    } else this.deque!.insertAt(index, value);
  }

  /** Removes and returns the element at `index`. */
  removeAt(index: number): ByteString | undefined {
    if (this.raw !== null) this.expand();
    if (this.deque !== null) return this.deque.removeAt(index);
    if (index < 0 || index >= this.n) return undefined;
    const p = this.pack!;
    const pos = positionOf(p, index);
    const v = itemAt(p, pos);
    this.pack = splice(p, pos, nextItem(p, pos));
    this.n--;
    return v;
  }

  /**
   * Removes elements equal to `value` as LREM does: the first `count` from the head when
   * `count` > 0, the last −`count` from the tail when `count` < 0, all when 0. Returns how
   * many were removed.
   */
  removeValue(value: ByteString, count: number): number {
    if (this.raw !== null) this.expand();
    const limit = count === 0 ? Infinity : Math.abs(count);
    if (this.deque !== null) return this.deque.removeWhere((v) => v === value, limit, count < 0);
    const items = unpack(this.pack!);
    const order = items.map((_, i) => i);
    if (count < 0) order.reverse();
    const drop = new Set<number>();
    for (const i of order) {
      if (drop.size >= limit) break;
      if (items[i] === value) drop.add(i);
    }
    if (drop.size > 0) {
      this.pack = packOf(items.filter((_, i) => !drop.has(i)));
      this.n -= drop.size;
    }
    return drop.size;
  }

  /** Keeps only the elements at `start` … `end` (inclusive, within 0 … length−1); empties the list when start > end. */
  keepRange(start: number, end: number): void {
    if (this.raw !== null) this.expand();
    if (this.deque !== null) return this.deque.keepRange(start, end);
    if (start > end || start >= this.n || end < 0) return this.clear();
    const p = this.pack!;
    const from = positionOf(p, start);
    const to = positionOf(p, end + 1);
    this.pack = detach(p.slice(from, to));
    this.n = end - start + 1;
  }

  /** Index of the first element equal to `value` at or after `from`, or −1. */
  indexOf(value: ByteString, from = 0): number {
    const p = this.readPack();
    if (p === null) {
      const d = this.deque!;
      for (let i = Math.max(0, from); i < d.length; i++) if (d.at(i) === value) return i;
      return -1;
    }
    let i = 0;
    for (let pos = 0; pos < p.length; pos = nextItem(p, pos), i++) if (i >= from && itemIs(p, pos, value)) return i;
    return -1;
  }

  /** Removes every element. */
  clear(): void {
    this.pack = '';
    this.n = 0;
    this.deque = null;
    this.raw = null;
  }

  /** Elements from `start` (inclusive) to `end` (exclusive), head to tail. */
  *range(start = 0, end = this.length): IterableIterator<ByteString> {
    const p = this.readPack();
    if (p === null) {
      yield* this.deque!.range(start, end);
      return;
    }
    let i = 0;
    for (let pos = 0; pos < p.length && i < end; pos = nextItem(p, pos), i++) if (i >= start) yield itemAt(p, pos);
  }

  [Symbol.iterator](): IterableIterator<ByteString> {
    return this.range();
  }

  /** The elements as an array, head to tail. */
  toArray(): ByteString[] {
    const p = this.readPack();
    return p === null ? this.deque!.toArray() : unpack(p);
  }

  /** A copy. */
  clone(): ListValue {
    const out = new ListValue();
    this.copyPackedInto(out);
    if (this.deque !== null) {
      out.deque = new Deque<ByteString>(this.deque.length);
      for (const v of this.deque) out.deque.pushBack(v);
    }
    return out;
  }

  /**
   * True when the pack can take `value` with `more` more elements; otherwise the list is (or
   * now becomes) large and the deque must be used.
   */
  private roomFor(value: ByteString, more: number): boolean {
    if (this.deque !== null) return false;
    if (this.n + more <= PACK_MAX_ITEMS && fitsPack(value)) return true;
    const items = unpack(this.pack!);
    const d = new Deque<ByteString>(items.length + 1);
    for (const v of items) d.pushBack(v);
    this.deque = d;
    this.pack = null;
    this.n = 0;
    return false;
  }
}
