/**
 * The memory one key takes once a server has loaded it: what `MEMORY USAGE key SAMPLES 0`
 * reports, computed from the RDB decoder's events (a file read through the scan driver, or a
 * dataset read out by `emitDataset`), for the target a {@link MemoryModel} describes (its
 * structure sizes, allocator and the switches where versions differ: model.ts, redis-7-0.ts …).
 *
 * `MEMORY USAGE` counts the key's `dictEntry` and key string, the value's object and what
 * hangs off it (object.c `objectComputeSize`), each allocation at the size the allocator
 * gives it (6.x counts ziplists, intsets and embstrs by their bytes instead). What a value
 * becomes on load is modelled after `rdbLoadObject` (rdb.c) — 7.0's, with 6.x's ziplists,
 * 7.2's listpack sets and one-node listpack lists and 7.4's listpackEx hashes where the model
 * has them:
 *
 * - strings: an integer (a bare object, shared or not), an embstr up to 44 bytes, else an
 *   object and an sds string;
 * - blobs kept as they are (listpacks, intsets within the limits, quicklist nodes; in 6.x
 *   ziplists and a quicklist's ziplist nodes): their size from the file, no element read;
 * - blobs converted (ziplists and zipmaps become listpacks; a quicklist of ziplists, a list
 *   stored element by element or as one ziplist is pushed into 8 KiB listpack nodes — 6.x
 *   ziplist nodes, and 6.x holds a listpack as a ziplist of its entries; a collection over
 *   the limits becomes a hash table or a skiplist): their elements, sized as the conversion
 *   makes them;
 * - plain sets, hashes and sorted sets: the encoding the loader picks as it reads them (an
 *   intset or a listpack until the first element that does not fit), hash tables sized and
 *   grown as dict.c does (see dict-sim.ts), skiplist nodes at their expected size;
 * - streams: the listpack nodes as read, the radix tree over them (rax-sim.ts), consumer
 *   groups, consumers and pending entries as `objectComputeSize` counts them.
 *
 * A dataset read out of a replayed AOF is held as commands build values: lists pushed,
 * collections converted when they outgrow their small encoding and their tables grown one
 * insertion at a time, stream nodes made by XADD (the last one 4 KiB preallocated from 6.2
 * on, unless the streams are taken as loaded from the AOF's RDB part).
 *
 * Valkey 8.1 holds sets, hashes, sorted sets and keys in hashtable.c tables (hashtable-sim.ts)
 * and embeds each key in its value's robj: `MEMORY USAGE` counts no key bytes then, except
 * inside an embstr, which stays one only while robj, key, expiry and string fit in 64 bytes.
 *
 * Per element the work is a length, sometimes an integer check; nothing is allocated.
 */
import type { KeyInfo, RdbHandler, StreamGroup, StreamId } from '../../model/events.js';
import type { ValueType } from '../../model/redis-types.js';
import { intsetBytes, intsetWidth, LISTPACK_EMPTY_BYTES, listpackEntryBytes, listpackIntEntryBytes, listpackScoreEntryBytes, parseRedisInt, ZIPLIST_EMPTY_BYTES, ziplistEntryBytes, ziplistScoreEntryBytes } from './encodings.js';
import { DictSim, dictTableSize } from './dict-sim.js';
import { HashtableSim } from './hashtable-sim.js';
import { RaxSim, streamIdBytes } from './rax-sim.js';
import { QuicklistSim } from './quicklist-sim.js';
import { StreamNodeSim } from './stream-sim.js';
import type { MemoryModel } from './model.js';
import type { EncodingConfig, StructSizes } from './server-spec.js';

/** The allocator's real bytes for a rax less what `MEMORY USAGE` counts for it (negative). */
function raxUncounted(m: MemoryModel, rax: RaxSim): number {
  if (m.features.valkeyHashtables) return 0;
  return rax.nodes * m.raxNodeRealBytes + m.alloc(48) - rax.accountedBytes;
}

/** The encoding a value has once loaded, named as `OBJECT ENCODING` names it. */
export type LoadedEncoding = 'int' | 'embstr' | 'raw' | 'quicklist' | 'listpack' | 'listpackex' | 'ziplist' | 'intset' | 'hashtable' | 'skiplist' | 'stream' | 'module';

/** A key estimate with nothing in it yet (a record to fill and reuse). */
export function emptyKeyMemory(): KeyMemory {
  return { db: 0, key: new Uint8Array(0), valueType: 'string', encoding: 'raw', memoryBytes: 0, elements: 0, expireAtMs: null, offset: 0, onDiskBytes: 0, uncountedBytes: 0 };
}

/** The estimate of one key. The object is reused: read it during the callback. */
export interface KeyMemory {
  db: number;
  /** The key bytes (a view valid only during the callback). */
  key: Uint8Array;
  valueType: ValueType;
  /** The encoding after load. */
  encoding: LoadedEncoding;
  /** What `MEMORY USAGE key SAMPLES 0` would report. */
  memoryBytes: number;
  /** Elements, as the decoder counts them (1 for strings). */
  elements: number;
  expireAtMs: number | null;
  /** Absolute offset of the key's record (0 for a dataset). */
  offset: number;
  /** Bytes the record takes in the file (0 for a dataset). */
  onDiskBytes: number;
  /**
   * What the allocator really hands out for the key less what `MEMORY USAGE` counts: it counts
   * some structures at their `sizeof` where the allocator rounds them up (with Debian's
   * jemalloc a dictEntry's 24 bytes to 32, a dict's 56 and a quicklist's and its nodes' 40 to
   * 64 and 48), 7.2+ a set's entries at 24 bytes where they take 16 or none, and a stream's
   * radix trees at a flat 244 bytes a node where a node takes some 32 (negative then). For the
   * estimate of `used_memory`.
   */
  uncountedBytes: number;
}

/** Where the events come from: an RDB file, or a dataset (a replayed AOF). */
export type EventSource = 'rdb' | 'dataset';

/** Options of {@link KeyMemoryEstimator}. */
export interface KeyMemoryOptions {
  /** The target: its sizes, rules and allocator. */
  model: MemoryModel;
  /** Default `rdb`: values are loaded from an RDB; `dataset`: built by commands. */
  source?: EventSource;
  /** The server's encoding settings (default: the model's compiled-in defaults). */
  config?: EncodingConfig;
  /** Keys to estimate (others are skipped without reading their values); default all. */
  select?: (k: Readonly<KeyInfo>) => boolean;
  /**
   * A dataset's streams: built by XADD, their last node keeping its 4 KiB allocation (true,
   * the default), or loaded from an RDB part, every node sized to fit (false).
   */
  streamsBuiltByCommands?: boolean;
}

// What a key's value needs from the events (one per way of loading).
const M_FIXED = 0; // sized at keyStart
const M_SKIP = 1; // not selected
const M_STRING = 2; // a string whose bytes decide int or embstr
const M_PUSH_LIST = 3; // elements pushed at the tail of a quicklist
const M_ZIPLIST_NODES = 4; // ziplist quicklist nodes, each converted to one listpack
const M_NODES = 5; // listpack or PLAIN quicklist nodes kept as read
const M_SET = 6; // an intset until a member is not an integer (or too many), then a dict
const M_INTSET_TO_HT = 7; // an intset over the limit: a presized dict
const M_ZSET = 8; // a plain sorted set: skiplist, or a listpack when small
const M_ZSET_CONVERT = 9; // a listpack (or ziplist) sorted set: over the limit, a skiplist grown entry by entry
const M_HASH = 10; // a plain hash: a listpack until a field does not fit, then a dict
const M_HASH_CONVERT = 11; // a zipmap, ziplist or listpack hash: a listpack, or a presized dict
const M_STREAM = 12; // stream nodes as read, groups
const M_STREAM_BUILD = 13; // stream entries appended by XADD, groups
const M_MODULE = 14;

/** `QUICKLIST_NODE_CONTAINER_PLAIN`: a node holding one large element as it is. */
const QUICKLIST_PLAIN = 1;

/**
 * Computes each key's memory from the decoder's callbacks and hands it to `onKey` at the
 * key's end. Use it as (part of) an {@link RdbHandler}: it asks for a key's values only when
 * its size depends on them.
 */
export class KeyMemoryEstimator implements RdbHandler {
  private readonly m: MemoryModel;
  private readonly S: StructSizes;
  private readonly source: EventSource;
  private readonly config: EncodingConfig;
  private readonly select: ((k: Readonly<KeyInfo>) => boolean) | undefined;
  private readonly result: KeyMemory = emptyKeyMemory();

  // The key being read.
  private mode = M_SKIP;
  private rdbType = 0;
  /** The element count the record states up front (NaN: not stated). */
  private declared = NaN;
  /** The value's bytes so far (robj and structures included once known). */
  private value = 0;
  /** See {@link KeyMemory.uncountedBytes} (the key's own dictEntry aside). */
  private uncounted = 0;
  private encoding: LoadedEncoding = 'raw';
  private count = 0;
  private maxLen = 0;
  /** Per-element sizes of the small encoding (listpack entries) and of the large one. */
  private smallBytes = 0;
  private largeBytes = 0;
  private large = false;
  private intsetWidth = 2;
  /** The smallest and largest integer member of an intset so far (listpack sets, 7.2+). */
  private intMin = 0;
  private intMax = 0;
  /** A set held as a listpack (7.2+). */
  private listpackSet = false;
  /** A hash whose small form is a listpackEx, with a TTL entry per field (7.4+). */
  private ttlFields = false;
  /** A quicklist's nodes so far, and the last one's allocation, listpack bytes and container. */
  private listNodes = 0;
  private lastNodeAlloc = 0;
  private lastNodeBytes = 0;
  private lastNodePlain = false;
  /** A ziplist's bytes, where the listpack made of it starts as a block of that size (0: none). */
  private capacity = 0;
  private nodeBytes = 0;
  private nodeEntries = 0;
  private readonly dict = new DictSim();
  /** Valkey 8.1+: the hashtable.c table that stands for `dict` (null before). */
  private readonly ht: HashtableSim | null;
  /** The table simulation in use: `ht` where the target has one, else `dict`. */
  private readonly table: DictSim | HashtableSim;
  /** What a collection's member costs beyond its own allocations: a dictEntry (none with hashtable.c). */
  private readonly entryBytes0: number;
  /** The key's length and whether it has an expiry (where the robj embeds the key, 8.1+). */
  private keyLen = 0;
  private withExpiry = false;
  private readonly rax: RaxSim;
  private readonly pel: RaxSim;
  private readonly idBytes = new Uint8Array(16);
  private readonly quicklist: QuicklistSim;
  private readonly streamSim: StreamNodeSim;
  /**
   * Rehash steps per insertion into a sorted set's dict: 1 when loading (dictAdd), 2 for ZADD
   * (a dictFind first); into a hash's: 2 for HSET before 7.2, 1 from 7.2 (`dictAddRaw`).
   */
  private readonly lookupSteps: number;
  private readonly hashSteps: number;
  /** Scores the server writes into a listpack are the shortest text (7.2+). */
  private readonly shortestScores: boolean;
  /** Small hashes and sorted sets are ziplists (6.x), and the last entry added to one so far, in bytes. */
  private readonly ziplists: boolean;
  private lastEntry = 0;
  /** A dataset's key bytes, copied at keyStart: its view may be reused by the value's events. */
  private keyCopy = new Uint8Array(64);
  private keyLength = 0;

  constructor(
    private readonly onKey: (k: Readonly<KeyMemory>, info: Readonly<KeyInfo>) => void,
    opts: KeyMemoryOptions,
  ) {
    this.m = opts.model;
    this.S = opts.model.sizes;
    this.source = opts.source ?? 'rdb';
    this.lookupSteps = this.source === 'dataset' ? 2 : 1;
    this.hashSteps = this.source === 'dataset' && !opts.model.features.hsetAddsOnce ? 2 : 1;
    this.shortestScores = opts.model.features.shortestScores;
    this.ziplists = opts.model.features.ziplists;
    this.config = opts.config ?? opts.model.defaults;
    this.select = opts.select;
    this.ht = opts.model.features.valkeyHashtables ? new HashtableSim() : null;
    this.table = this.ht ?? this.dict;
    this.entryBytes0 = this.ht !== null ? 0 : this.S.dictEntry;
    // 8.1 counts a rax by its allocations.
    const alloc = (n: number) => this.m.alloc(n);
    this.rax = new RaxSim(this.S, alloc, this.ht !== null);
    this.pel = new RaxSim(this.S, alloc, this.ht !== null);
    this.quicklist = new QuicklistSim(this.m, this.config);
    this.streamSim = new StreamNodeSim(this.m, this.config, this.rax, opts.streamsBuiltByCommands ?? true);
  }

  keyStart(k: KeyInfo): boolean {
    if (this.select !== undefined && !this.select(k)) {
      this.mode = M_SKIP;
      return false;
    }
    this.rdbType = k.rdbType;
    this.keyLen = k.key.length;
    this.withExpiry = k.expireAtMs !== null;
    this.declared = k.declaredElements ?? NaN;
    if (this.source === 'dataset') {
      if (k.key.length > this.keyCopy.length) this.keyCopy = new Uint8Array(Math.max(k.key.length, 2 * this.keyCopy.length));
      this.keyCopy.set(k.key);
      this.keyLength = k.key.length;
    }
    this.value = 0;
    this.uncounted = 0;
    this.count = 0;
    this.maxLen = 0;
    this.smallBytes = 0;
    this.largeBytes = 0;
    this.large = false;
    this.intsetWidth = 2;
    this.intMin = 0;
    this.intMax = 0;
    this.listpackSet = false;
    this.ttlFields = false;
    this.lastEntry = 0;
    this.listNodes = 0;
    this.capacity = 0;
    this.nodeBytes = 0;
    this.nodeEntries = 0;
    this.mode = this.startValue(k);
    return this.mode !== M_FIXED && this.mode !== M_NODES && this.mode !== M_SKIP;
  }

  /** Sets up the key's value; returns its mode (fixed ones set `value` and `encoding` now). */
  private startValue(k: KeyInfo): number {
    const cfg = this.config;
    const S = this.S;
    const m = this.m;
    const fromFile = this.source === 'rdb';
    const n = this.declared;
    switch (k.rdbType) {
      case 0: {
        // A string: int-encoded in the file, or its length decides (up to 20 bytes it may read as an integer).
        if (k.encoding === 'int') return this.fixed(S.robj, 'int');
        const len = fromFile ? k.blobBytes : k.valueBytes;
        if (len === undefined || len <= m.strings.intMaxChars) return M_STRING;
        this.sizeString(len, false);
        return M_FIXED;
      }
      case 33: // a GCRA state, held as a string
        return M_STRING;
      case 1: // a linked list
      case 10: // a ziplist
      case 28: // an array: held as a list would be (no modelled version has the type)
        return this.startList();
      case 14:
        if (fromFile && m.features.ziplists) {
          // 6.x keeps a quicklist's ziplists as they are.
          this.encoding = 'quicklist';
          return M_NODES;
        }
        return fromFile ? M_ZIPLIST_NODES : this.startList();
      case 18:
        // 6.x: held as its elements pushed into ziplist nodes.
        if (!fromFile || m.features.ziplists) return this.startList();
        this.encoding = 'quicklist';
        return M_NODES;
      case 11: // an intset
        if (fromFile && k.blobBytes !== undefined && n <= cfg.setMaxIntsetEntries) return this.fixedBlob(k.blobBytes, 'intset');
        if (fromFile && n > cfg.setMaxIntsetEntries) {
          this.table.reset();
          this.table.expand(n);
          return M_INTSET_TO_HT;
        }
        return this.startSet();
      case 20: // a listpack set (7.2+): kept within the listpack limits, else a presized dict
        if (m.features.listpackSets && fromFile) {
          if (k.blobBytes !== undefined && n <= cfg.setMaxListpackEntries) return this.fixed(S.robj + m.alloc(k.blobBytes), 'listpack');
          this.table.reset();
          this.table.expand(n);
          return M_INTSET_TO_HT;
        }
        // Before 7.2: held as a set with these members would be.
        return this.startSet();
      case 2: // a plain set
        return this.startSet();
      case 3:
      case 5:
        return M_ZSET;
      case 12: // a ziplist: converted to a listpack (6.x: kept), then to a skiplist when over the limit
        if (fromFile && m.features.ziplists && k.blobBytes !== undefined && n <= cfg.zsetMaxListpackEntries) return this.fixedBlob(k.blobBytes, 'ziplist');
        if (fromFile) this.capacity = k.blobBytes ?? 0;
        return M_ZSET_CONVERT;
      case 17: // a listpack (6.x: held as a ziplist of its entries)
        if (fromFile && !m.features.ziplists && k.blobBytes !== undefined && n <= cfg.zsetMaxListpackEntries) return this.fixed(S.robj + m.alloc(k.blobBytes), 'listpack');
        return fromFile ? M_ZSET_CONVERT : M_ZSET;
      case 16: // a listpack (6.x: held as a ziplist of its entries)
        if (fromFile && !m.features.ziplists && k.blobBytes !== undefined && n <= cfg.hashMaxListpackEntries) return this.fixed(S.robj + m.alloc(k.blobBytes), 'listpack');
        return fromFile ? M_HASH_CONVERT : this.startHash();
      case 13: // a ziplist: converted to a listpack (6.x: kept), or to a hash table when over the limit
        if (fromFile && m.features.ziplists && k.blobBytes !== undefined && n <= cfg.hashMaxListpackEntries) return this.fixedBlob(k.blobBytes, 'ziplist');
        if (fromFile) this.capacity = k.blobBytes ?? 0;
        return fromFile ? M_HASH_CONVERT : this.startHash();
      case 25: // a listpack with field TTLs (7.4+, 23 its pre-release form): kept within the limits as a listpackEx
      case 23:
        if (m.features.hashFieldTtls && fromFile) {
          if (k.blobBytes !== undefined && n <= cfg.hashMaxListpackEntries) return this.fixed(S.robj + m.alloc(S.listpackEx) + m.alloc(k.blobBytes), 'listpackex');
          return M_HASH_CONVERT;
        }
        // Before 7.4: held as a hash of the same fields.
        return fromFile ? M_HASH_CONVERT : this.startHash();
      case 9: // a zipmap
      case 29: // hash templates (8.x): held as a hash of the same fields
      case 30:
      case 31:
      case 32:
        return fromFile ? M_HASH_CONVERT : this.startHash();
      case 24: // a hash with field TTLs (7.4+, 22 its pre-release form): a listpackEx within the limits
      case 22:
        if (m.features.hashFieldTtls) this.ttlFields = true;
        return this.startHash();
      case 4:
        return this.startHash();
      case 15:
      case 19:
      case 21:
      case 26:
      case 27:
        this.rax.reset();
        if (fromFile) return M_STREAM;
        this.streamSim.reset();
        return M_STREAM_BUILD;
      case 6:
      case 7:
        return M_MODULE;
      default:
        return this.fixed(S.robj, 'raw');
    }
  }

  private fixed(bytes: number, encoding: LoadedEncoding): number {
    this.value = bytes;
    this.encoding = encoding;
    return M_FIXED;
  }

  /** A ziplist or intset kept as the file holds it (`bytes` long, allocated to size). */
  private fixedBlob(bytes: number, encoding: LoadedEncoding): number {
    this.uncounted = this.m.alloc(bytes) - this.m.blob(bytes);
    return this.fixed(this.S.robj + this.m.blob(bytes), encoding);
  }

  /** The small encoding's entry for `b`: a listpack entry, or (6.x) a ziplist entry after the last one. */
  private entryBytes(b: Uint8Array): number {
    if (!this.ziplists) return listpackEntryBytes(b);
    return (this.lastEntry = ziplistEntryBytes(b, this.lastEntry));
  }

  private startList(): number {
    this.quicklist.reset();
    return M_PUSH_LIST;
  }

  private startSet(): number {
    this.table.reset();
    // A set stated as larger than the intset limit is a presized dict from the start.
    if (this.source === 'rdb' && this.declared > this.config.setMaxIntsetEntries) {
      this.large = true;
      if (this.declared > 4) this.table.expand(this.declared);
    }
    return M_SET;
  }

  private startHash(): number {
    this.table.reset();
    if (this.source === 'rdb' && this.declared > this.config.hashMaxListpackEntries) {
      this.large = true;
      // 7.4 does not presize the dict of a large hash with field TTLs: it grows field by field.
      if (!this.ttlFields) this.table.expand(this.declared);
    }
    return M_HASH;
  }

  /** A string of `len` bytes, an integer when `isInt`. */
  private sizeString(len: number, isInt: boolean): void {
    if (this.ht !== null && !isInt) {
      // 8.1+: the robj embeds the key; an embstr only while robj, key, expiry and string fit 64 bytes.
      const embstr = len <= this.m.strings.embstrMaxBytes ? this.m.embstrWithKey(len, this.keyLen, this.withExpiry) : -1;
      if (embstr >= 0) {
        this.value = embstr;
        this.encoding = 'embstr';
      } else {
        this.value = this.S.robj + this.m.sdsAlloc(len);
        this.encoding = 'raw';
      }
      return;
    }
    if (isInt) {
      this.value = this.S.robj;
      this.encoding = 'int';
    } else if (len <= this.m.strings.embstrMaxBytes) {
      this.value = this.m.embstr(len);
      this.uncounted = this.m.embstrSlack(len);
      this.encoding = 'embstr';
    } else {
      this.value = this.S.robj + this.m.sdsAlloc(len);
      this.encoding = 'raw';
    }
  }

  stringValue(v: Uint8Array): void {
    if (this.mode !== M_STRING) return;
    this.sizeString(v.length, v.length <= this.m.strings.intMaxChars && !Number.isNaN(parseRedisInt(v)));
    this.mode = M_FIXED;
  }

  stringPart(_part: Uint8Array, last: boolean, totalBytes: number): void {
    if (this.mode !== M_STRING || !last) return;
    this.sizeString(totalBytes, false);
    this.mode = M_FIXED;
  }

  item(v: Uint8Array): void {
    switch (this.mode) {
      case M_PUSH_LIST:
        this.quicklist.push(v);
        return;
      case M_ZIPLIST_NODES:
        this.nodeBytes += listpackEntryBytes(v);
        this.nodeEntries++;
        return;
      case M_SET:
        this.setMember(v);
        return;
      case M_INTSET_TO_HT:
        this.largeBytes += this.entryBytes0 + this.m.sdsAlloc(v.length);
        this.count++;
        return;
    }
  }

  arrayElement(_index: number, v: Uint8Array): void {
    if (this.mode === M_PUSH_LIST) this.quicklist.push(v);
  }

  /** One set member (`rdbLoadObject` for a plain set; SADD for a dataset); see setMemberListpack for 7.2+. */
  private setMember(v: Uint8Array): void {
    this.count++;
    this.largeBytes += this.entryBytes0 + this.m.sdsAlloc(v.length);
    if (this.large) {
      this.table.add();
      return;
    }
    if (this.m.features.listpackSets) {
      this.setMemberListpack(v);
      return;
    }
    const iv = parseRedisInt(v);
    if (!Number.isNaN(iv)) {
      const w = intsetWidth(iv);
      if (w > this.intsetWidth) this.intsetWidth = w;
      // SADD converts once the intset holds one member too many; a file states its count.
      if (this.source === 'dataset' && this.count > this.config.setMaxIntsetEntries) {
        this.toDict(this.count, NaN);
      }
      return;
    }
    // The first member that is not an integer: the intset so far becomes a presized dict, a
    // file's set is expanded to its stated count, then the member is added.
    this.toDict(this.count - 1, this.source === 'rdb' ? this.declared : NaN);
    this.table.add();
  }

  /**
   * One set member of a server with listpack sets (7.2 `rdbLoadObject`; SADD much the same): an
   * intset while the members are integers; at the first that is not, a listpack when the set
   * has fewer than `set-max-listpack-entries` members and none longer than
   * `set-max-listpack-value`, else a dict presized for the stated count (SADD: for the members
   * so far); a listpack that outgrows those limits becomes such a dict too.
   */
  private setMemberListpack(v: Uint8Array): void {
    const cfg = this.config;
    const len = v.length;
    if (len > this.maxLen) this.maxLen = len;
    const before = this.count - 1;
    const entry = listpackEntryBytes(v);
    if (!this.listpackSet) {
      const iv = parseRedisInt(v);
      if (!Number.isNaN(iv)) {
        const w = intsetWidth(iv);
        if (w > this.intsetWidth) this.intsetWidth = w;
        if (before === 0 || iv < this.intMin) this.intMin = iv;
        if (before === 0 || iv > this.intMax) this.intMax = iv;
        this.smallBytes += entry;
        if (this.source === 'dataset' && this.count > cfg.setMaxIntsetEntries) this.toPresizedDict(this.count);
        return;
      }
      if (before < cfg.setMaxListpackEntries && this.maxLen <= cfg.setMaxListpackValue) {
        // The intset's integers go into a listpack made for as many of the wider of its ends.
        this.listpackSet = true;
        this.capacity = before === 0 ? 0 : LISTPACK_EMPTY_BYTES + before * Math.max(listpackIntEntryBytes(this.intMin), listpackIntEntryBytes(this.intMax));
      } else {
        this.toPresizedDict(this.source === 'rdb' ? this.declared : this.count);
        return;
      }
    }
    if (before < cfg.setMaxListpackEntries && len <= cfg.setMaxListpackValue) {
      this.smallBytes += entry;
      return;
    }
    this.toPresizedDict(this.source === 'rdb' ? this.declared : this.count);
  }

  /** The set so far (this member included) moves into a dict presized for `expandTo`. */
  private toPresizedDict(expandTo: number): void {
    this.large = true;
    this.listpackSet = false;
    this.table.reset();
    this.table.expand(Math.max(expandTo, this.count));
    this.table.addMany(this.count);
  }

  /**
   * The small encoding's `n` elements move into a dict sized for them (unless `presize` is
   * false: grown one by one, a 6.x hash), then expanded for `expandTo`.
   */
  private toDict(n: number, expandTo: number, presize = true): void {
    this.large = true;
    this.table.reset();
    if (presize) this.table.expand(n);
    this.table.addMany(n);
    if (expandTo > 4) this.table.expand(expandTo);
  }

  field(f: Uint8Array, v: Uint8Array, expireAtMs: number | null = null): void {
    if (this.mode !== M_HASH && this.mode !== M_HASH_CONVERT) return;
    const cfg = this.config;
    this.count++;
    const fl = f.length;
    const vl = v.length;
    if (fl > this.maxLen) this.maxLen = fl;
    if (vl > this.maxLen) this.maxLen = vl;
    this.largeBytes += this.ht !== null ? this.m.hashEntryBytes(fl, vl) : this.S.dictEntry + this.m.hashFieldAlloc(fl, expireAtMs !== null) + this.m.sdsAlloc(vl);
    if (this.ttlFields) {
      // A listpackEx entry: field, value and TTL (0: none).
      this.smallBytes += listpackIntEntryBytes(expireAtMs ?? 0);
    } else if (expireAtMs !== null && this.m.features.hashFieldTtls && this.mode === M_HASH) {
      // A field with a TTL makes the listpack a listpackEx, each field with a TTL entry.
      this.ttlFields = true;
      this.smallBytes += (this.count - 1) * listpackIntEntryBytes(0) + listpackIntEntryBytes(expireAtMs);
    }
    if (this.mode === M_HASH_CONVERT) {
      this.smallBytes += this.entryBytes(f) + this.entryBytes(v);
      return;
    }
    if (this.large) {
      this.table.add(this.hashSteps);
      return;
    }
    if (fl > cfg.hashMaxListpackValue || vl > cfg.hashMaxListpackValue) {
      // The listpack so far becomes a dict sized for it; the field is added; a file's hash is
      // then expanded to what is left of its stated count.
      const before = this.count - 1;
      this.large = true;
      this.table.reset();
      if (this.m.features.presizedHashConversion) this.table.expand(before);
      this.table.addMany(before);
      this.table.add();
      // (dictTryExpand does nothing below 4 entries; hashtableTryExpand resizes to any count above the entries held.)
      const left = this.declared - this.count;
      if (this.source === 'rdb' && (left > 4 || (this.ht !== null && left > 0))) this.table.expand(left);
      return;
    }
    this.smallBytes += this.entryBytes(f) + this.entryBytes(v);
    // HSET converts once the listpack holds one field too many; a file states its count.
    if (this.source === 'dataset' && this.count > cfg.hashMaxListpackEntries) this.toDict(this.count, NaN, this.m.features.presizedHashConversion);
  }

  member(m: Uint8Array, score: number): void {
    if (this.mode !== M_ZSET && this.mode !== M_ZSET_CONVERT) return;
    this.count++;
    if (m.length > this.maxLen) this.maxLen = m.length;
    // The listpack form's size matters only while the set may end up in one.
    // A ziplist's scores stay the text they were saved as (`%.17g`); a listpack the server
    // builds gets its own (the shortest text from 7.2 on).
    if (!(this.declared > this.config.zsetMaxListpackEntries)) {
      if (this.ziplists) this.smallBytes += this.entryBytes(m) + (this.lastEntry = ziplistScoreEntryBytes(score, this.lastEntry));
      else this.smallBytes += listpackEntryBytes(m) + listpackScoreEntryBytes(score, this.shortestScores && this.rdbType !== 12);
    }
    this.largeBytes += this.m.sdsAlloc(m.length) + this.entryBytes0 + this.m.skiplistNodeExpectedBytes;
  }

  valueNode(container: number, bytes: number, nodeKey: Uint8Array | null): void {
    switch (this.mode) {
      case M_NODES:
        if (this.ziplists) {
          // 6.x skips an empty ziplist; counts the others by their bytes.
          if (bytes <= ZIPLIST_EMPTY_BYTES) return;
          this.uncounted += this.m.alloc(bytes) - this.m.blob(bytes);
          this.listNode(this.m.blob(bytes), bytes, false);
          return;
        }
        this.listNode(this.m.alloc(bytes), bytes, container === QUICKLIST_PLAIN);
        return;
      case M_ZIPLIST_NODES:
        // A ziplist node becomes a listpack of the same elements (an empty one is dropped).
        if (this.nodeEntries > 0) {
          const lpBytes = LISTPACK_EMPTY_BYTES + this.nodeBytes;
          this.listNode(this.m.shrunkAlloc(bytes, lpBytes), lpBytes, false);
        }
        this.nodeBytes = 0;
        this.nodeEntries = 0;
        return;
      case M_STREAM:
        // 6.0 counts a node's listpack by its bytes.
        if (this.m.features.streamBlobSizes) {
          this.value += bytes;
          this.uncounted += this.m.alloc(bytes) - bytes;
        } else this.value += this.m.alloc(bytes);
        if (nodeKey !== null) this.rax.insert(nodeKey);
        return;
    }
  }

  /** A quicklist node kept: its structure and allocation (`alloc`), and its listpack's bytes. */
  private listNode(alloc: number, bytes: number, plain: boolean): void {
    this.value += this.S.quicklistNode + alloc;
    this.uncounted += this.m.quicklistNodeSlack;
    this.listNodes++;
    this.lastNodeAlloc = alloc;
    this.lastNodeBytes = bytes;
    this.lastNodePlain = plain;
  }

  streamEntry(id: StreamId, fields: Uint8Array[], deleted: boolean): void {
    if (this.mode === M_STREAM_BUILD && !deleted) this.streamSim.append(id, fields);
  }

  streamGroup(g: StreamGroup): void {
    if (this.mode !== M_STREAM && this.mode !== M_STREAM_BUILD) return;
    const S = this.S;
    let bytes = S.streamCG + this.pelBytes(g.pending) + S.streamNACK * g.pending.length;
    for (const c of g.consumers) bytes += S.streamConsumer + c.name.length + this.pelBytes(c.pending);
    this.smallBytes += bytes;
  }

  /** What a PEL's radix tree counts (its entries in ID order, as files and datasets give them). */
  private pelBytes(pending: readonly { id: StreamId }[]): number {
    const rax = this.pel;
    rax.reset();
    for (let i = 0; i < pending.length; i++) {
      streamIdBytes(pending[i].id, this.idBytes);
      rax.insert(this.idBytes);
    }
    this.uncounted += raxUncounted(this.m, rax);
    return rax.accountedBytes;
  }

  moduleValue(m: { raw: Uint8Array }): void {
    if (this.mode === M_MODULE) this.smallBytes = m.raw.length;
  }

  keyEnd(k: KeyInfo): void {
    if (this.mode === M_SKIP) return;
    this.finishValue(k);
    const r = this.result;
    const key = this.source === 'dataset' ? this.keyCopy.subarray(0, this.keyLength) : k.key;
    r.db = k.db;
    r.key = key;
    r.valueType = k.valueType;
    r.encoding = this.encoding;
    r.memoryBytes = this.m.keyBytes(key.length) + this.value;
    r.uncountedBytes = this.m.keyEntrySlack + this.uncounted;
    // 8.1+: the robj holding the key is counted at its sizeof, unless it is an embstr.
    if (this.ht !== null && this.encoding !== 'embstr') r.uncountedBytes += this.m.keyObjectBytes(key.length, k.expireAtMs !== null) - this.S.robj;
    r.elements = k.elements;
    r.expireAtMs = k.expireAtMs;
    r.offset = k.offset;
    r.onDiskBytes = k.onDiskBytes;
    this.onKey(r, k);
  }

  /** Turns what the value's events gave into its bytes and encoding. */
  private finishValue(k: KeyInfo): void {
    const cfg = this.config;
    const S = this.S;
    const m = this.m;
    switch (this.mode) {
      case M_FIXED:
        return;
      case M_STRING:
        // Never delivered (a dataset's string not asked for): sized by length.
        this.sizeString(k.valueBytes, false);
        return;
      case M_PUSH_LIST: {
        // 7.2+: a list of one listpack node within the node limit is that listpack (not one
        // loaded from a ziplist-encoded list, which 7.2's loader leaves a quicklist).
        const single = this.quicklist.singleNodeBytes();
        if (m.features.listpackLists && single >= 0 && single <= cfg.listNodeMaxBytes && !(this.rdbType === 10 && this.source === 'rdb')) {
          this.value = S.robj + m.alloc(single);
          this.encoding = 'listpack';
          return;
        }
        this.value = S.robj + S.quicklist + this.quicklist.bytes;
        this.uncounted = m.quicklistSlack + m.quicklistNodeSlack * this.quicklist.nodes + this.quicklist.slack;
        this.encoding = 'quicklist';
        return;
      }
      case M_ZIPLIST_NODES:
      case M_NODES:
        if (m.features.listpackLists && this.listNodes === 1 && !this.lastNodePlain && this.lastNodeBytes <= cfg.listNodeMaxBytes) {
          this.value = S.robj + this.lastNodeAlloc;
          this.uncounted = 0;
          this.encoding = 'listpack';
          return;
        }
        this.value += S.robj + S.quicklist;
        this.uncounted += m.quicklistSlack;
        this.encoding = 'quicklist';
        return;
      case M_SET:
        if (this.large) this.setHashtable();
        else if (this.listpackSet) {
          // Made for `capacity` bytes, reallocated to size only once it outgrew that.
          const bytes = LISTPACK_EMPTY_BYTES + this.smallBytes;
          const made = m.alloc(Math.max(this.capacity, LISTPACK_EMPTY_BYTES));
          this.value = S.robj + (bytes <= made ? made : m.alloc(bytes));
          this.encoding = 'listpack';
        } else {
          const bytes = intsetBytes(this.count, this.intsetWidth);
          this.value = S.robj + m.blob(bytes);
          this.uncounted = m.alloc(bytes) - m.blob(bytes);
          this.encoding = 'intset';
        }
        return;
      case M_INTSET_TO_HT:
        // The dict was presized for the stated count: the members fill it without growing it.
        this.table.addMany(this.count);
        this.setHashtable();
        return;
      case M_ZSET: {
        const small = this.count <= cfg.zsetMaxListpackEntries && this.maxLen <= cfg.zsetMaxListpackValue;
        if (small) this.setListpack();
        else if (this.source === 'rdb') this.setSkiplist(this.ht !== null ? this.count : dictTableSize(this.count));
        else this.setSkiplistGrown();
        return;
      }
      case M_ZSET_CONVERT:
        // 7.2+ presizes the dict for the members; 7.0 grows it.
        if (this.count > cfg.zsetMaxListpackEntries) {
          if (m.features.presizedZsetConversion && this.source === 'rdb') this.setSkiplist(this.ht !== null ? this.count : dictTableSize(this.count));
          else this.setSkiplistGrown();
        } else this.setListpack();
        return;
      case M_HASH:
        if (this.large) this.setHashtable();
        else this.setListpack();
        return;
      case M_HASH_CONVERT: {
        // Loading checks a zipmap's longest string as well; a ziplist or listpack only its count.
        const big = this.count > cfg.hashMaxListpackEntries || (this.rdbType === 9 && this.maxLen > cfg.hashMaxListpackValue);
        if (big) {
          // Presized from 7.0; grown field by field before.
          this.table.reset();
          if (m.features.presizedHashConversion) this.table.expand(this.count);
          this.table.addMany(this.count);
          this.setHashtable();
        } else this.setListpack();
        return;
      }
      case M_STREAM:
        // 6.0 does not count the stream structure.
        this.value += S.robj + (m.features.streamBlobSizes ? 0 : S.stream) + this.rax.accountedBytes + this.smallBytes;
        this.uncounted += raxUncounted(m, this.rax) + (m.features.streamBlobSizes ? m.alloc(S.stream) : 0);
        this.encoding = 'stream';
        return;
      case M_STREAM_BUILD:
        this.value = S.robj + (m.features.streamBlobSizes ? 0 : S.stream) + this.streamSim.bytes + this.smallBytes;
        this.uncounted += raxUncounted(m, this.rax) + (m.features.streamBlobSizes ? m.alloc(S.stream) : 0);
        this.encoding = 'stream';
        return;
      case M_MODULE:
        this.value = S.robj + this.smallBytes;
        this.encoding = 'module';
        return;
    }
  }

  private setListpack(): void {
    if (this.ziplists) {
      // 6.x: a ziplist, built entry by entry (reallocated to size at each).
      const zl = ZIPLIST_EMPTY_BYTES + this.smallBytes;
      this.value = this.S.robj + this.m.blob(zl);
      this.uncounted = this.m.alloc(zl) - this.m.blob(zl);
      this.encoding = 'ziplist';
      return;
    }
    const bytes = LISTPACK_EMPTY_BYTES + this.smallBytes;
    this.value = this.S.robj + (this.capacity > 0 ? this.m.shrunkAlloc(this.capacity, bytes) : this.m.alloc(bytes));
    this.encoding = 'listpack';
    if (this.ttlFields) {
      this.value += this.m.alloc(this.S.listpackEx);
      this.encoding = 'listpackex';
    }
  }

  private setHashtable(): void {
    const S = this.S;
    if (this.ht !== null) {
      // hashtable.c: the structure, every bucket, the members' own allocations.
      this.value = S.robj + this.ht.memUsage + this.largeBytes;
      this.uncounted = this.m.hashtableSlack;
      this.encoding = 'hashtable';
      return;
    }
    const slots = this.dict.slots;
    this.value = S.robj + S.dict + S.bucket * slots + this.largeBytes;
    this.uncounted = this.m.dictSlack + this.m.dictEntrySlack * this.count;
    if (this.m.features.setEntriesWithoutValue && this.valueTypeIsSet()) {
      // A member alone in its bucket takes no entry; the others a 16-byte one (key, next).
      const chained = Math.max(0, this.count - this.dict.filledBuckets);
      if (this.m.features.valkeyDicts) {
        // Valkey counts the entries as they are.
        this.value += Math.round(chained * 16) - S.dictEntry * this.count;
        this.uncounted = Math.round(this.m.dictSlack + chained * (this.m.alloc(16) - 16));
      } else {
        this.uncounted = Math.round(this.m.dictSlack + chained * this.m.alloc(16) - S.dictEntry * this.count);
      }
    }
    this.encoding = 'hashtable';
  }

  /** The key being read is a set. */
  private valueTypeIsSet(): boolean {
    const t = this.rdbType;
    return t === 2 || t === 11 || t === 20;
  }

  /** A skiplist whose dict has `slots` buckets. */
  private setSkiplist(slots: number): void {
    const S = this.S;
    if (this.ht !== null) {
      // hashtable.c: the table of the skiplist's nodes, presized for `slots` members unless grown.
      if (slots >= 0) {
        this.ht.reset();
        this.ht.expand(slots);
        this.ht.addMany(this.count);
      }
      this.value = S.robj + S.zset + S.zskiplist + this.ht.memUsage + this.m.skiplistHeaderBytes + this.largeBytes;
      this.uncounted = this.m.hashtableSlack;
      this.encoding = 'skiplist';
      return;
    }
    this.value = S.robj + S.zset + S.zskiplist + S.dict + S.bucket * slots + this.m.skiplistHeaderBytes + this.largeBytes;
    this.uncounted = this.m.dictSlack + this.m.dictEntrySlack * this.count;
    this.encoding = 'skiplist';
  }

  /** A skiplist converted from a listpack (or grown by ZADD): its dict grown one member at a time. */
  private setSkiplistGrown(): void {
    this.table.reset();
    this.table.addMany(this.count, this.lookupSteps);
    this.setSkiplist(this.ht !== null ? -1 : this.dict.slots);
  }
}
