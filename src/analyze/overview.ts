/**
 * The `inspect` report: what a file is (format, dialect, version, AUX fields, checksum),
 * what it holds (per database: keys, TTLs, types, encodings and their on-disk bytes;
 * functions; module types) and its biggest keys.
 *
 * It runs on the fast path: values are not asked for (the decoder skips them, checking only
 * blob headers), except module values, whose module name and version are only known from
 * the value itself.
 */
import { copyBytes } from '../io/bytes.js';
import type { RdbtoolError } from '../errors.js';
import type { KeyInfo, ModuleBlob, RdbEnd, RdbHandler, RdbHeader, ChecksumStatus } from '../model/events.js';
import type { Dialect, Encoding, ValueType } from '../model/redis-types.js';
import type { ByteSource } from '../io/source.js';
import type { Limits } from '../limits.js';
import { analysisScanOptions, scanRdb, type ScanProgress } from '../pipeline/scan.js';
import { createKeyFilter, type KeyFilterOptions, type KeyPredicate } from '../pipeline/filters.js';
import { BiggestKeys, type BiggestKeysResult } from './biggest-keys.js';
import { QuickMemoryEstimator } from './memory/quick-estimate.js';

/** An AUX field as stored (binary-safe copies). */
export interface AuxField {
  name: Uint8Array;
  value: Uint8Array;
  /** Absolute offset of the AUX record. */
  offset: number;
}

/** Well-known AUX fields, interpreted. Absent fields are undefined. */
export interface ServerInfo {
  /** `redis-ver` or `valkey-ver`. */
  version?: string;
  /** Which AUX field gave the version. */
  versionField?: 'redis-ver' | 'valkey-ver';
  /** `redis-bits`: 32 or 64. */
  bits?: number;
  /** `ctime`: when the file was written, as an ISO-8601 date. */
  createdAt?: string;
  /** `used-mem`: the server's memory use when it wrote the file, in bytes. */
  usedMemBytes?: number;
  /** `aof-base`: true when the file is the base of a multi-part AOF. */
  aofBase?: boolean;
  /** `repl-id`, when present. */
  replId?: string;
  /** `repl-offset`, when present. */
  replOffset?: number;
}

/** Keys and bytes of one value type in one database. */
export interface TypeStats {
  valueType: ValueType;
  keys: number;
  elements: number;
  onDiskBytes: number;
}

/** Keys and bytes of one (type, encoding) pair in one database. */
export interface EncodingStats {
  valueType: ValueType;
  encoding: Encoding;
  keys: number;
  onDiskBytes: number;
}

/** One database. */
export interface DbStats {
  db: number;
  keys: number;
  /** Keys with an expiry. */
  keysWithTtl: number;
  /** Keys whose expiry is already past (relative to the report's `now`); still counted in `keys`. */
  expiredKeys: number;
  elements: number;
  onDiskBytes: number;
  /** The RESIZEDB hint the file gives for this database, when present. */
  resizeHint?: { keys: number; expires: number };
  /** By type, most bytes first. */
  types: TypeStats[];
  /** By type and encoding, most bytes first. */
  encodings: EncodingStats[];
}

/** A function library (FUNCTION2 record). */
export interface FunctionInfo {
  /** Library name from the `#!<engine> name=<name>` first line, or null when absent. */
  name: string | null;
  /** Engine from the first line (`lua`), or null. */
  engine: string | null;
  codeBytes: number;
  offset: number;
}

/** A module type seen in the file (values and/or AUX records). */
export interface ModuleInfo {
  /** The 9-character module type name. */
  name: string;
  encver: number;
  /** Keys holding a value of this module type. */
  keys: number;
  /** MODULE_AUX records of this module type. */
  auxRecords: number;
}

/** Totals over all databases. */
export interface Totals {
  keys: number;
  keysWithTtl: number;
  expiredKeys: number;
  elements: number;
  onDiskBytes: number;
}

/**
 * What a report covers when the file could not be read to its end (truncated, corrupt):
 * everything counted lies before `readUpTo`.
 */
export interface PartialRead {
  /**
   * Every record before this offset was read whole (it is where the record that could not be
   * read starts, or where a record before it starts when that one's end is not known).
   */
  readUpTo: number;
  /** Keys whose records were read whole, before any key filter. */
  keys: number;
}

/** Everything `inspect` reports. Plain data: byte strings are copies. */
export interface InspectReport {
  file: string;
  /** Size of the input when known (files), in bytes. */
  fileBytes: number | undefined;
  format: 'rdb';
  dialect: Dialect;
  magic: RdbHeader['magic'];
  rdbVersion: number;
  aux: AuxField[];
  server: ServerInfo;
  checksum: { status: ChecksumStatus; stored: string | null; computed: string | null };
  databases: DbStats[];
  totals: Totals;
  functions: FunctionInfo[];
  modules: ModuleInfo[];
  /** SLOT_INFO records (cluster files). */
  slotInfoRecords: number;
  biggestKeys: BiggestKeysResult;
  /** The instant (Unix ms) expiries were compared with. */
  nowMs: number;
  bytesRead: number;
  elapsedMs: number;
  /** Absolute offset of the EOF opcode. */
  eofOffset: number;
  /** Bytes after the checksum trailer (a hybrid AOF's RESP tail, or junk). */
  trailingBytes: number;
  /** True when key filters were applied (the counts cover the selected keys only). */
  filtered: boolean;
  /** Null when the file was read to its end; otherwise how far the counts go (see `error`). */
  partial: PartialRead | null;
  /**
   * The error that stopped the read (its `--json` form: code, file, offset, message, expected,
   * found, context), set together with `partial`; null otherwise. A checksum mismatch is not
   * one: the file was read to its end and `checksum.status` says `mismatch`.
   */
  error: Record<string, unknown> | null;
}

/** Options of {@link OverviewAnalyzer} and {@link inspectRdb}. */
export interface InspectOptions {
  /** Expiries before this instant (Unix ms) count as expired, as Redis decides. Default: now. */
  nowMs?: number;
  /** Length of the top-N lists. Default 10. */
  top?: number;
  /** Restrict the counts to some keys. */
  filter?: KeyFilterOptions;
  limits?: Partial<Limits>;
  /** Progress callback (between chunks). */
  onProgress?: (p: ScanProgress) => void;
  signal?: AbortSignal;
}

/** The header: a 5- or 6-byte magic and the version in digits, 9 bytes either way (FORMATS.md §1.2). */
const RDB_HEADER_BYTES = 9;

class DbAccumulator {
  keys = 0;
  keysWithTtl = 0;
  expiredKeys = 0;
  elements = 0;
  onDiskBytes = 0;
  resizeHint: { keys: number; expires: number } | undefined;
  /**
   * Counters per (RDB type byte, int-encoded string flag): keys, elements, bytes. A type byte
   * fixes the value type and encoding (strings aside), so per-key work is three additions
   * into a typed array; names are attached once, in `result()`.
   */
  private readonly slots = new Float64Array(256 * 2 * 3);
  private readonly names: { valueType: ValueType; encoding: Encoding }[] = [];

  constructor(readonly db: number) {}

  add(k: Readonly<KeyInfo>, nowMs: number): void {
    this.count(k, nowMs, 1);
    const slot = ((k.rdbType & 255) * 2 + (k.encoding === 'int' ? 1 : 0)) | 0;
    if (this.names[slot] === undefined) this.names[slot] = { valueType: k.valueType, encoding: k.encoding };
  }

  /** Takes back a key counted by {@link add} (its type and encoding stay named). */
  remove(k: Readonly<Pick<KeyInfo, 'rdbType' | 'encoding' | 'elements' | 'onDiskBytes' | 'expireAtMs'>>, nowMs: number): void {
    this.count(k, nowMs, -1);
  }

  private count(k: Readonly<Pick<KeyInfo, 'rdbType' | 'encoding' | 'elements' | 'onDiskBytes' | 'expireAtMs'>>, nowMs: number, n: 1 | -1): void {
    this.keys += n;
    this.elements += n * k.elements;
    this.onDiskBytes += n * k.onDiskBytes;
    if (k.expireAtMs !== null) {
      this.keysWithTtl += n;
      if (k.expireAtMs < nowMs) this.expiredKeys += n;
    }
    const i = (((k.rdbType & 255) * 2 + (k.encoding === 'int' ? 1 : 0)) | 0) * 3;
    const s = this.slots;
    s[i] += n;
    s[i + 1] += n * k.elements;
    s[i + 2] += n * k.onDiskBytes;
  }

  private get types(): Map<ValueType, TypeStats> {
    const m = new Map<ValueType, TypeStats>();
    this.eachSlot((n, keys, elements, bytes) => {
      let t = m.get(n.valueType);
      if (!t) m.set(n.valueType, (t = { valueType: n.valueType, keys: 0, elements: 0, onDiskBytes: 0 }));
      t.keys += keys;
      t.elements += elements;
      t.onDiskBytes += bytes;
    });
    return m;
  }

  private get encodings(): Map<string, EncodingStats> {
    const m = new Map<string, EncodingStats>();
    this.eachSlot((n, keys, _elements, bytes) => {
      const id = n.valueType + '\0' + n.encoding;
      let e = m.get(id);
      if (!e) m.set(id, (e = { valueType: n.valueType, encoding: n.encoding, keys: 0, onDiskBytes: 0 }));
      e.keys += keys;
      e.onDiskBytes += bytes;
    });
    return m;
  }

  private eachSlot(f: (n: { valueType: ValueType; encoding: Encoding }, keys: number, elements: number, bytes: number) => void): void {
    for (let slot = 0; slot < 512; slot++) {
      const i = slot * 3;
      if (this.slots[i] > 0) f(this.names[slot], this.slots[i], this.slots[i + 1], this.slots[i + 2]);
    }
  }

  result(): DbStats {
    const bySize = <T extends { onDiskBytes: number; keys: number }>(a: T, b: T): number => b.onDiskBytes - a.onDiskBytes || b.keys - a.keys;
    const out: DbStats = {
      db: this.db,
      keys: this.keys,
      keysWithTtl: this.keysWithTtl,
      expiredKeys: this.expiredKeys,
      elements: this.elements,
      onDiskBytes: this.onDiskBytes,
      types: [...this.types.values()].sort(bySize),
      encodings: [...this.encodings.values()].sort(bySize),
    };
    if (this.resizeHint) out.resizeHint = this.resizeHint;
    return out;
  }
}

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
const utf8 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');

/** Parses a decimal AUX value; undefined when it is not a plain integer. */
function auxInt(v: Uint8Array): number | undefined {
  const s = latin1(v);
  return /^-?\d+$/.test(s) ? Number(s) : undefined;
}

/**
 * Reads the library name and engine from a function's first line, `#!lua name=mylib`.
 * Returns nulls when the code has no such line.
 */
export function parseFunctionHeader(code: Uint8Array): { engine: string | null; name: string | null } {
  let end = code.indexOf(0x0a);
  if (end < 0) end = code.length;
  const line = utf8(code.subarray(0, Math.min(end, 4096))).replace(/\r$/, '');
  const m = /^#!(\S+)(.*)$/.exec(line);
  if (!m) return { engine: null, name: null };
  const name = /(?:^|\s)name=(\S+)/.exec(m[2]);
  return { engine: m[1], name: name ? name[1] : null };
}

/**
 * The decoder handler behind `inspect`. `keyStart` asks for module values only; everything
 * else is counted from `keyEnd`. Call {@link OverviewAnalyzer.report} after the scan.
 */
export class OverviewAnalyzer implements RdbHandler {
  private hdr: RdbHeader | null = null;
  private readonly auxFields: AuxField[] = [];
  private readonly dbs = new Map<number, DbAccumulator>();
  private readonly resizeHints = new Map<number, { keys: number; expires: number }>();
  private readonly functions: FunctionInfo[] = [];
  private readonly modules = new Map<string, ModuleInfo>();
  private readonly biggest: BiggestKeys;
  /** The biggest keys' estimated memory (Redis 7.0), from their records and node sizes. */
  private readonly memory = new QuickMemoryEstimator();
  private readonly filter: KeyPredicate | null;
  private endInfo: RdbEnd | null = null;
  private slotInfos = 0;
  private currentDb = 0;
  private selected = true;
  /** Keys read whole (before filters), and where the last record known to be whole ends. */
  private keysRead = 0;
  private readUpTo = 0;
  /**
   * The last key counted, kept so it can be taken back: a value skipped without decoding ends
   * its key before its bytes have all arrived, so when the read stops early the last key may
   * be incomplete (its record then ends after the last byte read).
   */
  private readonly lastKey = { offset: -1, end: 0, db: 0, rdbType: 0, encoding: 'raw' as Encoding, elements: 0, onDiskBytes: 0, expireAtMs: null as number | null, counted: false };
  readonly nowMs: number;

  constructor(opts: Pick<InspectOptions, 'nowMs' | 'top' | 'filter'> = {}) {
    this.nowMs = opts.nowMs ?? Date.now();
    this.biggest = new BiggestKeys(opts.top ?? 10, (k) => this.memory.estimate(k));
    this.filter = opts.filter ? createKeyFilter(opts.filter) : null;
  }

  /**
   * A record starts at `offset`: every byte before it belongs to records read whole. (Records
   * other than keys report where they start, not where they end, so the record just before is
   * known to be whole only once the next one is seen.)
   */
  private reached(offset: number): void {
    if (offset > this.readUpTo) this.readUpTo = offset;
  }

  header(h: RdbHeader, offset = 0): void {
    this.reached(offset + RDB_HEADER_BYTES);
    this.hdr = h;
  }

  aux(name: Uint8Array, value: Uint8Array, offset: number): void {
    this.reached(offset);
    this.auxFields.push({ name: copyBytes(name), value: copyBytes(value), offset });
  }

  selectDb(db: number, offset: number): void {
    this.reached(offset);
    this.currentDb = db;
  }

  resizeDb(keys: number, expires: number, offset: number): void {
    this.reached(offset);
    this.resizeHints.set(this.currentDb, { keys, expires });
  }

  slotInfo(_slot: number, _keys: number, _expires: number, offset: number): void {
    this.reached(offset);
    this.slotInfos++;
  }

  function(code: Uint8Array, offset: number): void {
    this.reached(offset);
    const { engine, name } = parseFunctionHeader(code);
    this.functions.push({ name, engine, codeBytes: code.length, offset });
  }

  moduleAux(m: ModuleBlob, offset: number): void {
    this.reached(offset);
    this.module(m.moduleName, m.encver).auxRecords++;
  }

  keyStart(k: KeyInfo): boolean {
    this.reached(k.offset);
    this.selected = this.filter === null || this.filter(k);
    if (this.selected) this.memory.keyStart(k);
    return this.selected && k.valueType === 'module';
  }

  valueNode(container: number, bytes: number, nodeKey: Uint8Array | null): void {
    if (this.selected) this.memory.valueNode(container, bytes, nodeKey);
  }

  moduleValue(m: ModuleBlob): void {
    this.module(m.moduleName, m.encver).keys++;
  }

  keyEnd(k: KeyInfo): void {
    this.keysRead++;
    this.reached(k.offset + k.onDiskBytes);
    const last = this.lastKey;
    last.offset = k.offset;
    last.end = k.offset + k.onDiskBytes;
    last.counted = this.selected;
    if (!this.selected) return;
    last.db = k.db;
    last.rdbType = k.rdbType;
    last.encoding = k.encoding;
    last.elements = k.elements;
    last.onDiskBytes = k.onDiskBytes;
    last.expireAtMs = k.expireAtMs;
    let d = this.lastDb;
    if (d === null || d.db !== k.db) d = this.lastDb = this.db(k.db);
    d.add(k, this.nowMs);
    this.biggest.onKey(k);
  }

  /**
   * Takes back the last key when its record ends after `bytesRead` (see `lastKey`). Returns
   * the offset of the key taken back from the counts (for the top lists), or undefined.
   */
  private dropIncompleteKey(bytesRead: number): number | undefined {
    const last = this.lastKey;
    if (last.offset < 0 || last.end <= bytesRead) return undefined;
    const offset = last.offset;
    last.offset = -1;
    this.keysRead--;
    this.readUpTo = offset;
    if (!last.counted) return undefined;
    this.db(last.db).remove(last, this.nowMs);
    return offset;
  }

  private lastDb: DbAccumulator | null = null;

  end(e: RdbEnd): void {
    this.reached(e.endOffset);
    this.endInfo = e;
  }

  private db(n: number): DbAccumulator {
    let d = this.dbs.get(n);
    if (!d) this.dbs.set(n, (d = new DbAccumulator(n)));
    return d;
  }

  private module(name: string, encver: number): ModuleInfo {
    const id = `${name}/${encver}`;
    let m = this.modules.get(id);
    if (!m) this.modules.set(id, (m = { name, encver, keys: 0, auxRecords: 0 }));
    return m;
  }

  /** The interpreted well-known AUX fields. */
  serverInfo(): ServerInfo {
    const s: ServerInfo = {};
    for (const { name, value } of this.auxFields) {
      switch (latin1(name)) {
        case 'redis-ver':
          s.version ??= latin1(value);
          s.versionField ??= 'redis-ver';
          break;
        case 'valkey-ver':
          // Valkey writes both; its own version is the interesting one.
          s.version = latin1(value);
          s.versionField = 'valkey-ver';
          break;
        case 'redis-bits':
          s.bits = auxInt(value);
          break;
        case 'ctime': {
          const sec = auxInt(value);
          if (sec !== undefined) {
            const d = new Date(sec * 1000);
            if (!Number.isNaN(d.getTime())) s.createdAt = d.toISOString();
          }
          break;
        }
        case 'used-mem':
          s.usedMemBytes = auxInt(value);
          break;
        case 'aof-base': {
          const v = auxInt(value);
          if (v !== undefined) s.aofBase = v !== 0;
          break;
        }
        case 'repl-id':
          s.replId = latin1(value);
          break;
        case 'repl-offset':
          s.replOffset = auxInt(value);
          break;
      }
    }
    return s;
  }

  /**
   * Builds the report; `scan` supplies what only the driver knows. With `error` (what stopped
   * the read before the file's end), the report is marked partial: it covers what came before.
   */
  report(scan: { file: string; fileBytes: number | undefined; bytesRead: number; elapsedMs: number; trailingBytes: number; error?: RdbtoolError | null }): InspectReport {
    const dropped = scan.error ? this.dropIncompleteKey(scan.bytesRead) : undefined;
    // A database announced by RESIZEDB but without keys is listed too (unless filtered).
    for (const [db, hint] of this.resizeHints) if (this.filter === null || this.dbs.has(db)) this.db(db).resizeHint = hint;
    const databases = [...this.dbs.values()].sort((a, b) => a.db - b.db).map((d) => d.result());
    const totals: Totals = { keys: 0, keysWithTtl: 0, expiredKeys: 0, elements: 0, onDiskBytes: 0 };
    for (const d of databases) {
      totals.keys += d.keys;
      totals.keysWithTtl += d.keysWithTtl;
      totals.expiredKeys += d.expiredKeys;
      totals.elements += d.elements;
      totals.onDiskBytes += d.onDiskBytes;
    }
    const h = this.hdr;
    const e = this.endInfo;
    return {
      file: scan.file,
      fileBytes: scan.fileBytes,
      format: 'rdb',
      dialect: h?.dialect ?? 'redis',
      magic: h?.magic ?? 'REDIS',
      rdbVersion: h?.version ?? 0,
      aux: this.auxFields,
      server: this.serverInfo(),
      checksum: { status: e?.checksum ?? 'absent', stored: e?.storedChecksum ?? null, computed: e?.computedChecksum ?? null },
      databases,
      totals,
      functions: this.functions,
      modules: [...this.modules.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.encver - b.encver)),
      slotInfoRecords: this.slotInfos,
      biggestKeys: this.biggest.result(dropped),
      nowMs: this.nowMs,
      bytesRead: scan.bytesRead,
      elapsedMs: scan.elapsedMs,
      eofOffset: e?.eofOffset ?? -1,
      trailingBytes: scan.trailingBytes,
      filtered: this.filter !== null,
      partial: scan.error ? { readUpTo: this.readUpTo, keys: this.keysRead } : null,
      error: scan.error ? scan.error.toJSON() : null,
    };
  }
}

/**
 * Inspects an RDB source: one pass on the fast path (`verify: 'shallow'`, values skipped).
 * A checksum mismatch does not throw: it is reported in `checksum.status`. (`inspectInput`
 * returns a partial report for a damaged file instead of throwing.)
 * @throws RdbtoolError when the input is corrupt, truncated or unreadable.
 */
export async function inspectRdb(source: ByteSource, opts: InspectOptions = {}): Promise<InspectReport> {
  const analyzer = new OverviewAnalyzer(opts);
  const res = await scanRdb(source, analyzer, analysisScanOptions(opts));
  return analyzer.report({
    file: source.name,
    fileBytes: source.size,
    bytesRead: res.bytesRead,
    elapsedMs: res.elapsedMs,
    trailingBytes: res.trailingBytes,
  });
}
