/**
 * The `memory` report: each key's estimated memory (key-memory.ts) folded into totals — by
 * database, by type, by encoding after load —, the N biggest keys and a prefix tree, in
 * memory that does not grow with the number of keys; and, for a per-key listing, every key's
 * record handed to a callback as it is read.
 *
 * A key is counted at its end; when a read stops at damage, the last key is taken back if its
 * record turned out incomplete (a value skipped without decoding ends its key before all its
 * bytes have arrived), and its record, held until the next record starts, never goes out.
 */
import type { RdbtoolError } from '../../errors.js';
import type { KeyInfo, RdbEnd, RdbHandler, RdbHeader, StreamGroup } from '../../model/events.js';
import type { ValueType } from '../../model/redis-types.js';
import { latin1Text } from '../../io/bytes.js';
import { createKeyFilter, type KeyFilterOptions, type KeyPredicate } from '../../pipeline/filters.js';
import { TopN } from '../biggest-keys.js';
import { emptyKeyMemory, KeyMemoryEstimator, type EventSource, type KeyMemory, type LoadedEncoding } from './key-memory.js';
import { dictTableSize } from './dict-sim.js';
import { expectedChildBuckets, HASHTABLE_BUCKET_BYTES, HASHTABLE_BYTES, hashtableBuckets } from './hashtable-sim.js';
import { chooseMemoryModel, type ChosenModel } from './model.js';
import { PrefixTree, type PrefixTreeReport } from './prefix-tree.js';
import type { EncodingConfig } from './server-spec.js';
import type { ModelledTarget, MemoryTarget } from './target.js';

/** One key's record: what the per-key listing prints. `key` is a view valid during the callback. */
export type KeyMemoryRecord = Readonly<KeyMemory>;

/** Keys and memory of one database. */
export interface DbMemory {
  db: number;
  keys: number;
  keysWithTtl: number;
  memoryBytes: number;
  /**
   * What the database's tables add beyond its keys once loaded: the key table's buckets
   * (sized for the RESIZEDB hint or the key count) and the expiry table's entries and buckets.
   */
  overheadBytes: number;
}

/** Keys and memory of one value type. */
export interface TypeMemory {
  valueType: ValueType;
  keys: number;
  memoryBytes: number;
}

/** Keys and memory of one (type, encoding after load) pair. */
export interface EncodingMemory {
  valueType: ValueType;
  encoding: LoadedEncoding;
  keys: number;
  memoryBytes: number;
}

/** One of the biggest keys: the fields of its estimate that are kept (the key is a copy). */
export type TopKeyMemory = Pick<KeyMemory, 'db' | 'key' | 'valueType' | 'encoding' | 'memoryBytes' | 'elements' | 'expireAtMs' | 'offset'>;

/** Everything `memory` reports. */
export interface MemoryReport {
  /** The input as given. */
  file: string;
  /** What was read: an RDB file, or the dataset an AOF input produces once replayed. */
  input: 'rdb' | 'aof';
  /** The server and allocator the figures are for. */
  target: ModelledTarget;
  /** Why that target: named by `--target`, or chosen from the file (its server and RDB version). */
  targetReason: string;
  /** RDB version of the file (0 for an AOF without an RDB part). */
  rdbVersion: number;
  /** `redis-ver` / `valkey-ver` of the server that wrote the file, when stated. */
  serverVersion: string | null;
  /** `used-mem` of the server that wrote the file (its `used_memory` then), when stated. */
  usedMemBytes: number | null;
  totals: {
    keys: number;
    keysWithTtl: number;
    /** Keys whose expiry is already past: a primary loading the file drops them. */
    expiredKeys: number;
    expiredBytes: number;
    elements: number;
    /** What `MEMORY USAGE` would report for the keys, summed. */
    keysBytes: number;
    /**
     * What the allocator really hands out for the keys less what `MEMORY USAGE` counts: more for
     * structures it counts at their size, which the allocator rounds up, and for what 6.x
     * counts by its bytes (ziplists, intsets, embstrs); less for Redis 7.2+
     * set entries (counted at 24 bytes, 16 or none in fact) and stream radix trees, counted at
     * a flat 244 bytes a node (see `KeyMemory.uncountedBytes`).
     */
    uncountedBytes: number;
    /** The databases' tables ({@link DbMemory.overheadBytes}), summed. */
    overheadBytes: number;
    /** A server's memory without keys once it has loaded a file (clients left out). */
    startupBytes: number;
    /**
     * `used_memory` once a primary has loaded the input: keysBytes + uncountedBytes +
     * overheadBytes + startupBytes, less the keys already expired (it drops them on load).
     */
    datasetBytes: number;
  };
  /**
   * False when the file's RDB version is newer than the target reads (Redis 7.0 reads up to
   * RDB 10, 7.2 RDB 11): the estimate is then of the same data held as the target holds it.
   */
  targetReadsFile: boolean;
  databases: DbMemory[];
  /** Most memory first. */
  types: TypeMemory[];
  encodings: EncodingMemory[];
  topKeys: TopKeyMemory[];
  prefixes: PrefixTreeReport;
  /** The instant (Unix ms) expiries were compared with. */
  nowMs: number;
  /** True when filters (`--db`, `--type`, `--match`, `--min-bytes`) left keys out. */
  filtered: boolean;
  /** Set when the read stopped at damage: how far the figures go. */
  partial: { readUpTo: number; keys: number } | null;
  /** The error that stopped the read, in its `--json` form; null otherwise. */
  error: Record<string, unknown> | null;
  elapsedMs: number;
}

/** Options of {@link MemoryAnalyzer}. */
export interface MemoryAnalyzerOptions {
  /** The target asked for (`parseMemoryTarget`); without a named one, it is chosen from the file. */
  target: MemoryTarget;
  /** Where the events come from (default `rdb`). */
  source?: EventSource;
  /** Key filters. */
  filter?: KeyFilterOptions;
  /** Leave out keys estimated below this many bytes. */
  minBytes?: number;
  /** Length of the top list (default 10). */
  top?: number;
  /** Prefix separator (default `:`) and depth (default 1). */
  separator?: Uint8Array;
  depth?: number;
  /** Expiries before this instant count as expired (default now). */
  nowMs?: number;
  /** Each counted key's record, in order. */
  onRecord?: (r: KeyMemoryRecord) => void;
  /** The encoding settings of the target server (default its compiled-in defaults). */
  config?: EncodingConfig;
  /** A dataset's streams were built by XADD (default) rather than loaded from an RDB part. */
  streamsBuiltByCommands?: boolean;
}

interface DbAcc {
  db: number;
  keys: number;
  keysWithTtl: number;
  memoryBytes: number;
  hint: { keys: number; expires: number } | null;
}

// Per-key counters are kept in typed arrays by (type, encoding) slot; names are attached once.
const VALUE_TYPES: readonly ValueType[] = ['string', 'list', 'set', 'zset', 'hash', 'stream', 'module', 'array', 'gcra'];
const ENCODINGS: readonly LoadedEncoding[] = ['int', 'embstr', 'raw', 'quicklist', 'listpack', 'intset', 'hashtable', 'skiplist', 'stream', 'module', 'listpackex', 'ziplist'];
const TYPE_INDEX: Readonly<Record<string, number>> = Object.fromEntries(VALUE_TYPES.map((t, i) => [t, i]));
const ENCODING_INDEX: Readonly<Record<string, number>> = Object.fromEntries(ENCODINGS.map((e, i) => [e, i]));
const SLOTS = VALUE_TYPES.length * 16;

/** The counter slot of a (type, encoding) pair. */
function slotOf(t: ValueType, e: LoadedEncoding): number {
  return (TYPE_INDEX[t] << 4) | ENCODING_INDEX[e];
}

/** The decoder handler behind `memory`; call {@link MemoryAnalyzer.report} after the scan. */
export class MemoryAnalyzer implements RdbHandler {
  /** Made once the target is known: at the first key (after the file's AUX fields). */
  private estimator: KeyMemoryEstimator | null = null;
  private chosen: ChosenModel | null = null;
  private readonly filter: KeyPredicate | null;
  private readonly minBytes: number;
  private readonly top: TopN<TopKeyMemory>;
  private readonly topLimit: number;
  private readonly prefixes: PrefixTree;
  private readonly depth: number;
  private readonly dbs = new Map<number, DbAcc>();
  private readonly totals = { keys: 0, keysWithTtl: 0, expiredKeys: 0, expiredBytes: 0, elements: 0, keysBytes: 0, uncountedBytes: 0 };
  private readonly onRecord: ((r: KeyMemoryRecord) => void) | undefined;
  readonly nowMs: number;
  private rdbHeader: RdbHeader | null = null;
  private serverVersion: string | null = null;
  private usedMem: number | null = null;
  private serverName: ModelledTarget['server'] | null = null;
  private currentDb = 0;
  /** Keys read whole, before filters, and where the last record known whole ends. */
  private keysRead = 0;
  private readUpTo = 0;
  /** The record of the last key, held until the next record starts (when records are asked for). */
  private readonly pending: KeyMemory & { has: boolean } = { ...emptyKeyMemory(), has: false };
  /** The last key counted, to take it back when its record turns out incomplete. */
  private readonly last = { counted: false, db: 0, slot: 0, bytes: 0, uncounted: 0, elements: 0, expireAtMs: null as number | null, offset: 0, end: 0 };
  /** The offset of a key taken back (left out of the top list). */
  private droppedOffset = -1;
  private pendingKey = new Uint8Array(256);
  /** Keys and memory per (type, encoding) slot: see {@link slotOf}. */
  private readonly slotKeys = new Float64Array(SLOTS);
  private readonly slotBytes = new Float64Array(SLOTS);
  private lastDb: DbAcc | null = null;
  private readonly source: EventSource;

  constructor(private readonly opts: MemoryAnalyzerOptions) {
    this.source = opts.source ?? 'rdb';
    this.filter = opts.filter ? createKeyFilter(opts.filter) : null;
    this.minBytes = opts.minBytes ?? 0;
    this.topLimit = opts.top ?? 10;
    // One more than shown, so that one key can be taken back.
    this.top = new TopN(this.topLimit > 0 ? this.topLimit + 1 : 0);
    this.depth = opts.depth ?? 1;
    this.prefixes = new PrefixTree({ separator: opts.separator, depth: this.depth });
    this.nowMs = opts.nowMs ?? Date.now();
    this.onRecord = opts.onRecord;
    if (opts.target.named !== null) this.startEstimating();
  }

  /** Chooses the target (from what the file has said so far) and makes the estimator. */
  private startEstimating(): KeyMemoryEstimator {
    const chosen = (this.chosen = chooseMemoryModel(this.opts.target, {
      rdbVersion: this.rdbHeader?.version ?? 0,
      serverVersion: this.serverVersion,
      serverName: this.serverName,
    }));
    const filter = this.filter;
    return (this.estimator = new KeyMemoryEstimator((k) => this.hold(k), {
      model: chosen.model,
      source: this.source,
      config: this.opts.config,
      select: filter === null ? undefined : (k) => filter(k),
      streamsBuiltByCommands: this.opts.streamsBuiltByCommands,
    }));
  }

  header(h: RdbHeader): void {
    this.rdbHeader = h;
  }

  aux(name: Uint8Array, value: Uint8Array, offset: number): void {
    this.reached(offset);
    const n = latin1Text(name, 0, name.length);
    if (n === 'redis-ver' && this.serverVersion === null) {
      this.serverVersion = latin1Text(value, 0, value.length);
      this.serverName = 'redis';
    } else if (n === 'valkey-ver') {
      this.serverVersion = latin1Text(value, 0, value.length);
      this.serverName = 'valkey';
    }
    else if (n === 'used-mem') {
      const s = latin1Text(value, 0, value.length);
      if (/^\d+$/.test(s)) this.usedMem = Number(s);
    }
  }

  selectDb(db: number, offset: number): void {
    this.reached(offset);
    this.currentDb = db;
  }

  resizeDb(keys: number, expires: number, offset: number): void {
    this.reached(offset);
    this.db(this.currentDb).hint = { keys, expires };
  }

  opcode(_opcode: number, offset: number): void {
    this.reached(offset);
  }

  keyStart(k: KeyInfo): boolean {
    this.reached(k.offset);
    return (this.estimator ?? this.startEstimating()).keyStart(k);
  }

  stringValue(v: Uint8Array): void {
    this.estimator!.stringValue(v);
  }

  stringPart(part: Uint8Array, last: boolean, totalBytes: number): void {
    this.estimator!.stringPart(part, last, totalBytes);
  }

  item(v: Uint8Array): void {
    this.estimator!.item(v);
  }

  field(f: Uint8Array, v: Uint8Array, expireAtMs: number | null): void {
    this.estimator!.field(f, v, expireAtMs);
  }

  member(m: Uint8Array, score: number): void {
    this.estimator!.member(m, score);
  }

  arrayElement(index: number, v: Uint8Array): void {
    this.estimator!.arrayElement(index, v);
  }

  valueNode(container: number, bytes: number, nodeKey: Uint8Array | null): void {
    this.estimator!.valueNode(container, bytes, nodeKey);
  }

  streamEntry(id: string, fields: Uint8Array[], deleted: boolean): void {
    this.estimator!.streamEntry(id, fields, deleted);
  }

  streamGroup(g: StreamGroup): void {
    this.estimator!.streamGroup(g);
  }

  moduleValue(m: { raw: Uint8Array }): void {
    this.estimator!.moduleValue(m);
  }

  keyEnd(k: KeyInfo): void {
    this.keysRead++;
    const last = this.last;
    last.offset = k.offset;
    last.end = k.offset + k.onDiskBytes;
    last.counted = false;
    this.estimator!.keyEnd(k);
  }

  end(e: RdbEnd): void {
    this.reached(e.endOffset);
  }

  /** A record starts at `offset`: the key before it is whole (its record, if held, goes out). */
  private reached(offset: number): void {
    if (this.pending.has) this.flushRecord();
    if (offset > this.readUpTo) this.readUpTo = offset;
  }

  /**
   * Counts a key at once (see {@link report} for taking it back); its record, when records
   * are asked for, is held until the next record starts (a copy of its key, in a reused buffer).
   */
  private hold(k: Readonly<KeyMemory>): void {
    if (this.pending.has) this.flushRecord();
    const bytes = Math.round(k.memoryBytes);
    const last = this.last;
    last.counted = bytes >= this.minBytes;
    if (!last.counted) return;
    last.bytes = bytes;
    last.db = k.db;
    last.elements = k.elements;
    last.expireAtMs = k.expireAtMs;
    const t = this.totals;
    t.keys++;
    t.elements += k.elements;
    t.keysBytes += bytes;
    t.uncountedBytes += (last.uncounted = k.uncountedBytes);
    let d = this.lastDb;
    if (d === null || d.db !== k.db) d = this.lastDb = this.db(k.db);
    d.keys++;
    d.memoryBytes += bytes;
    if (k.expireAtMs !== null) {
      t.keysWithTtl++;
      d.keysWithTtl++;
      if (k.expireAtMs < this.nowMs) {
        t.expiredKeys++;
        t.expiredBytes += bytes;
      }
    }
    const slot = (last.slot = slotOf(k.valueType, k.encoding));
    this.slotKeys[slot]++;
    this.slotBytes[slot] += bytes;
    const key = k.key;
    if (this.top.accepts(bytes)) {
      this.top.push(bytes, {
        db: k.db,
        key: key.slice(),
        valueType: k.valueType,
        encoding: k.encoding,
        memoryBytes: bytes,
        elements: k.elements,
        expireAtMs: k.expireAtMs,
        offset: k.offset,
      });
    }
    if (this.depth > 0) this.prefixes.add(k.db, key, bytes);
    if (this.onRecord === undefined) return;
    const p = this.pending;
    const n = key.length;
    if (n > this.pendingKey.length) this.pendingKey = new Uint8Array(Math.max(n, this.pendingKey.length * 2));
    this.pendingKey.set(key);
    p.key = this.pendingKey.subarray(0, n);
    p.db = k.db;
    p.valueType = k.valueType;
    p.encoding = k.encoding;
    p.memoryBytes = bytes;
    p.elements = k.elements;
    p.expireAtMs = k.expireAtMs;
    p.offset = k.offset;
    p.onDiskBytes = k.onDiskBytes;
    p.uncountedBytes = k.uncountedBytes;
    p.has = true;
    // A dataset has no damage to wait for.
    if (this.source === 'dataset') this.flushRecord();
  }

  /** Hands the held record to the callback. */
  private flushRecord(): void {
    this.pending.has = false;
    this.onRecord!(this.pending);
  }

  /** Takes back the last key counted (its record turned out incomplete). */
  private takeBackLast(): void {
    const last = this.last;
    this.keysRead--;
    this.readUpTo = last.offset;
    this.pending.has = false;
    if (!last.counted) return;
    last.counted = false;
    const bytes = last.bytes;
    const t = this.totals;
    t.keys--;
    t.elements -= last.elements;
    t.keysBytes -= bytes;
    t.uncountedBytes -= last.uncounted;
    const d = this.db(last.db);
    d.keys--;
    d.memoryBytes -= bytes;
    if (last.expireAtMs !== null) {
      t.keysWithTtl--;
      d.keysWithTtl--;
      if (last.expireAtMs < this.nowMs) {
        t.expiredKeys--;
        t.expiredBytes -= bytes;
      }
    }
    this.slotKeys[last.slot]--;
    this.slotBytes[last.slot] -= bytes;
    if (this.depth > 0) this.prefixes.undoLast();
    this.droppedOffset = last.offset;
  }

  private db(n: number): DbAcc {
    let d = this.dbs.get(n);
    if (!d) this.dbs.set(n, (d = { db: n, keys: 0, keysWithTtl: 0, memoryBytes: 0, hint: null }));
    return d;
  }

  /**
   * Counts the key still held, unless `scan.error` stopped the read inside its record (its end
   * lies beyond `bytesRead`), then builds the report.
   */
  report(scan: { file: string; input: 'rdb' | 'aof'; bytesRead: number; elapsedMs: number; error?: RdbtoolError | null }): MemoryReport {
    if (scan.error && this.last.end > scan.bytesRead && this.last.end > 0) this.takeBackLast();
    else if (this.pending.has) this.flushRecord();
    if (this.estimator === null) this.startEstimating();
    const { model, reason } = this.chosen!;
    const S = model.sizes;
    const databases: DbMemory[] = [...this.dbs.values()]
      .filter((d) => d.keys > 0 || (this.filter === null && this.minBytes === 0))
      .sort((a, b) => a.db - b.db)
      .map((d) => {
        // After a load the key table is sized for the RESIZEDB hint (or grown to the key count);
        // the expiry table likewise, each entry a dictEntry sharing the key.
        const keys = this.filter === null && this.minBytes === 0 ? Math.max(d.keys, d.hint?.keys ?? 0) : d.keys;
        const expires = this.filter === null && this.minBytes === 0 ? Math.max(d.keysWithTtl, d.hint?.expires ?? 0) : d.keysWithTtl;
        // 8.1+: hashtable.c tables (16 bytes of kvstore metadata each) of 64-byte buckets, child buckets as expected, no entries.
        // The expected child buckets are a fraction: the figure is rounded to whole bytes.
        const table = (size: number, used: number) => model.alloc(HASHTABLE_BYTES + 16) + Math.round(HASHTABLE_BUCKET_BYTES * (hashtableBuckets(size) + expectedChildBuckets(hashtableBuckets(size), used)));
        const overheadBytes =
          keys === 0
            ? 0
            : model.features.valkeyHashtables
              ? table(keys, d.keys) + (expires === 0 ? 0 : table(expires, d.keysWithTtl))
              : S.bucket * dictTableSize(keys) + (expires === 0 ? 0 : S.bucket * dictTableSize(expires) + model.alloc(S.dictEntry) * d.keysWithTtl);
        return { db: d.db, keys: d.keys, keysWithTtl: d.keysWithTtl, memoryBytes: d.memoryBytes, overheadBytes };
      });
    const overheadBytes = databases.reduce((s, d) => s + d.overheadBytes, 0);
    const startupBytes = model.startupBytes;
    const byMemory = <T extends { memoryBytes: number; keys: number }>(a: T, b: T): number => b.memoryBytes - a.memoryBytes || b.keys - a.keys;
    const types = new Map<ValueType, TypeMemory>();
    const encodings: EncodingMemory[] = [];
    for (let slot = 0; slot < SLOTS; slot++) {
      const keys = this.slotKeys[slot];
      if (keys === 0) continue;
      const valueType = VALUE_TYPES[slot >> 4];
      const encoding = ENCODINGS[slot & 15];
      const memoryBytes = this.slotBytes[slot];
      encodings.push({ valueType, encoding, keys, memoryBytes });
      const ty = types.get(valueType) ?? { valueType, keys: 0, memoryBytes: 0 };
      ty.keys += keys;
      ty.memoryBytes += memoryBytes;
      types.set(valueType, ty);
    }
    return {
      file: scan.file,
      input: scan.input,
      target: model.target,
      targetReason: reason,
      rdbVersion: this.rdbHeader?.version ?? 0,
      serverVersion: this.serverVersion,
      usedMemBytes: this.usedMem,
      totals: {
        ...this.totals,
        overheadBytes,
        startupBytes,
        datasetBytes: this.totals.keysBytes + this.totals.uncountedBytes + overheadBytes + startupBytes - this.totals.expiredBytes,
      },
      targetReadsFile: (this.rdbHeader?.version ?? 0) <= model.maxRdbVersion,
      databases,
      types: [...types.values()].sort(byMemory),
      encodings: encodings.sort(byMemory),
      topKeys: this.top
        .sorted()
        .filter((k) => k.offset !== this.droppedOffset)
        .slice(0, this.topLimit),
      prefixes: this.prefixes.result(),
      nowMs: this.nowMs,
      filtered: this.filter !== null || this.minBytes > 0,
      partial: scan.error ? { readUpTo: this.readUpTo, keys: this.keysRead } : null,
      error: scan.error ? scan.error.toJSON() : null,
      elapsedMs: scan.elapsedMs,
    };
  }
}
