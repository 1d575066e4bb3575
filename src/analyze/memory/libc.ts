/**
 * The sizes glibc's malloc hands out on x86-64, as `zmalloc_size` reports them in a server
 * built with `MALLOC=libc` (every Redis 7.x and 8.0 and Valkey 8.x zmalloc.h maps it to
 * `malloc_usable_size` on glibc; no size prefix is added).
 *
 * A request of n bytes takes a chunk of n + 8 rounded up to 16, at least 32; its usable size
 * is the chunk less the 8-byte size field. From the mmap threshold on (128 KiB at start) the
 * chunk is mapped on its own: n + 16 rounded up to the 4 KiB page, usable less 16. A request of
 * 0 bytes is made 8 by zmalloc.
 */

/** Smallest chunk (`MINSIZE`). */
const MIN_CHUNK = 32;
/** `DEFAULT_MMAP_THRESHOLD`: chunks of this size or more are mapped on their own. */
const MMAP_THRESHOLD = 128 * 1024;
const PAGE = 4096;

/** The usable size of a glibc allocation of `n` bytes (`n` ≥ 0, a safe integer). */
export function libcSize(n: number): number {
  const chunk = n + 23 < MIN_CHUNK ? MIN_CHUNK : n + 23 - ((n + 23) % 16);
  if (chunk < MMAP_THRESHOLD) return chunk - 8;
  return Math.ceil((chunk + 8) / PAGE) * PAGE - 16;
}
