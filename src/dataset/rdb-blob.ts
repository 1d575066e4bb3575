/**
 * Small collections kept as the RDB stored them until first read. A set, hash, sorted set or
 * list stored as one blob (an intset, listpack, ziplist or zipmap: FORMATS.md §3.1–§3.4) is
 * taken whole by the RDB loader and held, decompressed, as one {@link ByteString} inside its
 * value object (SetValue, HashValue, ZSetValue, ListValue); the value turns it into its own
 * form the first time any of its methods reads it (its size is known without that). A file's
 * keys that nothing reads after loading then cost one string each, about the memory Redis
 * itself gives them, and no time spent making elements.
 *
 * The load still finds everything the element-by-element load finds: the decoder walks the
 * blob's structure before it offers it, and {@link checkRdbBlob} looks for what only the
 * elements tell (a member or field twice, a score that is not a number); a blob failing that
 * is declined, and the element-by-element load reports it with its file and offset as it
 * always did. Turning a checked blob into elements ({@link rdbBlobElements}) cannot fail.
 */
import { RdbType } from '../rdb/constants.js';
import { walkListpack, type ElementVisitor } from '../rdb/blobs/listpack.js';
import { walkZiplist } from '../rdb/blobs/ziplist.js';
import { walkIntset } from '../rdb/blobs/intset.js';
import { walkZipmap } from '../rdb/blobs/zipmap.js';
import { i64le, u32le } from '../binary/layouts.js';
import { parseScore } from '../rdb/values/score.js';
import { fromByteString, toByteString, type ByteString } from './byte-string.js';
import { PACK_MAX_ITEMS, PACK_MAX_ITEM_BYTES } from './pack.js';

/** The elements of a blob: list items, set members, hash fields or sorted-set members, and the hash values or scores in step. */
export interface RdbBlobElements {
  items: ByteString[];
  /** Hash values (hashes only). */
  vals: ByteString[];
  /** Scores (sorted sets only). */
  scores: number[];
}

/** The value type an RDB type stored as one blob (or quicklist nodes of blobs) holds, or null for any other RDB type. */
export function rdbBlobValueType(rdbType: number): 'list' | 'set' | 'hash' | 'zset' | null {
  switch (rdbType) {
    case RdbType.ListZiplist:
    case RdbType.ListQuicklist:
    case RdbType.ListQuicklist2:
      return 'list';
    case RdbType.SetIntset:
    case RdbType.SetListpack:
      return 'set';
    case RdbType.HashZipmap:
    case RdbType.HashZiplist:
    case RdbType.HashListpack:
      return 'hash';
    case RdbType.ZsetZiplist:
    case RdbType.ZsetListpack:
      return 'zset';
    default:
      return null;
  }
}

/**
 * Checks a blob whose structure the decoder has walked and found sound for what its elements
 * say: no set member, hash field or sorted-set member twice, every score a number. Returns the
 * value's size (items, members, fields: pairs count once), or −1 when the check fails or the
 * type is not one {@link rdbBlobValueType} knows.
 */
export function checkRdbBlob(rdbType: number, blob: Uint8Array): number {
  switch (rdbType) {
    case RdbType.SetIntset:
      // The decoder's deep walk checked the values strictly ascending: none twice.
      return u32le(blob, 4);
    case RdbType.ListQuicklist2: {
      // A quicklist node: a listpack whose header count the decoder's walk checked, unless
      // it says "unknown".
      const n = blob[4] | (blob[5] << 8);
      return n !== 0xffff ? n : walkListpack(blob, NOWHERE);
    }
    case RdbType.SetListpack:
      return checkListpack(blob, 1, false);
    case RdbType.HashListpack:
      return checkListpack(blob, 2, false);
    case RdbType.ZsetListpack:
      return checkListpack(blob, 2, true);
    case RdbType.ListZiplist:
    case RdbType.ListQuicklist: {
      // A ziplist (or quicklist node) whose header count the decoder's walk checked, unless it
      // says "unknown".
      const n = blob[8] | (blob[9] << 8);
      return n !== 0xffff ? n : walkZiplist(blob, NOWHERE);
    }
    case RdbType.HashZiplist:
      return checkZiplist(blob, false);
    case RdbType.ZsetZiplist:
      return checkZiplist(blob, true);
    case RdbType.HashZipmap:
      // The zipmap walk itself refuses a field twice.
      return walkZipmap(blob, NOWHERE);
    default:
      return -1;
  }
}

/**
 * The elements of a blob kept by the loader (its bytes as a ByteString), in stored order,
 * as the element-by-element load delivers them: integers as their decimal text, scores as
 * numbers.
 */
export function rdbBlobElements(rdbType: number, raw: ByteString): RdbBlobElements {
  const out: RdbBlobElements = { items: [], vals: [], scores: [] };
  const blob = fromByteString(raw);
  const kind = rdbBlobValueType(rdbType);
  let second = false;
  const visit: ElementVisitor = (s, n) => {
    if (kind === 'zset' && second) out.scores.push(s !== null ? parseScore(s) : Number(n));
    else {
      const v = s !== null ? toByteString(s) : String(n);
      (kind === 'hash' && second ? out.vals : out.items).push(v);
    }
    if (kind === 'hash' || kind === 'zset') second = !second;
  };
  switch (rdbType) {
    case RdbType.SetIntset:
      walkIntset(blob, NOWHERE, (n) => out.items.push(String(n)));
      break;
    case RdbType.SetListpack:
    case RdbType.HashListpack:
    case RdbType.ZsetListpack:
    case RdbType.ListQuicklist2:
      walkListpack(blob, NOWHERE, visit);
      break;
    case RdbType.HashZipmap:
      walkZipmap(blob, NOWHERE, (f, v) => {
        out.items.push(toByteString(f));
        out.vals.push(toByteString(v));
      });
      break;
    default:
      walkZiplist(blob, NOWHERE, visit);
  }
  return out;
}

const F64 = new Float64Array(1);
/** The bytes of {@link F64}, in the platform's order, as the sorted set's pack holds a score. */
const F64_BYTES = new Uint8Array(F64.buffer);

/** The buffer a pack is assembled in (one per process, reused). */
let packBuf: Uint8Array = new Uint8Array(1 << 14);

/**
 * The pack (pack.ts) a listpack or intset blob's elements make in stored order — a sorted
 * set's pairs as member entry then the score's 8 bytes — when the value's small form holds
 * them all: at most PACK_MAX_ITEMS members, fields or items, each (and each hash value) at
 * most PACK_MAX_ITEM_BYTES bytes, a sorted set's pairs in Redis's order (score, then member
 * bytes), integers of at most 53 bits. Null otherwise, and for the other blob kinds: the
 * value is then made from {@link rdbBlobElements}. Made straight from the blob's bytes,
 * without a string per element.
 */
export function rdbBlobPack(rdbType: number, raw: ByteString): ByteString | null {
  switch (rdbType) {
    case RdbType.SetIntset:
      return intsetPack(rawBytes(raw));
    case RdbType.SetListpack:
    case RdbType.ListQuicklist2:
      return listpackPack(raw, rawBytes(raw), 1);
    case RdbType.HashListpack:
      return listpackPack(raw, rawBytes(raw), 2);
    case RdbType.ZsetListpack:
      return listpackPack(raw, rawBytes(raw), 3);
    default:
      return null;
  }
}

/** The bytes a blob's string is read from (reading a Uint8Array beats charCodeAt on a string). */
let rawBuf = Buffer.allocUnsafeSlow(1 << 14);

/** The bytes of `raw`, in {@link rawBuf} (valid until the next call). */
function rawBytes(raw: ByteString): Uint8Array {
  if (raw.length > rawBuf.length) rawBuf = Buffer.allocUnsafeSlow(Math.max(raw.length, rawBuf.length * 2));
  rawBuf.write(raw, 0, raw.length, 'latin1');
  return rawBuf;
}

/** The blob {@link rdbBlobPackCached} was last asked about (its RDB type and bytes), and its answer. */
let cachedType = -1;
let cachedRaw: ByteString | null = null;
let cachedPack: ByteString | null = null;

/**
 * {@link rdbBlobPack}, remembered for the last blob asked about. A value kept as its blob is
 * read through the pack the blob makes without keeping it (a value only read, as an export or
 * a digest reads every value, stays as compact as its blob and leaves no old form behind), and
 * a reader goes through a value's methods several times in a row: they share one pass, and so
 * does the change that then turns the value into its pack.
 */
export function rdbBlobPackCached(rdbType: number, raw: ByteString): ByteString | null {
  if (raw !== cachedRaw || rdbType !== cachedType) {
    cachedPack = rdbBlobPack(rdbType, raw);
    cachedRaw = raw;
    cachedType = rdbType;
  }
  return cachedPack;
}

/** Room for `bytes` more bytes in {@link packBuf} past `used`. */
function packRoom(used: number, bytes: number): Uint8Array {
  if (used + bytes > packBuf.length) {
    let size = packBuf.length * 2;
    while (size < used + bytes) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(packBuf.subarray(0, used));
    packBuf = grown;
  }
  return packBuf;
}

/** Writes the decimal text of a safe integer at `at` of `buf`; returns its length. */
function writeDigits(buf: Uint8Array, at: number, v: number): number {
  const from = at;
  if (v < 0) {
    buf[at++] = 0x2d;
    v = -v;
  }
  let digits = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
  let p = at + digits;
  do {
    buf[--p] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  } while (v > 0);
  return at + digits - from;
}

/** {@link rdbBlobPack} for an intset (values of 16 or 32 bits; 64-bit ones go by elements). */
function intsetPack(src: Uint8Array): ByteString | null {
  const width = src[0];
  const count = src[4] | (src[5] << 8) | (src[6] << 16) | (src[7] << 24);
  if ((width !== 2 && width !== 4) || count < 0 || count > PACK_MAX_ITEMS) return null;
  let buf: Uint8Array = packRoom(0, count * 13);
  let used = 0;
  for (let i = 0, pos = 8; i < count; i++, pos += width) {
    let v = src[pos] | (src[pos + 1] << 8);
    if (width === 2) v = (v << 16) >> 16;
    else v |= (src[pos + 2] << 16) | (src[pos + 3] << 24);
    buf = packRoom(used, 13);
    const len = writeDigits(buf, used + 1, v);
    buf[used] = len;
    used += 1 + len;
  }
  return toByteString(packBuf.subarray(0, used));
}

/**
 * {@link rdbBlobPack} for a listpack (structure already checked): `kind` 1 for items (set
 * members, list items), 2 for a hash's fields and values, 3 for a sorted set's members and
 * scores.
 */
function listpackPack(raw: ByteString, src: Uint8Array, kind: 1 | 2 | 3): ByteString | null {
  const end = raw.length - 1;
  const maxEntries = kind === 1 ? PACK_MAX_ITEMS : 2 * PACK_MAX_ITEMS;
  let buf: Uint8Array = packBuf;
  let used = 0;
  let index = 0;
  // A sorted set's last pair (its member's place in the buffer), for the order check.
  let lastScore = 0;
  let lastMember = -1;
  let lastLen = 0;
  let member = 0;
  let memberLen = 0;
  for (let pos = 6; pos < end; index++) {
    if (index >= maxEntries) return null;
    const b = src[pos];
    let size: number;
    let strStart = -1;
    let len = 0;
    let int = 0;
    if (b < 0x80) {
      // 0xxxxxxx: a 7-bit unsigned integer.
      int = b;
      size = 1;
    } else if (b < 0xc0) {
      // 10xxxxxx: a string of up to 63 bytes.
      len = b & 0x3f;
      strStart = pos + 1;
      size = 1 + len;
    } else if (b < 0xe0) {
      // 110xxxxx yyyyyyyy: a 13-bit signed integer.
      const v = ((b & 0x1f) << 8) | src[pos + 1];
      int = v >= 4096 ? v - 8192 : v;
      size = 2;
    } else if (b < 0xf0) {
      // 1110xxxx yyyyyyyy: a string of up to 4095 bytes.
      len = ((b & 0x0f) << 8) | src[pos + 1];
      strStart = pos + 2;
      size = 2 + len;
    } else {
      // 0xF0 + u32 length: a string; 0xF1–0xF4: integers of 16, 24, 32 and 64 bits.
      const lo = (src[pos + 1] | (src[pos + 2] << 8) | (src[pos + 3] << 16) | (src[pos + 4] << 24)) >>> 0;
      if (b === 0xf0) {
        len = lo;
        strStart = pos + 5;
        size = 5 + len;
      } else if (b === 0xf1) {
        int = ((lo & 0xffff) << 16) >> 16;
        size = 3;
      } else if (b === 0xf2) {
        int = ((lo & 0xffffff) << 8) >> 8;
        size = 4;
      } else if (b === 0xf3) {
        int = lo | 0;
        size = 5;
      } else {
        const hi = src[pos + 5] | (src[pos + 6] << 8) | (src[pos + 7] << 16) | (src[pos + 8] << 24);
        int = hi * 0x100000000 + lo;
        if (!Number.isSafeInteger(int)) return null;
        size = 9;
      }
    }
    // Past the element and its backlen (1 byte up to 127, then one more per 7 bits).
    pos += size + (size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5);
    if (kind === 3 && (index & 1) === 1) {
      const score = strStart < 0 ? int : textScore(raw, src, strStart, len);
      if (lastMember >= 0 && !(lastScore < score || (lastScore === score && bytesBefore(buf, lastMember, lastLen, member, memberLen)))) return null;
      lastScore = score;
      lastMember = member;
      lastLen = memberLen;
      buf = packRoom(used, 8);
      F64[0] = score;
      for (let i = 0; i < 8; i++) buf[used + i] = F64_BYTES[i];
      used += 8;
      continue;
    }
    // An entry: its length, then its bytes.
    if (strStart >= 0) {
      if (len > PACK_MAX_ITEM_BYTES) return null;
      buf = packRoom(used, 1 + len);
      for (let i = 0; i < len; i++) buf[used + 1 + i] = src[strStart + i];
    } else {
      buf = packRoom(used, 1 + 21);
      len = writeDigits(buf, used + 1, int);
    }
    buf[used] = len;
    member = used + 1;
    memberLen = len;
    used += 1 + len;
  }
  if (kind !== 1 && (index & 1) !== 0) return null;
  return toByteString(buf.subarray(0, used));
}

/** A score stored as text (`raw`, its bytes in `src`), as the element-by-element load reads it (parseScore). */
function textScore(raw: ByteString, src: Uint8Array, start: number, len: number): number {
  // Plain decimals (an optional minus, digits, an optional fraction) read as they are.
  let i = start;
  const end = start + len;
  if (i < end && src[i] === 0x2d) i++;
  const digitsFrom = i;
  while (i < end && isDigit(src[i])) i++;
  let plain = i > digitsFrom;
  if (plain && i < end && src[i] === 0x2e) {
    const fracFrom = ++i;
    while (i < end && isDigit(src[i])) i++;
    plain = i > fracFrom;
  }
  const text = raw.slice(start, end);
  return plain && i === end ? Number(text) : parseScore(fromByteString(text));
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** True when the bytes at `a` (`aLen` long) come before those at `b` in byte order (a prefix first). */
function bytesBefore(buf: Uint8Array, a: number, aLen: number, b: number, bLen: number): boolean {
  const n = Math.min(aLen, bLen);
  for (let i = 0; i < n; i++) if (buf[a + i] !== buf[b + i]) return buf[a + i] < buf[b + i];
  return aLen < bLen;
}

/** Location for walks of blobs already checked (they throw nothing). */
const NOWHERE = { offset: 0 };

/**
 * The elements being checked for duplicates, in a hash table as they come: a string element
 * by its place in the blob (not copied), an integer by its decimal text (written to a small
 * buffer of its own), so that an integer and a string spelling it are the same element, as
 * the element-by-element load sees them.
 */
class Entries {
  private blob: Uint8Array = new Uint8Array(0);
  /** Decimal text of the integer elements. */
  private text: Uint8Array = new Uint8Array(1 << 12);
  private textUsed = 0;
  /** Per entry: where its bytes start (≥ 0 in the blob, −1 − position in `text`), their length and hash. */
  private starts: Int32Array = new Int32Array(256);
  private lens: Int32Array = new Int32Array(256);
  private hashes: Int32Array = new Int32Array(256);
  private n = 0;
  /** Open-addressing table of entry number + 1 (0 free), at most half full. */
  private slots: Int32Array = new Int32Array(512);
  private size = 16;
  /** True once an entry came twice. */
  twice = false;

  /**
   * Starts over for the elements of `blob`, about `expected` of them (the blob's header count,
   * when it has one): the table is made that large at once rather than doubled on the way.
   */
  reset(blob: Uint8Array, expected = 0): void {
    this.blob = blob;
    this.textUsed = 0;
    this.n = 0;
    this.twice = false;
    let size = 16;
    while (size < expected * 2 && size < MAX_PRESIZE) size *= 2;
    this.size = size;
    if (size > this.slots.length) this.slots = new Int32Array(size);
    this.slots.fill(0, 0, size);
  }

  /** Adds the string element at `start` (`len` bytes) of the blob. */
  addBytes(start: number, len: number): void {
    const b = this.blob;
    let h = 0x811c9dc5;
    for (let k = start, end = start + len; k < end; k++) h = Math.imul(h ^ b[k], 0x01000193);
    this.insert(start, len, h);
  }

  /** Adds an integer element, as its decimal text. */
  addInt(v: number | bigint): void {
    if (this.textUsed + 21 > this.text.length) {
      const grown = new Uint8Array(this.text.length * 2);
      grown.set(this.text.subarray(0, this.textUsed));
      this.text = grown;
    }
    const at = this.textUsed;
    let len: number;
    if (typeof v === 'number' && Number.isSafeInteger(v)) len = writeDigits(this.text, at, v);
    else {
      const digits = String(v);
      len = digits.length;
      for (let i = 0; i < len; i++) this.text[at + i] = digits.charCodeAt(i);
    }
    this.textUsed = at + len;
    const t = this.text;
    let h = 0x811c9dc5;
    for (let k = at; k < at + len; k++) h = Math.imul(h ^ t[k], 0x01000193);
    this.insert(-1 - at, len, h);
  }

  private insert(start: number, len: number, h: number): void {
    h ^= h >>> 15;
    const e = this.n;
    if (e === this.starts.length) {
      this.starts = grow(this.starts);
      this.lens = grow(this.lens);
      this.hashes = grow(this.hashes);
    }
    this.starts[e] = start;
    this.lens[e] = len;
    this.hashes[e] = h;
    this.n = e + 1;
    if ((e + 1) * 2 > this.size) this.rehash();
    else this.place(e);
  }

  /** Puts entry `e` in the table, noting a duplicate when an equal entry is there. */
  private place(e: number): void {
    const slots = this.slots;
    const mask = this.size - 1;
    const h = this.hashes[e];
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const other = slots[slot];
      if (other === 0) {
        slots[slot] = e + 1;
        return;
      }
      if (this.hashes[other - 1] === h && this.same(e, other - 1)) this.twice = true;
    }
  }

  /** A table twice as large, the entries placed again. */
  private rehash(): void {
    this.size *= 2;
    if (this.size > this.slots.length) this.slots = new Int32Array(this.size);
    this.slots.fill(0, 0, this.size);
    for (let e = 0; e < this.n; e++) this.place(e);
  }

  /** True when entries `a` and `b` hold the same bytes. */
  private same(a: number, b: number): boolean {
    const len = this.lens[a];
    if (this.lens[b] !== len) return false;
    const sa = this.starts[a];
    const sb = this.starts[b];
    const ba = sa >= 0 ? this.blob : this.text;
    const bb = sb >= 0 ? this.blob : this.text;
    const oa = sa >= 0 ? sa : -1 - sa;
    const ob = sb >= 0 ? sb : -1 - sb;
    for (let k = 0; k < len; k++) if (ba[oa + k] !== bb[ob + k]) return false;
    return true;
  }
}

function grow(a: Int32Array): Int32Array {
  const out = new Int32Array(a.length * 2);
  out.set(a);
  return out;
}

const entries = new Entries();

/** The largest table {@link Entries.reset} makes up front (a header count is the file's word). */
const MAX_PRESIZE = 1 << 12;

/**
 * {@link checkRdbBlob} for a listpack (structure already checked): elements taken `step` at a
 * time, the first of each checked for duplicates, the second a score when `scored`.
 */
function checkListpack(blob: Uint8Array, step: 1 | 2, scored: boolean): number {
  const end = blob.length - 1;
  const e = entries;
  const count = blob[4] | (blob[5] << 8);
  e.reset(blob, count === 0xffff ? 0 : count / step);
  let pos = 6;
  let index = 0;
  while (pos < end) {
    const b = blob[pos];
    const first = step === 1 || (index & 1) === 0;
    let size: number;
    if (b < 0x80) {
      // 0xxxxxxx: a 7-bit unsigned integer.
      size = 1;
      if (first) e.addInt(b);
    } else if (b < 0xc0) {
      // 10xxxxxx: a string of up to 63 bytes.
      const len = b & 0x3f;
      size = 1 + len;
      if (first) e.addBytes(pos + 1, len);
      else if (scored && !isScore(blob, pos + 1, len)) return -1;
    } else if (b < 0xe0) {
      // 110xxxxx yyyyyyyy: a 13-bit signed integer.
      size = 2;
      if (first) {
        const raw = ((b & 0x1f) << 8) | blob[pos + 1];
        e.addInt(raw >= 4096 ? raw - 8192 : raw);
      }
    } else if (b < 0xf0) {
      // 1110xxxx yyyyyyyy: a string of up to 4095 bytes.
      const len = ((b & 0x0f) << 8) | blob[pos + 1];
      size = 2 + len;
      if (first) e.addBytes(pos + 2, len);
      else if (scored && !isScore(blob, pos + 2, len)) return -1;
    } else if (b === 0xf0) {
      // 0xF0 + u32 length: a longer string.
      const len = u32le(blob, pos + 1);
      size = 5 + len;
      if (first) e.addBytes(pos + 5, len);
      else if (scored && !isScore(blob, pos + 5, len)) return -1;
    } else {
      // 0xF1–0xF4: integers of 16, 24, 32 and 64 bits.
      const p = pos + 1;
      let v: number | bigint;
      if (b === 0xf1) {
        size = 3;
        v = ((blob[p] | (blob[p + 1] << 8)) << 16) >> 16;
      } else if (b === 0xf2) {
        size = 4;
        v = ((blob[p] | (blob[p + 1] << 8) | (blob[p + 2] << 16)) << 8) >> 8;
      } else if (b === 0xf3) {
        size = 5;
        v = blob[p] | (blob[p + 1] << 8) | (blob[p + 2] << 16) | (blob[p + 3] << 24);
      } else {
        size = 9;
        v = i64le(blob, p);
      }
      if (first) e.addInt(v);
    }
    // The backlen after the element: 1 byte up to 127, then one more per 7 bits.
    pos += size + (size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5);
    index++;
  }
  if (index % step !== 0 || e.twice) return -1;
  return index / step;
}

/** {@link checkRdbBlob} for a hash or sorted-set ziplist (structure already checked). */
function checkZiplist(blob: Uint8Array, scored: boolean): number {
  const e = entries;
  e.reset(blob);
  let index = 0;
  let bad = false;
  walkZiplist(blob, NOWHERE, (s, n) => {
    if ((index++ & 1) === 0) {
      // A string element is a view of the blob: its place there.
      if (s !== null) e.addBytes(s.byteOffset - blob.byteOffset, s.length);
      else e.addInt(n);
    } else if (scored && s !== null && !isScore(s, 0, s.length)) bad = true;
  });
  if (bad || (index & 1) !== 0 || e.twice) return -1;
  return index / 2;
}

/** True when the bytes `b[start … start + len)` are a score the loader accepts (see parseScore). */
function isScore(b: Uint8Array, start: number, len: number): boolean {
  // Plain decimals (an optional minus, digits, an optional fraction): the usual case.
  let i = start;
  const end = start + len;
  if (i < end && b[i] === 0x2d) i++;
  const digitsFrom = i;
  while (i < end && b[i] >= 0x30 && b[i] <= 0x39) i++;
  if (i > digitsFrom && i < end && b[i] === 0x2e) {
    i++;
    const fracFrom = i;
    while (i < end && b[i] >= 0x30 && b[i] <= 0x39) i++;
    if (i === fracFrom) i = -1;
  }
  if (i === end && end > digitsFrom) return true;
  return !Number.isNaN(parseScore(b.subarray(start, end)));
}
