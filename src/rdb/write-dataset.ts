/**
 * Writes a whole in-memory dataset (what `loadRdb` or a replayed AOF built) as an RDB file of
 * a chosen version, through {@link RdbWriter}: AUX fields, module AUX records, function
 * libraries, then every database in index order with its keys, then EOF and the CRC-64.
 *
 * The dataset is described here by the shape this writer reads (`DatasetLike` and the value
 * shapes below) rather than imported: `rdb/` sits below `dataset/` in the layering, and the
 * dataset's classes (`Dataset`, `ListValue`, `HashValue`, …) have exactly these members, so a
 * `Dataset` is passed as it is.
 */
import { RdbtoolError, UsageError } from '../errors.js';
import { copyBytes } from '../io/bytes.js';
import { ModuleAuxWhen, RdbWriter, type KeyMeta, type RdbValue, type RdbWriterOptions, type WrittenKey } from './encoder.js';
import type { ByteInput, SlabSink } from './primitives.js';
import { unsupported, UnsupportedValueError, type RdbTarget } from './target.js';
import type { StreamGroupInput, StreamIdmpInput, StreamInput } from './values/stream.js';
import type { HashEntryInput } from './values/hash.js';

/** A list as the dataset holds it: elements head to tail. */
export interface ListLike {
  readonly type: 'list';
  readonly length: number;
  [Symbol.iterator](): Iterator<string>;
}
/** A set as the dataset holds it. */
export interface SetLike {
  readonly type: 'set';
  readonly size: number;
  [Symbol.iterator](): Iterator<string>;
}
/** A sorted set as the dataset holds it: [member, score] pairs in some order. */
export interface ZSetLike {
  readonly type: 'zset';
  readonly size: number;
  entries(): Iterator<[string, number]> & Iterable<[string, number]>;
}
/** A hash as the dataset holds it: fields in insertion order, TTLs on the side. */
export interface HashLike {
  readonly type: 'hash';
  readonly size: number;
  readonly volatileFields: number;
  entries(): Iterable<[string, string]>;
  fieldExpire(field: string): number | null;
}
/** A consumer group as the dataset holds it (IDs are 16-character big-endian byte strings). */
export interface StreamGroupLike {
  readonly name: string;
  readonly lastDeliveredId: string;
  readonly entriesRead: number;
  readonly pending: ReadonlyMap<string, { consumer: string | null; deliveryTimeMs: number; deliveryCount: number }>;
  readonly consumers: ReadonlyMap<string, { name: string; seenTimeMs: number; activeTimeMs: number }>;
  readonly nacked: ReadonlySet<string> | null;
}
/** A stream as the dataset holds it. */
export interface StreamLike {
  readonly type: 'stream';
  readonly length: number;
  readonly lastId: string;
  readonly firstId: string;
  readonly maxDeletedId: string;
  readonly entriesAdded: number;
  readonly groups: ReadonlyMap<string, StreamGroupLike>;
  readonly idmp: {
    durationSec: number;
    maxEntries: number;
    producers: readonly { readonly pid: string; readonly entries: readonly { readonly iid: string; readonly id: string }[] }[];
    iidsAdded: number;
    iidsDuplicates: number;
  } | null;
  entries(): Iterable<[string, string[]]>;
}
/** A module value as the dataset holds it. */
export interface ModuleLike {
  readonly type: 'module';
  readonly moduleName: string;
  readonly moduleId: string;
  readonly raw: Uint8Array;
}
/** An ARRAY value as the dataset holds it: [index, value] pairs, indexes ascending. */
export interface ArrayLike {
  readonly type: 'array';
  readonly length: number;
  entries(): Iterable<[number, string]>;
}
/** A value of any type the dataset holds (GCRA values are refused: no target version stores them). */
export type ValueLike = string | ListLike | SetLike | ZSetLike | HashLike | StreamLike | ModuleLike | ArrayLike | { readonly type: 'gcra' };

/** A database as the dataset holds it. */
export interface DatabaseLike {
  readonly size: number;
  readonly volatileKeys: number;
  keys(): Iterable<string>;
  sortedKeys(): string[];
  get(key: string): ValueLike | undefined;
  expireAt(key: string): number | null;
  lruIdleSec(key: string): number | undefined;
  lfuFreq(key: string): number | undefined;
}
/** The dataset, as this writer reads it (a `Dataset` is one). */
export interface DatasetLike {
  dbIndexes(): number[];
  peekDb(index: number): DatabaseLike | undefined;
  readonly functions: { entries(): Iterable<[string, Uint8Array]> };
  readonly aux: readonly { name: string; value: string }[];
  readonly moduleAux: readonly { moduleName: string; moduleId: string; when: number; raw: Uint8Array }[];
}

/** Where the file goes: a `ByteSink` (its `drain` is awaited between keys for backpressure). */
export interface DatasetSink extends SlabSink {
  drain?(): Promise<void>;
}

/** An AUX field to write. */
export interface AuxField {
  name: ByteInput;
  value: ByteInput;
}

/** Options of {@link writeDatasetRdb}. */
export interface WriteDatasetOptions extends RdbWriterOptions {
  /**
   * AUX fields: `default` (from RDB 7: `redis-bits` 64, `ctime` now, from RDB 10 `aof-base`
   * 0), `source` (the ones the dataset's file had, in its order), `none`, or a list.
   */
  aux?: 'default' | 'source' | 'none' | readonly AuxField[];
  /**
   * What to do with what the version cannot hold (a stream before RDB 9, field TTLs before
   * RDB 12, libraries before RDB 10, ARRAY values before RDB 14, GCRA values, …): `error` (default; nothing of that key
   * is written, but the file is left incomplete — write to a temporary file) or `skip` (leave
   * it out and report it in the result).
   */
  unsupported?: 'error' | 'skip';
  /** Key order within a database: `insertion` (default, fast) or `sorted` (byte order, stable output). */
  keyOrder?: 'insertion' | 'sorted';
  /** The `ctime` of the default AUX fields, Unix ms (default now). */
  nowMs?: number;
  /** Checked between keys; an abort stops the writing with the signal's reason. */
  signal?: AbortSignal;
}

/** Something left out because the version cannot hold it. */
export interface SkippedItem {
  /** The database and key, or null for a function library or module AUX record. */
  db: number | null;
  key: string | null;
  reason: string;
}

/** What {@link writeDatasetRdb} wrote. */
export interface WriteDatasetResult {
  /** File size in bytes. */
  bytes: number;
  keys: number;
  functions: number;
  /** Keys per encoding written (`listpack`, `quicklist`, `intset`, …). */
  encodings: Record<string, number>;
  skipped: SkippedItem[];
}

/** Bytes between two awaits of the sink's drain. */
const DRAIN_EVERY_BYTES = 1 << 20;

/**
 * Writes `ds` as an RDB file of version `opts.rdbVersion` (6 … 15, or Valkey's 80 and 81) into
 * `sink`, which is not closed. Every value gets the encoding the target server gives it
 * (target.ts); the expiry of every key is written, LRU/LFU hints from RDB 9 on.
 * @throws UnsupportedValueError (with the key in its context) for what the version cannot hold, unless `unsupported: 'skip'`
 * @throws UsageError for bad options; whatever the sink's drain throws
 */
export async function writeDatasetRdb(ds: DatasetLike, sink: DatasetSink, opts: WriteDatasetOptions): Promise<WriteDatasetResult> {
  const w = new KeyRdbWriter(sink, opts);
  w.begin(ds);
  for (const index of ds.dbIndexes()) {
    const db = ds.peekDb(index);
    if (db === undefined || db.size === 0) continue;
    w.selectDb(index, { keys: db.size, expires: db.volatileKeys });
    const keys = opts.keyOrder === 'sorted' ? db.sortedKeys() : db.keys();
    for (const key of keys) {
      const meta: KeyMeta = { expireAtMs: db.expireAt(key) };
      const idle = db.lruIdleSec(key);
      if (idle !== undefined) meta.lruIdleSec = idle;
      const freq = db.lfuFreq(key);
      if (freq !== undefined) meta.lfuFreq = freq;
      w.key(index, key, db.get(key)!, meta);
      await w.maybeDrain();
    }
  }
  return w.end(ds.moduleAux);
}

/** What is known of a key streamed to {@link KeyRdbWriter.streamKey} before its value. */
export interface StreamedKeyHead {
  type: 'string' | 'list' | 'set' | 'zset' | 'hash';
  /** Elements the value has (null when not known ahead: a list from a quicklist). */
  count: number | null;
  /** A string's length in bytes. */
  bytes?: number;
}

/** A value written as it arrives: parts of a string, or elements of a collection, then `end`. */
export interface StreamedValue {
  part(bytes: ByteInput): void;
  item(value: ByteInput): void;
  field(field: ByteInput, value: ByteInput): void;
  member(member: ByteInput, score: number): void;
  /**
   * Optional range forms of {@link item}, {@link field} and {@link member}: the bytes as
   * `buf[start, end)`, valid during the call (a writer that copies them at once).
   */
  itemRange?(buf: Uint8Array, start: number, end: number): void;
  fieldRange?(fieldBuf: Uint8Array, fieldStart: number, fieldEnd: number, valueBuf: Uint8Array, valueStart: number, valueEnd: number): void;
  memberRange?(buf: Uint8Array, start: number, end: number, score: number): void;
  end(): void;
}

function wrongPiece(): never {
  throw new UsageError('a streamed value got a piece of another type');
}

/** What comes before the databases, as {@link KeyRdbWriter.begin} reads it (a `Dataset` is one). */
export type RdbHeaderLike = Pick<DatasetLike, 'aux' | 'moduleAux'> & { readonly functions: { entries(): Iterable<[unknown, Uint8Array]> } };

/**
 * Writes an RDB file one key at a time: {@link begin} (magic, AUX fields, module AUX records
 * before the data, function libraries), then {@link key} for every key, database by database
 * (each database's keys together), then {@link end}. What the version cannot hold is refused
 * or skipped as `opts.unsupported` says, exactly as {@link writeDatasetRdb} does (which is
 * built on it); the result's counts grow as keys are written.
 */
export class KeyRdbWriter {
  readonly result: WriteDatasetResult = { bytes: 0, keys: 0, functions: 0, encodings: {}, skipped: [] };
  private readonly w: RdbWriter;
  private readonly t: RdbTarget;
  private readonly skip: boolean;
  private drained = 0;

  constructor(
    private readonly sink: DatasetSink,
    private readonly opts: WriteDatasetOptions,
  ) {
    this.w = new RdbWriter(sink, opts);
    this.t = this.w.target;
    this.skip = opts.unsupported === 'skip';
  }

  /** What the chosen version stores and how. */
  get target(): RdbTarget {
    return this.t;
  }

  /** Bytes written so far. */
  get bytesWritten(): number {
    return this.w.bytesWritten;
  }

  /** The database keys go to now (−1 before the first). */
  get currentDb(): number {
    return this.w.currentDb;
  }

  private refuse(e: unknown, db: number | null, key: string | null): void {
    if (!(e instanceof UnsupportedValueError)) throw e;
    if (!this.skip) {
      if (key !== null) e.locate({ context: { db: db ?? undefined, key: Buffer.from(key, 'latin1') } });
      throw e;
    }
    this.result.skipped.push({ db, key, reason: e.reason });
  }

  /** The magic, AUX fields, module AUX records written before the data, and function libraries. */
  begin(h: RdbHeaderLike): void {
    const w = this.w;
    w.header();
    for (const a of auxFields(h, this.opts, this.t.version)) {
      try {
        w.aux(a.name, a.value);
      } catch (e) {
        this.refuse(e, null, null);
        break; // every AUX field is refused alike
      }
    }
    this.moduleAux(h.moduleAux, ModuleAuxWhen.BeforeRdb);
    for (const [, code] of h.functions.entries()) {
      try {
        w.function(code);
        this.result.functions++;
      } catch (e) {
        this.refuse(e, null, null);
      }
    }
  }

  private moduleAux(records: DatasetLike['moduleAux'], when: number): void {
    for (const m of records) {
      if (m.when !== when) continue;
      try {
        this.w.moduleAux(BigInt(m.moduleId), when, m.raw);
      } catch (e) {
        this.refuse(e, null, null);
      }
    }
  }

  /** Starts database `db` (SELECTDB, and RESIZEDB with `sizes` from RDB 7 on). */
  selectDb(db: number, sizes?: { keys: number; expires: number }): void {
    this.w.selectDb(db, sizes);
  }

  /**
   * Writes one key of database `db` (starting that database, without size hints, when it is
   * not the current one). Returns what was written, or null when the key was skipped.
   */
  key(db: number, key: string, value: ValueLike, meta: KeyMeta): WrittenKey | null {
    if (this.w.currentDb !== db) this.w.selectDb(db);
    try {
      const written = this.w.key(key, toRdbValue(value, this.t), meta);
      this.result.keys++;
      this.result.encodings[written.encoding] = (this.result.encodings[written.encoding] ?? 0) + 1;
      return written;
    } catch (e) {
      if (e instanceof RdbtoolError && !(e instanceof UnsupportedValueError)) {
        e.locate({ context: { db, key: Buffer.from(key, 'latin1') } });
      }
      this.refuse(e, db, key);
      return null;
    }
  }

  /** Writes one key of database `db` whose value is a string given as bytes (as {@link key} writes it). */
  stringKey(db: number, key: string, value: ByteInput, meta: KeyMeta): void {
    if (this.w.currentDb !== db) this.w.selectDb(db);
    const encoding = this.w.stringKey(key, value, meta);
    this.result.keys++;
    this.result.encodings[encoding] = (this.result.encodings[encoding] ?? 0) + 1;
  }

  /**
   * Starts writing one key of database `db` whose value arrives piece by piece, without
   * holding it whole: a string in parts of `bytes` in all, a set, sorted set or hash of
   * `count` elements (the count its source stated), or a list (`count` null when its source
   * did not state it). Returns null when the value must be given whole to {@link key} instead
   * (see `RdbWriter.streamKey`, `streamString`, `streamList`). A hash streamed has no field
   * TTLs. Nothing else may be written until the stream's `end`.
   */
  streamKey(db: number, key: string, head: StreamedKeyHead, meta: KeyMeta): StreamedValue | null {
    if (this.w.currentDb !== db) this.w.selectDb(db);
    const w = this.w;
    const done = (written: WrittenKey): void => {
      this.result.keys++;
      this.result.encodings[written.encoding] = (this.result.encodings[written.encoding] ?? 0) + 1;
    };
    if (head.type === 'string') {
      const s = w.streamString(key, head.bytes ?? 0, meta);
      return { part: (b) => s.part(b), item: wrongPiece, field: wrongPiece, member: wrongPiece, end: () => done(s.end()) };
    }
    const v = head.count === null ? (head.type === 'list' ? w.streamList(key, meta) : null) : w.streamKey(key, head.type, head.count, meta);
    if (v === null && head.type === 'list' && head.count !== null) {
      const l = w.streamList(key, meta);
      if (l !== null) return { part: wrongPiece, item: (x) => l.item(x), field: wrongPiece, member: wrongPiece, end: () => done(l.end()) };
    }
    if (v === null) return null;
    return { part: wrongPiece, item: (x) => v.item(x), field: (f, x) => v.field(f, x), member: (m, sc) => v.member(m, sc), end: () => done(v.end()) };
  }

  /** Awaits the sink's drain once a megabyte or more was written since the last one (and checks the abort signal). */
  async maybeDrain(): Promise<void> {
    if (this.w.bytesWritten - this.drained < DRAIN_EVERY_BYTES) return;
    this.drained = this.w.bytesWritten;
    this.opts.signal?.throwIfAborted();
    if (this.sink.drain) {
      this.w.flush();
      await this.sink.drain();
    }
  }

  /** Module AUX records written after the data, EOF and the CRC-64; the sink drained, not closed. */
  async end(moduleAux: DatasetLike['moduleAux'] = []): Promise<WriteDatasetResult> {
    this.moduleAux(moduleAux, ModuleAuxWhen.AfterRdb);
    this.result.bytes = this.w.end();
    if (this.sink.drain) await this.sink.drain();
    return this.result;
  }
}

/** The AUX fields to write. */
function auxFields(ds: Pick<DatasetLike, 'aux'>, opts: WriteDatasetOptions, version: number): readonly AuxField[] {
  const aux = opts.aux ?? 'default';
  if (aux === 'none') return [];
  if (aux === 'source') return ds.aux;
  if (aux !== 'default') return aux;
  if (version < 7) return [];
  const out: AuxField[] = [
    { name: 'redis-bits', value: '64' },
    { name: 'ctime', value: String(Math.floor((opts.nowMs ?? Date.now()) / 1000)) },
  ];
  if (version >= 10) out.push({ name: 'aof-base', value: '0' });
  return out;
}

/**
 * The writer's input for a dataset value (iterables over the value itself, not copies).
 * @throws UnsupportedValueError for GCRA values, ARRAY values before RDB 14, and streams with
 *   NACK zones before RDB 14
 */
export function toRdbValue(v: ValueLike, t: RdbTarget): RdbValue {
  if (typeof v === 'string') return { type: 'string', value: v };
  switch (v.type) {
    case 'list':
      return { type: 'list', items: v, length: v.length };
    case 'set':
      return { type: 'set', members: v, size: v.size };
    case 'zset':
      return { type: 'zset', entries: { [Symbol.iterator]: () => v.entries() }, size: v.size };
    case 'hash': {
      const h = v;
      const ttls = h.volatileFields > 0;
      const entries: Iterable<HashEntryInput> = {
        *[Symbol.iterator]() {
          for (const [f, val] of h.entries()) yield [f, val, ttls ? h.fieldExpire(f) : null];
        },
      };
      return { type: 'hash', entries, size: h.size, volatileFields: h.volatileFields };
    }
    case 'stream':
      return { type: 'stream', ...streamInput(v, t) };
    case 'module':
      return { type: 'module', moduleId: BigInt(v.moduleId), raw: copyBytes(v.raw) };
    case 'array': {
      const a = v;
      return { type: 'array', entries: { [Symbol.iterator]: () => a.entries()[Symbol.iterator]() }, length: a.length };
    }
    default:
      throw unsupported('GCRA values', t);
  }
}

function streamInput(s: StreamLike, t: RdbTarget): StreamInput {
  const i = s.idmp;
  const idmpState = i !== null && !(i.producers.length === 0 && i.durationSec === 100 && i.maxEntries === 100 && i.iidsAdded === 0 && i.iidsDuplicates === 0);
  const groups: StreamGroupInput[] = [];
  for (const g of s.groups.values()) {
    if (g.nacked !== null && g.nacked.size > 0 && t.streamType < 27) throw unsupported('stream NACK zones', t);
    groups.push({
      name: g.name,
      lastDeliveredId: g.lastDeliveredId,
      entriesRead: g.entriesRead,
      pending: [...g.pending].map(([id, p]) => ({ id, consumer: p.consumer, deliveryTimeMs: p.deliveryTimeMs, deliveryCount: p.deliveryCount })),
      consumers: g.consumers.values(),
      ...(g.nacked !== null ? { nacked: g.nacked } : {}),
    });
  }
  return {
    entries: { *[Symbol.iterator]() { for (const [id, fields] of s.entries()) yield { id, fields }; } },
    length: s.length,
    lastId: s.lastId,
    firstId: s.firstId,
    maxDeletedId: s.maxDeletedId,
    entriesAdded: s.entriesAdded,
    groups,
    idmpState,
    idmp: i === null ? null : (i satisfies StreamIdmpInput),
  };
}
