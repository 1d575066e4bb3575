/** `rdbtool diff <a> <b>`: what differs between two inputs of any form, key by key. */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { ExitCode } from '../exit-codes.js';
import { filtersFrom, integerOption, limitsFrom, withFilters, withLimits, withOutput, type ArgsOf, type GlobalArgs } from '../options.js';
import { oneLine, runCommand, UsageError, withOutputSink, type CliIo, type CommandContext } from '../run.js';

const builder = (y: Argv<GlobalArgs>) =>
  withLimits(withFilters(withOutput(y)))
    .positional('a', { type: 'string', demandOption: true, describe: 'First input: RDB or AOF file, multi-part AOF directory or manifest, or - for stdin' })
    .positional('b', { type: 'string', demandOption: true, describe: 'Second input (any form)' })
    .option('format', { choices: ['text', 'ndjson'] as const, default: 'text' as 'text' | 'ndjson', describe: 'text: a summary; ndjson: one line per differing key {"db","key","change","what"}' })
    .option('top', { alias: 'limit', requiresArg: true, coerce: integerOption('--top', 0, 'a whole number of keys >= 0'), describe: 'Differing keys listed in the summary (default 10); with --format ndjson, at most this many lines (default all)' })
    .option('encodings', { type: 'boolean', default: false, describe: 'Also report keys whose encoding differs (as export reports it: the file\'s for an RDB, the one a server picks on load for a replayed AOF)' })
    .option('ignore-ttl', { type: 'boolean', default: false, describe: 'Leave key expiries and hash field TTLs out of the comparison' })
    .option('replay', { type: 'boolean', default: false, describe: 'Replay a file that starts with an RDB even when not named *.aof (a hybrid AOF)' })
    .option('skip-unknown', { type: 'boolean', default: false, describe: 'Replay: skip (and count) commands Redis would refuse instead of stopping at the first' })
    .example('$0 diff before.rdb after.rdb', 'Keys added, removed and changed, by database and type, and the first 10')
    .example('$0 diff dump.rdb appendonlydir', 'An RDB against the dataset a multi-part AOF replays to')
    .example('$0 diff a.rdb b.rdb --format ndjson > changes.ndjson', 'One JSON line per differing key, sorted by db then key')
    .example('$0 diff a.rdb b.rdb --ignore-ttl --match "user:*"', 'Only keys matching user:*, expiries not compared')
    .example('$0 diff a.rdb b.rdb --json', 'The whole summary as JSON')
    .epilogue('Exit codes of diff:\n  0  the inputs are identical\n  1  they differ\n  2  usage or I/O error, or a damaged input (reported with its file and byte offset)');

/** The `diff` command module. */
export function diffCommand(io: CliIo): CommandModule<GlobalArgs, ArgsOf<typeof builder>> {
  return {
    command: 'diff <a> <b>',
    describe: 'Compare two inputs of any form (RDB, AOF, hybrid, multi-part) key by key: added, removed, changed (type, value, expiry, field TTLs, stream groups); exit 0 identical, 1 differ, 2 error',
    builder,
    handler: (argv) =>
      runCommand(io, argv, async (ctx) => {
        const { RdbtoolError } = await import('../../errors.js');
        try {
          return await runDiff(io, argv, ctx);
        } catch (e) {
          // A damaged input is an error here (exit 2), not the "inputs differ" of exit 1.
          if (!(e instanceof RdbtoolError)) throw e;
          ctx.warn(oneLine(e.message));
          if (argv.debug && e.stack) io.stderr.write(e.stack + '\n');
          if (argv.json) io.stdout.write(JSON.stringify({ error: e.toJSON() }) + '\n');
          return ExitCode.UsageOrIo;
        }
      }),
  };
}

/** The comparison and its output; the exit code (0 identical, 1 differ). */
async function runDiff(io: CliIo, argv: ArgumentsCamelCase<ArgsOf<typeof builder>>, ctx: CommandContext): Promise<ExitCode> {
  const { diffInputs } = await import('../../diff/diff.js');
  const { renderDiff, diffKeyLine } = await import('../../format/reports/diff.js');
  const { shouldUseColor } = await import('../../format/table.js');
  const ndjson = argv.format === 'ndjson';
  if (ndjson && argv.json) throw new UsageError('--json prints the summary as JSON; --format ndjson prints one line per key: give one of them');
  const result = await diffInputs(argv.a, argv.b, {
    filter: filtersFrom(argv),
    encodings: argv.encodings,
    ignoreTtl: argv.ignoreTtl,
    keysLimit: ndjson ? 0 : (argv.top ?? 10),
    limits: limitsFrom(argv),
    replay: argv.replay,
    skipUnknown: argv.skipUnknown,
    onProgress: ctx.progress(),
  });
  const r = result.report;
  await withOutputSink(io, argv.output, undefined, async (sink) => {
    if (!ndjson) return sink.write(renderDiff(r, { json: argv.json, color: argv.output === undefined && shouldUseColor(io.stdoutIsTty, io.env) }));
    let lines = 0;
    for (const k of result.differences(argv.top)) {
      sink.write(diffKeyLine(k));
      if (++lines % 4096 === 0) await sink.drain();
    }
  });
  if (ndjson || argv.json) for (const n of r.notes) ctx.warn(n);
  return r.identical ? ExitCode.Ok : ExitCode.InputProblem;
}
