/** `rdbtool memory <file>`: what each key would take in a server's memory once loaded, with totals, top keys and prefixes. */
import type { Argv, CommandModule } from 'yargs';
import { ALLOCATOR_HELP, MODELLED_TARGETS } from '../../analyze/memory/target.js';
import { ExitCode } from '../exit-codes.js';
import { filtersFrom, integerOption, limitsFrom, withAnyInput, withFilters, withLimits, withOutput, type ArgsOf, type GlobalArgs } from '../options.js';
import { runCommand, UsageError, withOutputSink, type CliIo } from '../run.js';

const builder = (y: Argv<GlobalArgs>) =>
  withLimits(withFilters(withOutput(withAnyInput(y))))
    .option('format', { choices: ['text', 'ndjson', 'csv'] as const, default: 'text' as const, describe: 'text: the report (--json for its JSON); ndjson or csv: one record per key' })
    .option('top', { requiresArg: true, coerce: integerOption('--top', 0, 'a whole number of rows >= 0'), describe: 'Length of the biggest-keys list, and of each prefix\'s list (default 10)' })
    .option('separator', { type: 'string', requiresArg: true, describe: 'What separates the parts of a key name in the prefix tree (default ":")' })
    .option('depth', { requiresArg: true, coerce: integerOption('--depth', 0, 'a whole number of levels >= 0'), describe: 'Levels of the prefix tree (default 1; 0: none). Each level keeps its 1,024 heaviest prefixes; a level with many more distinct prefixes costs time' })
    .option('min-bytes', { requiresArg: true, coerce: integerOption('--min-bytes', 0, 'a number of bytes >= 0'), describe: 'Only keys estimated at this many bytes or more', group: 'Filters:' })
    .option('target', { type: 'string', requiresArg: true, describe: `Server the estimate is for: ${MODELLED_TARGETS.join(', ')} (a patch version is ignored). Default: the version that wrote the file (redis-ver/valkey-ver), else the nearest modelled one below it (a server older than 6.0: redis@6.0); a newer server or none named: the newest modelled version that reads the file's RDB version`, group: 'Target:' })
    .option('allocator', { type: 'string', requiresArg: true, describe: `Its allocator: ${ALLOCATOR_HELP}`, group: 'Target:' })
    .option('replay', { type: 'boolean', default: false, describe: 'Replay a file that starts with an RDB even when not named *.aof (a hybrid AOF)' })
    .option('skip-unknown', { type: 'boolean', default: false, describe: 'AOF inputs: skip commands Redis would refuse instead of stopping at the first' })
    .example('$0 memory dump.rdb', 'Totals, memory by database/type/encoding, the 10 biggest keys and memory by key prefix')
    .example('$0 memory dump.rdb --top 50 --depth 3 --separator /', 'More keys, a deeper tree of /-separated names')
    .example('$0 memory dump.rdb --format csv -o memory.csv --min-bytes 1024', 'One CSV row per key of 1 KiB or more, for a spreadsheet')
    .example('$0 memory appendonlydir --json', 'The dataset a multi-part AOF produces, as JSON')
    .example('$0 memory dump.rdb --target valkey@8.0 --allocator libc', 'The same file as a Valkey 8.0 built with MALLOC=libc would hold it')
    .example('$0 memory dump.rdb --target redis@6.0 --allocator jemalloc-system', 'As Debian 11\'s or Ubuntu 22.04\'s redis-server 6.0 package would hold it');

/** The `memory` command module. */
export function memoryCommand(io: CliIo): CommandModule<GlobalArgs, ArgsOf<typeof builder>> {
  return {
    command: 'memory <file>',
    describe: 'Estimate the memory each key takes once a server loads the input (MEMORY USAGE), by database, type, encoding and prefix; or list it per key (--format ndjson|csv)',
    builder,
    handler: (argv) =>
      runCommand(io, argv, async (ctx) => {
        const { parseMemoryTarget } = await import('../../analyze/memory/target.js');
        const target = parseMemoryTarget(argv.target, argv.allocator);
        if (argv.format !== 'text' && argv.json) throw new UsageError('--json prints the report; --format ndjson or csv lists the keys: give one of them');
        if (argv.separator === '') throw new UsageError('--separator must not be empty');
        const { analyzeMemory } = await import('../../analyze/memory/memory-input.js');
        const fmt = await import('../../format/reports/memory.js');
        const { shouldUseColor } = await import('../../format/table.js');
        const res = await withOutputSink(io, argv.output, argv.file, async (sink) => {
          const line = argv.format === 'ndjson' ? fmt.memoryRecordNdjson : argv.format === 'csv' ? fmt.memoryRecordCsv : null;
          // Records are gathered into pieces of some 64 KiB before they go to the sink.
          let text = argv.format === 'csv' ? fmt.MEMORY_CSV_HEADER : '';
          const flush = () => {
            if (text.length > 0) sink.write(text);
            text = '';
          };
          const r = await analyzeMemory(argv.file, {
            target,
            filter: filtersFrom(argv),
            minBytes: argv.minBytes,
            top: argv.top,
            separator: argv.separator === undefined ? undefined : Buffer.from(argv.separator, 'utf8'),
            depth: argv.depth,
            limits: limitsFrom(argv),
            onProgress: ctx.progress(),
            onRecord:
              line === null
                ? undefined
                : (k) => {
                    text += line(k);
                    if (text.length >= 65536) flush();
                  },
            drain:
              line === null
                ? undefined
                : () => {
                    flush();
                    return sink.drain();
                  },
            replay: argv.replay,
            skipUnknown: argv.skipUnknown,
          });
          flush();
          if (line === null) sink.write(fmt.renderMemoryReport(r.report, { json: argv.json, color: argv.output === undefined && shouldUseColor(io.stdoutIsTty, io.env), prefixRows: argv.top }));
          return r;
        });
        if (res.error === null) return ExitCode.Ok;
        ctx.warn(res.error.message.replace(/\s*\n\s*/g, ' ').trim());
        return ExitCode.InputProblem;
      }),
  };
}
