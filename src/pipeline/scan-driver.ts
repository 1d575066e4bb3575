/**
 * The scan driver: the one loop every command reads a persistence file through. It pulls
 * chunks from a {@link ByteSource}, pushes them into the decoders, whose handler callbacks run
 * synchronously, and is asynchronous only between chunks, where it reports progress, checks
 * the abort signal and waits for a slow output to drain. It also chooses where the RDB's
 * CRC-64 is computed (inline, or a worker thread for large files).
 *
 * What the file holds is chosen by its first bytes (FORMATS.md §5.5): an RDB (`REDIS` /
 * `VALKEY`), a hybrid AOF (an RDB, then RESP commands on the same bytes) or a plain RESP AOF.
 * The RDB decoder reads the preamble; at its checksum trailer the RESP decoder continues on
 * the same byte window. With `rdbOnly` the file is read as an RDB from its first byte, and
 * what follows the trailer is counted, never parsed.
 *
 * Damage in the input (corrupt, truncated, over a limit, a wrong checksum, not a persistence
 * file) ends the scan: `onDamage: 'report'` returns it as the file's located `problem`,
 * `'throw'` throws the decoder's typed error. Anything a handler callback throws, typed or
 * not, passes through unchanged in both modes: the decoders tell their own errors from their
 * handlers' (see RdbDecoder.damageError; the RESP decoder runs in report mode, so whatever it
 * throws is not damage).
 */
import { checksumMismatch, RdbDecoder, type RdbSummary } from '../rdb/decoder.js';
import { RespDecoder, type RespDecoderOptions } from '../aof/resp-decoder.js';
import type { RdbHandler } from '../model/events.js';
import type { AofHandler, AofVerdict } from '../model/aof-events.js';
import type { ByteSource } from '../io/source.js';
import type { Limits } from '../limits.js';
import { CorruptDataError, InputError, type ErrorCode, type RdbtoolError } from '../errors.js';
import { classifyStart, describeForeign, PERSISTENCE_FILE_START, showFirstBytes, type FileStart } from './file-kind.js';
import { startFileCrc, type FileCrcJob } from '../binary/crc64-file.js';
import { concatBytes } from '../io/bytes.js';

/** Progress reported between chunks. */
export interface ScanProgress {
  bytesRead: number;
  /** Total size when known. */
  totalBytes: number | undefined;
}

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
  /** Called once the RDB part is complete and its checksum settled, before anything after it is read. */
  rdbDone?(summary: RdbSummary): void;
}

/** Options of {@link driveScan}. */
export interface ScanDriverOptions {
  /**
   * What damage in the input does: `report` ends the scan and returns it as the result's
   * `problem` and `error`; `throw` throws the decoder's typed error (CorruptDataError,
   * TruncatedError, LimitError).
   */
  onDamage: 'throw' | 'report';
  /**
   * Read the file as an RDB whatever its first bytes say (a non-RDB is then BAD_MAGIC, an
   * empty file TRUNCATED); bytes after the checksum trailer are counted in
   * `rdb.trailingBytes`, never parsed as commands. Default false.
   */
  rdbOnly?: boolean;
  limits?: Partial<Limits>;
  /** RDB value checking (see RdbDecoderOptions.verify). Default `deep`. */
  verify?: 'deep' | 'shallow';
  /** Compute and compare the RDB's CRC-64 trailer. Default true. */
  checksum?: boolean;
  /**
   * A wrong RDB checksum is damage (default true). With false it is only noted in
   * `rdb.end.checksum` and the scan goes on. In `throw` mode the error is thrown before the
   * handler's `end` callback; in `report` mode after it (and after `rdbDone`).
   */
  strictChecksum?: boolean;
  /**
   * Where the CRC-64 is computed for file sources: `auto` (default) uses a worker thread for
   * files of 16 MiB or more, `always` for every file, `never` inline on the decoding thread.
   */
  checksumWorker?: 'auto' | 'always' | 'never';
  /** Options handed to the RESP decoder as they are (see RespDecoderOptions). */
  resp?: Pick<RespDecoderOptions, 'countLines' | 'keepArgs' | 'startRedisCheckAofLine' | 'transactions'>;
  /** Bytes of earlier files, added to progress reports. */
  progressBase?: number;
  /** Total of all files, for progress reports (default: the source's size). */
  progressTotal?: number;
  /** Called between chunks, at most every `progressIntervalMs` (default 250 ms), and once at the end. */
  onProgress?: (p: ScanProgress) => void;
  progressIntervalMs?: number;
  /** Checked once per chunk. */
  signal?: AbortSignal;
  /** Awaited between chunks when it returns a promise (backpressure from a writer). */
  drain?: () => Promise<void> | void;
}

/** The outcome of a scan of one file. */
export interface FileScan {
  /** The source's name. */
  name: string;
  /** Bytes read (the file's size). */
  bytes: number;
  content: FileContent;
  status: FileStatus;
  /** The input's damage, located (always null in `throw` mode: damage is thrown there). */
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
 * @throws InputError when the source cannot be read or the scan is aborted; in `throw` mode,
 *   the input's damage; and whatever a handler throws, unchanged.
 */
export async function driveScan(source: ByteSource, handlers: FileHandlers, opts: ScanDriverOptions): Promise<FileScan> {
  return new Scan(source, handlers, opts).run();
}

/** One run of the driver over one source. */
class Scan {
  private readonly started = performance.now();
  private readonly file: string;
  private readonly report: boolean;
  private readonly strict: boolean;
  private rdb: RdbDecoder | null = null;
  private resp: RespDecoder | null = null;
  private crcJob: FileCrcJob | null = null;
  private rdbSummary: RdbSummary | null = null;
  private problem: FileProblem | null = null;
  private error: RdbtoolError | null = null;
  /** The first bytes while too few to tell what the file is; null once decided. */
  private head: Uint8Array | null;
  /** True when the file is not a persistence file (nothing more is read). */
  private foreign = false;
  private bytes = 0;

  constructor(
    private readonly source: ByteSource,
    private readonly handlers: FileHandlers,
    private readonly opts: ScanDriverOptions,
  ) {
    this.file = source.name;
    this.report = opts.onDamage === 'report';
    this.strict = opts.strictChecksum ?? true;
    this.head = opts.rdbOnly ? null : new Uint8Array(0);
    if (opts.rdbOnly) this.startRdb();
  }

  async run(): Promise<FileScan> {
    const opts = this.opts;
    const interval = opts.progressIntervalMs ?? 250;
    const base = opts.progressBase ?? 0;
    const total = opts.progressTotal ?? this.source.size;
    let lastProgress = 0;
    try {
      for await (const chunk of this.source.chunks()) {
        this.bytes += chunk.length;
        if (this.problem === null) await this.push(chunk);
        this.giveBack(chunk);
        if (this.foreign) break; // nothing in it is worth reading
        if (opts.signal?.aborted) throw new InputError('aborted', { file: this.file, offset: this.bytes });
        if (opts.drain) await opts.drain();
        if (opts.onProgress) {
          const now = performance.now();
          if (now - lastProgress >= interval) {
            lastProgress = now;
            opts.onProgress({ bytesRead: base + this.bytes, totalBytes: total });
          }
        }
      }
      if (this.problem === null && this.head !== null) {
        // Fewer bytes than a magic: decide on what there is.
        const rest = this.head;
        this.head = null;
        if (this.start(rest, true) === true && rest.length > 0) await this.rdbStep(() => this.feed(rest));
      }
      const d = this.rdb;
      if (this.problem === null && d !== null && this.rdbSummary === null) {
        await this.rdbStep(async () => {
          d.end(); // throws TRUNCATED when the RDB is incomplete
          await this.finishRdb(d);
        });
      }
      opts.onProgress?.({ bytesRead: base + this.bytes, totalBytes: total });
    } finally {
      this.crcJob?.cancel();
    }
    return this.result();
  }

  /**
   * Gives a chunk back to a source that reuses its buffers (`ByteSource.release`) when nothing
   * can refer to it: the RDB decoder's byte window copied it (only a chunk the window adopted
   * whole is ever looked at in place, and views into it may outlive this push), and no head
   * bytes or RESP decoder hold it.
   */
  private giveBack(chunk: Uint8Array): void {
    const release = this.source.release;
    if (release === undefined || this.head !== null || this.resp !== null) return;
    const d = this.rdb;
    if (d !== null && d.r.buf.buffer === chunk.buffer) return;
    release.call(this.source, chunk);
  }

  /** One chunk, to whichever decoder reads this part of the file. */
  private async push(chunk: Uint8Array): Promise<void> {
    if (this.resp !== null) this.pushResp(chunk);
    else await this.rdbStep(() => this.feed(chunk));
  }

  /** RESP bytes; in throw mode, damage is thrown as soon as the decoder stops on it. */
  private pushResp(chunk: Uint8Array): void {
    const resp = this.resp!;
    resp.push(chunk);
    if (!this.report && resp.damaged) throw resp.error()!;
  }

  /** Runs an RDB step; the RDB decoder's damage ends the scan, anything else is thrown on. */
  private async rdbStep(step: () => Promise<void> | void): Promise<void> {
    try {
      await step();
    } catch (e) {
      const damage = this.rdb?.damageError;
      if (!damage || e !== damage) throw e;
      this.damaged(rdbProblem(damage), damage);
    }
  }

  /** Damage: kept as the file's problem (report) or thrown (throw). */
  private damaged(problem: FileProblem, error: RdbtoolError): void {
    if (!this.report) throw error;
    this.problem = problem;
    this.error = error;
  }

  /**
   * Starts the decoder the first bytes call for; false when the file is foreign (its
   * problem is then set, or thrown).
   */
  private start(head: Uint8Array, atEnd: boolean): boolean | 'more' {
    const kind = sniffStart(head, atEnd);
    if (kind === 'more') return 'more';
    if (kind === 'foreign') {
      this.foreign = true;
      const { problem, error } = notPersistenceFile(this.file, head);
      this.damaged(problem, error);
      return false;
    }
    if (kind === 'rdb') this.startRdb();
    else this.startResp();
    return true;
  }

  /** Decides what the file is once its first bytes are in, then feeds the decoder that reads it. */
  private async feed(chunk: Uint8Array): Promise<void> {
    if (this.head !== null) {
      const head = concatBytes(this.head, chunk);
      const started = this.start(head, false);
      if (started === 'more') {
        this.head = head;
        return;
      }
      this.head = null;
      if (!started) return;
      chunk = head;
    }
    if (this.resp !== null) {
      this.pushResp(chunk);
      return;
    }
    const d = this.rdb!;
    d.push(chunk);
    if (d.done && this.rdbSummary === null) await this.finishRdb(d);
  }

  private startRdb(): void {
    const { source, opts } = this;
    const checksum = opts.checksum ?? true;
    const mode = opts.checksumWorker ?? 'auto';
    const useWorker = checksum && source.path !== undefined && (mode === 'always' || (mode === 'auto' && (source.size ?? 0) >= WORKER_CRC_MIN_BYTES));
    if (useWorker) this.crcJob = startFileCrc(source.path!);
    this.rdb = new RdbDecoder(this.handlers.rdb ?? {}, {
      file: this.file,
      limits: opts.limits,
      verify: opts.verify,
      checksum: useWorker ? 'external' : checksum,
      // Report mode judges the checksum here, once the handlers have seen the RDB's end.
      strictChecksum: this.strict && !this.report,
    });
  }

  private startResp(reader?: RespDecoder['r']): void {
    this.resp = new RespDecoder(this.handlers.aof ?? {}, {
      ...this.opts.resp,
      file: this.file,
      limits: this.opts.limits,
      onDamage: 'report',
      ...(reader ? { reader } : {}),
    });
  }

  /** After the RDB part: settle its checksum, then (unless `rdbOnly`) hand the byte window to the RESP decoder. */
  private async finishRdb(d: RdbDecoder): Promise<void> {
    const job = this.crcJob;
    if (d.checksumPending && job) {
      const { hi, lo } = await job.prefix(d.summary().end!.eofOffset + 1);
      d.completeChecksum(hi, lo);
    }
    job?.cancel();
    this.crcJob = null;
    const summary = (this.rdbSummary = d.summary());
    this.handlers.rdbDone?.(summary);
    const end = summary.end!;
    if (end.checksum === 'mismatch' && this.strict) {
      // Redis reads no further.
      const err = checksumMismatch(this.file, end);
      this.damaged(rdbProblem(err), err);
      return;
    }
    if (this.opts.rdbOnly) return;
    this.startResp(d.r);
    this.pushResp(new Uint8Array(0)); // what the window already holds
  }

  private result(): FileScan {
    const resp = this.resp;
    let verdict: AofVerdict | null = null;
    if (resp !== null) {
      verdict = resp.end();
      if (verdict.problem) {
        const p = verdict.problem;
        this.damaged({ code: p.code, section: 'aof', reason: p.reason, offset: p.offset, line: p.line, unitOffset: p.unitOffset, expected: p.expected, found: p.found }, resp.error()!);
      }
    }
    let bytes = this.bytes;
    if (this.foreign) bytes = Math.max(bytes, this.source.size ?? 0); // the file was not read to its end
    const content: FileContent = this.foreign ? 'foreign' : bytes === 0 ? 'empty' : this.rdb === null ? 'aof' : verdict !== null && verdict.bytes > 0 ? 'hybrid' : 'rdb';
    const p = this.problem;
    const status: FileStatus = p === null ? (bytes === 0 ? 'empty' : 'ok') : p.code === 'TRUNCATED' ? 'truncated' : 'corrupt';
    const rdb = this.rdbSummary;
    return {
      name: this.file,
      bytes,
      content,
      status,
      problem: p,
      error: this.error,
      // The decoder counts what it had buffered when the RDB ended (and, with `rdbOnly`, all
      // that followed); a RESP section says how much followed.
      rdb: rdb === null ? null : { ...rdb, trailingBytes: verdict ? verdict.bytes : this.rdb!.summary().trailingBytes },
      respOffset: verdict ? verdict.startOffset : null,
      aof: verdict,
      okUpTo: verdict ? verdict.okUpTo : 0,
      elapsedMs: performance.now() - this.started,
    };
  }
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
