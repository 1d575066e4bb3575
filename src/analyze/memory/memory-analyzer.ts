/**
 * The `memory` report: each key's estimated memory (key-memory.ts) folded into totals — by
 * database, by type, by encoding after load —, the N biggest keys and a prefix tree, in
 * memory that does not grow with the number of keys; and, for a per-key listing, every key's
 * record handed to a callback as it is read.
 *
 * A key is counted once the record after it starts (or the file ends): when a read stops at
 * damage, a key whose record turned out incomplete is left out (see {@link MemoryAnalyzer.report}).
 */
import { copyBytes } from '../../io/bytes.js';
import type { RdbtoolError } from '../../errors.js';
import type { KeyInfo, RdbEnd, RdbHandler, RdbHeader } from '../../model/events.js';
import type { ValueType } from '../../model/redis-types.js';
import { createKeyFilter, type KeyFilterOptions, type KeyPredicate } from '../../pipeline/filters.js';
import { TopN } from '../biggest-keys.js';
import { KeyMemoryEstimator, type EventSource, type KeyMemory, type LoadedEncoding } from './key-memory.js';
import { dictTableSize } from './dict-sim.js';
import { PrefixTree, type PrefixTreeReport } from './prefix-tree.js';
import { REDIS_7_0_DEFAULTS, REDIS_7_0_SIZES, type EncodingConfig } from './redis-7-0.js';
import type { MemoryTarget } from './target.js';

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

/** One of the biggest keys. Byte strings are copies. */
export interface TopKeyMemory {
  db: number;
  key: Uint8Array;
  valueType: ValueType;
  encoding: LoadedEncoding;
  memoryBytes: number;
  elements: number;
  expireAtMs: number | null;
  offset: number;
}

/** Everything `memory` reports. */
export interface MemoryReport {
  /** The input as given. */
  file: string;
  /** What was read: an RDB file, or the dataset an AOF input produces once replayed. */
  input: 'rdb' | 'aof';
  target: MemoryTarget;
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
    /** The databases' tables ({@link DbMemory.overheadBytes}), summed. */
    overheadBytes: number;
    /** A server's memory before any key (`used_memory_startup` of the target). */
    startupBytes: number;
    /** keysBytes + overheadBytes + startupBytes: `used_memory` once the file is loaded, roughly. */
    datasetBytes: number;
  };
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
  target: MemoryTarget;
  /** Where the events come from (default `rdb`). */
  source?: EventSource;
  /** Key filters. */
  filter?: KeyFilterOptions;
  /** Leave out keys estimated below this many bytes. */
  minBytes?: number;
  /** Length of the top list (default 10). */
  top?: number;
  /** Prefix separator (default `:`) and depth (default 2). */
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

/** `used_memory_startup` of Redis 7.0.15 (jemalloc, no clients), measured: a fixed estimate. */
const STARTUP_BYTES_7_0 = 876_128;

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

/** The decoder handler behind `memory`; call {@link MemoryAnalyzer.report} after the scan. */
export class MemoryAnalyzer implements RdbHandler {
  private readonly estimator: KeyMemoryEstimator;
  private readonly filter: KeyPredicate | null;
  private readonly minBytes: number;
  private readonly top: TopN<TopKeyMemory>;
  private readonly topLimit: number;
  private readonly prefixes: PrefixTree;
  private readonly dbs = new Map<number, DbAcc>();
  private readonly types = new Map<ValueType, TypeMemory>();
  private readonly encodings = new Map<string, EncodingMemory>();
  private readonly totals = { keys: 0, keysWithTtl: 0, expiredKeys: 0, expiredBytes: 0, elements: 0, keysBytes: 0 };
  private readonly onRecord: ((r: KeyMemoryRecord) => void) | undefined;
  readonly nowMs: number;
  private rdbHeader: RdbHeader | null = null;
  private serverVersion: string | null = null;
  private usedMem: number | null = null;
  private currentDb = 0;
  /** Keys read whole, before filters, and where the last record known whole ends. */
  private keysRead = 0;
  private readUpTo = 0;
  /** The last key estimated, held until the next record starts (see the module notes). */
  private readonly pending: KeyMemory & { end: number; has: boolean } = {
    db: 0,
    key: new Uint8Array(0),
    valueType: 'string',
    encoding: 'raw',
    memoryBytes: 0,
    elements: 0,
    expireAtMs: null,
    offset: 0,
    onDiskBytes: 0,
    end: 0,
    has: false,
  };
  private pendingKey = new Uint8Array(256);
  private readonly source: EventSource;

  constructor(private readonly opts: MemoryAnalyzerOptions) {
    this.source = opts.source ?? 'rdb';
    this.filter = opts.filter ? createKeyFilter(opts.filter) : null;
    this.minBytes = opts.minBytes ?? 0;
    this.topLimit = opts.top ?? 10;
    this.top = new TopN(this.topLimit);
    this.prefixes = new PrefixTree({ separator: opts.separator, depth: opts.depth });
    this.nowMs = opts.nowMs ?? Date.now();
    this.onRecord = opts.onRecord;
    const filter = this.filter;
    this.estimator = new KeyMemoryEstimator((k) => this.hold(k), {
      source: this.source,
      config: opts.config ?? REDIS_7_0_DEFAULTS,
      select: filter === null ? undefined : (k) => filter(k),
      streamsBuiltByCommands: opts.streamsBuiltByCommands,
    });
  }

  header(h: RdbHeader): void {
    this.rdbHeader = h;
  }

  aux(name: Uint8Array, value: Uint8Array, offset: number): void {
    this.reached(offset);
    const n = latin1(name);
    if (n === 'redis-ver' && this.serverVersion === null) this.serverVersion = latin1(value);
    else if (n === 'valkey-ver') this.serverVersion = latin1(value);
    else if (n === 'used-mem') {
      const s = latin1(value);
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
    return this.estimator.keyStart(k);
  }

  stringValue(v: Uint8Array): void {
    this.estimator.stringValue(v);
  }

  stringPart(part: Uint8Array, last: boolean, totalBytes: number): void {
    this.estimator.stringPart(part, last, totalBytes);
  }

  item(v: Uint8Array): void {
    this.estimator.item(v);
  }

  field(f: Uint8Array, v: Uint8Array): void {
    this.estimator.field(f, v);
  }

  member(m: Uint8Array, score: number): void {
    this.estimator.member(m, score);
  }

  arrayElement(index: number, v: Uint8Array): void {
    this.estimator.arrayElement(index, v);
  }

  valueNode(container: number, bytes: number, nodeKey: Uint8Array | null): void {
    this.estimator.valueNode(container, bytes, nodeKey);
  }

  streamEntry(id: string, fields: Uint8Array[], deleted: boolean): void {
    this.estimator.streamEntry(id, fields, deleted);
  }

  streamGroup(g: Parameters<KeyMemoryEstimator['streamGroup']>[0]): void {
    this.estimator.streamGroup(g);
  }

  moduleValue(m: { raw: Uint8Array }): void {
    this.estimator.moduleValue(m);
  }

  keyEnd(k: KeyInfo): void {
    this.keysRead++;
    this.estimator.keyEnd(k);
  }

  end(e: RdbEnd): void {
    this.reached(e.endOffset);
  }

  /** A record starts at `offset`: the key held before it is whole. */
  private reached(offset: number): void {
    if (this.pending.has) this.commit();
    if (offset > this.readUpTo) this.readUpTo = offset;
  }

  /** Holds a key's estimate until the next record starts (a copy of its bytes, in a reused buffer). */
  private hold(k: Readonly<KeyMemory>): void {
    if (this.pending.has) this.commit();
    const p = this.pending;
    const n = k.key.length;
    if (n > this.pendingKey.length) this.pendingKey = new Uint8Array(Math.max(n, this.pendingKey.length * 2));
    this.pendingKey.set(k.key);
    p.key = this.pendingKey.subarray(0, n);
    p.db = k.db;
    p.valueType = k.valueType;
    p.encoding = k.encoding;
    p.memoryBytes = Math.round(k.memoryBytes);
    p.elements = k.elements;
    p.expireAtMs = k.expireAtMs;
    p.offset = k.offset;
    p.onDiskBytes = k.onDiskBytes;
    p.end = k.offset + k.onDiskBytes;
    p.has = true;
    // A dataset has no damage to wait for.
    if (this.source === 'dataset') this.commit();
  }

  /** Counts the held key. */
  private commit(): void {
    const p = this.pending;
    p.has = false;
    if (p.end > this.readUpTo) this.readUpTo = p.end;
    if (p.memoryBytes < this.minBytes) return;
    const t = this.totals;
    t.keys++;
    t.elements += p.elements;
    t.keysBytes += p.memoryBytes;
    const d = this.db(p.db);
    d.keys++;
    d.memoryBytes += p.memoryBytes;
    if (p.expireAtMs !== null) {
      t.keysWithTtl++;
      d.keysWithTtl++;
      if (p.expireAtMs < this.nowMs) {
        t.expiredKeys++;
        t.expiredBytes += p.memoryBytes;
      }
    }
    let ty = this.types.get(p.valueType);
    if (!ty) this.types.set(p.valueType, (ty = { valueType: p.valueType, keys: 0, memoryBytes: 0 }));
    ty.keys++;
    ty.memoryBytes += p.memoryBytes;
    const id = p.valueType + '\0' + p.encoding;
    let en = this.encodings.get(id);
    if (!en) this.encodings.set(id, (en = { valueType: p.valueType, encoding: p.encoding, keys: 0, memoryBytes: 0 }));
    en.keys++;
    en.memoryBytes += p.memoryBytes;
    if (this.top.accepts(p.memoryBytes)) {
      this.top.push(p.memoryBytes, {
        db: p.db,
        key: copyBytes(p.key),
        valueType: p.valueType,
        encoding: p.encoding,
        memoryBytes: p.memoryBytes,
        elements: p.elements,
        expireAtMs: p.expireAtMs,
        offset: p.offset,
      });
    }
    this.prefixes.add(p.db, p.key, p.memoryBytes);
    this.onRecord?.(p);
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
    const p = this.pending;
    if (p.has) {
      if (scan.error && p.end > scan.bytesRead) {
        p.has = false;
        this.keysRead--;
      } else this.commit();
    }
    const S = REDIS_7_0_SIZES;
    const databases: DbMemory[] = [...this.dbs.values()]
      .filter((d) => d.keys > 0 || (this.filter === null && this.minBytes === 0))
      .sort((a, b) => a.db - b.db)
      .map((d) => {
        // After a load the key table is sized for the RESIZEDB hint (or grown to the key count);
        // the expiry table likewise, each entry a dictEntry sharing the key.
        const keys = this.filter === null && this.minBytes === 0 ? Math.max(d.keys, d.hint?.keys ?? 0) : d.keys;
        const expires = this.filter === null && this.minBytes === 0 ? Math.max(d.keysWithTtl, d.hint?.expires ?? 0) : d.keysWithTtl;
        const overheadBytes = keys === 0 ? 0 : S.bucket * dictTableSize(keys) + (expires === 0 ? 0 : S.bucket * dictTableSize(expires) + S.dictEntry * d.keysWithTtl);
        return { db: d.db, keys: d.keys, keysWithTtl: d.keysWithTtl, memoryBytes: d.memoryBytes, overheadBytes };
      });
    const overheadBytes = databases.reduce((s, d) => s + d.overheadBytes, 0);
    const startupBytes = STARTUP_BYTES_7_0;
    const byMemory = <T extends { memoryBytes: number; keys: number }>(a: T, b: T): number => b.memoryBytes - a.memoryBytes || b.keys - a.keys;
    return {
      file: scan.file,
      input: scan.input,
      target: this.opts.target,
      rdbVersion: this.rdbHeader?.version ?? 0,
      serverVersion: this.serverVersion,
      usedMemBytes: this.usedMem,
      totals: { ...this.totals, overheadBytes, startupBytes, datasetBytes: this.totals.keysBytes + overheadBytes + startupBytes },
      databases,
      types: [...this.types.values()].sort(byMemory),
      encodings: [...this.encodings.values()].sort(byMemory),
      topKeys: this.top.sorted(),
      prefixes: this.prefixes.result(),
      nowMs: this.nowMs,
      filtered: this.filter !== null || this.minBytes > 0,
      partial: scan.error ? { readUpTo: this.readUpTo, keys: this.keysRead } : null,
      error: scan.error ? scan.error.toJSON() : null,
      elapsedMs: scan.elapsedMs,
    };
  }
}
