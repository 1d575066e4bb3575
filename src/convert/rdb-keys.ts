/**
 * An RDB file as a stream of key records: the decoder's events build one key at a time with
 * the dataset's own loader (the same values `loadRdb` builds), and each key is handed over as
 * soon as it is complete and then let go — memory holds one key, however large the file. A
 * sink that can take a value piece by piece gets strings and large collections that way
 * instead (`streamKey`, `stringKey`), so that not even one large value is held whole. Set
 * members, sorted-set members and hash fields of a value taken that way are not checked for
 * duplicates past the stream limits (that would mean holding them). A sink that writes
 * commands takes every collection so (`streamsEvery`): no value is built for it at all.
 *
 * What comes before the keys (AUX fields, module AUX records, function libraries) is handed
 * over once, before the first key (or at the end of a file without keys); module AUX records
 * written after the data come with the end.
 */
import type { ByteSource } from '../io/source.js';
import type { KeyInfo, RdbHandler, RdbHeader } from '../model/events.js';
import { Dataset } from '../dataset/dataset.js';
import { createDatasetLoader } from '../dataset/load-rdb.js';
import { toByteString, type ByteString } from '../dataset/byte-string.js';
import { scanRdb, type ScanOptions, type ScanResult } from '../pipeline/scan.js';
import type { KeyPredicate } from '../pipeline/filters.js';
import type { DatasetHeader, KeyRecord, StreamedKey, StreamedValue } from './key-record.js';
import type { Value } from '../dataset/value.js';
import { RdbType } from '../rdb/constants.js';
import { CorruptDataError, UsageError } from '../errors.js';
import { MemberCheck } from './member-check.js';

/** Where the keys go. */
export interface KeySink {
  /** Once, before the first key (the file's header: magic and version are in `rdb`). */
  header(h: DatasetHeader, rdb: RdbHeader | null): void;
  /** A database's size hints (RESIZEDB), before its keys, when the file has them. */
  dbSizes?(db: number, keys: number, expires: number): void;
  key(rec: KeyRecord): void;
  /**
   * A key whose value is too large to hold (see {@link RdbKeysOptions.streamAbove}): the
   * stream its pieces go to, or null to have it built and handed to {@link key} after all.
   */
  streamKey?(head: StreamedKey): StreamedValue | null;
  /**
   * A string key read whole, given as the range `buf[start, end)` it was read into (valid
   * during the call only, as `head`, which is reused); true when it was taken, false to have it handed to {@link key} instead (every string from then on).
   */
  stringKey?(head: StreamedKey, buf: Uint8Array, start: number, end: number): boolean;
  /**
   * True when every list, set, sorted set and hash without field TTLs goes to
   * {@link streamKey} as it is read, whatever its size (a writer of commands, which writes
   * elements as they come): no value is built for it. Its set members, sorted-set members and
   * hash fields are still checked for duplicates within {@link STREAM_ABOVE}'s limits. Read
   * once, before the first key.
   */
  readonly streamsEvery?: boolean;
  /**
   * A small string key read whole whose value is stored LZF-compressed, offered before it is
   * decompressed: true after setting `out.buf`/`out.at` to where the writer wants its `length`
   * bytes (the writer has written what comes before them); the bytes are decompressed there,
   * then {@link finishString} ends the key. False to take it through {@link stringKey}.
   */
  reserveString?(head: StreamedKey, length: number, out: { buf: Uint8Array; at: number }): boolean;
  /** Ends the key {@link reserveString} took, its value now in place. */
  finishString?(head: StreamedKey): void;
}

/** When a value is streamed rather than built (see {@link RdbKeysOptions.streamAbove}). */
export interface StreamThresholds {
  /** A collection is streamed once it has more elements than this (default 65,536). */
  elements: number;
  /** A collection whose elements add up to more bytes than this is streamed (default 8 MiB). */
  bytes: number;
}

/** The default {@link StreamThresholds}. */
export const STREAM_ABOVE: Readonly<StreamThresholds> = { elements: 1 << 16, bytes: 8 << 20 };

/** Options of {@link streamRdbKeys}. */
export interface RdbKeysOptions extends Pick<ScanOptions, 'limits' | 'signal' | 'onProgress' | 'drain' | 'verify' | 'checksumWorker'> {
  /** Keys to leave out, judged before their value is read. */
  filter?: KeyPredicate | null;
  /**
   * Values larger than this go to the sink's `streamKey` piece by piece instead of being built
   * (when the sink has it): a list, set, sorted set or hash without field TTLs (RDB types 1–5,
   * 14, 18) once it grows past the limits — what was built up to then is handed over first,
   * then the rest as it comes. A hash that may carry field TTLs (types 21, 22, 24, 25) and a
   * value stored as one blob are always built. Every plain string (type 0) skips the build
   * too, whatever its size: read whole, it goes to `stringKey` (or as one part to
   * `streamKey`); read in parts, to `streamKey` part by part.
   */
  streamAbove?: Partial<StreamThresholds>;
}

/** What {@link streamRdbKeys} read. */
export interface RdbKeysResult {
  scan: ScanResult;
  /** The header handed over (module AUX records after the data included). */
  header: DatasetHeader;
  /** Keys handed over. */
  keys: number;
  /** Keys the filter left out. */
  filtered: number;
  /** Empty collections left out, as Redis leaves them out. */
  emptyKeysSkipped: number;
}

const HANDLER_METHODS = [
  'header',
  'aux',
  'function',
  'moduleAux',
  'keyStart',
  'stringValue',
  'stringPart',
  'item',
  'field',
  'member',
  'streamEntry',
  'streamMeta',
  'streamGroup',
  'streamIdmp',
  'arrayElement',
  'moduleValue',
  'keyEnd',
  'end',
] as const satisfies readonly (keyof RdbHandler)[];

/**
 * Reads `source` to its end, handing every key to `sink` as it completes.
 * @throws RdbtoolError on damaged, truncated or unreadable input (keys before it were handed over);
 *   whatever the sink throws, unchanged.
 */
export async function streamRdbKeys(source: ByteSource, sink: KeySink, opts: RdbKeysOptions = {}): Promise<RdbKeysResult> {
  const scratch = new Dataset();
  const loader = createDatasetLoader(scratch, { file: source.name });
  const filter = opts.filter ?? null;
  let rdbHeader: RdbHeader | null = null;
  let headerSent = false;
  let keys = 0;
  let filtered = 0;
  let keyName: string | null = null;
  const header: DatasetHeader = { aux: scratch.aux, functions: [], moduleAux: [] };
  const sendHeader = (): void => {
    if (headerSent) return;
    headerSent = true;
    header.functions = [...scratch.functions.entries()].map(([, code]) => code);
    header.moduleAux = [...scratch.moduleAux];
    sink.header(header, rdbHeader);
  };

  let currentDb = 0;
  /** Empty collections left out without the loader (see `streamsEvery`). */
  let emptyDirect = 0;
  const h: RdbHandler = {};
  const target = h as Record<string, unknown>;
  const from = loader as unknown as Record<string, unknown>;
  for (const name of HANDLER_METHODS) {
    const fn = from[name];
    if (typeof fn === 'function') target[name] = fn.bind(loader);
  }
  h.header = (hd: RdbHeader, offset: number) => {
    rdbHeader = { ...hd };
    loader.header?.(hd, offset);
  };
  h.resizeDb = (k: number, e: number) => {
    if (sink.dbSizes && keyName === null) sink.dbSizes(currentDb, k, e);
  };
  const keyStart = loader.keyStart!.bind(loader);
  const keyEnd = loader.keyEnd!.bind(loader);
  h.selectDb = (db: number) => {
    sendHeader();
    currentDb = db;
  };
  h.keyStart = (k: KeyInfo) => {
    if (filter !== null && !filter(k)) {
      filtered++;
      keyName = null;
      return false;
    }
    keyName = toByteString(k.key);
    return keyStart(k);
  };

  /**
   * Wraps the value callbacks so that a large value goes to the sink's stream (see
   * {@link RdbKeysOptions.streamAbove}). Small keys take one extra call per callback.
   */
  function streamLarge(open: (head: StreamedKey) => StreamedValue | null): void {
    const limitElements = opts.streamAbove?.elements ?? STREAM_ABOVE.elements;
    const limitBytes = opts.streamAbove?.bytes ?? STREAM_ABOVE.bytes;
    const release = source.release?.bind(source);
    const loadStart = h.keyStart!;
    const loadString = h.stringValue!;
    const loadPart = h.stringPart!;
    const loadBlob = h.blobValue;
    const loadItem = h.item!;
    const loadField = h.field!;
    const loadMember = h.member!;
    let info: KeyInfo | null = null;
    /**
     * Every plain string goes to the writer as it is read (its one part is the whole string,
     * written as a string held whole would be; a long one comes in parts), without a value
     * built for it, while the writer takes strings so.
     */
    let strings = true;
    /** The string key being read, until its value came (then {@link DONE}), or null. */
    let str: KeyInfo | null = null;
    /** The key's value is watched for growth (a streamable collection, not yet streamed). */
    let watch = false;
    let stream: StreamedValue | null = null;
    let elements = 0;
    let bytes = 0;
    /**
     * Every streamable collection goes to the sink's stream, opened at its first element (an
     * empty one, which Redis never holds, is left out): no value is built.
     */
    const every = sink.streamsEvery === true;
    /** The collection key being streamed so (see {@link every}), or null. */
    let direct: KeyInfo | null = null;
    /** Its members or fields are checked for duplicates (a set, sorted set or hash within the limits). */
    let checking = false;
    const seen = every ? new MemberCheck() : null;
    const headOf = (k: KeyInfo, type: StreamedKey['type'], count: number | null): StreamedKey => {
      const head: StreamedKey = { db: k.db, key: keyName!, type, count, expireAtMs: k.expireAtMs };
      if (k.lruIdleSec !== undefined) head.lruIdleSec = k.lruIdleSec;
      if (k.lfuFreq !== undefined) head.lfuFreq = k.lfuFreq;
      return head;
    };
    // Past a limit: the sink's stream takes the elements built so far, then the rest.
    const grown = (): void => {
      watch = false;
      const k = info!;
      const quick = k.rdbType === RdbType.ListQuicklist || k.rdbType === RdbType.ListQuicklist2;
      sendHeader();
      const s = open(headOf(k, k.valueType as StreamedKey['type'], quick ? null : (k.declaredElements ?? null)));
      if (s === null) return;
      keyEnd(k);
      const db = scratch.peekDb(k.db);
      const v = db?.get(keyName!);
      if (db !== undefined && v !== undefined) {
        db.delete(keyName!);
        handOver(v, s);
      }
      stream = s;
    };
    h.keyStart = (k: KeyInfo) => {
      stream = null;
      watch = false;
      str = null;
      direct = null;
      const t = k.rdbType;
      if (t === RdbType.String && strings && k.blobBytes !== undefined) {
        if (filter !== null && !filter(k)) {
          filtered++;
          keyName = null;
          return false;
        }
        // The key's text is made only if something asks for it (a writer of bytes does not).
        keyName = null;
        sendHeader();
        str = k;
        return true;
      }
      if (every && DIRECT_TYPES[t] === 1) {
        if (filter !== null && !filter(k)) {
          filtered++;
          keyName = null;
          return false;
        }
        keyName = null;
        direct = k;
        elements = 0;
        bytes = 0;
        checking = k.valueType !== 'list';
        if (checking) seen!.reset();
        return true;
      }
      return startLoading(k);
    };
    /**
     * Opens the stream of the collection key being read (see {@link every}) at its first
     * element; null when the sink declined it (the loader then builds it after all).
     */
    const openDirect = (): StreamedValue | null => {
      const k = direct!;
      sendHeader();
      const key = k.key.slice();
      const head = new KeyHead(k.db, key, 0, key.length, k.valueType as StreamedKey['type'], k.declaredElements ?? null, k.expireAtMs, undefined);
      if (k.lruIdleSec !== undefined) head.lruIdleSec = k.lruIdleSec;
      if (k.lfuFreq !== undefined) head.lfuFreq = k.lfuFreq;
      stream = open(head);
      if (stream === null) {
        direct = null;
        checking = false;
        keyName = toByteString(k.key);
        startLoading(k);
      }
      return stream;
    };
    /** Refuses a member or field (`buf[start, end)`) the value being streamed already had, as the loader would. */
    const checkMember = (buf: Uint8Array, start: number, end: number, what: string, size: number): void => {
      if (++elements > limitElements || (bytes += size) > limitBytes) {
        checking = false;
        return;
      }
      if (!seen!.addRange(buf, start, end)) throw twice(direct!, what, buf.subarray(start, end), source.name);
    };
    const startLoading = (k: KeyInfo): boolean => {
      if (!loadStart(k)) return false;
      info = k;
      const t = k.rdbType;
      if (t === RdbType.List || t === RdbType.Set || t === RdbType.Zset || t === RdbType.Zset2 || t === RdbType.Hash || t === RdbType.ListQuicklist || t === RdbType.ListQuicklist2) {
        watch = true;
        elements = 0;
        bytes = 0;
      }
      return true;
    };
    // A string read whole: written at once; in parts: streamed. A writer that takes strings
    // only in key records takes every string so (the loader builds them from then on).
    // Called as the sink's methods, not bound copies: a bound function is a call the engine
    // cannot inline, made for every string key.
    const whole = sink.stringKey !== undefined;
    const byLoader = (k: KeyInfo): void => {
      strings = false;
      str = null;
      keyName = toByteString(k.key);
      startLoading(k);
    };
    /** The head of the string key `k`, its text made only if read. */
    const stringHead = (k: KeyInfo, bytes: number): StreamedKey => {
      const head = new KeyHead(k.db, k.keyBuf!, k.keyFrom!, k.keyTo!, 'string', 1, k.expireAtMs, bytes);
      if (k.lruIdleSec !== undefined) head.lruIdleSec = k.lruIdleSec;
      if (k.lfuFreq !== undefined) head.lfuFreq = k.lfuFreq;
      return head;
    };
    const wholeHead = new KeyHead(0, NO_BYTES, 0, 0, 'string', 1, null, 0);
    /** A string value is being decompressed where the writer wanted it (see KeySink.reserveString). */
    let reserved = false;
    if (whole && sink.reserveString !== undefined && sink.finishString !== undefined) {
      h.stringTarget = (length, out) => {
        const k = str;
        if (k === null || k === DONE) return false;
        reserved = sink.reserveString!(wholeHead.reuse(k, length), length, out);
        return reserved;
      };
    }
    if (whole) {
      // A whole string goes to the writer as the range the decoder read it into (no view).
      h.stringRange = (buf, start, end) => {
        if (reserved) {
          // Already where the writer wanted it.
          reserved = false;
          sink.finishString!(wholeHead);
          str = DONE;
          return;
        }
        const k = str;
        if (k !== null) {
          // One head for every string written at once: the writer reads it during the call only.
          if (sink.stringKey!(wholeHead.reuse(k, end - start), buf, start, end)) {
            str = DONE;
            return;
          }
          byLoader(k);
        }
        const v = buf.subarray(start, end);
        if (stream !== null) stream.part(v);
        else loadString(v);
      };
    }
    h.stringValue = (v) => {
      const k = str;
      if (k !== null) {
        const s = open(stringHead(k, v.length));
        if (s !== null) {
          s.part(v);
          stream = s;
          str = null;
          return;
        }
        byLoader(k);
      }
      if (stream !== null) stream.part(v);
      else loadString(v);
    };
    h.stringPart = (part, last, total) => {
      const k = str;
      if (k !== null) {
        const head = stringHead(k, total);
        stream = open(head);
        str = null;
        if (stream === null) byLoader(k);
      }
      if (stream !== null) stream.part(part);
      else loadPart(part, last, total);
      // A part that is a whole chunk of a source reusing its buffers: nothing else of the file
      // is in that chunk, and the writers copy what they are given, so its memory may be read into again.
      if (release !== undefined) release(part);
    };
    // Collections streamed from the start want their elements, never a blob whole.
    if (every) delete h.blobValue;
    else if (loadBlob !== undefined) h.blobValue = (rdbType, blob, offset) => (stream !== null ? false : loadBlob(rdbType, blob, offset));
    h.item = (v) => {
      if (direct !== null) return h.itemRange!(v, 0, v.length);
      if (watch && (++elements > limitElements || (bytes += v.length) > limitBytes)) grown();
      if (stream !== null) stream.item(v);
      else loadItem(v);
    };
    h.field = (f, v, ttl) => {
      if (direct !== null) return h.fieldRange!(f, 0, f.length, v, 0, v.length);
      if (watch && (++elements > limitElements || (bytes += f.length + v.length) > limitBytes)) grown();
      if (stream !== null) stream.field(f, v);
      else loadField(f, v, ttl);
    };
    h.member = (m, score) => {
      if (direct !== null) return h.memberRange!(m, 0, m.length, score);
      if (watch && (++elements > limitElements || (bytes += m.length + 8) > limitBytes)) grown();
      if (stream !== null) stream.member(m, score);
      else loadMember(m, score);
    };
    if (every) {
      // The range forms: a streamed collection's elements are copied from where the decoder
      // read them (no view per element); otherwise they go on as the plain forms. (`direct` is
      // only ever set with `every`: the plain forms hand a streamed key's elements here.)
      const item = h.item;
      const field = h.field;
      const member = h.member;
      h.itemRange = (buf, start, end) => {
        if (direct !== null) {
          if (checking) checkMember(buf, start, end, 'set member', end - start);
          const s = stream ?? openDirect();
          if (s !== null) {
            if (s.itemRange !== undefined) s.itemRange(buf, start, end);
            else s.item(buf.subarray(start, end));
            return;
          }
        }
        item(buf.subarray(start, end));
      };
      h.fieldRange = (fb, fs, fe, vb, vs, ve) => {
        if (direct !== null) {
          if (checking) checkMember(fb, fs, fe, 'hash field', fe - fs + ve - vs);
          const s = stream ?? openDirect();
          if (s !== null) {
            if (s.fieldRange !== undefined) s.fieldRange(fb, fs, fe, vb, vs, ve);
            else s.field(fb.subarray(fs, fe), vb.subarray(vs, ve));
            return;
          }
        }
        field(fb.subarray(fs, fe), vb.subarray(vs, ve), null);
      };
      h.memberRange = (buf, start, end, score) => {
        if (direct !== null) {
          if (checking) checkMember(buf, start, end, 'sorted-set member', end - start + 8);
          const s = stream ?? openDirect();
          if (s !== null) {
            if (s.memberRange !== undefined) s.memberRange(buf, start, end, score);
            else s.member(buf.subarray(start, end), score);
            return;
          }
        }
        member(buf.subarray(start, end), score);
      };
    }
    const keyDone = h.keyEnd!;
    h.keyEnd = (k: KeyInfo) => {
      if (str !== null && str !== DONE) {
        if (h.stringRange !== undefined) h.stringRange(NO_BYTES, 0, 0);
        else h.stringValue!(NO_BYTES);
      }
      if (str !== null) {
        // A string written at once.
        str = null;
        keyName = null;
        keys++;
        return;
      }
      const s = stream;
      if (direct !== null) {
        direct = null;
        if (s === null) {
          // No element: an empty collection, left out as Redis leaves it out.
          emptyDirect++;
          return;
        }
      } else if (s === null) return keyDone(k);
      stream = null;
      info = null;
      keyName = null;
      s.end();
      keys++;
    };
  }
  h.keyEnd = (k: KeyInfo) => {
    if (keyName === null) return;
    const key = keyName;
    keyName = null;
    keyEnd(k);
    const db = scratch.peekDb(k.db);
    const value = db?.get(key);
    if (db === undefined || value === undefined) return; // an empty collection, left out
    sendHeader();
    // The expiry and hints the loader stored with the key are the record's own.
    const rec: KeyRecord = { db: k.db, key, value, expireAtMs: k.expireAtMs };
    if (k.lruIdleSec !== undefined) rec.lruIdleSec = k.lruIdleSec;
    if (k.lfuFreq !== undefined) rec.lfuFreq = k.lfuFreq;
    db.delete(key);
    keys++;
    sink.key(rec);
  };
  if (sink.streamKey !== undefined) streamLarge(sink.streamKey.bind(sink));
  const scan = await scanRdb(source, h, {
    limits: opts.limits,
    signal: opts.signal,
    onProgress: opts.onProgress,
    drain: opts.drain,
    verify: opts.verify,
    checksumWorker: opts.checksumWorker,
  });
  // Module AUX records after the data arrive after the last key.
  sendHeader();
  header.moduleAux = [...scratch.moduleAux];
  return { scan, header, keys, filtered, emptyKeysSkipped: loader.stats.emptyKeysSkipped + emptyDirect };
}

/**
 * The head of a key whose value is streamed (a string read whole or in parts, or a
 * collection): its bytes, and its text made when first read (a writer that writes the key's
 * bytes never makes it).
 */
class KeyHead implements StreamedKey {
  lruIdleSec?: number = undefined;
  lfuFreq?: number = undefined;
  private text: ByteString | null = null;
  private view: Uint8Array | null = null;
  constructor(
    public db: number,
    public keyBuf: Uint8Array,
    public keyFrom: number,
    public keyTo: number,
    readonly type: StreamedKey['type'],
    readonly count: number | null,
    public expireAtMs: number | null,
    public bytes: number | undefined,
  ) {}
  get keyBytes(): Uint8Array {
    return (this.view ??= this.keyBuf.subarray(this.keyFrom, this.keyTo));
  }
  get key(): ByteString {
    return (this.text ??= toByteString(this.keyBytes));
  }

  /** Makes this (a string key's head) the head of the string key `k` of `bytes` bytes. */
  reuse(k: KeyInfo, bytes: number): this {
    this.db = k.db;
    this.keyBuf = k.keyBuf!;
    this.keyFrom = k.keyFrom!;
    this.keyTo = k.keyTo!;
    this.expireAtMs = k.expireAtMs;
    this.bytes = bytes;
    this.lruIdleSec = k.lruIdleSec;
    this.lfuFreq = k.lfuFreq;
    this.text = null;
    this.view = null;
    return this;
  }
}

/** The types {@link KeySink.streamsEvery} streams (1 at the type's index). */
const DIRECT_TYPES = new Uint8Array(256);
for (const t of [
  RdbType.List,
  RdbType.Set,
  RdbType.Zset,
  RdbType.Hash,
  RdbType.Zset2,
  RdbType.HashZipmap,
  RdbType.ListZiplist,
  RdbType.SetIntset,
  RdbType.ZsetZiplist,
  RdbType.HashZiplist,
  RdbType.ListQuicklist,
  RdbType.HashListpack,
  RdbType.ZsetListpack,
  RdbType.ListQuicklist2,
  RdbType.SetListpack,
])
  DIRECT_TYPES[t] = 1;

/** The error for a member or field a value holds twice, as the dataset's loader makes it. */
function twice(k: KeyInfo, what: string, m: Uint8Array, file: string): CorruptDataError {
  const name = toByteString(m);
  return new CorruptDataError('BAD_VALUE', `duplicate ${what} in the file`, {
    file,
    offset: k.offset,
    expected: `each ${what} once`,
    found: `${JSON.stringify(name.slice(0, 64))} again`,
    context: { doing: 'read-value', db: k.db, key: k.key.slice(), what: k.valueType },
  });
}

/** An empty string value. */
const NO_BYTES = new Uint8Array(0);

/** Marks a string key already written, until its record ends. */
const DONE = {} as KeyInfo;

/** A value built so far, handed to a stream element by element. */
function handOver(v: Value, s: StreamedValue): void {
  if (typeof v === 'string') {
    s.part(v);
    return;
  }
  switch (v.type) {
    case 'list':
    case 'set':
      for (const e of v) s.item(e);
      return;
    case 'zset':
      for (const [m, score] of v.entries()) s.member(m, score);
      return;
    case 'hash':
      for (const [f, x] of v.entries()) s.field(f, x);
      return;
    default:
      throw new UsageError(`a ${v.type} value is not streamed`);
  }
}
