/**
 * The streaming RDB decoder: a synchronous push state machine (FORMATS.md §1–§3).
 *
 * `push(chunk)` appends bytes and runs the decoding generator until it needs more input;
 * `end()` says the input is over. The generator keeps its place across chunks, so a 1 GB hash
 * is delivered field by field and a large string in parts, with memory bounded by the chunk
 * size plus the largest single element (checked against {@link Limits}).
 */
import { RdbCursor, readI64le } from './primitives.js';
import { RdbEnc, RdbOpcode, RdbType, MAX_REDIS_RDB_VERSION, VALKEY_RDB_VERSIONS, QuicklistContainer, EB_EXPIRE_TIME_MAX } from './constants.js';
import { lzfDecompressPrefix } from '../binary/lzf.js';
import { corrupt, hexByte, printableKey, RdbtoolError, TruncatedError } from '../errors.js';
import { resolveLimits, type Limits } from '../limits.js';
import { typeInfo, type Dialect } from '../model/redis-types.js';
import type { KeyInfo, RdbEnd, RdbHandler, RdbHeader } from '../model/events.js';
import { Crc64 } from '../binary/crc64.js';
import { intToBytes, writeIntText } from '../binary/int-text.js';
import { latin1Text, MAX_LATIN1_TEXT } from '../io/bytes.js';
import { walkListpack, listpackHeaderCount } from './blobs/listpack.js';
import { walkZiplist } from './blobs/ziplist.js';
import { walkIntset } from './blobs/intset.js';
import { walkZipmap } from './blobs/zipmap.js';
import { readStream } from './values/stream.js';
import { readModuleId, tryModulePayload } from './values/module.js';
import { readArray, readTemplateHash, readHashTemplateRecord, type TemplateTable } from './values/newer.js';
import { parseScore, parseScoreRange, readTextDouble } from './values/score.js';

/** Options of {@link RdbDecoder}. */
export interface RdbDecoderOptions {
  /** Name used in errors (the path). */
  file?: string;
  /** Size limits for untrusted lengths. */
  limits?: Partial<Limits>;
  /**
   * `deep` (default): every blob entry is walked and checked and every LZF string is
   * decompressed, even for values nobody asked for (what a checker needs).
   * `shallow`: values not asked for are skipped; blobs only have their headers checked.
   */
  verify?: 'deep' | 'shallow';
  /**
   * Compute and compare the CRC-64 trailer (default true). `'external'`: the caller computes
   * the CRC elsewhere (a worker) and hands it over with {@link RdbDecoder.completeChecksum};
   * until then the `end` callback is held back.
   */
  checksum?: boolean | 'external';
  /** Throw CHECKSUM_MISMATCH on a wrong trailer (default true); otherwise only report it in `end`. */
  strictChecksum?: boolean;
}

/** What the decoder learned about the file, available after `end()`. */
export interface RdbSummary {
  header: RdbHeader | null;
  end: RdbEnd | null;
  /** Bytes after the checksum trailer (a hybrid AOF's tail, or junk). */
  trailingBytes: number;
}

type Step = Generator<void, void, void>;

/** Streaming RDB decoder. Feed it with `push`, finish with `end`. */
export class RdbDecoder extends RdbCursor {
  readonly h: RdbHandler;
  readonly deep: boolean;
  private readonly wantChecksum: boolean;
  private readonly externalChecksum: boolean;
  /** True when the trailer was read and waits for an external CRC. */
  checksumPending = false;
  private readonly strictChecksum: boolean;
  private readonly gen: Step;
  private finished = false;
  private failed: unknown = null;
  private damage: RdbtoolError | null = null;
  /**
   * True while a handler callback runs. Set around every call into the handler (two stores,
   * no try/catch on the hot path): when something is thrown and this is still true, the
   * handler threw it, and it is passed on untouched instead of being taken for damage.
   * Measured against the decoder without it, delivering every value or none: no difference
   * beyond the noise of the bench.
   */
  inHandler = false;
  header: RdbHeader | null = null;
  dialect: Dialect = 'redis';
  version = 0;
  private crc: Crc64 | null = null;
  private endInfo: RdbEnd | null = null;
  /** Current database (SELECTDB). */
  db = 0;
  /** The key record being decoded (reused for every key). */
  readonly key = new KeyRecord();
  /** Hash templates declared in this file (RDB 15). */
  readonly templates: TemplateTable = new Map();
  /** Elements counted for the current key. */
  count = 0;
  /** True while the current key's values go to the handler. */
  want = false;

  constructor(handler: RdbHandler, opts: RdbDecoderOptions = {}) {
    super(opts.file, resolveLimits(opts.limits));
    this.h = handler;
    this.deep = (opts.verify ?? 'deep') === 'deep';
    this.externalChecksum = opts.checksum === 'external';
    this.wantChecksum = opts.checksum === undefined || opts.checksum === true;
    this.strictChecksum = opts.strictChecksum ?? true;
    if (this.wantChecksum) {
      const crc = (this.crc = new Crc64());
      this.r.onConsumed = (buf, s, e) => crc.update(buf, s, e);
    }
    this.blobLoc = { file: this.file, offset: 0 };
    this.gen = this.run();
  }

  /**
   * The error this decoder raised for damage in its input (corrupt, truncated, over a limit,
   * wrong checksum), located; null while there is none. Whatever else `push`, `end` or
   * `completeChecksum` throw (an error from a handler callback) is not damage.
   */
  get damageError(): RdbtoolError | null {
    return this.damage;
  }

  /** True once the EOF opcode and checksum have been read. */
  get done(): boolean {
    return this.finished;
  }

  /**
   * Appends a chunk and decodes as far as it goes.
   * @throws RdbtoolError on corrupt input (the decoder cannot be used afterwards); whatever a
   *   handler callback throws, as it is (see {@link RdbDecoder.damageError}).
   */
  push(chunk: Uint8Array): void {
    if (this.failed) throw this.failed;
    if (this.finished) {
      // After the trailer: only counted. A hybrid AOF's tail is read by the RESP decoder,
      // which continues on `r` (the bytes already in the window when the RDB ended).
      this.afterEnd += chunk.length;
      return;
    }
    const r = this.r;
    r.append(chunk);
    if (this.finished || r.available() < r.wanted) return;
    this.resume();
  }

  /**
   * Ends the input.
   * @throws TruncatedError when the input stopped before the end of the RDB.
   */
  end(): RdbSummary {
    if (this.failed) throw this.failed;
    if (!this.finished) {
      this.resume();
      if (!this.finished) {
        // A value skipped without decoding may be what the input ends in: report it where a
        // decoding pass would, at the start of that value, with its key.
        const skip = this.r.skipLeft > 0 ? this.pendingSkip : null;
        const c = skip ? skip.context : this.context();
        const what = !skip && c.doing === 'read-type' && this.r.available() === 0 ? 'the file ends before the RDB EOF marker' : 'the file ends in the middle of a record';
        const err = new TruncatedError(what, {
          file: this.file,
          offset: skip ? skip.offset : this.offset,
          expected: `${skip ? this.r.skipLeft : Math.max(1, this.r.wanted - this.r.available())} more byte(s)`,
          found: 'end of input',
          context: c,
        });
        this.failed = this.damage = err;
        throw err;
      }
    }
    return this.summary();
  }

  /** What has been learned so far (complete once {@link RdbDecoder.done}); never throws. */
  summary(): RdbSummary {
    return { header: this.header, end: this.endInfo, trailingBytes: this.endInfo ? this.r.received + this.afterEnd - this.endInfo.endOffset : 0 };
  }

  /** Bytes pushed after the RDB ended (not kept). */
  private afterEnd = 0;

  private resume(): void {
    try {
      if (this.gen.next().done) this.finished = true;
    } catch (e) {
      // A handler's error goes on as it is; the decoder's own is located and kept as damage
      // (anything else the decoder throws is a bug, and goes on too).
      if (!this.inHandler && e instanceof RdbtoolError) {
        e.locate({ file: this.file, context: this.context() });
        this.damage = e;
      }
      this.failed = e;
      throw e;
    }
  }

  // ---------------------------------------------------------------- main loop

  private *run(): Step {
    yield* this.readMagic();
    const h = this.h;
    // Looked up once: most handlers have no `opcode`, and then the loop pays one comparison.
    const onOpcode = h.opcode;
    const r = this.r;
    const k = this.key;
    for (;;) {
      this.doing = 'read-type';
      this.ctxDb = this.db;
      this.ctxType = undefined;
      this.ctxWhat = undefined;
      this.ctxKey = undefined;
      if (r.pos >= r.end) {
        r.wanted = 1;
        yield;
        continue;
      }
      const at = r.base + r.pos;
      const t = r.buf[r.pos];
      if (t >= 240 || (t >= 100 && t < 128)) {
        // Opcodes (and foreign ones we refuse precisely). Each consumes its byte before it can
        // yield, so this line runs once per opcode whatever the chunking.
        if (onOpcode !== undefined && t !== RdbOpcode.Eof) {
          this.inHandler = true;
          onOpcode.call(h, t, at);
          this.inHandler = false;
        }
        if (t === RdbOpcode.Eof) {
          r.pos++;
          yield* this.readTrailer(at);
          return;
        }
        // An expiry whose bytes are here is read at once; any other opcode by its own reader.
        // Kept out of this loop, the opcodes' code does not make the loop long to compile
        // each time the engine optimizes it again.
        if (!this.tryExpiry(t, at)) yield* this.readOpcode(t, at);
        continue;
      }

      // A key record: type byte, key, value.
      const info = typeInfo(t, this.dialect);
      if (!info) throw this.bad('UNKNOWN_TYPE', `unknown object type ${t}`, at, `an RDB object type known to ${this.dialect === 'valkey' ? 'Valkey' : 'Redis'}`, hexByte(t));
      this.doing = 'read-key';
      this.ctxType = t;
      this.ctxWhat = info.label;
      r.pos++;
      // Keys are kept as a position until someone asks for the bytes (most analyzers never
      // do): a short raw key in the window is the common case.
      const kp = r.pos;
      let kl = 0x40;
      if (kp < r.end) kl = r.buf[kp];
      if (kl < 0x40 && kp + 1 + kl <= r.end) {
        k.setKeyRange(r.buf, kp + 1, kp + 1 + kl);
        r.pos = kp + 1 + kl;
      } else {
        let key;
        while ((key = this.tryString(true)) === null) yield;
        k.key = key;
      }
      // Peek at the value's first byte so a string's encoding is known at keyStart.
      while (r.pos >= r.end) {
        r.wanted = 1;
        yield;
      }
      this.doing = 'read-value';
      this.ctxKey = k;
      k.db = this.db;
      k.rdbType = t;
      k.valueType = info.valueType;
      k.encoding = info.encoding;
      if (t === RdbType.String) {
        const b = r.buf[r.pos];
        if (b >= 0xc0 && b <= 0xc2) k.encoding = 'int';
      }
      const recordStart = this.recordStart;
      k.expireAtMs = this.nextExpireAtMs;
      k.lruIdleSec = this.nextIdle;
      k.lfuFreq = this.nextFreq;
      k.offset = recordStart < 0 ? at : recordStart;
      k.elements = 0;
      k.onDiskBytes = 0;
      k.valueBytes = 0;
      k.moduleName = undefined;
      this.nextExpireAtMs = null;
      this.nextIdle = undefined;
      this.nextFreq = undefined;
      this.recordStart = -1;
      this.count = 0;
      k.declaredElements = undefined;
      k.blobBytes = undefined;
      this.headStage = 0;
      // What the record states before its elements (count, blob size) is read before keyStart.
      while (!this.tryValueHead(t)) yield;
      if (h.keyStart) {
        this.inHandler = true;
        this.want = h.keyStart(k) === true;
        this.inHandler = false;
      } else this.want = false;
      if (!this.tryValueSync(t)) yield* this.readValue(t, at);
      k.elements = this.count;
      k.onDiskBytes = r.base + r.pos + r.skipLeft - k.offset;
      this.inHandler = true;
      h.keyEnd?.(k);
      this.inHandler = false;
    }
  }

  /** Where the record of the next key begins (its first opcode), −1 while none was read. */
  private recordStart = -1;
  /** What the opcodes before the next key said of it. */
  private nextExpireAtMs: number | null = null;
  private nextIdle: number | undefined = undefined;
  private nextFreq: number | undefined = undefined;

  /**
   * Reads the millisecond expiry opcode at once when its 9 bytes are in the window (one key
   * in four has one in a typical dataset); false, with nothing read, otherwise.
   */
  private tryExpiry(t: number, at: number): boolean {
    const r = this.r;
    if (t !== RdbOpcode.ExpireTimeMs || r.end - r.pos < 9) return false;
    if (this.recordStart < 0) this.recordStart = at;
    this.nextExpireAtMs = readI64le(r.buf, r.pos + 1);
    r.pos += 9;
    return true;
  }

  /** Reads the opcode `t` (not EOF) at `at`, waiting for its bytes. */
  private *readOpcode(t: number, at: number): Step {
    const r = this.r;
    const h = this.h;
    switch (t) {
      case RdbOpcode.SelectDb: {
        r.pos++;
        let n;
        while ((n = this.tryPlainLength()) < 0) yield;
        this.db = n;
        this.inHandler = true;
        h.selectDb?.(n, at);
        this.inHandler = false;
        return;
      }
      case RdbOpcode.ResizeDb: {
        r.pos++;
        let a, b;
        while ((a = this.tryPlainLength()) < 0) yield;
        while ((b = this.tryPlainLength()) < 0) yield;
        this.inHandler = true;
        h.resizeDb?.(a, b, at);
        this.inHandler = false;
        return;
      }
      case RdbOpcode.Aux: {
        this.doing = 'read-aux';
        r.pos++;
        let name, value;
        while ((name = this.tryString()) === null) yield;
        while ((value = this.tryString()) === null) yield;
        this.inHandler = true;
        h.aux?.(name, value, at);
        this.inHandler = false;
        return;
      }
      case RdbOpcode.ExpireTimeMs: {
        if (this.recordStart < 0) this.recordStart = at;
        this.doing = 'read-expire';
        while (r.end - r.pos < 9) {
          r.wanted = 9;
          yield;
        }
        this.nextExpireAtMs = readI64le(r.buf, r.pos + 1);
        r.pos += 9;
        return;
      }
      case RdbOpcode.ExpireTime: {
        if (this.recordStart < 0) this.recordStart = at;
        this.doing = 'read-expire';
        while (r.end - r.pos < 5) {
          r.wanted = 5;
          yield;
        }
        const b = r.buf;
        const p = r.pos + 1;
        this.nextExpireAtMs = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) * 1000;
        r.pos += 5;
        return;
      }
      case RdbOpcode.Idle: {
        if (this.recordStart < 0) this.recordStart = at;
        r.pos++;
        let n;
        while ((n = this.tryPlainLength()) < 0) yield;
        this.nextIdle = n;
        return;
      }
      case RdbOpcode.Freq: {
        if (this.recordStart < 0) this.recordStart = at;
        while (r.end - r.pos < 2) {
          r.wanted = 2;
          yield;
        }
        this.nextFreq = r.buf[r.pos + 1];
        r.pos += 2;
        return;
      }
      case RdbOpcode.ModuleAux: {
        this.doing = 'read-module-aux';
        r.pos++;
        yield* this.readModuleAux(at);
        return;
      }
      case RdbOpcode.Function2: {
        this.doing = 'read-function';
        r.pos++;
        let code;
        while ((code = this.tryString()) === null) yield;
        this.inHandler = true;
        h.function?.(code, at);
        this.inHandler = false;
        return;
      }
      case RdbOpcode.SlotInfo: {
        r.pos++;
        let slot, size, exp;
        while ((slot = this.tryPlainLength()) < 0) yield;
        while ((size = this.tryPlainLength()) < 0) yield;
        while ((exp = this.tryPlainLength()) < 0) yield;
        this.inHandler = true;
        h.slotInfo?.(slot, size, exp, at);
        this.inHandler = false;
        return;
      }
      case RdbOpcode.KeyMeta: {
        r.pos++;
        if (this.dialect === 'valkey') {
          yield* this.readSlotImport(at);
        } else {
          if (this.recordStart < 0) this.recordStart = at;
          yield* this.readKeyMeta();
        }
        return;
      }
      case RdbOpcode.HashTemplate: {
        if (this.dialect === 'valkey') {
          throw this.bad('UNKNOWN_OPCODE', 'Valkey UPDATE opcode (only valid in a replication stream, never in a file)', at, 'an RDB opcode or type', hexByte(t));
        }
        r.pos++;
        yield* readHashTemplateRecord(this, at);
        return;
      }
      case RdbOpcode.KeyNoEvict: {
        if (this.dialect === 'valkey') throw this.bad('UNKNOWN_OPCODE', 'unknown opcode', at, 'an RDB opcode or type', hexByte(t));
        if (this.recordStart < 0) this.recordStart = at;
        r.pos++;
        return;
      }
      case RdbOpcode.FunctionPreGa: {
        this.doing = 'read-function';
        r.pos++;
        yield* this.readFunctionPreGa(at);
        return;
      }
      default:
        if (t >= 240) throw this.bad('UNKNOWN_OPCODE', 'unknown opcode', at, 'an RDB opcode or type', hexByte(t));
        throw this.bad('UNKNOWN_TYPE', `unknown object type ${t}`, at, 'an RDB object type', hexByte(t));
    }
  }

  private *readMagic(): Step {
    const r = this.r;
    this.doing = 'read-magic';
    while (r.end - r.pos < 9) {
      r.wanted = 9;
      yield;
    }
    const b = r.buf;
    const p = r.pos;
    const text = String.fromCharCode(...b.subarray(p, p + 9));
    if (text.startsWith('VCS')) {
      throw corrupt('UNVERIFIED_LAYOUT', 'Valkey 9.2 compressed RDB envelope (VCS): its codec ids are not verified, decompress it with Valkey first', {
        file: this.file,
        offset: 0,
        expected: 'REDIS or VALKEY magic',
        found: JSON.stringify(text.slice(0, 3)),
      });
    }
    let version: number;
    if (text.startsWith('REDIS') && /^\d{4}$/.test(text.slice(5))) {
      version = Number(text.slice(5));
      this.dialect = 'redis';
      if (version < 1 || version > MAX_REDIS_RDB_VERSION) {
        throw corrupt('UNSUPPORTED_VERSION', `unsupported RDB version ${version}`, {
          file: this.file,
          offset: 5,
          expected: `RDB version 1-${MAX_REDIS_RDB_VERSION} (REDIS magic)`,
          found: text.slice(5),
        });
      }
    } else if (text.startsWith('VALKEY') && /^\d{3}$/.test(text.slice(6))) {
      version = Number(text.slice(6));
      this.dialect = 'valkey';
      if (!VALKEY_RDB_VERSIONS.includes(version)) {
        throw corrupt('UNSUPPORTED_VERSION', `unsupported Valkey RDB version ${version}`, {
          file: this.file,
          offset: 6,
          expected: `RDB version ${VALKEY_RDB_VERSIONS.join(' or ')} (VALKEY magic)`,
          found: text.slice(6),
        });
      }
    } else {
      throw corrupt('BAD_MAGIC', 'not an RDB file', {
        file: this.file,
        offset: 0,
        expected: '"REDIS" + 4 digits or "VALKEY" + 3 digits',
        found: JSON.stringify(printableKey(b.subarray(p, p + 9))),
      });
    }
    r.pos += 9;
    this.version = version;
    this.header = { magic: this.dialect === 'valkey' ? 'VALKEY' : 'REDIS', dialect: this.dialect, version };
    if (version < 5 && this.crc) {
      this.r.detach();
      this.crc = null;
    }
    this.inHandler = true;
    this.h.header?.(this.header, 0);
    this.inHandler = false;
  }

  private *readTrailer(eofOffset: number): Step {
    const r = this.r;
    this.doing = 'read-checksum';
    r.flushConsumed();
    r.detach();
    let status: RdbEnd['checksum'] = 'absent';
    let stored: string | null = null;
    let computed: string | null = null;
    if (this.version >= 5) {
      while (r.end - r.pos < 8) {
        r.wanted = 8;
        yield;
      }
      const b = r.buf;
      const p = r.pos;
      const lo = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
      const hi = (b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24)) >>> 0;
      r.pos += 8;
      stored = hex64(hi, lo);
      if (hi === 0 && lo === 0) status = 'disabled';
      else if (this.externalChecksum) {
        this.storedHi = hi;
        this.storedLo = lo;
        this.checksumPending = true;
      } else if (!this.crc) status = 'absent';
      else {
        computed = hex64(this.crc.hi, this.crc.lo);
        status = this.crc.hi === hi && this.crc.lo === lo ? 'ok' : 'mismatch';
      }
    }
    this.endInfo = { checksum: status, storedChecksum: stored, computedChecksum: computed, eofOffset, endOffset: r.base + r.pos };
    if (!this.checksumPending) this.finishEnd();
  }

  private storedHi = 0;
  private storedLo = 0;

  /**
   * Supplies the CRC-64 of bytes [0, eofOffset] computed elsewhere (`checksum: 'external'`),
   * then reports the end.
   * @throws CorruptDataError CHECKSUM_MISMATCH when strict and the CRC differs.
   */
  completeChecksum(hi: number, lo: number): RdbEnd {
    const e = this.endInfo!;
    if (this.checksumPending) {
      this.checksumPending = false;
      e.computedChecksum = hex64(hi >>> 0, lo >>> 0);
      e.checksum = hi >>> 0 === this.storedHi && lo >>> 0 === this.storedLo ? 'ok' : 'mismatch';
      this.finishEnd();
    }
    return e;
  }

  private finishEnd(): void {
    const e = this.endInfo!;
    if (e.checksum === 'mismatch' && this.strictChecksum) {
      const err = checksumMismatch(this.file, e);
      this.failed = this.damage = err;
      throw err;
    }
    this.inHandler = true;
    this.h.end?.(e);
    this.inHandler = false;
  }

  // ---------------------------------------------------------------- opcodes with payloads

  private *readModuleAux(at: number): Step {
    let id;
    while ((id = this.tryLength()) < 0) yield;
    const { name, encver, idText } = readModuleId(this, at);
    let whenOp, when;
    while ((whenOp = this.tryPlainLength()) < 0) yield;
    if (whenOp !== 2) throw this.bad('BAD_VALUE', 'module AUX "when" must be a UINT opcode', this.offset, 'opcode 2', String(whenOp));
    while ((when = this.tryPlainLength()) < 0) yield;
    let raw;
    while ((raw = tryModulePayload(this)) === null) yield;
    this.inHandler = true;
    this.h.moduleAux?.({ moduleName: name, encver, moduleId: idText, raw, when }, at);
    this.inHandler = false;
    void id;
  }

  private *readKeyMeta(): Step {
    let n;
    while ((n = this.tryPlainLength()) < 0) yield;
    if (n > 7) throw this.bad('BAD_VALUE', 'too many key metadata classes', this.offset, 'at most 7', String(n));
    for (let i = 0; i < n; i++) {
      while (this.tryBytes(4) === null) yield;
      while (tryModulePayload(this) === null) yield;
    }
  }

  private *readSlotImport(at: number): Step {
    let job, n;
    while ((job = this.tryString()) === null) yield;
    while ((n = this.tryCount('slot range count')) < 0) yield;
    const ranges: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      let a, b;
      while ((a = this.tryPlainLength()) < 0) yield;
      while ((b = this.tryPlainLength()) < 0) yield;
      ranges.push([a, b]);
    }
    this.inHandler = true;
    this.h.slotImport?.(job, ranges, at);
    this.inHandler = false;
  }

  /**
   * A function library in the layout of the Redis 7.0 release candidates (opcode 246,
   * FORMATS.md §1.4, §3.10): name, engine, a length that is non-zero when a description
   * follows, the description, then the code without its shebang line. Redis 7.0 loads it as
   * the library `#!<engine> name=<name>\n<code>` and drops the description; the library is
   * delivered in that form, so a consumer sees what 7.0 holds.
   */
  private *readFunctionPreGa(at: number): Step {
    let name, engine, hasDescription, code;
    while ((name = this.tryString(true)) === null) yield;
    while ((engine = this.tryString(true)) === null) yield;
    while ((hasDescription = this.tryLength()) < 0) yield;
    if (hasDescription !== 0) while (!this.skipNow()) yield;
    while ((code = this.tryString()) === null) yield;
    const source = rebuildLibrarySource(engine, name, code);
    this.inHandler = true;
    this.h.function?.(source, at);
    this.inHandler = false;
  }

  // ---------------------------------------------------------------- values

  private *readValue(t: number, at: number): Step {
    switch (t) {
      case RdbType.String:
        return yield* this.readStringValue();
      case RdbType.List:
      case RdbType.Set:
        return yield* this.readPlainItems();
      case RdbType.Zset:
      case RdbType.Zset2:
        return yield* this.readPlainZset(t === RdbType.Zset2);
      case RdbType.Hash:
        return yield* this.readPlainHash();
      case RdbType.ModulePreGa:
        // No framing: only the module that wrote it can find its end (Redis 4.0–7.0 load it through that module; 7.2+ refuse it).
        throw this.bad('UNKNOWN_TYPE', 'module value in the 4.0 RC format (type 6): only the module that wrote it can read it', at, 'type 7 (MODULE_2)', '6');
      case RdbType.Module2:
        return yield* this.readModuleValue(at);
      case RdbType.HashZipmap:
      case RdbType.ListZiplist:
      case RdbType.SetIntset:
      case RdbType.ZsetZiplist:
      case RdbType.HashZiplist:
      case RdbType.HashListpack:
      case RdbType.ZsetListpack:
      case RdbType.SetListpack:
        return yield* this.readBlobValue(t, false);
      case RdbType.HashListpackEx:
        // Its 8-byte minExpire prefix was read with the record's head.
        return yield* this.readBlobValue(t, false);
      case RdbType.ListQuicklist:
      case RdbType.ListQuicklist2:
        return yield* this.readQuicklist(t === RdbType.ListQuicklist2);
      case RdbType.StreamListpacks:
      case RdbType.StreamListpacks2:
      case RdbType.StreamListpacks3:
      case RdbType.StreamListpacks4:
      case RdbType.StreamListpacks5:
        return yield* readStream(this, t);
      case RdbType.HashMetadataPreGa:
        if (this.dialect === 'valkey') return yield* this.readValkeyHash2();
        return yield* this.readHashWithTtls(false);
      case RdbType.HashListpackExPreGa:
        if (this.dialect === 'valkey') {
          throw this.bad('UNVERIFIED_LAYOUT', 'Valkey PATH_HASH (type 23) layout is not documented', at, 'a documented type', '23');
        }
        return yield* this.readBlobValue(t, false);
      case RdbType.HashMetadata:
        return yield* this.readHashWithTtls(true);
      case RdbType.Array:
        return yield* readArray(this);
      case RdbType.HashTmplLp:
      case RdbType.HashTmplLpRef:
      case RdbType.HashTmplArray:
      case RdbType.HashTmplArrayRef:
        return yield* readTemplateHash(this, t);
      case RdbType.Gcra: {
        let n;
        while ((n = this.tryPlainLength()) < 0) yield;
        this.count = 1;
        if (this.want) {
          const v = intToBytes(this.lenHi === 0 ? n : this.lastLengthBig());
          this.inHandler = true;
          this.h.stringValue?.(v);
          this.inHandler = false;
        }
        return;
      }
      default:
        throw this.bad('UNKNOWN_TYPE', `unknown object type ${t}`, at, 'an RDB object type', hexByte(t));
    }
  }

  /**
   * Decodes a string value if it is all in the window: 1 done, 0 more bytes needed (nothing
   * consumed), 2 a large raw string the caller must deliver in parts.
   */
  private tryStringValue(): 0 | 1 | 2 {
    const r = this.r;
    const h = this.h;
    this.count = 1;
    const raw = r.buf[r.pos] >> 6 !== 3;
    if (this.want) {
      if (raw && h.stringPart) {
        const start = r.pos;
        const n = this.tryLength();
        if (n < 0) return 0;
        r.pos = start;
        if (n > this.limits.maxInlineValueBytes) return 2;
      }
      if (h.stringRange !== undefined) {
        if (!this.tryStringRange(h.stringTarget !== undefined)) return 0;
        this.key.valueBytes = this.rangeEnd - this.rangeStart;
        this.inHandler = true;
        h.stringRange(this.rangeBuf, this.rangeStart, this.rangeEnd);
        this.inHandler = false;
        return 1;
      }
      // The size was read with the record's head (tryValueHead).
      if (h.stringLatin1 !== undefined && this.key.blobBytes! <= MAX_LATIN1_TEXT) {
        const text = this.tryStringLatin1();
        if (text === null) return 0;
        this.key.valueBytes = text.length;
        this.inHandler = true;
        h.stringLatin1(text);
        this.inHandler = false;
        return 1;
      }
      const v = this.tryString();
      if (v === null) return 0;
      this.key.valueBytes = v.length;
      this.inHandler = true;
      h.stringValue?.(v);
      this.inHandler = false;
      return 1;
    }
    if (this.deep && !raw) {
      // Checked (an LZF string decompressed) without keeping the bytes.
      const n = this.tryCheckString();
      if (n < 0) return 0;
      this.key.valueBytes = n;
      return 1;
    }
    const n = this.trySkipString();
    if (n < 0) return 0;
    this.key.valueBytes = n;
    return 1;
  }

  /** The handler's place for a string value's bytes (`stringTarget`), if it has one. */
  protected override valueTarget(length: number): boolean {
    const h = this.h;
    if (h.stringTarget === undefined) return false;
    this.inHandler = true;
    const given = h.stringTarget(length, this.target);
    this.inHandler = false;
    return given;
  }

  private *readStringValue(): Step {
    let res;
    while ((res = this.tryStringValue()) === 0) yield;
    if (res === 1) return;
    // A large raw string: delivered in parts as it arrives.
    const r = this.r;
    const h = this.h;
    const start = r.pos;
    const n = this.tryLength(); // known to be in the window (tryStringValue just read it)
    this.checkLimit(n, 'maxStringBytes', 'string length', r.base + start);
    this.key.valueBytes = n;
    let left = n;
    while (left > 0) {
      const take = Math.min(left, r.end - r.pos);
      if (take > 0) {
        const p = r.pos;
        r.pos += take;
        left -= take;
        this.inHandler = true;
        h.stringPart!(r.buf.subarray(p, p + take), left === 0, n);
        this.inHandler = false;
      }
      if (left > 0) {
        r.wanted = 1;
        yield;
      }
    }
  }

  /**
   * The fast path: decodes a whole value synchronously when it is one unit already in the
   * window (strings and single-blob types), so most keys cost no generator. Returns false,
   * having consumed nothing, when the generator path must take over.
   */
  private tryValueSync(t: number): boolean {
    switch (t) {
      case RdbType.String:
        return this.tryStringValue() === 1;
      case RdbType.HashZipmap:
      case RdbType.ListZiplist:
      case RdbType.SetIntset:
      case RdbType.ZsetZiplist:
      case RdbType.HashZiplist:
      case RdbType.HashListpack:
      case RdbType.ZsetListpack:
      case RdbType.SetListpack: {
        if (this.countsOnly() && LISTPACK_ELEMENTS_PER_ENTRY[t] !== undefined) {
          const c = this.tryListpackCount(t);
          if (c !== -1) return c === 1;
        }
        const at = this.offset;
        const blob = this.tryString();
        if (blob === null) return false;
        this.walkBlob(t, blob, this.blobAt(at));
        return true;
      }
      default:
        return false;
    }
  }

  // ---------------------------------------------------------------- value heads

  /** Element count of a plain collection, read with the record's head (see tryValueHead). */
  private headCount = 0;
  /** minExpire of a type-24 hash, read with the record's head. */
  private headMin = 0;
  /** Progress through a head that reads two things (types 24, 25). */
  private headStage = 0;
  /** The first bytes of a blob, for its header. */
  private readonly blobHead = new Uint8Array(10);
  /** Where the blob being walked is, for the walkers' errors (see walkBlob). */
  private readonly blobLoc: { file: string | undefined; offset: number };

  /**
   * Reads what a record states before its elements, so that `keyStart` can report it
   * (`declaredElements`, `blobBytes`): a plain collection's count and a type-24 hash's
   * minExpire are consumed here (their readers take them from `headCount`/`headMin`), type
   * 25's minExpire is skipped; a string's size and a blob's header are looked at without
   * consuming them. Every read here is the one the value's reader would make first, with the
   * same waits, limit checks and errors, so nothing changes in how a record is read or where
   * a truncated or damaged one is reported. Returns false when more bytes are needed.
   */
  private tryValueHead(t: number): boolean {
    const k = this.key;
    switch (t) {
      case RdbType.String: {
        const n = this.peekStringSize();
        if (n < 0) return false;
        k.declaredElements = 1;
        k.blobBytes = n;
        return true;
      }
      case RdbType.List:
      case RdbType.Set:
        return this.tryHeadCount('collection length');
      case RdbType.Zset:
      case RdbType.Zset2:
        return this.tryHeadCount('sorted set length');
      case RdbType.Hash:
      case RdbType.HashMetadataPreGa:
        return this.tryHeadCount('hash length');
      case RdbType.HashMetadata:
        if (this.headStage === 0) {
          const m = this.tryI64le();
          if (Number.isNaN(m)) return false;
          this.headMin = m;
          this.headStage = 1;
        }
        return this.tryHeadCount('hash length');
      case RdbType.HashListpackEx:
        if (this.headStage === 0) {
          if (Number.isNaN(this.tryI64le())) return false;
          this.headStage = 1;
        }
        return this.tryBlobHead(t);
      case RdbType.HashListpackExPreGa:
        return this.dialect === 'valkey' ? true : this.tryBlobHead(t);
      case RdbType.HashZipmap:
      case RdbType.ListZiplist:
      case RdbType.SetIntset:
      case RdbType.ZsetZiplist:
      case RdbType.HashZiplist:
      case RdbType.HashListpack:
      case RdbType.ZsetListpack:
      case RdbType.SetListpack:
        return this.tryBlobHead(t);
      case RdbType.Module2:
      case RdbType.Gcra:
        k.declaredElements = 1;
        return true;
      case RdbType.Array: {
        const start = this.r.pos;
        const n = this.tryCount('array length');
        if (n < 0) return false;
        this.r.pos = start;
        k.declaredElements = n;
        return true;
      }
      default:
        // Quicklists give node counts and streams their length after the nodes: no count up front.
        return true;
    }
  }

  private tryHeadCount(what: string): boolean {
    const n = this.tryCount(what);
    if (n < 0) return false;
    this.headCount = n;
    this.key.declaredElements = n;
    return true;
  }

  /**
   * The decoded size of the string at the cursor (raw length, LZF original length, or the
   * decimal length of an integer form), without consuming it; -1 when its header is not all
   * here yet, with `wanted` set as reading the string would set it.
   */
  private peekStringSize(): number {
    const r = this.r;
    const start = r.pos;
    const n = this.tryLength();
    if (n < 0) return -1;
    if (!this.special) {
      r.pos = start;
      return n;
    }
    if (n === RdbEnc.Lzf) {
      if (this.tryLength() < 0) return this.rewind(start);
      const ulen = this.tryLength();
      if (ulen < 0) return this.rewind(start);
      r.pos = start;
      return ulen;
    }
    const v = this.trySpecialString(start, n, 0);
    if (v === false) return -1;
    r.pos = start;
    return v as number;
  }

  /**
   * Looks at a blob-valued record's string once it is all in the window (as the blob reader
   * needs it anyway), without consuming it: its decoded size, and the element count its
   * header states (decompressing only the header of an LZF blob). Waits, limit checks and
   * string-encoding errors are those of reading the string.
   */
  private tryBlobHead(t: number): boolean {
    const r = this.r;
    const start = r.pos;
    const n = this.tryLength();
    if (n < 0) return false;
    // The header's bytes go into `blobHead` (no view per blob); -1: none to look at.
    let headBytes = -1;
    const head = this.blobHead;
    let size: number;
    if (!this.special) {
      if (n > r.end - r.pos) {
        this.checkLimit(n, 'maxStringBytes', 'string length', r.base + start);
        r.wanted = r.pos - start + n;
        r.pos = start;
        return false;
      }
      headBytes = Math.min(n, head.length);
      for (let i = 0, p = r.pos; i < headBytes; i++) head[i] = r.buf[p + i];
      size = n;
    } else if (n === RdbEnc.Lzf) {
      const clen = this.tryLength();
      const ulen = clen < 0 ? -1 : this.tryLength();
      if (ulen < 0) {
        this.rewind(start);
        return false;
      }
      this.checkLimit(clen, 'maxStringBytes', 'compressed string length', r.base + start);
      this.checkLimit(ulen, 'maxLzfBytes', 'decompressed string length', r.base + start);
      if (clen > r.end - r.pos) {
        r.wanted = r.pos - start + clen;
        r.pos = start;
        return false;
      }
      const want = Math.min(ulen, head.length);
      if (lzfDecompressPrefix(r.buf, head, r.pos, r.pos + clen, want)) headBytes = want;
      size = ulen;
    } else {
      // An integer form (a damaged blob the blob reader reports) or an unknown id (an error here, as there).
      const v = this.trySpecialString(start, n, 0);
      if (v === false) return false;
      size = v as number;
    }
    r.pos = start;
    this.key.blobBytes = size;
    if (headBytes >= 0) this.key.declaredElements = blobHeaderCount(t, head, headBytes);
    return true;
  }

  private *readPlainItems(): Step {
    const n = this.headCount;
    const h = this.h;
    if (this.want && h.itemRange !== undefined) {
      for (let i = 0; i < n; i++) {
        while (!this.tryStringRange()) yield;
        this.inHandler = true;
        h.itemRange(this.rangeBuf, this.rangeStart, this.rangeEnd);
        this.inHandler = false;
        this.count++;
      }
      return;
    }
    const emit = this.want && h.item !== undefined;
    for (let i = 0; i < n; i++) {
      if (emit) {
        let v;
        while ((v = this.tryString()) === null) yield;
        this.inHandler = true;
        h.item!(v);
        this.inHandler = false;
      } else while (!this.skipNow()) yield;
      this.count++;
    }
  }

  /**
   * Skips (or, in deep mode, decodes and drops) one string element if it is in the window;
   * false when more bytes are needed. Callers loop on it with a yield (no generator per element).
   */
  skipNow(): boolean {
    return this.deep ? this.tryCheckString() >= 0 : this.trySkipString() >= 0;
  }

  private *readPlainZset(binary: boolean): Step {
    const n = this.headCount;
    const h = this.h;
    const r = this.r;
    const emit = this.want && h.member !== undefined;
    const ranges = emit && h.memberRange !== undefined;
    for (let i = 0; i < n; i++) {
      let m: Uint8Array | null = null;
      let mBuf: Uint8Array = NO_BYTES;
      let mStart = 0;
      let mEnd = 0;
      if (ranges) {
        while (!this.tryStringRange()) yield;
        mBuf = this.rangeBuf;
        mStart = this.rangeStart;
        mEnd = this.rangeEnd;
      } else if (emit) {
        while ((m = this.tryString()) === null) yield;
      } else while (!this.skipNow()) yield;
      let score: number;
      const at = this.offset;
      if (binary) {
        let f;
        while (!(f = this.tryF64le()).ok) yield;
        score = f.v;
      } else {
        let s;
        while ((s = readTextDouble(this)) === null) yield;
        score = s.v;
      }
      if (Number.isNaN(score)) throw this.bad('BAD_VALUE', 'sorted set score is NaN', at, 'a number', 'NaN');
      if (ranges) {
        this.inHandler = true;
        h.memberRange!(mBuf, mStart, mEnd, score);
        this.inHandler = false;
      } else if (emit) {
        this.inHandler = true;
        h.member!(m!, score);
        this.inHandler = false;
      }
      this.count++;
      void r;
    }
  }

  private *readPlainHash(): Step {
    const n = this.headCount;
    const h = this.h;
    const emit = this.want && h.field !== undefined;
    if (emit && h.fieldRange !== undefined) {
      for (let i = 0; i < n; i++) {
        while (!this.tryStringRange()) yield;
        // The field stays where it was read while the value is read, as a view would (the
        // window is never rewritten in place; decompressed strings take turns in a ring).
        const fBuf = this.rangeBuf;
        const fStart = this.rangeStart;
        const fEnd = this.rangeEnd;
        while (!this.tryStringRange()) yield;
        this.inHandler = true;
        h.fieldRange(fBuf, fStart, fEnd, this.rangeBuf, this.rangeStart, this.rangeEnd);
        this.inHandler = false;
        this.count++;
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      if (emit) {
        let f, v;
        while ((f = this.tryString()) === null) yield;
        while ((v = this.tryString()) === null) yield;
        this.inHandler = true;
        h.field!(f, v, null);
        this.inHandler = false;
      } else {
        while (!this.skipNow()) yield;
        while (!this.skipNow()) yield;
      }
      this.count++;
    }
  }

  /** Types 24 (with minExpire, relative TTLs) and Redis 22 (absolute TTLs). */
  private *readHashWithTtls(withMin: boolean): Step {
    const minExpire = withMin ? this.headMin : 0;
    const n = this.headCount;
    const h = this.h;
    const emit = this.want && h.field !== undefined;
    for (let i = 0; i < n; i++) {
      const at = this.offset;
      let ttl;
      while ((ttl = this.tryPlainLength()) < 0) yield;
      let exp: number | null = null;
      if (ttl !== 0) {
        exp = withMin ? minExpire + ttl - 1 : ttl;
        if (exp > EB_EXPIRE_TIME_MAX) throw this.bad('BAD_VALUE', 'hash field expiry out of range', at, `at most ${EB_EXPIRE_TIME_MAX}`, String(exp));
      }
      if (emit) {
        let f, v;
        while ((f = this.tryString()) === null) yield;
        while ((v = this.tryString()) === null) yield;
        this.inHandler = true;
        h.field!(f, v, exp);
        this.inHandler = false;
      } else {
        while (!this.skipNow()) yield;
        while (!this.skipNow()) yield;
      }
      this.count++;
    }
  }

  /** Valkey HASH_2 (type 22 in VALKEY files): field, value, int64 expiry (-1 none). */
  private *readValkeyHash2(): Step {
    const n = this.headCount;
    const h = this.h;
    const emit = this.want && h.field !== undefined;
    for (let i = 0; i < n; i++) {
      let f: Uint8Array | null = null;
      let v: Uint8Array | null = null;
      if (emit) {
        while ((f = this.tryString()) === null) yield;
        while ((v = this.tryString()) === null) yield;
      } else {
        while (!this.skipNow()) yield;
        while (!this.skipNow()) yield;
      }
      let exp;
      while (Number.isNaN((exp = this.tryI64le()))) yield;
      if (emit) {
        this.inHandler = true;
        h.field!(f!, v!, exp === -1 ? null : exp);
        this.inHandler = false;
      }
      this.count++;
    }
  }

  private *readModuleValue(at: number): Step {
    while (this.tryLength() < 0) yield;
    const { name, encver, idText } = readModuleId(this, at);
    this.ctxWhat = `module ${name}`;
    this.key.moduleName = name;
    let raw;
    while ((raw = tryModulePayload(this)) === null) yield;
    this.count = 1;
    if (this.want) {
      this.inHandler = true;
      this.h.moduleValue?.({ moduleName: name, encver, moduleId: idText, raw });
      this.inHandler = false;
    }
  }

  /** A value stored as one blob: zipmap, ziplist, intset, listpack (FORMATS.md §2.8–§2.13, §2.18). */
  private *readBlobValue(t: number, withMin: boolean): Step {
    if (withMin) {
      while (Number.isNaN(this.tryI64le())) yield;
    }
    if (this.countsOnly() && LISTPACK_ELEMENTS_PER_ENTRY[t] !== undefined) {
      let c;
      while ((c = this.tryListpackCount(t)) === 0) yield;
      if (c === 1) return;
    }
    const at = this.offset;
    let blob;
    while ((blob = this.tryString()) === null) yield;
    this.walkBlob(t, blob, this.blobAt(at));
  }

  /** True when only element counts are wanted: a shallow pass, and no value goes to the handler. */
  private countsOnly(): boolean {
    return !this.deep && !this.want;
  }

  /**
   * A listpack value (or quicklist node) counted from its header alone, without decompressing
   * the rest: 1 counted, 0 more bytes needed, -1 to be read whole (see tryListpackCountOnly).
   */
  private tryListpackCount(t: number): 1 | 0 | -1 {
    const at = this.offset;
    const n = this.tryListpackCountOnly();
    if (n === -1) return 0;
    if (n === -2) return -1;
    const per = LISTPACK_ELEMENTS_PER_ENTRY[t];
    this.checkTuples(n, per, at);
    this.count += n / per;
    return 1;
  }

  /** Walks a complete blob of type `t`, emitting its elements when wanted and counting them. */
  walkBlob(t: number, blob: Uint8Array, blobOffset: number): void {
    if (this.want && this.deep && this.h.blobValue !== undefined && WHOLE_BLOB_TYPES.has(t) && this.offerBlob(t, blob, blobOffset)) return;
    // One location object, reused: the walkers read it only to make an error.
    const loc = this.blobLoc;
    loc.offset = blobOffset;
    const h = this.h;
    const want = this.want;
    switch (t) {
      case RdbType.HashZipmap: {
        const n = walkZipmap(blob, loc, want && h.field ? this.zipmapVisitor : undefined);
        this.count += n;
        return;
      }
      case RdbType.SetIntset: {
        const n = walkIntset(blob, loc, want && h.item ? (h.itemRange ? this.intsetRangeVisitor : this.intsetVisitor) : undefined, { deep: this.deep });
        this.count += n;
        return;
      }
      case RdbType.ListZiplist:
      case RdbType.ListQuicklist: {
        const n = want && h.item && h.itemRange ? walkZiplist(blob, loc, undefined, this.itemRangeVisitor) : walkZiplist(blob, loc, want && h.item ? this.itemVisitor : undefined);
        this.count += n;
        return;
      }
      case RdbType.ZsetZiplist:
      case RdbType.HashZiplist: {
        this.pairPhase = 0;
        const range = want ? (t === RdbType.HashZiplist ? (h.fieldRange ? this.hashRangeVisitor : undefined) : h.memberRange ? this.zsetRangeVisitor : undefined) : undefined;
        const n = range ? walkZiplist(blob, loc, undefined, range) : walkZiplist(blob, loc, want ? (t === RdbType.HashZiplist ? this.hashVisitor : this.zsetVisitor) : undefined);
        this.checkTuples(n, 2, blobOffset);
        this.count += n / 2;
        return;
      }
      case RdbType.SetListpack:
      case RdbType.ListQuicklist2: {
        const n = want && h.item ? (h.itemRange ? walkListpack(blob, loc, undefined, this.itemRangeVisitor) : walkListpack(blob, loc, this.itemVisitor)) : this.deep ? walkListpack(blob, loc) : listpackHeaderCount(blob, loc);
        this.count += n;
        return;
      }
      case RdbType.HashListpack:
      case RdbType.ZsetListpack: {
        this.pairPhase = 0;
        const visit = want ? (t === RdbType.HashListpack ? this.hashVisitor : this.zsetVisitor) : undefined;
        const range = want ? (t === RdbType.HashListpack ? (h.fieldRange ? this.hashRangeVisitor : undefined) : h.memberRange ? this.zsetRangeVisitor : undefined) : undefined;
        const n = range ? walkListpack(blob, loc, undefined, range) : visit ? walkListpack(blob, loc, visit) : this.deep ? walkListpack(blob, loc) : listpackHeaderCount(blob, loc);
        this.checkTuples(n, 2, blobOffset);
        this.count += n / 2;
        return;
      }
      case RdbType.HashListpackEx:
      case RdbType.HashListpackExPreGa: {
        this.pairPhase = 0;
        const n = want ? walkListpack(blob, loc, this.hashExVisitor) : this.deep ? walkListpack(blob, loc, this.ttlCheckVisitor) : listpackHeaderCount(blob, loc);
        this.checkTuples(n, 3, blobOffset);
        this.count += n / 3;
        return;
      }
    }
  }

  /**
   * Offers a blob to the handler's `blobValue` once a walk without element callbacks found it
   * sound; true when the handler took it (its elements are counted). A blob that is damaged, or
   * that the handler declines, is left to the element walk, which reports the damage as it
   * always does (a duplicate the handler meets before the damage, say).
   */
  private offerBlob(t: number, blob: Uint8Array, blobOffset: number): boolean {
    const counted = this.count;
    let sound = false;
    this.want = false;
    try {
      this.walkBlob(t, blob, blobOffset);
      sound = true;
    } catch {
      // Reported again, in order, by the element walk.
    } finally {
      this.want = true;
    }
    if (sound) {
      this.inHandler = true;
      const took = this.h.blobValue!(t, blob, blobOffset);
      this.inHandler = false;
      if (took) return true;
    }
    this.count = counted;
    return false;
  }

  private checkTuples(n: number, size: number, at: number): void {
    if (n % size !== 0) {
      throw this.bad('BLOB_CORRUPT', `element count not a multiple of ${size}`, at, `a multiple of ${size}`, String(n));
    }
  }

  // Element visitors, created once; they pair up consecutive elements.
  private pairPhase = 0;
  private pendA: Uint8Array = new Uint8Array(0);
  private pendB: Uint8Array = new Uint8Array(0);
  private readonly zipmapVisitor = (f: Uint8Array, v: Uint8Array): void => {
    this.inHandler = true;
    this.h.field?.(f, v, null);
    this.inHandler = false;
  };
  private readonly intsetVisitor = (n: number | bigint): void => {
    const v = intToBytes(n);
    this.inHandler = true;
    this.h.item?.(v);
    this.inHandler = false;
  };
  private readonly itemVisitor = (s: Uint8Array | null, n: number | bigint): void => {
    const v = s ?? intToBytes(n);
    this.inHandler = true;
    this.h.item?.(v);
    this.inHandler = false;
  };
  private readonly hashVisitor = (s: Uint8Array | null, n: number | bigint): void => {
    const v = s ?? intToBytes(n);
    if (this.pairPhase === 0) {
      this.pendA = v;
      this.pairPhase = 1;
    } else {
      this.pairPhase = 0;
      this.inHandler = true;
      this.h.field?.(this.pendA, v, null);
      this.inHandler = false;
    }
  };
  private readonly zsetVisitor = (s: Uint8Array | null, n: number | bigint): void => {
    if (this.pairPhase === 0) {
      this.pendA = s ?? intToBytes(n);
      this.pairPhase = 1;
    } else {
      this.pairPhase = 0;
      const score = s ? parseScore(s) : Number(n);
      if (Number.isNaN(score)) throw this.bad('BAD_VALUE', 'sorted set score is not a number', this.offset, 'a number', printableKey(s ?? new Uint8Array(0)));
      this.inHandler = true;
      this.h.member?.(this.pendA, score);
      this.inHandler = false;
    }
  };
  /** Integer elements' text for the range visitors: the current one, and a pending field or member. */
  private readonly digits = new Uint8Array(24);
  private readonly pendDigits = new Uint8Array(24);
  private pendBuf: Uint8Array = NO_BYTES;
  private pendStart = 0;
  private pendEnd = 0;
  private readonly intsetRangeVisitor = (n: number | bigint): void => {
    const len = writeIntText(n, this.digits);
    this.inHandler = true;
    this.h.itemRange!(this.digits, 0, len);
    this.inHandler = false;
  };
  private readonly itemRangeVisitor = (buf: Uint8Array, start: number, len: number, n: number | bigint): void => {
    this.inHandler = true;
    if (start >= 0) this.h.itemRange!(buf, start, start + len);
    else this.h.itemRange!(this.digits, 0, writeIntText(n, this.digits));
    this.inHandler = false;
  };
  /** Keeps the first element of a pair (a field, a member) as a range until its second comes. */
  private pend(buf: Uint8Array, start: number, len: number, n: number | bigint): void {
    if (start >= 0) {
      this.pendBuf = buf;
      this.pendStart = start;
      this.pendEnd = start + len;
    } else {
      this.pendBuf = this.pendDigits;
      this.pendStart = 0;
      this.pendEnd = writeIntText(n, this.pendDigits);
    }
  }
  private readonly hashRangeVisitor = (buf: Uint8Array, start: number, len: number, n: number | bigint): void => {
    if (this.pairPhase === 0) {
      this.pend(buf, start, len, n);
      this.pairPhase = 1;
      return;
    }
    this.pairPhase = 0;
    this.inHandler = true;
    if (start >= 0) this.h.fieldRange!(this.pendBuf, this.pendStart, this.pendEnd, buf, start, start + len);
    else this.h.fieldRange!(this.pendBuf, this.pendStart, this.pendEnd, this.digits, 0, writeIntText(n, this.digits));
    this.inHandler = false;
  };
  private readonly zsetRangeVisitor = (buf: Uint8Array, start: number, len: number, n: number | bigint): void => {
    if (this.pairPhase === 0) {
      this.pend(buf, start, len, n);
      this.pairPhase = 1;
      return;
    }
    this.pairPhase = 0;
    const score = start >= 0 ? parseScoreRange(buf, start, start + len) : Number(n);
    if (Number.isNaN(score)) throw this.bad('BAD_VALUE', 'sorted set score is not a number', this.offset, 'a number', printableKey(buf.subarray(start, start + len)));
    this.inHandler = true;
    this.h.memberRange!(this.pendBuf, this.pendStart, this.pendEnd, score);
    this.inHandler = false;
  };
  private readonly hashExVisitor = (s: Uint8Array | null, n: number | bigint): void => {
    if (this.pairPhase === 0) {
      this.pendA = s ?? intToBytes(n);
      this.pairPhase = 1;
    } else if (this.pairPhase === 1) {
      this.pendB = s ?? intToBytes(n);
      this.pairPhase = 2;
    } else {
      this.pairPhase = 0;
      const ttl = this.checkTtl(s, n);
      this.inHandler = true;
      this.h.field?.(this.pendA, this.pendB, ttl === 0 ? null : ttl);
      this.inHandler = false;
    }
  };
  private readonly ttlCheckVisitor = (s: Uint8Array | null, n: number | bigint): void => {
    if (this.pairPhase < 2) this.pairPhase++;
    else {
      this.pairPhase = 0;
      this.checkTtl(s, n);
    }
  };
  private checkTtl(s: Uint8Array | null, n: number | bigint): number {
    if (s !== null || typeof n !== 'number' || n < 0 || n > EB_EXPIRE_TIME_MAX) {
      throw this.bad('BLOB_CORRUPT', 'hash field TTL in listpack is not an integer in range', this.offset, `an integer 0-${EB_EXPIRE_TIME_MAX}`, s ? printableKey(s) : String(n));
    }
    return n;
  }

  private *readQuicklist(v2: boolean): Step {
    let nodes;
    while ((nodes = this.tryCount('quicklist node count')) < 0) yield;
    const h = this.h;
    for (let i = 0; i < nodes; i++) {
      let container: number = QuicklistContainer.Packed;
      if (v2) {
        const at = this.offset;
        while ((container = this.tryPlainLength()) < 0) yield;
        if (container !== QuicklistContainer.Plain && container !== QuicklistContainer.Packed) {
          throw this.bad('BAD_VALUE', 'invalid quicklist node container', at, '1 (PLAIN) or 2 (PACKED)', String(container));
        }
      }
      const at = this.offset;
      if (container === QuicklistContainer.Plain) {
        let bytes;
        if (this.want && h.item) {
          let v;
          while ((v = this.tryString()) === null) yield;
          bytes = v.length;
          this.inHandler = true;
          if (h.itemRange) h.itemRange(v, 0, v.length);
          else h.item(v);
          this.inHandler = false;
        } else while ((bytes = this.deep ? this.tryCheckString() : this.trySkipString()) < 0) yield;
        this.count++;
        if (h.valueNode) this.reportNode(container, bytes, null);
        continue;
      }
      if (v2 && this.countsOnly()) {
        let c;
        while ((c = this.tryListpackCount(RdbType.ListQuicklist2)) === 0) yield;
        if (c === 1) {
          if (h.valueNode) this.reportNode(container, this.countedListpackBytes, null);
          continue;
        }
      }
      let blob;
      while ((blob = this.tryString()) === null) yield;
      this.walkBlob(v2 ? RdbType.ListQuicklist2 : RdbType.ListQuicklist, blob, this.blobAt(at));
      if (h.valueNode) this.reportNode(container, blob.length, null);
    }
  }

  /** Hands one quicklist or stream node's size to the handler's `valueNode`. */
  reportNode(container: number, bytes: number, nodeKey: Uint8Array | null): void {
    this.inHandler = true;
    this.h.valueNode!(container, bytes, nodeKey);
    this.inHandler = false;
  }
}

const SHEBANG = new TextEncoder().encode('#!');

/** The value types stored as blobs (one, or one per quicklist node) that a handler's `blobValue` may take whole. */
const WHOLE_BLOB_TYPES: ReadonlySet<number> = new Set([
  RdbType.HashZipmap,
  RdbType.ListZiplist,
  RdbType.ListQuicklist,
  RdbType.ListQuicklist2,
  RdbType.SetIntset,
  RdbType.ZsetZiplist,
  RdbType.HashZiplist,
  RdbType.HashListpack,
  RdbType.ZsetListpack,
  RdbType.SetListpack,
]);

/** Listpack elements per counted entry, for the types whose value is one listpack (or quicklist nodes of them). */
const LISTPACK_ELEMENTS_PER_ENTRY: Record<number, number> = {
  [RdbType.SetListpack]: 1,
  [RdbType.ListQuicklist2]: 1,
  [RdbType.HashListpack]: 2,
  [RdbType.ZsetListpack]: 2,
  [RdbType.HashListpackEx]: 3,
  [RdbType.HashListpackExPreGa]: 3,
};
const NAME_PREFIX = new TextEncoder().encode(' name=');
/**
 * The element count a blob's header states (FORMATS.md §3.1–§3.4), counted as the decoder
 * counts elements (pairs for hashes and sorted sets, triplets for listpack-ex hashes), or
 * undefined when the header does not state it (65535 / 254 "walk to count"), the header is
 * cut short, or the count is not a whole number of entries (a damaged blob).
 */
function blobHeaderCount(t: number, head: Uint8Array, have: number): number | undefined {
  let count: number;
  let per = 1;
  switch (t) {
    case RdbType.HashZipmap:
      if (have < 1 || head[0] >= 254) return undefined;
      return head[0];
    case RdbType.SetIntset:
      if (have < 8) return undefined;
      return (head[4] | (head[5] << 8) | (head[6] << 16)) + head[7] * 0x1000000;
    case RdbType.ListZiplist:
    case RdbType.ZsetZiplist:
    case RdbType.HashZiplist:
      if (have < 10) return undefined;
      count = head[8] | (head[9] << 8);
      if (t !== RdbType.ListZiplist) per = 2;
      break;
    default:
      if (have < 6) return undefined;
      count = head[4] | (head[5] << 8);
      per = LISTPACK_ELEMENTS_PER_ENTRY[t] ?? 1;
  }
  if (count === 0xffff || count % per !== 0) return undefined;
  return count / per;
}


/**
 * `#!<engine> name=<name>\n<code>`, as Redis 7.0 builds it from a 7.0 RC record. It formats
 * engine and name as C strings, so each is cut at its first NUL byte; the code is kept whole.
 */
function rebuildLibrarySource(engine: Uint8Array, name: Uint8Array, code: Uint8Array): Uint8Array {
  const cut = (b: Uint8Array): Uint8Array => {
    const nul = b.indexOf(0);
    return nul < 0 ? b : b.subarray(0, nul);
  };
  const e = cut(engine);
  const n = cut(name);
  const out = new Uint8Array(SHEBANG.length + e.length + NAME_PREFIX.length + n.length + 1 + code.length);
  let p = 0;
  for (const part of [SHEBANG, e, NAME_PREFIX, n]) {
    out.set(part, p);
    p += part.length;
  }
  out[p++] = 0x0a;
  out.set(code, p);
  return out;
}

function hex64(hi: number, lo: number): string {
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

const NO_BYTES = new Uint8Array(0);

/**
 * The reused per-key record. `key` is materialised on first access from the position where
 * it was read (the window is never rewritten in place, so the range stays valid).
 */
class KeyRecord implements KeyInfo {
  db = 0;
  rdbType = 0;
  valueType: KeyInfo['valueType'] = 'string';
  encoding: KeyInfo['encoding'] = 'raw';
  expireAtMs: number | null = null;
  lruIdleSec: number | undefined = undefined;
  lfuFreq: number | undefined = undefined;
  offset = 0;
  elements = 0;
  onDiskBytes = 0;
  valueBytes = 0;
  moduleName: string | undefined = undefined;
  declaredElements: number | undefined = undefined;
  blobBytes: number | undefined = undefined;
  keyBuf: Uint8Array = NO_BYTES;
  keyFrom = 0;
  keyTo = 0;
  private bytes: Uint8Array | null = NO_BYTES;

  get key(): Uint8Array {
    return this.bytes ?? (this.bytes = this.keyBuf.subarray(this.keyFrom, this.keyTo));
  }

  keyLatin1(): string | undefined {
    const b = this.bytes;
    if (b === null) return latin1Text(this.keyBuf, this.keyFrom, this.keyTo); // a short key, read in place
    return b.length > MAX_LATIN1_TEXT ? undefined : latin1Text(b, 0, b.length);
  }

  set key(v: Uint8Array) {
    this.bytes = v;
    this.keyBuf = v;
    this.keyFrom = 0;
    this.keyTo = v.length;
  }

  /** Records where the key's bytes are, without making a view yet. */
  setKeyRange(buf: Uint8Array, start: number, end: number): void {
    this.keyBuf = buf;
    this.keyFrom = start;
    this.keyTo = end;
    this.bytes = null;
  }
}

/** The error for an RDB whose stored CRC-64 differs from the computed one (located at the trailer). */
export function checksumMismatch(file: string | undefined, e: RdbEnd): RdbtoolError {
  return corrupt('CHECKSUM_MISMATCH', 'CRC-64 checksum mismatch', {
    file,
    offset: e.eofOffset + 1,
    expected: `0x${e.computedChecksum} (computed over bytes 0-${e.eofOffset})`,
    found: `0x${e.storedChecksum}`,
  });
}
