/**
 * `rdbtool export <file>`: an RDB file's keys as one JSON object per line (or one JSON array),
 * or an AOF's commands as one JSON object per line (`--format commands`).
 */
import type { Argv, CommandModule } from 'yargs';
import type { ExportFormat } from '../../export/export-ndjson.js';
import { ExitCode } from '../exit-codes.js';
import { filtersFrom, limitsFrom, withAnyInput, withFilters, withLimits, withOutputFile, type ArgsOf, type GlobalArgs } from '../options.js';
import { runCommand, UsageError, withOutputSink, type CliIo } from '../run.js';

const FORMATS: readonly (ExportFormat | 'commands')[] = ['ndjson', 'json', 'commands'];

const builder = (y: Argv<GlobalArgs>) =>
  withLimits(withFilters(withOutputFile(withAnyInput(y))))
    .option('format', {
      choices: FORMATS,
      default: 'ndjson' as ExportFormat | 'commands',
      describe: 'ndjson: one key per line; json: one array of keys (both read an RDB file); commands: one AOF command per line',
    })
    .example('$0 export dump.rdb > dump.ndjson', 'All keys, one JSON object per line, in file order')
    .example('$0 export dump.rdb --db 0 --match "user:*" --type hash', 'Only hashes of db 0 whose key matches user:*')
    .example('$0 export dump.rdb --format json -o dump.json', 'One JSON array, written to a file')
    .example('$0 export appendonly.aof --format commands | jq -c .argv', 'Every command of an AOF, one JSON line each: file, offset, db, ts, argv')
    .example('$0 export appendonlydir --format commands --db 2', 'The commands of database 2 of a multi-part AOF, in load order');

/** The `export` command module. */
export function exportCommand(io: CliIo): CommandModule<GlobalArgs, ArgsOf<typeof builder>> {
  return {
    command: 'export <file>',
    describe: 'Export an RDB file\'s keys and values as NDJSON or JSON, or an AOF\'s commands as NDJSON (schemas in the README)',
    builder,
    handler: (argv) =>
      runCommand(io, argv, async (ctx) => {
        const { openRdbSource } = await import('../../analyze/aof-input.js');
        const { exportRdb } = await import('../../export/export-ndjson.js');
        const { exportCommands } = await import('../../export/export-commands.js');
        const limits = limitsFrom(argv);
        if (argv.format === 'commands') {
          if (argv.type?.length || argv.match !== undefined) throw new UsageError('--type and --match select keys of an RDB file; --format commands filters by --db only');
          const res = await withOutputSink(io, argv.output, argv.file, (sink) => exportCommands(argv.file, sink, { dbs: argv.db, limits, onProgress: ctx.progress() }));
          if (res.rdbOnly) ctx.warn(`${argv.file} holds an RDB and no AOF commands: nothing to list (export its keys with --format ndjson)`);
          return ExitCode.Ok;
        }
        const source = await openRdbSource(argv.file);
        const format = argv.format;
        const res = await withOutputSink(io, argv.output, argv.file, (sink) =>
          exportRdb(source, sink, { format, filter: filtersFrom(argv), limits, onProgress: ctx.progress() }),
        );
        if (res.trailingBytes > 0) {
          ctx.warn(`${source.name}: ${res.trailingBytes} byte(s) follow the RDB's checksum trailer (a hybrid AOF's commands, or junk) and were not exported; list AOF commands with --format commands`);
        }
        return ExitCode.Ok;
      }),
  };
}
