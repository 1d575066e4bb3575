/**
 * RDB primitives over a {@link Reader}: lengths, strings (raw, int-encoded, LZF), doubles,
 * times and stream IDs (FORMATS.md §1.5–§1.8); and their save side, {@link RdbOutput}.
 *
 * Every `try*` method is all-or-nothing: when the bytes are not all there yet it returns the
 * "need more" marker (`-1`, `null` or `false`), leaves `pos` where it was and records in
 * `reader.wanted` how many bytes it needs. The decoder's generators loop on that marker,
 * yielding to the push loop until more input arrives.
 */
import { Reader } from '../io/reader.js';
import { copyBytes, latin1Text } from '../io/bytes.js';
import { corrupt, hexByte, LimitError, RdbtoolError, UsageError, type Doing, type ErrorContext } from '../errors.js';
import { LIMIT_OPTION, type Limits } from '../limits.js';
import { LZF, lzfCompress, lzfDecompress, lzfDecompressPrefix, lzfDecompressRangeInto } from '../binary/lzf.js';
import { lzfCheckRange, lzfDecompressAt, lzfDecompressLatin1, lzfDecompressRange, lzfDecompressView, lzfRingMemory } from '../binary/lzf-wasm.js';
import { intToBytes, parseCanonicalIntValue, writeIntText } from '../binary/int-text.js';
import { Crc64 } from '../binary/crc64.js';
import { RdbEnc } from './constants.js';

const TWO_32 = 4294967296;
/** Strings up to this long are compressed into {@link lzfScratch} (below the pass-through size of {@link RdbOutput.writeBytes}). */
const LZF_SCRATCH_BYTES = 32 * 1024;
const lzfScratch = new Uint8Array(LZF_SCRATCH_BYTES);

/**
 * The largest LZF string value decompressed where a handler asks (`valueTarget`): small ones,
 * where JavaScript's decompression costs no more than WebAssembly's plus the copy it saves.
 */
const TARGET_MAX_BYTES = 1024;

/** LZF scratch ring size (a power of two) and the largest string decompressed into it. */
const SCRATCH_RING = 8;
const SCRATCH_MAX = 1 << 20;

/** Shared cursor state and primitive readers, extended by the decoder. */
export class RdbCursor {
  readonly r = new Reader();
  /** True when the last length read was a special (`11xxxxxx`) encoding id. */
  special = false;
  /** Reused LZF output buffers (a ring, so a field and its value can both be compressed). */
  private readonly scratch: Uint8Array[] = Array.from({ length: SCRATCH_RING }, () => new Uint8Array(256));
  private scratchNext = 0;
  /**
   * High and low 32 bits of the last length (exact 64-bit value), kept as signed 32-bit
   * integers (read them with `>>> 0`): a field that once held a number past 2^31 would change
   * the decoder's layout and throw away all its optimized code in the middle of a file.
   */
  lenHi = 0;
  lenLo = 0;
  /** What the decoder is doing, for error context (plain fields: no allocation per record). */
  doing: Doing = 'read-magic';
  /** Database of the record being read. */
  ctxDb: number | undefined = undefined;
  /** Type byte, label and key of the key being read (undefined outside keys). */
  ctxType: number | undefined = undefined;
  ctxWhat: string | undefined = undefined;
  ctxKey: { readonly key: Uint8Array } | undefined = undefined;

  /** The current error context as an object (built only when an error is made). */
  context(): ErrorContext {
    const c: ErrorContext = { doing: this.doing };
    if (this.ctxDb !== undefined) c.db = this.ctxDb;
    if (this.ctxType !== undefined) c.rdbType = this.ctxType;
    if (this.ctxWhat !== undefined) c.what = this.ctxWhat;
    if (this.ctxKey !== undefined) c.key = copyBytes(this.ctxKey.key);
    return c;
  }

  /**
   * A skipped string whose payload runs past the bytes received so far: where it starts and
   * what was being read. If the input ends before the payload does, the truncation is
   * reported here, exactly where a decoding pass (which waits for the whole string) reports it.
   */
  pendingSkip: { offset: number; context: ErrorContext } | null = null;

  private notePendingSkip(start: number): void {
    this.pendingSkip = { offset: this.r.base + start, context: this.context() };
  }

  /** The smallest byte limit: sizes at or below it pass every check. */
  private readonly smallestLimit: number;

  constructor(
    readonly file: string | undefined,
    readonly limits: Limits,
  ) {
    this.smallestLimit = Math.min(limits.maxStringBytes, limits.maxLzfBytes, limits.maxCollectionLength);
  }

  /** Absolute offset of the next byte. */
  get offset(): number {
    return this.r.base + this.r.pos;
  }

  /** Builds a located corruption error at `offset`. */
  bad(code: Parameters<typeof corrupt>[0], reason: string, offset: number, expected?: string, found?: string) {
    return corrupt(code, reason, { file: this.file, offset, expected, found, context: this.context() });
  }

  /** Checks a declared size against a limit before anything waits for or allocates it. */
  checkLimit(n: number, limit: keyof Limits, what: string, offset: number): void {
    if (n <= this.smallestLimit) return; // the common case, without a keyed lookup
    if (n > this.limits[limit]) {
      throw new LimitError(`${what} of ${n} bytes exceeds the limit of ${this.limits[limit]} (raise it with ${LIMIT_OPTION[limit]})`, {
        file: this.file,
        offset,
        context: this.context(),
      });
    }
  }

  /** Reads one byte, or -1. */
  tryU8(): number {
    const r = this.r;
    if (r.pos >= r.end) return (r.wanted = 1), -1;
    return r.buf[r.pos++];
  }

  /**
   * Reads an RDB length (FORMATS.md §1.5). Returns -1 when more bytes are needed. A special
   * `11xxxxxx` byte returns its 6-bit id with `special` set. 64-bit values above 2^53 lose
   * precision here; `lenHi`/`lenLo` keep them exact.
   * @throws CorruptDataError BAD_LENGTH on `10xxxxxx` forms other than 0x80/0x81.
   */
  tryLength(): number {
    const r = this.r;
    const buf = r.buf;
    const p = r.pos;
    if (p >= r.end) return (r.wanted = 1), -1;
    const b = buf[p];
    switch (b >> 6) {
      case 0:
        r.pos = p + 1;
        this.special = false;
        this.lenHi = 0;
        return (this.lenLo = b);
      case 1:
        if (p + 2 > r.end) return (r.wanted = 2), -1;
        r.pos = p + 2;
        this.special = false;
        this.lenHi = 0;
        return (this.lenLo = ((b & 0x3f) << 8) | buf[p + 1]);
      case 3:
        r.pos = p + 1;
        this.special = true;
        return b & 0x3f;
    }
    if (b === 0x80) {
      if (p + 5 > r.end) return (r.wanted = 5), -1;
      r.pos = p + 5;
      this.special = false;
      this.lenHi = 0;
      this.lenLo = (buf[p + 1] << 24) | (buf[p + 2] << 16) | (buf[p + 3] << 8) | buf[p + 4];
      return this.lenLo >>> 0;
    }
    if (b === 0x81) {
      if (p + 9 > r.end) return (r.wanted = 9), -1;
      r.pos = p + 9;
      this.special = false;
      this.lenHi = (buf[p + 1] << 24) | (buf[p + 2] << 16) | (buf[p + 3] << 8) | buf[p + 4];
      this.lenLo = (buf[p + 5] << 24) | (buf[p + 6] << 16) | (buf[p + 7] << 8) | buf[p + 8];
      return (this.lenHi >>> 0) * TWO_32 + (this.lenLo >>> 0);
    }
    throw this.bad('BAD_LENGTH', 'invalid length encoding', r.base + p, '0x00-0xBF, 0x80, 0x81 or 0xC0-0xFF', hexByte(b));
  }

  /** Like {@link tryLength} but a special encoding is corruption (plain counts and numbers). */
  tryPlainLength(): number {
    const start = this.r.pos;
    const n = this.tryLength();
    if (n >= 0 && this.special) {
      throw this.bad('BAD_LENGTH', 'special string encoding where a length was expected', this.r.base + start, 'a length', hexByte(this.r.buf[start]));
    }
    return n;
  }

  /** The exact value of the last length read, as a bigint. */
  lastLengthBig(): bigint {
    return (BigInt(this.lenHi >>> 0) << 32n) | BigInt(this.lenLo >>> 0);
  }

  /** Reads a count of elements, checked against `maxCollectionLength`. Returns -1 when more bytes are needed. */
  tryCount(what: string): number {
    const at = this.offset;
    const n = this.tryLength();
    if (n > this.limits.maxCollectionLength) {
      throw new LimitError(`${what} of ${n} elements exceeds the limit of ${this.limits.maxCollectionLength} (raise it with ${LIMIT_OPTION.maxCollectionLength})`, {
        file: this.file,
        offset: at,
        context: this.context(),
      });
    }
    return n;
  }

  /**
   * Reads an RDB string (FORMATS.md §1.6): raw, int8/16/32 (returned as decimal text) or LZF
   * (returned decompressed). Returns null when more bytes are needed.
   * @throws CorruptDataError BAD_STRING_ENCODING, LZF_CORRUPT; LimitError on hostile sizes.
   */
  tryString(owned = false): Uint8Array | null {
    return this.tryStringAs(owned ? 2 : 1) as Uint8Array | null;
  }

  /**
   * Reads an RDB string as {@link tryString} does, as a Latin-1 JavaScript string (one char
   * per byte) made straight from the window or the LZF output, without a view. The caller
   * keeps its decoded length within MAX_LATIN1_TEXT. Returns null when more bytes are needed.
   */
  tryStringLatin1(): string | null {
    return this.tryStringAs(3) as string | null;
  }

  /**
   * Reads an RDB string as {@link tryString} does, waiting for all of it and checking it the
   * same way (an LZF string is decompressed), but keeps nothing: its decoded length, or −1
   * when more bytes are needed. For a deep check of values nobody asked for.
   */
  tryCheckString(): number {
    const v = this.tryStringAs(4);
    return v === null ? -1 : (v as number);
  }

  /**
   * Reads an RDB string as {@link tryString} does, without a view: its bytes are
   * `rangeBuf[rangeStart, rangeEnd)` (the window, or where it was decompressed or rendered:
   * valid as a view from {@link tryString} would be). False when more bytes are needed.
   */
  tryStringRange(toTarget = false): boolean {
    return this.tryStringAs(toTarget ? 6 : 5) !== null;
  }

  /**
   * Where the bytes of a whole string value of `length` bytes stored LZF-compressed may be
   * decompressed instead (`tryStringRange(true)`): fills {@link target} and returns true, or
   * false (nothing given: the usual place). The decoder asks its handler.
   */
  protected valueTarget(_length: number): boolean {
    return false;
  }

  /** The place {@link valueTarget} gave: `buf` from `at`. */
  protected readonly target: { buf: Uint8Array; at: number } = { buf: new Uint8Array(0), at: 0 };

  /** Where {@link tryStringRange} writes integer-encoded strings' text, in turn. */
  private readonly intTexts = [new Uint8Array(24), new Uint8Array(24), new Uint8Array(24), new Uint8Array(24)];
  private intTextNext = 0;

  /** Where the last {@link tryStringRange} found the string's bytes. */
  rangeBuf: Uint8Array = new Uint8Array(0);
  rangeStart = 0;
  rangeEnd = 0;

  /** The bytes of a string read by {@link tryStringRange} from `b` (a view of its own). */
  private rangeOf(b: Uint8Array): number {
    this.rangeBuf = b;
    this.rangeStart = 0;
    this.rangeEnd = b.length;
    return b.length;
  }

  /** An RDB string as `form` says (see {@link trySpecialString}), or null when more bytes are needed. */
  private tryStringAs(form: 1 | 2 | 3 | 4 | 5 | 6): Uint8Array | string | number | null {
    const r = this.r;
    const start = r.pos;
    const n = this.tryLength();
    if (n < 0) return null;
    if (!this.special) {
      if (n > r.end - r.pos) {
        this.checkLimit(n, 'maxStringBytes', 'string length', r.base + start);
        r.wanted = r.pos - start + n;
        r.pos = start;
        return null;
      }
      const p = r.pos;
      r.pos = p + n;
      this.lastRawAt = r.base + p;
      if (form >= 5) {
        this.rangeBuf = r.buf;
        this.rangeStart = p;
        this.rangeEnd = p + n;
        return n;
      }
      return form === 4 ? n : form === 3 ? latin1Text(r.buf, p, p + n) : r.buf.subarray(p, p + n);
    }
    this.lastRawAt = -1;
    const v = this.trySpecialString(start, n, form);
    return v === false ? null : v;
  }

  /**
   * Skips an RDB string without materialising it, returning its logical length (decompressed
   * size for LZF), or -1 when more header bytes are needed. The payload itself may still be
   * arriving: the reader drops it as it comes.
   */
  trySkipString(): number {
    const r = this.r;
    const start = r.pos;
    const n = this.tryLength();
    if (n < 0) return -1;
    if (!this.special) {
      this.checkLimit(n, 'maxStringBytes', 'string length', r.base + start);
      r.skip(n);
      if (r.skipLeft > 0) this.notePendingSkip(start);
      return n;
    }
    if (n === RdbEnc.Lzf) {
      const clen = this.tryLength();
      if (clen < 0) return this.rewind(start);
      const ulen = this.tryLength();
      if (ulen < 0) return this.rewind(start);
      this.checkLimit(clen, 'maxStringBytes', 'compressed string length', r.base + start);
      r.skip(clen);
      if (r.skipLeft > 0) this.notePendingSkip(start);
      return ulen;
    }
    const v = this.trySpecialString(start, n, 0);
    return v === false ? -1 : (v as number);
  }

  /**
   * The element count of a listpack stored as an LZF-compressed RDB string, decompressing only
   * its 6-byte header (FORMATS.md §3.4): for a reading that needs nothing but the count (a
   * shallow pass, the values not wanted). Returns the count and consumes the string; -1 when
   * more bytes are needed; -2, consuming nothing, when the header does not settle it (the
   * string is not LZF, the count is "unknown" (65535), the header's total disagrees with the
   * length, or the stream is malformed): the caller then reads the string whole, which
   * checks it fully and reports any damage where it is.
   */
  tryListpackCountOnly(): number {
    const r = this.r;
    const start = r.pos;
    if (start >= r.end) return (r.wanted = 1), -1;
    if (r.buf[start] !== 0xc0 + RdbEnc.Lzf) return -2;
    r.pos = start + 1;
    const clen = this.tryLength();
    if (clen < 0) return this.rewind(start);
    const ulen = this.tryLength();
    if (ulen < 0) return this.rewind(start);
    this.checkLimit(clen, 'maxStringBytes', 'compressed string length', r.base + start);
    this.checkLimit(ulen, 'maxLzfBytes', 'decompressed string length', r.base + start);
    if (clen > r.end - r.pos) {
      r.wanted = r.pos - start + clen;
      r.pos = start;
      return -1;
    }
    const q = r.pos;
    const head = this.lpHead;
    const count = lzfDecompressPrefix(r.buf, head, q, q + clen) ? head[4] | (head[5] << 8) : -1;
    const total = (head[0] | (head[1] << 8) | (head[2] << 16)) + head[3] * 0x1000000;
    if (count < 0 || count === 0xffff || total !== ulen) {
      r.pos = start;
      return -2;
    }
    r.pos = q + clen;
    this.countedListpackBytes = ulen;
    return count;
  }

  /** The decompressed size of the last listpack {@link tryListpackCountOnly} counted. */
  countedListpackBytes = 0;

  /** The listpack header bytes {@link tryListpackCountOnly} decompresses into. */
  private readonly lpHead = new Uint8Array(6);

  protected rewind(start: number): -1 {
    this.r.wanted += this.r.pos - start;
    this.r.pos = start;
    return -1;
  }

  /**
   * Reads the rest of a special-encoded string whose id was just read. `materialise`: 1 bytes
   * (a view, LZF output in a reused buffer), 2 bytes of their own, 3 a Latin-1 string, 4 the
   * logical length once an LZF string is checked by decompressing it (bytes not kept), 5 the
   * length with the bytes' place in `rangeBuf`/`rangeStart`/`rangeEnd`; 0 the logical length
   * without decompressing. Returns false when more bytes are needed (pos rewound to `start`).
   */
  trySpecialString(start: number, id: number, materialise: 0 | 1 | 2 | 3 | 4 | 5 | 6): Uint8Array | number | string | false {
    const r = this.r;
    const buf = r.buf;
    const p = r.pos;
    let v: number;
    switch (id) {
      case RdbEnc.Int8:
        if (p + 1 > r.end) return this.rewindFalse(start, 1);
        v = (buf[p] << 24) >> 24;
        r.pos = p + 1;
        break;
      case RdbEnc.Int16:
        if (p + 2 > r.end) return this.rewindFalse(start, 2);
        v = ((buf[p] | (buf[p + 1] << 8)) << 16) >> 16;
        r.pos = p + 2;
        break;
      case RdbEnc.Int32:
        if (p + 4 > r.end) return this.rewindFalse(start, 4);
        v = buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24);
        r.pos = p + 4;
        break;
      case RdbEnc.Lzf: {
        const clen = this.tryLength();
        if (clen < 0) return this.rewindFalse(start, 0);
        const ulen = this.tryLength();
        if (ulen < 0) return this.rewindFalse(start, 0);
        this.checkLimit(clen, 'maxStringBytes', 'compressed string length', r.base + start);
        this.checkLimit(ulen, 'maxLzfBytes', 'decompressed string length', r.base + start);
        if (clen > r.end - r.pos) return this.rewindFalse(start, clen);
        const q = r.pos;
        r.pos = q + clen;
        if (!materialise) return ulen;
        if (materialise === 4) {
          // Refused before anything is allocated, as below.
          if (ulen > clen * LZF.MAX_EXPANSION) lzfDecompress(buf.subarray(q, q + clen), ulen, { file: this.file, offset: r.base + start });
          lzfCheckRange(buf, q, q + clen, ulen, this.file, r.base + start);
          return ulen;
        }
        // No view of the input and no location object per string: the range call makes the
        // error (the same as lzfDecompress's) only when there is one.
        if (materialise === 6 && ulen <= TARGET_MAX_BYTES && this.valueTarget(ulen)) {
          // Decompressed in JavaScript straight where the handler wants the bytes.
          const t = this.target;
          try {
            lzfDecompressRangeInto(buf, q, q + clen, t.buf, t.at, ulen);
          } catch (err) {
            if (err instanceof RdbtoolError) err.locate({ file: this.file, offset: r.base + start });
            throw err;
          }
          this.rangeBuf = t.buf;
          this.rangeStart = t.at;
          this.rangeEnd = t.at + ulen;
          return ulen;
        }
        if (materialise >= 5) {
          const at = lzfDecompressAt(buf, q, q + clen, ulen, this.file, r.base + start);
          if (at >= 0) {
            this.rangeBuf = lzfRingMemory();
            this.rangeStart = at;
            this.rangeEnd = at + ulen;
            return ulen;
          }
          return this.rangeOf(this.lzfToScratch(buf, q, clen, ulen, start));
        }
        if (materialise === 2 || ulen > SCRATCH_MAX) {
          // A length no input of this size can reach is refused before allocating it (by lzfDecompress, which says so).
          if (ulen > clen * LZF.MAX_EXPANSION) return lzfDecompress(buf.subarray(q, q + clen), ulen, { file: this.file, offset: r.base + start });
          const out = new Uint8Array(ulen);
          lzfDecompressRange(buf, q, q + clen, out, 0, ulen, this.file, r.base + start);
          return materialise === 3 ? latin1Text(out, 0, ulen) : out;
        }
        // Text straight from the decompressor's memory.
        if (materialise === 3) return lzfDecompressLatin1(buf, q, q + clen, ulen, this.file, r.base + start);
        // Read where it was decompressed (short strings), or decompressed into a reused buffer:
        // either is only valid until a few more strings have been read, which covers every
        // callback (values are views valid during the call).
        const inPlace = lzfDecompressView(buf, q, q + clen, ulen, this.file, r.base + start);
        if (inPlace !== null) return inPlace;
        return this.lzfToScratch(buf, q, clen, ulen, start);
      }
      default:
        throw this.bad('BAD_STRING_ENCODING', 'unknown string encoding', r.base + start, 'int8, int16, int32 or LZF (0xC0-0xC3)', hexByte(buf[start]));
    }
    if (!materialise || materialise === 4) return decimalLength(v);
    if (materialise >= 5) {
      // The text in the next buffer of a small ring: a field's stays while its value is read.
      const out = this.intTexts[(this.intTextNext = (this.intTextNext + 1) & 3)];
      this.rangeBuf = out;
      this.rangeStart = 0;
      this.rangeEnd = writeIntText(v, out);
      return this.rangeEnd;
    }
    return materialise === 3 ? String(v) : intToBytes(v);
  }

  /**
   * Decompresses the LZF string at `buf[q, q + clen)` (its header at `start`) into the next
   * buffer of the scratch ring (strings of at most SCRATCH_MAX bytes, or any the ring view
   * could not take); the bytes are valid until a few more strings were read this way.
   */
  private lzfToScratch(buf: Uint8Array, q: number, clen: number, ulen: number, start: number): Uint8Array {
    if (ulen > SCRATCH_MAX) {
      // A length no input of this size can reach is refused before allocating it (by lzfDecompress, which says so).
      if (ulen > clen * LZF.MAX_EXPANSION) return lzfDecompress(buf.subarray(q, q + clen), ulen, { file: this.file, offset: this.r.base + start });
      const out = new Uint8Array(ulen);
      lzfDecompressRange(buf, q, q + clen, out, 0, ulen, this.file, this.r.base + start);
      return out;
    }
    let dst = this.scratch[this.scratchNext];
    if (dst.length < ulen) dst = this.scratch[this.scratchNext] = new Uint8Array(Math.max(ulen, dst.length * 2));
    this.scratchNext = (this.scratchNext + 1) & (SCRATCH_RING - 1);
    lzfDecompressRange(buf, q, q + clen, dst, 0, ulen, this.file, this.r.base + start);
    return dst.subarray(0, ulen);
  }

  private rewindFalse(start: number, more: number): false {
    const r = this.r;
    r.wanted = more === 0 ? r.wanted + (r.pos - start) : r.pos - start + more;
    r.pos = start;
    return false;
  }

  /** Absolute offset of the bytes of the last string read when it was stored raw, else -1. */
  lastRawAt = -1;

  /**
   * Where errors inside a blob just read with {@link tryString} should point: its first byte
   * when stored raw, or the string's own offset `stringAt` when it was decompressed.
   */
  blobAt(stringAt: number): number {
    return this.lastRawAt >= 0 ? this.lastRawAt : stringAt;
  }

  /** Reads `n` raw bytes as a view, or null. */
  tryBytes(n: number): Uint8Array | null {
    const r = this.r;
    if (r.end - r.pos < n) return (r.wanted = n), null;
    const p = r.pos;
    r.pos = p + n;
    return r.buf.subarray(p, p + n);
  }

  /** Reads a signed 64-bit little-endian integer as a number (exact up to 2^53), or NaN when more bytes are needed. */
  tryI64le(): number {
    const r = this.r;
    const p = r.pos;
    if (p + 8 > r.end) return (r.wanted = 8), NaN;
    r.pos = p + 8;
    return readI64le(r.buf, p);
  }

  /** Reads an 8-byte little-endian binary double, or NaN-with-wanted when more bytes are needed (check `ok`). */
  tryF64le(): { ok: boolean; v: number } {
    const r = this.r;
    const p = r.pos;
    if (p + 8 > r.end) return (r.wanted = 8), NEED_F64;
    r.pos = p + 8;
    // Byte by byte: a view only to copy 8 bytes costs more than the copy.
    const b = r.buf;
    F64_BYTES[0] = b[p];
    F64_BYTES[1] = b[p + 1];
    F64_BYTES[2] = b[p + 2];
    F64_BYTES[3] = b[p + 3];
    F64_BYTES[4] = b[p + 4];
    F64_BYTES[5] = b[p + 5];
    F64_BYTES[6] = b[p + 6];
    F64_BYTES[7] = b[p + 7];
    F64_RESULT.v = F64[0];
    return F64_RESULT;
  }
}

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const F64_RESULT = { ok: true, v: 0 };
const NEED_F64 = { ok: false, v: NaN };

/** Reads a signed little-endian int64 as a number (exact within ±2^53). */
export function readI64le(buf: Uint8Array, p: number): number {
  const lo = (buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24)) >>> 0;
  const hi = buf[p + 4] | (buf[p + 5] << 8) | (buf[p + 6] << 16) | (buf[p + 7] << 24);
  return hi * TWO_32 + lo;
}

/** Reads an unsigned big-endian uint64 as a bigint. */
export function readU64beBig(buf: Uint8Array, p: number): bigint {
  const hi = ((buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]) >>> 0;
  const lo = ((buf[p + 4] << 24) | (buf[p + 5] << 16) | (buf[p + 6] << 8) | buf[p + 7]) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Renders a 16-byte raw stream ID (ms BE, seq BE) as `ms-seq`. */
export function rawStreamId(buf: Uint8Array, p: number): string {
  return `${readU64beBig(buf, p)}-${readU64beBig(buf, p + 8)}`;
}

function decimalLength(v: number): number {
  let n = v < 0 ? 2 : 1;
  let a = Math.abs(v);
  while (a >= 10) {
    a = Math.floor(a / 10);
    n++;
  }
  return n;
}

// ---------------------------------------------------------------- the save side

/** Bytes handed to a writer: a `Uint8Array`, or a string of byte values 0–255 (latin1). */
export type ByteInput = Uint8Array | string;

/** Where an {@link RdbOutput} sends its slabs: a {@link ByteSink} or anything with its `write`. */
export interface SlabSink {
  write(data: Uint8Array, done?: () => void): void;
}

/** Options of {@link RdbOutput}. */
export interface RdbOutputOptions {
  /** Compress strings longer than 20 bytes with LZF when it saves space (`rdbcompression`, default true). */
  compression?: boolean;
  /** Compute the CRC-64 (`rdbchecksum`, default true); otherwise the trailer is 8 zero bytes. */
  checksum?: boolean;
  /** Slab size in bytes (default 1 MiB). */
  slabBytes?: number;
}

/** Byte arrays at least this long go to the sink as they are, not through a slab. */
const PASS_THROUGH_BYTES = 64 * 1024;
/** Strings up to this length are tried as integers (Redis: `len <= 11`, FORMATS.md §1.6). */
const INT_STRING_MAX = 11;
/** Strings longer than this are tried with LZF (FORMATS.md §1.6 rule 2). */
const LZF_MIN_EXCLUSIVE = 20;

const INT_SCRATCH = new Uint8Array(INT_STRING_MAX);

/**
 * The value a string is stored as when Redis stores it int-encoded (INT8/16/32, FORMATS.md
 * §1.6 rule 1: at most 11 bytes of canonical decimal that fit 32 bits), or null.
 */
export function intEncodable(s: ByteInput): number | null {
  const n = s.length;
  if (n > INT_STRING_MAX || n === 0) return null;
  let bytes: Uint8Array;
  if (typeof s === 'string') {
    bytes = INT_SCRATCH.subarray(0, n);
    for (let i = 0; i < n; i++) bytes[i] = s.charCodeAt(i);
  } else bytes = s;
  const v = parseCanonicalIntValue(bytes);
  return typeof v === 'number' && v >= -2147483648 && v <= 2147483647 ? v : null;
}

/**
 * The write cursor of an RDB writer, the mirror of {@link RdbCursor}: the save side of the
 * primitives (lengths, strings with their integer and LZF forms, doubles, times, raw IDs),
 * written into large slabs that go to the sink whole, with the CRC-64 of everything written
 * computed as the slabs leave (FORMATS.md §1.5–§1.8, §1.11).
 *
 * Slabs are handed to the sink and not touched again; a slab comes back for reuse when the
 * sink calls the `done` callback. Byte arrays of 64 KiB or more given to {@link writeBytes}
 * go to the sink as they are (not copied): the caller must not change them afterwards.
 */
export class RdbOutput {
  /** Whether long strings are LZF-compressed. */
  readonly compression: boolean;
  private readonly crc: Crc64 | null;
  private readonly slabBytes: number;
  private slab: Buffer;
  private pos = 0;
  /** Bytes that left in earlier slabs or pass-through arrays. */
  private flushed = 0;
  private readonly spare: Buffer[] = [];

  constructor(
    private readonly sink: SlabSink,
    opts: RdbOutputOptions = {},
  ) {
    this.compression = opts.compression ?? true;
    this.crc = opts.checksum === false ? null : new Crc64();
    // At least room for the largest primitive written in one piece (a 16-byte raw ID).
    this.slabBytes = Math.max(64, opts.slabBytes ?? 1 << 20);
    this.slab = Buffer.allocUnsafe(this.slabBytes);
  }

  /** Bytes written so far (the offset of the next byte in the file). */
  get offset(): number {
    return this.flushed + this.pos;
  }

  /** The CRC-64 of everything flushed so far as [hi, lo] (both 0 when checksums are off). */
  checksum(): [number, number] {
    return this.crc === null ? [0, 0] : [this.crc.hi, this.crc.lo];
  }

  /** Makes room for `n` contiguous bytes in the slab (`n` at most the slab size). */
  private room(n: number): void {
    if (this.pos + n > this.slab.length) this.flush();
  }

  /** Hands the filled part of the slab to the sink and starts the next one. */
  flush(): void {
    const n = this.pos;
    if (n === 0) return;
    const full = this.slab;
    this.crc?.update(full, 0, n);
    this.flushed += n;
    this.slab = this.spare.pop() ?? Buffer.allocUnsafe(this.slabBytes);
    this.pos = 0;
    this.sink.write(full.subarray(0, n), () => {
      if (this.spare.length < 2 && full.length === this.slabBytes) this.spare.push(full);
    });
  }

  /** Writes one byte. */
  writeByte(b: number): void {
    if (this.pos >= this.slab.length) this.flush();
    this.slab[this.pos++] = b;
  }

  /** Writes bytes as they are (big arrays pass through without a copy: do not change them afterwards). */
  writeBytes(b: Uint8Array): void {
    const n = b.length;
    if (n >= PASS_THROUGH_BYTES || n > this.slab.length) {
      this.flush();
      this.crc?.update(b, 0, n);
      this.flushed += n;
      this.sink.write(n >= PASS_THROUGH_BYTES ? b : b.slice());
      return;
    }
    this.room(n);
    this.slab.set(b, this.pos);
    this.pos += n;
  }

  /**
   * Copies `b` into the output through the slab, in pieces (never passed through, never a new
   * array): for bytes the caller reuses, such as the parts of a string read from a file.
   */
  copyBytes(b: Uint8Array): void {
    for (let at = 0; at < b.length; ) {
      if (this.pos === this.slab.length) this.flush();
      const take = Math.min(b.length - at, this.slab.length - this.pos);
      this.slab.set(take === b.length ? b : b.subarray(at, at + take), this.pos);
      this.pos += take;
      at += take;
    }
  }

  /** Writes the bytes of a latin1 string (one byte per character). */
  writeLatin1(s: string): void {
    const n = s.length;
    if (n > this.slab.length) {
      this.writeBytes(Buffer.from(s, 'latin1'));
      return;
    }
    this.room(n);
    this.pos += this.slab.write(s, this.pos, n, 'latin1');
  }

  /** Writes bytes given either way. */
  writeRaw(b: ByteInput): void {
    if (typeof b === 'string') this.writeLatin1(b);
    else this.writeBytes(b);
  }

  /**
   * Writes an RDB length in its shortest form (`rdbSaveLen`, FORMATS.md §1.5): 6 bits, 14
   * bits big-endian, `0x80` + u32 BE, or `0x81` + u64 BE.
   * @param n a non-negative safe integer or a bigint below 2^64
   */
  writeLength(n: number | bigint): void {
    if (typeof n === 'bigint') {
      if (n < 0n || n > 0xffffffffffffffffn) throw new UsageError(`RDB length out of range: ${n}`);
      if (n <= 0xffffffffn) return this.writeLength(Number(n));
      this.room(9);
      this.slab[this.pos] = 0x81;
      this.slab.writeBigUInt64BE(n, this.pos + 1);
      this.pos += 9;
      return;
    }
    if (n >>> 0 !== n) {
      if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`RDB length out of range: ${n}`);
      return this.writeLength(BigInt(n));
    }
    if (n < 0x40) {
      this.room(1);
      this.slab[this.pos++] = n;
    } else if (n < 0x4000) {
      this.room(2);
      this.slab[this.pos] = 0x40 | (n >>> 8);
      this.slab[this.pos + 1] = n & 0xff;
      this.pos += 2;
    } else {
      this.room(5);
      this.slab[this.pos] = 0x80;
      this.slab.writeUInt32BE(n, this.pos + 1);
      this.pos += 5;
    }
  }

  /**
   * Writes a string the way Redis's `rdbSaveRawString` does (FORMATS.md §1.6): at most 11
   * bytes of canonical decimal that fit 32 bits become INT8/16/32; otherwise, with
   * compression on and more than 20 bytes, the LZF form when liblzf saves at least 4 bytes
   * (byte for byte Redis's output: {@link lzfCompress}); otherwise length and bytes.
   */
  writeString(s: ByteInput): void {
    const n = s.length;
    const v = intEncodable(s);
    if (v !== null) {
      this.writeIntString(v);
      return;
    }
    if (this.compression && n > LZF_MIN_EXCLUSIVE) {
      const bytes = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
      // Short strings compress into a reused buffer (the result is copied into the slab
      // before the next string: it is shorter than what passes through uncopied).
      const c = lzfCompress(bytes, n <= LZF_SCRATCH_BYTES ? lzfScratch : undefined);
      if (c !== null) {
        this.writeLzfString(c, n);
        return;
      }
    }
    this.writeLength(n);
    this.writeRaw(s);
  }

  /**
   * Writes a string that must not be compressed nor int-encoded (length and bytes), as Redis
   * writes the decimal text of an integer that does not fit 32 bits.
   */
  writePlainString(s: ByteInput): void {
    this.writeLength(s.length);
    this.writeRaw(s);
  }

  /** Writes an integer in the smallest of INT8/INT16/INT32 (`rdbEncodeInteger`; `v` must fit 32 bits). */
  writeIntString(v: number): void {
    this.room(5);
    const s = this.slab;
    const p = this.pos;
    if (v >= -128 && v <= 127) {
      s[p] = 0xc0 | RdbEnc.Int8;
      s[p + 1] = v & 0xff;
      this.pos = p + 2;
    } else if (v >= -32768 && v <= 32767) {
      s[p] = 0xc0 | RdbEnc.Int16;
      s.writeInt16LE(v, p + 1);
      this.pos = p + 3;
    } else {
      s[p] = 0xc0 | RdbEnc.Int32;
      s.writeInt32LE(v, p + 1);
      this.pos = p + 5;
    }
  }

  /** Writes the LZF form of a string: 0xC3, compressed length, original length, data (`rdbSaveLzfBlob`). */
  writeLzfString(compressed: Uint8Array, originalBytes: number): void {
    this.writeByte(0xc0 | RdbEnc.Lzf);
    this.writeLength(compressed.length);
    this.writeLength(originalBytes);
    this.writeBytes(compressed);
  }

  /** Writes a signed 64-bit little-endian integer (`rdbSaveMillisecondTime`: expiry and other times). */
  writeMillis(ms: number | bigint): void {
    this.room(8);
    if (typeof ms === 'bigint') this.slab.writeBigInt64LE(ms, this.pos);
    else {
      if (!Number.isSafeInteger(ms)) throw new UsageError(`time is not an integer number of milliseconds: ${ms}`);
      this.slab.writeBigInt64LE(BigInt(ms), this.pos);
    }
    this.pos += 8;
  }

  /** Writes an 8-byte little-endian IEEE-754 double (`rdbSaveBinaryDoubleValue`). */
  writeBinaryDouble(v: number): void {
    this.room(8);
    this.slab.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** Writes a stream ID as 16 raw bytes, ms then seq, both big-endian (PEL entries, node keys). */
  writeRawStreamId(ms: bigint, seq: bigint): void {
    this.room(16);
    this.slab.writeBigUInt64BE(ms, this.pos);
    this.slab.writeBigUInt64BE(seq, this.pos + 8);
    this.pos += 16;
  }
}
