/**
 * What Redis 7.0 (64-bit) allocates, as its `MEMORY USAGE` counts it: the sizes of the
 * structures `objectComputeSize` (object.c) adds up, and the compiled-in defaults of the
 * settings that decide the encoding a value gets on load (config.c). Facts read from the
 * 7.0.15 sources: server.h, dict.h, quicklist.h, stream.h, rax.h, object.c, config.c.
 */
import type { ServerSpec } from './server-spec.js';

/** Redis 7.0. */
export const REDIS_7_0: ServerSpec = {
  server: 'redis',
  version: '7.0',
  sizes: {
    robj: 16,
    // key, value union, next (no metadata outside cluster mode)
    dictEntry: 24,
    // type, two tables, two used counts, rehash index, pause count, two size exponents
    dict: 56,
    bucket: 8,
    // head, tail, count, len, fill/compress/bookmark bits
    quicklist: 40,
    // prev, next, entry, sz (size_t), count and flag bits
    quicklistNode: 40,
    zset: 16,
    zskiplist: 32,
    skiplistNode: 24,
    skiplistLevel: 16,
    skiplistMaxLevel: 32,
    // rax, length, last/first/max-deleted IDs, entries added, cgroups
    stream: 80,
    // last ID, entries read, PEL and consumers rax pointers
    streamCG: 40,
    streamNACK: 24,
    // seen time, name, PEL
    streamConsumer: 24,
    raxNode: 4 + 8 * 30,
    raxElement: 16,
    listpackEx: 32,
  },
  strings: { embstrMaxBytes: 44, intMaxChars: 20 },
  // config.c's defaults (a redis.conf may set others, e.g. 128 hash entries).
  defaults: {
    hashMaxListpackEntries: 512,
    hashMaxListpackValue: 64,
    zsetMaxListpackEntries: 128,
    zsetMaxListpackValue: 64,
    setMaxIntsetEntries: 512,
    setMaxListpackEntries: 0,
    setMaxListpackValue: 0,
    listNodeMaxBytes: 8192,
    listPackedThreshold: 1 << 30,
    streamNodeMaxBytes: 4096,
    streamNodeMaxEntries: 100,
  },
  features: { listpackSets: false, listpackLists: false, shortestScores: false, presizedZsetConversion: false, hsetAddsOnce: false, setEntriesWithoutValue: false, hashFieldTtls: false, valkeyDicts: false, ziplists: false, blobSizes: false, presizedHashConversion: true, streamBlobSizes: false, valkeyHashtables: false },
  maxRdbVersion: 10,
  // Debian's 7.0.15 (its system jemalloc 5.3.0): used_memory_startup 876,272 and 70,512 left
  // by loading; a MALLOC=libc build of 7.0.15 on glibc 2.36: some 69,600 more; a build with the
  // bundled jemalloc (5.2.1): used_memory with an empty file loaded, less a client's.
  startupBytes: { jemalloc: 929_384, 'jemalloc-system': 946_784, libc: 1_016_400 },
};
