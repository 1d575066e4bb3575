/**
 * `rdbtool check <path...>`: is each input intact, would Redis start on it, and does it meet
 * the backup policy? Any number of files, directories (searched) and multi-part AOFs; one
 * report per input in the order given, then a summary line; text, `--json` or `--junit`.
 */
import type { Argv, CommandModule } from 'yargs';
import { ExitCode } from '../exit-codes.js';
import { integerOption, limitsFrom, withLimits, withOutput, type ArgsOf, type GlobalArgs } from '../options.js';
import { runCommand, UsageError, type CliIo } from '../run.js';

const EPILOGUE = [
  'Exit codes of check (the worst over all inputs):',
  '  0  every input intact (warnings allowed) and every policy rule met',
  '  1  an input is damaged (truncated, corrupt, bad checksum, missing file, bad',
  '     manifest, not a Redis file, an empty RDB) or breaks a policy rule',
  '  2  usage or I/O error: an unreadable path, a directory without persistence files',
  '',
  'A directory holding a manifest (or an appendonlydir/ holding one) is one multi-part AOF; any other ' +
    'directory is searched for *.rdb, *.aof and multi-part AOF directories (--sniff: every file, by content). ' +
    'Inputs are checked in parallel (--jobs) and reported in the order given.',
  '',
  '"Redis would start" applies Redis\'s load rules to the input as it is: a truncated LAST file loads with ' +
    'aof-load-truncated yes (the default: Redis cuts the file first, and the line says how much) and is refused ' +
    'with no; a truncated earlier file, a format error, an unbalanced MULTI/EXEC, a damaged RDB preamble or base, ' +
    'a CRC mismatch, a missing file or a bad manifest are refused. For a single file it also says whether Redis ' +
    'loads it as dump.rdb. --target applies one server\'s rules (RDB versions, types, opcodes it knows); without ' +
    'it the verdict names the oldest Redis and Valkey releases that load the input.',
  '',
  'Every option can also come from a JSON file given with --config (keys are the option names, e.g. ' +
    '{"min-keys": 1000, "max-age": "26h", "require-checksum": true}).',
].join('\n');

const POLICY = 'Backup policy (each broken rule is a POLICY problem, exit 1):';

const builder = (y: Argv<GlobalArgs>) =>
  withLimits(withOutput(y))
    .positional('paths', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'RDB, AOF or hybrid AOF files, multi-part AOF directories or manifests, directories to search, or - for stdin',
    })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print only the problems, the verdict lines and the summary' })
    .option('deep', {
      type: 'boolean',
      default: false,
      describe:
        'Decode every value of every RDB part (every LZF string, every blob entry) even when its CRC-64 matches; ' +
        'by default values are decoded only where no checksum vouches for them',
    })
    .option('jobs', { alias: 'j', requiresArg: true, describe: 'Inputs checked at once, each on its own thread (default: the number of cores)', coerce: integerOption('--jobs', 1) })
    .option('sniff', { type: 'boolean', default: false, describe: 'In searched directories, also check files whose names do not say, by their first bytes' })
    .option('junit', { type: 'string', requiresArg: true, describe: 'Also write a JUnit XML report to FILE (one testcase per input, a failure per problem)' })
    .option('target', {
      type: 'string',
      requiresArg: true,
      describe: 'Judge "Redis would start" for this server: redis@X.Y or valkey@X.Y (e.g. redis@7.0, valkey@8.1); a server that cannot load an input is a policy problem',
      group: POLICY,
    })
    .option('min-keys', { requiresArg: true, describe: 'Fewer keys than N (an empty or tiny backup)', coerce: integerOption('--min-keys', 0), group: POLICY })
    .option('max-age', { type: 'string', requiresArg: true, describe: 'Written longer ago than DURATION (26h, 7d, 1d12h): the RDB ctime, else the last #TS, else the file time', group: POLICY })
    .option('require-checksum', { type: 'boolean', describe: 'An RDB written without a CRC-64 (rdbchecksum no)', group: POLICY })
    .option('max-key-bytes', { requiresArg: true, describe: 'A key whose record takes more than N bytes in the file', coerce: integerOption('--max-key-bytes', 1), group: POLICY })
    .option('max-elements', { requiresArg: true, describe: 'A key with more than N elements', coerce: integerOption('--max-elements', 1), group: POLICY })
    .option('baseline', { type: 'string', requiresArg: true, describe: 'An older backup to compare with (needs --max-shrink)', group: POLICY })
    .option('max-shrink', {
      requiresArg: true,
      describe: 'PCT% fewer keys or bytes than --baseline (e.g. 50)',
      coerce: (v: unknown) => {
        const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+(\.\d+)?\s*%?\s*$/.test(v) ? parseFloat(v) : NaN;
        if (!(n >= 0 && n <= 100)) throw new UsageError(`invalid --max-shrink ${JSON.stringify(String(v))}: expected a percentage from 0 to 100`);
        return n;
      },
      group: POLICY,
    })
    .implies('baseline', 'max-shrink')
    .implies('max-shrink', 'baseline')
    .config('config', 'Read options from a JSON file (keys are option names)')
    .example('$0 check backup/appendonlydir && upload backup', 'Gate a backup in CI: exit 0 only when intact')
    .example('$0 check /backups --min-keys 1000 --max-age 26h --junit report.xml', 'Every backup under /backups, with a policy and a JUnit report')
    .example('$0 check dump.rdb --target redis@7.0', 'Would Redis 7.0 load this dump? (lists what blocks it)')
    .example('$0 check today.rdb --baseline yesterday.rdb --max-shrink 20', 'Refuse a backup that lost more than 20% of its keys or bytes')
    .example('$0 check appendonly.aof.manifest', 'A multi-part AOF through its manifest (base, then incr files)')
    .example('$0 check dump.rdb --deep --quiet', 'Also decode every value although the checksum matches; print only problems')
    .example('$0 check a.rdb b.rdb --json | jq ".inputs[].status"', 'The JSON report (schema in the README)')
    .epilogue(EPILOGUE);

/** The `check` command module. */
export function checkCommand(io: CliIo): CommandModule<GlobalArgs, ArgsOf<typeof builder>> {
  return {
    command: 'check <paths..>',
    describe: 'Verify RDB, AOF, hybrid and multi-part AOF inputs end to end; say whether Redis would start on each and whether it meets a backup policy',
    builder,
    handler: (argv) =>
      runCommand(io, argv, async (ctx) => {
        const { runCheck } = await import('../run-check.js');
        return (await runCheck(io, ctx, {
          paths: argv.paths,
          json: argv.json,
          output: argv.output,
          quiet: argv.quiet,
          deep: argv.deep,
          jobs: argv.jobs,
          sniff: argv.sniff,
          junit: argv.junit,
          target: argv.target,
          limits: limitsFrom(argv),
          policy: {
            minKeys: argv.minKeys,
            maxAge: argv.maxAge,
            requireChecksum: argv.requireChecksum,
            maxKeyBytes: argv.maxKeyBytes,
            maxElements: argv.maxElements,
            maxShrinkPct: argv.maxShrink,
          },
          baseline: argv.baseline,
        })) as ExitCode;
      }),
  };
}
