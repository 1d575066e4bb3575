/**
 * One logical database: keys and their values, and — as Redis keeps them, in side tables so
 * that keys without them pay nothing — expiry times and the eviction hints a file carried
 * (LRU idle seconds from the IDLE opcode, the LFU counter from FREQ).
 *
 * These are storage primitives: they never apply a command's rules (what SET does to a TTL,
 * when a key expires, that a list, set, sorted set or hash left empty is deleted). Removing a
 * key removes its expiry and hints; moving it moves them.
 */
import type { ByteString } from './byte-string.js';
import { ByteMap, hashBytes } from './byte-map.js';
import type { Value } from './value.js';

/** A database of the dataset. */
export class Database {
  /** Key → value. */
  readonly values: ByteMap<Value>;
  /** Key → absolute expiry (Unix ms), only for keys that have one. */
  readonly expires: ByteMap<number>;
  /** Key → LRU idle time in seconds as the file recorded it; null until a key has one. */
  private idle: ByteMap<number> | null = null;
  /** Key → LFU counter as the file recorded it; null until a key has one. */
  private freq: ByteMap<number> | null = null;

  /** @param perTable entries per native Map (lowered by tests to exercise the chained maps). */
  constructor(private readonly perTable?: number) {
    this.values = new ByteMap(perTable);
    this.expires = new ByteMap(perTable);
  }

  /** Number of keys. */
  get size(): number {
    return this.values.size;
  }

  /** Number of keys with an expiry. */
  get volatileKeys(): number {
    return this.expires.size;
  }

  get(key: ByteString): Value | undefined {
    return this.values.get(key);
  }

  has(key: ByteString): boolean {
    return this.values.has(key);
  }

  /**
   * Adds a key that is absent, with its expiry (absolute Unix ms) or none, in one lookup;
   * false, changing nothing, when the key is there.
   */
  add(key: ByteString, value: Value, expireAtMs: number | null = null): boolean {
    // One hash for both tables, and one probe each: a key new to the values has no expiry.
    const h = hashBytes(key);
    if (!this.values.setNewHashed(key, h, value)) return false;
    if (expireAtMs !== null && !this.expires.setNewHashed(key, h, expireAtMs)) this.expires.set(key, expireAtMs);
    return true;
  }

  /**
   * Adds a key for a bulk load without looking it up first (its expiry too): true when done
   * so, its index entry made later, together with the others ({@link takeRepeatedKey} must
   * follow before a repeated key matters); false, changing nothing, when the table cannot take
   * it so (the caller then uses {@link add}).
   */
  addUnchecked(key: ByteString, value: Value, expireAtMs: number | null): boolean {
    const h = hashBytes(key);
    if (!this.values.appendUnchecked(key, h, value)) return false;
    if (expireAtMs !== null && !this.expires.appendUnchecked(key, h, expireAtMs)) this.expires.set(key, expireAtMs);
    return true;
  }

  /** The entry number the next {@link addUnchecked} key gets. */
  get nextEntry(): number {
    return this.values.nextEntry;
  }

  /**
   * Indexes the keys {@link addUnchecked} added and returns the first that was added twice (the
   * entry number of its second addition, and the key), or null. The key keeps its first
   * place with the later value and expiry.
   */
  takeRepeatedKey(): { entry: number; key: ByteString } | null {
    const dup = this.values.takeDuplicate();
    // An expiry given twice: the later one stays, as for the value.
    this.expires.takeDuplicate();
    return dup;
  }

  /** Sets a key's value; its expiry and hints stay as they are. */
  set(key: ByteString, value: Value): void {
    this.values.set(key, value);
  }

  /**
   * Gives a key a new value as a new object (what SET does without KEEPTTL): in place when the
   * key is there, its place in the order kept (Redis replaces the value of the same entry), its
   * expiry and hints gone with the old value; added when absent.
   */
  replace(key: ByteString, value: Value): void {
    this.values.set(key, value);
    if (this.expires.size !== 0) this.expires.delete(key);
    this.idle?.delete(key);
    this.freq?.delete(key);
  }

  /** Removes a key with its expiry and hints; true when it was there. */
  delete(key: ByteString): boolean {
    if (!this.values.delete(key)) return false;
    this.expires.delete(key);
    this.idle?.delete(key);
    this.freq?.delete(key);
    return true;
  }

  /** The key's absolute expiry in Unix ms, or null. */
  expireAt(key: ByteString): number | null {
    return this.expires.get(key) ?? null;
  }

  /** Sets (a number) or removes (null) the expiry of a key that exists; false when the key is absent. */
  setExpire(key: ByteString, expireAtMs: number | null): boolean {
    if (!this.values.has(key)) return false;
    if (expireAtMs === null) this.expires.delete(key);
    else this.expires.set(key, expireAtMs);
    return true;
  }

  /** The LRU idle seconds the source recorded for the key, or undefined. */
  lruIdleSec(key: ByteString): number | undefined {
    return this.idle?.get(key);
  }

  /** The LFU counter the source recorded for the key, or undefined. */
  lfuFreq(key: ByteString): number | undefined {
    return this.freq?.get(key);
  }

  /** Records (a number) or forgets (undefined) the eviction hints of a key that exists. */
  setHints(key: ByteString, lruIdleSec: number | undefined, lfuFreq: number | undefined): void {
    if (!this.values.has(key)) return;
    if (lruIdleSec === undefined) this.idle?.delete(key);
    else (this.idle ??= new ByteMap(this.perTable)).set(key, lruIdleSec);
    if (lfuFreq === undefined) this.freq?.delete(key);
    else (this.freq ??= new ByteMap(this.perTable)).set(key, lfuFreq);
  }

  /**
   * Moves a key's value, expiry and hints to `to` in `target` (this database or another),
   * replacing what `to` held. False when `from` is absent.
   */
  moveKey(from: ByteString, to: ByteString, target: Database = this): boolean {
    const v = this.values.get(from);
    if (v === undefined) return false;
    if (target === this && from === to) return true;
    const exp = this.expireAt(from);
    const idle = this.lruIdleSec(from);
    const freq = this.lfuFreq(from);
    this.delete(from);
    target.delete(to);
    target.set(to, v);
    if (exp !== null) target.setExpire(to, exp);
    if (idle !== undefined || freq !== undefined) target.setHints(to, idle, freq);
    return true;
  }

  /**
   * Makes room for `keys` keys, `expires` of them with an expiry, before the tables must grow
   * again (what an RDB's RESIZEDB states); changes nothing else.
   */
  reserve(keys: number, expires: number): void {
    this.values.reserve(keys);
    this.expires.reserve(expires);
  }

  /** Removes every key. */
  clear(): void {
    this.values.clear();
    this.expires.clear();
    this.idle = null;
    this.freq = null;
  }

  /** The keys in insertion order (fast; the order of a hash table in Redis is no better). */
  keys(): IterableIterator<ByteString> {
    return this.values.keys();
  }

  /** The keys in byte order (a stable order for listing and diffing; sorts them all). */
  sortedKeys(): ByteString[] {
    return [...this.values.keys()].sort();
  }
}
