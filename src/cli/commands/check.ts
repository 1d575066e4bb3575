/** `rdbtool check <path>`: is this RDB / AOF / multi-part AOF intact, and would Redis start on it? */
import type { Argv, CommandModule } from 'yargs';
import { checkPath } from '../../analyze/check.js';
import { renderCheck } from '../../format/reports/check.js';
import { stringifyJson } from '../../format/json.js';
import { shouldUseColor } from '../../format/table.js';
import { ExitCode } from '../exit-codes.js';
import { limitsFrom, withLimits, withOutput, type ArgsOf, type GlobalArgs } from '../options.js';
import { runCommand, withOutputSink, type CliIo } from '../run.js';

const EPILOGUE = [
  'Exit codes of check:',
  '  0  intact: every record parses, every checksum matches (warnings allowed)',
  '  1  damaged: truncated, corrupt, bad checksum, missing file, bad manifest',
  '  2  usage or I/O error: unreadable path, no manifest in the directory',
  '',
  '"Redis would start" applies Redis\'s load rules to the input as it is: a truncated LAST file loads with ' +
    'aof-load-truncated yes (the default: Redis cuts the file first, and the line says how much) and is refused ' +
    'with no; a truncated earlier file, a format error, an unbalanced MULTI/EXEC, a damaged RDB preamble or base, ' +
    'a CRC mismatch, a missing file or a bad manifest are refused. For a single RDB file it also says whether ' +
    'Redis loads it as dump.rdb.',
].join('\n');

const builder = (y: Argv<GlobalArgs>) =>
  withLimits(withOutput(y))
    .positional('path', {
      type: 'string',
      demandOption: true,
      describe: 'RDB, AOF or hybrid AOF file, a multi-part AOF directory or its manifest, or - for stdin',
      coerce: (v: unknown) => (v === '' ? '-' : String(v)),
    })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print only the problems and the verdict line' })
    .option('deep', {
      type: 'boolean',
      default: false,
      describe:
        'Decode every value of every RDB part (every LZF string, every blob entry) even when its CRC-64 matches; ' +
        'by default values are decoded only where no checksum vouches for them',
    })
    .example('$0 check backup/appendonlydir && upload backup', 'Gate a backup in CI: exit 0 only when intact')
    .example('$0 check appendonly.aof.manifest', 'A multi-part AOF through its manifest (base, then incr files)')
    .example('$0 check dump.rdb --quiet', 'An RDB: every record parsed, CRC-64 compared; print only problems')
    .example('$0 check dump.rdb --deep', 'Also decode every value, although the checksum matches')
    .example('$0 check appendonlydir --json | jq .redisWouldStart', 'The stable JSON report (schema in the README)')
    .epilogue(EPILOGUE);

/** The `check` command module. */
export function checkCommand(io: CliIo): CommandModule<GlobalArgs, ArgsOf<typeof builder>> {
  return {
    command: 'check <path>',
    describe: 'Verify an RDB, AOF, hybrid or multi-part AOF end to end; say whether Redis would start on it',
    builder,
    handler: (argv) =>
      runCommand(io, argv, async (ctx) => {
        const report = await checkPath(argv.path, { limits: limitsFrom(argv), verify: argv.deep ? 'deep' : 'auto', onProgress: ctx.progress() });
        const color = argv.output === undefined && shouldUseColor(io.stdoutIsTty, io.env);
        const text = argv.json ? stringifyJson(report, 2) + '\n' : renderCheck(report, { color, quiet: argv.quiet });
        await withOutputSink(io, argv.output, argv.path, async (sink) => sink.write(text));
        return report.intact ? ExitCode.Ok : ExitCode.InputProblem;
      }),
  };
}
