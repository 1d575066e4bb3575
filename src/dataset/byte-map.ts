/**
 * Maps and sets keyed by {@link ByteString}s that grow past V8's limit of 2^24 entries per
 * `Map` or `Set` (a database of 20 million keys is ordinary for Redis). Up to the limit they
 * are one native `Map`/`Set`; beyond it, a chain of them: a new entry goes into the last one,
 * a lookup asks each in turn (a handful even for a hundred million entries). Iteration
 * follows insertion order across the chain, as a single `Map` would.
 *
 * Small collections are the norm, so the wrapper is kept to three fields: the first table,
 * the rest of the chain (null until needed) and the per-table limit.
 */
import type { ByteString } from './byte-string.js';

/** Entries one native Map or Set holds before the chain grows (V8 refuses the 2^24 + 1st). */
export const ENTRIES_PER_TABLE = 2 ** 24 - 1;

/** A Map from byte strings to `V` without V8's size limit. */
export class ByteMap<V> {
  private first: Map<ByteString, V> = new Map();
  /** Further tables once the first is full, in insertion order; null until then. */
  private rest: Map<ByteString, V>[] | null = null;

  /** @param perTable entries per native Map (lowered by tests to exercise the chain). */
  constructor(protected readonly perTable = ENTRIES_PER_TABLE) {}

  /** Number of entries. */
  get size(): number {
    let n = this.first.size;
    if (this.rest !== null) for (const m of this.rest) n += m.size;
    return n;
  }

  get(key: ByteString): V | undefined {
    if (this.rest === null) return this.first.get(key);
    return this.tableOf(key)?.get(key);
  }

  has(key: ByteString): boolean {
    if (this.rest === null) return this.first.has(key);
    return this.tableOf(key) !== undefined;
  }

  /** Sets `key` to `value`, in place when present (its position in the order is kept). */
  set(key: ByteString, value: V): this {
    const f = this.first;
    if (this.rest === null && (f.size < this.perTable || f.has(key))) {
      f.set(key, value);
      return this;
    }
    const t = this.tableOf(key);
    if (t !== undefined) {
      t.set(key, value);
      return this;
    }
    const rest = (this.rest ??= []);
    let last = rest.length > 0 ? rest[rest.length - 1] : f;
    if (last.size >= this.perTable) rest.push((last = new Map()));
    last.set(key, value);
    return this;
  }

  /** Removes `key`; true when it was there. */
  delete(key: ByteString): boolean {
    if (this.first.delete(key)) {
      if (this.first.size === 0 && this.rest !== null) this.shift();
      return true;
    }
    const rest = this.rest;
    if (rest === null) return false;
    for (let i = 0; i < rest.length; i++) {
      if (rest[i].delete(key)) {
        if (rest[i].size === 0) rest.splice(i, 1);
        if (rest.length === 0) this.rest = null;
        return true;
      }
    }
    return false;
  }

  clear(): void {
    this.first = new Map();
    this.rest = null;
  }

  *keys(): IterableIterator<ByteString> {
    yield* this.first.keys();
    if (this.rest !== null) for (const m of this.rest) yield* m.keys();
  }

  *values(): IterableIterator<V> {
    yield* this.first.values();
    if (this.rest !== null) for (const m of this.rest) yield* m.values();
  }

  *entries(): IterableIterator<[ByteString, V]> {
    yield* this.first.entries();
    if (this.rest !== null) for (const m of this.rest) yield* m.entries();
  }

  [Symbol.iterator](): IterableIterator<[ByteString, V]> {
    return this.entries();
  }

  /** Copies this map's entries into `out`, an empty map (values are shared, not copied). */
  protected copyInto<M extends ByteMap<V>>(out: M): M {
    const self = out as ByteMap<V>;
    self.first = new Map(this.first);
    self.rest = this.rest === null ? null : this.rest.map((m) => new Map(m));
    return out;
  }

  /** A copy (values are shared, not copied). */
  clone(): ByteMap<V> {
    return this.copyInto(new ByteMap<V>(this.perTable));
  }

  private tableOf(key: ByteString): Map<ByteString, V> | undefined {
    if (this.first.has(key)) return this.first;
    if (this.rest !== null) for (const m of this.rest) if (m.has(key)) return m;
    return undefined;
  }

  /** The first table emptied: the next one takes its place. */
  private shift(): void {
    const rest = this.rest!;
    this.first = rest.shift()!;
    if (rest.length === 0) this.rest = null;
  }
}

/** A Set of byte strings without V8's size limit. */
export class ByteSet {
  private first: Set<ByteString> = new Set();
  /** Further tables once the first is full, in insertion order; null until then. */
  private rest: Set<ByteString>[] | null = null;

  /** @param perTable entries per native Set (lowered by tests to exercise the chain). */
  constructor(protected readonly perTable = ENTRIES_PER_TABLE) {}

  /** Number of members. */
  get size(): number {
    let n = this.first.size;
    if (this.rest !== null) for (const s of this.rest) n += s.size;
    return n;
  }

  has(member: ByteString): boolean {
    if (this.first.has(member)) return true;
    if (this.rest !== null) for (const s of this.rest) if (s.has(member)) return true;
    return false;
  }

  /** Adds `member`; true when it was not there yet. */
  add(member: ByteString): boolean {
    const f = this.first;
    if (this.rest === null && f.size < this.perTable) {
      const before = f.size;
      f.add(member);
      return f.size !== before;
    }
    if (this.has(member)) return false;
    const rest = (this.rest ??= []);
    let last = rest.length > 0 ? rest[rest.length - 1] : f;
    if (last.size >= this.perTable) rest.push((last = new Set()));
    last.add(member);
    return true;
  }

  /** Removes `member`; true when it was there. */
  delete(member: ByteString): boolean {
    if (this.first.delete(member)) {
      if (this.first.size === 0 && this.rest !== null) {
        this.first = this.rest.shift()!;
        if (this.rest.length === 0) this.rest = null;
      }
      return true;
    }
    const rest = this.rest;
    if (rest === null) return false;
    for (let i = 0; i < rest.length; i++) {
      if (rest[i].delete(member)) {
        if (rest[i].size === 0) rest.splice(i, 1);
        if (rest.length === 0) this.rest = null;
        return true;
      }
    }
    return false;
  }

  clear(): void {
    this.first = new Set();
    this.rest = null;
  }

  *values(): IterableIterator<ByteString> {
    yield* this.first.values();
    if (this.rest !== null) for (const s of this.rest) yield* s.values();
  }

  [Symbol.iterator](): IterableIterator<ByteString> {
    return this.values();
  }

  /** Copies this set's members into `out`, an empty set. */
  protected copyInto<S extends ByteSet>(out: S): S {
    const self = out as ByteSet;
    self.first = new Set(this.first);
    self.rest = this.rest === null ? null : this.rest.map((s) => new Set(s));
    return out;
  }

  /** A copy. */
  clone(): ByteSet {
    return this.copyInto(new ByteSet(this.perTable));
  }
}
