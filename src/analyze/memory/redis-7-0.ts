/**
 * What Redis 7.0 (64-bit) allocates, as its `MEMORY USAGE` counts it: the sizes of the
 * structures `objectComputeSize` (object.c) adds up, and the compiled-in defaults of the
 * settings that decide the encoding a value gets on load (config.c). Facts read from the
 * 7.0.15 sources: server.h, dict.h, quicklist.h, stream.h, rax.h, object.c, config.c.
 */

/** Structure sizes in bytes (`sizeof` on x86-64), as `MEMORY USAGE` counts them. */
export const REDIS_7_0_SIZES = {
  /** `robj`: type/encoding/lru bits, refcount, ptr. */
  robj: 16,
  /** `dictEntry`: key, value union, next (no metadata outside cluster mode). */
  dictEntry: 24,
  /** `dict`: type, two tables, two used counts, rehash index, pause count, two size exponents. */
  dict: 56,
  /** A hash table bucket: one `dictEntry *`. */
  bucket: 8,
  /** `quicklist`: head, tail, count, len, fill/compress/bookmark bits. */
  quicklist: 40,
  /** `quicklistNode`: prev, next, entry, sz (size_t), count and flag bits. */
  quicklistNode: 40,
  /** `zset`: dict and skiplist pointers. */
  zset: 16,
  /** `zskiplist`: header, tail, length, level. */
  zskiplist: 32,
  /** `zskiplistNode` without its levels: ele, score, backward. */
  skiplistNode: 24,
  /** One `zskiplistLevel`: forward pointer and span. */
  skiplistLevel: 16,
  /** Levels of the skiplist header node (`ZSKIPLIST_MAXLEVEL`). */
  skiplistMaxLevel: 32,
  /** `stream`: rax, length, last/first/max-deleted IDs, entries added, cgroups. */
  stream: 80,
  /** `streamCG`: last ID, entries read, PEL and consumers rax pointers. */
  streamCG: 40,
  /** `streamNACK`: delivery time, delivery count, consumer. */
  streamNACK: 24,
  /** `streamConsumer`: seen time, name, PEL (7.2 adds an active time). */
  streamConsumer: 24,
  /**
   * What `streamRadixTreeMemoryUsage` counts per rax node: `sizeof(raxNode)` (4) plus a flat
   * 30 longs for the data pointer and children.
   */
  raxNode: 4 + 8 * 30,
  /** …and per rax element (`sizeof(streamID)`). */
  raxElement: 16,
} as const;

/** String encodings (object.c). */
export const REDIS_7_0_STRINGS = {
  /** The longest string kept as embstr (robj and sds in one allocation). */
  embstrMaxBytes: 44,
  /** The longest string tried as an integer (`string2l` accepts at most 20 characters). */
  intMaxChars: 20,
} as const;

/** The settings that decide encodings on load, at their compiled-in defaults. */
export interface EncodingConfig {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
  setMaxIntsetEntries: number;
  /** `list-max-listpack-size` −2: quicklist nodes of up to 8 KiB. */
  listNodeMaxBytes: number;
  /** Elements at least this long get a PLAIN quicklist node (`packed_threshold`, 1 GiB). */
  listPackedThreshold: number;
  /** `stream-node-max-bytes` and `stream-node-max-entries`: when XADD starts a new node. */
  streamNodeMaxBytes: number;
  streamNodeMaxEntries: number;
}

/** Redis 7.0's defaults (config.c; a redis.conf may set others, e.g. 128 hash entries). */
export const REDIS_7_0_DEFAULTS: EncodingConfig = {
  hashMaxListpackEntries: 512,
  hashMaxListpackValue: 64,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  listNodeMaxBytes: 8192,
  listPackedThreshold: 1 << 30,
  streamNodeMaxBytes: 4096,
  streamNodeMaxEntries: 100,
};
