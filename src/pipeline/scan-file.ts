/**
 * Reads one persistence file whatever it holds, chosen by its first bytes (FORMATS.md §5.5):
 * an RDB (`REDIS` / `VALKEY`), a hybrid AOF (an RDB, then RESP commands on the same bytes) or
 * a plain RESP AOF. The RDB decoder reads the preamble; when it reaches the checksum trailer
 * the RESP decoder continues on the same byte window. Asynchronous only between chunks.
 *
 * Damage never throws here: it ends the scan and is returned as the file's `problem`, located
 * (so `check` can report every file of a multi-part set). I/O errors and errors thrown by the
 * caller's handlers do throw.
 */
import { checksumMismatch, RdbDecoder, type RdbSummary } from '../rdb/decoder.js';
import { RespDecoder } from '../aof/resp-decoder.js';
import type { RdbHandler } from '../model/events.js';
import type { AofHandler, AofVerdict } from '../model/aof-events.js';
import type { ByteSource } from '../io/source.js';
import type { Limits } from '../limits.js';
import { CorruptDataError, InputError, RdbtoolError, UsageError, type ErrorCode } from '../errors.js';
import { classifyStart, describeForeign, PERSISTENCE_FILE_START, showFirstBytes, type FileStart } from './file-kind.js';
import { startFileCrc, type FileCrcJob } from '../binary/crc64-file.js';
import { linesAt } from '../io/line-count.js';
import { concatBytes } from '../io/bytes.js';
import type { ScanProgress } from './scan.js';

/** What a file turned out to hold (`foreign`: not a Redis or Valkey persistence file at all). */
export type FileContent = 'rdb' | 'hybrid' | 'aof' | 'empty' | 'foreign';

/** The verdict on one file. */
export type FileStatus = 'ok' | 'empty' | 'truncated' | 'corrupt';

/** The first problem found in a file, located. */
export interface FileProblem {
  /** A stable error code (RESP_SYNTAX, UNBALANCED_MULTI, TRUNCATED, CHECKSUM_MISMATCH, …). */
  code: ErrorCode;
  /** `rdb` when the problem is in the RDB part, `aof` when in the RESP commands, `file` for the file as a whole (missing). */
  section: 'rdb' | 'aof' | 'file';
  /** The problem in words, without the location. */
  reason: string;
  /** Absolute offset of the first bad byte (for truncation: the end of the file). */
  offset: number;
  /** Physical line of `offset` in the RESP section (AOF problems only). */
  line?: number;
  /** Where the unit holding the problem starts (a command's `*`, an open MULTI). */
  unitOffset?: number;
  expected?: string;
  found?: string;
  /** For RDB problems: what was being decoded (db, key, type), as in the error's JSON form. */
  context?: Record<string, unknown>;
}

/** Callbacks for the two sections of a file. */
export interface FileHandlers {
  /** Called for the RDB (a whole RDB file, or a hybrid file's preamble). */
  rdb?: RdbHandler;
  /** Called for the RESP commands (a plain AOF, or a hybrid file's tail). */
  aof?: AofHandler;
  /** Called once the RDB part is complete and checked, before the RESP part is read. */
  rdbDone?(summary: RdbSummary): void;
}

/** Options of {@link scanFile}. */
export interface FileScanOptions {
  limits?: Partial<Limits>;
  /** RDB value checking (see RdbDecoderOptions.verify). Default `deep`. */
  verify?: 'deep' | 'shallow';
  /** Where the RDB CRC-64 runs (see ScanOptions.checksumWorker). Default `auto`. */
  checksumWorker?: 'auto' | 'always' | 'never';
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
  /** Bytes of earlier files, added to progress reports. */
  progressBase?: number;
  /** Total of all files, for progress reports. */
  progressTotal?: number;
  onProgress?: (p: ScanProgress) => void;
  progressIntervalMs?: number;
  signal?: AbortSignal;
  /** Awaited between chunks when it returns a promise (backpressure from a writer). */
  drain?: () => Promise<void> | void;
}

/** The outcome of {@link scanFile}. */
export interface FileScan {
  /** The source's name. */
  name: string;
  /** Bytes read (the file's size). */
  bytes: number;
  content: FileContent;
  status: FileStatus;
  problem: FileProblem | null;
  /**
   * The typed error of `problem`, as the decoders raise it (an RDB error keeps the key it was
   * decoding), for callers that report damage by throwing; null when there is no problem.
   */
  error: RdbtoolError | null;
  /** The RDB part's summary (header, end, checksum), when the file starts with one and it was read to its end. */
  rdb: RdbSummary | null;
  /** Offset where the RESP section starts: 0 for a plain AOF, the RDB's end for a hybrid; null when not reached. */
  respOffset: number | null;
  /** The RESP decoder's verdict, when the RESP section was reached (also for an empty tail). */
  aof: AofVerdict | null;
  /**
   * The offset up to which the file is valid: where `redis-check-aof --fix` would cut it.
   * 0 when the RDB part is damaged (no cut can save it).
   */
  okUpTo: number;
  elapsedMs: number;
}

/** Files at least this large get their RDB checksum computed in a worker (auto mode). */
const WORKER_CRC_MIN_BYTES = 16 << 20;

/**
 * What the first bytes say (see `file-kind.ts`): `rdb`, `resp`, `foreign` (not a persistence
 * file), `empty`, or `more` when too few bytes are there to tell.
 */
export function sniffStart(head: Uint8Array, atEnd: boolean): FileStart {
  return classifyStart(head, atEnd);
}

/** The problem of a file that is not a Redis or Valkey persistence file at all. */
export function notPersistenceFile(file: string, head: Uint8Array): { problem: FileProblem; error: RdbtoolError } {
  const kind = describeForeign(head);
  const found = `first bytes ${showFirstBytes(head)}${kind ? ` (${kind.what})` : ''}`;
  const reason = `not a Redis or Valkey persistence file${kind ? `: it looks like ${kind.what}${kind.hint ? `; ${kind.hint}` : ''}` : ''}`;
  const problem: FileProblem = { code: 'NOT_PERSISTENCE_FILE', section: 'file', reason, offset: 0, expected: PERSISTENCE_FILE_START, found };
  return { problem, error: new CorruptDataError('NOT_PERSISTENCE_FILE', reason, { file, offset: 0, expected: PERSISTENCE_FILE_START, found }) };
}

/**
 * Reads a whole file, calling the handlers as it goes.
 * @throws InputError when the source cannot be read (or the scan is aborted); whatever a
 *   handler throws.
 */
export async function scanFile(source: ByteSource, handlers: FileHandlers, opts: FileScanOptions = {}): Promise<FileScan> {
  const started = performance.now();
  const file = source.name;
  let rdb: RdbDecoder | null = null;
  let resp: RespDecoder | null = null;
  let crcJob: FileCrcJob | null = null;
  let rdbSummary: RdbSummary | null = null;
  let problem: FileProblem | null = null;
  let error: RdbtoolError | null = null;
  let head: Uint8Array | null = new Uint8Array(0);
  /** True when the file is not a persistence file (nothing more is read). */
  let foreign = false;
  let bytes = 0;
  let lastProgress = 0;
  const interval = opts.progressIntervalMs ?? 250;
  const base = opts.progressBase ?? 0;
  const total = opts.progressTotal ?? source.size;

  const aofHandler = handlers.aof ?? {};
  const takesCommands = aofHandler.command !== undefined || aofHandler.argPart !== undefined || aofHandler.multi !== undefined || aofHandler.exec !== undefined;
  const countLines = opts.lines === 'always' || takesCommands;
  const startResp = (reader?: RespDecoder['r']) => {
    resp = new RespDecoder(aofHandler, {
      file,
      limits: opts.limits,
      onDamage: 'report',
      countLines,
      keepArgs: opts.keepArgs,
      startRedisCheckAofLine: opts.startRedisCheckAofLine,
      ...(reader ? { reader } : {}),
    });
  };

  const startRdb = () => {
    const mode = opts.checksumWorker ?? 'auto';
    const useWorker = source.path !== undefined && (mode === 'always' || (mode === 'auto' && (source.size ?? 0) >= WORKER_CRC_MIN_BYTES));
    if (useWorker) crcJob = startFileCrc(source.path!);
    // A wrong checksum is reported like any damage, after the handlers saw the RDB's end.
    rdb = new RdbDecoder(handlers.rdb ?? {}, { file, limits: opts.limits, verify: opts.verify, checksum: useWorker ? 'external' : true, strictChecksum: false });
  };

  /** After the RDB part: settle its checksum, then hand the byte window to the RESP decoder. */
  const finishRdb = async (d: RdbDecoder) => {
    if (d.checksumPending && crcJob) {
      const { hi, lo } = await crcJob.prefix(d.summary().end!.eofOffset + 1);
      d.completeChecksum(hi, lo);
    }
    crcJob?.cancel();
    crcJob = null;
    rdbSummary = d.summary();
    handlers.rdbDone?.(rdbSummary);
    const end = rdbSummary.end!;
    if (end.checksum === 'mismatch') throw checksumMismatch(file, end); // Redis reads no further
    startResp(d.r);
    resp!.push(new Uint8Array(0));
  };

  const feed = async (chunk: Uint8Array) => {
    if (head !== null) {
      head = concatBytes(head, chunk);
      const kind = sniffStart(head, false);
      if (kind === 'more') return;
      chunk = head;
      head = null;
      if (kind === 'foreign') {
        ({ problem, error } = notPersistenceFile(file, chunk));
        foreign = true;
        return;
      }
      if (kind === 'rdb') startRdb();
      else startResp();
    }
    if (resp) {
      (resp as RespDecoder).push(chunk);
      return;
    }
    const d = rdb!;
    d.push(chunk);
    if (d.done) await finishRdb(d);
  };

  /** Runs an RDB step; damage in the RDB part ends the scan as the file's problem. */
  const rdbStep = async (step: () => Promise<void> | void) => {
    try {
      await step();
    } catch (e) {
      if (!(e instanceof RdbtoolError) || e instanceof InputError || e instanceof UsageError) throw e;
      problem = rdbProblem(e);
      error = e;
    }
  };

  try {
    for await (const chunk of source.chunks()) {
      bytes += chunk.length;
      if (problem === null) {
        if (head !== null || resp === null) await rdbStep(() => feed(chunk));
        else (resp as RespDecoder).push(chunk);
      }
      if (foreign) break; // nothing in it is worth reading
      if (opts.signal?.aborted) throw new InputError('aborted', { file, offset: bytes });
      if (opts.drain) await opts.drain();
      if (opts.onProgress) {
        const now = performance.now();
        if (now - lastProgress >= interval) {
          lastProgress = now;
          opts.onProgress({ bytesRead: base + bytes, totalBytes: total });
        }
      }
    }
    if (problem === null && head !== null) {
      // Fewer bytes than a magic: decide on what there is.
      const rest = head;
      head = null;
      const kind = sniffStart(rest, true);
      if (kind === 'foreign') {
        ({ problem, error } = notPersistenceFile(file, rest));
        foreign = true;
      } else {
        if (kind === 'rdb') startRdb();
        else startResp();
        if (rest.length > 0) await rdbStep(() => feed(rest));
      }
    }
    if (problem === null && rdb !== null && resp === null) {
      const d = rdb as RdbDecoder;
      await rdbStep(async () => {
        d.end(); // throws TRUNCATED when the RDB is incomplete
        await finishRdb(d);
      });
    }
    opts.onProgress?.({ bytesRead: base + bytes, totalBytes: total });
  } finally {
    (crcJob as FileCrcJob | null)?.cancel();
  }

  let verdict: AofVerdict | null = null;
  if (resp !== null) {
    verdict = (resp as RespDecoder).end();
    const rawPath = source.path ?? source.rawPath;
    if (!countLines && verdict.problem && rawPath !== undefined) {
      const v = verdict;
      const [okLine, badLine] = await linesAt(rawPath, v.startOffset, [v.okUpTo, v.problem!.offset]);
      v.okUpToLine = okLine;
      v.firstBadLine = v.problem!.line = badLine;
    }
    if (verdict.problem) {
      error = (resp as RespDecoder).error();
      const p = verdict.problem;
      problem = { code: p.code, section: 'aof', reason: p.reason, offset: p.offset, line: p.line, unitOffset: p.unitOffset, expected: p.expected, found: p.found };
    }
  }
  if (foreign) bytes = Math.max(bytes, source.size ?? 0); // the file was not read to its end
  const content: FileContent = foreign ? 'foreign' : bytes === 0 ? 'empty' : rdb === null ? 'aof' : verdict !== null && verdict.bytes > 0 ? 'hybrid' : 'rdb';
  const p = problem as FileProblem | null;
  const status: FileStatus = p === null ? (bytes === 0 ? 'empty' : 'ok') : p.code === 'TRUNCATED' ? 'truncated' : 'corrupt';
  return {
    name: file,
    bytes,
    content,
    status,
    problem,
    error,
    // The decoder counts what it had buffered when the RDB ended; the file says how much followed.
    rdb: rdbSummary === null ? null : { ...(rdbSummary as RdbSummary), trailingBytes: verdict ? verdict.bytes : 0 },
    respOffset: verdict ? verdict.startOffset : null,
    aof: verdict,
    okUpTo: verdict ? verdict.okUpTo : 0,
    elapsedMs: performance.now() - started,
  };
}

function rdbProblem(e: RdbtoolError): FileProblem {
  return {
    code: e.code,
    section: 'rdb',
    reason: e.reason,
    offset: e.offset ?? 0,
    expected: e.expected,
    found: e.found,
    context: e.context ? (e.toJSON().context as Record<string, unknown>) : undefined,
  };
}
