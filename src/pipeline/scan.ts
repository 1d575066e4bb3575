/**
 * The driver: pulls 1 MiB chunks from a {@link ByteSource}, pushes them into the RDB decoder
 * and lets the handler's callbacks run synchronously. Asynchronous only between chunks, where
 * it reports progress, checks the abort signal and waits for a slow output to drain.
 */
import { RdbDecoder, type RdbDecoderOptions, type RdbSummary } from '../rdb/decoder.js';
import type { RdbHandler } from '../model/events.js';
import type { ByteSource } from '../io/source.js';
import { InputError, RdbtoolError } from '../errors.js';

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
}

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
  const decoder = new RdbDecoder(handler, { ...opts, file: source.name });
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
  } catch (e) {
    if (e instanceof RdbtoolError && e.file === undefined) e.locate({ file: source.name });
    throw e;
  }
  const summary = decoder.end();
  opts.onProgress?.({ bytesRead, totalBytes: source.size });
  return { ...summary, bytesRead, elapsedMs: performance.now() - started };
}
