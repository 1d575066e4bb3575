/** `rdbtool report <file>`: one self-contained HTML page of charts and tables about an input. */
import type { Argv, CommandModule } from 'yargs';
import { ALLOCATOR_HELP, MODELLED_TARGETS } from '../../analyze/memory/target.js';
import pkg from '../../../package.json' with { type: 'json' };
import { ExitCode } from '../exit-codes.js';
import { filtersFrom, integerOption, limitsFrom, withAnyInput, withFilters, withLimits, type ArgsOf, type GlobalArgs } from '../options.js';
import { oneLine, runCommand, UsageError, type CliIo } from '../run.js';

/** Where the page goes unless -o says otherwise. */
const DEFAULT_OUTPUT = 'report.html';

const builder = (y: Argv<GlobalArgs>) =>
  withLimits(withFilters(withAnyInput(y)))
    .option('output', { alias: 'o', type: 'string', requiresArg: true, describe: `The HTML file to write (default ${DEFAULT_OUTPUT}; replaced once complete); - for stdout` })
    .option('top', { requiresArg: true, coerce: integerOption('--top', 0, 'a whole number of rows >= 0'), describe: 'Rows of the biggest-keys table (default 100)' })
    .option('separator', { type: 'string', requiresArg: true, describe: 'What separates the parts of a key name in the prefix map (default ":")' })
    .option('depth', { requiresArg: true, coerce: integerOption('--depth', 0, 'a whole number of levels >= 0'), describe: 'Levels of the prefix map you can click into (default 3; 0: none)' })
    .option('target', { type: 'string', requiresArg: true, describe: `Server the memory estimate is for: ${MODELLED_TARGETS.join(', ')} (default: the one that wrote the file, as for memory)`, group: 'Target:' })
    .option('allocator', { type: 'string', requiresArg: true, describe: `Its allocator: ${ALLOCATOR_HELP}`, group: 'Target:' })
    .option('replay', { type: 'boolean', default: false, describe: 'Replay a file that starts with an RDB even when not named *.aof (a hybrid AOF)' })
    .option('skip-unknown', { type: 'boolean', default: false, describe: 'AOF inputs: skip commands Redis would refuse instead of stopping at the first' })
    .example('$0 report dump.rdb', `Write ${DEFAULT_OUTPUT}: summary, memory by type and database, a prefix map to click into, the 100 biggest keys, TTLs, encodings`)
    .example('$0 report dump.rdb -o /tmp/dump.html --top 500 --depth 4', 'More keys in the table, a deeper prefix map')
    .example('$0 report appendonlydir -o aof.html', 'A multi-part AOF: the dataset it replays to, its commands, and writes over time from #TS annotations')
    .example('$0 report dump.rdb --match "session:*" --separator /', 'Only some keys; names split at /')
    .example('cat dump.rdb | $0 report - -o - > report.html', 'Read stdin, write stdout')
    .epilogue(
      'The page loads nothing from the network: its scripts (Apache ECharts included), styles and data are inside it. ' +
        'A damaged input still gets its page, marked PARTIAL, covering what was read before the damage; then the error is printed and the exit code is 1.\n\n' +
        'Exit codes of report:\n  0  the page was written; the input is sound\n  1  the page was written, marked, but the input is damaged (or has a wrong checksum); ' +
        'or no page: the input is not a persistence file, or holds an AOF command the replay cannot apply\n  2  usage or I/O error (no page)',
    );

/** The `report` command module. */
export function reportCommand(io: CliIo): CommandModule<GlobalArgs, ArgsOf<typeof builder>> {
  return {
    command: 'report <file>',
    describe: 'Write one self-contained HTML page (charts and tables) about an RDB or AOF input: memory by type, database, prefix and key, TTLs, encodings, AOF writes over time',
    builder,
    handler: (argv) =>
      runCommand(io, argv, async (ctx) => {
        const { parseMemoryTarget } = await import('../../analyze/memory/target.js');
        const target = parseMemoryTarget(argv.target, argv.allocator);
        if (argv.separator === '') throw new UsageError('--separator must not be empty');
        const { writeReport } = await import('../../report/write-report.js');
        const { streamSink } = await import('../../io/byte-sink.js');
        const output = argv.output ?? DEFAULT_OUTPUT;
        const toStdout = output === '-';
        const res = await writeReport(argv.file, toStdout ? streamSink(io.stdout, { name: '-', end: false }) : output, {
          tool: `rdbtool ${pkg.version}`,
          target,
          filter: filtersFrom(argv),
          top: argv.top,
          separator: argv.separator === undefined ? undefined : Buffer.from(argv.separator, 'utf8'),
          depth: argv.depth,
          limits: limitsFrom(argv),
          onProgress: ctx.progress(),
          replay: argv.replay,
          skipUnknown: argv.skipUnknown,
        });
        const what = `${res.data.summary.keys} key(s), ${res.bytes} bytes${res.data.partial && !res.data.partial.complete ? ', PARTIAL' : ''}`;
        if (!toStdout) io.stderr.write(`rdbtool: wrote ${output}: ${what}\n`);
        if (res.error === null) return ExitCode.Ok;
        ctx.warn(oneLine(res.error.message));
        if (argv.debug && res.error.stack) io.stderr.write(res.error.stack + '\n');
        return ExitCode.InputProblem;
      }),
  };
}
