/**
 * RDB primitives over a {@link Reader}: lengths, strings (raw, int-encoded, LZF), doubles,
 * times and stream IDs (FORMATS.md §1.5–§1.8).
 *
 * Every `try*` method is all-or-nothing: when the bytes are not all there yet it returns the
 * "need more" marker (`-1`, `null` or `false`), leaves `pos` where it was and records in
 * `reader.wanted` how many bytes it needs. The decoder's generators loop on that marker,
 * yielding to the push loop until more input arrives.
 */
import { Reader } from '../io/reader.js';
import { copyBytes } from '../io/bytes.js';
import { corrupt, hexByte, LimitError, type Doing, type ErrorContext } from '../errors.js';
import { LIMIT_OPTION, type Limits } from '../limits.js';
import { lzfDecompress, lzfDecompressInto, lzfDecompressPrefix } from '../binary/lzf.js';
import { intToBytes } from '../binary/int-text.js';
import { RdbEnc } from './constants.js';

const TWO_32 = 4294967296;
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
  /** High and low 32 bits of the last 9-byte length (exact 64-bit value). */
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
      return (this.lenLo = ((buf[p + 1] << 24) | (buf[p + 2] << 16) | (buf[p + 3] << 8) | buf[p + 4]) >>> 0);
    }
    if (b === 0x81) {
      if (p + 9 > r.end) return (r.wanted = 9), -1;
      r.pos = p + 9;
      this.special = false;
      this.lenHi = ((buf[p + 1] << 24) | (buf[p + 2] << 16) | (buf[p + 3] << 8) | buf[p + 4]) >>> 0;
      this.lenLo = ((buf[p + 5] << 24) | (buf[p + 6] << 16) | (buf[p + 7] << 8) | buf[p + 8]) >>> 0;
      return this.lenHi * TWO_32 + this.lenLo;
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
    return (BigInt(this.lenHi) << 32n) | BigInt(this.lenLo);
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
      return r.buf.subarray(p, p + n);
    }
    this.lastRawAt = -1;
    const v = this.trySpecialString(start, n, owned ? 2 : 1);
    return v === false ? null : (v as Uint8Array);
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
    const count = lzfDecompressPrefix(r.buf.subarray(q, q + clen), head) ? head[4] | (head[5] << 8) : -1;
    const total = (head[0] | (head[1] << 8) | (head[2] << 16)) + head[3] * 0x1000000;
    if (count < 0 || count === 0xffff || total !== ulen) {
      r.pos = start;
      return -2;
    }
    r.pos = q + clen;
    return count;
  }

  /** The listpack header bytes {@link tryListpackCountOnly} decompresses into. */
  private readonly lpHead = new Uint8Array(6);

  private rewind(start: number): -1 {
    this.r.wanted += this.r.pos - start;
    this.r.pos = start;
    return -1;
  }

  /**
   * Reads the rest of a special-encoded string whose id was just read. With `materialise`
   * false, returns the logical length instead of bytes (int forms only; LZF is handled by the
   * caller in that case). Returns false when more bytes are needed (pos rewound to `start`).
   */
  trySpecialString(start: number, id: number, materialise: 0 | 1 | 2): Uint8Array | number | false {
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
        const src = buf.subarray(q, q + clen);
        const at = { file: this.file, offset: r.base + start };
        if (materialise === 2 || ulen > SCRATCH_MAX) return lzfDecompress(src, ulen, at);
        // Decompress into a reused buffer: the result is only valid until a few more strings
        // have been read, which covers every callback (values are views valid during the call).
        let dst = this.scratch[this.scratchNext];
        if (dst.length < ulen) dst = this.scratch[this.scratchNext] = new Uint8Array(Math.max(ulen, dst.length * 2));
        this.scratchNext = (this.scratchNext + 1) & (SCRATCH_RING - 1);
        const view = dst.subarray(0, ulen);
        lzfDecompressInto(src, view, at);
        return view;
      }
      default:
        throw this.bad('BAD_STRING_ENCODING', 'unknown string encoding', r.base + start, 'int8, int16, int32 or LZF (0xC0-0xC3)', hexByte(buf[start]));
    }
    if (!materialise) return decimalLength(v);
    return intToBytes(v);
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
    F64_BYTES.set(r.buf.subarray(p, p + 8));
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
