/** `rdbtool inspect <file>`: what an input is and what it holds (RDB or AOF report, by content). */
import type { Argv, CommandModule } from 'yargs';
import { inspectInput } from '../../analyze/aof-overview.js';
import { renderInspect } from '../../format/reports/inspect.js';
import { formatAofVerdict, renderAofInspect } from '../../format/reports/inspect-aof.js';
import { stringifyJson } from '../../format/json.js';
import { shouldUseColor } from '../../format/table.js';
import { ExitCode } from '../exit-codes.js';
import { filtersFrom, limitsFrom, withAnyInput, withFilters, withLimits, withOutput, type ArgsOf, type GlobalArgs } from '../options.js';
import { runCommand, withOutputSink, type CliIo } from '../run.js';

const builder = (y: Argv<GlobalArgs>) =>
  withLimits(withFilters(withOutput(withAnyInput(y))))
    .example('$0 inspect dump.rdb', 'Header, AUX fields, keys per database, types, encodings, biggest keys')
    .example('$0 inspect dump.rdb --json', 'The same report as JSON')
    .example('$0 inspect appendonly.aof', 'An AOF (plain, or after an RDB preamble): files, commands by name and database, MULTI blocks, #TS dates, verdict')
    .example('$0 inspect /var/lib/redis/appendonlydir', 'A multi-part AOF directory: every file of its manifest, in load order')
    .example('$0 inspect appendonlydir/appendonly.aof.manifest --json', 'The same from the manifest, as JSON')
    .example('cat dump.rdb | $0 inspect -', 'Read from stdin');

/** The `inspect` command module. */
export function inspectCommand(io: CliIo): CommandModule<GlobalArgs, ArgsOf<typeof builder>> {
  return {
    command: 'inspect <file>',
    describe: 'Summarise an RDB or AOF input (chosen by content): an RDB file\'s version, AUX fields, checksum, keys, types, encodings, biggest keys; an AOF\'s files, commands, MULTI blocks, timestamps, RDB preamble and verdict',
    builder,
    handler: (argv) =>
      runCommand(io, argv, async (ctx) => {
        const result = await inspectInput(argv.file, { filter: filtersFrom(argv), limits: limitsFrom(argv), onProgress: ctx.progress() });
        const color = argv.output === undefined && shouldUseColor(io.stdoutIsTty, io.env);
        const json = (v: unknown): string => stringifyJson(v, 2) + '\n';
        if (result.kind === 'rdb') {
          const report = result.report;
          await withOutputSink(io, argv.output, argv.file, async (sink) => sink.write(argv.json ? json(report) : renderInspect(report, { color })));
          if (report.checksum.status !== 'mismatch') return ExitCode.Ok;
          ctx.warn(`${report.file}: CRC-64 checksum mismatch: stored 0x${report.checksum.stored}, computed 0x${report.checksum.computed}`);
          return ExitCode.InputProblem;
        }
        const report = result.report;
        await withOutputSink(io, argv.output, argv.file, async (sink) => sink.write(argv.json ? json(report) : renderAofInspect(report, { color })));
        if (report.verdict.status === 'ok' || report.verdict.status === 'empty') return ExitCode.Ok;
        ctx.warn(formatAofVerdict(report.verdict));
        return ExitCode.InputProblem;
      }),
  };
}
