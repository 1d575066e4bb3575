/**
 * The report's figures for an AOF input — a plain or hybrid file, or every file of a multi-part
 * AOF in load order — in one read of its files: the replay (an RDB part loaded, the commands
 * applied, as `memory` and `inspect` replay them), the `inspect` AOF analyzer (files, commands,
 * verdict) and the writes over time from `#TS:` annotations, all fed by the one scan driver
 * through tees. The dataset the replay produced is then walked once for the `memory` analyzer
 * (estimated as a server that ran those commands would hold it), the `inspect` analyzer (types
 * and encodings) and the TTL buckets.
 *
 * Like any replay, this holds the dataset in memory; the figures themselves stay bounded.
 * Damage ends the replay at the damaged file (Redis would refuse the rest): the figures are
 * those of the dataset of the commands before it, with the error beside them. A command the
 * replay cannot apply is thrown (ReplayError), as `memory` does, unless `skipUnknown`.
 */
import type { RdbtoolError } from '../errors.js';
import type { ByteSource } from '../io/source.js';
import type { PartRef, ResolvedInput } from '../pipeline/detect.js';
import { scanFile, type FileScan } from '../pipeline/scan-file.js';
import { scanInput, type InputHandlers, type InputScan } from '../pipeline/scan-input.js';
import { Dataset } from '../dataset/dataset.js';
import { createDatasetLoader } from '../dataset/load-rdb.js';
import { emitDataset } from '../dataset/emit-events.js';
import { ReplayEngine } from '../replay/engine.js';
import { AofOverviewAnalyzer, type AofInspectReport } from '../analyze/aof-overview.js';
import { OverviewAnalyzer, type InspectReport } from '../analyze/overview.js';
import type { MemoryReport } from '../analyze/memory/memory-analyzer.js';
import { AofHandlerTee, RdbHandlerTee } from './handler-tee.js';
import { TtlBuckets } from './ttl-buckets.js';
import { WritesOverTime } from './writes-over-time.js';
import { reportMemoryAnalyzer, type GatherOptions } from './gather-options.js';
import type { ReportTtlBucket, ReportWrites } from './report-data.js';

/** The figures of an AOF input. */
export interface AofFigures {
  /** Files, commands and verdict. */
  aof: AofInspectReport;
  /** The replayed dataset's keys, types and encodings. */
  overview: InspectReport;
  memory: MemoryReport;
  ttl: ReportTtlBucket[];
  writes: ReportWrites;
  /** The scan of every file (a file after a damaged one is not read: its scan is null). */
  scan: InputScan;
  /** The damage that ended the replay early; null when every file was read whole. */
  error: RdbtoolError | null;
}

/** What a read of the files needs: the handlers, and what to call around each file. */
interface Readers {
  handlers: InputHandlers;
  aofOverview: AofOverviewAnalyzer;
  writes: WritesOverTime;
  dataset: Dataset;
  loadedKeys(): number;
}

function readers(firstName: string | undefined, opts: GatherOptions, nowMs: number): Readers {
  const dataset = new Dataset();
  const engine = new ReplayEngine(dataset, { skipUnknown: opts.skipUnknown });
  const loader = createDatasetLoader(dataset, { file: firstName });
  const aofOverview = new AofOverviewAnalyzer({ nowMs, top: 0 });
  const writes = new WritesOverTime();
  const aof = new AofHandlerTee([engine.handler(), aofOverview.aof, writes]);
  const handlers: InputHandlers = {
    // Read once per file, after fileStart (the AOF analyzer makes its RDB part's analyzer then).
    get rdb() {
      return new RdbHandlerTee([loader, aofOverview.rdb]);
    },
    aof,
    rdbDone: (summary) => aofOverview.rdbDone(summary),
    fileStart: (part: PartRef, index: number) => {
      aofOverview.fileStart(part, index);
      engine.startFile(part.name);
      writes.fileStart();
    },
    fileEnd: () => {
      engine.endFile();
      aofOverview.fileEnd();
    },
  };
  return { handlers, aofOverview, writes, dataset, loadedKeys: () => loader.stats.keys };
}

/**
 * Replays a resolved input (every file in load order, stopping after the first damaged one).
 * @throws InputError, ManifestError, ReplayError (without `skipUnknown`), a loader's
 *   CorruptDataError for a key an RDB part holds twice.
 */
export async function gatherAofInput(input: ResolvedInput, opts: GatherOptions): Promise<AofFigures> {
  const nowMs = opts.nowMs ?? Date.now();
  const r = readers(input.parts[0]?.name, opts, nowMs);
  const scan = await scanInput(input, r.handlers, { limits: opts.limits, onProgress: opts.onProgress, signal: opts.signal, stopAtFirstProblem: true });
  return figures(scan, r, opts, nowMs);
}

/**
 * Replays one source already open (a single file or stdin, after its first bytes were looked
 * at), as `memory` does: a MULTI inside a MULTI or an EXEC without one is the replay's to judge.
 */
export async function gatherAofSource(source: ByteSource, opts: GatherOptions): Promise<AofFigures> {
  const nowMs = opts.nowMs ?? Date.now();
  const r = readers(source.name, opts, nowMs);
  const part: PartRef = { path: source.path ?? source.name, name: source.name, role: 'file', last: true, size: source.size };
  r.handlers.fileStart!(part, 0);
  const fileScan: FileScan = await scanFile(source, r.handlers, { limits: opts.limits, onProgress: opts.onProgress, signal: opts.signal, transactions: 'pass' });
  r.handlers.fileEnd!(part, fileScan, 0);
  const scan: InputScan = {
    input: { given: source.name, form: 'file', parts: [part], history: [] },
    files: [{ part, scan: fileScan, missing: false, problem: fileScan.problem, error: fileScan.error }],
    bytes: fileScan.bytes,
    elapsedMs: fileScan.elapsedMs,
  };
  return figures(scan, r, opts, nowMs);
}

/** Walks the replayed dataset for the memory and key figures. */
async function figures(scan: InputScan, r: Readers, opts: GatherOptions, nowMs: number): Promise<AofFigures> {
  const started = performance.now();
  const aof = r.aofOverview.report(scan);
  const error = r.aofOverview.firstDamaged(scan)?.error ?? null;
  const ttl = new TtlBuckets(nowMs);
  const overview = new OverviewAnalyzer({ nowMs, top: 0, filter: opts.filter });
  // Streams of an AOF with an RDB part are taken as loaded from it; those of commands only as built by XADD.
  const memory = reportMemoryAnalyzer(opts, 'dataset', nowMs, ttl, r.loadedKeys() === 0);
  await emitDataset(r.dataset, new RdbHandlerTee([overview, memory]), { sizes: true, signal: opts.signal });
  const elapsedMs = performance.now() - started;
  const given = scan.input.given;
  const ov = overview.report({ file: given, fileBytes: undefined, bytesRead: 0, elapsedMs, trailingBytes: 0 });
  const mem = memory.report({ file: given, input: 'aof', bytesRead: scan.bytes, elapsedMs: scan.elapsedMs + elapsedMs });
  if (error !== null) {
    mem.partial = { readUpTo: aof.partial?.readUpTo ?? 0, keys: mem.totals.keys };
    mem.error = error.toJSON();
  }
  return { aof, overview: ov, memory: mem, ttl: ttl.result(), writes: r.writes.result(), scan, error };
}
