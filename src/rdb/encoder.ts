/**
 * The RDB writer (FORMATS.md §1, §2, §7.3): writes a file of a chosen version, record by
 * record, in the order a server writes one, into a {@link SlabSink} (a `ByteSink`) in large
 * slabs, with the CRC-64 computed as the bytes go.
 *
 * A small state table guards the order of calls, so that misuse is an error and never a file
 * the server refuses:
 *
 * ```
 * header → aux* → moduleAux(before)* → function* → (selectDb key*)* → moduleAux(after)* → end
 * ```
 *
 * Each value is written the way the server of that version saves it (target.ts): the encoding
 * it holds the value in when built from an empty key with its default limits, and, for that
 * encoding, the same bytes — integer and LZF string forms, ziplists, listpacks, intsets,
 * quicklist nodes and stream nodes as it fills them, score text as it formats it.
 */
import { UsageError } from '../errors.js';
import { SpillBuffer } from '../io/spill-buffer.js';
import type { Encoding } from '../model/redis-types.js';
import { QuicklistContainer, RdbOpcode, RdbType } from './constants.js';
import { planQuicklist, type QuicklistPlanState, type QuicklistRule } from './blobs/quicklist.js';
import { encodeListpack } from './blobs/listpack.js';
import { encodeZiplist } from './blobs/ziplist.js';
import { intEncodable, RdbOutput, type ByteInput, type RdbOutputOptions, type SlabSink } from './primitives.js';
import { rdbTarget, unsupported, type EncodingLimits, type RdbTarget, type ValueWriter } from './target.js';
import { listWriter } from './values/list.js';
import { setWriter } from './values/set.js';
import { zsetWriter } from './values/zset.js';
import { hashWriter, type HashEntryInput } from './values/hash.js';
import { streamWriter, type StreamInput } from './values/stream.js';
import { moduleWriter, writeModuleAux } from './values/module.js';
import { arrayWriter } from './values/newer.js';
import { writeTextDouble } from './values/score.js';

/** Options of {@link RdbWriter}. */
export interface RdbWriterOptions extends RdbOutputOptions {
  /** The RDB version to write: 6 … 15, or 80 (Valkey 9.0) or 81 (Valkey 9.2). */
  rdbVersion: number;
  /** Encoding limits of the target server, where they differ from its defaults. */
  limits?: Partial<EncodingLimits>;
}

/** A value to write, whole. Byte strings are `Uint8Array`s or latin1 strings. */
export type RdbValue =
  | { type: 'string'; value: ByteInput }
  | { type: 'list'; items: Iterable<ByteInput>; length: number }
  | { type: 'set'; members: Iterable<ByteInput>; size: number }
  | { type: 'zset'; entries: Iterable<readonly [ByteInput, number]>; size: number }
  | { type: 'hash'; entries: Iterable<HashEntryInput>; size: number; volatileFields: number }
  | ({ type: 'stream' } & StreamInput)
  | { type: 'module'; moduleId: bigint; raw: Uint8Array }
  /** Elements by index, ascending (RDB 14 on). */
  | { type: 'array'; entries: Iterable<readonly [number | bigint, ByteInput]>; length: number };

/** What precedes a key's type byte. */
export interface KeyMeta {
  /** Absolute expiry, Unix ms (EXPIRETIME_MS). */
  expireAtMs?: number | null;
  /** LRU idle time in seconds (IDLE, RDB 9 on; dropped before). */
  lruIdleSec?: number;
  /** LFU counter 0–255 (FREQ, RDB 9 on; dropped before). */
  lfuFreq?: number;
}

/** What {@link RdbWriter.key} wrote. */
export interface WrittenKey {
  rdbType: number;
  encoding: Encoding;
  elements: number;
  /** Offset of the record's first byte in the file, and its size. */
  offset: number;
  bytes: number;
}

/** Elements of a value written one by one (see {@link RdbWriter.streamKey}). */
export interface ValueStream {
  /** A list element or set member. */
  item(value: ByteInput): void;
  /** A hash field and its value. */
  field(field: ByteInput, value: ByteInput): void;
  /** A sorted-set member and its score. */
  member(member: ByteInput, score: number): void;
  /** Ends the value; the writer takes other calls again. */
  end(): WrittenKey;
}

/** A string value written in parts (see {@link RdbWriter.streamString}). */
export interface StringStream {
  part(bytes: ByteInput): void;
  /** Ends the value; the writer takes other calls again. */
  end(): WrittenKey;
}

/** The writer's phases, in the order the file has them. */
const Phase = { New: 0, Aux: 1, ModuleAuxBefore: 2, Functions: 3, Data: 4, ModuleAuxAfter: 5, Ended: 6 } as const;
type Phase = (typeof Phase)[keyof typeof Phase];
const PHASE_NAMES = ['the start', 'the AUX fields', 'the module AUX records before the data', 'the function libraries', 'the databases', 'the module AUX records after the data', 'the end'];

/** MODULE_AUX `when`: before the data (REDISMODULE_AUX_BEFORE_RDB) or after it (…_AFTER_RDB). */
export const ModuleAuxWhen = { BeforeRdb: 1, AfterRdb: 2 } as const;

/** Writes an RDB file of one version, record by record (see the file comment for the order). */
export class RdbWriter {
  /** What the chosen version stores and how. */
  readonly target: RdbTarget;
  private readonly out: RdbOutput;
  private phase: Phase = Phase.New;
  private db = -1;
  /** A value being streamed element by element ({@link streamKey}); nothing else may be written meanwhile. */
  private open: string | null = null;

  constructor(sink: SlabSink, opts: RdbWriterOptions) {
    this.target = rdbTarget(opts.rdbVersion, opts.limits);
    this.out = new RdbOutput(sink, opts);
  }

  /** Bytes written so far. */
  get bytesWritten(): number {
    return this.out.offset;
  }

  /** The database keys go to now (−1 before the first {@link selectDb}). */
  get currentDb(): number {
    return this.db;
  }

  private advance(to: Phase, what: string, from: Phase = Phase.New): void {
    if (this.open !== null) throw new UsageError(`RdbWriter: ${what} while the value of ${this.open} is still being written`);
    if (this.phase === Phase.New && to !== Phase.New) throw new UsageError(`RdbWriter: ${what} before the header`);
    if (this.phase < from || this.phase > to) {
      throw new UsageError(`RdbWriter: ${what} cannot come after ${PHASE_NAMES[this.phase]}`);
    }
    this.phase = to;
  }

  /** Writes the magic (`REDIS0010`, `VALKEY080`, …). First call. */
  header(): void {
    if (this.phase !== Phase.New) throw new UsageError('RdbWriter: the header is written once, first');
    this.out.writeLatin1(this.target.magic);
    this.phase = Phase.Aux;
  }

  /**
   * Writes an AUX field (opcode 250; FORMATS.md §1.9).
   * @throws UnsupportedValueError in RDB 6 (its servers refuse the opcode)
   */
  aux(name: ByteInput, value: ByteInput): void {
    this.advance(Phase.Aux, 'an AUX field', Phase.Aux);
    if (!this.target.auxAndResize) throw unsupported('AUX fields', this.target);
    this.out.writeByte(RdbOpcode.Aux);
    this.out.writeString(name);
    this.out.writeString(value);
  }

  /**
   * Writes a MODULE_AUX record (opcode 247) before the data (`when` 1) or after it (2).
   * @param raw the module's opcode stream, ending with its EOF opcode
   * @throws UnsupportedValueError before RDB 9
   */
  moduleAux(moduleId: bigint, when: number, raw: Uint8Array): void {
    if (when !== ModuleAuxWhen.BeforeRdb && when !== ModuleAuxWhen.AfterRdb) throw new UsageError(`module AUX "when" is 1 or 2, got ${when}`);
    this.advance(when === ModuleAuxWhen.BeforeRdb ? Phase.ModuleAuxBefore : Phase.ModuleAuxAfter, 'a module AUX record');
    if (!this.target.idleFreqModuleAux) throw unsupported('module AUX records', this.target);
    writeModuleAux(this.out, moduleId, when, raw);
  }

  /**
   * Writes a function library (FUNCTION2, opcode 245): its source as `FUNCTION LOAD` takes it.
   * @throws UnsupportedValueError before RDB 10
   */
  function(code: ByteInput): void {
    this.advance(Phase.Functions, 'a function library');
    if (!this.target.functions) throw unsupported('function libraries', this.target);
    this.out.writeByte(RdbOpcode.Function2);
    this.out.writeString(code);
  }

  /**
   * Starts a database: SELECTDB, and RESIZEDB when `sizes` are given (from RDB 7 on; the
   * sizes are the number of keys and of keys with an expiry, a hint for the loader).
   */
  selectDb(db: number, sizes?: { keys: number; expires: number }): void {
    if (!Number.isSafeInteger(db) || db < 0) throw new UsageError(`RdbWriter: database index must be a non-negative integer, got ${db}`);
    this.advance(Phase.Data, 'a database');
    this.db = db;
    this.out.writeByte(RdbOpcode.SelectDb);
    this.out.writeLength(db);
    if (sizes !== undefined && this.target.auxAndResize) {
      this.out.writeByte(RdbOpcode.ResizeDb);
      this.out.writeLength(sizes.keys);
      this.out.writeLength(sizes.expires);
    }
  }

  /**
   * The record a value would be written as (type byte, encoding, and the writer of its bytes),
   * without writing anything: to learn the encoding, or to check that the version can hold it.
   * @throws UnsupportedValueError when the version cannot hold the value
   */
  plan(value: RdbValue): ValueWriter {
    const t = this.target;
    switch (value.type) {
      case 'string': {
        const v = value.value;
        return { rdbType: RdbType.String, encoding: intEncodable(v) === null ? 'raw' : 'int', elements: 1, write: (out) => out.writeString(v) };
      }
      case 'list':
        return listWriter(value.items, value.length, t);
      case 'set':
        return setWriter(value.members, value.size, t);
      case 'zset':
        return zsetWriter(value.entries, value.size, t);
      case 'hash':
        return hashWriter(value.entries, value.size, value.volatileFields, t);
      case 'stream':
        return streamWriter(value, t);
      case 'module':
        return moduleWriter(value.moduleId, value.raw, t);
      case 'array':
        return arrayWriter(value.entries, value.length, t);
    }
  }

  /**
   * Writes one key: its expiry (EXPIRETIME_MS), its LRU/LFU hints (IDLE, FREQ; RDB 9 on),
   * the type byte, the key and the value (FORMATS.md §1.10). Nothing is written when the
   * value cannot be (the error comes first).
   * @throws UnsupportedValueError when the version cannot hold the value
   */
  key(key: ByteInput, value: RdbValue | ValueWriter, meta: KeyMeta = {}): WrittenKey {
    this.checkKeyPhase();
    const w = 'write' in value ? value : this.plan(value);
    const start = this.out.offset;
    this.writeKeyHead(key, w.rdbType, meta);
    w.write(this.out);
    return { rdbType: w.rdbType, encoding: w.encoding, elements: w.elements, offset: start, bytes: this.out.offset - start };
  }

  private checkKeyPhase(): void {
    if (this.open !== null) throw new UsageError(`RdbWriter: a key while the value of ${this.open} is still being written`);
    if (this.phase !== Phase.Data) throw new UsageError(`RdbWriter: a key needs a database (selectDb) and cannot come after ${PHASE_NAMES[this.phase]}`);
  }

  /** @throws UsageError for an expiry or hint out of range */
  private checkMeta(meta: KeyMeta): void {
    const { expireAtMs, lruIdleSec, lfuFreq } = meta;
    if (expireAtMs != null && !Number.isSafeInteger(expireAtMs)) throw new UsageError(`expiry must be an integer number of milliseconds, got ${expireAtMs}`);
    if (lruIdleSec !== undefined && (!Number.isSafeInteger(lruIdleSec) || lruIdleSec < 0)) throw new UsageError(`LRU idle time must be a non-negative integer, got ${lruIdleSec}`);
    if (lfuFreq !== undefined && (!Number.isInteger(lfuFreq) || lfuFreq < 0 || lfuFreq > 255)) throw new UsageError(`LFU counter must be 0-255, got ${lfuFreq}`);
  }

  /** Expiry, hints, type byte and key: everything of a record before its value. */
  private writeKeyHead(key: ByteInput, rdbType: number, meta: KeyMeta): void {
    // Checked before anything is written, so that a refused key leaves no bytes behind.
    this.checkMeta(meta);
    const out = this.out;
    if (meta.expireAtMs !== undefined && meta.expireAtMs !== null) {
      out.writeByte(RdbOpcode.ExpireTimeMs);
      out.writeMillis(meta.expireAtMs);
    }
    if (this.target.idleFreqModuleAux) {
      if (meta.lruIdleSec !== undefined) {
        out.writeByte(RdbOpcode.Idle);
        out.writeLength(meta.lruIdleSec);
      }
      if (meta.lfuFreq !== undefined) {
        out.writeByte(RdbOpcode.Freq);
        out.writeByte(meta.lfuFreq);
      }
    }
    out.writeByte(rdbType);
    out.writeString(key);
  }

  /**
   * Starts writing a value element by element, without holding it whole: possible when its
   * element count alone makes the target server hold it in a plain encoding — a set, hash or
   * sorted set with more elements than the compact encodings take, or (RDB 6) a list longer
   * than a ziplist — which is written as a count and then the elements as they come (a sorted
   * set in the order given: any order loads). The count is what the decoder reports at
   * `keyStart` as `declaredElements`. Returns null when the value must be given whole to
   * {@link key} instead (small values, quicklists, streams). A hash streamed this way has no
   * field TTLs (one with TTLs goes to {@link key}). Until the stream's `end`, nothing else can
   * be written.
   * @throws UsageError (at `end`) when the number of elements added differs from `count`
   */
  streamKey(key: ByteInput, type: 'list' | 'set' | 'zset' | 'hash', count: number, meta: KeyMeta = {}): ValueStream | null {
    this.checkKeyPhase();
    if (!Number.isSafeInteger(count) || count < 0) throw new UsageError(`RdbWriter: element count must be a non-negative integer, got ${count}`);
    const t = this.target;
    const L = t.limits;
    let rdbType: number;
    let encoding: Encoding = 'hashtable';
    switch (type) {
      case 'list':
        if (t.list !== 'ziplist-or-linked' || count <= L.listMaxZiplistEntries) return null;
        rdbType = RdbType.List;
        encoding = 'linkedlist';
        break;
      case 'set':
        if (count <= L.setMaxIntsetEntries || (t.setListpack && count <= L.setMaxListpackEntries)) return null;
        rdbType = RdbType.Set;
        break;
      case 'zset':
        if (count <= L.zsetMaxEntries) return null;
        rdbType = t.zsetType;
        encoding = 'skiplist';
        break;
      case 'hash':
        if (count <= L.hashMaxEntries) return null;
        rdbType = RdbType.Hash;
        break;
    }
    const out = this.out;
    const start = out.offset;
    this.writeKeyHead(key, rdbType, meta);
    out.writeLength(count);
    const name = typeof key === 'string' ? JSON.stringify(key.slice(0, 40)) : 'a key';
    this.open = name;
    let added = 0;
    const expect = (kind: string): void => {
      if (this.open !== name) throw new UsageError('RdbWriter: this value stream has ended');
      if (kind !== type) throw new UsageError(`RdbWriter: a ${kind} element in a ${type} value`);
      if (added >= count) throw new UsageError(`RdbWriter: more than the ${count} elements announced`);
      added++;
    };
    const binary = rdbType === RdbType.Zset2;
    return {
      item: (v) => {
        if (type !== 'set') expect('list');
        else expect('set');
        out.writeString(v);
      },
      field: (f, v) => {
        expect('hash');
        out.writeString(f);
        out.writeString(v);
      },
      member: (m, score) => {
        expect('zset');
        if (Number.isNaN(score)) throw new UsageError('a sorted-set score cannot be NaN');
        out.writeString(m);
        if (binary) out.writeBinaryDouble(score);
        else writeTextDouble(out, score);
      },
      end: () => {
        if (this.open !== name) throw new UsageError('RdbWriter: this value stream has ended');
        if (added !== count) throw new UsageError(`RdbWriter: ${added} elements written where ${count} were announced (the file is not valid)`);
        this.open = null;
        return { rdbType, encoding, elements: count, offset: start, bytes: out.offset - start };
      },
    };
  }

  /**
   * Writes one key whose value is a string given as it is (the same bytes as {@link key} with
   * a string value, without planning it first). Returns its encoding (`int` or `raw`).
   */
  stringKey(key: ByteInput, value: ByteInput, meta: KeyMeta = {}): Encoding {
    this.checkKeyPhase();
    this.writeKeyHead(key, RdbType.String, meta);
    // Large arrays pass through the output uncopied: the caller's may be reused.
    this.out.writeString(typeof value !== 'string' && value.length >= 1 << 16 ? value.slice() : value);
    return value.length <= 20 && intEncodable(value) !== null ? 'int' : 'raw';
  }

  /**
   * Starts writing a string value in parts, without holding it whole: the key's head and the
   * length `totalBytes`, then the parts as they come, stored raw. A server would LZF-compress
   * a long string when that saves space, which needs the whole string; every server loads the
   * raw form as well (FORMATS.md §1.6). A string given whole as its first part is written as
   * {@link key} writes it (integer form, LZF). Until the stream's `end`, nothing else can be
   * written.
   * @throws UsageError (at `end`, or at a part past the length) when the parts do not add up to `totalBytes`
   */
  streamString(key: ByteInput, totalBytes: number, meta: KeyMeta = {}): StringStream {
    this.checkKeyPhase();
    if (!Number.isSafeInteger(totalBytes) || totalBytes < 0) throw new UsageError(`RdbWriter: string length must be a non-negative integer, got ${totalBytes}`);
    const out = this.out;
    const start = out.offset;
    this.writeKeyHead(key, RdbType.String, meta);
    const name = typeof key === 'string' ? JSON.stringify(key.slice(0, 40)) : 'a key';
    this.open = name;
    let written = 0;
    let begun = false;
    let encoding: Encoding = 'raw';
    const check = (): void => {
      if (this.open !== name) throw new UsageError('RdbWriter: this value stream has ended');
    };
    return {
      part: (b) => {
        check();
        if (written + b.length > totalBytes) throw new UsageError(`RdbWriter: string parts longer than the ${totalBytes} bytes announced`);
        if (!begun && b.length === totalBytes) {
          // The whole string at once: written as `key` writes it (integer form, LZF).
          begun = true;
          if (intEncodable(b) !== null) encoding = 'int';
          out.writeString(typeof b !== 'string' && b.length >= 1 << 16 ? b.slice() : b);
          written = totalBytes;
          return;
        }
        if (!begun) out.writeLength(totalBytes);
        begun = true;
        written += b.length;
        // Copied through the output's slab: the caller's bytes may be reused.
        if (typeof b === 'string') out.writeLatin1(b);
        else out.copyBytes(b);
      },
      end: () => {
        check();
        if (!begun) out.writeString('');
        if (written !== totalBytes) throw new UsageError(`RdbWriter: ${written} string bytes written where ${totalBytes} were announced (the file is not valid)`);
        this.open = null;
        return { rdbType: RdbType.String, encoding, elements: 1, offset: start, bytes: out.offset - start };
      },
    };
  }

  /**
   * Starts writing a list element by element when its length is not known ahead (its source
   * was a quicklist): for the quicklist versions (RDB 7 on) the nodes are filled as the target
   * server fills them and kept encoded (the record's node count comes first, so the nodes wait
   * in their written form, about the size of the record, until `end`); RDB 6 needs a count
   * (null is returned: give the list to {@link key}). Until the stream's `end`, nothing else
   * can be written.
   */
  streamList(key: ByteInput, meta: KeyMeta = {}): ValueStream | null {
    this.checkKeyPhase();
    const t = this.target;
    if (t.list === 'ziplist-or-linked') return null;
    // Checked now, so that a refused key leaves no bytes behind.
    this.checkMeta(meta);
    const rule: QuicklistRule = t.list === 'quicklist-ziplist' ? '3.2' : t.list === 'quicklist-listpack-7.0' ? '7.0' : '7.2';
    const v2 = rule !== '3.2';
    // The nodes wait until the count is known: in memory up to a bound, then in a temporary
    // file (a list of any size costs no more memory than the bound).
    const spill = new SpillBuffer();
    const toSpill = (b: Uint8Array, done?: () => void): void => {
      spill.write(b);
      // Written to the file: the slab may be filled again.
      if (spill.spilled) done?.();
    };
    const nodes = new RdbOutput({ write: toSpill }, { compression: this.out.compression, checksum: false, slabBytes: 1 << 16 });
    let nodeCount = 0;
    const state: QuicklistPlanState = { single: true };
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let elements = 0;
    const name = typeof key === 'string' ? JSON.stringify(key.slice(0, 40)) : 'a key';
    this.open = name;
    // Plans what is pending; every node but the last is final and is encoded (the last one's
    // items start the next plan: a node's fill depends on its own items only).
    const plan = (last: boolean): void => {
      const planned = planQuicklist(pending, rule, t.limits.listMaxSize, state);
      const keep = last || planned.length === 0 ? planned.length : planned.length - 1;
      for (let i = 0; i < keep; i++) {
        const node = planned[i];
        if (v2) {
          nodes.writeLength(node.container);
          nodes.writeString(node.container === QuicklistContainer.Plain ? node.items[0] : encodeListpack(node.items));
        } else nodes.writeString(encodeZiplist(node.items));
        nodeCount++;
      }
      pending = keep < planned.length ? planned[keep].items : [];
      pendingBytes = 0;
      for (const p of pending) pendingBytes += p.length;
    };
    const check = (): void => {
      if (this.open !== name) throw new UsageError('RdbWriter: this value stream has ended');
    };
    const wrong = (kind: string) => (): never => {
      throw new UsageError(`RdbWriter: a ${kind} element in a list value`);
    };
    return {
      item: (v) => {
        check();
        // Copied (the caller's bytes are views); short ones into Node's shared pool, not an array each.
        const b = typeof v === 'string' ? Buffer.from(v, 'latin1') : Buffer.from(v);
        pending.push(b);
        pendingBytes += b.length;
        elements++;
        if (pending.length >= 1 << 14 || pendingBytes >= 1 << 20) plan(false);
      },
      field: wrong('hash'),
      member: wrong('zset'),
      end: () => {
        check();
        const out = this.out;
        const start = out.offset;
        try {
          plan(true);
          nodes.flush();
          this.writeKeyHead(key, v2 ? RdbType.ListQuicklist2 : RdbType.ListQuicklist, meta);
          out.writeLength(nodeCount);
          for (const c of spill.pieces()) out.writeBytes(c);
        } finally {
          spill.close();
        }
        this.open = null;
        return { rdbType: v2 ? RdbType.ListQuicklist2 : RdbType.ListQuicklist, encoding: 'quicklist', elements, offset: start, bytes: out.offset - start };
      },
    };
  }

  /**
   * Writes EOF and the CRC-64 of every byte before it (8 bytes LE; zeros with checksums off),
   * and hands the last slab to the sink. Returns the file size. The sink is not closed.
   */
  end(): number {
    if (this.open !== null) throw new UsageError(`RdbWriter: end while the value of ${this.open} is still being written`);
    if (this.phase === Phase.New) throw new UsageError('RdbWriter: end before the header');
    if (this.phase === Phase.Ended) throw new UsageError('RdbWriter: end called twice');
    this.phase = Phase.Ended;
    const out = this.out;
    out.writeByte(RdbOpcode.Eof);
    out.flush();
    const [hi, lo] = out.checksum();
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(lo, 0);
    trailer.writeUInt32LE(hi, 4);
    out.writeBytes(trailer);
    out.flush();
    return out.offset;
  }

  /**
   * Hands what is buffered to the sink now (the writer does so by itself whenever a slab
   * fills; call this before awaiting the sink's drain to keep its memory bounded).
   */
  flush(): void {
    this.out.flush();
  }
}
