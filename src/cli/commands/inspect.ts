/** `rdbtool inspect <file>`: what a file is and what it holds, on the fast path. */
import type { Argv, CommandModule } from 'yargs';
import { openSource } from '../../io/source.js';
import { inspectRdb } from '../../analyze/overview.js';
import { renderInspect } from '../../format/reports/inspect.js';
import { stringifyJson } from '../../format/json.js';
import { shouldUseColor } from '../../format/table.js';
import { ExitCode } from '../exit-codes.js';
import { filtersFrom, limitsFrom, withFilters, withInput, withLimits, withOutput, type ArgsOf, type GlobalArgs } from '../options.js';
import { runCommand, withOutputSink, type CliIo } from '../run.js';

const builder = (y: Argv<GlobalArgs>) =>
  withLimits(withFilters(withOutput(withInput(y))))
    .example('$0 inspect dump.rdb', 'Header, AUX fields, keys per database, types, encodings, biggest keys')
    .example('$0 inspect dump.rdb --json', 'The same report as JSON')
    .example('cat dump.rdb | $0 inspect -', 'Read from stdin');

/** The `inspect` command module. */
export function inspectCommand(io: CliIo): CommandModule<GlobalArgs, ArgsOf<typeof builder>> {
  return {
    command: 'inspect <file>',
    describe: 'Summarise an RDB file: version, AUX fields, checksum, keys, types, encodings, biggest keys',
    builder,
    handler: (argv) =>
      runCommand(io, argv, async (ctx) => {
        const source = await openSource(argv.file);
        const report = await inspectRdb(source, { filter: filtersFrom(argv), limits: limitsFrom(argv), onProgress: ctx.progress() });
        const color = argv.output === undefined && shouldUseColor(io.stdoutIsTty, io.env);
        const text = argv.json ? stringifyJson(report, 2) + '\n' : renderInspect(report, { color });
        await withOutputSink(io, argv.output, argv.file, async (sink) => sink.write(text));
        if (report.checksum.status !== 'mismatch') return ExitCode.Ok;
        ctx.warn(`${source.name}: CRC-64 checksum mismatch: stored 0x${report.checksum.stored}, computed 0x${report.checksum.computed}`);
        return ExitCode.InputProblem;
      }),
  };
}
