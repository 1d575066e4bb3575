/**
 * One record of the export schema (README, "Export schema") turned back into a key: the parsed
 * JSON object is checked property by property and replayed as the RDB decoder's events into
 * the dataset's own loader (dataset/load-rdb.ts), so a key read from NDJSON gets the value
 * `loadRdb` would build for the same data — the same small and large forms, the same refusal
 * of a set member, hash field, sorted-set member, group or consumer given twice, the same
 * skipping of an empty list, set, sorted set or hash, and the same stream metadata derived
 * when a record leaves it out (a stream of an RDB before 7.0).
 *
 * What a record may hold:
 * - `db` (an integer from 0 below the `databases` bound), `key` (a byte string), `type` (one
 *   of the nine type names), `expireAtMs` (an integer or null) and `value` are required;
 * - `encoding` may be there or not and is not used (it names how the source stored the value;
 *   a writer picks the encoding its target would);
 * - `lfuFreq` (0–255), `lruIdleSec` (an unsigned integer) and, on a hash, `fieldExpireAtMs`
 *   (`[[field, ms], …]`, fields of the value only) are restored when given;
 * - nothing else: an unknown property is refused, at every level.
 *
 * A byte string is a JSON string, standing for its UTF-8 bytes (a lone surrogate escape has
 * none and is refused), or `{"b64": "…"}`, standard base64 with its padding, standing for the
 * bytes it decodes to.
 */
import { Buffer } from 'node:buffer';
import { CorruptDataError, RdbtoolError, LimitError, type ErrorCode, type ErrorContext, type ErrorInit } from '../errors.js';
import type { KeyInfo, StreamConsumer, StreamGroup, StreamIdmp, StreamMeta, StreamPending } from '../model/events.js';
import type { Encoding, ValueType } from '../model/redis-types.js';
import type { KeyPredicate } from '../pipeline/filters.js';
import { Dataset } from '../dataset/dataset.js';
import { createDatasetLoader, type DatasetLoader } from '../dataset/load-rdb.js';
import { toByteString, type ByteString } from '../dataset/byte-string.js';
import { streamIdKey, type StreamIdKey } from '../dataset/stream-id.js';
import { encodeModuleId, tryModulePayload } from '../rdb/values/module.js';
import { RdbCursor } from '../rdb/primitives.js';
import { EB_EXPIRE_TIME_MAX } from '../rdb/constants.js';
import { resolveLimits } from '../limits.js';
import type { KeyRecord } from './key-record.js';

/** A problem in one record of an NDJSON (or JSON array) input, with its line. */
export class NdjsonError extends CorruptDataError {
  static override readonly errorName: string = 'NdjsonError';
  /** 1-based line of the record (of its opening brace, in a JSON array). */
  readonly line: number;

  constructor(code: ErrorCode, reason: string, line: number, init: ErrorInit = {}) {
    super(code, `line ${line}: ${reason}`, init);
    this.line = line;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), line: this.line };
  }
}

/** A record (line) longer than `limits.maxLineBytes`. */
export class NdjsonLimitError extends LimitError {
  static override readonly errorName: string = 'NdjsonLimitError';
  readonly line: number;

  constructor(reason: string, line: number, init: ErrorInit = {}) {
    super(`line ${line}: ${reason}`, init);
    this.line = line;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), line: this.line };
  }
}

/** Where a record is, for its errors. */
export interface RecordPlace {
  file: string | undefined;
  /** 1-based line number. */
  line: number;
  /** Absolute byte offset where the record's line (or array element) starts. */
  offset: number;
}

/** Options of {@link RecordBuilder}. */
export interface RecordBuilderOptions {
  /** The file name errors carry (the loader's own errors too). */
  file?: string;
  /** `db` must be below this (default 2^31 − 1: the most databases Redis can be configured with). */
  databases?: number;
  /** Keys to leave out: asked once the record's db, key, type and expiry are read, before its value is built. */
  filter?: KeyPredicate | null;
}

/** Highest `databases` setting Redis accepts (INT_MAX), and so the default bound of `db`. */
export const MAX_DATABASES = 2 ** 31 - 1;

/** What {@link RecordBuilder.build} made of a record. */
export type BuildResult =
  | { kind: 'key'; record: KeyRecord }
  /** An empty list, set, sorted set or hash: left out, as Redis leaves it out. */
  | { kind: 'empty'; db: number; key: ByteString }
  /** Left out by the filter (its value was not read). */
  | { kind: 'filtered' };

const TYPES: ReadonlySet<string> = new Set<ValueType>(['string', 'list', 'set', 'zset', 'hash', 'stream', 'module', 'array', 'gcra']);

/** The properties of a record. */
const RECORD_PROPS: ReadonlySet<string> = new Set(['db', 'key', 'type', 'encoding', 'expireAtMs', 'value', 'lfuFreq', 'lruIdleSec', 'fieldExpireAtMs']);
const STREAM_PROPS: ReadonlySet<string> = new Set(['entries', 'length', 'lastGeneratedId', 'maxDeletedEntryId', 'entriesAdded', 'recordedFirstEntryId', 'groups', 'idmp']);
const ENTRY_PROPS: ReadonlySet<string> = new Set(['id', 'fields']);
const GROUP_PROPS: ReadonlySet<string> = new Set(['name', 'lastDeliveredId', 'entriesRead', 'pending', 'consumers', 'nacked']);
const GROUP_PENDING_PROPS: ReadonlySet<string> = new Set(['id', 'consumer', 'deliveryTimeMs', 'deliveryCount']);
const CONSUMER_PROPS: ReadonlySet<string> = new Set(['name', 'seenTimeMs', 'activeTimeMs', 'pending']);
const CONSUMER_PENDING_PROPS: ReadonlySet<string> = new Set(['id', 'deliveryTimeMs', 'deliveryCount']);
const IDMP_PROPS: ReadonlySet<string> = new Set(['durationSec', 'maxEntries', 'producers', 'iidsAdded', 'iidsDuplicates']);
const PRODUCER_PROPS: ReadonlySet<string> = new Set(['pid', 'entries']);
const IIDS_PROPS: ReadonlySet<string> = new Set(['iid', 'id']);
const MODULE_PROPS: ReadonlySet<string> = new Set(['module', 'encver', 'raw']);

/** The `encoding` a key of each type is given for the key filter (the record's own is not used). */
const FILTER_ENCODING: Readonly<Record<ValueType, Encoding>> = {
  string: 'raw',
  list: 'quicklist',
  set: 'hashtable',
  zset: 'skiplist',
  hash: 'hashtable',
  stream: 'stream',
  module: 'module',
  array: 'array',
  gcra: 'raw',
};

const BYTE_STRING = 'a byte string: a JSON string (its UTF-8 bytes) or {"b64": "<base64>"}';
const STREAM_ID = 'a stream ID "ms-seq" (two unsigned 64-bit decimals)';
const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;
/** A UTF-16 surrogate not part of a pair (in a `u` regex, a pair is one code point). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
/** A GCRA value: an unsigned 64-bit decimal without leading zeros. */
const GCRA_TEXT = /^(0|[1-9][0-9]{0,19})$/;
const U64_MAX = (1n << 64n) - 1n;
/** The arena keeps at most this much between records. */
const ARENA_KEEP_BYTES = 1 << 20;

/**
 * Bytes handed to the loader during one record: views into one buffer, valid until the next
 * record (the loader copies what it keeps). A buffer outgrown is left to the views into it.
 */
class Arena {
  private buf = Buffer.allocUnsafeSlow(64 * 1024);
  private used = 0;

  reset(): void {
    this.used = 0;
    if (this.buf.length > ARENA_KEEP_BYTES) this.buf = Buffer.allocUnsafeSlow(64 * 1024);
  }

  /** Room for `n` bytes: the buffer and where they go. */
  room(n: number): Buffer {
    if (this.used + n > this.buf.length) {
      this.buf = Buffer.allocUnsafeSlow(Math.max(n, Math.min(this.buf.length * 2, ARENA_KEEP_BYTES)));
      this.used = 0;
    }
    return this.buf;
  }

  get at(): number {
    return this.used;
  }

  /** Ends the bytes written at `at` after `n` bytes; returns their view. */
  commit(n: number): Uint8Array {
    const v = new Uint8Array(this.buf.buffer, this.buf.byteOffset + this.used, n);
    this.used += n;
    return v;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A short rendering of a JSON value for `found`. */
function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') {
    const keys = Object.keys(v as object);
    return keys.length === 0 ? 'an empty object' : `an object with ${keys.slice(0, 4).map((k) => JSON.stringify(k)).join(', ')}${keys.length > 4 ? ', …' : ''}`;
  }
  if (typeof v === 'string') return v.length > 60 ? `${JSON.stringify(v.slice(0, 60))}… (${v.length} characters)` : JSON.stringify(v);
  return String(v);
}

/** A path in a record for messages: `value[3][0]`, `value.groups[1].name`. */
const at = (base: string, i: number): string => `${base}[${i}]`;

/**
 * Turns parsed records into key records with the dataset's loader. One builder per input;
 * its scratch dataset never holds more than the key being built.
 */
export class RecordBuilder {
  private readonly scratch = new Dataset();
  private readonly loader: DatasetLoader;
  private readonly arena = new Arena();
  private readonly file: string | undefined;
  private readonly databases: number;
  private readonly filter: KeyPredicate | null;
  /** The KeyInfo handed to the loader and the filter (one object, reused). */
  private readonly info: KeyInfo = {
    db: 0,
    key: new Uint8Array(0),
    // Not from an RDB: no type byte.
    rdbType: -1,
    valueType: 'string',
    encoding: 'raw',
    expireAtMs: null,
    lruIdleSec: undefined,
    lfuFreq: undefined,
    offset: 0,
    elements: 0,
    onDiskBytes: 0,
    valueBytes: 0,
  };
  /** The record being built. */
  private place: RecordPlace = { file: undefined, line: 0, offset: 0 };
  private keyBytes: Uint8Array | null = null;
  private db: number | undefined = undefined;
  private type: ValueType | undefined = undefined;
  /** Hash field TTLs of the record: field → ms, and how many the value used. */
  private readonly ttls = new Map<ByteString, number>();
  private ttlsUsed = 0;

  constructor(opts: RecordBuilderOptions = {}) {
    this.file = opts.file;
    this.databases = opts.databases ?? MAX_DATABASES;
    this.filter = opts.filter ?? null;
    this.loader = createDatasetLoader(this.scratch, { file: opts.file });
  }

  /**
   * Builds the key of one parsed record.
   * @throws NdjsonError when the record breaks the schema or holds something twice.
   */
  build(obj: unknown, place: RecordPlace): BuildResult {
    this.place = place;
    this.keyBytes = null;
    this.db = undefined;
    this.type = undefined;
    this.arena.reset();
    try {
      return this.record(obj);
    } catch (e) {
      if (e instanceof NdjsonError || !(e instanceof RdbtoolError)) throw e;
      // The loader's own refusal (something given twice), or a dataset class's: located here.
      throw new NdjsonError(e.code === 'USAGE' ? 'NDJSON_INVALID' : e.code, e.reason, place.line, {
        file: this.file,
        offset: place.offset,
        expected: e.expected,
        found: e.found,
        context: this.context(),
        cause: e,
      });
    }
  }

  private record(obj: unknown): BuildResult {
    if (!isObject(obj)) this.fail('NDJSON_INVALID', 'the record', 'is not a JSON object', 'a JSON object (one key of the export schema)', obj);
    for (const k in obj) if (!RECORD_PROPS.has(k)) this.unknown('the record', k);
    const db = this.need(obj, 'db');
    if (typeof db !== 'number' || !Number.isInteger(db) || db < 0 || db >= this.databases) {
      this.fail('NDJSON_INVALID', 'db', 'is not a database number', `an integer from 0 to ${this.databases - 1}`, db);
    }
    this.db = db === 0 ? 0 : db;
    const keyBytes = this.bytes(this.need(obj, 'key'), 'key');
    this.keyBytes = keyBytes;
    const type = this.need(obj, 'type');
    if (typeof type !== 'string') this.fail('NDJSON_INVALID', 'type', 'is not a type name', 'a string', type);
    if (!TYPES.has(type)) this.fail('UNKNOWN_TYPE', 'type', 'is not a type this reader builds', `one of ${[...TYPES].join(', ')}`, type);
    const valueType = type as ValueType;
    this.type = valueType;
    const encoding = obj.encoding;
    if (encoding !== undefined && typeof encoding !== 'string') this.fail('NDJSON_INVALID', 'encoding', 'is not an encoding name', 'a string (it is not used)', encoding);
    const expRaw = this.need(obj, 'expireAtMs');
    const exp = expRaw === null ? null : this.int(expRaw, 'expireAtMs', -TWO_63, TWO_63, 'null or an integer (Unix ms)');
    const freq = obj.lfuFreq === undefined ? undefined : this.int(obj.lfuFreq, 'lfuFreq', 0, 255, 'an integer from 0 to 255');
    const idle = obj.lruIdleSec === undefined ? undefined : this.int(obj.lruIdleSec, 'lruIdleSec', 0, TWO_64, 'an unsigned integer (seconds)');
    const value = this.need(obj, 'value');
    this.ttls.clear();
    this.ttlsUsed = 0;
    if (obj.fieldExpireAtMs !== undefined) {
      if (valueType !== 'hash') this.fail('NDJSON_INVALID', 'fieldExpireAtMs', `is given for a ${valueType}`, 'no fieldExpireAtMs (only a hash has field TTLs)', obj.fieldExpireAtMs);
      this.fieldTtls(obj.fieldExpireAtMs);
    }

    const k = this.info;
    k.db = this.db;
    k.key = keyBytes;
    k.valueType = valueType;
    k.encoding = FILTER_ENCODING[valueType];
    k.expireAtMs = exp;
    k.lruIdleSec = idle;
    k.lfuFreq = freq;
    k.offset = this.place.offset;
    if (this.filter !== null && !this.filter(k)) return { kind: 'filtered' };

    const loader = this.loader;
    loader.keyStart!(k);
    switch (valueType) {
      case 'string':
        loader.stringValue!(this.bytes(value, 'value'));
        break;
      case 'gcra':
        if (typeof value !== 'string' || !GCRA_TEXT.test(value) || BigInt(value) > U64_MAX) {
          this.fail('NDJSON_INVALID', 'value', 'is not a GCRA value', 'a JSON string of an unsigned 64-bit decimal', value);
        }
        loader.stringValue!(this.bytes(value, 'value'));
        break;
      case 'list':
      case 'set': {
        const items = this.array(value, 'value', valueType === 'list' ? 'an array of byte strings (the list items)' : 'an array of byte strings (the members)');
        for (let i = 0; i < items.length; i++) loader.item!(this.bytes(items[i], 'value', i));
        break;
      }
      case 'zset':
        this.zset(value);
        break;
      case 'hash':
        this.hash(value);
        break;
      case 'array':
        this.arrayValue(value);
        break;
      case 'stream':
        this.stream(value);
        break;
      case 'module':
        this.module(value);
        break;
    }
    loader.keyEnd!(k);

    const keyStr = toByteString(keyBytes);
    const d = this.scratch.peekDb(k.db);
    const v = d?.get(keyStr);
    if (d === undefined || v === undefined) return { kind: 'empty', db: k.db, key: keyStr };
    const record: KeyRecord = { db: k.db, key: keyStr, value: v, expireAtMs: d.expireAt(keyStr) };
    const lru = d.lruIdleSec(keyStr);
    if (lru !== undefined) record.lruIdleSec = lru;
    const lfu = d.lfuFreq(keyStr);
    if (lfu !== undefined) record.lfuFreq = lfu;
    d.delete(keyStr);
    return { kind: 'key', record };
  }

  // ------------------------------------------------------------ values

  private zset(value: unknown): void {
    const pairs = this.array(value, 'value', 'an array of [member, score] pairs');
    for (let i = 0; i < pairs.length; i++) {
      const p = this.pair(pairs[i], 'value', i, '[member, score]');
      const m = this.bytes(p[0], at('value', i), 0);
      const s = p[1];
      let score: number;
      if (typeof s === 'number' && Number.isFinite(s)) score = s;
      else if (s === 'inf') score = Infinity;
      else if (s === '-inf') score = -Infinity;
      else this.fail('NDJSON_INVALID', `value[${i}][1]`, 'is not a score', 'a finite JSON number, "inf" or "-inf"', s);
      this.loader.member!(m, score);
    }
  }

  private fieldTtls(list: unknown): void {
    const pairs = this.array(list, 'fieldExpireAtMs', 'an array of [field, ms] pairs');
    for (let i = 0; i < pairs.length; i++) {
      const p = this.pair(pairs[i], 'fieldExpireAtMs', i, '[field, ms]');
      const f = toByteString(this.bytes(p[0], at('fieldExpireAtMs', i), 0));
      const ms = this.int(p[1], `fieldExpireAtMs[${i}][1]`, 1, EB_EXPIRE_TIME_MAX, `an integer from 1 to ${EB_EXPIRE_TIME_MAX} (Unix ms)`);
      if (this.ttls.has(f)) this.twice(`fieldExpireAtMs[${i}]`, 'field TTL', f);
      this.ttls.set(f, ms);
    }
  }

  private hash(value: unknown): void {
    const pairs = this.array(value, 'value', 'an array of [field, value] pairs');
    const ttls = this.ttls;
    for (let i = 0; i < pairs.length; i++) {
      const p = this.pair(pairs[i], 'value', i, '[field, value]');
      const f = this.bytes(p[0], at('value', i), 0);
      const v = this.bytes(p[1], at('value', i), 1);
      let ttl: number | null = null;
      if (ttls.size > 0) {
        const t = ttls.get(toByteString(f));
        if (t !== undefined) {
          ttl = t;
          this.ttlsUsed++;
        }
      }
      this.loader.field!(f, v, ttl);
    }
    if (this.ttlsUsed < ttls.size) {
      // A field given twice is refused by the loader at the key's end; this is the other case.
      const present = new Set<ByteString>();
      for (let i = 0; i < pairs.length; i++) present.add(toByteString(this.bytes((pairs[i] as unknown[])[0], at('value', i), 0)));
      let i = 0;
      for (const f of ttls.keys()) {
        if (!present.has(f)) this.failText('NDJSON_INVALID', `fieldExpireAtMs[${i}][0]`, 'names a field the hash does not have', 'a field of the value', JSON.stringify(f.slice(0, 64)));
        i++;
      }
    }
  }

  private arrayValue(value: unknown): void {
    const pairs = this.array(value, 'value', 'an array of [index, value] pairs');
    if (pairs.length === 0) this.fail('NDJSON_INVALID', 'value', 'is an empty array value', 'at least one element (an RDB holds no empty ARRAY)', value);
    const seen = new Set<number>();
    for (let i = 0; i < pairs.length; i++) {
      const p = this.pair(pairs[i], 'value', i, '[index, value]');
      const index = this.int(p[0], `value[${i}][0]`, 0, TWO_64 - 1, 'an index from 0 to 2^64 − 2');
      if (seen.size === seen.add(index).size) this.twice(`value[${i}][0]`, 'array index', String(index));
      this.loader.arrayElement!(index, this.bytes(p[1], at('value', i), 1));
    }
  }

  private module(value: unknown): void {
    const m = this.object(value, 'value', MODULE_PROPS, '{"module": name, "encver": N, "raw": {"b64": …}}');
    const name = this.need(m, 'module', 'value');
    const encver = this.need(m, 'encver', 'value');
    if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{9}$/.test(name)) {
      this.fail('NDJSON_INVALID', 'value.module', 'is not a module type name', '9 characters of A-Z a-z 0-9 - _', name);
    }
    this.int(encver, 'value.encver', 0, 1023, 'an integer from 0 to 1023');
    const id = encodeModuleId(name, encver as number);
    if (id === 0n) this.failText('NDJSON_INVALID', 'value', 'gives the module type id 0', 'a module type name and encver whose id is not 0', `${name}, encver ${String(encver)}`);
    const raw = this.bytes(this.need(m, 'raw', 'value'), 'value.raw');
    // The payload goes into an RDB as it is: it must be a whole module opcode stream.
    const c = new RdbCursor(this.file, resolveLimits());
    c.r.append(raw);
    let walked: Uint8Array | null;
    try {
      walked = tryModulePayload(c);
    } catch (e) {
      if (!(e instanceof RdbtoolError)) throw e;
      return this.failText('NDJSON_INVALID', 'value.raw', `is not a module payload: ${e.reason} at byte ${e.offset ?? 0} of it`, e.expected ?? 'a module opcode stream ending with its EOF opcode', e.found ?? 'something else');
    }
    if (walked === null) this.failText('NDJSON_INVALID', 'value.raw', 'ends before its module EOF opcode', 'a module opcode stream ending with its EOF opcode (0)', `${raw.length} bytes`);
    if (walked.length !== raw.length) this.failText('NDJSON_INVALID', 'value.raw', 'goes on after its module EOF opcode', 'nothing after the EOF opcode', `${raw.length - walked.length} more bytes`);
    this.loader.moduleValue!({ moduleName: name, encver: encver as number, moduleId: id.toString(), raw });
  }

  private stream(value: unknown): void {
    const s = this.object(value, 'value', STREAM_PROPS, 'a stream object (entries, length, lastGeneratedId, groups, …)');
    const entries = this.array(this.need(s, 'entries', 'value'), 'value.entries', 'an array of {"id", "fields"} entries');
    let last: StreamIdKey | null = null;
    const fieldBytes: Uint8Array[] = [];
    for (let i = 0; i < entries.length; i++) {
      const where = at('value.entries', i);
      const e = this.object(entries[i], where, ENTRY_PROPS, '{"id": "ms-seq", "fields": [[field, value], …]}');
      const idText = this.need(e, 'id', where);
      const id = this.streamId(idText, `${where}.id`);
      if (last !== null && !(id > last)) this.fail('NDJSON_INVALID', `${where}.id`, 'is not above the previous entry\'s ID', 'entries in ascending ID order, each ID once', idText);
      last = id;
      const fields = this.array(this.need(e, 'fields', where), `${where}.fields`, 'an array of [field, value] pairs');
      fieldBytes.length = 0;
      for (let j = 0; j < fields.length; j++) {
        const p = this.pair(fields[j], `${where}.fields`, j, '[field, value]');
        fieldBytes.push(this.bytes(p[0], at(`${where}.fields`, j), 0), this.bytes(p[1], at(`${where}.fields`, j), 1));
      }
      this.loader.streamEntry!(idText as string, fieldBytes, false);
    }

    const meta: StreamMeta = {
      length: this.int(this.need(s, 'length', 'value'), 'value.length', 0, TWO_64, 'an unsigned integer (XLEN)'),
      lastGeneratedId: this.idText(this.need(s, 'lastGeneratedId', 'value'), 'value.lastGeneratedId'),
      listpacks: 0,
      deletedEntries: 0,
      liveEntries: entries.length,
    };
    // Streams of RDB 10 and later record these three; older ones none (Redis derives them).
    const recorded = ['maxDeletedEntryId', 'entriesAdded', 'recordedFirstEntryId'].filter((p) => s[p] !== undefined);
    if (recorded.length === 3) {
      meta.maxDeletedEntryId = this.idText(s.maxDeletedEntryId, 'value.maxDeletedEntryId');
      meta.entriesAdded = this.int(s.entriesAdded, 'value.entriesAdded', 0, TWO_64, 'an unsigned integer');
      meta.recordedFirstEntryId = this.idText(s.recordedFirstEntryId, 'value.recordedFirstEntryId');
    } else if (recorded.length > 0) {
      this.failText('NDJSON_INVALID', 'value', `has ${recorded.join(' and ')} alone`, 'maxDeletedEntryId, entriesAdded and recordedFirstEntryId together, or none of them', recorded.join(', '));
    }
    this.loader.streamMeta!(meta);

    const groups = this.array(this.need(s, 'groups', 'value'), 'value.groups', 'an array of consumer groups');
    for (let i = 0; i < groups.length; i++) this.loader.streamGroup!(this.group(groups[i], at('value.groups', i)));
    if (s.idmp !== undefined) this.loader.streamIdmp!(this.idmp(s.idmp));
  }

  private group(v: unknown, where: string): StreamGroup {
    const g = this.object(v, where, GROUP_PROPS, 'a consumer group object');
    const group: StreamGroup = {
      name: this.bytes(this.need(g, 'name', where), `${where}.name`),
      lastDeliveredId: this.idText(this.need(g, 'lastDeliveredId', where), `${where}.lastDeliveredId`),
      pending: [],
      consumers: [],
    };
    const read = g.entriesRead;
    // null is "unknown" (-1 in the file); absent, Redis estimates it (older streams).
    if (read === null) group.entriesRead = -1;
    else if (read !== undefined) group.entriesRead = this.int(read, `${where}.entriesRead`, 0, TWO_64, 'null or an unsigned integer');

    // The group's PEL: ID → its entry and owner (as a byte string, or null).
    const pel = new Map<StreamIdKey, { p: StreamPending; owner: ByteString | null; claimed: boolean }>();
    const pending = this.array(this.need(g, 'pending', where), `${where}.pending`, 'an array of pending entries');
    for (let i = 0; i < pending.length; i++) {
      const pw = at(`${where}.pending`, i);
      const o = this.object(pending[i], pw, GROUP_PENDING_PROPS, '{"id", "consumer", "deliveryTimeMs", "deliveryCount"}');
      const idText = this.need(o, 'id', pw);
      const id = this.streamId(idText, `${pw}.id`);
      const p: StreamPending = {
        id: idText as string,
        deliveryTimeMs: this.int(this.need(o, 'deliveryTimeMs', pw), `${pw}.deliveryTimeMs`, -TWO_63, TWO_63, 'an integer (Unix ms)'),
        deliveryCount: this.int(this.need(o, 'deliveryCount', pw), `${pw}.deliveryCount`, 0, TWO_64, 'an unsigned integer'),
      };
      let owner: ByteString | null = null;
      if (o.consumer !== undefined && o.consumer !== null) {
        p.consumer = this.bytes(o.consumer, `${pw}.consumer`);
        owner = toByteString(p.consumer);
      }
      if (pel.has(id)) this.twice(`${pw}.id`, 'pending entry', idText as string);
      pel.set(id, { p, owner, claimed: false });
      group.pending.push(p);
    }

    const consumers = this.array(this.need(g, 'consumers', where), `${where}.consumers`, 'an array of consumers');
    const names = new Set<ByteString>();
    for (let i = 0; i < consumers.length; i++) {
      const cw = at(`${where}.consumers`, i);
      const o = this.object(consumers[i], cw, CONSUMER_PROPS, '{"name", "seenTimeMs", "activeTimeMs", "pending"}');
      const c: StreamConsumer = {
        name: this.bytes(this.need(o, 'name', cw), `${cw}.name`),
        seenTimeMs: this.int(this.need(o, 'seenTimeMs', cw), `${cw}.seenTimeMs`, -TWO_63, TWO_63, 'an integer (Unix ms)'),
        pending: [],
      };
      if (o.activeTimeMs !== undefined) c.activeTimeMs = this.int(o.activeTimeMs, `${cw}.activeTimeMs`, -TWO_63, TWO_63, 'an integer (Unix ms)');
      const name = toByteString(c.name);
      names.add(name);
      // A consumer's list repeats the group's PEL entries it owns; both must agree.
      const own = this.array(this.need(o, 'pending', cw), `${cw}.pending`, 'an array of the pending entries the consumer owns');
      for (let j = 0; j < own.length; j++) {
        const pw = at(`${cw}.pending`, j);
        const q = this.object(own[j], pw, CONSUMER_PENDING_PROPS, '{"id", "deliveryTimeMs", "deliveryCount"}');
        const idText = this.need(q, 'id', pw);
        const id = this.streamId(idText, `${pw}.id`);
        const time = this.int(this.need(q, 'deliveryTimeMs', pw), `${pw}.deliveryTimeMs`, -TWO_63, TWO_63, 'an integer (Unix ms)');
        const count = this.int(this.need(q, 'deliveryCount', pw), `${pw}.deliveryCount`, 0, TWO_64, 'an unsigned integer');
        const e = pel.get(id);
        if (e === undefined || e.owner !== name) {
          this.fail('NDJSON_INVALID', `${pw}.id`, e === undefined ? 'is not in the group\'s pending entries' : 'is given to another consumer in the group\'s pending entries', `an entry of ${where}.pending whose consumer is this one`, idText);
        }
        if (e.claimed) this.twice(`${pw}.id`, 'pending entry of the consumer', idText as string);
        if (e.p.deliveryTimeMs !== time || e.p.deliveryCount !== count) {
          this.failText('NDJSON_INVALID', pw, 'disagrees with the group\'s pending entry', `deliveryTimeMs ${e.p.deliveryTimeMs} and deliveryCount ${e.p.deliveryCount}, as in ${where}.pending`, `${time} and ${count}`);
        }
        e.claimed = true;
        c.pending.push({ id: idText as string, deliveryTimeMs: time, deliveryCount: count });
      }
      group.consumers.push(c);
    }
    let i = 0;
    for (const e of pel.values()) {
      if (e.owner !== null && !e.claimed) {
        this.failText(
          'NDJSON_INVALID',
          `${at(`${where}.pending`, i)}.consumer`,
          names.has(e.owner) ? 'names a consumer whose own pending list leaves the entry out' : 'names a consumer the group does not have',
          'a consumer of the group, listing the entry in its pending entries',
          JSON.stringify(e.owner.slice(0, 64)),
        );
      }
      i++;
    }

    if (g.nacked !== undefined) {
      const ids = this.array(g.nacked, `${where}.nacked`, 'an array of stream IDs');
      group.nacked = ids.map((x, j) => this.idText(x, at(`${where}.nacked`, j)));
    }
    return group;
  }

  private idmp(v: unknown): StreamIdmp {
    const x = this.object(v, 'value.idmp', IDMP_PROPS, 'an IDMP object (durationSec, maxEntries, producers, iidsAdded, iidsDuplicates)');
    const u64 = (p: string): number => this.int(this.need(x, p, 'value.idmp'), `value.idmp.${p}`, 0, TWO_64, 'an unsigned integer');
    const out: StreamIdmp = { durationSec: u64('durationSec'), maxEntries: u64('maxEntries'), producers: [], iidsAdded: u64('iidsAdded'), iidsDuplicates: u64('iidsDuplicates') };
    const producers = this.array(this.need(x, 'producers', 'value.idmp'), 'value.idmp.producers', 'an array of producers');
    for (let i = 0; i < producers.length; i++) {
      const pw = at('value.idmp.producers', i);
      const p = this.object(producers[i], pw, PRODUCER_PROPS, '{"pid", "entries"}');
      const entries = this.array(this.need(p, 'entries', pw), `${pw}.entries`, 'an array of {"iid", "id"}');
      out.producers.push({
        pid: this.bytes(this.need(p, 'pid', pw), `${pw}.pid`),
        entries: entries.map((e, j) => {
          const ew = at(`${pw}.entries`, j);
          const o = this.object(e, ew, IIDS_PROPS, '{"iid", "id"}');
          return { iid: this.bytes(this.need(o, 'iid', ew), `${ew}.iid`), id: this.idText(this.need(o, 'id', ew), `${ew}.id`) };
        }),
      });
    }
    return out;
  }

  // ------------------------------------------------------------ checks

  /** A property that must be there. */
  private need(o: Record<string, unknown>, prop: string, where?: string): unknown {
    const v = o[prop];
    if (v === undefined) {
      const path = where === undefined ? prop : `${where}.${prop}`;
      this.failText('NDJSON_INVALID', path, 'is missing', where === undefined ? `a record with "${prop}"` : `"${prop}" in ${where}`, 'nothing');
    }
    return v;
  }

  private unknown(where: string, prop: string): never {
    return this.failText('NDJSON_INVALID', where, `has an unknown property ${JSON.stringify(prop)}`, 'only the export schema\'s properties', JSON.stringify(prop));
  }

  private object(v: unknown, where: string, props: ReadonlySet<string>, expected: string): Record<string, unknown> {
    if (!isObject(v)) this.fail('NDJSON_INVALID', where, 'is not an object', expected, v);
    for (const k in v) if (!props.has(k)) this.unknown(where, k);
    return v;
  }

  private array(v: unknown, where: string, expected: string): unknown[] {
    if (!Array.isArray(v)) this.fail('NDJSON_INVALID', where, 'is not an array', expected, v);
    return v;
  }

  private pair(v: unknown, base: string, i: number, expected: string): unknown[] {
    if (!Array.isArray(v) || v.length !== 2) this.fail('NDJSON_INVALID', at(base, i), 'is not a pair', `a two-element array ${expected}`, v);
    return v;
  }

  /** An integer in [lo, hi]. */
  private int(v: unknown, where: string, lo: number, hi: number, expected: string): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) this.fail('NDJSON_INVALID', where, 'is not in range', expected, v);
    // -0 is 0 (only scores keep their sign).
    return v === 0 ? 0 : v;
  }

  /** A stream ID's key (its text must be `ms-seq`). */
  private streamId(v: unknown, where: string): StreamIdKey {
    if (typeof v === 'string') {
      try {
        return streamIdKey(v);
      } catch (e) {
        if (!(e instanceof RdbtoolError)) throw e;
      }
    }
    return this.fail('NDJSON_INVALID', where, 'is not a stream ID', STREAM_ID, v);
  }

  /** A stream ID's text, checked. */
  private idText(v: unknown, where: string): string {
    this.streamId(v, where);
    return v as string;
  }

  /**
   * The bytes of a byte string (a view valid for this record).
   * @param base the path of the value, or of the pair holding it (then `i`, and `j` inside the pair)
   */
  private bytes(v: unknown, base: string, i?: number, j?: number): Uint8Array {
    const arena = this.arena;
    if (typeof v === 'string') {
      const n = Buffer.byteLength(v, 'utf8');
      if (n !== v.length && LONE_SURROGATE.test(v)) {
        this.fail('NDJSON_INVALID', this.path(base, i, j), 'holds a lone UTF-16 surrogate, which has no UTF-8 bytes', `${BYTE_STRING}; bytes that are not UTF-8 go in b64`, v);
      }
      const buf = arena.room(n);
      buf.write(v, arena.at, n, 'utf8');
      return arena.commit(n);
    }
    if (isObject(v)) {
      const s = v.b64;
      let only = s !== undefined;
      for (const k in v) if (k !== 'b64') only = false;
      if (only && typeof s === 'string') {
        const max = Buffer.byteLength(s, 'base64');
        const buf = arena.room(max);
        const from = arena.at;
        const n = buf.write(s, from, max, 'base64');
        // Node decodes leniently; only standard, padded base64 encodes back to the same text.
        if (buf.toString('base64', from, from + n) === s) return arena.commit(n);
        this.fail('NDJSON_INVALID', `${this.path(base, i, j)}.b64`, 'is not base64', 'standard base64 (A-Z a-z 0-9 + /) with its = padding', s);
      }
    }
    return this.fail('NDJSON_INVALID', this.path(base, i, j), 'is not a byte string', BYTE_STRING, v);
  }

  private path(base: string, i?: number, j?: number): string {
    let p = base;
    if (i !== undefined) p += `[${i}]`;
    if (j !== undefined) p += `[${j}]`;
    return p;
  }

  private twice(where: string, what: string, name: string): never {
    return this.failText('BAD_VALUE', where, `repeats a ${what}`, `each ${what} once`, `${JSON.stringify(name.slice(0, 64))} again`);
  }

  private context(): ErrorContext {
    const c: ErrorContext = { doing: this.keyBytes === null ? 'read-key' : 'read-value' };
    if (this.db !== undefined) c.db = this.db;
    if (this.keyBytes !== null) c.key = this.keyBytes.slice(0, 256);
    if (this.type !== undefined) c.what = this.type;
    return c;
  }

  /** Throws the located error for `where` (a property path), showing the JSON value found. */
  private fail(code: ErrorCode, where: string, problem: string, expected: string, found: unknown): never {
    return this.failText(code, where, problem, expected, shown(found));
  }

  /** {@link fail} with what was found already put in words. */
  private failText(code: ErrorCode, where: string, problem: string, expected: string, found: string): never {
    throw new NdjsonError(code, `${where} ${problem}`, this.place.line, { file: this.file, offset: this.place.offset, expected, found, context: this.context() });
  }
}
