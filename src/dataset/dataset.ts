/**
 * The in-memory dataset: what a Redis or Valkey server holds after loading a file — every
 * database's keys with their values, expiry and eviction hints, the function libraries, and
 * what the loaded RDB said about itself (its header, AUX fields and module AUX records).
 *
 * Byte strings are {@link ByteString}s throughout (see byte-string.ts for why and how to
 * convert). Listing is in a stable order: databases ascending, keys in byte order.
 */
import type { Dialect } from '../model/redis-types.js';
import type { ByteString } from './byte-string.js';
import { Database } from './database.js';
import { FunctionLibraries } from './functions.js';
import type { Value } from './value.js';

/** What the loaded RDB's header said. */
export interface DatasetSource {
  magic: 'REDIS' | 'VALKEY';
  dialect: Dialect;
  /** The RDB version. */
  version: number;
}

/** One AUX field of the loaded RDB. */
export interface DatasetAux {
  name: ByteString;
  value: ByteString;
}

/** One module AUX record of the loaded RDB, undecoded. */
export interface ModuleAuxRecord {
  moduleName: string;
  encver: number;
  /** The 64-bit module type id as a decimal string. */
  moduleId: string;
  /** When the module asked for it to be written (before or after the keys). */
  when: number;
  /** The payload up to and including its EOF opcode (a private copy). */
  raw: Uint8Array;
}

/** A key as listed by {@link Dataset.entries}. */
export interface KeyEntry {
  db: number;
  key: ByteString;
  value: Value;
  /** Absolute expiry in Unix ms, or null. */
  expireAtMs: number | null;
  /** LRU idle seconds the source recorded, when it did. */
  lruIdleSec?: number;
  /** LFU counter the source recorded, when it did. */
  lfuFreq?: number;
}

/** Options of {@link Dataset}. */
export interface DatasetOptions {
  /** Entries per native Map before a chain starts (tests lower it; default V8's limit). */
  entriesPerTable?: number;
}

/** What {@link Dataset.dropExpired} removed. */
export interface DroppedExpired {
  keys: number;
  /** Hash fields removed from hashes that stayed (a hash left empty counts as a key). */
  fields: number;
}

/** The dataset. */
export class Dataset {
  private readonly dbs = new Map<number, Database>();
  /** Function libraries by name. */
  readonly functions = new FunctionLibraries();
  /** AUX fields of the loaded RDB, in file order. */
  readonly aux: DatasetAux[] = [];
  /** Module AUX records of the loaded RDB, in file order. */
  readonly moduleAux: ModuleAuxRecord[] = [];
  /** The loaded RDB's header, or null when none was loaded. */
  source: DatasetSource | null = null;

  constructor(private readonly opts: DatasetOptions = {}) {}

  /** The database `index`, created empty when it does not exist yet. */
  db(index: number): Database {
    let d = this.dbs.get(index);
    if (d === undefined) this.dbs.set(index, (d = new Database(this.opts.entriesPerTable)));
    return d;
  }

  /** The database `index` when it exists (it may be empty), without creating it. */
  peekDb(index: number): Database | undefined {
    return this.dbs.get(index);
  }

  /** Indexes of the databases that hold keys, ascending. */
  dbIndexes(): number[] {
    return [...this.dbs]
      .filter(([, d]) => d.size > 0)
      .map(([i]) => i)
      .sort((a, b) => a - b);
  }

  /** Number of keys in every database. */
  get keyCount(): number {
    let n = 0;
    for (const d of this.dbs.values()) n += d.size;
    return n;
  }

  /** Exchanges the contents of two databases (SWAPDB). */
  swapDb(a: number, b: number): void {
    if (a === b) return;
    const da = this.db(a);
    const db = this.db(b);
    this.dbs.set(a, db);
    this.dbs.set(b, da);
  }

  /** Removes every key of every database (functions stay, as with FLUSHALL). */
  flushAll(): void {
    this.dbs.clear();
  }

  /**
   * Every key, databases ascending. With `sorted` (the default) keys come in byte order — a
   * stable order whatever order they were loaded or created in (it sorts each database's
   * keys once); without it, in insertion order.
   */
  *entries(opts: { sorted?: boolean } = {}): IterableIterator<KeyEntry> {
    for (const index of this.dbIndexes()) {
      const d = this.dbs.get(index)!;
      const keys = opts.sorted === false ? d.keys() : d.sortedKeys();
      for (const key of keys) {
        const e: KeyEntry = { db: index, key, value: d.get(key)!, expireAtMs: d.expireAt(key) };
        const idle = d.lruIdleSec(key);
        if (idle !== undefined) e.lruIdleSec = idle;
        const freq = d.lfuFreq(key);
        if (freq !== undefined) e.lfuFreq = freq;
        yield e;
      }
    }
  }

  /**
   * Removes what has expired at `nowMs` as Redis would on access: keys whose expiry is before
   * `nowMs`, and hash fields whose TTL is before it (a hash left without fields goes too).
   */
  dropExpired(nowMs: number): DroppedExpired {
    const out: DroppedExpired = { keys: 0, fields: 0 };
    for (const d of this.dbs.values()) {
      const gone: ByteString[] = [];
      for (const [key, at] of d.expires) if (at < nowMs) gone.push(key);
      for (const key of gone) if (d.delete(key)) out.keys++;
      const emptied: ByteString[] = [];
      for (const [key, v] of d.values) {
        if (typeof v === 'string' || v.type !== 'hash' || v.volatileFields === 0) continue;
        const fields: ByteString[] = [];
        for (const [f, at] of v.fieldExpires()) if (at < nowMs) fields.push(f);
        for (const f of fields) v.delete(f);
        if (v.size === 0) emptied.push(key);
        else out.fields += fields.length;
      }
      for (const key of emptied) if (d.delete(key)) out.keys++;
    }
    return out;
  }
}
