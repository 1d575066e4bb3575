/**
 * The yargs program: global options, the explicit command list and the usage-error policy.
 * {@link runCli} is the whole CLI as a function of (io, argv) → exit code, so tests run it
 * in-process with captured streams.
 *
 * Start-up cost matters (one process per file in a shell loop): this module and the command
 * modules load only yargs and the small option, run and exit-code modules; a command's
 * implementation is imported when that command runs.
 */
import yargs, { type Argv } from 'yargs';
import pkg from '../../package.json' with { type: 'json' };
import { UsageError } from '../errors.js';
import { ExitCode, exitCodeEpilogue } from './exit-codes.js';
import { protectDashes, rejectNaNNumbers, restoreDashes, withDebug, type GlobalArgs, type NumberOptionsView } from './options.js';
import { erasingProgressIo, oneLine, reportError, type CliIo } from './run.js';
import { inspectCommand } from './commands/inspect.js';
import { exportCommand } from './commands/export.js';
import { checkCommand } from './commands/check.js';
import { repairCommand } from './commands/repair.js';
import { convertCommand } from './commands/convert.js';
import { diffCommand } from './commands/diff.js';
import { memoryCommand } from './commands/memory.js';
import { reportCommand } from './commands/report.js';

export type { CliIo } from './run.js';

/** The part of the yargs instance a middleware reads. */
interface YargsOptionsView {
  getOptions(): NumberOptionsView;
}

/**
 * Builds the yargs program for `io`. Every validation failure, a value an option's `coerce`
 * refused included, becomes a {@link UsageError} thrown from `parseAsync`; command handlers
 * never throw (they set `io.exitCode`).
 * @param argv the arguments being parsed, so messages can quote a refused value as typed
 */
export function createCli(io: CliIo, argv: readonly string[] = []): Argv<GlobalArgs> {
  const y = withUsageErrors(withDebug(yargs()), argv)
    .scriptName('rdbtool')
    .usage('$0 <command> [options]\n\nStreaming toolkit for Redis and Valkey persistence files: RDB, AOF, hybrid and multi-part AOF.')
    .command(inspectCommand(io))
    .command(checkCommand(io))
    .command(exportCommand(io))
    .command(repairCommand(io))
    .command(convertCommand(io))
    .command(diffCommand(io))
    .command(memoryCommand(io))
    .command(reportCommand(io))
    .demandCommand(1, 'no command given')
    .strict()
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version(pkg.version)
    .alias('version', 'V')
    .epilogue(exitCodeEpilogue())
    .exitProcess(false);
  skipHelpCache(y);
  return y.wrap(Math.min(100, io.columns ?? 80));
}

/**
 * The usage-error policy of a yargs program, for every option of every command (add it before
 * the commands): whatever yargs refuses, and whatever an option's `coerce` throws, ends as a
 * {@link UsageError} thrown from `parseAsync`, which the CLI prints as one line with exit code 2.
 * - A `coerce` error reaches `.fail()` as a YError carrying only its message (yargs wraps it),
 *   as do yargs' own checks, and a `.check()` that returns a message passes it as a string;
 *   all become a UsageError with that message.
 * - Text given to an option declared `type: 'number'` that is not a number is refused before
 *   any `coerce` or check sees the `NaN` yargs made of it ({@link rejectNaNNumbers}).
 * - Any other error passes through unchanged (a handler's own failure).
 * @param argv the arguments being parsed, to quote a refused value as typed
 */
export function withUsageErrors<T>(y: Argv<T>, argv: readonly string[]): Argv<T> {
  return y
    .exitProcess(false)
    // (The instance is passed to middlewares at run time; yargs' type definitions omit it.)
    .middleware((args, ...rest: unknown[]) => rejectNaNNumbers(args, (rest[0] as YargsOptionsView).getOptions(), argv), true)
    .middleware((args) => restoreDashes(args), true)
    .fail((msg: string | null, err: Error | string | undefined) => {
      // (A `.check()` that returns a message hands it over as `err` too, as a string.)
      if (err instanceof Error && !(err instanceof UsageError) && err.name !== 'YError') throw err;
      throw new UsageError(oneLine((err instanceof Error ? err.message : (msg ?? err)) ?? 'invalid arguments'));
    });
}

/** The internals of the yargs instance {@link skipHelpCache} reaches (not in yargs' type definitions). */
interface YargsUsageView {
  getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage?: () => void } };
}

/**
 * yargs lays out the whole help text of a command every time the command runs, in case its
 * handler asks for the help afterwards. rdbtool's handlers never do, and that layout is one of
 * the larger costs of a start (tens of milliseconds). `--help` itself is laid out as before.
 */
function skipHelpCache(y: Argv<GlobalArgs>): void {
  const usage = (y as unknown as YargsUsageView).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

/** Names of the registered commands (for "unknown command" messages). */
const COMMANDS = ['inspect', 'check', 'export', 'repair'];

/**
 * Runs the CLI on `argv` (without the node and script paths) and returns the exit code.
 * Help and version text go to stdout; usage errors print one line on stderr and return 2.
 * On a terminal, the progress line is erased before anything else is written (see
 * {@link erasingProgressIo}).
 */
export async function runCli(callerIo: CliIo, argv: readonly string[]): Promise<number> {
  const io = erasingProgressIo(callerIo);
  io.exitCode = ExitCode.Ok;
  try {
    const cli = createCli(io, argv);
    await cli.parseAsync(protectDashes(argv), {}, (err: Error | undefined, _args: unknown, output: string) => {
      if (!err && output) io.stdout.write(output + '\n');
    });
  } catch (e) {
    let err = e;
    if (e instanceof UsageError && e.reason.startsWith('Did you mean') && argv[0] !== undefined && !COMMANDS.includes(argv[0])) {
      err = new UsageError(`unknown command "${argv[0]}". ${e.reason}`);
    }
    const args = { debug: argv.includes('--debug'), json: argv.includes('--json') };
    if (err instanceof UsageError) {
      io.stderr.write(`rdbtool: ${err.message} (see rdbtool --help)\n`);
      if (args.json) io.stdout.write(JSON.stringify({ error: err.toJSON() }) + '\n');
      io.exitCode = ExitCode.UsageOrIo;
    } else {
      io.exitCode = reportError(io, err, args);
    }
  }
  callerIo.exitCode = io.exitCode;
  return io.exitCode;
}
