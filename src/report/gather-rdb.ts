/**
 * The report's figures for an RDB file, in one streaming pass: the `inspect` analyzer (header,
 * AUX fields, checksum, keys and encodings as stored), the `memory` analyzer (each key's
 * estimated memory, totals, top keys, prefix tree) and the TTL buckets, fed by one decoder
 * through a tee. Memory stays flat whatever the file holds.
 *
 * Damage does not lose the figures: a read that stops at damage gives those of the keys before
 * it, with the error beside them; a checksum mismatch leaves them whole, with its error. A file
 * whose header cannot even be read has nothing to report: its error is thrown.
 */
import { CorruptDataError, RdbtoolError } from '../errors.js';
import type { ByteSource } from '../io/source.js';
import { analysisScanOptions, scanRdb } from '../pipeline/scan.js';
import { OverviewAnalyzer, type InspectReport } from '../analyze/overview.js';
import type { MemoryReport } from '../analyze/memory/memory-analyzer.js';
import { RdbHandlerTee } from './handler-tee.js';
import { TtlBuckets } from './ttl-buckets.js';
import { NOT_DAMAGE } from '../analyze/memory/memory-input.js';
import { reportMemoryAnalyzer, type GatherOptions } from './gather-options.js';
import type { ReportTtlBucket } from './report-data.js';

/** The figures of an RDB file. */
export interface RdbFigures {
  overview: InspectReport;
  memory: MemoryReport;
  ttl: ReportTtlBucket[];
  /** The damage that ended the read early, or a checksum mismatch; null when the file is sound. */
  error: RdbtoolError | null;
}

/**
 * Reads an RDB source once and gathers the report's figures.
 * @throws the decoder's error when not even the header could be read; InputError when the
 *   source cannot be read; whatever is not about the input.
 */
export async function gatherRdb(source: ByteSource, opts: GatherOptions): Promise<RdbFigures> {
  const started = performance.now();
  const nowMs = opts.nowMs ?? Date.now();
  const ttl = new TtlBuckets(nowMs);
  const overview = new OverviewAnalyzer({ nowMs, top: 0, filter: opts.filter });
  const memory = reportMemoryAnalyzer(opts, 'rdb', nowMs, ttl);
  let error: RdbtoolError | null = null;
  let bytesRead = 0;
  let trailingBytes = 0;
  let mismatch: { eofOffset: number; stored: string | null; computed: string | null } | null = null;
  try {
    const res = await scanRdb(source, new RdbHandlerTee([overview, memory]), analysisScanOptions(opts));
    bytesRead = res.bytesRead;
    trailingBytes = res.trailingBytes;
    const end = res.end;
    if (end !== null && end.checksum === 'mismatch') mismatch = { eofOffset: end.eofOffset, stored: end.storedChecksum, computed: end.computedChecksum };
  } catch (e) {
    if (!(e instanceof RdbtoolError) || NOT_DAMAGE.has(e.code)) throw e;
    error = e;
    // Whatever lies past the damage was not read.
    bytesRead = e.offset ?? 0;
  }
  const elapsedMs = performance.now() - started;
  const ov = overview.report({ file: source.name, fileBytes: source.size, bytesRead, elapsedMs, trailingBytes, error });
  // Not even a header: not an RDB at all, or cut before its version; nothing to show.
  if (error !== null && ov.partial !== null && ov.partial.readUpTo === 0) throw error;
  const mem = memory.report({ file: source.name, input: 'rdb', bytesRead, elapsedMs, error });
  if (mismatch !== null) {
    error = new CorruptDataError('CHECKSUM_MISMATCH', 'CRC-64 checksum mismatch (every key was read: the report is whole)', {
      file: source.name,
      offset: mismatch.eofOffset + 1,
      expected: mismatch.computed ?? undefined,
      found: mismatch.stored ?? undefined,
    });
  }
  return { overview: ov, memory: mem, ttl: ttl.result(), error };
}
