/**
 * The sizes jemalloc hands out, as `zmalloc_size` (jemalloc's `malloc_usable_size`) reports
 * them on x86-64 with 4 KiB pages.
 *
 * The jemalloc Redis and Valkey bundle (5.1.0 in Redis 6.x, 5.2.1 in 7.0, 5.3.0 from 7.2 and
 * in Redis 8.0 and Valkey 8), which release builds, builds from source and the official images link
 * (`--allocator jemalloc`), is configured with an 8-byte quantum (`--with-lg-quantum=3`,
 * deps/Makefile): 8-byte steps up to 64 (24, 40 and 56 are classes too), the same as below
 * beyond. A jemalloc configured with its default 16-byte quantum, as distributions build it
 * and link it into their packages (`--allocator jemalloc-system`: Debian's redis-server 7.0
 * links the system's jemalloc 5.3): 8 bytes; 16-byte steps up to 128; from there four classes
 * per doubling (160, 192, 224, 256, 320, …), the same rule for small, large and huge
 * allocations. A request of 0 bytes is made 8 by zmalloc.
 */

/** The usable size of an allocation of `n` bytes from a jemalloc of 8-byte quantum (Redis's bundled one). */
export function jemallocSize8(n: number): number {
  if (n <= 64) return n <= 8 ? 8 : (n + 7) & ~7;
  return jemallocSize(n);
}

/** The usable size of a jemalloc allocation of `n` bytes (`n` ≥ 0, a safe integer), 16-byte quantum. */
export function jemallocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return (n + 15) & ~15;
  // The class is a multiple of a quarter of the power of two below n.
  if (n <= 0x40000000) {
    const shift = 29 - Math.clz32(n - 1);
    return (((n - 1) >>> shift) + 1) << shift;
  }
  const step = 2 ** (floorLog2(n - 1) - 2);
  return Math.ceil(n / step) * step;
}

/** ⌊log2 v⌋ for a safe integer v ≥ 1. */
function floorLog2(v: number): number {
  if (v < 0x100000000) return 31 - Math.clz32(v);
  return 63 - Math.clz32(Math.floor(v / 0x100000000));
}
