/**
 * What Redis 8.0 (64-bit) allocates, as its `MEMORY USAGE` counts it. Read from the 8.0.2
 * sources (object.c, dict.h/dict.c, server.h, t_hash.c, t_set.c, t_zset.c, rdb.c, kvstore.c):
 * the structures `objectComputeSize` adds up are 7.4's (a key's dictEntry and sds, dict.c
 * tables, `mstr` hash fields with TTL metadata, listpackEx hashes), and the files it reads are
 * RDB 12 as 7.4's. What changed does not move the answer: a quicklist's nodes are averaged per
 * element rather than per node (the same sum when every node is sampled, as `SAMPLES 0` does);
 * a set's dict keeps a member alone in its bucket without an entry without needing odd keys.
 */
import { REDIS_7_4 } from './redis-7-4.js';
import type { ServerSpec } from './server-spec.js';

/** Redis 8.0. */
export const REDIS_8_0: ServerSpec = {
  ...REDIS_7_4,
  version: '8.0',
  maxRdbVersion: 12,
  // 8.0.2 builds (bundled jemalloc 5.3.0; glibc 2.36): used_memory with an empty file loaded, less a client's.
  startupBytes: { jemalloc: 721_050, libc: 735_300 },
};
