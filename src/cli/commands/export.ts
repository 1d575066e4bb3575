/** `rdbtool export <file>`: every key as one JSON object per line (or one JSON array). */
import type { Argv, CommandModule } from 'yargs';
import { openSource } from '../../io/source.js';
import { exportRdb, type ExportFormat } from '../../convert/export-ndjson.js';
import { ExitCode } from '../exit-codes.js';
import { filtersFrom, limitsFrom, withFilters, withInput, withLimits, withOutputFile, type ArgsOf, type GlobalArgs } from '../options.js';
import { runCommand, withOutputSink, type CliIo } from '../run.js';

const FORMATS: readonly ExportFormat[] = ['ndjson', 'json'];

const builder = (y: Argv<GlobalArgs>) =>
  withLimits(withFilters(withOutputFile(withInput(y))))
    .option('format', { choices: FORMATS, default: 'ndjson' as ExportFormat, describe: 'ndjson: one object per line; json: one array' })
    .example('$0 export dump.rdb > dump.ndjson', 'All keys, one JSON object per line, in file order')
    .example('$0 export dump.rdb --db 0 --match "user:*" --type hash', 'Only hashes of db 0 whose key matches user:*')
    .example('$0 export dump.rdb --format json -o dump.json', 'One JSON array, written to a file');

/** The `export` command module. */
export function exportCommand(io: CliIo): CommandModule<GlobalArgs, ArgsOf<typeof builder>> {
  return {
    command: 'export <file>',
    describe: 'Export keys and values as NDJSON or JSON (schema in the README)',
    builder,
    handler: (argv) =>
      runCommand(io, argv, async (ctx) => {
        const source = await openSource(argv.file);
        await withOutputSink(io, argv.output, argv.file, (sink) =>
          exportRdb(source, sink, { format: argv.format, filter: filtersFrom(argv), limits: limitsFrom(argv), onProgress: ctx.progress() }),
        );
        return ExitCode.Ok;
      }),
  };
}
