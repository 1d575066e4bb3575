/**
 * Which server and allocator a memory estimate is for: `--target redis@X.Y | valkey@X.Y` and
 * `--allocator jemalloc | libc | jemalloc-system`. Without `--target` the target is chosen from the file (see
 * model.ts `chooseMemoryModel`). Targets that are not modelled are refused with a message
 * naming those that are.
 */
import { UsageError } from '../../errors.js';

/** A server family. */
export type MemoryServer = 'redis' | 'valkey';

/**
 * The allocator a server was built with: `jemalloc`, the one its source bundles (release
 * builds, builds from source, the official images; configured with an 8-byte quantum);
 * `libc`, glibc's malloc (`make MALLOC=libc`); `jemalloc-system`, a distribution's own
 * jemalloc, which its packages link instead of the bundled one (Debian's and Ubuntu's
 * redis-server; a 16-byte quantum).
 */
export type MemoryAllocator = 'jemalloc' | 'libc' | 'jemalloc-system';

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
export const MODELLED_TARGETS: readonly string[] = ['redis@6.0', 'redis@6.2', 'redis@7.0', 'redis@7.2', 'redis@7.4', 'redis@8.0', 'valkey@8.0', 'valkey@8.1'];
/** The allocators the estimate models, as `--allocator` takes them. */
export const MODELLED_ALLOCATORS: readonly MemoryAllocator[] = ['jemalloc', 'libc', 'jemalloc-system'];

/** What each allocator name stands for, for help texts and messages. */
export const ALLOCATOR_HELP = 'jemalloc (the default: the jemalloc bundled with the server\'s source, as release builds, builds from source and the official images use it), libc (builds made with MALLOC=libc, on glibc) or jemalloc-system (packages linking their distribution\'s jemalloc, as Debian\'s and Ubuntu\'s redis-server)';

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
    throw new UsageError(`the memory estimate does not model --allocator ${allocator}: modelled allocators are ${MODELLED_ALLOCATORS.join(', ')} (libc: builds made with MALLOC=libc, on glibc; jemalloc-system: packages linking their distribution's jemalloc)`);
  }
  return { named, allocator: (allocator ?? 'jemalloc') as MemoryAllocator };
}
