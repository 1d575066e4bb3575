/**
 * The digest records of an RDB's keys, computed from the decoder's events as they come: no
 * value is built for a string, list, set, sorted set or hash — each element (a hash field with
 * its TTL) is hashed where the decoder delivers it — so memory holds no key at all, and a
 * 100 MB string is hashed part by part. The other values (streams, module values, arrays, GCRA
 * values) are built one at a time by the dataset's loader and digested from the value
 * (value-parts.ts), as a replayed dataset's are.
 *
 * As Redis loads a file, an empty list, set, sorted set or hash is left out. Members, fields
 * or keys a file holds twice (which Redis refuses) are not looked for here.
 */
import type { KeyInfo, RdbHandler } from '../model/events.js';
import type { Encoding, ValueType } from '../model/redis-types.js';
import { Dataset } from '../dataset/dataset.js';
import { createDatasetLoader, type DatasetLoader } from '../dataset/load-rdb.js';
import { toByteString } from '../dataset/byte-string.js';
import type { KeyPredicate } from '../pipeline/filters.js';
import { Hash64, hashBytes, OUT } from './hash64.js';
import { DigestSum, ENCODING_CODE, KeyParts, SEED, TYPE_CODE } from './key-parts.js';
import { addFieldTtl, addPair, addScored, finishSum, functionDigest, valueParts } from './value-parts.js';
import type { RecordWriter } from './digest-records.js';

/** How a key's value is digested. */
const Mode = { Skip: 0, String: 1, List: 2, Set: 3, Zset: 4, Hash: 5, Loader: 6, StringDone: 7 } as const;
type Mode = (typeof Mode)[keyof typeof Mode];

/** The value types digested from their events. */
const EVENT_MODES = new Map<ValueType, Mode>([
  ['string', Mode.String],
  ['list', Mode.List],
  ['set', Mode.Set],
  ['zset', Mode.Zset],
  ['hash', Mode.Hash],
]);

/** Options of {@link RdbDigester}. */
export interface RdbDigesterOptions {
  /** Keys to leave out (judged before their value is read). */
  filter?: KeyPredicate | null;
  /** Record each key's encoding (as stored in the file). */
  encodings?: boolean;
  /** The file name the loader's errors carry. */
  file?: string;
  /** Gives back a string part that is a whole chunk of a source reusing its buffers. */
  release?: (chunk: Uint8Array) => void;
}

/**
 * An {@link RdbHandler} writing one digest record per key (see the module notes). Function
 * libraries are collected as their digests ({@link functions}).
 */
export class RdbDigester implements RdbHandler {
  /** Keys the filter left out. */
  filtered = 0;
  /** Empty collections left out. */
  emptySkipped = 0;
  /** Digests (hex) of the function libraries, in file order. */
  readonly functions: string[] = [];
  private mode: Mode = Mode.Skip;
  private readonly parts = new KeyParts();
  private readonly sum = new DigestSum();
  /** The field TTLs of a hash. */
  private readonly ttls = new DigestSum();
  private readonly list = new Hash64();
  private readonly str = new Hash64();
  private readonly scratch = new Dataset();
  private readonly loader: DatasetLoader;
  private readonly filter: KeyPredicate | null;
  private readonly encodings: boolean;
  private readonly release: ((chunk: Uint8Array) => void) | undefined;

  constructor(
    private readonly out: RecordWriter,
    opts: RdbDigesterOptions = {},
  ) {
    this.filter = opts.filter ?? null;
    this.encodings = opts.encodings ?? false;
    this.release = opts.release;
    this.loader = createDatasetLoader(this.scratch, { file: opts.file });
  }

  function(code: Uint8Array): void {
    this.functions.push(functionDigest(code));
  }

  keyStart(k: KeyInfo): boolean {
    if (this.filter !== null && !this.filter(k)) {
      this.filtered++;
      this.mode = Mode.Skip;
      return false;
    }
    const t = k.valueType;
    // Strings first: most keys are.
    const mode = t === 'string' ? Mode.String : (EVENT_MODES.get(t) ?? Mode.Loader);
    this.mode = mode;
    switch (mode) {
      case Mode.List:
        this.list.reset(SEED.list[0], SEED.list[1]);
        this.sum.count = 0;
        break;
      case Mode.Set:
      case Mode.Zset:
        this.sum.reset();
        break;
      case Mode.Hash:
        this.sum.reset();
        this.ttls.reset();
        break;
      case Mode.String:
        this.str.reset(SEED.string[0], SEED.string[1]);
        break;
      case Mode.Loader:
        return this.loader.keyStart!(k);
    }
    return true;
  }

  stringValue(v: Uint8Array): void {
    if (this.mode === Mode.String) this.stringRange(v, 0, v.length);
    else this.loader.stringValue!(v);
  }

  // The range forms: bytes hashed where the decoder read them, with no view per string or
  // element (values the loader builds get views, as before).
  stringRange(buf: Uint8Array, start: number, end: number): void {
    if (this.mode === Mode.String) {
      hashBytes(buf, start, end, SEED.string[0], SEED.string[1]);
      this.parts.v1 = OUT.lo;
      this.parts.v2 = OUT.hi;
      this.mode = Mode.StringDone;
    } else this.loader.stringValue!(buf.subarray(start, end));
  }

  itemRange(buf: Uint8Array, start: number, end: number): void {
    if (this.mode === Mode.List) {
      hashBytes(buf, start, end, SEED.item[0], SEED.item[1]);
      this.list.words(OUT.lo, OUT.hi);
      this.sum.count++;
    } else if (this.mode === Mode.Set) {
      hashBytes(buf, start, end, SEED.member[0], SEED.member[1]);
      this.sum.add(OUT.lo, OUT.hi);
    } else this.loader.item!(buf.subarray(start, end));
  }

  fieldRange(fb: Uint8Array, fs: number, fe: number, vb: Uint8Array, vs: number, ve: number): void {
    if (this.mode !== Mode.Hash) return this.loader.field!(fb.subarray(fs, fe), vb.subarray(vs, ve), null);
    hashBytes(fb, fs, fe, SEED.field[0], SEED.field[1]);
    const fLo = OUT.lo;
    const fHi = OUT.hi;
    hashBytes(vb, vs, ve, SEED.fieldValue[0], SEED.fieldValue[1]);
    addPair(this.sum, fLo, fHi, OUT.lo, OUT.hi);
  }

  memberRange(buf: Uint8Array, start: number, end: number, score: number): void {
    if (this.mode !== Mode.Zset) return this.loader.member!(buf.subarray(start, end), score);
    hashBytes(buf, start, end, SEED.zmember[0], SEED.zmember[1]);
    addScored(this.sum, OUT.lo, OUT.hi, score);
  }

  stringPart(part: Uint8Array, last: boolean, totalBytes: number): void {
    if (this.mode === Mode.String) {
      this.str.bytes(part);
      if (last) {
        this.str.digest();
        this.parts.v1 = OUT.lo;
        this.parts.v2 = OUT.hi;
        this.mode = Mode.StringDone;
      }
    } else this.loader.stringPart!(part, last, totalBytes);
    this.release?.(part);
  }

  item(v: Uint8Array): void {
    if (this.mode === Mode.List || this.mode === Mode.Set) this.itemRange(v, 0, v.length);
    else this.loader.item!(v);
  }

  field(f: Uint8Array, v: Uint8Array, expireAtMs: number | null): void {
    if (this.mode !== Mode.Hash) return this.loader.field!(f, v, expireAtMs);
    hashBytes(f, 0, f.length, SEED.field[0], SEED.field[1]);
    const fLo = OUT.lo;
    const fHi = OUT.hi;
    hashBytes(v, 0, v.length, SEED.fieldValue[0], SEED.fieldValue[1]);
    addPair(this.sum, fLo, fHi, OUT.lo, OUT.hi);
    if (expireAtMs !== null) addFieldTtl(this.ttls, fLo, fHi, expireAtMs);
  }

  member(m: Uint8Array, score: number): void {
    if (this.mode !== Mode.Zset) return this.loader.member!(m, score);
    this.memberRange(m, 0, m.length, score);
  }

  streamEntry: RdbHandler['streamEntry'] = (id, fields, deleted) => this.loader.streamEntry!(id, fields, deleted);
  streamMeta: RdbHandler['streamMeta'] = (m) => this.loader.streamMeta!(m);
  streamGroup: RdbHandler['streamGroup'] = (g) => this.loader.streamGroup!(g);
  streamIdmp: RdbHandler['streamIdmp'] = (i) => this.loader.streamIdmp!(i);
  arrayElement: RdbHandler['arrayElement'] = (i, v) => this.loader.arrayElement!(i, v);
  moduleValue: RdbHandler['moduleValue'] = (m) => this.loader.moduleValue!(m);

  keyEnd(k: KeyInfo): void {
    const mode = this.mode;
    if (mode === Mode.Skip) return;
    this.mode = Mode.Skip;
    const p = this.parts;
    p.hasMeta = false;
    switch (mode) {
      case Mode.StringDone:
        p.type = TYPE_CODE.string;
        break;
      case Mode.String:
        // A string with no value event (an empty string read whole still has one).
        hashBytes(EMPTY, 0, 0, SEED.string[0], SEED.string[1]);
        p.type = TYPE_CODE.string;
        p.v1 = OUT.lo;
        p.v2 = OUT.hi;
        break;
      case Mode.List:
        if (this.sum.count === 0) return this.empty();
        this.list.digest();
        this.take(TYPE_CODE.list);
        break;
      case Mode.Set:
        if (this.sum.count === 0) return this.empty();
        finishSum(SEED.set, this.sum);
        this.take(TYPE_CODE.set);
        break;
      case Mode.Zset:
        if (this.sum.count === 0) return this.empty();
        finishSum(SEED.zset, this.sum);
        this.take(TYPE_CODE.zset);
        break;
      case Mode.Hash:
        if (this.sum.count === 0) return this.empty();
        if (this.ttls.count > 0) {
          finishSum(SEED.fieldTtls, this.ttls);
          p.hasMeta = true;
          p.m1 = OUT.lo;
          p.m2 = OUT.hi;
        }
        finishSum(SEED.hash, this.sum);
        this.take(TYPE_CODE.hash);
        break;
      case Mode.Loader: {
        const before = this.loader.stats.emptyKeysSkipped;
        this.loader.keyEnd!(k);
        if (this.loader.stats.emptyKeysSkipped !== before) return this.empty();
        const db = this.scratch.peekDb(k.db)!;
        const key = k.keyLatin1?.() ?? toByteString(k.key);
        valueParts(db.get(key)!, p);
        db.delete(key);
        break;
      }
    }
    p.expireAtMs = k.expireAtMs;
    p.encoding = this.encodings ? ENCODING_CODE[k.encoding as Encoding] : 0;
    // The key from where the decoder read it, when it says.
    if (k.keyBuf !== undefined) this.out.write(k.db, k.keyBuf, p, k.offset, k.keyFrom!, k.keyTo!);
    else this.out.write(k.db, k.key, p, k.offset);
  }

  /** The digest in {@link OUT} becomes the value's, of type `type`. */
  private take(type: number): void {
    this.parts.type = type;
    this.parts.v1 = OUT.lo;
    this.parts.v2 = OUT.hi;
  }

  private empty(): void {
    this.emptySkipped++;
  }
}

const EMPTY = new Uint8Array(0);
