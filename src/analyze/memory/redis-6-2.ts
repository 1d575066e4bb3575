/**
 * What Redis 6.2 (64-bit) allocates, as its `MEMORY USAGE` counts it. Read from the 6.2.16
 * sources (server.h, object.c, dict.h, quicklist.h/quicklist.c, ziplist.c, stream.h, t_hash.c,
 * t_zset.c, t_set.c, rdb.c, config.c, zmalloc.h); what differs from 7.0:
 *
 * - small hashes and sorted sets are ziplists (`hash-max-ziplist-entries` 512 and `-value` 64,
 *   `zset-max-ziplist-entries` 128 and `-value` 64), and a quicklist's nodes are ziplists
 *   (`list-max-ziplist-size` −2: 8 KiB), filled while a node's bytes, the element and the
 *   entry overhead the ziplist may add stay within it; a quicklist node is 32 bytes (a 32-bit
 *   size), a dict 96 (its type's private data, two 32-byte tables, the rehash index and pause
 *   count);
 * - `MEMORY USAGE` counts a ziplist (`ziplistBlobLen`) and an intset (its header and members)
 *   by their bytes, not their allocations, and an embstr as its length + 2 and the robj;
 * - a hash converted from a ziplist to a hash table grows field by field (no presized dict);
 * - a stream is 40 bytes (no first ID, max-deleted ID or entries-added count), a consumer
 *   group 32 (no entries-read count); RDB 9 is the newest version it reads.
 *
 * Its bundled jemalloc (5.1.0) is configured with an 8-byte quantum, as later ones are; with
 * `MALLOC=libc` on glibc, zmalloc counts `malloc_usable_size` as 7.x does (no size prefix:
 * zmalloc.h defines `HAVE_MALLOC_SIZE` for glibc in 6.0 and 6.2 alike).
 */
import { REDIS_7_0 } from './redis-7-0.js';
import type { ServerSpec } from './server-spec.js';

/** Redis 6.2. */
export const REDIS_6_2: ServerSpec = {
  server: 'redis',
  version: '6.2',
  sizes: {
    ...REDIS_7_0.sizes,
    // type, private data, two tables (table, size, sizemask, used), rehash index, pause count
    dict: 96,
    // prev, next, zl, sz (32-bit), count and flag bits
    quicklistNode: 32,
    // rax, length, last ID, cgroups
    stream: 40,
    // last ID, PEL and consumers rax pointers
    streamCG: 32,
  },
  strings: REDIS_7_0.strings,
  // config.c's defaults; a node holds no element alone however large (no PLAIN nodes).
  defaults: { ...REDIS_7_0.defaults, listPackedThreshold: Number.MAX_SAFE_INTEGER },
  features: {
    ...REDIS_7_0.features,
    ziplists: true,
    blobSizes: true,
    presizedHashConversion: false,
    streamBlobSizes: false,
  },
  maxRdbVersion: 9,
  // 6.2.16 builds (bundled jemalloc 5.1.0; glibc 2.36): used_memory with an empty file loaded, less a client's.
  startupBytes: { jemalloc: 856_720, libc: 920_480 },
};
