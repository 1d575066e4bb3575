/**
 * `scanRdb`: an RDB source read through the scan driver (`scan-driver.ts`) as an RDB only
 * (what follows the checksum trailer is counted, never parsed), with damage thrown.
 */
import type { RdbDecoderOptions, RdbSummary } from '../rdb/decoder.js';
import type { RdbHandler } from '../model/events.js';
import type { ByteSource } from '../io/source.js';
import { driveScan, type ScanProgress } from './scan-driver.js';

export type { ScanProgress } from './scan-driver.js';

/** Options of {@link scanRdb}. */
export interface ScanOptions extends Omit<RdbDecoderOptions, 'file'> {
  /** Called between chunks, at most every `progressIntervalMs` (default 250 ms). */
  onProgress?: (p: ScanProgress) => void;
  progressIntervalMs?: number;
  /** Checked once per chunk. */
  signal?: AbortSignal;
  /** Awaited between chunks when it returns a promise (backpressure from a writer). */
  drain?: () => Promise<void> | void;
  /**
   * Where the CRC-64 is computed for file sources: `auto` (default) uses a worker thread for
   * files of 16 MiB or more, `always` for every file, `never` inline on the decoding thread.
   */
  checksumWorker?: 'auto' | 'always' | 'never';
}

/**
 * The options of a one-pass analysis (inspect, memory, report): values skipped where only
 * their sizes matter, the checksum checked, and a mismatch returned in `end` rather than
 * thrown; the caller's limits, progress, abort signal and backpressure passed on.
 */
export function analysisScanOptions(opts: Pick<ScanOptions, 'limits' | 'onProgress' | 'signal' | 'drain'>): ScanOptions {
  return { verify: 'shallow', checksum: true, strictChecksum: false, limits: opts.limits, onProgress: opts.onProgress, signal: opts.signal, drain: opts.drain };
}

/** The outcome of a scan. */
export interface ScanResult extends RdbSummary {
  bytesRead: number;
  elapsedMs: number;
}

/**
 * Decodes an RDB source from start to end, calling `handler` as it goes.
 * @throws RdbtoolError on corrupt, truncated or unreadable input (and on a wrong checksum
 *   unless `strictChecksum` is false); whatever the handler throws, unchanged.
 */
export async function scanRdb(source: ByteSource, handler: RdbHandler, opts: ScanOptions = {}): Promise<ScanResult> {
  const { checksum, ...rest } = opts;
  const scan = await driveScan(source, { rdb: handler }, { ...rest, checksum: checksum !== false, onDamage: 'throw', rdbOnly: true });
  const rdb = scan.rdb!;
  return { header: rdb.header, end: rdb.end, trailingBytes: rdb.trailingBytes, bytesRead: scan.bytes, elapsedMs: scan.elapsedMs };
}
