/** `rdbtool inspect <file>`: what an input is and what it holds (RDB or AOF report, by content). */
import type { Argv, CommandModule } from 'yargs';
import { ExitCode } from '../exit-codes.js';
import { dropExpiredAt, filtersFrom, integerOption, limitsFrom, withAnyInput, withFilters, withLimits, withOutput, withReplay, type ArgsOf, type GlobalArgs } from '../options.js';
import { runCommand, withOutputSink, type CliIo } from '../run.js';

/** Rows of a top list unless --top says otherwise. */
const DEFAULT_TOP = 10;

const builder = (y: Argv<GlobalArgs>) =>
  withReplay(withLimits(withFilters(withOutput(withAnyInput(y)))))
    // A whole number of rows, 0 included (no top lists).
    .option('top', { type: 'number', requiresArg: true, coerce: integerOption('--top', 0, 'a whole number of rows >= 0'), describe: 'Length of the top lists (biggest keys, biggest commands, commands by name); 0: none. Default 10 (5 for an AOF\'s lists when its dataset shares the screen)' })
    .option('all', { type: 'boolean', default: false, describe: 'Show every table (AUX fields, types and encodings per database, functions, modules, ...) instead of the one-screen summary' })
    .option('replay', { type: 'boolean', default: true, describe: 'AOF inputs: replay the commands and summarise the dataset they produce (--no-replay: the command statistics only, faster)' })
    .example('$0 inspect dump.rdb', 'One screen: header, keys per database and per type, the 10 biggest keys')
    .example('$0 inspect dump.rdb --all --top 50', 'Every table, with the 50 biggest keys by size and by element count')
    .example('$0 inspect dump.rdb --json', 'The whole report as JSON')
    .example('$0 inspect appendonly.aof', 'An AOF (plain, or after an RDB preamble): files, commands by name, MULTI blocks, #TS dates, verdict')
    .example('$0 inspect /var/lib/redis/appendonlydir', 'A multi-part AOF directory: every file of its manifest, in load order, and the dataset they produce')
    .example('$0 inspect appendonly.aof --no-replay', 'Command statistics only, without replaying the commands')
    .example('$0 inspect dump.rdb --drop-expired', 'Count only the keys a server would still serve now')
    .example('$0 inspect appendonlydir/appendonly.aof.manifest --json', 'The same from the manifest, as JSON')
    .example('cat dump.rdb | $0 inspect -', 'Read from stdin');

/** The `inspect` command module. */
export function inspectCommand(io: CliIo): CommandModule<GlobalArgs, ArgsOf<typeof builder>> {
  return {
    command: 'inspect <file>',
    describe: 'Summarise an RDB or AOF input (chosen by content) on one screen; --all for every table. A damaged input gets the partial report, marked as such, then the error (exit 1)',
    builder,
    handler: (argv) =>
      runCommand(io, argv, async (ctx) => {
        const { inspectInput } = await import('../../analyze/aof-overview.js');
        const { inspectProblem, renderInputInspection } = await import('../../format/reports/inspect-input.js');
        const { shouldUseColor } = await import('../../format/table.js');
        const top = argv.top ?? DEFAULT_TOP;
        const dropAt = dropExpiredAt(argv);
        const filter = dropAt === undefined ? filtersFrom(argv) : { ...filtersFrom(argv), expiredAt: dropAt };
        const result = await inspectInput(argv.file, { top, filter, nowMs: dropAt, dropExpiredAt: dropAt, limits: limitsFrom(argv), onProgress: ctx.progress(), replay: argv.replay, skipUnknown: argv.skipUnknown });
        const color = argv.output === undefined && shouldUseColor(io.stdoutIsTty, io.env);
        const text = renderInputInspection(result, { json: argv.json, all: argv.all, top, topGiven: argv.top !== undefined, color });
        await withOutputSink(io, argv.output, argv.file, async (sink) => sink.write(text));
        const problem = inspectProblem(result);
        if (problem === null) return ExitCode.Ok;
        ctx.warn(problem);
        if (argv.debug && result.error?.stack) io.stderr.write(result.error.stack + '\n');
        return ExitCode.InputProblem;
      }),
  };
}
