/**
 * Which server and allocator a memory estimate is for: `--target redis@X.Y | valkey@X.Y` and
 * `--allocator jemalloc | libc`. Without `--target` the target is chosen from the file (see
 * model.ts `chooseMemoryModel`). Targets that are not modelled are refused with a message
 * naming those that are.
 */
import { UsageError } from '../../errors.js';

/** A server family. */
export type MemoryServer = 'redis' | 'valkey';

/**
 * The allocator a server was built with: jemalloc (release builds, distribution packages) or
 * glibc's malloc (`make MALLOC=libc`).
 */
export type MemoryAllocator = 'jemalloc' | 'libc';

/** The server version and allocator an estimate is made for (a modelled one). */
export interface ModelledTarget {
  server: MemoryServer;
  /** `major.minor`. */
  version: string;
  allocator: MemoryAllocator;
}

/** The target asked for (`--target`, `--allocator`): a named server version, or the file's. */
export interface MemoryTarget {
  /** The server and version named; null: chosen from the file that is read. */
  named: { server: MemoryServer; version: string } | null;
  allocator: MemoryAllocator;
}

/** The targets the estimate models, oldest first, as `--target` takes them. */
export const MODELLED_TARGETS: readonly string[] = ['redis@7.0', 'redis@7.2', 'redis@7.4', 'valkey@8.0'];
/** The allocators the estimate models, as `--allocator` takes them. */
export const MODELLED_ALLOCATORS: readonly MemoryAllocator[] = ['jemalloc', 'libc'];

/**
 * Reads `--target` (`redis@7.0`; `redis@7.0.15` is taken as 7.0) and `--allocator` (default
 * jemalloc).
 * @throws UsageError for a target or allocator that is not modelled
 */
export function parseMemoryTarget(target: string | undefined, allocator: string | undefined): MemoryTarget {
  let named: MemoryTarget['named'] = null;
  if (target !== undefined) {
    const m = /^(redis|valkey)@(\d+)\.(\d+)(?:\.\d+)?$/i.exec(target.trim());
    if (!m) throw new UsageError(`invalid --target ${JSON.stringify(target)}: expected redis@X.Y or valkey@X.Y (modelled: ${MODELLED_TARGETS.join(', ')})`);
    const server = m[1].toLowerCase() as MemoryServer;
    const version = `${Number(m[2])}.${Number(m[3])}`;
    const id = `${server}@${version}`;
    if (!MODELLED_TARGETS.includes(id)) {
      throw new UsageError(`the memory estimate does not model ${id} yet: modelled targets are ${MODELLED_TARGETS.join(', ')}`);
    }
    named = { server, version };
  }
  if (allocator !== undefined && !(MODELLED_ALLOCATORS as readonly string[]).includes(allocator)) {
    throw new UsageError(`the memory estimate does not model --allocator ${allocator}: modelled allocators are ${MODELLED_ALLOCATORS.join(', ')} (libc: builds made with MALLOC=libc, on glibc)`);
  }
  return { named, allocator: (allocator ?? 'jemalloc') as MemoryAllocator };
}
