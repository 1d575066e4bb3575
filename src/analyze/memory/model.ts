/**
 * A memory model: one server version (its `ServerSpec`) joined with an allocator's usable-size
 * function — everything the estimate of a key needs to size it for that target. The estimator,
 * the analyzer and the quick estimate take one instead of module constants.
 */
import { jemallocSize, jemallocSize8 } from './jemalloc.js';
import { libcSize } from './libc.js';
import { sdsHeaderBytes, valkeySdsHeaderBytes } from './encodings.js';
import { REDIS_6_0 } from './redis-6-0.js';
import { REDIS_6_2 } from './redis-6-2.js';
import { REDIS_7_0 } from './redis-7-0.js';
import { REDIS_7_2 } from './redis-7-2.js';
import { REDIS_7_4 } from './redis-7-4.js';
import { REDIS_8_0 } from './redis-8-0.js';
import { VALKEY_8_0 } from './valkey-8-0.js';
import { VALKEY_8_1 } from './valkey-8-1.js';
import { HASHTABLE_BYTES } from './hashtable-sim.js';
import type { EncodingConfig, ServerFeatures, ServerSpec, StringRules, StructSizes } from './server-spec.js';
import type { MemoryAllocator, ModelledTarget, MemoryTarget } from './target.js';

/** Requests, strings and keys below this many bytes are sized from tables. */
const SMALL = 2048;

/** The modelled server versions, oldest first. */
export const SERVER_SPECS: readonly ServerSpec[] = [REDIS_6_0, REDIS_6_2, REDIS_7_0, REDIS_7_2, REDIS_7_4, REDIS_8_0, VALKEY_8_0, VALKEY_8_1];

/** The sizes of one target: see the module notes. Immutable; share it. */
export class MemoryModel {
  readonly target: ModelledTarget;
  readonly sizes: StructSizes;
  readonly strings: StringRules;
  readonly defaults: EncodingConfig;
  readonly features: ServerFeatures;
  readonly maxRdbVersion: number;
  /** `used_memory` of the server without keys (see {@link ServerSpec.startupBytes}). */
  readonly startupBytes: number;
  private readonly libc: boolean;
  private readonly quantum8: boolean;
  private readonly blobSizes: boolean;
  private readonly smallAlloc: Uint32Array;
  private readonly smallSds: Uint32Array;
  private readonly smallKey: Uint32Array;
  /** What the allocator adds to structures `MEMORY USAGE` counts at their `sizeof`. */
  readonly dictEntrySlack: number;
  /** …of a key's entry in the key table (0 when the entry is counted by its allocation). */
  readonly keyEntrySlack: number;
  readonly dictSlack: number;
  /** …of a hashtable.c table's structure (8.1+; its buckets are counted by their allocation). */
  readonly hashtableSlack: number;
  readonly quicklistSlack: number;
  readonly quicklistNodeSlack: number;
  /** A sorted set's skiplist header node, and the expected allocation of one member's node. */
  readonly skiplistHeaderBytes: number;
  readonly skiplistNodeExpectedBytes: number;
  /**
   * What a rax node of stream IDs really takes, on average (with jemalloc a leaf 16 bytes, a
   * compressed run or a small branch 32 to 48): `MEMORY USAGE` counts a flat 244 per node.
   */
  readonly raxNodeRealBytes: number;

  constructor(spec: ServerSpec, allocator: MemoryAllocator) {
    this.target = { server: spec.server, version: spec.version, allocator };
    this.sizes = spec.sizes;
    this.strings = spec.strings;
    this.defaults = spec.defaults;
    this.features = spec.features;
    this.maxRdbVersion = spec.maxRdbVersion;
    this.startupBytes = spec.startupBytes[allocator] ?? spec.startupBytes.jemalloc;
    this.libc = allocator === 'libc';
    // The jemalloc every modelled version bundles has an 8-byte quantum; a distribution's 16.
    this.quantum8 = allocator === 'jemalloc';
    this.blobSizes = spec.features.blobSizes;
    // The sizes of small requests, strings and keys, looked up rather than computed.
    this.smallAlloc = new Uint32Array(SMALL);
    this.smallSds = new Uint32Array(SMALL);
    this.smallKey = new Uint32Array(SMALL);
    for (let n = 0; n < SMALL; n++) this.smallAlloc[n] = this.libc ? libcSize(n) : this.quantum8 ? jemallocSize8(n) : jemallocSize(n);
    for (let n = 0; n < SMALL; n++) this.smallSds[n] = this.alloc((spec.features.valkeyDicts ? valkeySdsHeaderBytes(n) : sdsHeaderBytes(n)) + n + 1);
    for (let n = 0; n < SMALL; n++) this.smallKey[n] = spec.features.valkeyHashtables ? 0 : spec.features.valkeyDicts ? this.alloc(17 + valkeySdsHeaderBytes(n) + n + 1) : spec.sizes.dictEntry + this.smallSds[n];
    const S = spec.sizes;
    this.dictEntrySlack = this.alloc(S.dictEntry) - S.dictEntry;
    this.keyEntrySlack = spec.features.valkeyDicts ? 0 : this.dictEntrySlack;
    this.dictSlack = this.alloc(S.dict) - S.dict;
    this.hashtableSlack = this.alloc(HASHTABLE_BYTES) - HASHTABLE_BYTES;
    this.quicklistSlack = this.alloc(S.quicklist) - S.quicklist;
    this.quicklistNodeSlack = this.alloc(S.quicklistNode) - S.quicklistNode;
    this.skiplistHeaderBytes = this.skiplistNodeBytes(S.skiplistMaxLevel);
    this.skiplistNodeExpectedBytes = this.expectedSkiplistNodeBytes();
    this.raxNodeRealBytes = this.libc ? 40 : 32;
  }

  /** The usable size the allocator gives a request of `n` bytes (`zmalloc_size`). */
  alloc(n: number): number {
    if (n < SMALL) return this.smallAlloc[n];
    return this.libc ? libcSize(n) : this.quantum8 ? jemallocSize8(n) : jemallocSize(n);
  }

  /**
   * The allocation of a listpack of `bytes` bytes built in one made for `capacity` bytes (a
   * ziplist converted on load: `lpNew(capacity)`, the entries appended, `lpShrinkToFit`). jemalloc
   * moves a shrunk block to the smaller class; glibc splits off the rest only when it is at
   * least its smallest chunk (32 bytes), so the block may stay 16 bytes larger.
   */
  shrunkAlloc(capacity: number, bytes: number): number {
    const usable = this.alloc(bytes);
    if (!this.libc) return usable;
    const had = this.alloc(capacity);
    // (Grown past its first block, it was reallocated to size; a mapped block is left aside.)
    if (bytes > had || had >= 0x1ff00) return usable;
    return had - usable < 32 ? had : usable;
  }

  /** The allocation of an sds string of `len` bytes made to size (header, bytes, NUL). */
  sdsAlloc(len: number): number {
    if (len < SMALL) return this.smallSds[len];
    return this.alloc((this.features.valkeyDicts ? valkeySdsHeaderBytes(len) : sdsHeaderBytes(len)) + len + 1);
  }

  /**
   * What `MEMORY USAGE` counts for a key of `len` bytes itself: its dictEntry and its sds; in
   * Valkey 8.0 the one allocation holding both (value, next, a header offset byte, the sds);
   * from Valkey 8.1 nothing: the key lives in its value's robj (see {@link keyObjectBytes}).
   */
  keyBytes(len: number): number {
    if (len < SMALL) return this.smallKey[len];
    if (this.features.valkeyHashtables) return 0;
    if (this.features.valkeyDicts) return this.alloc(17 + valkeySdsHeaderBytes(len) + len + 1);
    return this.sizes.dictEntry + this.sdsAlloc(len);
  }

  /**
   * Valkey 8.1+: the allocation of a value's robj holding a key of `len` bytes (the robj, an
   * expiry when `withExpiry` or the key is 128 bytes or more, a header-size byte, the key's
   * sds made to size). `MEMORY USAGE` counts 16 bytes of it, unless the value is an embstr.
   */
  keyObjectBytes(len: number, withExpiry: boolean): number {
    return this.alloc(this.sizes.robj + (withExpiry || len >= 128 ? 8 : 0) + 1 + embeddedSdsBytes(len));
  }

  /**
   * Valkey 8.1+: a string of `len` bytes (at most 44, an embstr once loaded) under a key of
   * `keyLen` bytes: the allocation of the embstr holding robj, expiry, key and string when
   * they fit in 64 bytes (`createStringObjectWithKeyAndExpire`), else -1 (a raw string). An
   * expiry set after the key was added (as loading does) needs no room of its own when the
   * allocation had 8 bytes to spare.
   */
  embstrWithKey(len: number, keyLen: number, withExpiry: boolean): number {
    const fits = (expiry: boolean) => this.sizes.robj + keyLen + 3 + (expiry ? 8 : 0) + 4 + len <= 64;
    const size = (expiry: boolean) => this.sizes.robj + (expiry ? 8 : 0) + 1 + embeddedSdsBytes(keyLen) + 3 + len + 1;
    if (!fits(false)) return -1;
    const plain = size(false);
    if (!withExpiry || this.alloc(plain) >= plain + 8) return this.alloc(plain);
    return fits(true) ? this.alloc(size(true)) : -1;
  }

  /**
   * Valkey 8.1+: what `MEMORY USAGE` counts for a hash field of `fieldLen` bytes and its value
   * of `valueLen` (`hashTypeEntryMemUsage`): the two sds strings in one allocation while they
   * take at most 128 bytes (the value an sdshdr8), counted by their sizes with the
   * allocation's spare bytes; else the field's allocation (a value pointer, the field's sds, at
   * least an sdshdr8) and the value's sds.
   */
  hashEntryBytes(fieldLen: number, valueLen: number): number {
    const field = embeddedSdsBytes(fieldLen);
    const value = 3 + valueLen + 1;
    if (field + value <= 128) return this.alloc(field + value);
    const header = fieldLen < 32 ? 3 : valkeySdsHeaderBytes(fieldLen);
    return this.alloc(8 + header + fieldLen + 1) + this.sdsAlloc(valueLen);
  }

  /**
   * The allocation of a hash table's field of `len` bytes: an sds string; from 7.4 an `mstr`
   * (header 1 byte below 32 bytes, 3 below 64 KiB, 9 beyond), with 16 bytes of expiry
   * metadata and 2 of flags when the field has a TTL.
   */
  hashFieldAlloc(len: number, withTtl: boolean): number {
    if (!this.features.hashFieldTtls) return this.sdsAlloc(len);
    const header = len < 32 ? 1 : len < 65536 ? 3 : 9;
    return this.alloc((withTtl ? 18 : 0) + header + len + 1);
  }

  /**
   * What `MEMORY USAGE` counts for an embstr (the robj and an sdshdr8 string in one
   * allocation): the allocation; in 6.x the string's length + 2 and the robj.
   */
  embstr(len: number): number {
    return this.blobSizes ? this.sizes.robj + len + 2 : this.alloc(this.sizes.robj + 3 + len + 1);
  }

  /** The allocation of an embstr less what {@link embstr} counts (6.x). */
  embstrSlack(len: number): number {
    return this.blobSizes ? this.alloc(this.sizes.robj + 3 + len + 1) - this.embstr(len) : 0;
  }

  /**
   * What `MEMORY USAGE` counts for a ziplist or an intset of `bytes` bytes allocated to size:
   * the allocation; in 6.x its bytes (`ziplistBlobLen`, the intset's header and members).
   */
  blob(bytes: number): number {
    return this.blobSizes ? bytes : this.alloc(bytes);
  }

  /** The allocation of a skiplist node of `levels` levels. */
  skiplistNodeBytes(levels: number): number {
    return this.alloc(this.sizes.skiplistNode + this.sizes.skiplistLevel * levels);
  }

  /**
   * A member's node has level k with probability 0.75 · 0.25^(k−1) (`zslRandomLevel`, p = 1/4,
   * at most 32 levels): the expected allocation, the rounding to size classes included.
   */
  private expectedSkiplistNodeBytes(): number {
    const max = this.sizes.skiplistMaxLevel;
    let e = 0;
    let p = 0.75;
    for (let k = 1; k < max; k++) {
      e += p * this.skiplistNodeBytes(k);
      p *= 0.25;
    }
    // What is left of the distribution is capped at the last level.
    return e + (p / 0.75) * this.skiplistNodeBytes(max);
  }
}

/** An sds of `len` bytes as `sdsReqType`/`sdsReqSize` size it (type 5 below 32 bytes, even when empty). */
function embeddedSdsBytes(len: number): number {
  return (len < 32 ? 1 : valkeySdsHeaderBytes(len)) + len + 1;
}

const models = new Map<string, MemoryModel>();

/**
 * The model of a target (cached).
 * @throws Error for a server version that is not modelled (parseMemoryTarget refuses those first)
 */
export function memoryModel(target: ModelledTarget): MemoryModel {
  const id = `${target.server}@${target.version}/${target.allocator}`;
  let m = models.get(id);
  if (m === undefined) {
    const spec = SERVER_SPECS.find((s) => s.server === target.server && s.version === target.version);
    if (spec === undefined) throw new Error(`no memory model for ${target.server}@${target.version}`);
    models.set(id, (m = new MemoryModel(spec, target.allocator)));
  }
  return m;
}

/** Redis 7.0 with jemalloc: the model of callers that name none. */
export function defaultMemoryModel(): MemoryModel {
  return memoryModel({ server: 'redis', version: '7.0', allocator: 'jemalloc' });
}

/** What a file says about the server that wrote it. */
export interface TargetFileFacts {
  /** Its RDB version (0: none, an AOF of commands only). */
  rdbVersion: number;
  /** `redis-ver` or `valkey-ver` (the latter wins), when stated. */
  serverVersion: string | null;
  /** Which of the two named it. */
  serverName: ModelledTarget['server'] | null;
}

/** The model an estimate uses, and why (for the report). */
export interface ChosenModel {
  model: MemoryModel;
  reason: string;
}

/** `major.minor` as one comparable number (7.2 → 7002), or NaN. */
function versionRank(v: string): number {
  const m = /^(\d+)\.(\d+)/.exec(v);
  return m ? Number(m[1]) * 1000 + Number(m[2]) : NaN;
}

/**
 * The target of an estimate: the one `--target` named; otherwise the modelled version of the
 * file's server at or below the version it states (`redis-ver`, `valkey-ver`), as long as that
 * version reads the file; a file newer than every modelled version, or one that names no
 * server, gets the newest modelled version that reads its RDB version (Redis before Valkey
 * unless the file is Valkey's); a file no modelled version reads, the newest.
 */
export function chooseMemoryModel(choice: MemoryTarget, facts: TargetFileFacts): ChosenModel {
  const alloc = choice.allocator;
  if (choice.named !== null) return { model: memoryModel({ ...choice.named, allocator: alloc }), reason: 'named by --target' };
  const rdb = facts.rdbVersion;
  const id = (s: ServerSpec) => `${s.server}@${s.version}`;
  const reads = (s: ServerSpec) => rdb <= s.maxRdbVersion;
  const stated = facts.serverVersion === null ? NaN : versionRank(facts.serverVersion);
  const writer = facts.serverVersion === null ? '' : `${facts.serverName === 'valkey' ? 'Valkey' : 'Redis'} ${facts.serverVersion}`;
  // Valkey 7.2 is Redis 7.2.4's code: its files are modelled as Redis's.
  const family = facts.serverName === 'valkey' && stated < 8000 ? 'redis' : (facts.serverName ?? 'redis');
  const mine = SERVER_SPECS.filter((s) => s.server === family);
  if (!Number.isNaN(stated) && mine.length > 0) {
    const atOrBelow = mine.filter((s) => versionRank(s.version) <= stated && reads(s));
    const newerThanAll = versionRank(mine[mine.length - 1].version) < stated;
    if (atOrBelow.length > 0 && !newerThanAll) {
      const s = atOrBelow[atOrBelow.length - 1];
      return { model: memoryModel({ server: s.server, version: s.version, allocator: alloc }), reason: `the file was written by ${writer}` + (versionRank(s.version) === stated ? '' : `: ${id(s)} is the nearest modelled version below it`) };
    }
    if (atOrBelow.length === 0 && versionRank(mine[0].version) > stated && reads(mine[0])) {
      const s = mine[0];
      return { model: memoryModel({ server: s.server, version: s.version, allocator: alloc }), reason: `the file was written by ${writer}, older than every modelled version: ${id(s)}, the oldest` };
    }
  }
  const readers = [...mine.filter(reads), ...SERVER_SPECS.filter((s) => s.server !== family && reads(s))];
  const why = writer !== '' ? `the file was written by ${writer}, newer than every modelled version of it` : rdb > 0 ? 'the file does not name its server' : 'the input names no server';
  if (readers.length > 0) {
    const own = readers.filter((s) => s.server === family);
    const s = own.length > 0 ? own[own.length - 1] : readers[readers.length - 1];
    return { model: memoryModel({ server: s.server, version: s.version, allocator: alloc }), reason: `${why}: ${id(s)}, the newest modelled version that reads ${rdb > 0 ? `RDB ${rdb}` : 'it'}` };
  }
  const s = mine.length > 0 ? mine[mine.length - 1] : SERVER_SPECS[SERVER_SPECS.length - 1];
  return { model: memoryModel({ server: s.server, version: s.version, allocator: alloc }), reason: `no modelled version reads RDB ${rdb}: ${id(s)}, the newest, holding the same data` };
}
