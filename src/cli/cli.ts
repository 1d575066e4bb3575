/**
 * The yargs program: global options, the explicit command list and the usage-error policy.
 * {@link runCli} is the whole CLI as a function of (io, argv) → exit code, so tests run it
 * in-process with captured streams.
 */
import { createRequire } from 'node:module';
import yargs, { type Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { ExitCode, exitCodeEpilogue } from './exit-codes.js';
import { withDebug, type GlobalArgs } from './options.js';
import { oneLine, reportError, type CliIo } from './run.js';
import { inspectCommand } from './commands/inspect.js';
import { exportCommand } from './commands/export.js';
import { checkCommand } from './commands/check.js';
import { repairCommand } from './commands/repair.js';

export type { CliIo } from './run.js';

/** The package version (from package.json, two levels up in both src/ and dist/). */
function packageVersion(): string {
  const pkg = createRequire(import.meta.url)('../../package.json') as { version?: string };
  return pkg.version ?? '0.0.0';
}

/**
 * Builds the yargs program for `io`. Validation failures become {@link UsageError}s thrown
 * from `parseAsync`; command handlers never throw (they set `io.exitCode`).
 */
export function createCli(io: CliIo): Argv<GlobalArgs> {
  const y = withDebug(yargs())
    .scriptName('rdbtool')
    .usage('$0 <command> [options]\n\nStreaming toolkit for Redis and Valkey persistence files: RDB, AOF, hybrid and multi-part AOF.')
    .command(inspectCommand(io))
    .command(checkCommand(io))
    .command(exportCommand(io))
    .command(repairCommand(io))
    .demandCommand(1, 'no command given')
    .strict()
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version(packageVersion())
    .alias('version', 'V')
    .epilogue(exitCodeEpilogue())
    .exitProcess(false)
    .fail((msg: string | null, err: Error | undefined) => {
      if (err) throw err;
      throw new UsageError(oneLine(msg ?? 'invalid arguments'));
    });
  return y.wrap(Math.min(100, io.columns ?? 80));
}

/** Names of the registered commands (for "unknown command" messages). */
const COMMANDS = ['inspect', 'check', 'export', 'repair'];

/**
 * Runs the CLI on `argv` (without the node and script paths) and returns the exit code.
 * Help and version text go to stdout; usage errors print one line on stderr and return 2.
 */
export async function runCli(io: CliIo, argv: readonly string[]): Promise<number> {
  io.exitCode = ExitCode.Ok;
  const cli = createCli(io);
  try {
    await cli.parseAsync([...argv], {}, (err: Error | undefined, _args: unknown, output: string) => {
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
  return io.exitCode;
}
