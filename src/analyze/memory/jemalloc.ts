/**
 * The sizes jemalloc hands out, as `zmalloc_size` (jemalloc's `malloc_usable_size`) reports
 * them on x86-64 with 4 KiB pages — the allocator of release builds of Redis and of
 * distribution packages (Debian's redis-server 7.0 links the system's jemalloc 5.3).
 *
 * The size classes: 8 bytes; 16-byte steps up to 128; from there four classes per doubling
 * (160, 192, 224, 256, 320, …), the same rule for small, large and huge allocations. A request
 * of 0 bytes is made 8 by zmalloc.
 */

/** The usable size of a jemalloc allocation of `n` bytes (`n` ≥ 0, a safe integer). */
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
