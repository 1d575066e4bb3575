/**
 * A Redis hash: fields and values in insertion order (the order a listpack hash keeps), in
 * one of two forms — small (up to {@link PACK_MAX_ITEMS} fields, fields and values of at most
 * {@link PACK_MAX_ITEM_BYTES} bytes) as one pack of field, value, field, value …, large as a
 * {@link ByteMap} — and the absolute expiry of the fields that have one (hash field TTLs,
 * Redis 7.4+ and Valkey 9), held apart so that hashes without field TTLs pay nothing for them.
 */
import type { ByteString } from './byte-string.js';
import { ByteMap } from './byte-map.js';
import { PACK_MAX_ITEMS, hasDuplicate, fitsPack, itemAt, itemIs, nextItem, packEntry, packOf, settle, splice, unpack } from './pack.js';
import type { RdbBlobElements } from './rdb-blob.js';
import { PackedValue } from './packed-value.js';

/** Pairs from which {@link HashValue.setMany} edits the small form in one go. */
const MANY_MIN = 4;

/** A hash value. */
export class HashValue extends PackedValue {
  /** Field → value in the large form; null while small. */
  private big: ByteMap<ByteString> | null = null;
  /** Field → absolute expiry (Unix ms), only for fields that have one; null when none has. */
  private ttls: ByteMap<number> | null = null;

  /**
   * A hash of `fields` and `values` (in step), or null when a field appears twice. `room`:
   * fields it is about to hold in all, when known (a large hash then makes its table that
   * large at once). `large`: in the large form whatever the fields (a hash loaded from a
   * record that states more fields than the small form takes, as Redis makes it).
   */
  static from(fields: readonly ByteString[], values: readonly ByteString[], room = 0, large = false): HashValue | null {
    const h = new HashValue();
    return h.fill(fields, values, room, large) ? h : null;
  }

  /**
   * A hash kept as the RDB blob it was loaded from until first read (rdb-blob.ts): the blob's
   * bytes, its RDB type and its field count, checked by `checkRdbBlob` (what the RDB loader
   * builds).
   */
  static fromRdbBlob(rdbType: number, raw: ByteString, count: number): HashValue {
    return new HashValue().keepBlob(rdbType, raw, count);
  }

  /** Takes `fields` and `values` in the form they call for (the large one whatever they are with `large`); false when a field appears twice. */
  private fill(fields: readonly ByteString[], values: readonly ByteString[], room = 0, large = false): boolean {
    if (!large && fields.length <= PACK_MAX_ITEMS && fields.every(fitsPack) && values.every(fitsPack)) {
      if (hasDuplicate(fields)) return false;
      const items = new Array<ByteString>(fields.length * 2);
      for (let i = 0; i < fields.length; i++) {
        items[2 * i] = fields[i];
        items[2 * i + 1] = values[i];
      }
      this.pack = packOf(items);
      this.n = fields.length;
      return true;
    }
    const big = new ByteMap<ByteString>();
    big.reserve(Math.max(room, fields.length));
    for (let i = 0; i < fields.length; i++) if (!big.setNew(fields[i], values[i])) return false;
    this.pack = null;
    this.n = 0;
    this.big = big;
    return true;
  }

  protected takeElements(e: RdbBlobElements): void {
    this.fill(e.items, e.vals);
  }

  /**
   * A value from a pack already checked: `count` fields and values (field, value, …), no field twice, each at most PACK_MAX_ITEM_BYTES
   * bytes, `count` at most PACK_MAX_ITEMS (what the RDB loader builds).
   */
  static fromPack(pack: ByteString, count: number): HashValue {
    const v = new HashValue();
    v.pack = pack;
    v.n = count;
    return v;
  }

  /** The Redis type name. */
  get type(): 'hash' {
    return 'hash';
  }

  /** Number of fields. */
  get size(): number {
    return this.big !== null ? this.big.size : this.n;
  }

  /** Number of fields with a TTL. */
  get volatileFields(): number {
    return this.ttls === null ? 0 : this.ttls.size;
  }

  get(field: ByteString): ByteString | undefined {
    const p = this.readPack();
    if (p === null) return this.big!.get(field);
    const pos = findIn(p, field);
    return pos < 0 ? undefined : itemAt(p, nextItem(p, pos));
  }

  has(field: ByteString): boolean {
    const p = this.readPack();
    if (p === null) return this.big!.has(field);
    return findIn(p, field) >= 0;
  }

  /**
   * Sets a field's value (a new field goes last). Its TTL is left as it is: HSET in Redis 7.4
   * drops the TTL of a field it overwrites, which the caller does with `setFieldExpire(field, null)`.
   */
  set(field: ByteString, value: ByteString): this {
    if (this.raw !== null) this.expand();
    if (this.big !== null) {
      this.big.set(field, value);
      return this;
    }
    const p = this.pack!;
    const pos = this.find(field);
    if (fitsPack(field) && fitsPack(value) && (pos >= 0 || this.n < PACK_MAX_ITEMS)) {
      if (pos >= 0) {
        const at = nextItem(p, pos);
        this.pack = splice(p, at, nextItem(p, at), packEntry(value));
      } else {
        this.pack = settle(p + packEntry(field) + packEntry(value));
        this.n++;
      }
      return this;
    }
    const big = new ByteMap<ByteString>();
    const items = unpack(p);
    for (let i = 0; i < items.length; i += 2) big.set(items[i], items[i + 1]);
    big.set(field, value);
    this.big = big;
    this.pack = null;
    this.n = 0;
    return this;
  }

  /**
   * Sets the field/value pairs `pairs[from]`, `pairs[from + 1]` … as {@link set} on each in
   * turn would; the number of fields created. While the hash stays small the run is edited in
   * one map and packed once (HSET of many fields: no scan and no new pack per field). TTLs
   * are left as they are, as by `set`.
   */
  setMany(pairs: readonly ByteString[], from = 0): number {
    let created = 0;
    let i = from;
    if (this.raw !== null) this.expand();
    if (this.big === null && pairs.length - from >= 2 * MANY_MIN) {
      const items = unpack(this.pack!);
      const map = new Map<ByteString, ByteString>();
      for (let k = 0; k < items.length; k += 2) map.set(items[k], items[k + 1]);
      let n = this.n;
      for (; i + 1 < pairs.length; i += 2) {
        const f = pairs[i];
        const v = pairs[i + 1];
        const known = map.has(f);
        if (!(fitsPack(f) && fitsPack(v) && (known || n < PACK_MAX_ITEMS))) break;
        if (!known) n++;
        map.set(f, v);
      }
      if (i !== from) {
        const parts: string[] = [];
        for (const [f, v] of map) parts.push(packEntry(f), packEntry(v));
        this.pack = parts.join('');
        created = n - this.n;
        this.n = n;
      }
    }
    for (; i + 1 < pairs.length; i += 2) {
      const before = this.size;
      this.set(pairs[i], pairs[i + 1]);
      if (this.size !== before) created++;
    }
    return created;
  }

  /**
   * Adds a field that is absent, as `set` would (it goes last); false, changing nothing, when
   * the field is there (one lookup where `has` then `set` take two in the large form).
   */
  setNew(field: ByteString, value: ByteString): boolean {
    if (this.raw !== null) this.expand();
    if (this.big !== null) return this.big.setNew(field, value);
    if (this.find(field) >= 0) return false;
    this.set(field, value);
    return true;
  }

  /** Removes a field and its TTL; true when it was there. */
  delete(field: ByteString): boolean {
    if (this.raw !== null) this.expand();
    if (this.big !== null) {
      if (!this.big.delete(field)) return false;
    } else {
      const p = this.pack!;
      const pos = this.find(field);
      if (pos < 0) return false;
      this.pack = splice(p, pos, nextItem(p, nextItem(p, pos)));
      this.n--;
    }
    if (this.ttls !== null && this.ttls.delete(field) && this.ttls.size === 0) this.ttls = null;
    return true;
  }

  /** Removes every field. */
  clear(): void {
    this.pack = '';
    this.n = 0;
    this.big = null;
    this.ttls = null;
    this.raw = null;
  }

  /** The field's absolute expiry in Unix ms, or null when it has none (or is absent). */
  fieldExpire(field: ByteString): number | null {
    return this.ttls?.get(field) ?? null;
  }

  /** Sets (a number) or removes (null) the TTL of a field that exists; false when the field is absent. */
  setFieldExpire(field: ByteString, expireAtMs: number | null): boolean {
    if (!this.has(field)) return false;
    if (expireAtMs === null) {
      if (this.ttls !== null && this.ttls.delete(field) && this.ttls.size === 0) this.ttls = null;
    } else {
      (this.ttls ??= new ByteMap<number>()).set(field, expireAtMs);
    }
    return true;
  }

  /** Fields with a TTL and their absolute expiry, in the order the TTLs were first set. */
  *fieldExpires(): IterableIterator<[ByteString, number]> {
    if (this.ttls !== null) yield* this.ttls.entries();
  }

  /** Field/value pairs in insertion order. */
  *entries(): IterableIterator<[ByteString, ByteString]> {
    const p = this.readPack();
    if (p === null) {
      yield* this.big!.entries();
      return;
    }
    for (let pos = 0; pos < p.length; ) {
      const at = nextItem(p, pos);
      yield [itemAt(p, pos), itemAt(p, at)];
      pos = nextItem(p, at);
    }
  }

  /** The fields in insertion order. */
  *keys(): IterableIterator<ByteString> {
    for (const [f] of this.entries()) yield f;
  }

  [Symbol.iterator](): IterableIterator<[ByteString, ByteString]> {
    return this.entries();
  }

  /** Fields and values as one array (field, value, field, value …), in the order {@link entries} gives them. */
  toFlatArray(): ByteString[] {
    const p = this.readPack();
    if (p !== null) return unpack(p);
    const out: ByteString[] = [];
    for (const [f, v] of this.big!.entries()) out.push(f, v);
    return out;
  }

  /** A copy. */
  clone(): HashValue {
    const out = new HashValue();
    this.copyPackedInto(out);
    out.big = this.big === null ? null : this.big.clone();
    out.ttls = this.ttls === null ? null : this.ttls.clone();
    return out;
  }

  /** Position of `field` in the pack (a field entry), or −1. */
  private find(field: ByteString): number {
    return findIn(this.pack!, field);
  }
}

/** Position of `field` in the pack `p` (a field entry), or −1. */
function findIn(p: ByteString, field: ByteString): number {
  for (let pos = 0; pos < p.length; pos = nextItem(p, nextItem(p, pos))) if (itemIs(p, pos, field)) return pos;
  return -1;
}
