/**
 * The comparison's table: digest records (digest-records.ts) of keys seen in one input and not
 * yet in the other. A record of either input looks its key up: when the other input's record
 * is there, the two are compared and the entry goes (identical) or stays marked as changed;
 * otherwise the record goes in, to wait for its key in the other input. Whatever is left at
 * the end is the difference: keys of the first input only (removed), of the second only
 * (added), and changed keys. The inputs may be read one after the other, or both at once in
 * any interleaving: with two copies of the same data read side by side the table stays small
 * (a key waits only until the other reader reaches it), and with the keys in unrelated orders
 * it holds about half of them at its peak.
 *
 * Memory, per key held: its record — 17 bytes, the key, its database number and length as
 * varints (1 byte each below 128), 8 more with an expiry, 8 more with a meta digest (a hash
 * with field TTLs, a stream with groups), rounded up to 8 bytes — in chunks of up to 16 MiB,
 * plus 8 bytes per slot of an open-addressing index (the record's place and its name hash)
 * kept at most half full: 16–32 bytes per key. A key of 11 bytes without expiry: 32 + 16–32,
 * about 50–65 bytes. Records of keys that left are reclaimed when they outweigh the live ones.
 */
import { CorruptDataError } from '../errors.js';
import { copyBytes } from '../io/bytes.js';
import {
  ENC_OFF,
  FLAG_EXPIRY,
  FLAG_META,
  getOffset,
  HASH_AT,
  NAME_AT,
  OPTIONAL_OFF,
  readRecord,
  RecordView,
  TYPE2_OFF,
  TYPE_OFF,
  VALUE_OFF,
  WHAT_OFF,
} from './digest-records.js';
import { TYPE_CODE } from './key-parts.js';
import { hashName } from './hash64.js';

/** Bits of a changed key's mask of differing parts. */
export const WHAT = { type: 1, value: 2, expiry: 4, fieldExpiry: 8, streamGroups: 16, encoding: 32 } as const;

/** The state of an entry, in bits 4–5 of its flags: seen in the first input only, the second only, or both (and different). */
export const STATE_FIRST = 0;
export const STATE_SECOND = 1;
export const STATE_CHANGED = 2;

/** Largest chunk, and the unit of record places (8 bytes). */
const CHUNK_BITS = 24;
const MAX_CHUNK = 1 << CHUNK_BITS;
const UNIT_BITS = CHUNK_BITS - 3;
const UNIT_MASK = (1 << UNIT_BITS) - 1;
/** Chunks a table may have (a place is a 32-bit number: chunk, then unit). */
const MAX_CHUNKS = 1 << (32 - UNIT_BITS);
const FIRST_CHUNK = 64 * 1024;
/** Dead record bytes past which (and past the live ones) the records are compacted. */
const COMPACT_MIN = 32 << 20;

/** Options of {@link DigestTable}. */
export interface DigestTableOptions {
  /** Compare encodings too. */
  encodings?: boolean;
  /** Leave expiries and hash field TTLs out. */
  ignoreTtl?: boolean;
  /** Dead record bytes past which (and past the live ones) the records are compacted (default 32 MiB). */
  compactMinBytes?: number;
}

/** One entry left in the table, as {@link DigestTable.entries} lists them. */
export interface TableEntry {
  db: number;
  /** The key's bytes (a copy). */
  key: Uint8Array;
  state: number;
  /** Type code of the first input's key (changed), or of the only one's (added, removed). */
  type: number;
  /** Type code of the second input's key (changed only; 0 otherwise). */
  type2: number;
  /** {@link WHAT} bits (changed only). */
  what: number;
}

/** See the module notes. */
export class DigestTable {
  private chunks: Uint8Array[] = [];
  private chunk: Uint8Array = new Uint8Array(0);
  private fill = 0;
  private nextChunkBytes = FIRST_CHUNK;
  /** Two words per slot: the record's place + 1 (0: free), the name hash. */
  private slots = new Uint32Array(2 * 16);
  private mask = 15;
  private live = 0;
  private liveBytes = 0;
  private deadBytes = 0;
  private readonly t = new RecordView();
  private readonly encodings: boolean;
  private readonly ignoreTtl: boolean;
  private readonly compactMin: number;
  /** Seed of the name hash, drawn per table: no input can be made to collide on purpose. */
  private readonly seed = (Math.random() * 0x100000000) | 0;
  /** Keys that met their match here and were identical. */
  same = 0;

  constructor(opts: DigestTableOptions = {}) {
    this.encodings = opts.encodings ?? false;
    this.ignoreTtl = opts.ignoreTtl ?? false;
    this.compactMin = opts.compactMinBytes ?? COMPACT_MIN;
  }

  /** Keys held (waiting or changed). */
  get size(): number {
    return this.live;
  }

  /** Bytes of memory the table holds (records, dead ones included, and index). */
  get memoryBytes(): number {
    let n = this.slots.byteLength;
    for (const c of this.chunks) n += c.byteLength;
    return n;
  }

  /**
   * Takes the record at `b[at]` (read into `v`) of input `side` (0: the first, 1: the second):
   * compared with the other input's record of the same key when the table holds one (which
   * then leaves, or stays marked changed), else put in to wait for it. True when it met the
   * other input's record.
   * @param file the input's name, for errors
   * @throws CorruptDataError when the input brings a key a second time (as far as the table
   *   can tell: a key that met its match and was identical has left it)
   */
  put(side: 0 | 1, b: Uint8Array, at: number, v: RecordView, file: string): boolean {
    const h = this.nameHash(b, at, v);
    const slots = this.slots;
    const mask = this.mask;
    const nameAt = at + NAME_AT;
    const nameLen = v.nameEnd - nameAt;
    const chunks = this.chunks;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const ref = slots[2 * i];
      if (ref === 0) break;
      if (slots[2 * i + 1] !== h) continue;
      const place = ref - 1;
      const c = chunks[place >>> UNIT_BITS];
      const off = (place & UNIT_MASK) << 3;
      if (!sameBytes(c, off + NAME_AT, b, nameAt, nameLen)) continue;
      this.match(side, i, c, off, b, at, v, file);
      return true;
    }
    this.insert(side, b, at, v.partsEnd - at, h);
    return false;
  }

  /**
   * Puts in the record at `b[at]` (read into `v`) as a changed key, without a lookup: the
   * caller compared it with the other input's record (`what` from {@link compare}; the types
   * of the first and second input's records).
   */
  putChanged(b: Uint8Array, at: number, v: RecordView, what: number, first: number, second: number): void {
    const place = this.insert(STATE_CHANGED, b, at, v.partsEnd - at, this.nameHash(b, at, v));
    const c = this.chunks[place >>> UNIT_BITS];
    const tail = ((place & UNIT_MASK) << 3) + (v.nameEnd - at);
    c[tail + TYPE_OFF] = first;
    c[tail + TYPE2_OFF] = second;
    c[tail + WHAT_OFF] = what;
  }

  /** The key of the record at `b[at]` is in slot `i` (record at `c[off]`). */
  private match(side: 0 | 1, i: number, c: Uint8Array, off: number, b: Uint8Array, at: number, v: RecordView, file: string): void {
    const state = (c[off] >> 4) & 3;
    if (state === side || state === STATE_CHANGED) {
      const offset = getOffset(b, v.partsEnd);
      throw new CorruptDataError('BAD_VALUE', 'duplicate key in the input', {
        file,
        offset: offset >= 0 ? offset : undefined,
        expected: 'each key once',
        found: `${JSON.stringify(Buffer.from(b.subarray(v.keyAt, v.keyAt + Math.min(v.keyLen, 64))).toString('latin1'))} again`,
        context: { doing: 'read-key', db: v.db, key: copyBytes(b.subarray(v.keyAt, v.keyAt + v.keyLen)) },
      });
    }
    const t = this.t;
    readRecord(c, off, t);
    const what = this.compare(c, off, t, b, at, v);
    if (what === 0) {
      this.same++;
      this.remove(i, t.partsEnd - off);
      return;
    }
    const first = state === STATE_FIRST ? c[t.nameEnd + TYPE_OFF] : b[v.nameEnd + TYPE_OFF];
    const second = state === STATE_FIRST ? b[v.nameEnd + TYPE_OFF] : c[t.nameEnd + TYPE_OFF];
    c[off] = (c[off] & 0x0f) | (STATE_CHANGED << 4);
    c[t.nameEnd + TYPE_OFF] = first;
    c[t.nameEnd + TYPE2_OFF] = second;
    c[t.nameEnd + WHAT_OFF] = what;
  }

  /** The hash of the record's name (db and key), also written into the record. */
  private nameHash(b: Uint8Array, at: number, v: RecordView): number {
    const h = hashName(b, at + NAME_AT, v.nameEnd, this.seed);
    b[at + HASH_AT] = h;
    b[at + HASH_AT + 1] = h >>> 8;
    b[at + HASH_AT + 2] = h >>> 16;
    b[at + HASH_AT + 3] = h >>> 24;
    return h;
  }

  /** The {@link WHAT} bits in which record `a[ta]` (fields `av`) and `b[tb]` (fields `bv`) differ. */
  compare(a: Uint8Array, ta: number, av: RecordView, b: Uint8Array, tb: number, bv: RecordView): number {
    let what = 0;
    const ap = av.nameEnd;
    const bp = bv.nameEnd;
    const typeA = a[ap + TYPE_OFF];
    if (typeA !== b[bp + TYPE_OFF]) what |= WHAT.type | WHAT.value;
    else if (!sameBytes(a, ap + VALUE_OFF, b, bp + VALUE_OFF, 8)) what |= WHAT.value;
    const fa = a[ta];
    const fb = b[tb];
    const ea = fa & FLAG_EXPIRY;
    if (!this.ignoreTtl) {
      if (ea !== (fb & FLAG_EXPIRY)) what |= WHAT.expiry;
      else if (ea !== 0 && !sameBytes(a, ap + OPTIONAL_OFF, b, bp + OPTIONAL_OFF, 8)) what |= WHAT.expiry;
    }
    if ((what & WHAT.type) === 0 && (typeA === TYPE_CODE.hash || typeA === TYPE_CODE.stream)) {
      const bit = typeA === TYPE_CODE.hash ? WHAT.fieldExpiry : WHAT.streamGroups;
      if (bit !== WHAT.fieldExpiry || !this.ignoreTtl) {
        const ma = fa & FLAG_META;
        if (ma !== (fb & FLAG_META)) what |= bit;
        else if (ma !== 0) {
          const ao = ap + OPTIONAL_OFF + (ea !== 0 ? 8 : 0);
          const bo = bp + OPTIONAL_OFF + ((fb & FLAG_EXPIRY) !== 0 ? 8 : 0);
          if (!sameBytes(a, ao, b, bo, 8)) what |= bit;
        }
      }
    }
    if (this.encodings && a[ap + ENC_OFF] !== b[bp + ENC_OFF]) what |= WHAT.encoding;
    return what;
  }

  /** Puts in the record `b[at, at + len)` with state `state` (name hash `h`); its place. */
  private insert(state: number, b: Uint8Array, at: number, len: number, h: number): number {
    if ((this.live + 1) * 2 > this.mask + 1) this.grow();
    const place = this.alloc(len);
    const c = this.chunk;
    const off = (place & UNIT_MASK) << 3;
    for (let k = 0; k < len; k++) c[off + k] = b[at + k];
    c[off] = (c[off] & 0x0f) | (state << 4);
    const slots = this.slots;
    const mask = this.mask;
    let i = h & mask;
    while (slots[2 * i] !== 0) i = (i + 1) & mask;
    slots[2 * i] = place + 1;
    slots[2 * i + 1] = h;
    this.live++;
    this.liveBytes += (len + 7) & ~7;
    return place;
  }

  /** Room for a record of `len` bytes in the current chunk (a new one when full); its place. */
  private alloc(len: number): number {
    const need = (len + 7) & ~7;
    if (this.fill + need > this.chunk.length) {
      if (this.chunks.length >= MAX_CHUNKS) throw new RangeError(`the comparison table is full (${MAX_CHUNKS} chunks)`);
      const size = need > MAX_CHUNK ? need : Math.max(this.nextChunkBytes, need);
      this.nextChunkBytes = Math.min(MAX_CHUNK, this.nextChunkBytes * 2);
      this.chunk = new Uint8Array(size);
      this.chunks.push(this.chunk);
      this.fill = 0;
    }
    const place = ((this.chunks.length - 1) << UNIT_BITS) | (this.fill >>> 3);
    this.fill += need;
    return place >>> 0;
  }

  /** Frees slot `i` (its record of `len` bytes dies), shifting back the entries after it. */
  private remove(i: number, len: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const ref = slots[2 * j];
      if (ref === 0) break;
      const home = slots[2 * j + 1] & mask;
      // The entry at j may move to i unless its home lies in (i, j], cyclically.
      const stays = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!stays) {
        slots[2 * i] = ref;
        slots[2 * i + 1] = slots[2 * j + 1];
        i = j;
      }
    }
    slots[2 * i] = 0;
    slots[2 * i + 1] = 0;
    this.live--;
    const n = (len + 7) & ~7;
    this.liveBytes -= n;
    this.deadBytes += n;
    if (this.deadBytes > this.compactMin && this.deadBytes > this.liveBytes) this.compact();
  }

  /** Doubles the index. */
  private grow(): void {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    const slots = new Uint32Array(2 * size);
    const mask = size - 1;
    for (let s = 0; s < old.length; s += 2) {
      const ref = old[s];
      if (ref === 0) continue;
      const h = old[s + 1];
      let i = h & mask;
      while (slots[2 * i] !== 0) i = (i + 1) & mask;
      slots[2 * i] = ref;
      slots[2 * i + 1] = h;
    }
    this.slots = slots;
    this.mask = mask;
  }

  /** Copies the live records into new chunks, leaving the dead ones behind. */
  private compact(): void {
    const old = this.chunks;
    this.chunks = [];
    this.chunk = new Uint8Array(0);
    this.fill = 0;
    this.nextChunkBytes = FIRST_CHUNK;
    const slots = this.slots;
    const t = this.t;
    for (let s = 0; s < slots.length; s += 2) {
      const ref = slots[s];
      if (ref === 0) continue;
      const place = ref - 1;
      const c = old[place >>> UNIT_BITS];
      const off = (place & (UNIT_MASK)) << 3;
      readRecord(c, off, t);
      const len = t.partsEnd - off;
      const to = this.alloc(len);
      this.chunk.set(c.subarray(off, off + len), (to & (UNIT_MASK)) << 3);
      slots[s] = to + 1;
    }
    this.deadBytes = 0;
  }

  /** Every entry left (waiting or changed), in no particular order. */
  *entries(): IterableIterator<TableEntry> {
    const slots = this.slots;
    const t = this.t;
    for (let s = 0; s < slots.length; s += 2) {
      const ref = slots[s];
      if (ref === 0) continue;
      yield this.entryAt(ref - 1, t);
    }
  }

  /** Calls `visit` with the database, state and type code of every entry left, in no particular order (no key copied). */
  forEachState(visit: (db: number, state: number, type: number) => void): void {
    const slots = this.slots;
    const t = this.t;
    for (let s = 0; s < slots.length; s += 2) {
      const ref = slots[s];
      if (ref === 0) continue;
      const place = ref - 1;
      const c = this.chunks[place >>> UNIT_BITS];
      const off = (place & UNIT_MASK) << 3;
      readRecord(c, off, t);
      visit(t.db, (c[off] >> 4) & 3, c[t.nameEnd + TYPE_OFF]);
    }
  }

  /**
   * The entries left, sorted by database, then key bytes.
   * @param limit at most this many (the first ones in that order)
   */
  sortedEntries(limit = Infinity): TableEntry[] {
    if (limit <= 0) return [];
    const refs: number[] = [];
    const slots = this.slots;
    for (let s = 0; s < slots.length; s += 2) if (slots[s] !== 0) refs.push(slots[s] - 1);
    const a = new RecordView();
    const b = new RecordView();
    const cmp = (x: number, y: number): number => {
      const cx = this.chunks[x >>> UNIT_BITS];
      const cy = this.chunks[y >>> UNIT_BITS];
      const ox = (x & (UNIT_MASK)) << 3;
      const oy = (y & (UNIT_MASK)) << 3;
      readRecord(cx, ox, a);
      readRecord(cy, oy, b);
      if (a.db !== b.db) return a.db - b.db;
      const n = Math.min(a.keyLen, b.keyLen);
      for (let k = 0; k < n; k++) {
        const d = cx[a.keyAt + k] - cy[b.keyAt + k];
        if (d !== 0) return d;
      }
      return a.keyLen - b.keyLen;
    };
    if (limit * 8 < refs.length) {
      // A few of many: kept in order as they are found (no sort of them all).
      const best: number[] = [];
      for (const r of refs) {
        if (best.length === limit && cmp(r, best[limit - 1]) >= 0) continue;
        let lo = 0;
        let hi = best.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (cmp(best[mid], r) < 0) lo = mid + 1;
          else hi = mid;
        }
        best.splice(lo, 0, r);
        if (best.length > limit) best.pop();
      }
      refs.length = 0;
      refs.push(...best);
    } else {
      refs.sort(cmp);
      if (limit < refs.length) refs.length = limit;
    }
    const t = new RecordView();
    return refs.map((r) => this.entryAt(r, t));
  }

  private entryAt(place: number, t: RecordView): TableEntry {
    const c = this.chunks[place >>> UNIT_BITS];
    const off = (place & (UNIT_MASK)) << 3;
    readRecord(c, off, t);
    const state = (c[off] >> 4) & 3;
    const changed = state === STATE_CHANGED;
    return {
      db: t.db,
      key: copyBytes(c.subarray(t.keyAt, t.keyAt + t.keyLen)),
      state,
      type: c[t.nameEnd + TYPE_OFF],
      type2: changed ? c[t.nameEnd + TYPE2_OFF] : 0,
      what: changed ? c[t.nameEnd + WHAT_OFF] : 0,
    };
  }
}

function sameBytes(a: Uint8Array, ai: number, b: Uint8Array, bi: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (a[ai + k] !== b[bi + k]) return false;
  return true;
}
