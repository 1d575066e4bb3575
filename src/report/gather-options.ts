/** Options of the report's gathering, shared by its RDB and AOF sides. */
import type { KeyFilterOptions } from '../pipeline/filters.js';
import type { ScanProgress } from '../pipeline/scan.js';
import type { Limits } from '../limits.js';
import type { MemoryTarget } from '../analyze/memory/target.js';
import { MemoryAnalyzer } from '../analyze/memory/memory-analyzer.js';
import type { TtlBuckets } from './ttl-buckets.js';

/** Length of the top-keys table unless told otherwise. */
export const DEFAULT_REPORT_TOP = 100;
/** Levels of the prefix tree unless told otherwise (one more than `memory`'s: the page is for clicking into). */
export const DEFAULT_REPORT_DEPTH = 3;

/** Options of {@link gatherReport} (see gather.ts). */
export interface GatherOptions {
  /** The server and allocator the memory estimate is for. */
  target: MemoryTarget;
  /** Expiries are compared with this instant (Unix ms); default now. */
  nowMs?: number;
  /** Key filters (`--db`, `--type`, `--match`); an AOF's command figures are never filtered. */
  filter?: KeyFilterOptions;
  /** Rows of the top-keys table (default {@link DEFAULT_REPORT_TOP}). */
  top?: number;
  /** Prefix separator (default `:`) and levels (default {@link DEFAULT_REPORT_DEPTH}). */
  separator?: Uint8Array;
  depth?: number;
  limits?: Partial<Limits>;
  onProgress?: (p: ScanProgress) => void;
  signal?: AbortSignal;
  /** Replay a file that starts with an RDB even when not named `*.aof` (a hybrid AOF). */
  replay?: boolean;
  /** AOF inputs: skip commands Redis would refuse instead of stopping at the first. */
  skipUnknown?: boolean;
}

/** The memory analyzer of the page: the options' filter, top and prefixes, each record counted in `ttl`. */
export function reportMemoryAnalyzer(opts: GatherOptions, source: 'rdb' | 'dataset', nowMs: number, ttl: TtlBuckets, streamsBuiltByCommands?: boolean): MemoryAnalyzer {
  return new MemoryAnalyzer({
    target: opts.target,
    source,
    filter: opts.filter,
    top: opts.top ?? DEFAULT_REPORT_TOP,
    separator: opts.separator,
    depth: opts.depth ?? DEFAULT_REPORT_DEPTH,
    nowMs,
    streamsBuiltByCommands,
    onRecord: (k) => ttl.add(k.expireAtMs, k.memoryBytes),
  });
}
