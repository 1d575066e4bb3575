/**
 * What every command handler goes through: the I/O it may use ({@link CliIo}), error
 * reporting (one line on stderr, the stack only with `--debug`, `{"error": …}` on stdout
 * with `--json`) and the exit code from `exit-codes.ts`. Nothing here calls `process.exit`.
 */
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { isatty } from 'node:tty';
import { RdbtoolError, UsageError } from '../errors.js';
import { openFileSink, OutputClosedError, streamSink, type ByteSink } from '../io/byte-sink.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { createProgress, ErasingWritable, type Progress } from './progress.js';
import type { ScanProgress } from '../pipeline/scan.js';

/**
 * The error for a bad command line, re-exported here so that a command module's own option
 * checks need nothing at start-up beyond this module, options.ts and exit-codes.ts.
 */
export { UsageError } from '../errors.js';

/** The process surface the CLI uses; tests pass captured streams. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
  /** Where answers to questions are read from (none: every question is answered "no"). */
  stdin?: Readable;
  /** True when stdin is a terminal: only then may a command ask a question. */
  stdinIsTty?: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /** Terminal width for help text (default 80). */
  columns?: number;
  /** Set by the run: the exit code to return. */
  exitCode: number;
}

/**
 * The io of the real process. Node creates `process.stdin`/`stdout`/`stderr` when first
 * read, which costs time at start-up: they are read only when used.
 */
export function processIo(): CliIo {
  return {
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    stdoutIsTty: isatty(1),
    stderrIsTty: isatty(2),
    get stdin() {
      return process.stdin;
    },
    stdinIsTty: isatty(0),
    env: process.env,
    get columns() {
      return isatty(1) ? process.stdout.columns : undefined;
    },
    exitCode: 0,
  };
}

/** The progress line of a run, and where it is drawn. */
interface ProgressState {
  /** The stderr the line is drawn on (not the erasing one). */
  stderr(): Writable;
  /** The line, once a command asked for one. */
  line: Progress | null;
}

/** The progress state of each io made by {@link erasingProgressIo}. */
const PROGRESS_STATES = new WeakMap<CliIo, ProgressState>();

/**
 * The io to give the commands: when stderr is a terminal (so a progress line may be drawn),
 * its stderr, and its stdout when that is a terminal too, erase the progress line before
 * each write. Whatever a command prints (a report, a warning, a question, an error) then
 * starts on a clean line, without each command having to remember it. Otherwise `io` itself.
 */
export function erasingProgressIo(io: CliIo): CliIo {
  if (!io.stderrIsTty) return io;
  const state: ProgressState = { stderr: () => io.stderr, line: null };
  const erase = (): void => state.line?.done();
  let stdout: Writable | undefined;
  let stderr: Writable | undefined;
  const erasing: CliIo = {
    get stdout() {
      return (stdout ??= io.stdoutIsTty ? new ErasingWritable(() => io.stdout, erase) : io.stdout);
    },
    get stderr() {
      return (stderr ??= new ErasingWritable(() => io.stderr, erase));
    },
    stdoutIsTty: io.stdoutIsTty,
    stderrIsTty: io.stderrIsTty,
    get stdin() {
      return io.stdin;
    },
    stdinIsTty: io.stdinIsTty,
    env: io.env,
    get columns() {
      return io.columns;
    },
    exitCode: io.exitCode,
  };
  PROGRESS_STATES.set(erasing, state);
  return erasing;
}

/** Options every command shares. */
export interface CommonArgs {
  debug?: boolean;
  json?: boolean;
}

/** Helpers a command body gets from {@link runCommand}. */
export interface CommandContext {
  /** A progress callback for the scan (undefined when stderr is not a TTY). */
  progress(): ((p: ScanProgress) => void) | undefined;
  /** Prints one warning line on stderr. */
  warn(message: string): void;
  /** Asks a yes/no question on stderr, answered on stdin (see {@link askYesNo}). */
  ask(question: string): Promise<boolean>;
}

/**
 * Runs a command body and sets `io.exitCode` from its result or its error.
 * Never throws.
 */
export async function runCommand(io: CliIo, args: CommonArgs, body: (ctx: CommandContext) => Promise<ExitCode>): Promise<void> {
  // An io not made by erasingProgressIo (a caller of this function's own) gets a line that
  // is erased only before warnings, questions and errors.
  const state = PROGRESS_STATES.get(io) ?? { stderr: () => io.stderr, line: null };
  const erase = (): void => state.line?.done();
  const ctx: CommandContext = {
    progress() {
      // (Not a terminal: no line, and stderr is not even created.)
      if (!io.stderrIsTty) return undefined;
      const p = (state.line ??= createProgress(state.stderr(), true));
      return p ? (x) => p.update(x) : undefined;
    },
    warn(message) {
      erase();
      io.stderr.write(`rdbtool: ${message}\n`);
    },
    ask(question) {
      erase();
      return askYesNo(io, question);
    },
  };
  try {
    io.exitCode = await body(ctx);
  } catch (e) {
    erase();
    io.exitCode = reportError(io, e, args);
  } finally {
    erase();
    state.line = null;
  }
}

/**
 * Prints an error the way the CLI does and returns its exit code. A reader that closed the
 * output (`| head`) is not an error: nothing is printed and the code is 0.
 */
export function reportError(io: CliIo, e: unknown, args: CommonArgs): ExitCode {
  if (e instanceof OutputClosedError) return ExitCode.Ok;
  const code = exitCodeFor(e);
  if (e instanceof RdbtoolError) {
    io.stderr.write(`rdbtool: ${oneLine(e.message)}\n`);
    if (args.debug && e.stack) io.stderr.write(e.stack + '\n');
    if (args.json) io.stdout.write(JSON.stringify({ error: e.toJSON() }) + '\n');
    return code;
  }
  const message = e instanceof Error ? e.message : String(e);
  const hint = args.debug ? '' : ' (run with --debug for the stack trace)';
  io.stderr.write(`rdbtool: internal error, please report: ${oneLine(message)}${hint}\n`);
  if (args.debug && e instanceof Error && e.stack) io.stderr.write(e.stack + '\n');
  if (args.json) io.stdout.write(JSON.stringify({ error: { code: 'INTERNAL', message } }) + '\n');
  return code;
}

/** Collapses a multi-line message (yargs writes some over several lines) into one line. */
export function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Opens where a command's output goes: `output` (a file) or stdout when undefined or `-`.
 * @throws UsageError when the output file is the input file (it would be truncated first).
 * @throws InputError when the file cannot be created.
 */
export async function openOutput(io: CliIo, output: string | undefined, input?: string): Promise<ByteSink> {
  if (output === undefined || output === '-') return streamSink(io.stdout, { name: '-', end: false });
  if (input !== undefined && input !== '-' && path.resolve(output) === path.resolve(input)) {
    throw new UsageError(`the output file ${output} is the input file`);
  }
  return openFileSink(output);
}

/**
 * Runs `body` with the output open and closes it afterwards, also when `body` fails (a close
 * error is then ignored so the original error is the one reported).
 */
export async function withOutputSink<T>(io: CliIo, output: string | undefined, input: string | undefined, body: (sink: ByteSink) => Promise<T>): Promise<T> {
  const sink = await openOutput(io, output, input);
  let result: T;
  try {
    result = await body(sink);
  } catch (e) {
    await sink.close().catch(() => undefined);
    throw e;
  }
  await sink.close();
  return result;
}

/**
 * Asks a yes/no question: writes it on stderr and reads one line from stdin. Only `y` or
 * `yes` (any case) count as yes; end of input, or no stdin at all, is no.
 */
export async function askYesNo(io: CliIo, question: string): Promise<boolean> {
  io.stderr.write(question);
  const answer = await readLine(io.stdin);
  if (answer === null) io.stderr.write('\n');
  return answer !== null && /^\s*y(es)?\s*$/i.test(answer);
}

/** The first line of `stream` (without its end of line), or null when it ends before any byte. */
function readLine(stream: Readable | undefined): Promise<string | null> {
  if (!stream) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const done = (value: string | null, err?: unknown) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      // Stop reading so a terminal on stdin no longer keeps the process alive.
      stream.pause();
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      const nl = b.indexOf(0x0a);
      chunks.push(nl < 0 ? b : b.subarray(0, nl));
      if (nl >= 0) done(Buffer.concat(chunks).toString('utf8').replace(/\r$/, ''));
    };
    const onEnd = () => done(chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : null);
    const onError = (e: unknown) => done(null, e);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.resume();
  });
}
