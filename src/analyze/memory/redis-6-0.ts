/**
 * What Redis 6.0 (64-bit) allocates, as its `MEMORY USAGE` counts it: 6.2's layouts and rules
 * (read from the 6.0.20 sources: server.h, object.c, dict.h, quicklist.h, stream.h, rdb.c,
 * zmalloc.h), but `MEMORY USAGE` counts a stream's listpacks by their bytes (`lpBytes`) and
 * leaves its `stream` structure out. A dict's pause count is an iterator count there (the same
 * 96 bytes).
 */
import { REDIS_6_2 } from './redis-6-2.js';
import type { ServerSpec } from './server-spec.js';

/** Redis 6.0. */
export const REDIS_6_0: ServerSpec = {
  ...REDIS_6_2,
  version: '6.0',
  features: { ...REDIS_6_2.features, streamBlobSizes: true },
  // 6.0.20 builds (bundled jemalloc 5.1.0; glibc 2.36): used_memory with an empty file loaded, less a client's.
  startupBytes: { jemalloc: 848_024, libc: 909_568 },
};
