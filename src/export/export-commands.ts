/**
 * AOF → NDJSON, one line per command, for jq and the like (FORMATS.md §5):
 *
 *   {"file":F,"offset":N,"db":N,"ts":T,"argv":[A0,A1,...]}
 *
 * - `file`: the name of the file holding the command (the path as given, or `dir/name` for a
 *   file of a multi-part AOF); `offset`: absolute offset of the command's `*` in that file;
 * - `db`: the database the command runs in (SELECT: the one it switches away from; every
 *   file starts in database 0, as Redis loads each file with a fresh client);
 * - `ts`: the last `#TS:<unix seconds>` annotation seen before the command in the same file,
 *   or null;
 * - `argv`: the arguments as written (argument 0 keeps its case), each a byte string of the
 *   export schema: a JSON string when the bytes are valid UTF-8 without control characters,
 *   else `{"b64": …}`.
 *
 * Lines come in load order across the files (base, then incr files). An RDB part (a hybrid
 * file's preamble or an RDB base) holds no commands: it is read (to find where the commands
 * start) and yields no line. Annotations yield no line.
 *
 * Output is built as UTF-8 bytes by the export's byte-level JSON writer. Arguments longer than
 * `limits.maxInlineValueBytes` arrive in parts before their command is complete: from a
 * regular file they are only checked (text or not) and hashed as they arrive, and once the
 * command is complete they are read back from the file in pieces straight into the output
 * (memory stays flat, and a command cut by damage never reaches the output); from stdin they
 * are held as copies until the command is complete (memory: that argument's bytes, once).
 *
 * {@link exportCommands} writes through a `RecordSink` (io/record-sink.ts): only whole lines
 * reach the sink, a line being written when the input fails is dropped, and a line larger
 * than the sink's bound (4 MiB) waits in a temporary file until it is whole.
 */
import { createHash, type Hash } from 'node:crypto';
import { InputError, RdbtoolError } from '../errors.js';
import type { AofAnnotation, AofArgPart, AofCommand, AofHandler } from '../model/aof-events.js';
import type { Limits } from '../limits.js';
import { OutputClosedError, type ByteSink } from '../io/byte-sink.js';
import { RecordSink, type RecordOutput, type RecordSinkOptions } from '../io/record-sink.js';
import type { PartRef } from '../pipeline/detect.js';
import type { ScanProgress } from '../pipeline/scan.js';
import { scanPath, type InputHandlers, type InputScan } from '../pipeline/scan-input.js';
import { writeReadBack } from './export-ndjson.js';
import { B64_JSON_CLOSE, B64_JSON_OPEN, JsonByteWriter, jsonFragment, PartedBase64, PartedTextCheck, releaseScanBuffers } from '../format/json.js';

/**
 * Where a {@link CommandExporter} writes: anything with `write(bytes, done)`, such as a
 * {@link ByteSink}, or a {@link RecordOutput} (a `RecordSink`), which is told where each line
 * ends and so never lets a part of a line out.
 */
export type CommandsOutput = { write(chunk: Uint8Array, done?: () => void): void } | RecordOutput;

/** Options of {@link CommandExporter}. */
export interface CommandExporterOptions {
  /** Only commands whose `db` is one of these (default: every command). */
  dbs?: readonly number[];
  /** Size of the output pieces handed to the output. Default 1 MiB. */
  chunkBytes?: number;
}

const DB = jsonFragment(',"db":');
const TS = jsonFragment(',"ts":');
const NULL = jsonFragment('null');
const ARGV = jsonFragment(',"argv":[');
const END = jsonFragment(']}\n');

/** An argument delivered in parts (see the module notes). */
class PartedArg {
  readonly check = new PartedTextCheck();
  private readonly hash: Hash | null;
  /** Copies of the parts, when the input cannot be read back. */
  readonly held: Uint8Array[] | null;
  bytes = 0;

  constructor(
    readonly argIndex: number,
    /** Absolute offset of the argument's first byte. */
    readonly start: number,
    readBack: boolean,
  ) {
    this.hash = readBack ? createHash('sha256') : null;
    this.held = readBack ? null : [];
  }

  push(part: Uint8Array): void {
    this.check.push(part);
    this.bytes += part.length;
    if (this.hash) this.hash.update(part);
    else {
      const copy = new Uint8Array(part.length);
      copy.set(part);
      this.held!.push(copy);
    }
  }

  digest(): Buffer {
    return this.hash!.digest();
  }
}

/**
 * The scan handlers that write the commands format. Pass it to `scanInput`/`scanPath` (or call
 * `fileStart` and drive `scanFile` yourself), call {@link CommandExporter.flush} between input
 * chunks and {@link CommandExporter.finish} at the end (or {@link CommandExporter.abandon} when
 * the scan failed). Give it a `RecordSink` (io/record-sink.ts) for output that is always whole.
 */
export class CommandExporter implements InputHandlers {
  /** Lines written. */
  commands = 0;
  /** True while a line is being written (an error thrown then leaves a partial line in the buffer). */
  midLine = false;
  private readonly w: JsonByteWriter;
  /** The output, when it lets only whole lines out. */
  private readonly records: RecordOutput | null;
  private readonly b64: PartedBase64;
  private readonly dbs: ReadonlySet<number> | null;
  private fileHead: Uint8Array = new Uint8Array(0);
  private ts: number | null = null;
  /** The file to read large arguments back from (null: hold them). */
  private readBack: string | Buffer | null = null;
  private readBackName = '';
  private parted: PartedArg[] = [];
  private partedCommand = -1;
  /** The RESP handler (this exporter's own callbacks). */
  readonly aof: AofHandler;

  constructor(out: CommandsOutput, opts: CommandExporterOptions = {}) {
    this.w = new JsonByteWriter((chunk, release) => out.write(chunk, release), opts.chunkBytes ?? 1 << 20);
    this.records = 'commit' in out ? out : null;
    this.b64 = new PartedBase64(this.w);
    this.dbs = opts.dbs && opts.dbs.length > 0 ? new Set(opts.dbs) : null;
    this.aof = {
      command: (c) => this.command(c),
      argPart: (p, where) => this.argPart(p, where),
      annotation: (a) => this.annotation(a),
    };
  }

  fileStart(part: PartRef): void {
    this.fileHead = Buffer.from('{"file":' + JSON.stringify(part.name) + ',"offset":', 'utf8');
    this.ts = null;
    this.readBack = part.path !== '-' && typeof part.size === 'number' ? part.path : null;
    this.readBackName = part.name;
    this.parted = [];
    this.partedCommand = -1;
  }

  /** Hands what was built so far to the output (between input chunks). */
  flush(): void {
    this.w.flush();
    releaseScanBuffers();
  }

  /** Flushes the last lines. */
  finish(): void {
    this.w.flush();
  }

  /**
   * After the input failed: flushes, and drops the line being written when the output is a
   * {@link RecordOutput} (any other output may have received a part of it already).
   */
  abandon(): void {
    this.w.flush();
    this.midLine = false;
    this.records?.abandon();
  }

  private annotation(a: AofAnnotation): void {
    if (a.timestampSec !== undefined) this.ts = a.timestampSec;
  }

  private argPart(part: Uint8Array, where: AofArgPart): void {
    if (where.commandOffset !== this.partedCommand) {
      this.parted = [];
      this.partedCommand = where.commandOffset;
    }
    let a = this.parted.at(-1);
    if (a === undefined || a.argIndex !== where.argIndex) {
      a = new PartedArg(where.argIndex, where.offset, this.readBack !== null);
      this.parted.push(a);
    }
    a.push(part);
  }

  private command(c: AofCommand): void {
    const parted = c.partedArgs;
    if (this.dbs !== null && !this.dbs.has(c.db)) {
      if (parted !== null) this.parted = [];
      return;
    }
    const w = this.w;
    this.midLine = true;
    w.raw(this.fileHead);
    w.number(c.offset);
    w.fragment(DB);
    w.number(c.db);
    w.fragment(TS);
    if (this.ts === null) w.fragment(NULL);
    else w.number(this.ts);
    w.fragment(ARGV);
    const argv = c.argv;
    let k = 0;
    for (let i = 0; i < argv.length; i++) {
      if (i > 0) w.byte(0x2c);
      if (parted !== null && parted[k] === i) {
        const a = this.parted[k++];
        if (a === undefined || a.argIndex !== i || this.partedCommand !== c.offset) {
          throw new InputError(`argument ${i} of the command at byte ${c.offset} arrived without its parts`, { file: this.readBackName, offset: c.offset });
        }
        this.writeParted(a);
      } else w.bytes(argv[i]);
    }
    w.fragment(END);
    this.midLine = false;
    const r = this.records;
    if (r !== null) r.commit(r.received + w.pending);
    if (parted !== null) this.parted = [];
    this.commands++;
  }

  /** Writes an argument that arrived in parts, as a byte string of the export schema. */
  private writeParted(a: PartedArg): void {
    const w = this.w;
    const text = a.check.end();
    const escape = a.check.escapes > 0;
    if (a.held !== null) {
      if (text) {
        w.byte(0x22);
        for (const h of a.held) {
          if (escape) w.escaped(h, 0, h.length, true);
          else w.passThrough(h);
        }
        w.byte(0x22);
      } else {
        w.raw(B64_JSON_OPEN);
        this.b64.reset();
        for (const h of a.held) this.b64.push(h);
        this.b64.end();
        w.raw(B64_JSON_CLOSE);
      }
      return;
    }
    this.readBackArg(a, text, escape);
  }

  /**
   * Reads an argument back from the input file and writes it, checking that the bytes are
   * those the decoder delivered.
   * @throws InputError when the file cannot be read or no longer holds the same bytes.
   */
  private readBackArg(a: PartedArg, text: boolean, escape: boolean): void {
    writeReadBack(this.w, { path: this.readBack!, file: this.readBackName, start: a.start, bytes: a.bytes, text, escape, digest: a.digest(), what: 'an argument' });
  }
}

/** Options of {@link exportCommands}. */
export interface ExportCommandsOptions extends RecordSinkOptions {
  /** Only commands that run in these databases (the `db` field). */
  dbs?: readonly number[];
  limits?: Partial<Limits>;
  onProgress?: (p: ScanProgress) => void;
  signal?: AbortSignal;
}

/** Outcome of {@link exportCommands}. */
export interface ExportCommandsResult {
  /** Lines written. */
  commands: number;
  /** Files read. */
  files: number;
  bytesRead: number;
  elapsedMs: number;
  /** True when the reader of the output went away (`| head`): the export stopped early. */
  outputClosed: boolean;
  /** True when the input holds RDB data and no AOF commands at all (an RDB file): nothing to list. */
  rdbOnly: boolean;
}

/**
 * Writes the commands of any input (a plain or hybrid AOF file, a multi-part AOF directory or
 * manifest, `-` for stdin; an RDB file gives no line) to `sink` as NDJSON (see the module
 * notes). The sink is flushed, not closed.
 *
 * On damage, every complete command before the first problem (in load order) is written, then
 * the problem is thrown; no line is ever cut. Commands of a MULTI block left open by the
 * damage are complete, so they are written, although Redis would drop them on load: the
 * error says where the input is valid up to.
 * @throws RdbtoolError for damage (TruncatedError, CorruptDataError with RESP_SYNTAX,
 *   UNBALANCED_MULTI, …, LimitError); CorruptDataError MANIFEST_INVALID when the manifest
 *   lists a file that does not exist; InputError when the input cannot be read.
 */
export async function exportCommands(given: string, sink: ByteSink, opts: ExportCommandsOptions = {}): Promise<ExportCommandsResult> {
  const records = new RecordSink(sink, { spillBytes: opts.spillBytes, spillDir: opts.spillDir });
  const exporter = new CommandExporter(records, { dbs: opts.dbs });
  const started = performance.now();
  let scan: InputScan;
  try {
    scan = await scanPath(given, exporter, {
      verify: 'shallow',
      stopAtFirstProblem: true,
      limits: opts.limits,
      onProgress: opts.onProgress,
      signal: opts.signal,
      drain: () => {
        exporter.flush();
        return records.drain();
      },
    });
    exporter.finish();
    await records.end();
  } catch (e) {
    if (e instanceof OutputClosedError) {
      return { commands: exporter.commands, files: 0, bytesRead: 0, elapsedMs: performance.now() - started, outputClosed: true, rdbOnly: false };
    }
    // Complete lines still buffered go out; a line cut by the error does not.
    await records.endAfterFailure(() => exporter.abandon());
    if (e instanceof RdbtoolError) e.note(`${exporter.commands} command(s) exported`);
    throw e;
  } finally {
    records.dispose();
  }
  const read = scan.files.filter((f) => f.scan !== null);
  const bad = scan.files.find((f) => f.problem !== null);
  if (bad !== undefined) {
    const s = bad.scan;
    throw bad.error!.note(s ? `valid up to byte ${s.okUpTo}; ${exporter.commands} command(s) exported` : `${exporter.commands} command(s) exported`);
  }
  const kinds = read.map((f) => f.scan!.content);
  const rdbOnly = kinds.includes('rdb') && kinds.every((k) => k === 'rdb' || k === 'empty');
  return { commands: exporter.commands, files: read.length, bytesRead: scan.bytes, elapsedMs: scan.elapsedMs, outputClosed: false, rdbOnly };
}
