/**
 * What a memory model needs to know about one server version: its structure sizes, its string
 * rules, the compiled-in defaults of the settings that decide encodings on load, and the
 * switches where versions hold data differently. One `ServerSpec` per modelled version
 * (redis-7-0.ts, …); model.ts joins one with an allocator.
 */

/** Structure sizes in bytes (`sizeof` on x86-64), as `MEMORY USAGE` counts them. */
export interface StructSizes {
  /** `robj`: type/encoding/lru bits, refcount, ptr. */
  robj: number;
  /** What `MEMORY USAGE` counts per `dictEntry` (`sizeof(dictEntry)` or `dictEntryMemUsage()`). */
  dictEntry: number;
  /** `dict`. */
  dict: number;
  /** A hash table bucket: one `dictEntry *`. */
  bucket: number;
  /** `quicklist`. */
  quicklist: number;
  /** `quicklistNode`. */
  quicklistNode: number;
  /** `zset`: dict and skiplist pointers. */
  zset: number;
  /** `zskiplist`: header, tail, length, level. */
  zskiplist: number;
  /** `zskiplistNode` without its levels: ele, score, backward. */
  skiplistNode: number;
  /** One `zskiplistLevel`: forward pointer and span. */
  skiplistLevel: number;
  /** Levels of the skiplist header node (`ZSKIPLIST_MAXLEVEL`). */
  skiplistMaxLevel: number;
  /** `stream`. */
  stream: number;
  /** `streamCG`. */
  streamCG: number;
  /** `streamNACK`: delivery time, delivery count, consumer. */
  streamNACK: number;
  /** `streamConsumer`. */
  streamConsumer: number;
  /**
   * What `streamRadixTreeMemoryUsage` counts per rax node: `sizeof(raxNode)` (4) plus a flat
   * 30 longs for the data pointer and children.
   */
  raxNode: number;
  /** …and per rax element (`sizeof(streamID)`). */
  raxElement: number;
  /** `listpackEx` (7.4+): expiry metadata, key and listpack pointers. */
  listpackEx: number;
}

/** String encodings (object.c). */
export interface StringRules {
  /** The longest string kept as embstr (robj and sds in one allocation). */
  embstrMaxBytes: number;
  /** The longest string tried as an integer (`string2l` accepts at most 20 characters). */
  intMaxChars: number;
}

/** The settings that decide encodings on load, at their compiled-in defaults. */
export interface EncodingConfig {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
  setMaxIntsetEntries: number;
  /** `set-max-listpack-entries` and `-value` (7.2+; 0 where sets have no listpack form). */
  setMaxListpackEntries: number;
  setMaxListpackValue: number;
  /** `list-max-listpack-size` −2: quicklist nodes of up to 8 KiB. */
  listNodeMaxBytes: number;
  /** Elements at least this long get a PLAIN quicklist node (`packed_threshold`, 1 GiB). */
  listPackedThreshold: number;
  /** `stream-node-max-bytes` and `stream-node-max-entries`: when XADD starts a new node. */
  streamNodeMaxBytes: number;
  streamNodeMaxEntries: number;
}

/** Where versions hold data differently. */
export interface ServerFeatures {
  /** Small sets of strings are listpacks (7.2+). */
  listpackSets: boolean;
  /** A list small enough for one node is a plain listpack, not a quicklist (7.2+). */
  listpackLists: boolean;
  /** A sorted-set score written into a listpack is the shortest text that reads back (7.2+), not `%.17g`. */
  shortestScores: boolean;
  /** A listpack sorted set converted to a skiplist on load gets a dict presized for its members (7.2+). */
  presizedZsetConversion: boolean;
  /** HSET adds a field to a hash table with one lookup, one rehash step (`dictAddRaw`, 7.2+), not two. */
  hsetAddsOnce: boolean;
  /** A set's dict entries hold no value: 16 bytes, none for a member alone in its bucket (7.2+). */
  setEntriesWithoutValue: boolean;
  /**
   * Hash fields may have TTLs (7.4+): a small hash with any is a listpackEx (a TTL entry per
   * field); a hash table's fields are `mstr` strings (a shorter header than sds; a field with a
   * TTL carries 16 bytes of expiry metadata and 2 of flags).
   */
  hashFieldTtls: boolean;
  /**
   * Valkey 8: a key is embedded in its dictEntry (one allocation: value pointer, next, header
   * offset, the key's sds), which `MEMORY USAGE` counts by its size; a set's dict entries are
   * counted as they are (none or 16 bytes); sds types end where the type's largest allocation
   * does.
   */
  valkeyDicts: boolean;
  /**
   * Redis 6.x: small hashes and sorted sets are ziplists, and so are a quicklist's nodes (an
   * 11-byte frame; each entry starts with the previous entry's length), not listpacks; a
   * listpack in the file is held as a ziplist of its entries.
   */
  ziplists: boolean;
  /**
   * Redis 6.x: `MEMORY USAGE` counts a ziplist (a small hash or sorted set, a quicklist node)
   * and an intset by their bytes, and an embstr as its length + 18 bytes, not by the
   * allocator's sizes.
   */
  blobSizes: boolean;
  /** A hash converted from its small encoding to a hash table gets a dict presized for its fields (7.0+); before, it grows field by field. */
  presizedHashConversion: boolean;
  /** Redis 6.0: `MEMORY USAGE` counts a stream's listpacks by their bytes, and not its `stream` structure. */
  streamBlobSizes: boolean;
  /**
   * Valkey 8.1: sets, hashes, sorted sets and the keyspace are hashtable.c tables (64-byte
   * buckets of 7 entry pointers, child buckets for full ones; no per-entry allocation); a key
   * is embedded in its value's robj (with room for an expiry), which `MEMORY USAGE` counts by
   * its `sizeof` (16) unless it is an embstr, whose allocation holds key, expiry and string;
   * a hash field and its value share one allocation up to 128 bytes; a rax is counted by the
   * sizes of its allocations (`raxAllocSize`), a consumer by its name's length.
   */
  valkeyHashtables: boolean;
}

/** One server version, as the memory model needs it. */
export interface ServerSpec {
  server: 'redis' | 'valkey';
  /** `major.minor`. */
  version: string;
  sizes: StructSizes;
  strings: StringRules;
  defaults: EncodingConfig;
  features: ServerFeatures;
  /** The newest RDB version the server reads (`RDB_VERSION`). */
  maxRdbVersion: number;
  /**
   * `used_memory` once it has loaded an RDB without keys, its clients left out
   * (`used_memory_startup` and what loading leaves allocated), per allocator. Measured; where
   * a distribution's jemalloc was not measured, the bundled one's figure stands for it.
   */
  startupBytes: { jemalloc: number; libc: number; 'jemalloc-system'?: number };
}
