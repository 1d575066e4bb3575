/**
 * A Redis hash: fields and values in insertion order (the order a listpack hash keeps), and
 * the absolute expiry of the fields that have one (hash field TTLs, Redis 7.4+ and Valkey 9),
 * held apart so that hashes without field TTLs pay nothing for them.
 */
import type { ByteString } from './byte-string.js';
import { ByteMap } from './byte-map.js';

/** A hash value: a map of field → value, plus field TTLs. */
export class HashValue extends ByteMap<ByteString> {
  /** Field → absolute expiry (Unix ms), only for fields that have one; null when none has. */
  private ttls: ByteMap<number> | null = null;

  /** The Redis type name. */
  get type(): 'hash' {
    return 'hash';
  }

  /** Number of fields with a TTL. */
  get volatileFields(): number {
    return this.ttls === null ? 0 : this.ttls.size;
  }

  /**
   * Sets a field's value (`set`, inherited) leaves its TTL as it is: HSET in Redis 7.4 drops
   * the TTL of a field it overwrites, which the caller does with `setFieldExpire(field, null)`.
   * Removing a field (`delete`) removes its TTL too.
   */
  override delete(field: ByteString): boolean {
    if (!super.delete(field)) return false;
    if (this.ttls !== null && this.ttls.delete(field) && this.ttls.size === 0) this.ttls = null;
    return true;
  }

  override clear(): void {
    super.clear();
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

  /** A copy. */
  override clone(): HashValue {
    const out = this.copyInto(new HashValue(this.perTable));
    out.ttls = this.ttls === null ? null : this.ttls.clone();
    return out;
  }
}
