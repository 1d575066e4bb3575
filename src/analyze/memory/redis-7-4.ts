/**
 * What Redis 7.4 (64-bit) allocates, as its `MEMORY USAGE` counts it. Read from the 7.4.1
 * sources (server.h, dict.h/dict.c, mstr.h/mstr.c, t_hash.c, object.c, rdb.c, kvstore.c); what
 * changed since 7.2:
 *
 * - hash fields may have TTLs (RDB 12): a small hash with any is a listpackEx (a 32-byte
 *   header and a listpack with a TTL entry per field); a hash table's fields are `mstr` strings
 *   (`hfieldZmallocSize`), whose header is shorter than an sds one from 32 bytes on;
 * - each database's keys live in a kvstore; `MEMORY USAGE` counts the key's sds and
 *   `dictEntryMemUsage()` as before, without dict metadata.
 */
import { REDIS_7_2 } from './redis-7-2.js';
import type { ServerSpec } from './server-spec.js';

/** Redis 7.4. */
export const REDIS_7_4: ServerSpec = {
  ...REDIS_7_2,
  version: '7.4',
  features: { ...REDIS_7_2.features, hashFieldTtls: true },
  maxRdbVersion: 12,
  // 7.4.1 builds (bundled jemalloc 5.3.0; glibc 2.36): used_memory with an empty file loaded, less a client's.
  startupBytes: { jemalloc: 1_016_938, libc: 1_036_714 },
};
