/**
 * `diff`: a comparison of two inputs of any form (RDB, AOF, hybrid, multi-part) by what a
 * client sees — key by key, per database: keys only in the second input (added), only in the
 * first (removed), and in both with different parts (changed: type, value, expiry, field TTLs,
 * stream groups; the encoding with `encodings`). Values are compared through per-key digests
 * (key-parts.ts), never held: an RDB streams (one key at a time at most), an AOF is replayed
 * into a dataset first (that dataset's memory), and the comparison holds a table of digest
 * records (digest-table.ts: about 40 bytes plus the key per key waiting for its match).
 *
 * Large inputs are digested on two worker threads at once, their records handed to this
 * thread in transferred batches and matched as they arrive; small ones (and stdin) here, one
 * after the other. Either way the result is the same. Differences are listed by database, then
 * key bytes.
 */
import type { Worker } from 'node:worker_threads';
import { InputError, RdbtoolError, UsageError, type ErrorCode, type ErrorContext } from '../errors.js';
import { startWorker } from '../io/worker.js';
import { resolveInput } from '../pipeline/detect.js';
import type { ScanProgress } from '../pipeline/scan.js';
import type { ValueType } from '../model/redis-types.js';
import { DIFF_PARTS, type DiffChange, type DiffKey, type DiffReport, type DiffTally } from '../format/reports/diff.js';
import { BATCH_BYTES, RecordWriter, type BatchSink } from './digest-records.js';
import { digestInput, type DigestInputOptions, type DigestRun, type InputDigestInfo } from './digest-input.js';
import { DigestTable, STATE_CHANGED, STATE_FIRST, WHAT, type TableEntry } from './digest-table.js';
import { DigestMatcher } from './digest-matcher.js';
import { TYPE_OF_CODE } from './key-parts.js';

/** Options of {@link diffInputs}. */
export interface DiffOptions extends DigestInputOptions {
  /** Leave expiries and hash field TTLs out of the comparison. */
  ignoreTtl?: boolean;
  /** Differing keys listed in the report (default 10). */
  keysLimit?: number;
  /**
   * Worker threads: `auto` (default) digests the inputs on two threads when they hold
   * {@link WORKER_MIN_BYTES} or more together; `always`; `never` (all in this thread).
   * stdin is always read in this thread.
   */
  threads?: 'auto' | 'always' | 'never';
  signal?: AbortSignal;
  /** Bytes read of both inputs together. */
  onProgress?: (p: ScanProgress) => void;
}

/** Inputs this large together are digested on worker threads (with `threads: 'auto'`). */
export const WORKER_MIN_BYTES = 32 << 20;

/** The outcome of {@link diffInputs}. */
export interface DiffResult {
  report: DiffReport;
  /** The differing keys by database, then key bytes: all, or the first `limit`. */
  differences(limit?: number): DiffKey[];
}

/** What a digest worker is started with. */
export interface DigestWorkerData {
  input: string;
  opts: DigestInputOptions;
}

/** A typed error as a worker sends it. */
interface SentError {
  code: string;
  reason: string;
  file?: string;
  offset?: number;
  expected?: string;
  found?: string;
  context?: ErrorContext;
  internal: boolean;
  stack?: string;
}

/** What a digest worker sends. */
export type DigestWorkerMessage =
  | { t: 'batch'; buf: ArrayBuffer; length: number }
  | { t: 'progress'; bytesRead: number; totalBytes: number | undefined }
  | { t: 'done'; info: InputDigestInfo }
  | { t: 'error'; error: SentError };

/**
 * Compares `first` with `second` (paths, a multi-part directory or manifest, or `-` for stdin
 * for one of them).
 * @throws RdbtoolError when an input cannot be read, is damaged (wherever the damage is), holds
 *   a key twice, or (an AOF) holds a command the replay cannot apply; UsageError for two stdins.
 */
export async function diffInputs(first: string, second: string, opts: DiffOptions = {}): Promise<DiffResult> {
  const started = performance.now();
  if (first === '-' && second === '-') throw new UsageError('only one of the two inputs can be stdin (-)');
  const table = new DigestTable({ encodings: opts.encodings, ignoreTtl: opts.ignoreTtl });
  const inputOpts: DigestInputOptions = {
    filter: opts.filter,
    encodings: opts.encodings,
    limits: opts.limits,
    replay: opts.replay,
    skipUnknown: opts.skipUnknown,
    checksumWorker: opts.checksumWorker,
  };
  const paths = [first, second] as const;
  const matcher = new DigestMatcher(table, paths);
  const threads = opts.threads ?? 'auto';
  const workers = threads === 'never' ? [false, false] : threads === 'always' ? [true, true] : await bigEnough(paths);
  for (let i = 0; i < 2; i++) if (paths[i] === '-') workers[i] = false;

  const abort = new AbortController();
  const onAbort = () => abort.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const progressOf = combinedProgress(opts.onProgress);
  const infos: InputDigestInfo[] = [];
  const running: Worker[] = [];
  const tasks: Promise<void>[] = [];
  for (const side of [0, 1] as const) {
    if (!workers[side]) continue;
    tasks.push(inWorker(paths[side], side, inputOpts, matcher, running, progressOf?.(side), abort.signal).then((info) => void (infos[side] = info)));
  }
  // The inputs read here, one after the other.
  const here = ([0, 1] as const).filter((s) => !workers[s]);
  if (here.length > 0) {
    tasks.push(
      (async () => {
        for (const side of here) infos[side] = await digestHere(paths[side], side, inputOpts, matcher, { signal: abort.signal, onProgress: progressOf?.(side) });
      })(),
    );
  }
  try {
    await Promise.all(tasks);
  } catch (e) {
    abort.abort();
    await Promise.all(running.map((w) => w.terminate()));
    await Promise.allSettled(tasks);
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  await Promise.all(running.map((w) => w.terminate()));
  return { report: buildReport(table, infos as [InputDigestInfo, InputDigestInfo], opts, started), differences: (limit) => table.sortedEntries(limit).map(diffKeyOf) };
}

/** A progress callback per input reporting the bytes of both together to `report`, or undefined. */
function combinedProgress(report: ((p: ScanProgress) => void) | undefined): ((side: 0 | 1) => (p: ScanProgress) => void) | undefined {
  if (report === undefined) return undefined;
  const progress: ScanProgress[] = [
    { bytesRead: 0, totalBytes: undefined },
    { bytesRead: 0, totalBytes: undefined },
  ];
  return (side) => (p) => {
    progress[side] = p;
    const [a, b] = progress;
    report({ bytesRead: a.bytesRead + b.bytesRead, totalBytes: a.totalBytes !== undefined && b.totalBytes !== undefined ? a.totalBytes + b.totalBytes : undefined });
  };
}

/** Digests `path` in this thread, its batches given to `matcher` as they are written. */
async function digestHere(path: string, side: 0 | 1, opts: DigestInputOptions, matcher: DigestMatcher, run: DigestRun): Promise<InputDigestInfo> {
  const sink: BatchSink = {
    push: (bytes, length) => {
      let taken = false;
      matcher.add(side, bytes, length, () => (taken = true));
      // A batch left waiting in its queue keeps its buffer.
      return taken ? bytes : new Uint8Array(BATCH_BYTES);
    },
    drain: () => undefined,
  };
  const info = await digestInput(path, new RecordWriter(sink), opts, run);
  matcher.end(side);
  return info;
}

/** Whether each input should go to a worker (`auto`): both do when they are large together. */
async function bigEnough(paths: readonly [string, string]): Promise<boolean[]> {
  let total = 0;
  for (const p of paths) {
    if (p === '-') continue;
    const input = await resolveInput(p);
    for (const part of input.parts) total += part.size ?? 0;
  }
  return total >= WORKER_MIN_BYTES ? [true, true] : [false, false];
}

/** Digests `path` on a worker thread, its batches given to `matcher` as they come. */
function inWorker(
  path: string,
  side: 0 | 1,
  opts: DigestInputOptions,
  matcher: DigestMatcher,
  running: Worker[],
  onProgress: ((p: ScanProgress) => void) | undefined,
  signal: AbortSignal,
): Promise<InputDigestInfo> {
  const w = startWorker('diff/digest-worker', { input: path, opts } satisfies DigestWorkerData);
  running.push(w);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
    };
    w.on('message', (m: DigestWorkerMessage) => {
      if (settled) return;
      switch (m.t) {
        case 'batch':
          try {
            matcher.add(side, new Uint8Array(m.buf), m.length, () => w.postMessage({ buf: m.buf }, [m.buf]));
          } catch (e) {
            settle(() => reject(e));
          }
          return;
        case 'progress':
          onProgress?.({ bytesRead: m.bytesRead, totalBytes: m.totalBytes });
          return;
        case 'done':
          try {
            matcher.end(side);
          } catch (e) {
            settle(() => reject(e));
            return;
          }
          settle(() => resolve(m.info));
          return;
        case 'error':
          settle(() => reject(revive(m.error)));
          return;
      }
    });
    w.once('error', (e) => settle(() => reject(e)));
    signal.addEventListener('abort', () => settle(() => reject(signal.reason)), { once: true });
    w.once('exit', (code) => settle(() => reject(new InputError(`cannot compare ${path}: its worker thread stopped with code ${code}`, { file: path }))));
  });
}

/** A worker's error, made again on this side. */
function revive(e: SentError): Error {
  if (e.internal) return Object.assign(new Error(e.reason), { stack: e.stack });
  const init = { file: e.file, offset: e.offset, expected: e.expected, found: e.found, context: e.context };
  if (e.code === 'USAGE') return new UsageError(e.reason, init);
  if (e.code === 'IO') return new InputError(e.reason, init);
  return new RdbtoolError(e.code as ErrorCode, e.reason, init);
}

/** How a table entry of state `state` differs. */
function changeOf(state: number): DiffChange {
  return state === STATE_CHANGED ? 'changed' : state === STATE_FIRST ? 'removed' : 'added';
}

function diffKeyOf(e: TableEntry): DiffKey {
  const type = TYPE_OF_CODE[e.type] as ValueType;
  if (e.state !== STATE_CHANGED) return { db: e.db, key: e.key, change: changeOf(e.state), what: [], type };
  const what = DIFF_PARTS.filter((p) => (e.what & WHAT[p]) !== 0);
  const k: DiffKey = { db: e.db, key: e.key, change: 'changed', what, type };
  if ((e.what & WHAT.type) !== 0) k.newType = TYPE_OF_CODE[e.type2] as ValueType;
  return k;
}

function buildReport(table: DigestTable, infos: [InputDigestInfo, InputDigestInfo], opts: DiffOptions, started: number): DiffReport {
  const totals = { added: 0, removed: 0, changed: 0, same: table.same };
  const byDb = new Map<number, DiffTally>();
  const byType = new Map<ValueType, DiffTally>();
  const tally = (m: Map<number | ValueType, DiffTally>, k: number | ValueType): DiffTally => {
    let t = m.get(k);
    if (t === undefined) m.set(k, (t = { added: 0, removed: 0, changed: 0 }));
    return t;
  };
  table.forEachState((db, state, type) => {
    const change = changeOf(state);
    totals[change]++;
    tally(byDb as Map<number | ValueType, DiffTally>, db)[change]++;
    tally(byType as Map<number | ValueType, DiffTally>, TYPE_OF_CODE[type] as ValueType)[change]++;
  });
  const [a, b] = infos;
  const functionsIdentical = a.functions.length === b.functions.length && a.functions.every((f, i) => f === b.functions[i]);
  const limit = opts.keysLimit ?? 10;
  const input = (i: InputDigestInfo) => ({ path: i.path, form: i.form, keys: i.keys, filtered: i.filtered, bytes: i.bytes, functions: i.functions.length });
  return {
    schemaVersion: 1,
    identical: table.size === 0 && functionsIdentical,
    inputs: [input(a), input(b)],
    options: { encodings: opts.encodings ?? false, ignoreTtl: opts.ignoreTtl ?? false, filter: opts.filter ? { ...opts.filter, match: opts.filter.match === undefined ? undefined : String(opts.filter.match) } : null },
    totals,
    byDb: [...byDb].sort((x, y) => x[0] - y[0]).map(([db, t]) => ({ db, ...t })),
    byType: [...byType].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([type, t]) => ({ type, ...t })),
    functionsIdentical,
    keys: table.sortedEntries(limit).map(diffKeyOf),
    keysLimit: limit,
    notes: [...a.notes, ...b.notes],
    elapsedMs: performance.now() - started,
  };
}
