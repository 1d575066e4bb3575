/**
 * `rdbtool export <file>`: the keys of an RDB file — or of the dataset an AOF, a hybrid file or
 * a multi-part AOF produces once replayed — as one JSON object per line (or one JSON array),
 * or an AOF's commands as one JSON object per line (`--format commands`).
 */
import type { Argv, CommandModule } from 'yargs';
import type { ExportFormat } from '../../export/export-ndjson.js';
import { ExitCode } from '../exit-codes.js';
import { dropExpiredAt, filtersFrom, limitsFrom, withAnyInput, withFilters, withLimits, withOutputFile, withReplay, type ArgsOf, type GlobalArgs } from '../options.js';
import { openOutput, runCommand, UsageError, withOutputSink, type CliIo } from '../run.js';
import type { ByteSink } from '../../io/byte-sink.js';

const FORMATS: readonly (ExportFormat | 'commands')[] = ['ndjson', 'json', 'commands'];

const builder = (y: Argv<GlobalArgs>) =>
  withLimits(withReplay(withFilters(withOutputFile(withAnyInput(y)))))
    .option('format', {
      choices: FORMATS,
      default: 'ndjson' as ExportFormat | 'commands',
      describe: 'ndjson: one key per line; json: one array of keys (an AOF input is replayed first); commands: one AOF command per line',
    })
    .option('replay', {
      type: 'boolean',
      default: false,
      describe: 'Replay a file that starts with an RDB even when not named *.aof (a hybrid AOF: its RDB preamble, then the commands after it)',
    })
    .example('$0 export dump.rdb > dump.ndjson', 'All keys, one JSON object per line, in file order')
    .example('$0 export dump.rdb --db 0 --match "user:*" --type hash', 'Only hashes of db 0 whose key matches user:*')
    .example('$0 export dump.rdb --format json -o dump.json', 'One JSON array, written to a file')
    .example('$0 export appendonlydir > keys.ndjson', 'The keys Redis would hold after loading a multi-part AOF (replayed), in the same schema')
    .example('$0 export appendonly.aof --drop-expired --now 1767225600000', 'Leave out keys and hash fields already expired at that time')
    .example('$0 export appendonly.aof --format commands | jq -c .argv', 'Every command of an AOF, one JSON line each: file, offset, db, ts, argv')
    .example('$0 export appendonlydir --format commands --db 2', 'The commands of database 2 of a multi-part AOF, in load order');

/** The `export` command module. */
export function exportCommand(io: CliIo): CommandModule<GlobalArgs, ArgsOf<typeof builder>> {
  return {
    command: 'export <file>',
    describe: 'Export the keys and values of an RDB file, or of the dataset an AOF produces once replayed, as NDJSON or JSON; or an AOF\'s commands as NDJSON (schemas in the README)',
    builder,
    handler: (argv) =>
      runCommand(io, argv, async (ctx) => {
        const limits = limitsFrom(argv);
        const dropAt = dropExpiredAt(argv);
        if (argv.format === 'commands') {
          const { exportCommands } = await import('../../export/export-commands.js');
          if (argv.dropExpired) throw new UsageError('--drop-expired applies to keys; --format commands lists commands as the file holds them');
          if (argv.type?.length || argv.match !== undefined) throw new UsageError('--type and --match select keys of an RDB file; --format commands filters by --db only');
          const res = await withOutputSink(io, argv.output, argv.file, (sink) => exportCommands(argv.file, sink, { dbs: argv.db, limits, onProgress: ctx.progress() }));
          if (res.rdbOnly) ctx.warn(`${argv.file} holds an RDB and no AOF commands: nothing to list (export its keys with --format ndjson)`);
          return ExitCode.Ok;
        }
        const { planExport } = await import('../../export/export-input.js');
        const format = argv.format;
        const plan = await planExport(argv.file, { replay: argv.replay });
        if (plan.kind === 'replay') {
          const { exportReplay } = await import('../../export/export-dataset.js');
          // The output is opened once the replay is done: a refused command leaves no file.
          let sink: ByteSink | undefined;
          const open = async () => (sink = await openOutput(io, argv.output, argv.file));
          let res;
          try {
            res = await exportReplay(plan.source ?? argv.file, open, { format, filter: filtersFrom(argv), limits, dropExpiredAt: dropAt, skipUnknown: argv.skipUnknown, onProgress: ctx.progress() });
          } catch (e) {
            await sink?.close().catch(() => undefined);
            throw e;
          }
          await sink?.close();
          const { replayWarnings } = await import('../../format/reports/replay.js');
          for (const w of replayWarnings(res.replay)) ctx.warn(w);
          return ExitCode.Ok;
        }
        const { exportRdb } = await import('../../export/export-ndjson.js');
        const source = plan.source;
        const res = await withOutputSink(io, argv.output, argv.file, (sink) =>
          exportRdb(source, sink, { format, filter: filtersFrom(argv), limits, dropExpiredAt: dropAt, onProgress: ctx.progress() }),
        );
        if (res.trailingBytes > 0) {
          ctx.warn(`${source.name}: ${res.trailingBytes} byte(s) follow the RDB's checksum trailer (a hybrid AOF's commands, or junk) and were not exported; --replay applies a hybrid AOF's commands, --format commands lists them`);
        }
        return ExitCode.Ok;
      }),
  };
}
