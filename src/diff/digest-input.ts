/**
 * One input of a comparison, digested: an RDB file streams through the RDB digester (memory:
 * one key at most, and only for the types it builds); an AOF — plain, hybrid, or a multi-part
 * directory or manifest — is replayed into a dataset first (memory: the dataset), whose keys
 * are then digested. The input's form is decided as `export` decides it (export-input.ts).
 *
 * Damage is an error here, wherever it is: a truncated AOF is not compared as the part Redis
 * would load, since a comparison that quietly leaves out the end of a file would call two
 * different files identical.
 */
import type { Limits } from '../limits.js';
import { planExport } from '../export/export-input.js';
import { replayPath, replaySource } from '../replay/replay-input.js';
import { scanRdb } from '../pipeline/scan.js';
import { createKeyFilter, type KeyFilterOptions } from '../pipeline/filters.js';
import type { ScanProgress } from '../pipeline/scan.js';
import { replayWarnings } from '../format/reports/replay.js';
import { RdbDigester } from './rdb-digests.js';
import { digestDataset } from './dataset-digests.js';
import type { RecordWriter } from './digest-records.js';

/** Options of {@link digestInput} (plain data: they cross to worker threads). */
export interface DigestInputOptions {
  filter?: KeyFilterOptions;
  /** Record encodings (`--encodings`). */
  encodings?: boolean;
  limits?: Partial<Limits>;
  /** Replay a file that starts with an RDB even when not named *.aof. */
  replay?: boolean;
  /** Replay: count commands Redis would refuse instead of stopping. */
  skipUnknown?: boolean;
  /** Where the CRC-64 of an RDB is computed (see `scanRdb`). */
  checksumWorker?: 'auto' | 'always' | 'never';
}

/** What a run of {@link digestInput} reports to, and listens to (not plain data). */
export interface DigestRun {
  signal?: AbortSignal;
  onProgress?: (p: ScanProgress) => void;
}

/** What was read of one input. */
export interface InputDigestInfo {
  /** The input as given. */
  path: string;
  /** How it was read: an RDB streamed, or an AOF of this form replayed. */
  form: 'rdb' | 'aof' | 'hybrid' | 'multipart';
  /** Keys digested (after the filters). */
  keys: number;
  /** Keys the filters left out. */
  filtered: number;
  /** Bytes read. */
  bytes: number;
  /** Digests of the function libraries, sorted. */
  functions: string[];
  /** What the user should hear about (bytes after an RDB's trailer, commands skipped, ...). */
  notes: string[];
}

/**
 * Digests `given` into `out` (flushed at the end).
 * @throws RdbtoolError for an input that cannot be read, is damaged, or (AOF) holds a
 *   command the replay cannot apply.
 */
export async function digestInput(given: string, out: RecordWriter, opts: DigestInputOptions = {}, run: DigestRun = {}): Promise<InputDigestInfo> {
  const { signal, onProgress } = run;
  const filter = opts.filter ? createKeyFilter(opts.filter) : null;
  let plan = await planExport(given, { replay: opts.replay });
  // An empty file named *.aof is an AOF without commands (Redis loads it as an empty dataset).
  if (plan.kind === 'rdb' && plan.source.size === 0 && /\.aof$/i.test(plan.source.name)) plan = { kind: 'replay', form: 'aof', source: plan.source };
  if (plan.kind === 'rdb') {
    const source = plan.source;
    const d = new RdbDigester(out, { filter, encodings: opts.encodings, file: source.name, release: source.release?.bind(source) });
    const scan = await scanRdb(source, d, { limits: opts.limits, signal, onProgress, checksumWorker: opts.checksumWorker, drain: () => out.drain() });
    out.flush();
    const notes: string[] = [];
    if (scan.trailingBytes > 0) {
      notes.push(`${source.name}: ${scan.trailingBytes} byte(s) follow the RDB's checksum trailer (a hybrid AOF's commands, or junk) and were not compared; --replay applies a hybrid AOF's commands`);
    }
    return { path: given, form: 'rdb', keys: out.records, filtered: d.filtered, bytes: scan.bytesRead, functions: [...d.functions].sort(), notes };
  }
  const ropts = { limits: opts.limits, skipUnknown: opts.skipUnknown, signal, onProgress, checksumWorker: opts.checksumWorker };
  const replay = plan.source !== null ? await replaySource(plan.source, ropts) : await replayPath(given, ropts);
  if (replay.error !== null) throw replay.error;
  const res = await digestDataset(replay.dataset, out, { filter, encodings: opts.encodings });
  out.flush();
  const notes = replayWarnings(replay).map((w) => `${given}: ${w}`);
  return { path: given, form: plan.form, keys: res.keys, filtered: res.filtered, bytes: replay.bytes, functions: res.functions.sort(), notes };
}
