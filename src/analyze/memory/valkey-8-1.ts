/**
 * What Valkey 8.1 (64-bit) allocates, as its `MEMORY USAGE` counts it. Read from the 8.1.1
 * sources (hashtable.c/.h, server.h, object.c, t_set.c, t_hash.c, t_zset.c, kvstore.c, rax.c,
 * sds.c, rdb.c, db.c); what changed since 8.0:
 *
 * - sets, hashes, sorted sets and each database's keys are tables of hashtable.c instead of
 *   dict.c: 64-byte buckets of 7 entry pointers (a full bucket's last slot points to a child
 *   bucket), a 72-byte structure, sized for ⌈n · 5 / 32⌉ buckets (a power of two) and grown
 *   when an insertion would exceed 7 entries a bucket; no entry is allocated besides the
 *   element (`hashtableMemUsage` counts the structure and every bucket, children included);
 * - a key lives in its value's robj (a header-size byte and the key's sds after the 16-byte
 *   robj, and 8 bytes for an expiry when it has one or the allocation has room); `MEMORY
 *   USAGE` counts `sizeof(robj)`, so the key is not counted, except in an embstr: a string of
 *   up to 44 bytes stays one when robj, key, expiry and string fit in 64 bytes, and its whole
 *   allocation is counted; otherwise it is a raw string of its own sds;
 * - a hash field is an sds with its value (an sdshdr8) in the same allocation while both take
 *   at most 128 bytes, counted by their sizes; else the field's allocation holds a pointer to
 *   the value's sds;
 * - a sorted set's table holds its skiplist nodes; a set's its members' sds strings;
 * - a stream's radix trees are counted by their allocations (`raxAllocSize`), a consumer by
 *   its name's length (not its allocation).
 */
import { VALKEY_8_0 } from './valkey-8-0.js';
import type { ServerSpec } from './server-spec.js';

/** Valkey 8.1. */
export const VALKEY_8_1: ServerSpec = {
  ...VALKEY_8_0,
  version: '8.1',
  features: { ...VALKEY_8_0.features, valkeyHashtables: true },
  maxRdbVersion: 11,
  // 8.1.1 builds (bundled jemalloc 5.3.0; glibc 2.36): used_memory with an empty file loaded, less a client's.
  startupBytes: { jemalloc: 929_100, libc: 1_010_300 },
};
