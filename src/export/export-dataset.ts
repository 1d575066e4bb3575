/**
 * A dataset → NDJSON (or one JSON array) in the export schema: the dataset read out as RDB
 * events (`dataset/emit-events.ts`) into the same {@link NdjsonExporter} an RDB export uses, so
 * a key gives the same record whether it was read from an RDB or replayed from an AOF. Its
 * `encoding` is the one a server picks for the value when it loads it (see `loadEncoding`).
 *
 * {@link exportReplay} replays an AOF input (a plain or hybrid file, a multi-part directory or
 * manifest) and exports the dataset it produces.
 */
import { RdbtoolError } from '../errors.js';
import type { ByteSink } from '../io/byte-sink.js';
import { OutputClosedError } from '../io/byte-sink.js';
import { RecordSink } from '../io/record-sink.js';
import { createKeyFilter } from '../pipeline/filters.js';
import type { Dataset } from '../dataset/dataset.js';
import { emitDataset } from '../dataset/emit-events.js';
import { replayPath, replaySource, type ReplayInputOptions, type ReplayResult } from '../replay/replay-input.js';
import type { ByteSource } from '../io/source.js';
import { NdjsonExporter, type ExportOptions } from './export-ndjson.js';

/** Outcome of {@link exportDataset}. */
export interface DatasetExportResult {
  /** Records written (each one whole). */
  keys: number;
  /** True when the reader of the output went away (`| head`). */
  outputClosed: boolean;
  /** What `dropExpiredAt` left out. */
  expired: { keys: number; fields: number };
  elapsedMs: number;
}

/** Options of {@link exportDataset}. */
export type DatasetExportOptions = Pick<ExportOptions, 'format' | 'filter' | 'dropExpiredAt' | 'spillBytes' | 'spillDir' | 'signal'>;

/**
 * Writes every key of `ds` to `sink` (databases ascending, keys in byte order). The sink is
 * flushed, not closed.
 * @throws InputError when the output fails.
 */
export async function exportDataset(ds: Dataset, sink: ByteSink, opts: DatasetExportOptions = {}): Promise<DatasetExportResult> {
  const started = performance.now();
  const records = new RecordSink(sink, { spillBytes: opts.spillBytes, spillDir: opts.spillDir });
  const exporter = new NdjsonExporter(records, {
    format: opts.format,
    filter: opts.filter ? createKeyFilter(opts.filter) : null,
    dropExpiredAt: opts.dropExpiredAt,
  });
  try {
    exporter.begin();
    await emitDataset(ds, exporter, {
      signal: opts.signal,
      drain: () => {
        exporter.flush();
        return records.drain();
      },
    });
    exporter.finish();
    await records.end();
    return { keys: exporter.keys, outputClosed: false, expired: exporter.expired, elapsedMs: performance.now() - started };
  } catch (e) {
    if (e instanceof OutputClosedError) return { keys: exporter.keys, outputClosed: true, expired: exporter.expired, elapsedMs: performance.now() - started };
    await records.endAfterFailure(() => exporter.abandon());
    throw e;
  } finally {
    records.dispose();
  }
}

/** Options of {@link exportReplay}. */
export type ReplayExportOptions = DatasetExportOptions & Omit<ReplayInputOptions, 'dataset' | 'dropExpiredAt'>;

/** Outcome of {@link exportReplay}. */
export interface ReplayExportResult extends DatasetExportResult {
  replay: ReplayResult;
}

/**
 * Replays `input` (a path, or a source already open) and exports the dataset to `output`
 * (a sink, or a function opening one once the replay is done, so that a refused command
 * leaves no output file behind). When a file is damaged, the dataset of the complete
 * commands before the damage is exported (what Redis loads from a truncated AOF with
 * `aof-load-truncated yes`), then the damage is thrown, noted with what was exported.
 * @throws ReplayError for a command the replay cannot apply (nothing is written then);
 *   the input's damage after the export; InputError, ManifestError.
 */
export async function exportReplay(input: string | ByteSource, output: ByteSink | (() => Promise<ByteSink>), opts: ReplayExportOptions = {}): Promise<ReplayExportResult> {
  const replay = typeof input === 'string' ? await replayPath(input, opts) : await replaySource(input, opts);
  const sink = typeof output === 'function' ? await output() : output;
  const res = await exportDataset(replay.dataset, sink, opts);
  if (replay.error !== null && !res.outputClosed) {
    const e = replay.error;
    if (e instanceof RdbtoolError) e.note(`${res.keys} key(s) exported: the dataset of what came before`);
    throw e;
  }
  return { ...res, replay };
}
