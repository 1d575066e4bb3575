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
import type { RdbBlobElements } from './rdb-blob.js';
import { PackedValue } from './packed-value.js';

/** Elements from which {@link SetValue.addMany} edits the small form in one go. */
const MANY_MIN = 4;

/** A set value. */
export class SetValue extends PackedValue {
  /** The members in the large form; null while small. */
  private big: ByteSet | null = null;

  /**
   * A set of `members`, or null when one of them appears twice. `room`: members it is about
   * to hold in all, when known (a large set then makes its table that large at once).
   * `large`: in the large form whatever the members (a set loaded from a record that states
   * more members than the small form takes, as Redis makes it).
   */
  static from(members: readonly ByteString[], room = 0, large = false): SetValue | null {
    const s = new SetValue();
    return s.fill(members, room, large) ? s : null;
  }

  /**
   * A set kept as the RDB blob it was loaded from until first read (rdb-blob.ts): the blob's
   * bytes, its RDB type and its member count, checked by `checkRdbBlob` (what the RDB loader
   * builds).
   */
  static fromRdbBlob(rdbType: number, raw: ByteString, count: number): SetValue {
    return new SetValue().keepBlob(rdbType, raw, count);
  }

  /** Takes `members` in the form they call for (the large one whatever they are with `large`); false when one appears twice. */
  private fill(members: readonly ByteString[], room = 0, large = false): boolean {
    if (!large && members.length <= PACK_MAX_ITEMS && members.every(fitsPack)) {
      if (hasDuplicate(members)) return false;
      this.pack = packOf(members);
      this.n = members.length;
      return true;
    }
    const big = new ByteSet();
    big.reserve(Math.max(room, members.length));
    for (const m of members) if (!big.add(m)) return false;
    this.pack = null;
    this.n = 0;
    this.big = big;
    return true;
  }

  protected takeElements(e: RdbBlobElements): void {
    this.fill(e.items);
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
    const p = this.readPack();
    if (p === null) return this.big!.has(member);
    return findIn(p, member) >= 0;
  }

  /** Adds `member`; true when it was not there yet. */
  add(member: ByteString): boolean {
    if (this.raw !== null) this.expand();
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

  /**
   * Adds `items` from index `from` on, as {@link add} on each in turn would; the number added.
   * While the set stays small the run is checked against one lookup table and appended to the
   * pack at once (SADD of many members: no scan and no new pack per member).
   */
  addMany(items: readonly ByteString[], from = 0): number {
    let added = 0;
    let i = from;
    if (this.raw !== null) this.expand();
    if (this.big === null && items.length - from >= MANY_MIN) {
      const seen = new Set(unpack(this.pack!));
      const parts: string[] = [];
      let n = this.n;
      for (; i < items.length; i++) {
        const m = items[i];
        if (seen.has(m)) continue;
        if (n >= PACK_MAX_ITEMS || !fitsPack(m)) break;
        seen.add(m);
        parts.push(packEntry(m));
        n++;
      }
      if (parts.length !== 0) {
        this.pack = settle(this.pack + parts.join(''));
        added = n - this.n;
        this.n = n;
      }
    }
    for (; i < items.length; i++) if (this.add(items[i])) added++;
    return added;
  }

  /** Removes `member`; true when it was there. */
  delete(member: ByteString): boolean {
    if (this.raw !== null) this.expand();
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
    this.raw = null;
  }

  /** The members (insertion order while small; the large form's order after). */
  *values(): IterableIterator<ByteString> {
    const p = this.readPack();
    if (p === null) {
      yield* this.big!.values();
      return;
    }
    for (let pos = 0; pos < p.length; pos = nextItem(p, pos)) yield itemAt(p, pos);
  }

  [Symbol.iterator](): IterableIterator<ByteString> {
    return this.values();
  }

  /** The members as an array, in the order {@link values} gives them. */
  toArray(): ByteString[] {
    const p = this.readPack();
    return p === null ? [...this.big!.values()] : unpack(p);
  }

  /** A copy. */
  clone(): SetValue {
    const out = new SetValue();
    this.copyPackedInto(out);
    out.big = this.big === null ? null : this.big.clone();
    return out;
  }

  /** Position of `member` in the pack, or −1. */
  private find(member: ByteString): number {
    return findIn(this.pack!, member);
  }
}

/** Position of `member` in the pack `p`, or −1. */
function findIn(p: ByteString, member: ByteString): number {
  for (let pos = 0; pos < p.length; pos = nextItem(p, pos)) if (itemIs(p, pos, member)) return pos;
  return -1;
}
