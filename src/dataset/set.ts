/**
 * A Redis set, in one of two forms: small (up to {@link PACK_MAX_ITEMS} members of at most
 * {@link PACK_MAX_ITEM_BYTES} bytes) as one pack scanned for each operation, large as a
 * {@link ByteSet}. Redis keeps integer sets as an intset and others as a listpack or
 * hashtable; the dataset holds the members only, since the encoding is the server's choice
 * and changes nothing a command sees.
 */
import type { ByteString } from './byte-string.js';
import { ByteSet } from './byte-map.js';
import { PACK_MAX_ITEMS, hasDuplicate, fitsPack, itemAt, itemIs, nextItem, packEntry, packOf, settle, splice, unpack } from './pack.js';

/** A set value. */
export class SetValue {
  /** The members while small; null once the ByteSet holds them. */
  private pack: ByteString | null = '';
  /** Members in the pack. */
  private n = 0;
  private big: ByteSet | null = null;

  /** A set of `members`, or null when one of them appears twice. */
  static from(members: readonly ByteString[]): SetValue | null {
    const s = new SetValue();
    if (members.length <= PACK_MAX_ITEMS && members.every(fitsPack)) {
      if (hasDuplicate(members)) return null;
      s.pack = packOf(members);
      s.n = members.length;
      return s;
    }
    const big = new ByteSet();
    for (const m of members) if (!big.add(m)) return null;
    s.pack = null;
    s.big = big;
    return s;
  }

  /**
   * A value from a pack already checked: `count` members, none twice, each at most PACK_MAX_ITEM_BYTES
   * bytes, `count` at most PACK_MAX_ITEMS (what the RDB loader builds).
   */
  static fromPack(pack: ByteString, count: number): SetValue {
    const v = new SetValue();
    v.pack = pack;
    v.n = count;
    return v;
  }

  /** The Redis type name. */
  get type(): 'set' {
    return 'set';
  }

  /** Number of members. */
  get size(): number {
    return this.big !== null ? this.big.size : this.n;
  }

  has(member: ByteString): boolean {
    if (this.big !== null) return this.big.has(member);
    return this.find(member) >= 0;
  }

  /** Adds `member`; true when it was not there yet. */
  add(member: ByteString): boolean {
    if (this.big !== null) return this.big.add(member);
    if (this.find(member) >= 0) return false;
    if (this.n < PACK_MAX_ITEMS && fitsPack(member)) {
      this.pack = settle(this.pack + packEntry(member));
      this.n++;
      return true;
    }
    const big = new ByteSet();
    for (const m of unpack(this.pack!)) big.add(m);
    big.add(member);
    this.big = big;
    this.pack = null;
    this.n = 0;
    return true;
  }

  /** Removes `member`; true when it was there. */
  delete(member: ByteString): boolean {
    if (this.big !== null) return this.big.delete(member);
    const pos = this.find(member);
    if (pos < 0) return false;
    this.pack = splice(this.pack!, pos, nextItem(this.pack!, pos));
    this.n--;
    return true;
  }

  clear(): void {
    this.pack = '';
    this.n = 0;
    this.big = null;
  }

  /** The members (insertion order while small; the large form's order after). */
  *values(): IterableIterator<ByteString> {
    if (this.big !== null) {
      yield* this.big.values();
      return;
    }
    const p = this.pack!;
    for (let pos = 0; pos < p.length; pos = nextItem(p, pos)) yield itemAt(p, pos);
  }

  [Symbol.iterator](): IterableIterator<ByteString> {
    return this.values();
  }

  /** A copy. */
  clone(): SetValue {
    const out = new SetValue();
    out.pack = this.pack;
    out.n = this.n;
    out.big = this.big === null ? null : this.big.clone();
    return out;
  }

  /** Position of `member` in the pack, or −1. */
  private find(member: ByteString): number {
    const p = this.pack!;
    for (let pos = 0; pos < p.length; pos = nextItem(p, pos)) if (itemIs(p, pos, member)) return pos;
    return -1;
  }
}
