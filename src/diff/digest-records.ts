/**
 * Digest records: one key's name and parts (key-parts.ts) as a few dozen bytes, written into
 * batches that go from a digester to the comparison — in the same thread, or from a worker
 * thread as transferred buffers — and kept as they are in the comparison's table
 * (digest-table.ts).
 *
 * Layout (integers little-endian):
 *
 *     flags   u8       bit 0: an expiry follows; bit 1: a meta digest follows; bits 4–5: the
 *                      table's state of the entry (0 in a batch)
 *     hash    u32      hash of the name bytes below (db and key), set by the table when the
 *                      record goes there (0 in a batch)
 *     db      varint   7 bits a byte, low first
 *     keyLen  varint
 *     key     keyLen bytes
 *     type    u8       TYPE_CODE (key-parts.ts)
 *     enc     u8       ENCODING_CODE, 0 when encodings are not compared
 *     what    u8       the table's mask of differing parts (0 in a batch)
 *     type2   u8       the table's: the other input's type (0 in a batch)
 *     value   u32 u32
 *     expiry  f64      when flag bit 0
 *     meta    u32 u32  when flag bit 1
 *     offset  u32 u32  in a batch only: where the key's record starts in its file, low and
 *                      high 32 bits (all ones: unknown), for errors
 *
 * The name bytes (db varint to the end of the key) are the same bytes for the same (db, key),
 * so two records name the same key exactly when those bytes are equal.
 */
import type { ByteString } from '../dataset/byte-string.js';
import type { KeyParts } from './key-parts.js';

/** Flag bits. */
export const FLAG_EXPIRY = 1;
export const FLAG_META = 2;

/** Offsets within a record. */
export const HASH_AT = 1;
export const NAME_AT = 5;

/** Bytes of a record after its key: type, enc, what, type2, value. */
const FIXED_TAIL = 12;

/** Largest record of a key of `keyLen` bytes, offset included. */
export function maxRecordBytes(keyLen: number): number {
  return NAME_AT + 10 + 5 + keyLen + FIXED_TAIL + 8 + 8 + 8;
}

/** Batch size: a batch is handed over once it holds this much. */
export const BATCH_BYTES = 512 * 1024;

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);

/** Where finished batches go. */
export interface BatchSink {
  /**
   * Takes a batch (`bytes[0, length)`); returns a buffer of at least {@link BATCH_BYTES}
   * bytes to write the next batch into (the same one when it was consumed at once).
   */
  push(bytes: Uint8Array, length: number): Uint8Array;
  /** Resolves when the sink can take more (awaited between input chunks). */
  drain(): Promise<void> | void;
}

/** Writes digest records into batches. */
export class RecordWriter {
  private buf: Uint8Array;
  private pos = 0;
  /** Records written. */
  records = 0;

  constructor(private readonly sink: BatchSink) {
    this.buf = new Uint8Array(BATCH_BYTES);
  }

  /**
   * Writes the record of key `key` (bytes, or a byte string) of database `db` with parts `p`;
   * `offset` is where the key is in its file (−1 when unknown). The key is `key[from, to)`
   * (all of it by default).
   */
  write(db: number, key: Uint8Array | ByteString, p: KeyParts, offset: number, from = 0, to = key.length): void {
    const keyLen = to - from;
    const need = maxRecordBytes(keyLen);
    if (this.pos + need > this.buf.length) {
      this.flush();
      if (need > this.buf.length) this.buf = new Uint8Array(need);
    }
    const b = this.buf;
    const start = this.pos;
    let i = start + NAME_AT;
    i = putVarint(b, i, db);
    i = putVarint(b, i, keyLen);
    if (typeof key === 'string') for (let j = 0; j < keyLen; j++) b[i + j] = key.charCodeAt(from + j);
    else if (keyLen < 64) for (let j = 0; j < keyLen; j++) b[i + j] = key[from + j];
    else b.set(from === 0 && to === key.length ? key : key.subarray(from, to), i);
    i += keyLen;
    b[start + 1] = b[start + 2] = b[start + 3] = b[start + 4] = 0;
    let flags = 0;
    b[i++] = p.type;
    b[i++] = p.encoding;
    b[i++] = 0;
    b[i++] = 0;
    i = putU32(b, i, p.v1);
    i = putU32(b, i, p.v2);
    if (p.expireAtMs !== null) {
      flags |= FLAG_EXPIRY;
      i = putF64(b, i, p.expireAtMs);
    }
    if (p.hasMeta) {
      flags |= FLAG_META;
      i = putU32(b, i, p.m1);
      i = putU32(b, i, p.m2);
    }
    b[start] = flags;
    if (offset < 0) {
      i = putU32(b, i, 0xffffffff);
      i = putU32(b, i, 0xffffffff);
    } else {
      i = putU32(b, i, offset);
      i = putU32(b, i, Math.floor(offset / 0x100000000));
    }
    this.pos = i;
    this.records++;
  }

  /** Hands the records written so far to the sink. */
  flush(): void {
    if (this.pos === 0) return;
    const len = this.pos;
    this.pos = 0;
    const next = this.sink.push(this.buf, len);
    this.buf = next.length >= BATCH_BYTES ? next : new Uint8Array(BATCH_BYTES);
  }

  /** Waits while the sink is full (between input chunks). */
  drain(): Promise<void> | void {
    return this.sink.drain();
  }
}

function putVarint(b: Uint8Array, i: number, n: number): number {
  while (n >= 0x80) {
    b[i++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  b[i++] = n;
  return i;
}

function putU32(b: Uint8Array, i: number, n: number): number {
  b[i] = n;
  b[i + 1] = n >>> 8;
  b[i + 2] = n >>> 16;
  b[i + 3] = n >>> 24;
  return i + 4;
}

function putF64(b: Uint8Array, i: number, x: number): number {
  F64[0] = x;
  for (let j = 0; j < 8; j++) b[i + j] = F64_BYTES[j];
  return i + 8;
}

/** Reads a u32 at `i`. */
export function getU32(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

/** Reads a batch record's offset at `i` (−1 when unknown). */
export function getOffset(b: Uint8Array, i: number): number {
  const lo = getU32(b, i);
  const hi = getU32(b, i + 4);
  return hi === 0xffffffff ? -1 : hi * 0x100000000 + lo;
}

/**
 * The fields of one record, as {@link readRecord} found them (reused: one object per
 * reader). Positions are absolute in the record's buffer.
 */
export class RecordView {
  db = 0;
  keyAt = 0;
  keyLen = 0;
  /** End of the name bytes (= the type byte). */
  nameEnd = 0;
  /** End of the parts (where a batch record's offset starts; a table record's end). */
  partsEnd = 0;
}

/** Reads the record at `at` of `b` into `v`. */
export function readRecord(b: Uint8Array, at: number, v: RecordView): void {
  let i = at + NAME_AT;
  let db = 0;
  let mul = 1;
  let c: number;
  do {
    c = b[i++];
    db += (c & 0x7f) * mul;
    mul *= 0x80;
  } while (c >= 0x80);
  let len = 0;
  mul = 1;
  do {
    c = b[i++];
    len += (c & 0x7f) * mul;
    mul *= 0x80;
  } while (c >= 0x80);
  v.db = db;
  v.keyAt = i;
  v.keyLen = len;
  i += len;
  v.nameEnd = i;
  const flags = b[at];
  v.partsEnd = i + FIXED_TAIL + (flags & FLAG_EXPIRY ? 8 : 0) + (flags & FLAG_META ? 8 : 0);
}

/** Offsets from {@link RecordView.nameEnd}. */
export const TYPE_OFF = 0;
export const ENC_OFF = 1;
export const WHAT_OFF = 2;
export const TYPE2_OFF = 3;
export const VALUE_OFF = 4;
/** The expiry or (without one) the meta digest. */
export const OPTIONAL_OFF = 12;
