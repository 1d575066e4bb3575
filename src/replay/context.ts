/**
 * What a command sees while it runs: the dataset, the selected database, the clock, and typed
 * access to keys. Reading a key of another type than the command works on raises WRONGTYPE,
 * as Redis does. Like Redis while it loads a file, nothing expires here: a key past its
 * expiry is still there for every command (expiry is applied afterwards, if asked, by
 * `Dataset.dropExpired`).
 *
 * Commands follow Redis's rules for a key's life: a write that creates a key creates it
 * without expiry; a list, set, sorted set or hash left empty is deleted ({@link dropIfEmpty});
 * overwriting a key's value (SET, a *STORE destination) removes its expiry unless the
 * command keeps it ({@link overwrite}).
 */
import type { ByteString } from '../dataset/byte-string.js';
import type { Dataset } from '../dataset/dataset.js';
import type { Database } from '../dataset/database.js';
import type { Value } from '../dataset/value.js';
import { ListValue } from '../dataset/list.js';
import { SetValue } from '../dataset/set.js';
import { ZSetValue } from '../dataset/zset.js';
import { HashValue } from '../dataset/hash.js';
import type { StreamValue } from '../dataset/stream.js';
import { WRONG_TYPE, argError } from './errors.js';
import type { Reply } from './reply.js';

/** Databases a server has by default (`databases 16`); SELECT beyond it is refused. */
export const DEFAULT_DATABASES = 16;

/** The state a command runs against. */
export class CommandContext {
  /** The selected database's index. */
  dbIndex = 0;
  private current: Database;
  /**
   * Runs a command from inside another (a Lua script's `redis.call`); set by the engine.
   * Throws a CommandError when the command is refused.
   */
  call: (argv: ByteString[]) => Reply = () => {
    throw argError('no engine');
  };
  /** State kept by command families across commands (the script cache, the Lua VM …), by family name. */
  readonly state = new Map<string, unknown>();

  constructor(
    readonly dataset: Dataset,
    /** The Unix time in ms that relative times (EXPIRE in a script, SET EX) count from. */
    readonly now: () => number = Date.now,
    /** Number of databases (SELECT, MOVE, SWAPDB check their index against it). */
    readonly databases = DEFAULT_DATABASES,
  ) {
    this.current = dataset.db(0);
  }

  /** The selected database. */
  get db(): Database {
    return this.current;
  }

  /** Selects a database (SELECT; also the engine at the start of every file). */
  select(index: number): void {
    this.dbIndex = index;
    this.current = this.dataset.db(index);
  }

  /** Re-reads the selected database after SWAPDB or FLUSHALL replaced the database objects. */
  refresh(): void {
    this.current = this.dataset.db(this.dbIndex);
  }

  /** Parses a database index as SELECT, MOVE and SWAPDB do. @throws CommandError when out of range. */
  dbArg(s: ByteString): number {
    if (!/^(0|[1-9][0-9]{0,9})$/.test(s) && !/^-[1-9][0-9]{0,9}$/.test(s)) throw argError('value is not an integer or out of range');
    const n = Number(s);
    if (n < 0 || n >= this.databases) throw argError('DB index is out of range');
    return n;
  }

  /** The key's value of any type, or undefined. */
  get(key: ByteString): Value | undefined {
    return this.current.get(key);
  }

  /** The key's string value, or undefined. @throws CommandError WRONGTYPE. */
  string(key: ByteString): ByteString | undefined {
    const v = this.current.get(key);
    if (v === undefined || typeof v === 'string') return v;
    throw WRONG_TYPE;
  }

  /** The key's list, or undefined. @throws CommandError WRONGTYPE. */
  list(key: ByteString): ListValue | undefined {
    return this.typed(key, 'list') as ListValue | undefined;
  }

  /** The key's set, or undefined. @throws CommandError WRONGTYPE. */
  set(key: ByteString): SetValue | undefined {
    return this.typed(key, 'set') as SetValue | undefined;
  }

  /** The key's sorted set, or undefined. @throws CommandError WRONGTYPE. */
  zset(key: ByteString): ZSetValue | undefined {
    return this.typed(key, 'zset') as ZSetValue | undefined;
  }

  /** The key's hash, or undefined. @throws CommandError WRONGTYPE. */
  hash(key: ByteString): HashValue | undefined {
    return this.typed(key, 'hash') as HashValue | undefined;
  }

  /** The key's stream, or undefined. @throws CommandError WRONGTYPE. */
  stream(key: ByteString): StreamValue | undefined {
    return this.typed(key, 'stream') as StreamValue | undefined;
  }

  /** The key's list, created empty (and stored) when absent. @throws CommandError WRONGTYPE. */
  listForWrite(key: ByteString): ListValue {
    return this.list(key) ?? this.create(key, new ListValue());
  }

  /** The key's set, created empty (and stored) when absent. @throws CommandError WRONGTYPE. */
  setForWrite(key: ByteString): SetValue {
    return this.set(key) ?? this.create(key, new SetValue());
  }

  /** The key's sorted set, created empty (and stored) when absent. @throws CommandError WRONGTYPE. */
  zsetForWrite(key: ByteString): ZSetValue {
    return this.zset(key) ?? this.create(key, new ZSetValue());
  }

  /** The key's hash, created empty (and stored) when absent. @throws CommandError WRONGTYPE. */
  hashForWrite(key: ByteString): HashValue {
    return this.hash(key) ?? this.create(key, new HashValue());
  }

  /**
   * Stores a value under a key, replacing whatever was there; the expiry goes unless
   * `keepTtl` (Redis's `setKey` without KEEPTTL removes it).
   */
  overwrite(key: ByteString, value: Value, keepTtl = false): void {
    if (keepTtl) {
      this.current.set(key, value);
      return;
    }
    this.current.replace(key, value);
  }

  /** Deletes a key (its expiry and hints with it); true when it was there. */
  delete(key: ByteString): boolean {
    return this.current.delete(key);
  }

  /** Deletes the key when its list, set, sorted set or hash is left empty (Redis never keeps an empty one). */
  dropIfEmpty(key: ByteString, v: ListValue | SetValue | ZSetValue | HashValue): void {
    if ((v.type === 'list' ? v.length : v.size) === 0) this.current.delete(key);
  }

  private typed(key: ByteString, type: string): Value | undefined {
    const v = this.current.get(key);
    if (v === undefined) return undefined;
    if (typeof v === 'string' || v.type !== type) throw WRONG_TYPE;
    return v;
  }

  private create<V extends Value>(key: ByteString, v: V): V {
    this.current.set(key, v);
    return v;
  }
}
