/**
 * The `inspect` report for AOF inputs: a plain or hybrid AOF file, or a multi-part AOF (a
 * directory or its manifest), read through the one entry point (`scanInput`) in load order.
 *
 * It lists the files (role, manifest sequence and line, what each holds by content, size,
 * status, where it is valid up to, where its RESP commands start), the command statistics of
 * `aof-commands.ts`, the summary of every RDB part (a hybrid file's preamble or a multi-part
 * base) made by the RDB `inspect` analyzer, so it reads exactly as for an RDB file, and the
 * verdict: the first problem in load order, located, and where the input is valid up to.
 *
 * {@link inspectInput} picks the report by content: a single file that holds an RDB and
 * nothing after it (or bytes that do not start like commands) gets the RDB report of
 * `overview.ts` (from the same pass); everything else gets the AOF report. Damage never throws
 * here: the report covers what was read before it, says so (`partial`) and carries the error.
 */
import { replayOverview, type DatasetOverview } from './dataset-overview.js';
import type { RdbHandler } from '../model/events.js';
import type { ErrorCode, RdbtoolError } from '../errors.js';
import { resolveInput, type PartLink, type PartRef, type ResolvedInput } from '../pipeline/detect.js';
import type { FileContent, FileHandlers, FileProblem, FileScan, FileStatus } from '../pipeline/scan-file.js';
import { scanInput, type InputHandlers, type InputScan } from '../pipeline/scan-input.js';
import { inspectRdb, OverviewAnalyzer, type InspectOptions, type InspectReport } from './overview.js';
import { AofCommandStats, type AofCommandSummary } from './aof-commands.js';

/** One file of the input, in load order. */
export interface AofPartReport {
  /** The name shown in reports (the path as given, or `dir/name` for a multi-part file). */
  name: string;
  /** `file` for a single input, `base` / `incr` for the files of a multi-part AOF. */
  role: PartRef['role'];
  /** Sequence number from the manifest (decimal text), or null. */
  seq: string | null;
  /** The manifest line listing the file (1-based), or null. */
  manifestLine: number | null;
  /** True for the last file in load order (the only one Redis may truncate). */
  last: boolean;
  /**
   * Set when the manifest's entry is a symbolic link: its text, the file it resolves to (null
   * when it dangles) and whether that is outside the AOF directory; null otherwise.
   */
  link: PartLink | null;
  /** What the file holds, by content; null when it is missing. */
  content: FileContent | null;
  /** Size in bytes (bytes read); null when missing. */
  bytes: number | null;
  /** The file's verdict, or `missing` when the manifest lists a file that does not exist. */
  status: FileStatus | 'missing';
  /** Where the file is valid up to (what `redis-check-aof --fix` would keep); null when missing. */
  okUpTo: number | null;
  /** Physical line (1-based, counted from the RESP start) of `okUpTo`; null when there are no RESP commands. */
  okUpToLine: number | null;
  /** The `ok_up_to_line` redis-check-aof prints for this file (its counter runs on across files); null when not reached. */
  redisCheckAofLine: number | null;
  /** Offset where RESP commands start (0 for a plain AOF, the RDB's end for a hybrid); null when the file holds none. */
  respOffset: number | null;
  /** Complete commands read (including those of a MULTI left open at the end). */
  commands: number;
  /** Complete commands before `okUpTo`. */
  okCommands: number;
  annotations: number;
  /** True when the file ends inside a MULTI block. */
  pendingMulti: boolean;
  /** Offset of that MULTI, or null. */
  multiOffset: number | null;
  /** The first problem, located (offsets are in this file). */
  problem: FileProblem | null;
  /** The RDB part's summary, as `inspect` gives for an RDB file; null when the file holds no RDB. */
  rdb: InspectReport | null;
  /** False when the RDB part could not be read to its end (its summary covers what was read). */
  rdbComplete: boolean;
}

/** The problem the verdict is about. */
export interface AofVerdictProblem {
  /** A stable error code (`TRUNCATED`, `RESP_SYNTAX`, `UNBALANCED_MULTI`, `CHECKSUM_MISMATCH`, `MISSING_FILE`, …). */
  code: ErrorCode;
  /** `rdb` when in an RDB part, `aof` when in the commands, `file` for a missing file. */
  section: 'rdb' | 'aof' | 'file';
  reason: string;
  /** Absolute offset of the first bad byte in the file (for truncation: its end); null for a missing file. */
  offset: number | null;
  /** Physical line of `offset` (AOF problems). */
  line?: number;
  /** Where the unit holding the problem starts (a command's `*`, an open MULTI). */
  unitOffset?: number;
  expected?: string;
  found?: string;
  context?: Record<string, unknown>;
}

/** The verdict on the whole input. */
export interface AofInputVerdict {
  /**
   * `ok`: every file is valid; `empty`: every file is empty; otherwise the first problem in
   * load order: `truncated`, `corrupt`, or `missing` (a file the manifest lists does not exist).
   */
  status: 'ok' | 'empty' | 'truncated' | 'corrupt' | 'missing';
  /** The file with the first problem, or (ok / empty) the last file; null when no file was read. */
  file: string | null;
  /** Where that file is valid up to (`redis-check-aof --fix` would cut it there); null for a missing file. */
  okUpTo: number | null;
  /** Physical line of `okUpTo` in its RESP section, or null. */
  okUpToLine: number | null;
  /** redis-check-aof's `ok_up_to_line` for that file, or null. */
  redisCheckAofLine: number | null;
  /** Bytes after `okUpTo` in that file (what a cut would lose), or null. */
  bytesAfterOkUpTo: number | null;
  problem: AofVerdictProblem | null;
  /** True when that file ends inside a MULTI block. */
  pendingMulti: boolean;
  /** Offset of the open MULTI, or null. */
  multiOffset: number | null;
}

/** A history file the manifest names: listed, never read. */
export interface AofHistoryFile {
  name: string;
  seq: string;
  manifestLine: number;
}

/** How far the counts of a damaged AOF input go. */
export interface AofPartialRead {
  /** The file with the first problem in load order (the verdict's file). */
  file: string;
  /**
   * Everything before this offset of that file is counted (the end of its last complete
   * command or annotation, or for damage in its RDB part, how far that part was read); null
   * when the file is missing. Every other file is counted whole.
   */
  readUpTo: number | null;
  /** Complete commands counted from that file. */
  commands: number;
}

/** Everything `inspect` reports for an AOF input. Plain data: byte strings are copies. */
export interface AofInspectReport extends AofCommandSummary {
  format: 'aof';
  /** The path as given (`-` for stdin). */
  input: string;
  /** `file`: one file; `multipart`: a manifest and the files it lists. */
  form: 'file' | 'multipart';
  /** The manifest's path (multipart only), or null. */
  manifestPath: string | null;
  /** The files, in load order. */
  parts: AofPartReport[];
  history: AofHistoryFile[];
  verdict: AofInputVerdict;
  /** Bytes read, all files together. */
  bytesRead: number;
  elapsedMs: number;
  /** The instant (Unix ms) the RDB parts' expiries were compared with. */
  nowMs: number;
  /** True when key filters were given: they restrict the RDB parts' key counts only (commands are never filtered). */
  filtered: boolean;
  /** Null when every file was read to its end; otherwise how far the damaged file was counted. */
  partial: AofPartialRead | null;
  /** The first problem's error in its `--json` form (code, file, offset, message, …), set with `partial`; else null. */
  error: Record<string, unknown> | null;
  /**
   * The dataset the files produce once replayed — what Redis holds after loading them — or
   * null when not replayed (`replay: false`, or stdin, which can be read only once).
   */
  dataset: DatasetOverview | null;
}

/** Options of {@link inspectAof} and {@link inspectInput}: those of the RDB report (filters apply to RDB parts and the replayed dataset). */
export type AofInspectOptions = InspectOptions & {
  /** Replay an AOF input and summarise its dataset (default true; a second read of the files). */
  replay?: boolean;
  /** Replay: skip and count commands that cannot be applied. */
  skipUnknown?: boolean;
  /** Replay: remove what has expired at this Unix time in ms (keys and hash fields) before summarising. */
  dropExpiredAt?: number;
};

/**
 * What {@link inspectInput} found: the RDB report for a plain RDB file, the AOF report
 * otherwise; `error` is the typed error behind the report's `error` (null when it has none).
 */
export type InputInspection = { kind: 'rdb'; report: InspectReport; error: RdbtoolError | null } | { kind: 'aof'; report: AofInspectReport; error: RdbtoolError | null };

interface PartState {
  part: PartRef;
  rdb: OverviewAnalyzer | null;
  rdbEnd: number | null;
}

/**
 * The scan handlers behind the AOF report: {@link AofCommandStats} for the RESP sections and
 * one RDB `inspect` analyzer per file that holds an RDB. Pass it to `scanInput`, then call
 * {@link AofOverviewAnalyzer.report}.
 */
export class AofOverviewAnalyzer implements InputHandlers {
  /** The command statistics (also the RESP handler). */
  readonly aof: AofCommandStats;
  private readonly opts: AofInspectOptions;
  private readonly states: PartState[] = [];
  private cur: PartState | null = null;
  readonly nowMs: number;

  constructor(opts: AofInspectOptions = {}) {
    this.opts = opts;
    this.nowMs = opts.nowMs ?? Date.now();
    this.aof = new AofCommandStats(opts.top ?? 10);
  }

  /** The RDB handler of the file being read: an RDB `inspect` analyzer, made when a file turns out to hold an RDB. */
  get rdb(): RdbHandler {
    const s = this.cur!;
    return (s.rdb ??= new OverviewAnalyzer({ nowMs: this.nowMs, top: this.opts.top, filter: this.opts.filter }));
  }

  /** A file starts: its RDB analyzer (if any) and the stamp of its commands are its own. */
  fileStart(part: PartRef, index: number): void {
    this.cur = this.states[index] = { part, rdb: null, rdbEnd: null };
    this.aof.file = part.name;
  }

  /** The RDB part of the file is complete: where it ends. */
  rdbDone(summary: Parameters<NonNullable<FileHandlers['rdbDone']>>[0]): void {
    this.cur!.rdbEnd = summary.end?.endOffset ?? null;
  }

  /** The file is done. */
  fileEnd(): void {
    this.cur = null;
  }

  /**
   * The RDB report of file `index` (as `inspectRdb` gives it for that file: `bytesRead` is the
   * whole file, `trailingBytes` what follows the RDB), when that file holds an RDB. `scan`
   * supplies the sizes and the time.
   */
  rdbReport(index: number, scan: FileScan): InspectReport | null {
    const s = this.states[index];
    if (!s?.rdb) return null;
    const end = s.rdbEnd;
    const complete = scan.rdb !== null && end !== null;
    return s.rdb.report({
      file: s.part.name,
      fileBytes: s.part.size ?? undefined,
      bytesRead: scan.bytes,
      elapsedMs: scan.elapsedMs,
      trailingBytes: complete ? scan.bytes - end : 0,
      // Damage inside the RDB part stopped its read: its summary is partial.
      error: scan.rdb === null && scan.problem?.section === 'rdb' ? scan.error : null,
    });
  }

  /** Builds the report from what `scanInput` returned. */
  report(scan: InputScan): AofInspectReport {
    const parts = scan.files.map((f, i) => this.partReport(f.part, f.scan, i, f.problem));
    const input = scan.input;
    const damaged = this.firstDamaged(scan);
    return {
      format: 'aof',
      input: input.given,
      form: input.form,
      manifestPath: input.manifestPath ?? null,
      parts,
      history: input.history.map((h) => ({ name: h.name, seq: h.seq.toString(), manifestLine: h.line })),
      ...this.aof.summary(),
      verdict: verdictOf(parts),
      bytesRead: scan.bytes,
      elapsedMs: scan.elapsedMs,
      nowMs: this.nowMs,
      filtered: this.opts.filter !== undefined,
      partial: damaged && this.partialRead(scan.files[damaged.index].scan, parts[damaged.index], damaged.index),
      error: damaged ? (damaged.error?.toJSON() ?? null) : null,
      dataset: null,
    };
  }

  /** The first file in load order with a problem (the verdict's file), and its typed error. */
  firstDamaged(scan: InputScan): { index: number; error: RdbtoolError | null } | null {
    const index = scan.files.findIndex((f) => f.problem !== null);
    return index < 0 ? null : { index, error: scan.files[index].error };
  }

  /** How far the damaged file `index` was counted. */
  private partialRead(scan: FileScan | null, part: AofPartReport, index: number): AofPartialRead {
    const out: AofPartialRead = { file: part.name, readUpTo: null, commands: part.commands };
    if (scan === null) return out;
    if (part.problem?.section === 'rdb') {
      // Damage in the RDB part: how far its summary goes (its whole length for a wrong checksum).
      out.readUpTo = part.rdb?.partial?.readUpTo ?? this.states[index]?.rdbEnd ?? 0;
    } else if (scan.aof !== null) {
      out.readUpTo = Math.max(scan.aof.lastCommandEnd, scan.aof.okUpTo);
    } else {
      out.readUpTo = 0; // not a persistence file: nothing in it was read
    }
    return out;
  }

  private partReport(part: PartRef, scan: FileScan | null, index: number, problem: FileProblem | null): AofPartReport {
    const base = {
      name: part.name,
      role: part.role,
      seq: part.seq === undefined ? null : part.seq.toString(),
      manifestLine: part.manifestLine ?? null,
      last: part.last,
      link: part.link ?? null,
    };
    if (scan === null) {
      return {
        ...base,
        content: null,
        bytes: null,
        status: 'missing',
        okUpTo: null,
        okUpToLine: null,
        redisCheckAofLine: null,
        respOffset: null,
        commands: 0,
        okCommands: 0,
        annotations: 0,
        pendingMulti: false,
        multiOffset: null,
        problem,
        rdb: null,
        rdbComplete: false,
      };
    }
    const v = scan.aof;
    const resp = v !== null && scan.content !== 'rdb';
    return {
      ...base,
      content: scan.content,
      bytes: scan.bytes,
      status: scan.status,
      okUpTo: scan.okUpTo,
      okUpToLine: resp ? v.okUpToLine : null,
      redisCheckAofLine: v ? v.redisCheckAofLine : null,
      respOffset: resp ? scan.respOffset : null,
      commands: v?.commands ?? 0,
      okCommands: v?.okCommands ?? 0,
      annotations: v?.annotations ?? 0,
      pendingMulti: v?.pendingMulti ?? false,
      multiOffset: v?.pendingMulti ? (v.multiOffset ?? null) : null,
      problem: scan.problem,
      rdb: this.rdbReport(index, scan),
      rdbComplete: scan.rdb !== null,
    };
  }
}

/** The verdict on the whole input from the files' verdicts (first problem in load order wins). */
function verdictOf(parts: readonly AofPartReport[]): AofInputVerdict {
  const bad = parts.find((p) => p.status === 'missing' || p.status === 'truncated' || p.status === 'corrupt');
  const at = bad ?? parts.at(-1);
  const none: AofInputVerdict = {
    status: 'empty',
    file: null,
    okUpTo: null,
    okUpToLine: null,
    redisCheckAofLine: null,
    bytesAfterOkUpTo: null,
    problem: null,
    pendingMulti: false,
    multiOffset: null,
  };
  if (at === undefined) return none;
  if (at.status === 'missing') {
    return {
      ...none,
      status: 'missing',
      file: at.name,
      problem: at.problem && { ...at.problem, offset: null },
    };
  }
  const status = bad ? (at.status as 'truncated' | 'corrupt') : parts.every((p) => p.status === 'empty') ? 'empty' : 'ok';
  const p = at.problem;
  return {
    status,
    file: at.name,
    okUpTo: at.okUpTo,
    okUpToLine: at.okUpToLine,
    redisCheckAofLine: at.redisCheckAofLine,
    bytesAfterOkUpTo: at.bytes === null || at.okUpTo === null ? null : at.bytes - at.okUpTo,
    problem: p === null ? null : { ...p },
    pendingMulti: at.pendingMulti,
    multiOffset: at.multiOffset,
  };
}

/**
 * Inspects a resolved AOF input (a single file of any kind, or a multi-part set) and returns
 * the AOF report. Damage is the report's verdict, never thrown.
 * @throws InputError when a file cannot be read.
 */
export async function inspectAof(input: ResolvedInput, opts: AofInspectOptions = {}): Promise<AofInspectReport> {
  const analyzer = new AofOverviewAnalyzer(opts);
  const scan = await scanInput(input, analyzer, { verify: 'shallow', keepArgs: 2, limits: opts.limits, onProgress: opts.onProgress, signal: opts.signal });
  return analyzer.report(scan);
}

/**
 * Inspects any input: an RDB file, a plain or hybrid AOF file, a multi-part AOF directory or
 * manifest, or `-` for stdin, chosen by content. One pass: a single file that turns out to hold
 * an RDB and nothing after it gets the RDB report (`kind: 'rdb'`, the same report and fast path
 * as {@link inspectRdb}), and so does an RDB followed by bytes whose first one is neither `*`
 * nor `#` (junk or padding, counted in `trailingBytes`); everything else gets the AOF report
 * (`kind: 'aof'`), whose verdict holds any damage: a hybrid AOF, whose RDB preamble is then
 * summarised in its part. Damage never throws: a damaged RDB file gets the report of what came
 * before the damage, marked `partial`, with the decoder's error (a checksum mismatch leaves the
 * report whole: `checksum.status` says it). The typed error comes back as `error`.
 * @throws InputError when the input cannot be opened or read; ManifestError for a manifest
 *   Redis would refuse; CorruptDataError (NOT_PERSISTENCE_FILE) for a single file that is not
 *   a Redis or Valkey persistence file at all.
 */
export async function inspectInput(given: string, opts: AofInspectOptions = {}): Promise<InputInspection> {
  const input = await resolveInput(given);
  const analyzer = new AofOverviewAnalyzer(opts);
  const scan = await scanInput(input, analyzer, { verify: 'shallow', keepArgs: 2, limits: opts.limits, onProgress: opts.onProgress, signal: opts.signal });
  const only = input.form === 'file' ? scan.files[0].scan : null;
  // A file that is not a persistence file at all has nothing to report.
  if (only !== null && only.problem?.code === 'NOT_PERSISTENCE_FILE') throw only.error!;
  if (only !== null && only.content === 'rdb') {
    // A checksum mismatch is part of a whole report; other damage ends a partial one.
    const error = only.problem === null || only.problem.code === 'CHECKSUM_MISMATCH' ? null : only.error;
    return { kind: 'rdb', report: analyzer.rdbReport(0, only)!, error };
  }
  if (only !== null && junkAfterRdb(only)) return { kind: 'rdb', report: analyzer.rdbReport(0, only)!, error: null };
  const report = analyzer.report(scan);
  let error = analyzer.firstDamaged(scan)?.error ?? null;
  if (opts.replay !== false && !input.parts.some((p) => p.size === undefined)) {
    const overview = await replayOverview(input, opts);
    const { typedError, ...dataset } = overview;
    report.dataset = dataset;
    error ??= typedError;
  }
  return { kind: 'aof', report, error };
}

/**
 * True when a file is a sound RDB followed by bytes that do not even start like AOF commands
 * (their first byte is neither `*` nor `#`): padding or junk after an RDB file, which Redis
 * ignores when it loads the RDB. Such a file keeps the RDB report (its `trailingBytes` count
 * them), as `inspectRdb` gives it; a tail that starts like commands gets the AOF report.
 */
function junkAfterRdb(s: FileScan): boolean {
  const p = s.problem;
  return s.rdb !== null && s.aof !== null && s.aof.commands === 0 && s.aof.annotations === 0 && p !== null && p.section === 'aof' && p.offset === s.respOffset;
}
