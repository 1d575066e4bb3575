/**
 * The summary of a dataset — keys per database, per type and encoding, TTLs, the biggest keys,
 * function libraries — made by the same analyzer as an RDB's `inspect` report, fed with the
 * dataset's events. For an AOF input, {@link replayOverview} replays the files and summarises
 * the dataset they produce: what Redis holds after loading them.
 */
import type { Dataset } from '../dataset/dataset.js';
import { emitDataset } from '../dataset/emit-events.js';
import type { ResolvedInput } from '../pipeline/detect.js';
import { RdbtoolError } from '../errors.js';
import { replayInput, type ReplayInputOptions } from '../replay/replay-input.js';
import type { ReplayStats } from '../replay/engine.js';
export type { ReplayStats };
import { OverviewAnalyzer, type InspectOptions, type InspectReport } from './overview.js';

/** The dataset part of an AOF report. */
export interface DatasetOverview {
  /** The summary (its sizes are data bytes: see `emitDataset`'s `sizes`), or null when the replay failed. */
  report: InspectReport | null;
  /** What the replay applied, skipped and discarded. */
  replay: ReplayStats | null;
  /** True when a damaged file ended the replay early: the dataset is that of the commands before the damage. */
  partial: boolean;
  /** The error that stopped the replay (a command it cannot apply), in its `--json` form; null otherwise. */
  error: Record<string, unknown> | null;
  elapsedMs: number;
}

/** Summarises a dataset. */
export async function datasetReport(ds: Dataset, name: string, opts: Pick<InspectOptions, 'nowMs' | 'top' | 'filter' | 'signal'> = {}): Promise<InspectReport> {
  const started = performance.now();
  const analyzer = new OverviewAnalyzer(opts);
  await emitDataset(ds, analyzer, { sizes: true, signal: opts.signal });
  return analyzer.report({ file: name, fileBytes: undefined, bytesRead: 0, elapsedMs: performance.now() - started, trailingBytes: 0 });
}

/** The typed error of a failed replay, when the overview has one. */
export type ReplayOverviewResult = DatasetOverview & { typedError: RdbtoolError | null };

/**
 * Replays a resolved input and summarises its dataset. A command the replay cannot apply ends
 * it: the overview then carries the error (and no summary) instead of throwing.
 * @throws InputError, and whatever is not the input's fault.
 */
export async function replayOverview(input: ResolvedInput, opts: InspectOptions & Pick<ReplayInputOptions, 'skipUnknown' | 'dropExpiredAt'> = {}): Promise<ReplayOverviewResult> {
  const started = performance.now();
  try {
    const r = await replayInput(input, { skipUnknown: opts.skipUnknown, dropExpiredAt: opts.dropExpiredAt, limits: opts.limits, signal: opts.signal });
    const report = await datasetReport(r.dataset, input.given, opts);
    return { report, replay: r.replay, partial: r.problem !== null, error: null, typedError: null, elapsedMs: performance.now() - started };
  } catch (e) {
    if (!(e instanceof RdbtoolError) || e.code === 'IO' || e.code === 'USAGE') throw e;
    return { report: null, replay: null, partial: false, error: e.toJSON(), typedError: e, elapsedMs: performance.now() - started };
  }
}
