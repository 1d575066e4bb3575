/**
 * Replaying an input into a dataset: an RDB (loaded), a plain or hybrid AOF, or every file of
 * a multi-part AOF in load order (the base — an RDB or an AOF — then the incr files), through
 * the one scan driver. The RDB part fills the dataset through the RDB loader, the RESP part
 * through the {@link ReplayEngine}, each file with a fresh client as Redis loads them.
 *
 * Damage in a file ends the replay at that file (Redis would refuse the rest): the dataset
 * holds what the complete commands before the damage made — for a truncated AOF that is what
 * Redis loads with `aof-load-truncated yes` (an open MULTI block discarded) — and the result
 * carries the damage, located, for the caller to report. Commands Redis would refuse throw
 * a {@link ReplayError} (or are counted, with `skipUnknown`).
 */
import { Dataset } from '../dataset/dataset.js';
import { createDatasetLoader, type LoadStats } from '../dataset/load-rdb.js';
import { resolveInput, type ResolvedInput } from '../pipeline/detect.js';
import { scanInput, type InputFile, type InputScanOptions } from '../pipeline/scan-input.js';
import { scanFile, type FileProblem } from '../pipeline/scan-file.js';
import type { ByteSource } from '../io/source.js';
import type { RdbtoolError } from '../errors.js';
import { ReplayEngine, type ReplayOptions, type ReplayStats } from './engine.js';

/** Options of {@link replayPath}. */
export interface ReplayInputOptions extends ReplayOptions, Pick<InputScanOptions, 'limits' | 'onProgress' | 'signal' | 'checksumWorker'> {
  /** The dataset to fill (default a new one). */
  dataset?: Dataset;
  /**
   * Remove what has expired at this Unix time in ms once the replay is done (keys, and hash
   * fields with TTLs), as a server would on first access; by default nothing is removed.
   */
  dropExpiredAt?: number;
}

/** The outcome of a replay. */
export interface ReplayResult {
  input: ResolvedInput;
  dataset: Dataset;
  /** What the engine applied (and skipped). */
  replay: ReplayStats;
  /** What the RDB part (a whole RDB, a hybrid preamble or an RDB base) loaded. */
  load: LoadStats;
  files: InputFile[];
  /** The first damage found (the replay stopped there), located; null when every file was read whole. */
  problem: (FileProblem & { file: string }) | null;
  /** The typed error of `problem`. */
  error: RdbtoolError | null;
  /** What {@link ReplayInputOptions.dropExpiredAt} removed, when given. */
  droppedExpired: { keys: number; fields: number } | null;
  bytes: number;
  elapsedMs: number;
}

/**
 * Resolves `given` (a file, `-`, a directory or a manifest) and replays it.
 * @throws InputError, ManifestError, ReplayError, and a loader's CorruptDataError for a key
 *   an RDB holds twice (Redis refuses such a file).
 */
export async function replayPath(given: string, opts: ReplayInputOptions = {}): Promise<ReplayResult> {
  return replayInput(await resolveInput(given), opts);
}

/** Replays a resolved input (see {@link replayPath}). */
export async function replayInput(input: ResolvedInput, opts: ReplayInputOptions = {}): Promise<ReplayResult> {
  const dataset = opts.dataset ?? new Dataset();
  const engine = new ReplayEngine(dataset, opts);
  const loader = createDatasetLoader(dataset, { file: input.parts[0]?.name });
  const aof = engine.handler();
  const scan = await scanInput(
    input,
    {
      rdb: loader,
      aof,
      fileStart: (part) => engine.startFile(part.name),
      fileEnd: () => engine.endFile(),
    },
    { limits: opts.limits, onProgress: opts.onProgress, signal: opts.signal, checksumWorker: opts.checksumWorker, stopAtFirstProblem: true },
  );
  const bad = scan.files.find((f) => f.problem !== null) ?? null;
  const droppedExpired = opts.dropExpiredAt === undefined ? null : dataset.dropExpired(opts.dropExpiredAt);
  return {
    input,
    dataset,
    replay: engine.stats,
    load: loader.stats,
    files: scan.files,
    problem: bad && { ...bad.problem!, file: bad.part.name },
    error: bad?.error ?? null,
    droppedExpired,
    bytes: scan.bytes,
    elapsedMs: scan.elapsedMs,
  };
}

/**
 * Replays one source already open (stdin after its first bytes were looked at, say): a plain
 * or hybrid AOF, or an RDB.
 */
export async function replaySource(source: ByteSource, opts: ReplayInputOptions = {}): Promise<ReplayResult> {
  const dataset = opts.dataset ?? new Dataset();
  const engine = new ReplayEngine(dataset, opts);
  const loader = createDatasetLoader(dataset, { file: source.name });
  engine.startFile(source.name);
  const scan = await scanFile(source, { rdb: loader, aof: engine.handler() }, {
    limits: opts.limits,
    onProgress: opts.onProgress,
    signal: opts.signal,
    checksumWorker: opts.checksumWorker,
    // A loading server runs an EXEC without MULTI or a nested MULTI and ignores the error:
    // the engine judges them as refused commands.
    transactions: 'pass',
  });
  engine.endFile();
  const part = { path: source.path ?? source.name, name: source.name, role: 'file' as const, last: true, size: source.size };
  const droppedExpired = opts.dropExpiredAt === undefined ? null : dataset.dropExpired(opts.dropExpiredAt);
  return {
    input: { given: source.name, form: 'file', parts: [part], history: [] },
    dataset,
    replay: engine.stats,
    load: loader.stats,
    files: [{ part, scan, missing: false, problem: scan.problem, error: scan.error }],
    problem: scan.problem && { ...scan.problem, file: source.name },
    error: scan.error,
    droppedExpired,
    bytes: scan.bytes,
    elapsedMs: scan.elapsedMs,
  };
}
