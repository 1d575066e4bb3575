/**
 * What Valkey 8.0 (64-bit) allocates, as its `MEMORY USAGE` counts it. Valkey 8.0 grew out of
 * Redis 7.2.4, so its encodings on load are 7.2's (listpack sets and lists, shortest score
 * text, the bundled jemalloc's 8-byte quantum). Read from the 8.0.1 sources (dict.c, kvstore.c,
 * sds.c, object.c, server.c); what differs:
 *
 * - a key is embedded in its dictEntry: one allocation of the value pointer, the next pointer,
 *   a header-offset byte and the key's sds, and `MEMORY USAGE` counts that allocation
 *   (`dictEntryMemUsage(de)`), no separate key string;
 * - a set's dict entries are counted as they are: none for a member alone in its bucket, 16
 *   bytes for the others;
 * - strings are counted by `sdsAllocSize`, and an sds type ends where the type's largest
 *   allocation does (type 8 up to 252 bytes, 16 up to 65,530).
 */
import { REDIS_7_2 } from './redis-7-2.js';
import type { ServerSpec } from './server-spec.js';

/** Valkey 8.0. */
export const VALKEY_8_0: ServerSpec = {
  ...REDIS_7_2,
  server: 'valkey',
  version: '8.0',
  features: { ...REDIS_7_2.features, valkeyDicts: true },
  maxRdbVersion: 11,
  // 8.0.1 builds (bundled jemalloc 5.3.0; glibc 2.36): used_memory with an empty file loaded, less a client's.
  startupBytes: { jemalloc: 962_298, libc: 1_050_562 },
};
