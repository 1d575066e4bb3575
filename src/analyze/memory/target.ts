/**
 * Which server and allocator a memory estimate is for. Modelled so far: Redis 7.0 with
 * jemalloc (release builds and distribution packages). Other targets are refused with a
 * message naming what is modelled.
 */
import { UsageError } from '../../errors.js';

/** The server and allocator an estimate is for. */
export interface MemoryTarget {
  server: 'redis';
  /** `major.minor`. */
  version: '7.0';
  allocator: 'jemalloc';
}

/** The targets the estimate models, as `--target` takes them. */
export const MODELLED_TARGETS: readonly string[] = ['redis@7.0'];
/** The allocators the estimate models, as `--allocator` takes them. */
export const MODELLED_ALLOCATORS: readonly string[] = ['jemalloc'];

/**
 * Reads `--target` (`redis@7.0`; `redis@7.0.15` is taken as 7.0) and `--allocator`; without
 * them, the one modelled target (whatever server wrote the file: the report names it).
 * @throws UsageError for a target or allocator that is not modelled
 */
export function parseMemoryTarget(target: string | undefined, allocator: string | undefined): MemoryTarget {
  if (target !== undefined) {
    const m = /^(redis|valkey)@(\d+)\.(\d+)(?:\.\d+)?$/i.exec(target.trim());
    if (!m) throw new UsageError(`invalid --target ${JSON.stringify(target)}: expected redis@X.Y or valkey@X.Y (modelled: ${MODELLED_TARGETS.join(', ')})`);
    const id = `${m[1].toLowerCase()}@${Number(m[2])}.${Number(m[3])}`;
    if (!MODELLED_TARGETS.includes(id)) {
      throw new UsageError(`the memory estimate does not model ${id} yet: modelled targets are ${MODELLED_TARGETS.join(', ')}`);
    }
  }
  if (allocator !== undefined && !MODELLED_ALLOCATORS.includes(allocator)) {
    throw new UsageError(`the memory estimate does not model --allocator ${allocator} yet: modelled allocators are ${MODELLED_ALLOCATORS.join(', ')} (libc, for builds made with MALLOC=libc, is planned)`);
  }
  return { server: 'redis', version: '7.0', allocator: 'jemalloc' };
}
