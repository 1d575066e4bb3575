/**
 * Filling a {@link Dataset} from an RDB through the decoder's handler API: a whole RDB file, a
 * hybrid AOF's RDB preamble, or the RDB base of a multi-part AOF. {@link createDatasetLoader}
 * is the handler (for any scan driver: `scanRdb`, or `scanFile`'s `rdb` handler when the RESP
 * part follows); {@link loadRdb} runs it over a source with `scanRdb`.
 *
 * What Redis does when it loads an RDB, the loader does too: a key's value is added when its
 * record ends (never half a key); an empty list, set, sorted set or hash is skipped (Redis
 * skips such keys and counts them); a key, set member, hash field, sorted-set member, group or
 * consumer that appears twice is an error (Redis refuses the file). Unlike a master loading an
 * RDB, keys already past their expiry are kept with it — the state right after loading, before
 * any expiry runs (`Dataset.dropExpired` removes them).
 */
import type { KeyInfo, ModuleBlob, RdbEnd, RdbHandler, RdbHeader, StreamGroup, StreamIdmp, StreamMeta } from '../model/events.js';
import type { ValueType } from '../model/redis-types.js';
import type { ByteSource } from '../io/source.js';
import { copyBytes } from '../io/bytes.js';
import { CorruptDataError, RdbtoolError, type ErrorContext } from '../errors.js';
import { scanRdb, type ScanOptions, type ScanResult } from '../pipeline/scan.js';
import { fromByteString, toByteString, type ByteString } from './byte-string.js';
import { Dataset } from './dataset.js';
import { PACK_MAX_ITEMS, PACK_MAX_ITEM_BYTES, packOfBytes } from './pack.js';
import { PackBuilder } from './pack-builder.js';
import { ListValue } from './list.js';
import { SetValue } from './set.js';
import { ZSetValue } from './zset.js';
import { HashValue } from './hash.js';
import { StreamValue } from './stream.js';
import { ModuleValue } from './module.js';
import { ArrayValue } from './array.js';
import { GcraValue } from './gcra.js';
import { MAX_STREAM_ID, MIN_STREAM_ID, streamIdKey } from './stream-id.js';
import type { Value } from './value.js';
import { checkRdbBlob, rdbBlobValueType } from './rdb-blob.js';
import { RdbType } from '../rdb/constants.js';

/** Options of {@link createDatasetLoader}. */
export interface DatasetLoaderOptions {
  /**
   * A key or function library the dataset already holds when the file brings it again:
   * `error` (default — Redis refuses an RDB holding a key twice; the load stops there, and the
   * dataset holds what was loaded up to then, that key with the file's value) or `replace`
   * (the file's wins, as when loading one file over another).
   */
  duplicates?: 'error' | 'replace';
  /** The file name the loader's own errors carry (scan drivers pass a handler's errors on as they are). */
  file?: string;
}

/** What a load did. */
export interface LoadStats {
  /** Keys added to the dataset. */
  keys: number;
  /** Empty lists, sets, sorted sets and hashes left out, as Redis leaves them out. */
  emptyKeysSkipped: number;
  /** Function libraries added. */
  functions: number;
  /** The file's checksum verdict, once its end was read. */
  checksum: RdbEnd['checksum'] | null;
}

/** The handler filling a dataset, and what it did so far. */
export interface DatasetLoader extends RdbHandler {
  readonly stats: LoadStats;
}

/** Creates the handler that loads an RDB's keys, functions and AUX fields into `dataset`. */
export function createDatasetLoader(dataset: Dataset, opts: DatasetLoaderOptions = {}): DatasetLoader {
  return new Loader(dataset, opts.duplicates ?? 'error', opts.file);
}

/** Options of {@link loadRdb}: the scan's and the loader's. */
export interface LoadRdbOptions extends ScanOptions, DatasetLoaderOptions {
  /** The dataset to load into (default a new one). */
  dataset?: Dataset;
}

/** The outcome of {@link loadRdb}. */
export interface LoadRdbResult {
  dataset: Dataset;
  stats: LoadStats;
  scan: ScanResult;
}

/**
 * Loads an RDB (or the RDB preamble of a hybrid file, whose RESP tail is then only counted)
 * into a dataset.
 * @throws RdbtoolError when the file is damaged, unreadable, or holds something twice.
 */
export async function loadRdb(source: ByteSource, opts: LoadRdbOptions = {}): Promise<LoadRdbResult> {
  const { dataset = new Dataset(), duplicates, file = source.name, ...scanOpts } = opts;
  const loader = createDatasetLoader(dataset, { duplicates, file });
  const scan = await scanRdb(source, loader, scanOpts);
  return { dataset, stats: loader.stats, scan };
}

/**
 * Most entries one load makes room for ahead, in all, from the sizes a file states before the
 * entries come (a database's RESIZEDB, a collection's count): 2^20, about 20 MB of index and
 * hashes. Those sizes are the file's word, not a promise: past this a table grows as its
 * entries come, so a file claiming billions costs no more than that.
 */
const RESERVE_BUDGET = 2 ** 20;

/**
 * Keys added without a lookup before they are indexed together (see keyEnd): a key the file
 * holds twice is refused at most this many keys after its second record.
 */
const BULK_KEYS = 4096;

class Loader implements DatasetLoader {
  readonly stats: LoadStats = { keys: 0, emptyKeysSkipped: 0, functions: 0, checksum: null };
  /** The key being read: its name, type and record offset (null between keys). */
  private key: ByteString | null = null;
  private db = 0;
  private type: ValueType = 'string';
  private offset = 0;
  /** The element count the key's record stated up front, or 0. */
  private declared = 0;
  /** The key's set or hash is made in its large form at its first element (see keyStart). */
  private large = false;
  private value: Value | null = null;
  /** A string arriving in parts: its bytes so far. */
  private parts: Uint8Array | null = null;
  private partsFilled = 0;
  /**
   * Elements of a collection made in one go by {@link collection}: a sorted set's members and
   * scores while few enough for a pack, and the elements of a list, set or hash whose pack
   * overflowed (items: list items, members or fields; vals: hash values; nums: scores).
   */
  private readonly items: ByteString[] = [];
  private readonly vals: ByteString[] = [];
  private readonly nums: number[] = [];
  /** Field TTLs of the hash being read. */
  private readonly ttls: [ByteString, number][] = [];
  /** The elements of a small list, set or hash, packed as they arrive. */
  private readonly packer = new PackBuilder();
  /** What is left of {@link RESERVE_BUDGET}. */
  private reserveLeft = RESERVE_BUDGET;
  /**
   * Keys added without a lookup and not indexed yet (see keyEnd): their database, the entry
   * number of the first, and the record offset of each.
   */
  private bulkDb = 0;
  private bulkBase = 0;
  private readonly bulkOffsets: number[] = [];
  /** The sizes the last RESIZEDB stated, until its database's first key. */
  private resize: { db: number; keys: number; expires: number } | null = null;

  constructor(
    private readonly ds: Dataset,
    private readonly duplicates: 'error' | 'replace',
    private readonly file: string | undefined,
  ) {}

  header(h: RdbHeader): void {
    this.ds.source = { magic: h.magic, dialect: h.dialect, version: h.version };
  }

  aux(name: Uint8Array, value: Uint8Array): void {
    this.ds.aux.push({ name: toByteString(name), value: toByteString(value) });
  }

  selectDb(db: number): void {
    this.db = db;
  }

  /**
   * The sizes a database states before its keys (RESIZEDB): its tables are made that large
   * when its first key comes, within {@link RESERVE_BUDGET}.
   */
  resizeDb(keys: number, expires: number): void {
    this.resize = { db: this.db, keys, expires };
  }

  /** Up to `n` entries of room from what is left of {@link RESERVE_BUDGET}. */
  private room(n: number): number {
    const r = Math.min(n, this.reserveLeft);
    this.reserveLeft -= r;
    return r;
  }

  function(code: Uint8Array, offset: number): void {
    try {
      this.ds.functions.load(code, this.duplicates === 'replace');
    } catch (e) {
      if (e instanceof RdbtoolError) e.locate({ file: this.file, offset, context: { doing: 'read-function' } });
      throw e;
    }
    this.stats.functions++;
  }

  moduleAux(m: ModuleBlob & { when: number }): void {
    this.ds.moduleAux.push({ moduleName: m.moduleName, encver: m.encver, moduleId: m.moduleId, when: m.when, raw: copyBytes(m.raw) });
  }

  keyStart(k: KeyInfo): boolean {
    // The decoder's own key records give the text without a view (toByteString refuses a
    // key too long for one).
    const key = k.keyLatin1?.() ?? toByteString(k.key);
    this.key = key;
    this.db = k.db;
    this.type = k.valueType;
    this.offset = k.offset;
    this.declared = k.declaredElements ?? 0;
    // A plain set or hash stating more elements than a pack holds is large from its first
    // element, as Redis makes it: not packed first, then unpacked at the 129th.
    this.large = (k.rdbType === RdbType.Set || k.rdbType === RdbType.Hash) && this.declared > PACK_MAX_ITEMS;
    this.parts = null;
    // Setting an array's length costs a call even when it is already 0 (most keys are strings).
    if (this.items.length !== 0) this.items.length = 0;
    if (this.vals.length !== 0) this.vals.length = 0;
    if (this.nums.length !== 0) this.nums.length = 0;
    if (this.ttls.length !== 0) this.ttls.length = 0;
    this.packer.reset();
    this.value = k.valueType === 'stream' ? new StreamValue() : k.valueType === 'array' ? new ArrayValue() : null;
    return true;
  }

  stringValue(v: Uint8Array): void {
    this.value = this.type === 'gcra' ? new GcraValue(toByteString(v)) : toByteString(v);
  }

  /** A whole string value, already a byte string (the decoder made it without a view). */
  stringLatin1(v: ByteString): void {
    this.value = this.type === 'gcra' ? new GcraValue(v) : v;
  }

  stringPart(part: Uint8Array, last: boolean, totalBytes: number): void {
    if (this.parts === null) {
      this.parts = new Uint8Array(totalBytes);
      this.partsFilled = 0;
    }
    this.parts.set(part, this.partsFilled);
    this.partsFilled += part.length;
    if (last) {
      this.value = toByteString(this.parts.subarray(0, this.partsFilled));
      this.parts = null;
    }
  }

  /**
   * A list, set, hash or sorted set stored as one blob, sound in structure: kept whole, as one
   * string, until first read (rdb-blob.ts), unless something in it would be refused (a member
   * or field twice, a score that is not a number), which the elements then report. A list
   * whose first quicklist node comes this way takes the nodes after it element by element
   * (the first push turns the blob into the list's own form).
   */
  blobValue(rdbType: number, blob: Uint8Array): boolean {
    const kind = rdbBlobValueType(rdbType);
    if (kind !== this.type || this.value !== null || this.packer.count !== 0 || this.items.length !== 0) return false;
    const count = checkRdbBlob(rdbType, blob);
    if (count < 0) return false;
    const raw = toByteString(blob);
    this.value =
      kind === 'set'
        ? SetValue.fromRdbBlob(rdbType, raw, count)
        : kind === 'hash'
          ? HashValue.fromRdbBlob(rdbType, raw, count)
          : kind === 'zset'
            ? ZSetValue.fromRdbBlob(rdbType, raw, count)
            : ListValue.fromRdbBlob(rdbType, raw, count);
    return true;
  }

  item(v: Uint8Array): void {
    let val = this.value as ListValue | SetValue | null;
    if (val === null) {
      if (!this.large) {
        if (this.packer.count < PACK_MAX_ITEMS && this.packer.add(v)) return;
        // Too many or too long for a pack: the large form, from what was gathered so far.
        this.items.push(...this.packer.items(), toByteString(v));
        this.value = this.collection();
        return;
      }
      val = this.value = this.collection(true) as SetValue;
    }
    if (val.type === 'list') val.pushBack(toByteString(v));
    else if (!val.add(toByteString(v))) throw this.twice('set member', toByteString(v));
  }

  field(f: Uint8Array, v: Uint8Array, expireAtMs: number | null): void {
    if (expireAtMs !== null) this.ttls.push([toByteString(f), expireAtMs]);
    let h = this.value as HashValue | null;
    if (h === null && this.large) h = this.value = this.collection(true) as HashValue;
    if (h === null) {
      const p = this.packer;
      if (p.count < 2 * PACK_MAX_ITEMS && f.length <= PACK_MAX_ITEM_BYTES && v.length <= PACK_MAX_ITEM_BYTES) {
        p.add(f);
        p.add(v);
        return;
      }
      const items = p.items();
      for (let i = 0; i < items.length; i += 2) {
        this.items.push(items[i]);
        this.vals.push(items[i + 1]);
      }
      this.items.push(toByteString(f));
      this.vals.push(toByteString(v));
      this.value = this.collection();
    } else {
      const name = toByteString(f);
      if (!h.setNew(name, toByteString(v))) throw this.twice('hash field', name);
    }
  }

  member(m: Uint8Array, score: number): void {
    const name = toByteString(m);
    const z = this.value as ZSetValue | null;
    if (z === null) {
      this.items.push(name);
      this.nums.push(score);
      if (this.items.length > PACK_MAX_ITEMS) this.value = this.collection();
    } else if (!z.addUnsorted(name, score)) throw this.twice('sorted-set member', name);
  }

  arrayElement(index: number, v: Uint8Array): void {
    (this.value as ArrayValue).set(index, toByteString(v));
  }

  streamEntry(id: string, fields: Uint8Array[], deleted: boolean): void {
    if (deleted) return;
    (this.value as StreamValue).appendPacked(streamIdKey(id), packOfBytes(fields));
  }

  streamMeta(meta: StreamMeta): void {
    const s = this.value as StreamValue;
    s.length = meta.length;
    s.lastId = streamIdKey(meta.lastGeneratedId);
    if (meta.recordedFirstEntryId !== undefined) {
      s.firstId = streamIdKey(meta.recordedFirstEntryId);
      s.maxDeletedId = streamIdKey(meta.maxDeletedEntryId ?? '0-0');
      s.entriesAdded = meta.entriesAdded ?? meta.length;
    } else {
      // What Redis derives for a stream type that does not record these (type 15).
      s.recordedMeta = false;
      s.maxDeletedId = MIN_STREAM_ID;
      s.entriesAdded = meta.length;
      s.firstId = s.idAt(0) ?? MAX_STREAM_ID;
    }
  }

  streamGroup(g: StreamGroup): void {
    const s = this.value as StreamValue;
    const name = toByteString(g.name);
    if (s.groups.has(name)) throw this.twice('consumer group', name);
    const last = streamIdKey(g.lastDeliveredId);
    const group = s.addGroup(name, last, g.entriesRead ?? s.estimateEntriesRead(last));
    for (const c of g.consumers) {
      const cname = toByteString(c.name);
      if (group.consumers.has(cname)) throw this.twice('stream consumer', cname);
      if (c.activeTimeMs === undefined) s.recordedActiveTimes = false;
      group.addConsumer(cname, c.seenTimeMs, c.activeTimeMs ?? c.seenTimeMs);
    }
    for (const p of g.pending) {
      group.setPending(streamIdKey(p.id), p.consumer === undefined ? null : toByteString(p.consumer), p.deliveryTimeMs, p.deliveryCount);
    }
    if (g.nacked !== undefined) group.nacked = new Set(g.nacked.map(streamIdKey));
  }

  streamIdmp(idmp: StreamIdmp): void {
    (this.value as StreamValue).idmp = {
      durationSec: idmp.durationSec,
      maxEntries: idmp.maxEntries,
      producers: idmp.producers.map((p) => ({ pid: toByteString(p.pid), entries: p.entries.map((e) => ({ iid: toByteString(e.iid), id: streamIdKey(e.id) })) })),
      iidsAdded: idmp.iidsAdded,
      iidsDuplicates: idmp.iidsDuplicates,
    };
  }

  moduleValue(m: ModuleBlob): void {
    this.value = new ModuleValue(m.moduleName, m.encver, m.moduleId, copyBytes(m.raw));
  }

  keyEnd(k: KeyInfo): void {
    const key = this.key!;
    const type = this.type;
    let value = this.value;
    this.value = null;
    if (type === 'list' || type === 'set' || type === 'zset' || type === 'hash') {
      // Redis skips an empty list, set, sorted set or hash.
      if (value === null) value = type === 'zset' ? this.collection() : this.packed();
      if (type === 'hash') for (let i = 0; i < this.ttls.length; i++) (value as HashValue).setFieldExpire(this.ttls[i][0], this.ttls[i][1]);
      if (isEmpty(value)) {
        this.stats.emptyKeysSkipped++;
        this.key = null;
        return;
      }
    } else value ??= '';
    const db = this.ds.db(this.db);
    if (this.resize !== null && this.resize.db === this.db) {
      db.reserve(db.size + this.room(this.resize.keys), db.volatileKeys + this.room(this.resize.expires));
      this.resize = null;
    }
    if (this.duplicates === 'replace') {
      db.delete(key);
      db.add(key, value, k.expireAtMs);
    } else {
      // Added without a lookup; the keys are indexed together, a key found twice refused then
      // (at the latest a few thousand keys on, at the end of its database or of the file), with
      // the offset of its second record.
      if (this.bulkOffsets.length !== 0 && this.bulkDb !== this.db) this.settle();
      const entry = db.nextEntry;
      if (db.addUnchecked(key, value, k.expireAtMs)) {
        if (this.bulkOffsets.length === 0) {
          this.bulkBase = entry;
          this.bulkDb = this.db;
        }
        this.bulkOffsets.push(this.offset);
        if (this.bulkOffsets.length >= BULK_KEYS) this.settle();
      } else if (!db.add(key, value, k.expireAtMs)) {
        // A key already there takes the file's value, then is refused.
        db.set(key, value);
        throw this.twice('key', key);
      }
    }
    if (k.lruIdleSec !== undefined || k.lfuFreq !== undefined) db.setHints(key, k.lruIdleSec, k.lfuFreq);
    this.stats.keys++;
    this.key = null;
  }

  end(e: RdbEnd): void {
    this.settle();
    this.stats.checksum = e.checksum;
  }

  /**
   * Indexes the keys added without a lookup since the last time (see keyEnd) and refuses the
   * first one the file holds twice, located at its second record.
   */
  private settle(): void {
    const offsets = this.bulkOffsets;
    if (offsets.length === 0) return;
    const db = this.ds.db(this.bulkDb);
    const repeated = db.takeRepeatedKey();
    const at = repeated === null ? -1 : repeated.entry - this.bulkBase;
    const offset = at >= 0 && at < offsets.length ? offsets[at] : this.offset;
    offsets.length = 0;
    if (repeated === null) return;
    const value = db.get(repeated.key);
    const type: ValueType = value === undefined || typeof value === 'string' ? 'string' : value.type;
    throw this.repeatedKey(repeated.key, offset, this.bulkDb, type);
  }

  /**
   * The list, set, hash or sorted set of the elements gathered so far (in its small form when
   * they are few and short enough). Larger collections are built once their elements outnumber
   * a pack, and then filled element by element.
   * @throws CorruptDataError when a member or field appears twice.
   */
  private collection(large = false): ListValue | SetValue | HashValue | ZSetValue {
    const items = this.items;
    // The count the record stated up front sizes a large form at once (within the budget).
    const room = this.declared > items.length ? items.length + this.room(this.declared - items.length) : 0;
    let made: ListValue | SetValue | HashValue | ZSetValue | null;
    let what: string;
    switch (this.type) {
      case 'list':
        made = ListValue.from(items, room);
        what = 'list item';
        break;
      case 'set':
        made = SetValue.from(items, room, large);
        what = 'set member';
        break;
      case 'hash':
        made = HashValue.from(items, this.vals, room, large);
        what = 'hash field';
        break;
      default:
        made = ZSetValue.from(items, this.nums, room);
        what = 'sorted-set member';
    }
    if (made === null) {
      const seen = new Set<ByteString>();
      throw this.twice(what, items.find((x) => seen.size === seen.add(x).size)!);
    }
    this.items.length = 0;
    this.vals.length = 0;
    this.nums.length = 0;
    return made;
  }

  /**
   * The small list, set or hash whose elements the packer gathered.
   * @throws CorruptDataError when a set member or hash field appears twice.
   */
  private packed(): ListValue | SetValue | HashValue {
    const p = this.packer;
    if (this.type === 'list') return ListValue.fromPack(p.pack(), p.count);
    const twice = p.duplicate(this.type === 'set' ? 1 : 2);
    if (twice !== null) throw this.twice(this.type === 'set' ? 'set member' : 'hash field', twice);
    return this.type === 'set' ? SetValue.fromPack(p.pack(), p.count) : HashValue.fromPack(p.pack(), p.count / 2);
  }

  /** The error for something the file holds twice, at the key's record. */
  /** The error for a key the file holds twice, found when the keys were indexed (see settle). */
  private repeatedKey(name: ByteString, offset: number, db: number, type: ValueType): CorruptDataError {
    return new CorruptDataError('BAD_VALUE', 'duplicate key in the file', {
      file: this.file,
      offset,
      expected: 'each key once',
      found: `${JSON.stringify(name.slice(0, 64))} again`,
      context: { doing: 'read-key', db, key: fromByteString(name), what: type },
    });
  }

  private twice(what: string, name: ByteString): CorruptDataError {
    const context: ErrorContext = { doing: 'read-value', db: this.db, key: this.key === null ? undefined : fromByteString(this.key), what: this.type };
    if (what === 'key') context.doing = 'read-key';
    return new CorruptDataError('BAD_VALUE', `duplicate ${what} in the file`, {
      file: this.file,
      offset: this.offset,
      expected: `each ${what} once`,
      found: `${JSON.stringify(name.slice(0, 64))} again`,
      context,
    });
  }
}

function isEmpty(v: Value): boolean {
  if (typeof v === 'string') return false;
  switch (v.type) {
    case 'list':
      return v.length === 0;
    case 'set':
    case 'zset':
    case 'hash':
      return v.size === 0;
    default:
      return false;
  }
}
