/**
 * `analyzeMemory`: the memory report of any input. An RDB file is estimated as it streams
 * (flat memory, one shallow pass: values are read only for the keys whose size depends on
 * them); an AOF — plain, hybrid (a file starting with an RDB and named `*.aof`, or with
 * `replay`), or a multi-part directory or manifest — is replayed into a dataset first, whose
 * keys are then estimated as a server that ran those commands would hold them.
 *
 * Damage does not lose the report: an RDB read that stops at damage reports the keys before
 * it, and an AOF whose files are damaged reports the dataset of the commands before the
 * damage; the error comes back beside the report.
 */
import { CorruptDataError, RdbtoolError } from '../../errors.js';
import type { RdbEnd } from '../../model/events.js';
import type { Limits } from '../../limits.js';
import { openSource, withRelease } from '../../io/source.js';
import { resolveInput } from '../../pipeline/detect.js';
import { analysisScanOptions, scanRdb, type ScanProgress } from '../../pipeline/scan.js';
import { emitDataset } from '../../dataset/emit-events.js';
import { replayInput, replaySource, type ReplayResult } from '../../replay/replay-input.js';
import type { ReplayStats } from '../../replay/engine.js';
import { peekSource } from '../aof-input.js';
import { MemoryAnalyzer, type MemoryAnalyzerOptions, type MemoryReport } from './memory-analyzer.js';

/** Options of {@link analyzeMemory}. */
export interface MemoryOptions extends Omit<MemoryAnalyzerOptions, 'source'> {
  limits?: Partial<Limits>;
  onProgress?: (p: ScanProgress) => void;
  signal?: AbortSignal;
  /** Awaited between chunks (backpressure from a writer of per-key records). */
  drain?: () => Promise<void> | void;
  /** Replay a file that starts with an RDB even when not named `*.aof` (a hybrid AOF). */
  replay?: boolean;
  /** Replay: skip commands Redis would refuse instead of stopping at the first. */
  skipUnknown?: boolean;
}

/** Outcome of {@link analyzeMemory}. */
export interface MemoryResult {
  report: MemoryReport;
  /**
   * The damage that ended the read early (the report covers what came before it), or a
   * checksum mismatch (the report is whole); null when the input is sound.
   */
  error: RdbtoolError | null;
  /** What the replay applied and skipped (AOF inputs). */
  replay: ReplayStats | null;
}

/** Errors about how the tool was run, not about the input: they are thrown, not reported. */
export const NOT_DAMAGE: ReadonlySet<string> = new Set(['IO', 'USAGE', 'UNSAFE_WRITE']);

/**
 * Estimates the memory of every key of `given` (a file, `-`, a multi-part AOF directory or
 * manifest) for `opts.target`.
 * @throws InputError when the input cannot be read; UsageError; ReplayError for a command
 *   the replay cannot apply (without `skipUnknown`).
 */
export async function analyzeMemory(given: string, opts: MemoryOptions): Promise<MemoryResult> {
  const started = performance.now();
  const input = await resolveInput(given);
  if (input.form === 'file') {
    const part = input.parts[0];
    // Read into reused buffers: the scan gives back the chunks its decoder is done with.
    const opened = await openSource(part.path, undefined, part.name, { reuseBuffers: true });
    const peeked = await peekSource(opened);
    const hybrid = peeked.start === 'rdb' && (opts.replay === true || /\.aof$/i.test(part.name));
    if (peeked.start !== 'resp' && !hybrid) {
      const source = withRelease(peeked.source, opened);
      const analyzer = new MemoryAnalyzer({ ...opts, source: 'rdb' });
      let error: RdbtoolError | null = null;
      let bytesRead = 0;
      let end: RdbEnd | null = null;
      try {
        const res = await scanRdb(source, analyzer, analysisScanOptions(opts));
        bytesRead = res.bytesRead;
        end = res.end;
      } catch (e) {
        if (!(e instanceof RdbtoolError) || NOT_DAMAGE.has(e.code)) throw e;
        error = e;
        // Whatever lies past the damage was not read.
        bytesRead = e.offset ?? 0;
      }
      const report = analyzer.report({ file: source.name, input: 'rdb', bytesRead, elapsedMs: performance.now() - started, error });
      const e = end as RdbEnd | null;
      if (error === null && e !== null && e.checksum === 'mismatch') {
        error = new CorruptDataError('CHECKSUM_MISMATCH', 'CRC-64 checksum mismatch (every key was read and estimated)', {
          file: source.name,
          offset: e.eofOffset + 1,
          expected: e.computedChecksum ?? undefined,
          found: e.storedChecksum ?? undefined,
        });
      }
      return { report, error, replay: null };
    }
    return fromReplay(given, await replaySource(peeked.source, replayOpts(opts)), opts, started);
  }
  return fromReplay(given, await replayInput(input, replayOpts(opts)), opts, started);
}

function replayOpts(opts: MemoryOptions) {
  return { skipUnknown: opts.skipUnknown, limits: opts.limits, onProgress: opts.onProgress, signal: opts.signal };
}

/** Estimates a replayed dataset; a damaged file's replay reports the dataset before the damage. */
async function fromReplay(given: string, r: ReplayResult, opts: MemoryOptions, started: number): Promise<MemoryResult> {
  // Streams of an AOF with an RDB part are taken as loaded from it (most of a dataset usually
  // is); those of an AOF of commands only as built by XADD.
  const analyzer = new MemoryAnalyzer({ ...opts, source: 'dataset', streamsBuiltByCommands: r.load.keys === 0 });
  await emitDataset(r.dataset, analyzer, { signal: opts.signal, drain: opts.drain });
  const report = analyzer.report({ file: given, input: 'aof', bytesRead: r.bytes, elapsedMs: performance.now() - started });
  if (r.error !== null) {
    report.partial = { readUpTo: r.problem?.offset ?? 0, keys: report.totals.keys };
    report.error = r.error.toJSON();
  }
  return { report, error: r.error, replay: r.replay };
}
