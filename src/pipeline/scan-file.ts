/**
 * Reads one persistence file whatever it holds (an RDB, a hybrid or a plain AOF), as `check`,
 * `repair`, `inspect` of AOFs and `export --format commands` do: the scan driver in report
 * mode (damage is returned as the file's located `problem`, so every file of a multi-part set
 * can be reported), plus redis-check-aof's line bookkeeping, which only these callers need:
 * its line counter carried from file to file, and the physical lines of a damaged file's
 * offsets, found by reading the file again when the fast path did not count them.
 */
import { linesAt } from '../io/line-count.js';
import type { ByteSource } from '../io/source.js';
import { driveScan, type FileHandlers, type FileScan, type ScanDriverOptions } from './scan-driver.js';

export { notPersistenceFile, sniffStart } from './scan-driver.js';
export type { FileContent, FileHandlers, FileProblem, FileScan, FileStatus } from './scan-driver.js';

/**
 * Options of {@link scanFile}: the driver's own (limits, value checking, where the CRC-64 runs,
 * progress, abort, drain) and redis-check-aof's line bookkeeping.
 */
export interface FileScanOptions
  extends Pick<ScanDriverOptions, 'limits' | 'verify' | 'checksumWorker' | 'progressBase' | 'progressTotal' | 'onProgress' | 'progressIntervalMs' | 'signal' | 'drain'> {
  /**
   * Physical line numbers of the RESP section: `always` counts them as the decoder goes;
   * `on-damage` (default) lets the decoder skip them when no handler takes commands (much
   * faster), then finds the lines of the verdict's offsets by reading the file again when it
   * is damaged. Lines stay 0 where they are not known (an intact file read on the fast path,
   * or stdin).
   */
  lines?: 'always' | 'on-damage';
  /** Arguments kept per command for the `command` handler (see RespDecoderOptions.keepArgs). */
  keepArgs?: number;
  /** Starting value of redis-check-aof's line counter (carried across multi-part files). */
  startRedisCheckAofLine?: number;
  /** MULTI/EXEC out of order: damage (`check`, default) or passed to the handler (see RespDecoderOptions.transactions). */
  transactions?: 'check' | 'pass';
}

/**
 * Reads a whole file, calling the handlers as it goes. Damage never throws here: it ends the
 * scan and is returned as the file's `problem`, located.
 * @throws InputError when the source cannot be read (or the scan is aborted); whatever a
 *   handler throws, unchanged.
 */
export async function scanFile(source: ByteSource, handlers: FileHandlers, opts: FileScanOptions = {}): Promise<FileScan> {
  const started = performance.now();
  const { lines, keepArgs, startRedisCheckAofLine, transactions, ...rest } = opts;
  const aof = handlers.aof ?? {};
  // A handler that takes commands makes the decoder leave its fast path, which is what costs
  // when lines are counted: then they are counted as it goes.
  const takesCommands = aof.command !== undefined || aof.argPart !== undefined || aof.multi !== undefined || aof.exec !== undefined;
  const countLines = lines === 'always' || takesCommands;
  const scan = await driveScan(source, handlers, { ...rest, onDamage: 'report', resp: { countLines, keepArgs, startRedisCheckAofLine, transactions } });
  const v = scan.aof;
  const rawPath = source.path ?? source.rawPath;
  if (!countLines && v?.problem && rawPath !== undefined) {
    const [okLine, badLine] = await linesAt(rawPath, v.startOffset, [v.okUpTo, v.problem.offset]);
    v.okUpToLine = okLine;
    v.firstBadLine = v.problem.line = badLine;
    if (scan.problem?.section === 'aof') scan.problem.line = badLine;
  }
  return { ...scan, elapsedMs: performance.now() - started };
}
