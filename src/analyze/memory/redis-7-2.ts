/**
 * What Redis 7.2 (64-bit) allocates, as its `MEMORY USAGE` counts it. Read from the 7.2.6
 * sources (server.h, dict.h/dict.c, stream.h, object.c, t_set.c, t_list.c, rdb.c, config.c);
 * what changed since 7.0:
 *
 * - sets of strings are listpacks while small (`set-max-listpack-entries` 128,
 *   `set-max-listpack-value` 64): loading a plain set turns its intset into one at the first
 *   member that is not an integer, made for as many integers as it held;
 * - a list whose one node is within `list-max-listpack-size` is a plain listpack once loaded
 *   (from a linked list or a quicklist; not from a ziplist-encoded list);
 * - a set's dict entries carry no value (16 bytes, or none for a key alone in its bucket),
 *   though `MEMORY USAGE` still counts `dictEntryMemUsage()`, 24 bytes;
 * - a stream consumer has an active time besides its seen time (32 bytes);
 * - a score written into a listpack is the shortest text that reads back (`fpconv_dtoa`);
 * - a listpack sorted set converted to a skiplist gets a dict presized for its members.
 */
import { REDIS_7_0 } from './redis-7-0.js';
import type { ServerSpec } from './server-spec.js';

/** Redis 7.2. */
export const REDIS_7_2: ServerSpec = {
  server: 'redis',
  version: '7.2',
  sizes: { ...REDIS_7_0.sizes, streamConsumer: 32 },
  strings: REDIS_7_0.strings,
  defaults: { ...REDIS_7_0.defaults, setMaxListpackEntries: 128, setMaxListpackValue: 64 },
  features: { listpackSets: true, listpackLists: true, shortestScores: true, presizedZsetConversion: true, hsetAddsOnce: true, setEntriesWithoutValue: true, hashFieldTtls: false, valkeyDicts: false, ziplists: false, blobSizes: false, presizedHashConversion: true, streamBlobSizes: false, valkeyHashtables: false },
  maxRdbVersion: 11,
  // 7.2.6 builds (bundled jemalloc 5.3.0; glibc 2.36): used_memory with an empty file loaded, less a client's.
  startupBytes: { jemalloc: 936_616, libc: 1_023_610 },
};
