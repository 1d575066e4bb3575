/**
 * The driver: pulls 1 MiB chunks from a {@link ByteSource}, pushes them into the RDB decoder
 * and lets the handler's callbacks run synchronously. Asynchronous only between chunks, where
 * it reports progress, checks the abort signal and waits for a slow output to drain.
 */
import { RdbDecoder, type RdbDecoderOptions, type RdbSummary } from '../rdb/decoder.js';
import type { RdbHandler } from '../model/events.js';
import type { ByteSource } from '../io/source.js';
import { InputError, RdbtoolError } from '../errors.js';
import { startFileCrc } from '../binary/crc64-file.js';

/** Progress reported between chunks. */
export interface ScanProgress {
  bytesRead: number;
  /** Total size when known. */
  totalBytes: number | undefined;
}

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

/** Files at least this large get their checksum computed in a worker (auto mode). */
const WORKER_CRC_MIN_BYTES = 16 << 20;

/** The outcome of a scan. */
export interface ScanResult extends RdbSummary {
  bytesRead: number;
  elapsedMs: number;
}

/**
 * Decodes an RDB source from start to end, calling `handler` as it goes.
 * @throws RdbtoolError on corrupt, truncated or unreadable input.
 */
export async function scanRdb(source: ByteSource, handler: RdbHandler, opts: ScanOptions = {}): Promise<ScanResult> {
  const started = performance.now();
  const mode = opts.checksumWorker ?? 'auto';
  const useWorker =
    opts.checksum !== false && source.path !== undefined && (mode === 'always' || (mode === 'auto' && (source.size ?? 0) >= WORKER_CRC_MIN_BYTES));
  const crcJob = useWorker ? startFileCrc(source.path!) : null;
  const decoder = new RdbDecoder(handler, { ...opts, file: source.name, checksum: useWorker ? 'external' : opts.checksum });
  let bytesRead = 0;
  let lastProgress = 0;
  const interval = opts.progressIntervalMs ?? 250;
  try {
    for await (const chunk of source.chunks()) {
      bytesRead += chunk.length;
      decoder.push(chunk);
      if (opts.signal?.aborted) throw new InputError('aborted', { file: source.name, offset: bytesRead });
      if (opts.drain) await opts.drain();
      if (opts.onProgress) {
        const now = performance.now();
        if (now - lastProgress >= interval) {
          lastProgress = now;
          opts.onProgress({ bytesRead, totalBytes: source.size });
        }
      }
    }
    const summary = decoder.end();
    if (decoder.checksumPending && crcJob) {
      const { hi, lo } = await crcJob.prefix(summary.end!.eofOffset + 1);
      decoder.completeChecksum(hi, lo);
    }
    opts.onProgress?.({ bytesRead, totalBytes: source.size });
    return { ...summary, bytesRead, elapsedMs: performance.now() - started };
  } catch (e) {
    if (e instanceof RdbtoolError && e.file === undefined) e.locate({ file: source.name });
    throw e;
  } finally {
    crcJob?.cancel();
  }
}
