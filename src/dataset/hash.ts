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

/** A hash value. */
export class HashValue {
  /** The fields and values while small; null once the ByteMap holds them. */
  private pack: ByteString | null = '';
  /** Fields in the pack. */
  private n = 0;
  private big: ByteMap<ByteString> | null = null;
  /** Field → absolute expiry (Unix ms), only for fields that have one; null when none has. */
  private ttls: ByteMap<number> | null = null;

  /** A hash of `fields` and `values` (in step), or null when a field appears twice. */
  static from(fields: readonly ByteString[], values: readonly ByteString[]): HashValue | null {
    const h = new HashValue();
    if (fields.length <= PACK_MAX_ITEMS && fields.every(fitsPack) && values.every(fitsPack)) {
      if (hasDuplicate(fields)) return null;
      const items = new Array<ByteString>(fields.length * 2);
      for (let i = 0; i < fields.length; i++) {
        items[2 * i] = fields[i];
        items[2 * i + 1] = values[i];
      }
      h.pack = packOf(items);
      h.n = fields.length;
      return h;
    }
    const big = new ByteMap<ByteString>();
    for (let i = 0; i < fields.length; i++) {
      if (big.has(fields[i])) return null;
      big.set(fields[i], values[i]);
    }
    h.pack = null;
    h.big = big;
    return h;
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
    if (this.big !== null) return this.big.get(field);
    const pos = this.find(field);
    return pos < 0 ? undefined : itemAt(this.pack!, nextItem(this.pack!, pos));
  }

  has(field: ByteString): boolean {
    if (this.big !== null) return this.big.has(field);
    return this.find(field) >= 0;
  }

  /**
   * Sets a field's value (a new field goes last). Its TTL is left as it is: HSET in Redis 7.4
   * drops the TTL of a field it overwrites, which the caller does with `setFieldExpire(field, null)`.
   */
  set(field: ByteString, value: ByteString): this {
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

  /** Removes a field and its TTL; true when it was there. */
  delete(field: ByteString): boolean {
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
    if (this.big !== null) {
      yield* this.big.entries();
      return;
    }
    const p = this.pack!;
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

  /** A copy. */
  clone(): HashValue {
    const out = new HashValue();
    out.pack = this.pack;
    out.n = this.n;
    out.big = this.big === null ? null : this.big.clone();
    out.ttls = this.ttls === null ? null : this.ttls.clone();
    return out;
  }

  /** Position of `field` in the pack (a field entry), or −1. */
  private find(field: ByteString): number {
    const p = this.pack!;
    for (let pos = 0; pos < p.length; pos = nextItem(p, nextItem(p, pos))) if (itemIs(p, pos, field)) return pos;
    return -1;
  }
}
